import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { readNodeText } from '../transport/node-body.js';
import { ndjsonLines, type PlainHandler, type PlainRequest } from './handler.js';

const internalError = JSON.stringify({ statusCode: 500, error: 'Internal Server Error', code: 'internal_error', message: 'internal error' });

/** Resolves on the next `drain` or `close`, leaving no listener behind (a long stream waits many times). */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes a streamed body as its chunks come, waiting for drain. When the client goes away it
 * stops, which closes the iterator and so the remote pages behind it.
 */
async function writeChunks(res: ServerResponse, chunks: AsyncIterable<string | Uint8Array>): Promise<void> {
  for await (const chunk of chunks) {
    if (res.destroyed) break;
    if (!res.write(chunk) && !res.destroyed) await drainedOrClosed(res);
  }
  res.end();
}

/**
 * A handler made by createHandler, served without web objects: the IncomingMessage is read as a
 * PlainRequest and the answer written straight to the ServerResponse. On a small machine the web
 * Request, its body stream and the Response cost about as much as the unified call itself.
 */
function servePlain(plain: PlainHandler, req: IncomingMessage, res: ServerResponse, origin: string): void {
  const request: PlainRequest = {
    method: req.method ?? 'GET',
    url: `http://${req.headers.host ?? origin}${req.url ?? '/'}`,
    header: (name) => {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
    // Past the limit the rest is left unread; the 413 closes the connection.
    text: (maxBytes, tooLarge) => readNodeText(req, maxBytes, tooLarge),
  };
  plain(request)
    .then(async (response) => {
      if (typeof response.body === 'string') {
        const headers: Record<string, string | number> = { ...response.headers, 'content-length': Buffer.byteLength(response.body) };
        // A refused body was not read to its end: close rather than drain it.
        if (response.status === 413) headers.connection = 'close';
        res.writeHead(response.status, headers);
        res.end(response.body);
        return;
      }
      res.writeHead(response.status, response.headers);
      await writeChunks(res, ndjsonLines(response.body));
    })
    .catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(internalError);
    });
}

/** Serves a web-standard handler with Node's http module (one from createHandler without web objects). */
export async function serveHandler(handler: ((request: Request) => Promise<Response>) & { plain?: PlainHandler }, port: number, host = '127.0.0.1'): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const plain = handler.plain;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (plain) return servePlain(plain, req, res, `${host}:${port}`);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers, signal: controller.signal };
    if (hasBody) {
      init.body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
    const request = new Request(`http://${req.headers.host ?? `${host}:${port}`}${req.url ?? '/'}`, init);
    handler(request)
      .then(async (response) => {
        const out: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          out[name] = value;
        });
        res.writeHead(response.status, out);
        if (!response.body) return res.end();
        await writeChunks(res, response.body);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(internalError);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
