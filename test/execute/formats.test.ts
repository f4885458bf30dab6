import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { Engine, UnimapError, type ExecuteCall, type ListResult, type RemoteCallEvent, type StepEvent } from '../../engine/index.js';
import { parse, startServer, type RecordedRequest, type Reply, type TestServer } from '../support/http-server.js';
import { Redactor } from '../../engine/transport/redact.js';

// `truto_response_format` end to end against a real local server: unified, raw, normalized,
// stream, debug; hooks; and secrets never leaving the engine (debug, hooks, errors).

const TOKEN = 'sk-live-SECRET-123';
const PASSWORD = 'hunter2-PASS-456';
const CLIENT_SECRET = 'cs-OAUTH-CLIENT-SECRET-789';
const ACCESS_TOKEN = 'at-OAUTH-ACCESS-TOKEN-999';
// Azure AD client secrets look like this: `~` and `.` are part of the alphabet.
const AZURE_SECRET = 'Xq8Q~abcDEF.ghiJKL_mnoPQR-stu';

const users = [1, 2, 3].map((n) => ({ id: n, name: `User ${n}` }));

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Every form a secret can take on the wire: as is, URL-encoded (both flavours) and Base64. */
function forms(secret: string): string[] {
  return [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2), base64(secret)])];
}

function expectNoSecret(text: string, ...secrets: string[]): void {
  for (const secret of secrets) for (const form of forms(secret)) expect(text, `leaked ${JSON.stringify(form)}`).not.toContain(form);
}

/** What the remote echoes back: every credential it received, in its body and headers. */
function echoOf(request: RecordedRequest): { authorization: string; url: string; decoded: string; body: string } {
  const authorization = request.headers.authorization ?? '';
  const decoded = authorization.startsWith('Basic ') ? Buffer.from(authorization.slice(6), 'base64').toString('utf8') : '';
  return { authorization, url: request.url, decoded, body: request.body };
}

let server: TestServer;

beforeAll(async () => {
  server = await startServer((request): Reply => {
    const { path, query } = parse(request);
    if (path === '/users' && request.method === 'GET') {
      const start = Number(query.cursor ?? 0);
      const next = start + 2 < users.length ? String(start + 2) : undefined;
      return { headers: { 'x-remote': 'yes' }, body: { users: users.slice(start, start + 2), ...(next ? { next } : {}) } };
    }
    if (path === '/users' && request.method === 'POST') {
      const sent = JSON.parse(request.body) as { name: string };
      return { status: 200, body: { id: 42, name: sent.name } };
    }
    if (path === '/users/99') return { status: 404, headers: { 'x-remote': 'missing' }, body: { error: 'not_found', message: 'no user 99' } };
    if (path === '/flaky' && !query.cursor) return { body: { users: users.slice(0, 2), next: '2' } };
    if (path === '/users/deny' || path === '/flaky') {
      return {
        status: 401,
        headers: { 'www-authenticate': `Bearer error="invalid_token", token="${TOKEN}"`, 'x-echo-auth': request.headers.authorization ?? '' },
        body: { message: `invalid token ${request.headers.authorization ?? ''}`, received: request.headers.authorization, hint: `token ${TOKEN} was revoked` },
      };
    }
    if (/^\/users\/\w+$/.test(path) && request.method === 'GET') return { body: { id: Number(path.slice(7)) || 7, name: 'One' } };
    if (/^\/users\/\w+$/.test(path) && request.method === 'DELETE') return { status: 204 };
    if (path === '/rich') return { body: { users: [richUser(1), richUser(2)] } };
    if (/^\/rich\/\w+$/.test(path)) return { body: richUser(5) };
    if (path === '/echo') {
      const echo = echoOf(request);
      return {
        headers: { 'x-echo-auth': echo.authorization, 'x-echo-url': echo.url, 'x-echo-decoded': echo.decoded },
        body: { users: [{ id: 1, name: 'Echo', seen_auth: echo.authorization, seen_url: echo.url, seen_decoded: echo.decoded }], meta: echo },
      };
    }
    if (path === '/oauth/token') {
      return { body: { access_token: ACCESS_TOKEN, token_type: 'bearer', expires_in: 3600, echo: request.body, echo_auth: request.headers.authorization ?? null } };
    }
    return { status: 404, body: { message: `no route ${request.method} ${path}` } };
  });
});

