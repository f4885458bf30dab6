import { readBoundedText } from '../transport/bounded-text.js';
import type { Engine } from '../engine.js';
import { isUnimapError, reasonPhrase, UnimapError, type UnifiedErrorBody } from '../errors.js';
import { checkBudget } from '../transport/deadline.js';
import type { UnifiedOverrides } from '../pipeline/call.js';
import type { ExecuteCall } from '../pipeline/execute.js';
import { parseQueryString } from '../pipeline/query-string.js';
import type { FetchLike } from '../transport/types.js';
import { checkDepth } from '../transport/send.js';
import type { AccountStore } from './accounts.js';
import { MemoryIdempotencyStore, type IdempotencyStore, type StoredResponse } from './idempotency.js';

/** One access log line: never a token, a query string or a body. */
export interface AccessLogLine {
  time: string;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  account_id?: string;
  code?: string;
}

export interface ServerOptions {
  engine: Engine;
  accounts: AccountStore;
  /** API tokens accepted in `Authorization: Bearer <token>` (read once, when the handler is made). */
  tokens: readonly string[];
  idempotency?: IdempotencyStore;
  /** The transport for remote calls (the sandbox redirects vendors to its emulators). */
  fetch?: FetchLike;
  /** Largest request body accepted (default 1 MiB). */
  maxBodyBytes?: number;
  /** Longest a request may take, remote calls included (default 60 s). */
  requestTimeoutMs?: number;
  environment?: UnifiedOverrides;
  log?: (line: AccessLogLine) => void;
}

const standard: Record<string, string> = { GET: 'list', POST: 'create' };
// RFC 9110 §7.6.1: connection-level headers, never passed on.
const hopByHop = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
const byId: Record<string, string> = { GET: 'get', PATCH: 'update', DELETE: 'delete' };

/**
 * A request as the handler reads it. The web handler wraps a `Request`; the Node adapter wraps
 * its IncomingMessage directly, without a web Request and body stream per call.
 */
export interface PlainRequest {
  method: string;
  /** The absolute URL. */
  url: string;
  /** A header's value (repeated ones joined with `, `), or null. */
  header(name: string): string | null;
  /** The body as UTF-8 text, at most `maxBytes`: beyond, it stops reading and throws `tooLarge()`. */
  text(maxBytes: number, tooLarge: () => Error): Promise<string>;
}

/** What the handler answers: JSON text, or records to stream as NDJSON. */
export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body: string | AsyncIterable<unknown>;
}

export type PlainHandler = (request: PlainRequest) => Promise<PlainResponse>;

/** The web-standard handler, carrying the plain one for adapters that can skip Request and Response. */
export type UnifiedHandler = ((request: Request) => Promise<Response>) & { plain: PlainHandler };

function errorResponse(error: UnimapError | UnifiedErrorBody, extraHeaders: Record<string, string> = {}): PlainResponse {
  const body = isUnimapError(error) ? error.toJSON() : error;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', ...extraHeaders };
  const retryAfter = (body.details as { retry_after_seconds?: number } | undefined)?.retry_after_seconds;
  if (body.statusCode === 429 && retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  return { status: body.statusCode, headers, body: JSON.stringify(body) };
}

function problem(statusCode: number, code: UnifiedErrorBody['code'], message: string, details?: unknown): UnifiedErrorBody {
  const body: UnifiedErrorBody = { statusCode, error: reasonPhrase(statusCode), code, message };
  if (details !== undefined) body.details = details;
  return body;
}

const utf8 = new TextEncoder();

function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i % x.length] ?? 0) ^ (y[i % y.length] ?? 0);
  return diff === 0 && x.length === y.length;
}

/** Compares in time that depends only on the lengths, so a wrong token reveals nothing by timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  return bytesEqual(utf8.encode(a), utf8.encode(b));
}

/** `tokens` as UTF-8 bytes, encoded once per handler. */
function authorized(request: PlainRequest, tokens: readonly Uint8Array[]): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.header('authorization') ?? '');
  if (!match) return false;
  const presented = utf8.encode(match[1]!);
  let ok = false;
  // Every token is compared, so the time does not tell which one came close.
  for (const token of tokens) if (bytesEqual(presented, token)) ok = true;
  return ok;
}

