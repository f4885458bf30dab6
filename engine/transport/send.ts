import { cancelResponseBody, readResponseText } from './bounded-text.js';
import { UnimapError } from '../errors.js';
import { isForbiddenKey } from '../expressions/plain.js';
import type { RemoteRequest, RemoteResponse } from '../pipeline/call.js';
import { requestTimeout, timeLeft, type Deadline } from './deadline.js';
import type { Redactor } from './redact.js';
import type { FetchLike } from './types.js';
import { loadXml, xmlSupport } from './xml-support.js';

export type ResponseFormat = 'auto' | 'json' | 'xml' | 'text';

export interface SendInput {
  request: RemoteRequest;
  responseFormat: ResponseFormat;
  timeoutMs: number;
  maxBytes: number;
  fetch: FetchLike;
  signal?: AbortSignal;
  /** The whole call's budget: this exchange ends by then too, as a `request_timeout`. */
  deadline?: Deadline;
  redactor: Redactor;
  /** For messages: `jamf mdm/users.list`. */
  what: string;
}

const snippetLength = 200;

function snippet(text: string, redactor: Redactor): string {
  // Redact first, then cut: a cut must not leave half a secret behind.
  const clean = redactor.text(text.slice(0, snippetLength * 4)).replace(/\s+/g, ' ').trim();
  return clean.length > snippetLength ? `${clean.slice(0, snippetLength)}…` : clean;
}

function serialize(body: unknown): BodyInit | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

/** Reads a body up to `maxBytes`; a larger one is refused rather than buffered. */
async function readText(response: Response, maxBytes: number, what: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  const tooLarge = () =>
    new UnimapError('invalid_remote_response', `${what}: the remote response is larger than ${maxBytes} bytes`, { statusCode: 502, details: { max_response_bytes: maxBytes } });
  if (Number.isFinite(declared) && declared > maxBytes) {
    await cancelResponseBody(response);
    throw tooLarge();
  }
  return readResponseText(response, maxBytes, tooLarge);
}

function headersOf(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

export const maxJsonDepth = 256;

/** Refuses data nested deeper than `maxJsonDepth` (it would overflow every recursive step after it). */
export function checkDepth<T>(value: T, what: string, statusCode = 502): T {
  if (value !== null && typeof value === 'object' && nestedTooDeep(value, 0)) {
    throw new UnimapError(statusCode === 502 ? 'invalid_remote_response' : 'invalid_body', `${what}: the data is nested deeper than ${maxJsonDepth} levels`, { statusCode, details: { max_depth: maxJsonDepth } });
  }
  return value;
}

/**
 * Whether an object or array at `depth` holds one at `maxJsonDepth` or deeper. Recursive, but
 * never more than maxJsonDepth calls deep; it allocates nothing (this runs on every response).
 */
function nestedTooDeep(node: object, depth: number): boolean {
  if (depth >= maxJsonDepth) return true;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (child !== null && typeof child === 'object' && nestedTooDeep(child, depth + 1)) return true;
    }
    return false;
  }
  const record = node as Record<string, unknown>;
  for (const key in record) {
    const child = record[key];
    if (child !== null && typeof child === 'object' && nestedTooDeep(child, depth + 1)) return true;
  }
  return false;
}

/** Whether parseBody reads the body as XML (then XML support must be loaded first). */
function isXmlBody(contentType: string, format: ResponseFormat): boolean {
  return format === 'xml' || (format === 'auto' && /[/+]xml\b/i.test(contentType));
}