afterAll(() => server.close());

function richUser(id: number) {
  return { id, name: `Rich ${id}`, active: 'true', created: 1704164645, updated: '2024-01-02 03:04:05', nick: 'Bob' };
}

const resources = `resources:
  users:
    list: { path: /users, response_path: users, pagination: { type: cursor, cursor_path: next, cursor_param: cursor } }
    get: { path: "/users/{{id}}" }
    create: { path: /users, method: POST }
    delete: { path: "/users/{{id}}", method: DELETE }
  rich:
    list: { path: /rich, response_path: users }
    get: { path: "/rich/{{id}}" }
  echo:
    list: { path: /echo, response_path: users }
  flaky:
    list: { path: /flaky, response_path: users, pagination: { type: cursor, cursor_path: next, cursor_param: cursor } }
`;

const plainUnified = `unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: '{ "id": $string(response.id), "name": response.name }'
      get:
        resource: users
        method: get
        response_mapping: '{ "id": $string(response.id), "name": response.name }'
      create:
        resource: users
        method: create
        request_body_mapping: '{ "name": body.name }'
        response_mapping: '{ "id": $string(response.id), "name": response.name }'
      delete:
        resource: users
        method: delete
`;

const bearer = `name: fmt
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  api_token: { secret: true }
auth: { type: bearer, token: "{{context.api_token}}" }
${resources}${plainUnified}`;

// The rich mapping: a number id, a string boolean, dates as epoch seconds and as "YYYY-MM-DD HH:mm:ss",
// a property the model does not have, and a nested object with an extra property.
const richMapping = `'{ "id": response.id, "name": response.name, "is_active": response.active, "created_at": response.created, "updated_at": response.updated, "nickname": response.nick, "organization": { "id": 7, "extra": 1 } }'`;
const rich = `name: fmtrich
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  api_token: { secret: true }
auth: { type: bearer, token: "{{context.api_token}}" }
${resources}unified:
  mdm:
    users:
      list: { resource: rich, method: list, response_mapping: ${richMapping} }
      get: { resource: rich, method: get, response_mapping: ${richMapping} }
`;

// The echo endpoint, reached with each kind of auth. The mapping exposes nothing the remote echoed.
const echoUnified = `unified:
  mdm:
    users:
      list:
        resource: echo
        method: list
        response_mapping: '{ "id": $string(response.id), "name": response.name }'
`;
const flaky = `name: fmtflaky
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  api_token: { secret: true }
auth: { type: bearer, token: "{{context.api_token}}" }
${resources}unified:
  mdm:
    users:
      list: { resource: flaky, method: list, response_mapping: '{ "id": $string(response.id) }' }
`;
const echoBearer = `name: echobearer
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  api_token: { secret: true }
auth: { type: bearer, token: "{{context.api_token}}" }
${resources}${echoUnified}`;
const echoBasic = `name: echobasic
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  username: { required: true }
  password: { secret: true }
auth: { type: basic, username: "{{context.username}}", password: "{{context.password}}" }
${resources}${echoUnified}`;
const echoQueryKey = `name: echokey
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  api_token: { secret: true }
auth: { type: api_key, in: query, name: api_key, value: "{{context.api_token}}" }
${resources}${echoUnified}`;
const echoOauth = (clientAuth: 'body' | 'basic') => `name: echooauth${clientAuth}
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  client_id: { required: true }
  client_secret: { secret: true }
auth: { type: oauth2_client_credentials, token_url: "http://{{context.host}}/oauth/token", client_id: "{{context.client_id}}", client_secret: "{{context.client_secret}}", client_auth: ${clientAuth} }
${resources}${echoUnified}`;

