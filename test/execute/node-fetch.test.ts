import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNodeFetch } from '../../engine/transport/node-fetch.js';
import { Engine, loadEngine, type ExecuteCall } from '../../engine/index.js';
import { startServer, type TestServer } from '../support/http-server.js';

// The server's node:http fetch must answer exactly as the global fetch does for what the
// transport sends; each case runs both against the same real server.
let server: TestServer;
const nodeFetch = createNodeFetch();

beforeAll(async () => {
  server = await startServer((request, { res }) => {
    const path = request.url;
    if (path === '/gzip' || path === '/br') {
      const body = Buffer.from(JSON.stringify({ hello: 'world', echo: request.body }));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': path === '/gzip' ? 'gzip' : 'br', 'set-cookie': ['a=1', 'b=2'] });
      res.end(path === '/gzip' ? gzipSync(body) : brotliCompressSync(body));
      return 'handled';
    }
    if (path === '/redirect') return { status: 302, headers: { location: '/elsewhere' }, body: '' };
    if (path === '/binary') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d, 0xff, 0x00, 0xc3]));
      return 'handled';
    }
    if (path === '/empty') return { status: 204 };
    if (path === '/hang' || path === '/users/hang') return new Promise(() => undefined);
    if (path === '/users/half') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"users": [');
      return 'handled';
    }
    if (path === '/users/ok') return { status: 200, body: { users: [{ id: 1 }] } };
    return { status: 201, body: { method: request.method, body: request.body, type: request.headers['content-type'] } };
  });
});
afterAll(async () => {
  nodeFetch.close();
  await server.close();
});

