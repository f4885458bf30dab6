import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FetchLike } from '../../transport/types.js';
import type { Emulator } from './emulator.js';

const originHeader = 'x-unimap-sandbox-origin';

export interface SandboxHub {
  /** `http://127.0.0.1:<port>`: the loopback server behind every emulator. */
  address: string;
  /** A fetch that sends requests for the emulated vendors' origins to the loopback server, and everything else to the real fetch. */
  fetch: FetchLike;
  emulators: Emulator[];
  close(): Promise<void>;
}

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === originHeader || name === 'host') continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const body = chunks.length && req.method !== 'GET' && req.method !== 'HEAD' ? Buffer.concat(chunks) : undefined;
  return new Request(`${origin}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) });
}

/**
 * Starts the emulators behind one loopback HTTP server (127.0.0.1, a random port). Requests are
 * real HTTP; the emulator is chosen by the public origin the engine asked for.
 */
export async function startSandboxHub(emulators: Emulator[], realFetch: FetchLike = globalThis.fetch as FetchLike): Promise<SandboxHub> {
  const byOrigin = new Map<string, Emulator>();
  for (const emulator of emulators) for (const origin of emulator.origins) byOrigin.set(new URL(origin).origin, emulator);
  const server = createServer((req, res) => {
    const origin = String(req.headers[originHeader] ?? '');
    const emulator = byOrigin.get(origin);
    (async () => {
      if (!emulator) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`no sandbox emulator for ${origin || 'this request'}`);
        return;
      }
      const response = await emulator.handle(await toRequest(req, origin));
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      res.writeHead(response.status, headers);
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`sandbox emulator failed: ${(error as Error)?.message ?? String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(input);
    if (!byOrigin.has(url.origin)) return realFetch(input, init);
    const headers = new Headers(init?.headers);
    headers.set(originHeader, url.origin);
    return realFetch(`${address}${url.pathname}${url.search}`, { ...init, headers });
  };
  return {
    address,
    fetch,
    emulators,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