function makeEngine(): Engine {
  return new Engine({
    definitions: [
      { file: 'fmt.yaml', text: bearer },
      { file: 'fmtrich.yaml', text: rich },
      { file: 'fmtflaky.yaml', text: flaky },
      { file: 'echobearer.yaml', text: echoBearer },
      { file: 'echobasic.yaml', text: echoBasic },
      { file: 'echokey.yaml', text: echoQueryKey },
      { file: 'echooauthbody.yaml', text: echoOauth('body') },
      { file: 'echooauthbasic.yaml', text: echoOauth('basic') },
    ],
    strict: true,
  });
}

const engine = makeEngine();

function call(method: string, extra: Partial<ExecuteCall> = {}, integration = 'fmt', context: Record<string, unknown> = { api_token: TOKEN }): ExecuteCall {
  return {
    model: 'mdm',
    resource: 'users',
    method,
    ...extra,
    account: { id: 'acct-1', integration, context: { host: server.host, ...context } },
  };
}

function requestsSince(count: number): RecordedRequest[] {
  return server.requests.slice(count);
}

type Envelope = ListResult<Record<string, unknown>>;

describe('unified (the default)', () => {
  test('list: the envelope {result, next_cursor, prev_cursor, result_count}, status 200', async () => {
    const result = await engine.execute(call('list', { query: { truto_ignore_remote_data: 'true' } }));
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/json');
    const body = result.body as Envelope;
    expect(Object.keys(body).sort()).toEqual(['next_cursor', 'prev_cursor', 'result', 'result_count']);
    expect(body.result).toEqual([
      { id: '1', name: 'User 1' },
      { id: '2', name: 'User 2' },
    ]);
    expect(body.result_count).toBe(2);
    expect(body.prev_cursor).toBeNull();
    expect(typeof body.next_cursor).toBe('string');

    const second = (await engine.execute(call('list', { query: { truto_ignore_remote_data: 'true', next_cursor: body.next_cursor } }))).body as Envelope;
    expect(second.result).toEqual([{ id: '3', name: 'User 3' }]);
    expect(second.next_cursor).toBeNull();
    expect(second.prev_cursor).toBe(body.next_cursor);
  });

  test('the remote request carries the bearer token from the account', async () => {
    const before = server.requests.length;
    await engine.execute(call('list'));
    const [request] = requestsSince(before);
    expect(request!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('create: status 201 and the bare object (even when the remote answered 200)', async () => {
    const result = await engine.execute(call('create', { body: { name: 'New' } }));
    expect(result.status).toBe(201);
    expect(result.body).toEqual({ id: '42', name: 'New', remote_data: { id: 42, name: 'New' } });
  });

  test('get: status 200 and the bare object', async () => {
    const result = await engine.execute(call('get', { id: '3', query: { truto_ignore_remote_data: 'true' } }));
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ id: '3', name: 'One' });
  });

  test('delete: {id}, status 200', async () => {
    const before = server.requests.length;
    const result = await engine.execute(call('delete', { id: '5' }));
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ id: '5' });
    const [request] = requestsSince(before);
    expect(request!.method).toBe('DELETE');
    expect(parse(request!).path).toBe('/users/5');
  });

  test('a remote 404 is a 404 remote_error', async () => {
    const error = await engine.execute(call('get', { id: '99' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnimapError);
    expect((error as UnimapError).code).toBe('remote_error');
    expect((error as UnimapError).statusCode).toBe(404);
  });
});

describe('raw', () => {
  test('list: the remote body untouched, the remote status and headers', async () => {
    const result = await engine.execute(call('list', { query: { truto_response_format: 'raw' } }));
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ users: users.slice(0, 2), next: '2' });
    expect(result.headers['x-remote']).toBe('yes');
  });

  test('create: the remote status (200), not the unified 201', async () => {
    const result = await engine.execute(call('create', { body: { name: 'Raw' }, query: { truto_response_format: 'raw' } }));
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ id: 42, name: 'Raw' });
  });

  test('a remote 404 returns the 404 body and status instead of throwing', async () => {
    const result = await engine.execute(call('get', { id: '99', query: { truto_response_format: 'raw' } }));
    expect(result.status).toBe(404);
    expect(result.body).toEqual({ error: 'not_found', message: 'no user 99' });
    expect(result.headers['x-remote']).toBe('missing');
  });
});

