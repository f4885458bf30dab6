import { gzipSync, brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createNodeFetch } from '../../engine/transport/node-fetch.js';
import { loadEngine } from '../../engine/index.js';
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
    if (path === '/hang') return new Promise(() => undefined);
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
