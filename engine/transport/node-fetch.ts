/**
 * A FetchLike over node:http(s) with keep-alive agents, for the Node server. Node's global fetch
 * (undici) spends about a millisecond more per request than http.request on a small machine,
 * and the server pays that on every remote call. Node only: the portable core keeps `fetch`.
 *
 * It covers what the transport sends (string or byte bodies, an abort signal, manual redirects)
 * and decodes gzip, deflate and br as fetch does; any other request goes to the global fetch.
 */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { FetchLike } from './types.js';
import { boundedBody, type BoundedBodySource } from './bounded-text.js';
import { readNodeText } from './node-body.js';

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

export interface NodeFetch {
  fetch: FetchLike;
  /** Closes the pooled connections. */
  close(): void;
}

/**
 * A Response whose body stays a Node stream until someone asks for a web one: the transport reads
 * it through `boundedBody` (a web ReadableStream and its adapter cost as much as the rest of a
 * small call); `body`, `text()`, `json()` and `arrayBuffer()` answer as fetch's would.
 */
function nodeBodyResponse(stream: Readable, init: ResponseInit): Response {
  const response = new Response(null, init);
  let web: ReadableStream<Uint8Array> | undefined;
  let used = false;
  const take = (): void => {
    if (used || web?.locked) throw new TypeError('Body is unusable: Body has already been read');
    used = true;
  };
  // Async, so a second read is a rejected promise, as with fetch.
  const read = async (maxBytes: number, tooLarge: () => Error): Promise<string> => {
    take();
    return readNodeText(stream, maxBytes, tooLarge, () => stream.destroy());
  };
  const whole = () => read(Infinity, () => new RangeError('unreachable'));
  const source: BoundedBodySource = { read, cancel: () => stream.destroy() };
  Object.defineProperties(response, {
    body: { get: () => (web ??= Readable.toWeb(stream) as ReadableStream<Uint8Array>) },
    bodyUsed: { get: () => used || (web?.locked ?? false) },
    text: { value: whole },
    json: { value: async () => JSON.parse(await whole()) as unknown },
    arrayBuffer: {
      value: async () => {
        take();
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        const bytes = Buffer.concat(chunks);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      },
    },
    clone: {
      value: () => {
        throw new TypeError('a createNodeFetch response cannot be cloned');
      },
    },
    [boundedBody]: { value: source },
  });
  return response;
}

/**
 * How long a pooled connection may sit idle. A server closes idle keep-alive connections (Node's
 * after 5 s), and a request sent on one just as it closes fails with a reset: a 502 for a call
 * that never reached the vendor. Node's agent closes its side first only with a `timeout`, which
 * a server's `Keep-Alive: timeout=N` hint then lowers to N − 1 s (without one the hint is
 * ignored). 4 s, as undici's default.
 */
export const IDLE_MS = 4_000;

/** Methods that may be sent again when a reused connection turns out closed (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

/** A connection the server had already closed: the request was never read. */
function closedUnderneath(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

export function createNodeFetch(fallback: FetchLike = globalThis.fetch as FetchLike): NodeFetch {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 256, timeout: IDLE_MS }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 256, timeout: IDLE_MS }),
  };
  const fetch: FetchLike = (input, init = {}) => {
    const url = new URL(input);
    const body = init.body;
    const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !plainBody || init.redirect !== 'manual') return fallback(input, init);
    const signal = init.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
      const headers: Record<string, string> = {};
      new Headers(init.headers).forEach((value, name) => {
        headers[name] = value;
      });
      if (!('accept-encoding' in headers)) headers['accept-encoding'] = 'gzip, deflate, br';
      const payload = typeof body === 'string' ? Buffer.from(body) : body ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : undefined;
      if (payload && !('content-length' in headers)) headers['content-length'] = String(payload.length);
      const client = url.protocol === 'https:' ? https : http;
      const method = init.method ?? 'GET';
      const idempotent = IDEMPOTENT.has(method.toUpperCase());
      let responded = false;
      const send = (retried: boolean): void => {
        const request = client.request(url, { method, headers, agent: agents[url.protocol as 'http:' | 'https:'] }, (res) => {
          responded = true;
          const responseHeaders = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          const status = res.statusCode ?? 502;
          let stream: Readable = res;
          const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
          if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(zlib.createGunzip());
          else if (encoding === 'deflate') stream = res.pipe(zlib.createInflate());
          else if (encoding === 'br') stream = res.pipe(zlib.createBrotliDecompress());
          if (stream !== res) res.on('error', (error) => stream.destroy(error));
          const init = { status, statusText: res.statusMessage ?? '', headers: responseHeaders };
          if (NULL_BODY_STATUS.has(status) || request.method === 'HEAD') {
            res.resume();
            resolve(new Response(null, init));
            return;
          }
          resolve(nodeBodyResponse(stream, init));
        });
        const onAbort = () => request.destroy(signal?.reason instanceof Error ? signal.reason : new DOMException('The operation was aborted.', 'AbortError'));
        signal?.addEventListener('abort', onAbort, { once: true });
        request.on('close', () => signal?.removeEventListener('abort', onAbort));
        // Like fetch, a failure before the response rejects with a TypeError carrying the cause.
        request.on('error', (error) => {
          if (signal?.aborted) return reject(signal.reason ?? error);
          // A pooled connection closed by the server as it was reused: an idempotent request is
          // sent once more on a new one (a create is not: it fails, rather than risk two).
          if (!retried && !responded && request.reusedSocket && closedUnderneath(error) && idempotent) return send(true);
          reject(Object.assign(new TypeError('fetch failed'), { cause: error }));
        });
        request.end(payload);
      };
      send(false);
    });
  };
  return {
    fetch,
    close: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