describe('normalized', () => {
  const expected = (id: number) => ({
    id: String(id),
    name: `Rich ${id}`,
    is_active: true,
    created_at: '2024-01-02T03:04:05.000Z',
    updated_at: '2024-01-02T03:04:05.000Z',
    organization: { id: '7' },
    remote_data: richUser(id),
  });

  test('get: ids as strings, booleans coerced, ISO-8601 UTC dates, unknown properties dropped at every level, remote_data kept', async () => {
    const unified = (await engine.execute(call('get', { id: '5' }, 'fmtrich'))).body as Record<string, unknown>;
    // The unified format passes the mapping's output through as it is.
    expect(unified.id).toBe(5);
    expect(unified.nickname).toBe('Bob');

    const result = await engine.execute(call('get', { id: '5', query: { truto_response_format: 'normalized' } }, 'fmtrich'));
    expect(result.status).toBe(200);
    expect(result.body).toEqual(expected(5));
  });

  test('list: every record normalized inside the envelope', async () => {
    const result = await engine.execute(call('list', { query: { truto_response_format: 'normalized' } }, 'fmtrich'));
    expect(result.status).toBe(200);
    const body = result.body as Envelope;
    expect(body.result).toEqual([expected(1), expected(2)]);
    expect(body.result_count).toBe(2);
    expect(body.next_cursor).toBeNull();
  });

  test('list with truto_key_by: the normalized records, keyed by their normalized id', async () => {
    const result = await engine.execute(call('list', { query: { truto_response_format: 'normalized', truto_key_by: 'id' } }, 'fmtrich'));
    expect((result.body as { result: unknown }).result).toEqual({ '1': expected(1), '2': expected(2) });
  });
});

describe('truto_key_by over HTTP', () => {
  test('unified and debug: the page keyed by id, with its cursor; debug keys its result the same way', async () => {
    const query = { truto_key_by: 'id', truto_ignore_remote_data: 'true' };
    const unified = (await engine.execute(call('list', { query }))).body as Record<string, unknown>;
    expect(unified.result).toEqual({ '1': { id: '1', name: 'User 1' }, '2': { id: '2', name: 'User 2' } });
    expect(unified.result_count).toBe(2);
    expect(typeof unified.next_cursor).toBe('string');
    const debug = (await engine.execute(call('list', { query: { ...query, truto_response_format: 'debug' } }))).body as { result: unknown };
    expect(debug.result).toEqual(unified);
  });
});

describe('stream', () => {
  test('an async iterable of unified records across pages, as application/x-ndjson', async () => {
    const before = server.requests.length;
    const result = await engine.execute(call('list', { query: { truto_response_format: 'stream', truto_ignore_remote_data: 'true' } }));
    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/x-ndjson');
    const body = result.body as AsyncIterable<Record<string, unknown>>;
    expect(typeof body[Symbol.asyncIterator]).toBe('function');
    const records: Record<string, unknown>[] = [];
    for await (const record of body) records.push(record);
    expect(records).toEqual(users.map((u) => ({ id: String(u.id), name: u.name })));
    const paths = requestsSince(before).map((r) => r.url);
    expect(paths).toEqual(['/users', '/users?cursor=2']);
  });
});