async function readBody(request: PlainRequest, maxBytes: number): Promise<unknown> {
  const declared = Number(request.header('content-length'));
  // Made only when needed: an error captures a stack, which costs more than the rest of a small request.
  const tooLarge = () => new UnimapError('payload_too_large', `the request body is larger than ${maxBytes} bytes`, { statusCode: 413, details: { max_body_bytes: maxBytes } });
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const text = await request.text(maxBytes, tooLarge);
  if (!text.trim()) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    throw new UnimapError('invalid_body', 'the request body is not valid JSON', { statusCode: 400 });
  }
  return checkDepth(parsed, 'the request body', 400);
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Reads a stream's first record before anything is sent, so that a failure there (a bad
 * credential, a remote 4xx) is answered with its own status and envelope rather than a 200 and
 * an error line. Later failures can only end the stream with an error line.
 */
async function startStream(records: AsyncIterable<unknown>): Promise<AsyncIterable<unknown>> {
  const iterator = records[Symbol.asyncIterator]();
  const first = await iterator.next();
  return (async function* () {
    try {
      if (first.done) return;
      yield first.value;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // A client that goes away closes the remote pages behind the stream.
      await iterator.return?.();
    }
  })();
}

/** NDJSON lines from an async iterable of records; an error mid-stream ends it with an `{"error": …}` line. */
export async function* ndjsonLines(records: AsyncIterable<unknown>): AsyncGenerator<string> {
  try {
    for await (const record of records) yield `${JSON.stringify(record)}\n`;
  } catch (error) {
    const body = isUnimapError(error) ? error.toJSON() : problem(500, 'internal_error', 'the stream failed');
    yield `${JSON.stringify({ error: body })}\n`;
  }
}

function ndjsonStream(records: AsyncIterable<unknown>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const lines = ndjsonLines(records);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await lines.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(value));
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
}

function fromRequest(request: Request): PlainRequest {
  return {
    method: request.method,
    url: request.url,
    header: (name) => request.headers.get(name),
    text: (maxBytes, tooLarge) => readBoundedText(request.body, maxBytes, tooLarge),
  };
}

function toResponse(response: PlainResponse): Response {
  const body = typeof response.body === 'string' ? response.body : ndjsonStream(response.body);
  return new Response(body, { status: response.status, headers: response.headers });
}

interface Route {
  model: string;
  resource: string;
  method: string;
  id?: string;
}

function route(method: string, path: string): Route | UnifiedErrorBody {
  const parts = path.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  if (parts[0] !== 'unified' || parts.length < 3 || parts.length > 4) {
    return problem(404, 'route_not_found', `no route for ${method} ${path}; unified routes are /unified/:model/:resource[/:id]`);
  }
  const [, model, resource, third] = parts as [string, string, string, string | undefined];
  if (third === undefined) {
    const name = standard[method];
    return name ? { model, resource, method: name } : problem(405, 'method_not_allowed', `${method} is not allowed on /unified/${model}/${resource}`);
  }
  if (method === 'POST') return { model, resource, method: third };
  const name = byId[method];
  return name ? { model, resource, method: name, id: third } : problem(405, 'method_not_allowed', `${method} is not allowed on /unified/${model}/${resource}/:id`);
}

/**
 * The unified API as a web-standard handler: `(Request) => Promise<Response>`. No Node
 * built-ins, so it runs on Node (see `serve`), Workers or Deno alike. Its `plain` form is the
 * same handler over `PlainRequest`, which the Node adapter uses to skip the web objects.
 */
export function createHandler(options: ServerOptions): UnifiedHandler {
  const plain = createPlainHandler(options);
  const web = async (request: Request): Promise<Response> => toResponse(await plain(fromRequest(request)));
  return Object.assign(web, { plain });
}

