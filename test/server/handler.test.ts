import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../engine/index.js';
import { createHandler, constantTimeEqual, MemoryAccountStore, MemoryIdempotencyStore } from '../../engine/server/index.js';
import { FileAccountStore, serveHandler } from '../../engine/node.js';
import { startServer, type TestServer } from '../support/http-server.js';

const definition = `name: tiny
base_url: "http://{{context.host}}"
context: { token: { secret: true } }
auth: { type: bearer, token: "{{context.token}}" }
resources:
  users:
    list: { path: /users, response_path: data }
    create: { method: POST, path: /users }
    slow: { method: POST, path: /slow }
unified:
  mdm:
    users:
      list: { resource: users, method: list, response_mapping: '{ "id": $string(response.id), "name": response.name }' }
      create: { resource: users, method: create, request_body_mapping: '{ "name": body.name }', response_mapping: '{ "id": $string(response.id), "name": response.name }' }
      slow: { resource: users, method: slow, response_mapping: '{ "id": "1", "name": "slow" }' }
`;

let vendor: TestServer;
let base = '';
let close: () => Promise<void>;
let created = 0;
const log: unknown[] = [];

beforeAll(async () => {
  vendor = await startServer((request, raw) => {
    if (request.url === '/slow') return new Promise(() => undefined); // never answers
    if (request.url.includes('gz=1')) {
      // Compressed and chunked: headers about the remote's wire form, not about Unimap's answer.
      const { res } = raw;
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'transfer-encoding': 'chunked', 'x-vendor-page': '1' });
      const zipped = gzipSync(JSON.stringify({ data: [{ id: 7, name: 'Gus' }] }));
      res.write(zipped.subarray(0, 10));
      res.end(zipped.subarray(10));
      return 'handled';
    }
    if (request.method === 'POST') return { status: 201, body: { id: ++created, name: JSON.parse(request.body).name } };
    void raw;
    return { body: { data: [{ id: 1, name: 'Ann' }] } };
  });
  const engine = new Engine({ definitions: [{ file: 'tiny.yaml', text: definition }], strict: true });
  const accounts = new MemoryAccountStore([{ id: 'acct', integration: 'tiny', context: { host: vendor.host, token: 'vendor-secret-token' } }]);
  const served = await serveHandler(createHandler({ engine, accounts, tokens: ['t-one', 't-two'], maxBodyBytes: 1024, requestTimeoutMs: 500, idempotency: new MemoryIdempotencyStore(), log: (line) => log.push(line) }), 0);
  base = served.url;
  close = served.close;
});
afterAll(async () => {
  await close();
  await vendor.close();
});

const headers = { authorization: 'Bearer t-two', 'content-type': 'application/json' };

