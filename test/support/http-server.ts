import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
}

/** A handler may answer with a Reply, or take the raw response over (to hang, reset, or stream). */
export type Handler = (request: RecordedRequest, raw: { req: IncomingMessage; res: ServerResponse }) => Reply | 'handled' | Promise<Reply | 'handled'>;

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  host: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a random port, recording every request it receives. */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(recorded);
      Promise.resolve(handler(recorded, { req, res }))
        .then((reply) => {
          if (reply === 'handled') return;
          const body = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
          const type = reply.body === undefined ? {} : typeof reply.body === 'string' ? {} : { 'content-type': 'application/json' };
          res.writeHead(reply.status ?? 200, { ...type, ...reply.headers });
          res.end(body);
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Path and parsed query of a recorded request. */
export function parse(request: RecordedRequest): { path: string; query: Record<string, string> } {
  const url = new URL(request.url, 'http://x');
  return { path: url.pathname, query: Object.fromEntries(url.searchParams) };
}