async function both(path: string, init: RequestInit): Promise<{ status: number; headers: [string, string][]; text: string }[]> {
  const out = [];
  for (const fetch of [globalThis.fetch, nodeFetch.fetch]) {
    const response = await fetch(`${server.origin}${path}`, { redirect: 'manual', ...init });
    const all: [string, string][] = [];
    response.headers.forEach((value, name) => all.push([name, value]));
    const headers = all.filter(([name]) => !['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(name));
    out.push({ status: response.status, headers, text: await response.text() });
  }
  return out;
}

describe('createNodeFetch', () => {
  test('a JSON POST: same status, headers and body as fetch', async () => {
    const [a, b] = await both('/items', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Jane Doe ✓"}' });
    expect(b).toEqual(a);
    expect(JSON.parse(b!.text)).toEqual({ method: 'POST', body: '{"name":"Jane Doe ✓"}', type: 'application/json' });
  });
  test('gzip and br bodies are decoded; repeated headers are kept', async () => {
    for (const path of ['/gzip', '/br']) {
      const [a, b] = await both(path, { method: 'POST', body: 'x' });
      expect(b).toEqual(a);
      expect(JSON.parse(b!.text)).toEqual({ hello: 'world', echo: 'x' });
    }
  });
  test('text() drops a BOM and replaces invalid UTF-8 as fetch does; arrayBuffer() keeps the bytes; a body reads once', async () => {
    const [a, b] = await both('/binary', {});
    expect(b).toEqual(a);
    const bytes = async (fetch: (input: string, init?: RequestInit) => Promise<Response>) => [...new Uint8Array(await (await fetch(`${server.origin}/binary`, { redirect: 'manual' })).arrayBuffer())];
    expect(await bytes(nodeFetch.fetch)).toEqual(await bytes(globalThis.fetch));
    const once = await nodeFetch.fetch(`${server.origin}/items`, { method: 'POST', body: '{}', redirect: 'manual' });
    expect(await once.json()).toMatchObject({ method: 'POST' });
    expect(once.bodyUsed).toBe(true);
    await expect(once.text()).rejects.toThrow(TypeError);
  });
  test('redirects are not followed (manual), 204 has no body', async () => {
    const [a, b] = await both('/redirect', {});
    expect(b!.status).toBe(302);
    expect(b).toEqual(a);
    const [c, d] = await both('/empty', { method: 'DELETE' });
    expect(d).toEqual(c);
  });
  test('an abort rejects with an AbortError; an unreachable host rejects like fetch', async () => {
    const controller = new AbortController();
    const pending = nodeFetch.fetch(`${server.origin}/hang`, { redirect: 'manual', signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(nodeFetch.fetch('http://127.0.0.1:1/', { redirect: 'manual' })).rejects.toBeInstanceOf(TypeError);
  });
  test('the engine executes a call through it', async () => {
    const engine = await loadEngine({ definitions: 'mappings' });
    const result = await engine.execute(
      { model: 'mdm', resource: 'users', method: 'create', body: { name: 'Jane', emails: [] }, account: { id: 'node-fetch', integration: 'jamf', context: { instance_host: server.host, access_token: 'token-1234' } } },
      { fetch: (url, init) => nodeFetch.fetch(url.replace('https://', 'http://'), init) },
    );
    expect(result.status).toBe(201);
  });
});

/** A real server on 127.0.0.1 that counts connections and requests; `handle` may answer or not. */
async function countingServer(handle: (requestOnConnection: number, res: import('node:http').ServerResponse, destroy: () => void) => void, keepAliveTimeout = 5_000) {
  const connections = new Set<unknown>();
  let requests = 0;
  const perSocket = new WeakMap<object, number>();
  const server: Server = createServer((req, res) => {
    requests++;
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    req.resume();
    req.on('end', () => handle(n, res, () => req.socket.destroy()));
  });
  server.keepAliveTimeout = keepAliveTimeout;
  server.on('connection', (socket) => connections.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections.size,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('createNodeFetch: pooled connections', () => {
  test("closes an idle connection before the server's announced keep-alive timeout", async () => {
    // Node's server announces `Keep-Alive: timeout=2`: the pool lets the connection go after 1 s
    // idle, so a request after 1.3 s opens a new one instead of racing the server's close.
    const server = await countingServer((_, res) => res.end('ok'), 2_000);
    const pool = createNodeFetch();
    try {
      expect(await (await pool.fetch(`${server.origin}/a`, { redirect: 'manual' })).text()).toBe('ok');
      expect(await (await pool.fetch(`${server.origin}/b`, { redirect: 'manual' })).text()).toBe('ok');
      expect(server.connections()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      expect(await (await pool.fetch(`${server.origin}/c`, { redirect: 'manual' })).text()).toBe('ok');
      expect(server.connections()).toBe(2);
    } finally {
      pool.close();
      await server.close();
    }
  });

  test('sends an idempotent request again when a reused connection was closed under it; never a create', async () => {
    // The second request on every connection finds it closed, as when the server's idle close
    // crosses the request on the wire.
    const server = await countingServer((n, res, destroy) => (n === 2 ? destroy() : res.end('ok')));
    const pool = createNodeFetch();
    try {
      await pool.fetch(`${server.origin}/warm`, { redirect: 'manual' }).then((r) => r.text());
      const get = await pool.fetch(`${server.origin}/users/1`, { redirect: 'manual' });
      expect(await get.text()).toBe('ok');
      expect(server.requests()).toBe(3); // the GET twice: once on the closed connection, once on a new one

      // The GET's new connection has served one request: the next one on it is closed under it.
      const before = server.requests();
      await expect(pool.fetch(`${server.origin}/users`, { method: 'POST', body: '{"name":"x"}', redirect: 'manual' })).rejects.toMatchObject({
        name: 'TypeError',
        cause: expect.objectContaining({ code: 'ECONNRESET' }),
      });
      expect(server.requests()).toBe(before + 1); // sent once: a create is not repeated
    } finally {
      pool.close();
      await server.close();
    }
  });
});

describe('the transport over createNodeFetch: timeouts and cancellation', () => {
  const definition = `name: plainhttp
base_url: "http://{{context.host}}"
context: { host: { required: true } }
resources:
  users:
    get: { path: "/users/{{id}}", response_path: users }
unified:
  mdm:
    users:
      get: { resource: users, method: get, response_mapping: '{ "id": $string(response.id) }' }
`;
  const engine = new Engine({ definitions: [{ file: 'plainhttp.yaml', text: definition }], strict: true, transport: { timeoutMs: 300 } });
  const get = (id: string): ExecuteCall => ({ model: 'mdm', resource: 'users', method: 'get', id, query: { truto_ignore_remote_data: 'true' }, account: { id: 'a', integration: 'plainhttp', context: { host: server.host } } });
  const failure = (promise: Promise<unknown>) => promise.then(() => expect.fail('expected a failure'), (error: unknown) => error as { code: string; statusCode: number });

  test('a call answers', async () => {
    expect((await engine.execute(get('ok'), { fetch: nodeFetch.fetch })).body).toEqual({ id: '1' });
  });

  test('a server that never answers is a remote_timeout within the timeout', async () => {
    const started = Date.now();
    expect(await failure(engine.execute(get('hang'), { fetch: nodeFetch.fetch }))).toMatchObject({ code: 'remote_timeout', statusCode: 504 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a body that stops half way is a remote_timeout too', async () => {
    const started = Date.now();
    expect(await failure(engine.execute(get('half'), { fetch: nodeFetch.fetch }))).toMatchObject({ code: 'remote_timeout', statusCode: 504 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("the caller's AbortSignal cancels a call in flight (aborted 499), and the call budget ends one (request_timeout 504)", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const patient = new Engine({ definitions: [{ file: 'plainhttp.yaml', text: definition }], strict: true });
    expect(await failure(patient.execute(get('hang'), { fetch: nodeFetch.fetch, signal: controller.signal }))).toMatchObject({ code: 'aborted', statusCode: 499 });
    expect(await failure(patient.execute(get('hang'), { fetch: nodeFetch.fetch, timeoutMs: 100 }))).toMatchObject({ code: 'request_timeout', statusCode: 504 });
  });
});