describe('the web-standard handler', () => {
  test('any configured token works; tokens compare in constant time', async () => {
    expect((await fetch(`${base}/unified/mdm/users?integrated_account_id=acct`, { headers })).status).toBe(200);
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
  });

  test('unknown routes and methods get the unified envelope', async () => {
    const notFound = await fetch(`${base}/nope?integrated_account_id=acct`, { headers });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'route_not_found' });
    const put = await fetch(`${base}/unified/mdm/users/1?integrated_account_id=acct`, { method: 'PUT', headers });
    expect(put.status).toBe(405);
  });

  test('a body over the limit is a 413, bad JSON a 400', async () => {
    const big = await fetch(`${base}/unified/mdm/users?integrated_account_id=acct`, { method: 'POST', headers, body: JSON.stringify({ name: 'x'.repeat(5000) }) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { code: string }).code).toBe('payload_too_large');
    const bad = await fetch(`${base}/unified/mdm/users?integrated_account_id=acct`, { method: 'POST', headers, body: '{"name":' });
    expect(bad.status).toBe(400);
  });

  test('a chunked body over the limit (no content-length) is a 413 too, and the server goes on', async () => {
    const answer = await new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
      const url = new URL(`${base}/unified/mdm/users?integrated_account_id=acct`);
      const req = httpRequest(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      });
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write('x'.repeat(600));
      req.end();
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'payload_too_large' });
    expect(answer.connection).toBe('close');
    expect((await fetch(`${base}/unified/mdm/users?integrated_account_id=acct`, { headers })).status).toBe(200);
  });

  test('a JSON body with a byte order mark is read as on the web lane (the BOM dropped)', async () => {
    const created = await fetch(`${base}/unified/mdm/users?integrated_account_id=acct`, { method: 'POST', headers, body: '\uFEFF{"name":"Bom"}' });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'Bom' });
  });

  test("raw format passes the remote's headers on, but not its content-encoding, length or hop-by-hop headers", async () => {
    const response = await fetch(`${base}/unified/mdm/users?integrated_account_id=acct&truto_response_format=raw&remote_query[gz]=1`, { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('x-vendor-page')).toBe('1');
    const text = await response.text();
    expect(Number(response.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(JSON.parse(text)).toEqual({ data: [{ id: 7, name: 'Gus' }] });
  });

  test('a request over the time limit is a 504', async () => {
    const started = Date.now();
    const slow = await fetch(`${base}/unified/mdm/users/slow?integrated_account_id=acct`, { method: 'POST', headers, body: '{}' });
    expect(slow.status).toBe(504);
    expect(await slow.json()).toMatchObject({ code: 'request_timeout', statusCode: 504 });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('a request time limit that is not a positive number of milliseconds is refused when the handler is made', () => {
    const engine = new Engine({ definitions: [{ file: 'tiny.yaml', text: definition }] });
    for (const requestTimeoutMs of [0, -5, Number.NaN, 2 ** 31]) {
      expect(() => createHandler({ engine, accounts: new MemoryAccountStore([]), tokens: ['t'], requestTimeoutMs })).toThrow(expect.objectContaining({ code: 'invalid_call' }));
    }
  });

  test('Idempotency-Key: a replay does not call the vendor again; another body is a 409', async () => {
    const before = created;
    const send = (name: string) => fetch(`${base}/unified/mdm/users?integrated_account_id=acct`, { method: 'POST', headers: { ...headers, 'idempotency-key': 'k1' }, body: JSON.stringify({ name }) });
    const first = await send('Bo');
    const second = await send('Bo');
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    expect(created).toBe(before + 1);
    expect((await send('Cy')).status).toBe(409);
  });

  test('the access log never carries tokens or bodies', () => {
    const text = JSON.stringify(log);
    expect(text).not.toContain('t-two');
    expect(text).not.toContain('vendor-secret-token');
    expect(text).not.toContain('"Bo"');
  });
});

describe('the idempotency store', () => {
  test('keeps a key for its retention, then forgets it', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore(1000, 100, () => now);
    expect(await store.begin('k', 'f')).toBe(true);
    expect(await store.get('k')).toBe('pending');
    await store.finish('k', { fingerprint: 'f', status: 201, headers: {}, body: '{}' });
    now = 999;
    expect(await store.get('k')).toMatchObject({ status: 201 });
    now = 2001;
    expect(await store.get('k')).toBeUndefined();
  });
});

describe('the file account store', () => {
  test('reads secrets from the environment and refuses to write them in plain text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'accounts-'));
    const file = join(dir, 'accounts.yaml');
    await writeFile(file, 'accounts:\n  - id: a1\n    integration: jamf\n    context:\n      instance_host: acme.jamfcloud.com\n      access_token: { env: A1_TOKEN }\n');
    const store = await FileAccountStore.open(file, { A1_TOKEN: 'from-env' });
    expect(await store.get('a1')).toEqual({ id: 'a1', integration: 'jamf', context: { instance_host: 'acme.jamfcloud.com', access_token: 'from-env' } });
    expect(await store.get('nope')).toBeUndefined();
    await expect(store.put({ id: 'a2', integration: 'jamf', context: { instance_host: 'x', access_token: 'plain' } })).rejects.toMatchObject({ statusCode: 400 });
    await store.put({ id: 'a2', integration: 'jamf', context: { instance_host: 'x', access_token: { env: 'A2_TOKEN' } } });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('env: A2_TOKEN');
    expect(text).not.toContain('from-env');
  });
});

describe('streaming to a client that goes away', () => {
  const paged = `name: paged
base_url: "http://{{context.host}}"
resources:
  users:
    list: { path: /users, response_path: data, pagination: { type: cursor, cursor_path: next, cursor_param: cursor, max_pages: 1000 } }
unified:
  mdm:
    users:
      list: { resource: users, method: list, response_mapping: '{ "id": $string(response.id), "name": response.name }' }
`;
  test('stops asking the vendor for pages once the client disconnects, on both Node lanes', async () => {
    let page = 0;
    // An endless list: every page has 200 users and a next cursor.
    const endless = await startServer(() => {
      page++;
      return { body: { data: Array.from({ length: 200 }, (_, i) => ({ id: page * 1000 + i, name: `user ${i} ${'x'.repeat(200)}` })), next: `c${page}` } };
    });
    const engine = new Engine({ definitions: [{ file: 'paged.yaml', text: paged }], strict: true });
    const accounts = new MemoryAccountStore([{ id: 'acct', integration: 'paged', context: { host: endless.host } }]);
    const handler = createHandler({ engine, accounts, tokens: ['t'], log: () => undefined });
    try {
      for (const served of [await serveHandler(handler, 0), await serveHandler((request: Request) => handler(request), 0)]) {
        page = 0;
        const controller = new AbortController();
        const response = await fetch(`${served.url}/unified/mdm/users?integrated_account_id=acct&truto_response_format=stream`, { headers: { authorization: 'Bearer t' }, signal: controller.signal });
        const reader = response.body!.getReader();
        await reader.read();
        controller.abort();
        await new Promise((resolve) => setTimeout(resolve, 500));
        const after = page;
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(page).toBe(after);
        expect(page).toBeLessThan(100);
        await served.close();
      }
    } finally {
      await endless.close();
    }
  });
});