function createPlainHandler(options: ServerOptions): PlainHandler {
  const idempotency = options.idempotency ?? new MemoryIdempotencyStore();
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = options.requestTimeoutMs ?? 60_000;
  checkBudget(timeoutMs, 'requestTimeoutMs');
  const tokens = options.tokens.map((token) => utf8.encode(token));

  return async (request: PlainRequest): Promise<PlainResponse> => {
    const started = Date.now();
    const url = new URL(request.url);
    let accountId: string | undefined;
    const done = (response: PlainResponse, code?: string): PlainResponse => {
      if (!options.log) return response;
      const line: AccessLogLine = { time: new Date(started).toISOString(), method: request.method, path: url.pathname, status: response.status, duration_ms: Date.now() - started };
      if (accountId) line.account_id = accountId;
      if (code) line.code = code;
      options.log(line);
      return response;
    };
    try {
      if (!authorized(request, tokens)) {
        // Says nothing about accounts: the caller is not known yet.
        return done(errorResponse(problem(401, 'unauthorized', 'a valid API token is required: Authorization: Bearer <token>'), { 'www-authenticate': 'Bearer' }), 'unauthorized');
      }
      const target = route(request.method, url.pathname);
      if ('statusCode' in target) return done(errorResponse(target), target.code);
      const query = parseQueryString(url.search);
      const id = query.integrated_account_id;
      if (typeof id !== 'string' || !id) return done(errorResponse(problem(400, 'invalid_query', 'integrated_account_id is required')), 'invalid_query');
      accountId = id;
      const account = await options.accounts.get(id);
      if (!account) return done(errorResponse(problem(404, 'account_not_found', `no integrated account ${id}`)), 'account_not_found');

      const body = request.method === 'POST' || request.method === 'PATCH' ? await readBody(request, maxBodyBytes) : undefined;
      const key = request.header('idempotency-key');
      const useKey = key && (request.method === 'POST' || request.method === 'PATCH');
      let scope: string | undefined;
      let fingerprint = '';
      if (useKey) {
        if (query.truto_response_format === 'stream') {
          // A stream is written as it comes and cannot be replayed, so the key could not protect a retry.
          return done(errorResponse(problem(400, 'invalid_query', 'an Idempotency-Key cannot be used with truto_response_format=stream: a stream cannot be replayed')), 'invalid_query');
        }
        scope = `${account.id}\u0000${key}`;
        fingerprint = await sha256(`${request.method} ${url.pathname}?${url.search}\n${JSON.stringify(body ?? null)}`);
        const seen = await idempotency.get(scope);
        if (seen === 'pending') return done(errorResponse(problem(409, 'idempotency_conflict', 'a request with this Idempotency-Key is still in progress')), 'idempotency_in_progress');
        if (seen) {
          if (seen.fingerprint !== fingerprint) return done(errorResponse(problem(409, 'idempotency_conflict', 'this Idempotency-Key was used with a different request')), 'idempotency_conflict');
          return done({ status: seen.status, headers: { ...seen.headers, 'idempotent-replayed': 'true' }, body: seen.body });
        }
        if (!(await idempotency.begin(scope, fingerprint))) return done(errorResponse(problem(409, 'idempotency_conflict', 'a request with this Idempotency-Key is still in progress')), 'idempotency_in_progress');
      }

      try {
        const call: ExecuteCall = { model: target.model, resource: target.resource, method: target.method, query, account };
        if (target.id !== undefined) call.id = target.id;
        if (body !== undefined) call.body = body;
        if (options.environment) call.overrides = { environment: options.environment };
        // A deadline, not an AbortController and a timer: see transport/deadline.ts.
        const executeOptions: Parameters<Engine['execute']>[1] = { timeoutMs };
        if (options.fetch) executeOptions.fetch = options.fetch;
        const result = await options.engine.execute(call, executeOptions);
        if (result.body && typeof result.body === 'object' && Symbol.asyncIterator in result.body) {
          const records = await startStream(result.body as AsyncIterable<unknown>);
          return done({ status: result.status, headers: { 'content-type': 'application/x-ndjson' }, body: records });
        }
        const text = JSON.stringify(result.body ?? null);
        const headers: Record<string, string> = { ...result.headers, 'content-type': 'application/json; charset=utf-8' };
        // The body is ours, re-serialized: the remote's length and hop-by-hop headers do not apply.
        for (const name of ['content-length', 'content-encoding', ...hopByHop]) delete headers[name];
        if (scope) await idempotency.finish(scope, { fingerprint, status: result.status, headers, body: text } satisfies StoredResponse);
        return done({ status: result.status, headers, body: text });
      } catch (error) {
        if (scope) {
          // A client error is final, so replay it too; a failure on our side may be retried with the same key.
          if (isUnimapError(error) && error.statusCode < 500) await idempotency.finish(scope, { fingerprint, status: error.statusCode, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(error.toJSON()) });
          else await idempotency.abandon(scope);
        }
        throw error;
      }
    } catch (error) {
      if (isUnimapError(error)) return done(errorResponse(error), error.code);
      // Never a stack trace to the caller.
      return done(errorResponse(problem(500, 'internal_error', 'internal error')), 'internal_error');
    }
  };
}