/** Parses a body by the endpoint's `response_format`, or by Content-Type when `auto`. */
export function parseBody(text: string, contentType: string, format: ResponseFormat, status: number, what: string, redactor: Redactor): unknown {
  if (text === '' || status === 204 || status === 205 || status === 304) return undefined;
  const type = contentType.toLowerCase();
  const isJson = format === 'json' || (format === 'auto' && /[/+]json\b/.test(type));
  const isXml = isXmlBody(type, format);
  const ok = status >= 200 && status < 300;
  if (isJson) {
    try {
      return checkDepth(JSON.parse(text) as unknown, what);
    } catch (error) {
      if (error instanceof UnimapError) throw error;
      if (!ok) return text; // an error page with the wrong content type still explains the error
      throw new UnimapError('invalid_remote_response', `${what}: the remote API sent a body that is not valid JSON: ${snippet(text, redactor)}`, {
        statusCode: 502,
        details: { content_type: contentType, snippet: snippet(text, redactor) },
      });
    }
  }
  if (isXml) {
    const { parseXml, XmlParseError } = xmlSupport();
    try {
      return parseXml(text);
    } catch (error) {
      if (!ok) return text;
      const reason = error instanceof XmlParseError ? error.message : 'malformed XML';
      throw new UnimapError('invalid_remote_response', `${what}: the remote API sent XML that cannot be read (${reason}): ${snippet(text, redactor)}`, {
        statusCode: 502,
        details: { content_type: contentType, snippet: snippet(text, redactor) },
      });
    }
  }
  if (format === 'text') return text;
  if (format === 'auto' && /application\/x-www-form-urlencoded/.test(type)) {
    // Some token endpoints answer form-encoded: read it as an object, like JSON.
    const out: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(text)) if (!isForbiddenKey(key)) out[key] = value;
    return out;
  }
  if (ok && /text\/html/.test(type)) {
    // A 200 with an HTML page is a login wall or a proxy error, not data.
    throw new UnimapError('invalid_remote_response', `${what}: the remote API answered with an HTML page instead of data: ${snippet(text, redactor)}`, {
      statusCode: 502,
      details: { content_type: contentType, snippet: snippet(text, redactor) },
    });
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // Not JSON after all: keep it as text.
      return text;
    }
    return checkDepth(parsed, what);
  }
  return text;
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return (error as Error)?.message ?? 'network error';
}

/** One HTTP exchange with a timeout that covers the whole body; failures become typed errors. */
export async function send(input: SendInput): Promise<RemoteResponse> {
  const { request, redactor, what, deadline } = input;
  const left = timeLeft(deadline);
  if (left <= 0) throw requestTimeout(deadline!);
  // The call's own timeout, or what is left of the whole call's budget if that ends first.
  const byDeadline = left < input.timeoutMs;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, byDeadline ? left : input.timeoutMs);
  const onAbort = () => controller.abort();
  input.signal?.addEventListener('abort', onAbort, { once: true });
  // Only error messages need the origin.
  const origin = (): string => {
    try {
      return new URL(request.url).origin;
    } catch {
      return 'the remote API';
    }
  };
  try {
    if (input.signal?.aborted) throw new UnimapError('aborted', `${what}: the call was cancelled`, { statusCode: 499 });
    const init: RequestInit = { method: request.method, headers: request.headers, signal: controller.signal, redirect: 'manual' };
    const body = serialize(request.body);
    if (body !== undefined) init.body = body;
    let response: Response;
    try {
      response = await input.fetch(request.url, init);
    } catch (error) {
      throw failure(error);
    }
    let text: string;
    try {
      text = await readText(response, input.maxBytes, what);
    } catch (error) {
      throw failure(error);
    }
    const headers = headersOf(response);
    if (isXmlBody(headers['content-type'] ?? '', input.responseFormat)) await loadXml();
    return { status: response.status, headers, body: parseBody(text, headers['content-type'] ?? '', input.responseFormat, response.status, what, redactor) };
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onAbort);
  }

  function failure(error: unknown): UnimapError {
    if (error instanceof UnimapError) return error;
    if (timedOut && byDeadline) return requestTimeout(deadline!, `${what}: waiting for ${origin()}`);
    if (timedOut) {
      return new UnimapError('remote_timeout', `${what}: ${origin()} did not answer within ${input.timeoutMs} ms`, { statusCode: 504, details: { timeout_ms: input.timeoutMs } });
    }
    if (input.signal?.aborted) return new UnimapError('aborted', `${what}: the call was cancelled`, { statusCode: 499 });
    return new UnimapError('remote_unreachable', `${what}: could not reach ${origin()} (${redactor.text(networkReason(error))})`, { statusCode: 502 });
  }
}