describe('debug', () => {
  test('{result, debug: {steps, remote_calls, total_ms}}, result equal to the unified output', async () => {
    const unified = await engine.execute(call('list'));
    const result = await engine.execute(call('list', { query: { truto_response_format: 'debug' } }));
    expect(result.status).toBe(200);
    const body = result.body as { result: unknown; debug: { steps: StepEvent[]; remote_calls: RemoteCallEvent[]; total_ms: number } };
    expect(Object.keys(body).sort()).toEqual(['debug', 'result']);
    expect(body.result).toEqual(unified.body);
    expect(typeof body.debug.total_ms).toBe('number');
    expect(body.debug.total_ms).toBeGreaterThanOrEqual(0);
    const names = body.debug.steps.map((s) => s.step);
    expect(names).toEqual(expect.arrayContaining(['request', 'response']));
    for (const step of body.debug.steps) expect(step.durationMs).toBeGreaterThanOrEqual(0);

    expect(body.debug.remote_calls).toHaveLength(1);
    const [remote] = body.debug.remote_calls;
    expect(remote!.request.method).toBe('GET');
    expect(remote!.request.url).toBe(`${server.origin}/users`);
    expect(remote!.response?.status).toBe(200);
    expect(remote!.response?.body).toEqual({ users: users.slice(0, 2), next: '2' });
    expect(remote!.durationMs).toBeGreaterThanOrEqual(0);
    // The credential header is there, redacted.
    expect(remote!.request.headers.authorization).toBe('[REDACTED]');
    expectNoSecret(JSON.stringify(body), TOKEN);
  });

  type DebugBody = { result: Envelope; debug: { steps: StepEvent[]; remote_calls: RemoteCallEvent[] } };

  async function debugEcho(eng: Engine, integration: string, context: Record<string, unknown>): Promise<{ text: string; body: DebugBody }> {
    const result = await eng.execute(call('list', { query: { truto_response_format: 'debug', truto_ignore_remote_data: 'true' } }, integration, context));
    const body = result.body as DebugBody;
    // The remote did receive and echo credentials; the mapping did not expose them.
    expect(body.result.result).toEqual([{ id: '1', name: 'Echo' }]);
    return { text: JSON.stringify(result), body };
  }

  test('bearer: the token never appears, though the remote echoes it in its body and headers', async () => {
    const { text, body } = await debugEcho(engine, 'echobearer', { api_token: TOKEN });
    const main = body.debug.remote_calls.find((c) => c.purpose === 'main')!;
    expect(main.response?.headers['x-echo-auth']).toBe('Bearer [REDACTED]');
    expectNoSecret(text, TOKEN);
    // The echo did reach the trace, redacted.
    expect(text).toContain('[REDACTED]');
  });

  test('basic auth: neither the password nor the Base64 credentials appear', async () => {
    const { text } = await debugEcho(engine, 'echobasic', { username: 'admin', password: PASSWORD });
    expectNoSecret(text, PASSWORD, `admin:${PASSWORD}`);
    // The echo did reach the trace, redacted.
    expect(text).toContain('[REDACTED]');
  });

  test('api_key in the query: the key never appears, in the request URL or the echoed URL', async () => {
    const before = server.requests.length;
    const { text, body } = await debugEcho(engine, 'echokey', { api_token: TOKEN });
    expect(parse(requestsSince(before)[0]!).query.api_key).toBe(TOKEN);
    const main = body.debug.remote_calls.find((c) => c.purpose === 'main')!;
    expect(main.request.url).toContain('api_key=');
    expectNoSecret(text, TOKEN);
    // The echo did reach the trace, redacted.
    expect(text).toContain('[REDACTED]');
  });

  test('api_key in the query with characters URLSearchParams encodes differently from encodeURIComponent', async () => {
    const key = 'sk~live!SECRET(123)';
    const before = server.requests.length;
    const { text } = await debugEcho(engine, 'echokey', { api_token: key });
    expect(parse(requestsSince(before)[0]!).query.api_key).toBe(key);
    expectNoSecret(text, key);
    // The echo did reach the trace, redacted.
    expect(text).toContain('[REDACTED]');
  });

  test('OAuth2 client credentials (form body): neither the client secret nor the access token appears', async () => {
    const fresh = makeEngine();
    const { text, body } = await debugEcho(fresh, 'echooauthbody', { client_id: 'client-abc', client_secret: CLIENT_SECRET });
    expect(body.debug.remote_calls.map((c) => c.purpose)).toEqual(['oauth2_token', 'main']);
    expectNoSecret(text, CLIENT_SECRET, ACCESS_TOKEN);
    // The echo did reach the trace, redacted.
    expect(text).toContain('[REDACTED]');
  });

  test('OAuth2 client credentials (client_auth: basic): neither the client secret nor the access token appears', async () => {
    const fresh = makeEngine();
    const { text } = await debugEcho(fresh, 'echooauthbasic', { client_id: 'client-abc', client_secret: CLIENT_SECRET });
    expectNoSecret(text, CLIENT_SECRET, `client-abc:${CLIENT_SECRET}`, ACCESS_TOKEN);
    // The echo did reach the trace, redacted.
    expect(text).toContain('[REDACTED]');
  });

  test('OAuth2 with an Azure-style client secret (contains "~"): the secret never appears', async () => {
    const fresh = makeEngine();
    const before = server.requests.length;
    const { text } = await debugEcho(fresh, 'echooauthbody', { client_id: 'client-azure', client_secret: AZURE_SECRET });
    const tokenRequest = requestsSince(before).find((r) => r.url === '/oauth/token')!;
    expect(new URLSearchParams(tokenRequest.body).get('client_secret')).toBe(AZURE_SECRET);
    expectNoSecret(text, AZURE_SECRET, ACCESS_TOKEN);
    // The echo did reach the trace, redacted.
    expect(text).toContain('[REDACTED]');
  });
});

