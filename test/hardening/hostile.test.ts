import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Engine, parseQueryString, UnimapError, type ExecuteCall, type ExecuteOptions, type RemoteCallEvent, type StepEvent, type TransportLimits, type UnifiedOverrides } from '../../engine/index.js';
import { createHandler, MemoryAccountStore } from '../../engine/server/index.js';
import { serveHandler } from '../../engine/node.js';
import { parse, startServer, type Handler, type Reply, type TestServer } from '../support/http-server.js';
import { failure } from '../support/failure.js';

// Hardening: hostile input, faults and secrets. Every remote exchange is real HTTP with a server
// on 127.0.0.1, and every assertion is on what the server actually received or what the caller
// actually gets back. docs/hardening.md lists each hostile input with its outcome and its test.
// A test that fails here is an engine bug, kept as the correct expectation.

// ---------------------------------------------------------------------------------------------
// Shared machinery
// ---------------------------------------------------------------------------------------------

const servers: TestServer[] = [];

/** A real HTTP server on 127.0.0.1, closed after the test whatever its outcome. */
async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

/** A host:port where nothing listens (connection refused). */
async function closedHost(): Promise<string> {
  const server = await startServer(() => ({ body: {} }));
  const { host } = server;
  await server.close();
  return host;
}

// No fault below may leave a rejection nobody handles.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

// The prototypes as they were before any hostile input: nothing may add a key to them.
const objectPrototypeKeys = Reflect.ownKeys(Object.prototype).map(String).sort();
const arrayPrototypeKeys = Reflect.ownKeys(Array.prototype).map(String).sort();

function expectNoPollution(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
  expect(Reflect.ownKeys(Object.prototype).map(String).sort()).toEqual(objectPrototypeKeys);
  expect(Reflect.ownKeys(Array.prototype).map(String).sort()).toEqual(arrayPrototypeKeys);
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
}

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  // Every test, whatever it is about, leaves the prototypes untouched.
  expectNoPollution();
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

/** The UnimapError a promise rejects with (fails the test when it resolves or throws something else). */
/** Waits that return at once, so retries cost no time. */
const noWait: ExecuteOptions = { sleep: async () => undefined };

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Every form a secret takes on the wire: as is, URL-encoded (both flavours) and Base64. */
function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), base64(secret)])];
}

function expectNoSecret(text: string, ...secrets: string[]): void {
  for (const secret of secrets) for (const form of forms(secret)) expect(text, `leaked ${JSON.stringify(form)}`).not.toContain(form);
}