describe('hooks', () => {
  const spies: ReturnType<typeof vi.spyOn>[] = [];
  afterEach(() => {
    for (const spy of spies.splice(0)) spy.mockRestore();
  });

  test('onStep and onRemoteCall see every step and every remote call with durations, no secret, and nothing is printed', async () => {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) spies.push(vi.spyOn(console, method).mockImplementation(() => undefined));
    const steps: StepEvent[] = [];
    const remote: RemoteCallEvent[] = [];
    const fresh = makeEngine();
    const hooks = { onStep: (e: StepEvent) => steps.push(e), onRemoteCall: (e: RemoteCallEvent) => remote.push(e) };

    const result = await fresh.execute(call('list', {}, 'echooauthbody', { client_id: 'client-hooks', client_secret: CLIENT_SECRET }), { hooks });
    expect((result.body as Envelope).result).toHaveLength(1);
    expect(steps.map((s) => s.step)).toEqual(['before', 'request', 'response', 'after']);
    for (const step of steps) {
      expect(typeof step.durationMs).toBe('number');
      expect(step.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(remote.map((r) => r.purpose)).toEqual(['oauth2_token', 'main']);
    for (const event of remote) {
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      expect(event.response?.status).toBe(200);
      expect(event.request.url.startsWith(server.origin)).toBe(true);
    }

    // A paged list through hooks: one remote call per page.
    const paged: RemoteCallEvent[] = [];
    const stream = await engine.execute(call('list', { query: { truto_response_format: 'stream' } }), { hooks: { onRemoteCall: (e) => paged.push(e) } });
    let count = 0;
    for await (const _ of stream.body as AsyncIterable<unknown>) count++;
    expect(count).toBe(3);
    expect(paged.map((e) => e.request.url)).toEqual([`${server.origin}/users`, `${server.origin}/users?cursor=2`]);

    // The bearer echo, through hooks.
    const echoed: unknown[] = [];
    await engine.execute(call('list', {}, 'echobearer'), { hooks: { onStep: (e) => echoed.push(e), onRemoteCall: (e) => echoed.push(e) } });
    expect(echoed.length).toBeGreaterThan(0);

    expectNoSecret(JSON.stringify([steps, remote, paged, echoed]), TOKEN, CLIENT_SECRET, ACCESS_TOKEN);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  test('a failing call reports the failure to hooks, redacted', async () => {
    const steps: StepEvent[] = [];
    const remote: RemoteCallEvent[] = [];
    await expect(engine.execute(call('get', { id: 'deny' }), { hooks: { onStep: (e) => steps.push(e), onRemoteCall: (e) => remote.push(e) } })).rejects.toBeInstanceOf(UnimapError);
    expect(remote).toHaveLength(1);
    expect(remote[0]!.response?.status).toBe(401);
    const failed = steps.find((s) => s.step === 'response')!;
    expect(failed.error?.code).toBe('remote_error');
    expectNoSecret(JSON.stringify([steps, remote]), TOKEN);
  });

  test('without hooks or debug, no redacted copy of the remote calls is made (it would copy every page)', async () => {
    spies.push(vi.spyOn(Redactor.prototype, 'value'), vi.spyOn(Redactor.prototype, 'headers'));
    const result = await engine.execute(call('list', {}, 'echooauthbody', { client_id: 'client-quiet', client_secret: CLIENT_SECRET }));
    expect((result.body as Envelope).result).toHaveLength(1);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    // With a hook, the same call is reported (and redacted) again.
    const remote: RemoteCallEvent[] = [];
    await engine.execute(call('list', {}, 'echooauthbody', { client_id: 'client-quiet', client_secret: CLIENT_SECRET }), { hooks: { onRemoteCall: (e) => remote.push(e) } });
    expect(remote.length).toBeGreaterThan(0);
    expect(spies[0]).toHaveBeenCalled();
  });

  test('nothing is printed without hooks either', async () => {
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) spies.push(vi.spyOn(console, method).mockImplementation(() => undefined));
    await engine.execute(call('list'));
    await engine.execute(call('get', { id: 'deny' })).catch(() => undefined);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});

describe('errors never carry secrets', () => {
  test('a remote 401 echoing the bearer token: message, remote body and headers are redacted', async () => {
    const error = await engine.execute(call('get', { id: 'deny' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnimapError);
    const e = error as UnimapError;
    expect(e.statusCode).toBe(401);
    expect(e.code).toBe('remote_error');
    // The echo reached the error, redacted.
    expect(e.message).toContain('invalid token Bearer [REDACTED]');
    expect(e.remote?.status).toBe(401);
    expect((e.remote?.body as { received: string }).received).toBe('Bearer [REDACTED]');
    expect(e.remote?.headers['x-echo-auth']).toBe('Bearer [REDACTED]');
    expectNoSecret(JSON.stringify(e), TOKEN);
    expectNoSecret(e.message, TOKEN);
    expectNoSecret(String(e.stack), TOKEN);
    expectNoSecret(JSON.stringify(e.remote), TOKEN);
  });

  test('a 401 on the second page of a stream: the error thrown by the iterator is redacted', async () => {
    const result = await engine.execute(call('list', { query: { truto_response_format: 'stream' } }, 'fmtflaky'));
    const ids: unknown[] = [];
    let caught: unknown;
    try {
      for await (const record of result.body as AsyncIterable<{ id: string }>) ids.push(record.id);
    } catch (error) {
      caught = error;
    }
    expect(ids).toEqual(['1', '2']);
    expect(caught).toBeInstanceOf(UnimapError);
    expect((caught as UnimapError).statusCode).toBe(401);
    expect((caught as UnimapError).message).toContain('[REDACTED]');
    expectNoSecret(JSON.stringify(caught), TOKEN);
    expectNoSecret((caught as UnimapError).message, TOKEN);
  });

  test('the same 401 in debug format: the error is redacted as well', async () => {
    const error = await engine.execute(call('get', { id: 'deny', query: { truto_response_format: 'debug' } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnimapError);
    expectNoSecret(JSON.stringify(error), TOKEN);
  });
});