/** Indents a YAML block under a key. */
function indent(yaml: string, by: number): string {
  return yaml
    .trim()
    .split('\n')
    .map((line) => `${' '.repeat(by)}${line}`)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// Path and URL safety
// ---------------------------------------------------------------------------------------------

const urlsYaml = `name: urls
base_url: "http://{{context.host}}/api/{{context.tenant}}"
context:
  host: { required: true }
  tenant: { required: true }
  region: {}
  api_token: { secret: true }
auth: { type: bearer, token: "{{context.api_token}}" }
query:
  region: "{{context.region}}"
resources:
  users:
    list: { path: /users, response_path: users, pagination: { type: next_url, next_url_path: next } }
    get: { path: "/users/{{id}}" }
  groups:
    list: { path: "/groups/{{query.group}}/members", response_path: users }
  linked:
    list: { path: /linked, response_path: users, pagination: { type: link_header } }
unified:
  mdm:
    users:
      list:
        resource: { expression: 'query.group ? "groups" : (query.style = "link" ? "linked" : "users")', allowed: [users, groups, linked] }
        method: list
        query_schema: { type: object, properties: { group: { type: string }, name: { type: string }, style: { type: string } } }
        query_mapping: '{ "name": query.name }'
        response_mapping: '{ "id": $string(response.id) }'
      get:
        resource: users
        method: get
        response_mapping: '{ "id": $string(response.id) }'
`;

// path_mapping written the careful way: the id through $encodeUrlComponent.
const mappedPathYaml = `name: mappedpath
base_url: "http://{{context.host}}/api"
context:
  host: { required: true }
resources:
  users:
    get: { path: /unused }
unified:
  mdm:
    users:
      get:
        resource: users
        method: get
        path_mapping: '"/users/" & $encodeUrlComponent(id)'
        response_mapping: '{ "id": $string(response.id) }'
`;

const keyedYaml = `name: keyed
base_url: "http://{{context.host}}/api"
context:
  host: { required: true }
  api_key: { secret: true }
auth: { type: api_key, in: query, name: api_key, value: "{{context.api_key}}" }
resources:
  users:
    list: { path: /users, response_path: users, pagination: { type: next_url, next_url_path: next } }
    get: { path: "/users/{{id}}" }
    html: { path: /html }
    broken: { path: /broken }
    moved: { path: /moved }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        query_mapping: '{ "api_key": "from-mapping", "page_size": 5 }'
        response_mapping: '{ "id": $string(response.id) }'
      get: { resource: users, method: get, response_mapping: '{ "id": $string(response.id) }' }
      html: { resource: users, method: html, response_mapping: '{ "id": "1" }' }
      broken: { resource: users, method: broken, response_mapping: '{ "id": "1" }' }
      moved: { resource: users, method: moved, response_mapping: '{ "id": "1" }' }
`;

const urlEngine = new Engine({
  definitions: [
    { file: 'urls.yaml', text: urlsYaml },
    { file: 'mappedpath.yaml', text: mappedPathYaml },
    { file: 'keyed.yaml', text: keyedYaml },
  ],
  strict: true,
});

const urlToken = 'tok-urls-0123456789';

function urlsCall(server: { host: string }, method: string, extra: Partial<ExecuteCall> = {}, context: Record<string, unknown> = {}): ExecuteCall {
  return {
    model: 'mdm',
    resource: 'users',
    method,
    query: { truto_ignore_remote_data: 'true' },
    ...extra,
    account: { id: 'acct-urls', integration: 'urls', context: { host: server.host, tenant: 'acme', api_token: urlToken, ...context } },
  };
}

/** Answers every GET with one user, so any request that gets through is visible in `requests`. */
const okHandler: Handler = (request) => {
  const { path } = parse(request);
  return /\/users\/[^/]+$/.test(path) ? { body: { id: 7 } } : { body: { users: [{ id: 1 }] } };
};

describe('path and URL safety', () => {
  const hostileIds = [
    '../admin',
    '../../../etc/passwd',
    '..%2fadmin',
    '%2e%2e',
    '%2e%2e%2fadmin',
    '..\\admin',
    'a/b',
    'a?admin=1',
    'a#fragment',
    'x@evil.example',
    '//evil.example/x',
    'http://evil.example/',
    'a\r\nX-Injected: 1',
    'a%0d%0aX-Injected:%201',
    ' ../ ',
    'ü/..',
    '...',
  ];

  test.each(hostileIds.map((id) => [id]))('id %j reaches the server as exactly one encoded path segment, on the definition\'s host', async (id) => {
    const server = await serve(okHandler);
    const { body } = await urlEngine.execute(urlsCall(server, 'get', { id }));
    expect(body).toEqual({ id: '7' });
    expect(server.requests).toHaveLength(1);
    const received = server.requests[0]!;
    // The raw request target, exactly: no dot segment resolved, no query, no fragment, no extra segment.
    expect(received.url).toBe(`/api/acme/users/${encodeURIComponent(id)}`);
    expect(received.headers.host).toBe(server.host);
    expect(received.headers['x-injected']).toBeUndefined();
  });

  test.each([['..'], ['.']])('id %j is refused with invalid_call 400 and nothing is sent', async (id) => {
    const server = await serve(okHandler);
    const error = await failure(urlEngine.execute(urlsCall(server, 'get', { id })));
    expect(error).toMatchObject({ code: 'invalid_call', statusCode: 400 });
    expect(server.requests).toHaveLength(0);
  });

  test('a query placeholder in the path ({{query.group}}) stays one segment', async () => {
    const server = await serve(okHandler);
    const group = '../../admin?role=owner#x';
    await urlEngine.execute(urlsCall(server, 'list', { query: { group, truto_ignore_remote_data: 'true' } }));
    expect(server.requests.map((r) => r.url)).toEqual([`/api/acme/groups/${encodeURIComponent(group)}/members`]);
  });

  test('a context placeholder in the base_url path ({{context.tenant}}) stays one segment; "." and ".." are refused', async () => {
    const server = await serve(okHandler);
    await urlEngine.execute(urlsCall(server, 'list', {}, { tenant: '../admin?x=1#y' }));
    expect(server.requests.map((r) => r.url)).toEqual([`/api/${encodeURIComponent('../admin?x=1#y')}/users`]);
    for (const tenant of ['..', '.']) {
      const error = await failure(urlEngine.execute(urlsCall(server, 'list', {}, { tenant })));
      expect(error).toMatchObject({ code: 'invalid_call', statusCode: 400 });
    }
    expect(server.requests).toHaveLength(1);
  });

  test('a path_mapping that encodes the id keeps "../", "?" and "#" inside one segment', async () => {
    const server = await serve(okHandler);
    const engineCall = (id: string): ExecuteCall => ({ model: 'mdm', resource: 'users', method: 'get', id, account: { id: 'a', integration: 'mappedpath', context: { host: server.host } } });
    for (const id of ['../admin', 'a?b=1#c', 'x@evil.example']) await urlEngine.execute(engineCall(id));
    expect(server.requests.map((r) => r.url)).toEqual(['../admin', 'a?b=1#c', 'x@evil.example'].map((id) => `/api/users/${encodeURIComponent(id)}`));
  });

  test.each([['..'], ['.']])('a path_mapping result with the dot segment %j is refused, not resolved by the URL parser', async (id) => {
    // "/users/" & $encodeUrlComponent("..") is "/users/..": fetch resolves it to "/api/" (or "/api/users/" for "."),
    // so a hostile id escapes the path the mapping meant. Templates refuse these ids (encodePathSegment); a mapped path must too.
    const server = await serve(okHandler);
    const error = await failure(urlEngine.execute({ model: 'mdm', resource: 'users', method: 'get', id, account: { id: 'a', integration: 'mappedpath', context: { host: server.host } } }));
    expect(['invalid_call', 'invalid_mapping_result']).toContain(error.code);
    expect(server.requests).toHaveLength(0);
  });

  test.each([
    ['evil.example/x?'],
    ['evil.example@127.0.0.1'],
    ['127.0.0.1:1@evil.example'],
    ['evil.example#'],
    ['evil.example\\@127.0.0.1'],
    ['http://evil.example'],
    ['evil.example\r\nHost: other'],
    ['evil.example:80/'],
    ['[::1]'],
    [' evil.example'],
  ])('a context host %j is refused (missing_context 400) and nothing is sent anywhere', async (host) => {
    const server = await serve(okHandler);
    const error = await failure(urlEngine.execute({ ...urlsCall(server, 'list'), account: { id: 'a', integration: 'urls', context: { host, tenant: 'acme', api_token: urlToken } } }));
    expect(error).toMatchObject({ code: 'missing_context', statusCode: 400 });
    expect(error.message).toContain('not a valid host name');
    expect(server.requests).toHaveLength(0);
  });

  test('the host comes only from the definition and the account: query, remote_query, mapped and default query values are encoded as values', async () => {
    const server = await serve(okHandler);
    const name = 'a&admin=1#frag';
    const region = 'eu&admin=1?x=/../';
    const remoteQuery = { host: 'evil.example', 'x?y': 'a&b=c#d', '@evil.example': '1', '../up': '//evil.example', 'crlf\r\nx': 'v\r\nX-Injected: 1' };
    await urlEngine.execute(urlsCall(server, 'list', { query: { name, truto_ignore_remote_data: 'true', remote_query: remoteQuery } }, { region }));
    expect(server.requests).toHaveLength(1);
    const received = server.requests[0]!;
    expect(received.headers.host).toBe(server.host);
    expect(received.headers['x-injected']).toBeUndefined();
    const url = new URL(received.url, 'http://placeholder');
    expect(url.pathname).toBe('/api/acme/users');
    expect(url.hash).toBe('');
    const params = [...url.searchParams.entries()].sort(([a], [b]) => a.localeCompare(b));
    expect(params).toEqual(
      [['region', region], ['name', name], ...Object.entries(remoteQuery)].sort(([a], [b]) => a!.localeCompare(b!)),
    );
  });

  test('remote_query and query_mapping cannot override or duplicate an api key sent in the query', async () => {
    const server = await serve(okHandler);
    const key = 'key-in-query-SECRET-1';
    await urlEngine.execute({
      model: 'mdm',
      resource: 'users',
      method: 'list',
      query: { remote_query: { api_key: ['evil-1', 'evil-2'], API_KEY: 'other' } },
      account: { id: 'a', integration: 'keyed', context: { host: server.host, api_key: key } },
    });
    const search = new URL(server.requests[0]!.url, 'http://placeholder').searchParams;
    expect(search.getAll('api_key')).toEqual([key]);
    expect(search.get('page_size')).toBe('5');
    expect(server.requests[0]!.url).not.toContain('evil');
    expect(server.requests[0]!.url).not.toContain('from-mapping');
  });

  describe('next-page links are followed only on the base URL\'s origin', () => {
    async function firstPageThenNext(next: (other: TestServer, server: TestServer) => string, style: 'url' | 'link'): Promise<{ server: TestServer; other: TestServer; error: UnimapError }> {
      const other = await serve(okHandler);
      const server: TestServer = await serve((request) => {
        const nextUrl = next(other, server);
        return style === 'url' ? { body: { users: [{ id: 1 }], next: nextUrl } } : { headers: { link: `<${nextUrl}>; rel="next"` }, body: { users: [{ id: 1 }] } };
      });
      const query = { truto_ignore_remote_data: 'true', ...(style === 'link' ? { style: 'link' } : {}) };
      const first = (await urlEngine.execute(urlsCall(server, 'list', { query }))).body as { next_cursor: string | null };
      expect(first.next_cursor).toEqual(expect.any(String));
      const error = await failure(urlEngine.execute(urlsCall(server, 'list', { query: { ...query, next_cursor: first.next_cursor } })));
      return { server, other, error };
    }

    test.each([
      ['another origin', (other: TestServer) => `${other.origin}/api/acme/users?page=2`],
      ['a protocol-relative URL', (other: TestServer) => `//${other.host}/api/acme/users?page=2`],
      ['userinfo that looks like the base host', (other: TestServer, server: TestServer) => `http://${server.host}@${other.host}/api/acme/users`],
      ['the same host on another port', (other: TestServer) => `http://127.0.0.1:${other.host.split(':')[1]}/api/acme/users`],
      ['https on the same host and port', (_other: TestServer, server: TestServer) => `https://${server.host}/api/acme/users`],
    ])('next_url pointing to %s is refused with invalid_remote_response 502; the other server sees nothing', async (_name, next) => {
      const { server, other, error } = await firstPageThenNext(next, 'url');
      expect(error).toMatchObject({ code: 'invalid_remote_response', statusCode: 502 });
      expect(server.requests).toHaveLength(1);
      expect(other.requests).toHaveLength(0);
    });

    test('a Link header rel="next" to another origin is refused the same way', async () => {
      const { server, other, error } = await firstPageThenNext((o) => `${o.origin}/api/acme/linked?page=2`, 'link');
      expect(error).toMatchObject({ code: 'invalid_remote_response', statusCode: 502 });
      expect(server.requests).toHaveLength(1);
      expect(other.requests).toHaveLength(0);
    });

    test('a forged next_cursor carrying a URL on another origin is refused; the other server sees nothing', async () => {
      const other = await serve(okHandler);
      const server = await serve(okHandler);
      const forged = Buffer.from(JSON.stringify({ v: 1, op: 'urls/mdm/users.list', n: 1, url: `${other.origin}/steal` })).toString('base64url');
      const error = await failure(urlEngine.execute(urlsCall(server, 'list', { query: { next_cursor: forged } })));
      expect(error).toMatchObject({ code: 'invalid_remote_response', statusCode: 502 });
      expect(server.requests).toHaveLength(0);
      expect(other.requests).toHaveLength(0);
    });

    test('a next link on the same origin is followed, and the credential goes only there', async () => {
      const server: TestServer = await serve((request) => (parse(request).query.page ? { body: { users: [{ id: 2 }] } } : { body: { users: [{ id: 1 }], next: `${server.origin}/api/acme/users?page=2` } }));
      const ids: string[] = [];
      for await (const record of urlEngine.records(urlsCall(server, 'list'))) ids.push(String(record.id));
      expect(ids).toEqual(['1', '2']);
      expect(server.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${urlToken}`, `Bearer ${urlToken}`]);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Header safety
// ---------------------------------------------------------------------------------------------

function headerYaml(name: string, auth: string): string {
  return `name: ${name}
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  tenant: {}
  api_token: { secret: true }
  username: {}
  password: { secret: true }
auth: ${auth}
headers:
  x-tenant: "{{context.tenant}}"
resources:
  users:
    list: { path: /users, response_path: users }
    create: { method: POST, path: /users }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        query_schema: { type: object, properties: { h: { type: string }, hn: { type: string } } }
        request_header_mapping: 'query.hn ? { query.hn: "1" } : { "x-note": query.h }'
        response_mapping: '{ "id": $string(response.id) }'
      create:
        resource: users
        method: create
        request_body_mapping: '{ "name": body.name, "authorization": "Bearer evil-body" }'
        request_header_mapping: '{ "Authorization": "Bearer evil", "AUTHORIZATION": "Bearer evil-2", "X-Api-Key": "evil-key", "Proxy-Authorization": "Basic evil", "x-kept": "kept" }'
        response_mapping: '{ "id": $string(response.id) }'
`;
}

const headerToken = 'hdr-token-SECRET-42';
const headerPassword = 'hdr-password-SECRET-42';
const headerEngine = new Engine({
  definitions: [
    { file: 'hbearer.yaml', text: headerYaml('hbearer', '{ type: bearer, token: "{{context.api_token}}" }') },
    { file: 'hbasic.yaml', text: headerYaml('hbasic', '{ type: basic, username: "{{context.username}}", password: "{{context.password}}" }') },
    { file: 'hkey.yaml', text: headerYaml('hkey', '{ type: api_key, in: header, name: X-Api-Key, value: "{{context.api_token}}" }') },
  ],
  strict: true,
});

function headerCall(server: { host: string }, integration: string, method: string, extra: Partial<ExecuteCall> = {}, context: Record<string, unknown> = {}): ExecuteCall {
  return {
    model: 'mdm',
    resource: 'users',
    method,
    query: { truto_ignore_remote_data: 'true' },
    ...extra,
    account: { id: 'acct-h', integration, context: { host: server.host, api_token: headerToken, username: 'admin', password: headerPassword, ...context } },
  };
}

const createHandlerReply: Handler = (request) => (request.method === 'POST' ? { status: 201, body: { id: 5 } } : { body: { users: [{ id: 1 }] } });

describe('header safety', () => {
  test.each([
    ['CR LF', 'a\r\nX-Injected: 1'],
    ['a bare LF', 'a\nX-Injected: 1'],
    ['a bare CR', 'a\rX-Injected: 1'],
    ['NUL', 'a\u0000b'],
    ['a non-ASCII letter', 'café'],
    ['U+2028 (line separator)', 'a\u2028b'],
    ['an emoji', 'ok 🙂'],
    ['DEL', 'a\u007fb'],
  ])('a request_header_mapping value with %s is refused with invalid_header, and nothing is sent', async (_name, value) => {
    const server = await serve(createHandlerReply);
    const error = await failure(headerEngine.execute(headerCall(server, 'hbearer', 'list', { query: { h: value } }), noWait));
    expect(error).toMatchObject({ code: 'invalid_header', statusCode: 500, location: { slot: 'request_header_mapping', integration: 'hbearer' } });
    expect(error.message).toContain('x-note');
    expect(server.requests).toHaveLength(0);
  });

  test.each([['x bad'], ['x:evil'], ['x\r\ny'], ['x-ü'], ['x(y)']])('a request_header_mapping header NAME %j is refused with invalid_header', async (name) => {
    const server = await serve(createHandlerReply);
    const error = await failure(headerEngine.execute(headerCall(server, 'hbearer', 'list', { query: { hn: name } }), noWait));
    expect(error).toMatchObject({ code: 'invalid_header' });
    expect(server.requests).toHaveLength(0);
  });

  test('a default header filled from the context with CR/LF is refused with invalid_header 400', async () => {
    const server = await serve(createHandlerReply);
    const error = await failure(headerEngine.execute(headerCall(server, 'hbearer', 'list', {}, { tenant: 'acme\r\nX-Injected: 1' }), noWait));
    expect(error).toMatchObject({ code: 'invalid_header', statusCode: 400 });
    expect(server.requests).toHaveLength(0);
  });

  test('an ordinary mapped header value passes (the refusal is not over-eager)', async () => {
    const server = await serve(createHandlerReply);
    await headerEngine.execute(headerCall(server, 'hbearer', 'list', { query: { h: 'plain text; with=punctuation\tand a tab' } }, { tenant: 'acme' }));
    expect(server.requests[0]!.headers['x-note']).toBe('plain text; with=punctuation\tand a tab');
    expect(server.requests[0]!.headers['x-tenant']).toBe('acme');
  });

  test.each([
    ['bearer', 'hbearer', 'authorization', `Bearer ${headerToken}`],
    ['basic', 'hbasic', 'authorization', `Basic ${base64(`admin:${headerPassword}`)}`],
    ['api_key in a header', 'hkey', 'x-api-key', headerToken],
  ])('%s: request_header_mapping (any case), remote_query and the body cannot replace the credential header', async (_name, integration, header, expected) => {
    const server = await serve(createHandlerReply);
    await headerEngine.execute(
      headerCall(server, integration, 'create', {
        body: { name: 'Ada', remote_data: { authorization: 'Bearer evil-remote-data', 'x-api-key': 'evil-remote-data' } },
        query: { truto_ignore_remote_data: 'true', remote_query: { authorization: 'Bearer evil-query', 'x-api-key': 'evil-query' } },
      }),
    );
    expect(server.requests).toHaveLength(1);
    const received = server.requests[0]!;
    expect(received.headers[header]).toBe(expected);
    expect(received.headers['x-kept']).toBe('kept');
    // What the caller sent stays where it was sent: in the query and the body, never in a header.
    const search = new URL(received.url, 'http://placeholder').searchParams;
    expect(search.get('authorization')).toBe('Bearer evil-query');
    expect(JSON.parse(received.body)).toMatchObject({ name: 'Ada', authorization: 'Bearer evil-remote-data' });
  });
});

// ---------------------------------------------------------------------------------------------
// Object safety (prototype pollution)
// ---------------------------------------------------------------------------------------------

const objsYaml = `name: objs
base_url: "http://{{context.host}}"
context:
  host: { required: true }
resources:
  users:
    list: { path: /users, response_path: users, pagination: { type: cursor, cursor_path: next, cursor_param: cursor } }
    get: { path: "/users/{{id}}" }
    create: { method: POST, path: /users }
    raw: { path: /raw }
    xml: { path: /xml, response_format: xml }
    form: { path: /form }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        query_schema: { type: object, properties: { name: { type: string } } }
        query_mapping: '{ "name": query.name, "role": query.role }'
        response_mapping: '$merge([response, { "id": $string(response.id), "label": $mapValues(response.status, response.lookup), "clean": $removeEmpty(response) }])'
        response_header_mapping: '$merge([response.hdrs, { "x-count": "1" }])'
      get:
        resource: users
        method: get
        response_mapping: '{ "__proto__": { "polluted": "from-mapping" }, "constructor": { "prototype": { "polluted": "from-mapping" } }, "id": $string(response.id), "name": response.name }'
      create:
        resource: users
        method: create
        body: { kind: person }
        request_body_mapping: '{ "name": body.name }'
        response_mapping: '{ "id": $string(response.id) }'
      passthrough: { resource: users, method: raw }
      xml: { resource: users, method: xml, response_mapping: '{ "id": "1", "doc": response }' }
      form: { resource: users, method: form }
`;

const objsEngine = new Engine({ definitions: [{ file: 'objs.yaml', text: objsYaml }], strict: true });

function objsCall(server: { host: string }, method: string, extra: Partial<ExecuteCall> = {}): ExecuteCall {
  return { model: 'mdm', resource: 'users', method, ...extra, account: { id: 'acct-o', integration: 'objs', context: { host: server.host } } };
}

/** A JSON text with `__proto__`, `constructor` and `prototype` as OWN keys (as JSON.parse makes them). */
const hostileJson = '{"__proto__": {"polluted": "proto"}, "constructor": {"prototype": {"polluted": "ctor"}}, "prototype": {"polluted": "prototype"}}';

/**
 * Every object in a result has an untouched prototype, so nothing is inherited from hostile data.
 * (Hostile data may still be present as ordinary own data, e.g. the raw record in remote_data.)
 */
function expectCleanObject(value: unknown): void {
  if (value === null || typeof value !== 'object') return;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (Array.isArray(value)) expect(proto, 'an array with a replaced prototype').toBe(Array.prototype);
  else expect(proto === Object.prototype || proto === null, 'an object with a replaced prototype').toBe(true);
  for (const child of Object.values(value)) expectCleanObject(child);
}

describe('object safety: nothing pollutes a prototype', () => {
  test.each([
    ['__proto__[polluted]=1'],
    ['__proto__.polluted=1'],
    ['constructor[prototype][polluted]=1'],
    ['a[__proto__][polluted]=1'],
    ['a[constructor][prototype][polluted]=1'],
    ['a[][__proto__][polluted]=1'],
    ['remote_query[__proto__][polluted]=1'],
    ['%5F%5Fproto%5F%5F[polluted]=1'],
    ['__proto__=polluted'],
    ['a[b][c][d][e][f][g][h][i][j]=deep'],
  ])('parseQueryString(%j)', (text) => {
    const parsed = parseQueryString(text);
    expectNoPollution();
    expectCleanObject(parsed);
    // The hostile key is dropped (or kept as an inert literal key such as "__proto__.polluted").
    const keys: string[] = [];
    const walk = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      for (const [key, child] of Object.entries(node)) {
        keys.push(key);
        walk(child);
      }
    };
    walk(parsed);
    for (const forbidden of ['__proto__', 'constructor', 'prototype']) expect(keys).not.toContain(forbidden);
  });

  test('a query string with __proto__ through the server: 200, and the vendor sees nothing of it', async () => {
    const vendor = await serve(() => ({ body: { users: [{ id: 1, name: 'Ann' }] } }));
    const engine = new Engine({ definitions: [{ file: 'objs.yaml', text: objsYaml }], strict: true });
    const handler = createHandler({ engine, accounts: new MemoryAccountStore([{ id: 'acct', integration: 'objs', context: { host: vendor.host } }]), tokens: ['t'], log: () => undefined });
    const query = 'integrated_account_id=acct&__proto__[polluted]=1&constructor[prototype][polluted]=1&remote_query[__proto__][polluted]=1&remote_query[a][__proto__][polluted]=1&truto_exclude_fields[__proto__]=x';
    const response = await handler(new Request(`http://unimap.test/unified/mdm/users?${query}`, { headers: { authorization: 'Bearer t' } }));
    expect(response.status).toBe(200);
    expectNoPollution();
    expect(vendor.requests).toHaveLength(1);
    expect(vendor.requests[0]!.url).not.toContain('polluted');
    expectCleanObject(await response.json());
  });

  test('a JSON.parse\'d unified body with __proto__/constructor/prototype keys (top level and in remote_data)', async () => {
    const vendor = await serve((request) => ({ status: 201, body: { id: 1, echo: request.body } }));
    const topLevel = JSON.parse(`{"name": "Ada", "__proto__": {"polluted": "body"}}`) as Record<string, unknown>;
    const inRemoteData = JSON.parse(`{"name": "Ada", "remote_data": ${hostileJson.replace('{', '{"nested": ' + hostileJson + ', ')}}`) as Record<string, unknown>;
    // The top-level key is a unified field the schema does not know: refused (or ignored), never applied.
    const top = await objsEngine.execute(objsCall(vendor, 'create', { body: topLevel })).catch((e: unknown) => e);
    expectNoPollution();
    if (top instanceof UnimapError) expect(top.statusCode).toBe(400);
    const { body } = await objsEngine.execute(objsCall(vendor, 'create', { body: inRemoteData }));
    expectNoPollution();
    expectCleanObject(body);
    const sent = JSON.parse(vendor.requests.at(-1)!.body) as Record<string, unknown>;
    // The keys remote_data merges into the remote body are filtered; below them remote_data is
    // forwarded untransformed (as JSON text: it cannot touch a prototype here).
    expect(Object.keys(sent).sort()).toEqual(['kind', 'name', 'nested']);
    expect(sent).toMatchObject({ kind: 'person', name: 'Ada' });
  });

  test('the same body through the server (the handler JSON.parses it)', async () => {
    const vendor = await serve(() => ({ status: 201, body: { id: 1 } }));
    const engine = new Engine({ definitions: [{ file: 'objs.yaml', text: objsYaml }], strict: true });
    const handler = createHandler({ engine, accounts: new MemoryAccountStore([{ id: 'acct', integration: 'objs', context: { host: vendor.host } }]), tokens: ['t'], log: () => undefined });
    const response = await handler(
      new Request('http://unimap.test/unified/mdm/users?integrated_account_id=acct', {
        method: 'POST',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
        body: `{"name": "Ada", "remote_data": ${hostileJson}}`,
      }),
    );
    expect(response.status).toBe(201);
    expectNoPollution();
    expect(vendor.requests[0]!.body).not.toContain('polluted');
  });

  test('remote JSON responses with __proto__/constructor/prototype keys, through $merge, $mapValues, $removeEmpty, response headers and remote_data', async () => {
    const record = `{"id": 1, "status": "__proto__", "lookup": ${hostileJson}, "hdrs": ${hostileJson}, "inner": ${hostileJson}, "__proto__": {"polluted": "record"}}`;
    const vendor = await serve(() => ({ headers: { 'content-type': 'application/json' }, body: `{"users": [${record}], "__proto__": {"polluted": "page"}, "next": null}` }));
    const result = await objsEngine.execute(objsCall(vendor, 'list'));
    expectNoPollution();
    expectCleanObject(result.body);
    expectCleanObject(result.headers);
    const [first] = (result.body as { result: Record<string, unknown>[] }).result;
    expect(first!.id).toBe('1');
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
  });

  test('a mapping whose object constructor writes "__proto__" and "constructor" keys', async () => {
    const vendor = await serve(() => ({ body: { id: 3, name: 'Bo' } }));
    const { body } = await objsEngine.execute(objsCall(vendor, 'get', { id: '3', query: { truto_ignore_remote_data: 'true' } }));
    expectNoPollution();
    expectCleanObject(body);
    expect(body).toEqual({ id: '3', name: 'Bo' });
  });

  test('a remote response passed through without a mapping (custom method) and a form-encoded one', async () => {
    const vendor = await serve((request) =>
      parse(request).path === '/form'
        ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '__proto__=x&__proto__[polluted]=1&constructor=y&id=1' }
        : { headers: { 'content-type': 'application/json' }, body: `[${hostileJson}, {"id": 2, "__proto__": {"polluted": 1}}]` },
    );
    const passthrough = await objsEngine.execute(objsCall(vendor, 'passthrough'));
    expectNoPollution();
    expectCleanObject(passthrough.body);
    const form = await objsEngine.execute(objsCall(vendor, 'form'));
    expectNoPollution();
    expectCleanObject(form.body);
  });

  test.each([
    ['<__proto__>', '<users><__proto__><polluted>1</polluted></__proto__></users>'],
    ['<constructor><prototype>', '<users><constructor><prototype><polluted>1</polluted></prototype></constructor></users>'],
    ['<prototype>', '<prototype><polluted>1</polluted></prototype>'],
  ])('a remote XML response with %s is refused with invalid_remote_response 502', async (_name, xml) => {
    const vendor = await serve(() => ({ headers: { 'content-type': 'application/xml' }, body: `<?xml version="1.0"?>${xml}` }));
    const error = await failure(objsEngine.execute(objsCall(vendor, 'xml')));
    expect(error).toMatchObject({ code: 'invalid_remote_response', statusCode: 502 });
    expectNoPollution();
  });

  test('XML elements that shadow Object.prototype methods and a __proto__ attribute are kept as ordinary keys', async () => {
    const vendor = await serve(() => ({ headers: { 'content-type': 'application/xml' }, body: '<users __proto__="x" constructor="y"><toString>1</toString><hasOwnProperty>2</hasOwnProperty><valueOf>3</valueOf></users>' }));
    const { body } = await objsEngine.execute(objsCall(vendor, 'xml'));
    expectNoPollution();
    expectCleanObject(body);
    expect((body as { result: { doc: unknown } }).result.doc).toEqual({ users: { '@___proto__': 'x', '@_constructor': 'y', __toString: '1', __hasOwnProperty: '2', __valueOf: '3' } });
  });

  test('forged next_cursors with __proto__ in query, filters, params and the envelope', async () => {
    const vendor = await serve(() => ({ body: { users: [{ id: 1 }] } }));
    const encode = (text: string): string => Buffer.from(text).toString('base64url');
    const inside = encode(`{"v": 1, "op": "objs/mdm/users.list", "n": 1, "cursor": "c2", "query": ${hostileJson}, "filters": ${hostileJson}, "params": ${hostileJson}}`);
    const envelope = encode(`{"__proto__": {"v": 1, "op": "objs/mdm/users.list", "n": 1, "cursor": "c2", "polluted": 1}}`);
    const { body } = await objsEngine.execute(objsCall(vendor, 'list', { query: { next_cursor: inside } }));
    expectNoPollution();
    expectCleanObject(body);
    expect(vendor.requests.map((r) => r.url)).toEqual(['/users?cursor=c2']);
    const error = await failure(objsEngine.execute(objsCall(vendor, 'list', { query: { next_cursor: envelope } })));
    expect(error).toMatchObject({ code: 'invalid_cursor', statusCode: 400 });
    expectNoPollution();
  });

  test('a JSON.parse\'d call query with __proto__ cannot smuggle a filter past query_schema', async () => {
    const vendor = await serve(() => ({ body: { users: [{ id: 1 }] } }));
    await objsEngine.execute(objsCall(vendor, 'list', { query: JSON.parse('{"__proto__": {"role": "admin", "polluted": 1}}') as Record<string, unknown> }));
    expectNoPollution();
    expect(vendor.requests.map((r) => r.url)).toEqual(['/users']);
  });

  test('a JSON.parse\'d call query with __proto__ gives the query no prototype: neither stock jsonata nor the engine reads through it', async () => {
    const vendor = await serve(() => ({ body: { users: [{ id: 1 }] } }));
    // `limit` is read by the engine itself: through a prototype it would be a 400 for "x".
    const query = JSON.parse('{"__proto__": {"role": "admin", "limit": "x"}}') as Record<string, unknown>;
    const stock = new Engine({ definitions: [{ file: 'objs.yaml', text: objsYaml }], strict: true, fastPath: false });
    for (const engine of [objsEngine, stock]) {
      const result = await engine.execute(objsCall(vendor, 'list', { query }));
      expect(result.status).toBe(200);
    }
    expectNoPollution();
    expect(vendor.requests.map((r) => r.url)).toEqual(['/users', '/users']);
  });

  test('account overrides, environment overrides and an account context with __proto__/constructor keys', async () => {
    const vendor = await serve(() => ({ status: 201, body: { id: 1 } }));
    const hostileOverrides = [
      `{"mdm": {"users": {"list": ${hostileJson}}}}`,
      `{"mdm": {"users": ${hostileJson}}}`,
      `{"mdm": ${hostileJson}}`,
      hostileJson,
      `{"mdm": {"users": {"create": {"body": ${hostileJson}}}}}`,
    ];
    for (const [index, text] of hostileOverrides.entries()) {
      // Hostile data as JSON.parse makes it: typed as the override shape the caller would claim it is.
      const overrides = JSON.parse(text) as UnifiedOverrides;
      const account = { id: 'acct-o', integration: 'objs', context: JSON.parse(`{"host": "${vendor.host}", "__proto__": {"polluted": 1, "host": "evil.example"}}`) as Record<string, unknown>, overrides };
      for (const method of ['list', 'create'] as const) {
        const outcome = await objsEngine
          .execute({ model: 'mdm', resource: 'users', method, body: method === 'create' ? { name: 'Ada' } : undefined, account, overrides: { environment: overrides } })
          .catch((e: unknown) => e);
        expectNoPollution();
        if (index === 0 && method === 'list') {
          // Hostile keys inside a method config are unknown properties: the override is refused.
          expect(outcome).toMatchObject({ code: 'invalid_override', statusCode: 400 });
        } else {
          // Above the method level (and inside a slot's value) they are ignored.
          expect(outcome, String(outcome)).not.toBeInstanceOf(Error);
          expectCleanObject((outcome as { body: unknown }).body);
        }
      }
    }
    for (const request of vendor.requests) {
      expect(request.headers.host).toBe(vendor.host);
      expect(request.body).not.toContain('polluted');
    }
  });

  test('YAML definitions with __proto__/constructor/prototype keys (top level, headers, query, body, context, static_response)', async () => {
    const vendor = await serve((request) => ({ status: request.method === 'POST' ? 201 : 200, body: { id: 1, users: [{ id: 1 }] } }));
    const yaml = `name: yamlproto
base_url: "http://{{context.host}}"
__proto__: { polluted: top }
context:
  host: { required: true }
  __proto__: { polluted: context }
headers:
  __proto__: x
  constructor: y
query:
  __proto__: polluted
  constructor: polluted
resources:
  users:
    list: { path: /users, response_path: users }
    create: { method: POST, path: /users }
unified:
  mdm:
    users:
      create:
        resource: users
        method: create
        body: { kind: person, __proto__: { polluted: body }, constructor: { prototype: { polluted: body } } }
        request_body_mapping: '{ "name": body.name }'
        response_mapping: '{ "id": $string(response.id) }'
      get:
        resource: users
        method: list
        static_response: { id: "1", __proto__: { polluted: static }, constructor: { prototype: { polluted: static } } }
`;
    const loose = new Engine({ definitions: [{ file: 'yamlproto.yaml', text: yaml }] });
    expectNoPollution();
    // The schema reports the unknown keys at their position; the definition does not load.
    expect(loose.problems.map((p) => [p.code, p.location?.line])).toEqual([
      ['schema_violation', 3],
      ['schema_violation', 6],
    ]);
    expect(loose.problems[0]!.message).toContain('unknown property `__proto__`');
    // Without the top-level and context keys the schema accepts it: the maps ignore the hostile keys.
    const accepted = new Engine({ definitions: [{ file: 'yamlproto.yaml', text: yaml.replace('__proto__: { polluted: top }\n', '').replace('  __proto__: { polluted: context }\n', '') }] });
    expectNoPollution();
    expect(accepted.problems).toEqual([]);
    {
      const account = { id: 'a', integration: 'yamlproto', context: { host: vendor.host } };
      const created = await accepted.execute({ model: 'mdm', resource: 'users', method: 'create', body: { name: 'Ada' }, query: { truto_ignore_remote_data: 'true' }, account });
      expectNoPollution();
      expect(created.body).toEqual({ id: '1' });
      expect(vendor.requests[0]!.body).not.toContain('polluted');
      expect(vendor.requests[0]!.url).toBe('/users');
      const got = await accepted.execute({ model: 'mdm', resource: 'users', method: 'get', id: '1', account });
      expectNoPollution();
      expectCleanObject(got.body);
      expect((got.body as Record<string, unknown>).id).toBe('1');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Expression safety (runaway mappings)
// ---------------------------------------------------------------------------------------------

function runawayYaml(name: string, mapping: string): string {
  return `name: ${name}
base_url: "http://{{context.host}}"
context:
  host: { required: true }
resources:
  users:
    get: { path: "/users/{{id}}" }
unified:
  mdm:
    users:
      get:
        resource: users
        method: get
        response_mapping: |
${indent(mapping, 10)}
`;
}

const normalMapping = '{ "id": $string(response.id), "name": response.name }';
const runawayTimeoutMs = 300;

/** One engine per runaway expression, plus the normal integration, with a short expression timeout. */
function runawayEngine(mapping: string, limits: Partial<{ timeoutMs: number; maxDepth: number; maxSequence: number; maxOutputBytes: number; maxOutputDepth: number }> = { timeoutMs: runawayTimeoutMs }): Engine {
  return new Engine({
    definitions: [
      { file: 'runaway.yaml', text: runawayYaml('runaway', mapping) },
      { file: 'normal.yaml', text: runawayYaml('normal', normalMapping) },
    ],
    strict: true,
    limits,
  });
}

function getCall(integration: string, host: string): ExecuteCall {
  return { model: 'mdm', resource: 'users', method: 'get', id: '7', query: { truto_ignore_remote_data: 'true' }, account: { id: integration, integration, context: { host } } };
}

/** The runaway call and a normal call, concurrently, against a real server. */
async function runConcurrently(engine: Engine): Promise<{ runaway: PromiseSettledResult<unknown>; normal: PromiseSettledResult<{ body: unknown }>; ms: number }> {
  const vendor = await serve(() => ({ body: { id: 7, name: 'Ann' } }));
  const started = Date.now();
  const [runaway, normal] = await Promise.allSettled([engine.execute(getCall('runaway', vendor.host)), engine.execute(getCall('normal', vendor.host))]);
  return { runaway, normal, ms: Date.now() - started };
}

function expectLimit(outcome: PromiseSettledResult<unknown>, message: RegExp): UnimapError {
  expect(outcome.status, 'the runaway mapping was not stopped').toBe('rejected');
  const reason = (outcome as PromiseRejectedResult).reason as unknown;
  expect(reason).toBeInstanceOf(UnimapError);
  const error = reason as UnimapError;
  expect(error).toMatchObject({ code: 'mapping_limit', statusCode: 500, location: { slot: 'response_mapping', integration: 'runaway' } });
  expect(error.message).toMatch(message);
  return error;
}

function expectNormal(outcome: PromiseSettledResult<{ body: unknown }>): void {
  expect(outcome.status, 'the concurrent normal call failed').toBe('fulfilled');
  expect((outcome as PromiseFulfilledResult<{ body: unknown }>).value.body).toEqual({ id: '7', name: 'Ann' });
}

// A child Node process for mappings that can take the whole process down (out of memory) or hold
// the event loop for many seconds: the child runs the runaway call and a normal call concurrently
// and prints the outcome; a crash, a kill or a wrong outcome fails the test without taking vitest down.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const engineModule = new URL('../../engine/index.ts', import.meta.url).href;
const childSource = `
const { Engine } = await import(process.env.UNIMAP_ENGINE);
const { createServer } = await import('node:http');
const server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ id: 7, name: 'Ann' })); });
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const host = '127.0.0.1:' + server.address().port;
const yaml = (name, mapping) => ['name: ' + name, 'base_url: "http://{{context.host}}"', 'resources:', '  users:', '    get: { path: "/users/{{id}}" }', 'unified:', '  mdm:', '    users:', '      get:', '        resource: users', '        method: get', '        response_mapping: ' + JSON.stringify(mapping)].join('\\n');
const engine = new Engine({ definitions: [{ file: 'runaway.yaml', text: yaml('runaway', process.env.UNIMAP_MAPPING) }, { file: 'normal.yaml', text: yaml('normal', ${JSON.stringify(normalMapping)}) }], strict: true, limits: JSON.parse(process.env.UNIMAP_LIMITS) });
const call = (integration) => ({ model: 'mdm', resource: 'users', method: 'get', id: '7', query: { truto_ignore_remote_data: 'true' }, account: { id: integration, integration, context: { host } } });
const started = Date.now();
const [runaway, normal] = await Promise.allSettled([engine.execute(call('runaway')), engine.execute(call('normal'))]);
const outcome = {
  runaway: runaway.status === 'rejected' ? { code: runaway.reason && runaway.reason.code, message: String(runaway.reason && runaway.reason.message).slice(0, 300) } : { resolved: true },
  normal: normal.status === 'fulfilled' ? normal.value.body : { error: String(normal.reason) },
  ms: Date.now() - started,
};
process.stdout.write('OUTCOME ' + JSON.stringify(outcome) + '\\n');
server.close();
`;

interface ChildOutcome {
  runaway: { code?: string; message?: string; resolved?: boolean };
  normal: unknown;
  ms: number;
}

async function runIsolated(mapping: string, limits: Record<string, number>, killAfterMs: number): Promise<{ outcome?: ChildOutcome; exit: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=256', '--import', 'tsx', '--input-type=module', '-e', childSource], {
      cwd: repoRoot,
      env: { ...process.env, UNIMAP_ENGINE: engineModule, UNIMAP_MAPPING: mapping, UNIMAP_LIMITS: JSON.stringify(limits) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('OUTCOME '));
      const exit = killed ? `killed by the test after ${killAfterMs} ms` : signal ? `ended by ${signal} (V8 aborts with SIGABRT when out of memory)` : `exit code ${code}`;
      const result: { outcome?: ChildOutcome; exit: string; stderr: string } = { exit, stderr: stderr.split('\n').slice(0, 6).join('\n') };
      if (line) result.outcome = JSON.parse(line.slice('OUTCOME '.length)) as ChildOutcome;
      resolve(result);
    });
  });
}

describe('expression safety: a runaway mapping is stopped, and nothing else is', () => {
  test.each([
    ['infinite recursion', '($f := function($n) { $f($n + 1) + 1 }; { "id": $string($f(0)) })', /D1011|D1012/],
    ['an endless tail-recursive loop', '($f := function($n) { $f($n) }; { "id": $string($f(0)) })', /D1011|D1012/],
    ['$reduce with $append over [1..200000]', '{ "id": "1", "n": $count($reduce([1..200000], function($a, $v) { $append($a, $v) }, [])) }', /D1012|D2015/],
    ['$sort with a JSONata comparator over [1..200000]', '{ "id": "1", "n": $count($sort([1..200000], function($a, $b) { $a > $b })) }', /D1012/],
    ['$join over [1..2000000] ("xxxxxxxxxx" each)', '{ "id": "1", "name": $join([1..2000000].("xxxxxxxxxx")) }', /D2015/],
    ['one huge $pad (100 MB)', '{ "id": "1", "name": $pad("x", 100000000) }', /larger than 16777216 bytes/],
    ['a string doubled by repeated $pad (64 MB)', '{ "id": "1", "name": $reduce([1..26], function($a, $i) { $pad($a, $length($a) * 2, "x") }, "x") }', /larger than 16777216 bytes|D1012/],
    ['a result nested 100 deep', '$reduce([1..100], function($acc, $i) { { "a": $acc } }, { "id": "1" })', /nested deeper than 64/],
    ['a result nested 5000 deep', '$reduce([1..5000], function($acc, $i) { { "a": $acc } }, { "id": "1" })', /nested deeper than 64|D1011|D1012/],
    // The fast path builds these within the time bound; ~35 MB is past the output budget.
    ['990000 small objects', '{ "id": "1", "items": [1..990000].({ "n": $, "pad": "xxxxxxxx" }) }', /D1012|D2015|larger than/],
  ])('%s: mapping_limit within the time bound; a concurrent normal call succeeds', async (_name, mapping, message) => {
    const engine = runawayEngine(mapping);
    const { runaway, normal, ms } = await runConcurrently(engine);
    expectLimit(runaway, message);
    expectNormal(normal);
    expect(ms).toBeLessThan(runawayTimeoutMs + 2500);
  });

  test('a string doubled past the JavaScript string limit ($a & $a, 40 times) is a mapping_limit, like every other limit', async () => {
    const engine = runawayEngine('{ "id": "1", "name": $reduce([1..40], function($a, $v) { $a & $a }, "x") }');
    const { runaway, normal, ms } = await runConcurrently(engine);
    // Today: mapping_error "Invalid string length" (a RangeError not classified as a limit by runtimeError).
    expectLimit(runaway, /string|length|larger/i);
    expectNormal(normal);
    expect(ms).toBeLessThan(runawayTimeoutMs + 2500);
  });

  test('each limit is configurable: timeoutMs, maxDepth, maxSequence, maxOutputBytes, maxOutputDepth', async () => {
    const loop = '($f := function($n) { $f($n) }; { "id": $string($f(0)) })';
    const started = Date.now();
    expectLimit((await runConcurrently(runawayEngine(loop, { timeoutMs: 100 }))).runaway, /D1012 Evaluation timeout after 100 milliseconds/);
    expect(Date.now() - started).toBeLessThan(1500);
    expectLimit((await runConcurrently(runawayEngine('($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; { "id": $string($f(80)) })', { maxDepth: 50 }))).runaway, /D1011/);
    expectLimit((await runConcurrently(runawayEngine('{ "id": "1", "n": $count([1..2000]) }', { maxSequence: 1000 }))).runaway, /D2015/);
    expectLimit((await runConcurrently(runawayEngine('{ "id": "1", "name": $pad("x", 5000) }', { maxOutputBytes: 1000 }))).runaway, /larger than 1000 bytes/);
    expectLimit((await runConcurrently(runawayEngine('$reduce([1..10], function($acc, $i) { { "a": $acc } }, { "id": "1" })', { maxOutputDepth: 5 }))).runaway, /nested deeper than 5/);
    // The same mappings within the limits succeed.
    const fine = await runConcurrently(runawayEngine('{ "id": "1", "name": $pad("x", 5000) }', { maxOutputBytes: 100_000 }));
    expect(fine.runaway.status).toBe('fulfilled');
  });

  // These run in child processes (started together): in-process they would crash vitest (out of
  // memory) or stall it. Today $sort's merge is quadratic in memory and never re-enters the
  // evaluator, so neither the timeout nor the sequence limit fires and the process dies out of
  // memory; $distinct is quadratic in time (about 4 s here) and holds the event loop, and the
  // concurrent call with it, the whole time.
  describe('built-in functions that never re-enter the evaluator (isolated in a child process)', () => {
    const limits = { timeoutMs: 1000 };
    let runs: Promise<[Awaited<ReturnType<typeof runIsolated>>, Awaited<ReturnType<typeof runIsolated>>]>;
    beforeAll(() => {
      runs = Promise.all([
        runIsolated('{ "id": "1", "n": $count($sort([1..200000])) }', limits, 20_000),
        runIsolated('{ "id": "1", "n": $count($distinct([1..60000])) }', limits, 20_000),
      ]);
    });

    test.each([
      ['$sort([1..200000]) with the built-in comparator', 0],
      ['$distinct([1..60000])', 1],
    ] as const)('%s: finishes or is stopped within the timeout; the process survives and a concurrent call succeeds', async (name, index) => {
      const run = (await runs)[index];
      expect(run.outcome, `${name}: the process did not survive (${run.exit}): ${run.stderr}`).toBeDefined();
      // Unimap replaces jsonata's quadratic $sort/$distinct with O(n log n) versions, so these
      // finish well inside the timeout; if one ever ran away, the limit must stop it instead.
      const runaway = run.outcome!.runaway;
      expect(runaway.code === 'mapping_limit' || runaway.resolved === true, `${name}: ${JSON.stringify(runaway).slice(0, 200)}`).toBe(true);
      expect(run.outcome!.normal).toEqual({ id: '7', name: 'Ann' });
      expect(run.outcome!.ms, `${name} took ${run.outcome!.ms} ms with a ${limits.timeoutMs} ms expression timeout`).toBeLessThan(limits.timeoutMs + 1500);
    }, 30_000);
  });
});

// ---------------------------------------------------------------------------------------------
// Size limits
// ---------------------------------------------------------------------------------------------

const sizedYaml = `name: sized
base_url: "http://{{context.host}}"
context:
  host: { required: true }
resources:
  users:
    list: { path: /users, response_path: users }
    create: { method: POST, path: /users }
unified:
  mdm:
    users:
      list: { resource: users, method: list, response_mapping: '{ "id": $string(response.id) }' }
      create: { resource: users, method: create, request_body_mapping: '{ "name": body.name }', response_mapping: '{ "id": $string(response.id) }' }
`;

function sizedEngine(transport: Partial<TransportLimits> = {}): Engine {
  return new Engine({ definitions: [{ file: 'sized.yaml', text: sizedYaml }], strict: true, transport });
}

function sizedCall(host: string, method = 'list', extra: Partial<ExecuteCall> = {}): ExecuteCall {
  return { model: 'mdm', resource: 'users', method, ...extra, account: { id: 'acct-s', integration: 'sized', context: { host } } };
}

/** A unimap server (node adapter, real HTTP) in front of the `sized` integration. */
async function unimapServer(vendorHost: string, options: { maxBodyBytes?: number } = {}): Promise<{ url: string; close(): Promise<void> }> {
  const handler = createHandler({ engine: sizedEngine(), accounts: new MemoryAccountStore([{ id: 'acct', integration: 'sized', context: { host: vendorHost } }]), tokens: ['t'], log: () => undefined, ...options });
  return serveHandler(handler, 0);
}

const serverHeaders = { authorization: 'Bearer t', 'content-type': 'application/json' };

describe('size limits', () => {
  test('request body: over maxBodyBytes (declared or streamed without a length) is 413 payload_too_large; at the limit it passes', async () => {
    const vendor = await serve(() => ({ status: 201, body: { id: 1 } }));
    const unimap = await unimapServer(vendor.host, { maxBodyBytes: 2048 });
    try {
      const url = `${unimap.url}/unified/mdm/users?integrated_account_id=acct`;
      const declared = await fetch(url, { method: 'POST', headers: serverHeaders, body: JSON.stringify({ name: 'x'.repeat(4000) }) });
      expect(declared.status).toBe(413);
      expect(await declared.json()).toMatchObject({ statusCode: 413, code: 'payload_too_large', details: { max_body_bytes: 2048 } });
      const chunks = [new TextEncoder().encode('{"name": "'), ...Array.from({ length: 10 }, () => new TextEncoder().encode('y'.repeat(1000))), new TextEncoder().encode('"}')];
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      });
      const streamed = await fetch(url, { method: 'POST', headers: serverHeaders, body: stream, duplex: 'half' } as RequestInit & { duplex: 'half' });
      expect(streamed.status).toBe(413);
      const atLimit = JSON.stringify({ name: 'z'.repeat(2048 - '{"name":""}'.length) });
      expect(Buffer.byteLength(atLimit)).toBe(2048);
      const ok = await fetch(url, { method: 'POST', headers: serverHeaders, body: atLimit });
      expect(ok.status).toBe(201);
      expect(vendor.requests).toHaveLength(1);
    } finally {
      await unimap.close();
    }
  });

  test('remote response body: over transport.maxResponseBytes (with or without Content-Length) is 502 invalid_remote_response, not retried', async () => {
    const big = JSON.stringify({ users: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: 'x'.repeat(20) })) });
    const vendor = await serve((request, { res }) => {
      if (parse(request).query.chunked) {
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let i = 0; i < big.length; i += 1000) res.write(big.slice(i, i + 1000));
        res.end();
        return 'handled';
      }
      return { headers: { 'content-type': 'application/json' }, body: big };
    });
    const engine = sizedEngine({ maxResponseBytes: 10_000 });
    for (const chunked of [false, true]) {
      const before = vendor.requests.length;
      const error = await failure(engine.execute(sizedCall(vendor.host, 'list', { query: chunked ? { remote_query: { chunked: '1' } } : {} }), noWait));
      expect(error).toMatchObject({ code: 'invalid_remote_response', statusCode: 502, details: { max_response_bytes: 10_000 } });
      expect(error.message).toContain('larger than 10000 bytes');
      expect(vendor.requests.length - before).toBe(1);
    }
    // Under a larger limit the same body is read.
    const { body } = await sizedEngine({ maxResponseBytes: 1_000_000 }).execute(sizedCall(vendor.host));
    expect((body as { result_count: number }).result_count).toBe(2000);
  });

  test('YAML file size: over yamlLimits.maxBytes (default 1 MiB) is a yaml_limit problem', () => {
    const small = new Engine({ definitions: [{ file: 'sized.yaml', text: sizedYaml }], yamlLimits: { maxBytes: 200 } });
    expect(small.problems).toEqual([expect.objectContaining({ code: 'yaml_limit', message: 'File is larger than the limit of 200 bytes', location: expect.objectContaining({ file: 'sized.yaml' }) })]);
    const padded = `${sizedYaml}# ${'x'.repeat(1024 * 1024)}\n`;
    const byDefault = new Engine({ definitions: [{ file: 'big.yaml', text: padded }] });
    expect(byDefault.problems.map((p) => [p.code, p.message])).toEqual([['yaml_limit', 'File is larger than the limit of 1048576 bytes']]);
    expect(() => new Engine({ definitions: [{ file: 'big.yaml', text: padded }], strict: true })).toThrow(expect.objectContaining({ code: 'definitions_invalid' }));
  });

  test('YAML alias expansion (billion laughs) is a yaml_limit problem, quickly; yamlLimits.maxAliasCount is configurable', () => {
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const name = String.fromCharCode(97 + i);
      const prev = String.fromCharCode(96 + i);
      lol.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${prev}`).join(',')}]`);
    }
    const bomb = `${sizedYaml}x-bomb:\n${indent(lol.join('\n'), 2)}\n`;
    const started = Date.now();
    const engine = new Engine({ definitions: [{ file: 'bomb.yaml', text: bomb }] });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(engine.problems.map((p) => p.code)).toContain('yaml_limit');
    expectNoPollution();
    // A handful of aliases is fine by default and refused under a lower limit.
    const few = `${sizedYaml}x-few:\n  a: &a [1]\n  b: [*a, *a, *a, *a, *a]\n`;
    expect(new Engine({ definitions: [{ file: 'few.yaml', text: few }] }).problems.filter((p) => p.code === 'yaml_limit')).toEqual([]);
    expect(new Engine({ definitions: [{ file: 'few.yaml', text: few }], yamlLimits: { maxAliasCount: 2 } }).problems.map((p) => p.code)).toContain('yaml_limit');
  });

  test('YAML nesting depth over yamlLimits.maxDepth (default 64) is a yaml_limit problem', () => {
    const nest = (n: number): string => `${'['.repeat(n)}1${']'.repeat(n)}`;
    const deep = new Engine({ definitions: [{ file: 'deep.yaml', text: `${sizedYaml}x-deep: ${nest(100)}\n` }] });
    expect(deep.problems.map((p) => [p.code, p.message])).toEqual([['yaml_limit', 'Nesting is deeper than the limit of 64 levels']]);
    const absurd = new Engine({ definitions: [{ file: 'absurd.yaml', text: `${sizedYaml}x-deep: ${nest(100_000)}\n` }] });
    expect(absurd.problems.map((p) => p.code)).toEqual(['yaml_limit']);
    const shallow = new Engine({ definitions: [{ file: 'shallow.yaml', text: `${sizedYaml}x-deep: ${nest(10)}\n` }], yamlLimits: { maxDepth: 6 } });
    expect(shallow.problems.map((p) => p.code)).toEqual(['yaml_limit']);
  });

  test('a remote JSON response nested 100000 deep is a clear 502 through the server, not a 500 internal_error', async () => {
    const deep = `{"users": [{"id": 1, "d": ${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`;
    const vendor = await serve(() => ({ headers: { 'content-type': 'application/json' }, body: deep }));
    const unimap = await unimapServer(vendor.host);
    try {
      const response = await fetch(`${unimap.url}/unified/mdm/users?integrated_account_id=acct`, { headers: serverHeaders });
      const body = (await response.json()) as { code: string };
      // Today: the result (remote_data) cannot be serialised (RangeError) and the server answers 500 internal_error.
      expect(response.status).toBe(502);
      expect(body.code).toBe('invalid_remote_response');
    } finally {
      await unimap.close();
    }
  });

  test('a unified body whose remote_data is nested 50000 deep is a 400, not a 500 internal_error', async () => {
    const vendor = await serve(() => ({ status: 201, body: { id: 1 } }));
    const unimap = await unimapServer(vendor.host);
    try {
      const body = `{"name": "Ada", "remote_data": ${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`;
      const response = await fetch(`${unimap.url}/unified/mdm/users?integrated_account_id=acct`, { method: 'POST', headers: serverHeaders, body });
      const json = (await response.json()) as { code: string };
      // Today: JSON.stringify of the remote body overflows the stack in send() and the server answers 500 internal_error.
      expect(response.status).toBe(400);
      expect(json.code).toBe('invalid_body');
      expect(vendor.requests).toHaveLength(0);
    } finally {
      await unimap.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Remote faults
// ---------------------------------------------------------------------------------------------

describe('remote faults: a clear unified error within the timeout, no crash, no unhandled rejection', () => {
  const faultTimeoutMs = 400;
  const faultEngine = sizedEngine({ timeoutMs: faultTimeoutMs, maxRetries: 1 });

  test('connection refused: 502 remote_unreachable (GET retried, POST not)', async () => {
    const host = await closedHost();
    const attempts: RemoteCallEvent[] = [];
    const get = await failure(faultEngine.execute(sizedCall(host), { ...noWait, hooks: { onRemoteCall: (e) => attempts.push(e) } }));
    expect(get).toMatchObject({ code: 'remote_unreachable', statusCode: 502 });
    expect(get.message).toContain('ECONNREFUSED');
    expect(attempts).toHaveLength(2);
    const post = await failure(faultEngine.execute(sizedCall(host, 'create', { body: { name: 'Ada' } }), noWait));
    expect(post).toMatchObject({ code: 'remote_unreachable', statusCode: 502 });
  });

  type Fault = [string, Handler, string[], number];
  const faults: Fault[] = [
    [
      'a connection reset mid-body',
      (_r, { res }) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        res.write('{"users": [{"id": 1, "na');
        setTimeout(() => res.destroy(), 20);
        return 'handled';
      },
      ['remote_unreachable', 'invalid_remote_response'],
      502,
    ],
    [
      'a socket closed before any response',
      (_r, { req }) => {
        req.socket.destroy();
        return 'handled';
      },
      ['remote_unreachable'],
      502,
    ],
    [
      'a response that is not HTTP at all',
      (_r, { req }) => {
        req.socket.end('SSH-2.0-OpenSSH_9.0\r\n\r\n');
        return 'handled';
      },
      ['remote_unreachable'],
      502,
    ],
    ['truncated JSON (complete HTTP message)', () => ({ headers: { 'content-type': 'application/json' }, body: '{"users": [{"id": 1, "name": "A' }), ['invalid_remote_response'], 502],
    ['JSON under an XML content type', () => ({ headers: { 'content-type': 'application/xml' }, body: '{"users": [{"id": 1}]}' }), ['invalid_remote_response'], 502],
    ['XML under a JSON content type', () => ({ headers: { 'content-type': 'application/json' }, body: '<users><user><id>1</id></user></users>' }), ['invalid_remote_response'], 502],
    [
      'an XML billion-laughs document',
      () => ({
        headers: { 'content-type': 'application/xml' },
        body: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><users><user>&lol2;</user></users>`,
      }),
      ['invalid_remote_response'],
      502,
    ],
    ['an XML external entity (XXE)', () => ({ headers: { 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><users>&xxe;</users>' }), ['invalid_remote_response'], 502],
    ['XML nested 5000 elements deep', () => ({ headers: { 'content-type': 'application/xml' }, body: `${'<a>'.repeat(5000)}1${'</a>'.repeat(5000)}` }), ['invalid_remote_response'], 502],
    ['a 200 carrying an HTML error page', () => ({ headers: { 'content-type': 'text/html; charset=utf-8' }, body: '<!doctype html><html><body><h1>502 Bad Gateway</h1>nginx</body></html>' }), ['invalid_remote_response'], 502],
    // Today the next two answer 200 with an empty list: a text body has no `users`, so the records are [],
    // indistinguishable from "no users" (extractRecords in engine/pipeline/response.ts).
    ['a 200 with a plain-text error instead of the JSON list', () => ({ headers: { 'content-type': 'text/plain' }, body: 'upstream connect error or disconnect/reset before headers' }), ['invalid_remote_response'], 502],
    ['a 200 with binary garbage', () => ({ headers: { 'content-type': 'application/octet-stream' }, body: '\u0000\u0001\u0002\u00ff garbage' }), ['invalid_remote_response'], 502],
    [
      'a gzip Content-Encoding over a body that is not gzip',
      (_r, { res }) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end('{"users": []}');
        return 'handled';
      },
      ['remote_unreachable', 'invalid_remote_response'],
      502,
    ],
    ['a server that hangs (never answers)', () => 'handled', ['remote_timeout'], 504],
    [
      'a server that sends headers, then hangs mid-body',
      (_r, { res }) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"users": [');
        return 'handled';
      },
      ['remote_timeout'],
      504,
    ],
    [
      'a server that drips one byte every 50 ms forever',
      (_r, { res }) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 50);
        res.on('close', () => clearInterval(timer));
        return 'handled';
      },
      ['remote_timeout'],
      504,
    ],
  ];

  test.each(faults)('%s', async (_name, handler, codes, status) => {
    const vendor = await serve(handler);
    const started = Date.now();
    const error = await failure(faultEngine.execute(sizedCall(vendor.host), noWait));
    const elapsed = Date.now() - started;
    expect(codes).toContain(error.code);
    expect(error.statusCode).toBe(status);
    expect(error.message.length).toBeGreaterThan(10);
    // Within the timeout (each attempt is bounded by it; a GET is retried once here).
    expect(elapsed).toBeLessThan(2 * faultTimeoutMs + 1000);
    expect(JSON.stringify(error.toJSON())).not.toContain('    at ');
  });

  test('no unhandled rejection was seen by any test in this file so far', async () => {
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(unhandled).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

const TOKEN = 'tok-HOSTILE-SECRET-0001';
const PASSWORD = 'pw-HOSTILE-SECRET-0002';
const CLIENT_SECRET = 'cs-HOSTILE-SECRET-0003';
const ACCESS_TOKEN = 'at-HOSTILE-SECRET-0004';
const API_KEY = 'key+HOSTILE/SECRET=0005';
const PIN = 'pin-HOSTILE-SECRET-0006';

function secretsYaml(name: string, auth: string): string {
  return `name: ${name}
base_url: "http://{{context.host}}/api"
context:
  host: { required: true }
  api_token: { secret: true }
  username: {}
  password: { secret: true }
  client_id: {}
  client_secret: { secret: true }
  api_key: { secret: true }
  pin: { secret: true }
auth:
${indent(auth, 2)}
headers:
  x-pin: "{{context.pin}}"
resources:
  users:
    list: { path: /users, response_path: users, pagination: { type: next_url, next_url_path: next } }
    get: { path: "/users/{{id}}" }
    create: { method: POST, path: /users }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        query_schema: { type: object, properties: { boom: { type: string } } }
        response_mapping: 'query.boom ? $error("mapping failed for " & context.api_token & " " & context.api_key & " " & context.password) : { "id": $string(response.id), "name": response.name }'
      get: { resource: users, method: get, response_mapping: '{ "id": $string(response.id), "name": response.name }' }
      create:
        resource: users
        method: create
        body: { pin: "{{context.pin}}" }
        request_body_mapping: '{ "name": body.name }'
        response_mapping: '{ "id": $string(response.id), "name": response.name }'
`;
}

const authKinds = {
  bearer: 'type: bearer\ntoken: "{{context.api_token}}"',
  basic: 'type: basic\nusername: "{{context.username}}"\npassword: "{{context.password}}"',
  query_key: 'type: api_key\nin: query\nname: api_key\nvalue: "{{context.api_key}}"',
  header_key: 'type: api_key\nin: header\nname: X-Api-Key\nvalue: "{{context.api_key}}"',
  oauth2: 'type: oauth2_client_credentials\ntoken_url: "http://{{context.host}}/oauth/token"\nclient_id: "{{context.client_id}}"\nclient_secret: "{{context.client_secret}}"',
} as const;

type AuthKind = keyof typeof authKinds;
const allSecrets = [TOKEN, PASSWORD, CLIENT_SECRET, ACCESS_TOKEN, API_KEY, PIN, `admin:${PASSWORD}`, `client-1:${CLIENT_SECRET}`];

function secretsEngine(): Engine {
  return new Engine({ definitions: Object.entries(authKinds).map(([kind, auth]) => ({ file: `s_${kind}.yaml`, text: secretsYaml(`s_${kind}`, auth) })), strict: true });
}

function secretsCall(host: string, kind: AuthKind, method: string, extra: Partial<ExecuteCall> = {}): ExecuteCall {
  return {
    model: 'mdm',
    resource: 'users',
    method,
    ...extra,
    account: {
      id: 'acct-secret',
      integration: `s_${kind}`,
      context: { host, api_token: TOKEN, username: 'admin', password: PASSWORD, client_id: 'client-1', client_secret: CLIENT_SECRET, api_key: API_KEY, pin: PIN },
    },
  };
}

/** Everything the remote received, echoed back: headers, URL and body. */
function echo(request: { url: string; headers: Record<string, string>; body: string }): Record<string, unknown> {
  return { url: request.url, headers: request.headers, body: request.body, message: `denied: ${request.headers.authorization ?? ''} ${request.headers['x-api-key'] ?? ''} ${request.url}` };
}

/** A vendor that issues ACCESS_TOKEN, echoes every credential back, and fails where asked. */
async function echoVendor(): Promise<TestServer> {
  return serve((request): Reply => {
    const { path } = parse(request);
    if (path === '/oauth/token') return { body: { access_token: ACCESS_TOKEN, token_type: 'bearer', expires_in: 3600, echo: request.body } };
    const echoed = echo(request);
    if (path === '/api/users/deny') return { status: 401, headers: { 'x-echo': JSON.stringify(echoed.headers).replace(/[^\x20-\x7e]/g, '') }, body: echoed };
    if (path === '/api/users/text') return { status: 500, headers: { 'content-type': 'text/plain' }, body: `internal error for ${String(echoed.message)}` };
    if (path === '/api/users/moved') return { status: 302, headers: { location: `http://127.0.0.1:1${request.url}` } };
    if (request.method === 'POST') return { status: 201, body: { id: 2, name: 'Made', seen: echoed } };
    if (path === '/api/users') return { headers: { 'x-echo-url': request.url }, body: { users: [{ id: 1, name: 'Echo', seen: echoed }] } };
    return { body: { id: 3, name: 'One', seen: echoed } };
  });
}

describe('secrets never leave the engine', () => {
  const kinds = Object.keys(authKinds) as AuthKind[];

  test.each(kinds.map((k) => [k]))('%s: a remote error echoing every credential (body, headers, text, redirect): errors and hooks are redacted', async (kind) => {
    const vendor = await echoVendor();
    const engine = secretsEngine();
    const events: unknown[] = [];
    const hooks = { onStep: (e: StepEvent) => events.push(e), onRemoteCall: (e: RemoteCallEvent) => events.push(e) };
    const errors: UnimapError[] = [];
    for (const id of ['deny', 'text', 'moved']) errors.push(await failure(engine.execute(secretsCall(vendor.host, kind, 'get', { id }), { ...noWait, hooks })));
    errors.push(await failure(engine.execute(secretsCall(vendor.host, kind, 'list', { query: { boom: '1' } }), { ...noWait, hooks })));
    expect(errors.map((e) => e.statusCode)).toEqual([401, 500, 502, 500]);
    // The echoes did reach the errors, redacted.
    expect(JSON.stringify(errors[0]!.remote)).toContain('[REDACTED]');
    for (const error of errors) {
      expectNoSecret(JSON.stringify(error), ...allSecrets);
      expectNoSecret(error.message, ...allSecrets);
      expectNoSecret(String(error.stack), ...allSecrets);
    }
    expect(events.length).toBeGreaterThan(0);
    expectNoSecret(JSON.stringify(events), ...allSecrets);
  });

  test.each(kinds.map((k) => [k]))('%s: the debug trace (list, get, create) and hooks carry no secret, though the remote echoed them all', async (kind) => {
    const vendor = await echoVendor();
    const engine = secretsEngine();
    const events: unknown[] = [];
    const hooks = { onStep: (e: StepEvent) => events.push(e), onRemoteCall: (e: RemoteCallEvent) => events.push(e) };
    const traces: unknown[] = [];
    const responses: unknown[] = [];
    for (const ignore of [false, true]) {
      const query = { truto_response_format: 'debug', ...(ignore ? { truto_ignore_remote_data: 'true' } : {}) };
      for (const call of [
        secretsCall(vendor.host, kind, 'list', { query }),
        secretsCall(vendor.host, kind, 'get', { id: '3', query }),
        secretsCall(vendor.host, kind, 'create', { body: { name: 'Ada' }, query }),
      ]) {
        const result = await engine.execute(call, { hooks });
        traces.push((result.body as { debug: unknown }).debug);
        if (ignore) responses.push(result);
      }
    }
    const text = JSON.stringify(traces);
    // The remote did receive the credentials, and the trace holds its echo, redacted.
    expect(vendor.requests.some((r) => JSON.stringify(r).includes(PIN))).toBe(true);
    expect(text).toContain('[REDACTED]');
    expectNoSecret(text, ...allSecrets);
    expectNoSecret(JSON.stringify(events), ...allSecrets);
    // With truto_ignore_remote_data (the mapping exposes nothing the remote echoed), the whole debug response is clean.
    // (Without it, `result.remote_data` is the remote's own record as it sent it, echo included, as in the unified format.)
    expectNoSecret(JSON.stringify(responses), ...allSecrets);
  });

  test('a secret echoed more than 64 levels deep in a remote error body is redacted too', async () => {
    const vendor = await serve(() => {
      let nested: unknown = { message: `bad token ${TOKEN}` };
      for (let i = 0; i < 80; i++) nested = { inner: nested };
      return { status: 400, body: nested };
    });
    const events: unknown[] = [];
    const error = await failure(secretsEngine().execute(secretsCall(vendor.host, 'bearer', 'get', { id: '1' }), { hooks: { onRemoteCall: (e) => events.push(e) } }));
    expect(error.statusCode).toBe(400);
    // Today: Redactor.deep returns anything below depth 64 as it is, secrets included.
    expectNoSecret(JSON.stringify(error), TOKEN);
    expectNoSecret(JSON.stringify(events), TOKEN);
  });

  test('a secret used as an object KEY in a remote error body is redacted too', async () => {
    const vendor = await serve(() => ({ status: 403, body: { revoked_keys: { [TOKEN]: 'revoked', [API_KEY]: 'revoked' } } }));
    const error = await failure(secretsEngine().execute(secretsCall(vendor.host, 'bearer', 'get', { id: '1' })));
    expect(error.statusCode).toBe(403);
    // Today: Redactor.deep redacts values only; keys are copied as they are.
    expectNoSecret(JSON.stringify(error), TOKEN, API_KEY);
  });

  test('a secret that straddles the 200-character snippet cut of an HTML page is not half shown', async () => {
    const vendor = await serve(() => ({ headers: { 'content-type': 'text/html' }, body: `<html><body>${'x'.repeat(168)} key=${API_KEY}</body></html>` }));
    const error = await failure(secretsEngine().execute(secretsCall(vendor.host, 'query_key', 'get', { id: '1' })));
    expect(error).toMatchObject({ code: 'invalid_remote_response', statusCode: 502 });
    // Today: the snippet is cut to 200 characters BEFORE redaction, so the first characters of the key survive.
    const text = JSON.stringify(error);
    expect(text).not.toContain(API_KEY.slice(0, 6));
  });

  test('a secret that straddles the 300-character cut of a remote error message is not half shown', async () => {
    const vendor = await serve(() => ({ status: 401, body: { message: `${'x'.repeat(285)} token ${TOKEN} is revoked` } }));
    const error = await failure(secretsEngine().execute(secretsCall(vendor.host, 'bearer', 'get', { id: '1' })));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 401 });
    // Today: remoteMessage cuts the message to 300 characters before redactError redacts it.
    expect(error.message).not.toContain(TOKEN.slice(0, 6));
  });

  test('an api key in the query, echoed by the remote in its next-page URL, is not carried in next_cursor or the debug trace', async () => {
    const vendor: TestServer = await serve((request) =>
      parse(request).query.page ? { body: { users: [{ id: 2 }] } } : { body: { users: [{ id: 1 }], next: `${vendor.origin}/api/users?page=2&api_key=${encodeURIComponent(API_KEY)}` } },
    );
    const engine = secretsEngine();
    const plain = (await engine.execute(secretsCall(vendor.host, 'query_key', 'list'))).body as { next_cursor: string };
    const debug = (await engine.execute(secretsCall(vendor.host, 'query_key', 'list', { query: { truto_response_format: 'debug' } }))).body as { result: { next_cursor: string } };
    // Today: the next-page URL, key included, is stored in the opaque cursor (base64url JSON) and handed to the caller.
    for (const cursor of [plain.next_cursor, debug.result.next_cursor]) {
      expect(cursor).toEqual(expect.any(String));
      expectNoSecret(Buffer.from(cursor, 'base64url').toString('utf8'), API_KEY);
    }
    // Following the cursor still sends the real key, once.
    const second = (await engine.execute(secretsCall(vendor.host, 'query_key', 'list', { query: { next_cursor: plain.next_cursor } }))).body as { result: unknown[] };
    expect(second.result).toHaveLength(1);
    expect(new URL(vendor.requests.at(-1)!.url, 'http://placeholder').searchParams.getAll('api_key')).toEqual([API_KEY]);
  });

  test('a secret in a malformed JSON body, a connection error and a timeout: never in the error', async () => {
    const malformed = await serve((request) => ({ headers: { 'content-type': 'application/json' }, body: `{"echo": "${request.url}", "token": "${TOKEN}` }));
    const engine = new Engine({ definitions: Object.entries(authKinds).map(([kind, auth]) => ({ file: `s_${kind}.yaml`, text: secretsYaml(`s_${kind}`, auth) })), strict: true, transport: { timeoutMs: 300, maxRetries: 0 } });
    const bad = await failure(engine.execute(secretsCall(malformed.host, 'query_key', 'get', { id: '1' })));
    expect(bad.code).toBe('invalid_remote_response');
    expectNoSecret(JSON.stringify(bad), TOKEN, API_KEY);
    const refused = await failure(engine.execute(secretsCall(await closedHost(), 'query_key', 'get', { id: '1' })));
    expectNoSecret(JSON.stringify(refused), API_KEY);
    const hang = await serve(() => 'handled');
    const timeout = await failure(engine.execute(secretsCall(hang.host, 'query_key', 'get', { id: '1' })));
    expect(timeout.code).toBe('remote_timeout');
    expectNoSecret(JSON.stringify(timeout), API_KEY);
  });
});

test('no unhandled rejection was seen by any test in this file', async () => {
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(unhandled).toEqual([]);
});
