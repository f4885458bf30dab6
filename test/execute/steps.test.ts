import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { Engine, UnimapError, type ExecuteCall, type ListResult, type StepEvent } from '../../engine/index.js';
import { parse, startServer, type RecordedRequest, type Reply, type TestServer } from '../support/http-server.js';

// Before steps, after steps, side loads and static responses, end to end against a real local server.

const TOKEN = 'sk-live-SECRET-123';

const groups: Record<string, { id: string; name: string; owner: string }> = {
  g7: { id: 'g7', name: 'Admins', owner: 'o1' },
  o1: { id: 'o1', name: 'Owners', owner: 'o1' },
};

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Side loads: how many /users/{id}/groups requests are in flight, and the most seen at once.
let inFlight = 0;
let maxInFlight = 0;
let userCount = 6;

let server: TestServer;

beforeAll(async () => {
  server = await startServer(async (request): Promise<Reply> => {
    const { path, query } = parse(request);
    let match: RegExpExecArray | null;
    if (path === '/users' && request.method === 'GET') {
      return { body: { users: Array.from({ length: userCount }, (_, i) => ({ id: i + 1, name: `User ${i + 1}` })) } };
    }
    if (path === '/users' && request.method === 'POST') {
      const sent = JSON.parse(request.body) as { name: string };
      return { status: 201, body: { id: 42, name: sent.name } };
    }
    if ((match = /^\/users\/(\w+)\/groups$/.exec(path))) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await delay(25);
      inFlight--;
      if (match[1] === '2') return { status: 404, body: { message: 'user 2 has no groups' } };
      return { body: { groups: [{ name: `group-of-${match[1]}` }, { name: 'everyone' }] } };
    }
    if ((match = /^\/users\/(\w+)\/tags$/.exec(path)) && request.method === 'POST') return { status: 201, body: { tagged: match[1], ok: true } };
    if ((match = /^\/groups\/(\w+)$/.exec(path))) {
      const group = groups[match[1]!];
      return group ? { body: group } : { status: 404, body: { message: 'no such group' } };
    }
    if (path === '/groups') return { body: { groups: Object.values(groups).filter((g) => g.name === query.name) } };
    if (path.startsWith('/forbidden')) return { status: 403, body: { message: 'not allowed' } };
    return { status: 404, body: { message: `no route ${request.method} ${path}` } };
  });
});

afterAll(() => server.close());

beforeEach(() => {
  inFlight = 0;
  maxInFlight = 0;
  userCount = 6;
});

function definition(name: string, unified: string): string {
  return `name: ${name}
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  api_token: { secret: true }
auth: { type: bearer, token: "{{context.api_token}}" }
resources:
  users:
    list: { path: /users, response_path: users }
    get: { path: "/users/{{id}}" }
    create: { path: /users, method: POST }
  user_groups:
    list: { path: "/users/{{id}}/groups", response_path: groups }
  tags:
    create: { path: "/users/{{id}}/tags", method: POST }
  groups:
    list: { path: /groups, response_path: groups }
    get: { path: "/groups/{{id}}" }
  forbidden:
    get: { path: "/forbidden/{{id}}" }
unified:
  mdm:
    users:
${unified.replace(/^/gm, '      ')}
`;
}

const userMapping = `'{ "id": $string(response.id), "name": response.name }'`;

const definitions: Record<string, string> = {
  // A before step by id (from the unified body), then a step chained on it through `step`.
  before_id: `create:
  resource: users
  method: create
  before:
    - name: lookup
      resource: groups
      method: get
      run_if: '$exists(body.remote_data.group)'
      id: 'body.remote_data.group'
    - name: owner
      resource: groups
      method: get
      run_if: '$exists(step)'
      id: 'step.owner'
      response_mapping: 'response.name'
  request_body_mapping: '{ "name": body.name, "group_name": before.lookup.name, "owner_name": before.owner }'
  response_mapping: ${userMapping}`,
  // A before step by query, seen by query_mapping.
  before_query: `list:
  resource: users
  method: list
  query_schema: { type: object, properties: { group: { type: string } } }
  before:
    - name: lookup
      resource: groups
      method: list
      query: '{ "name": query.group }'
      response_mapping: 'response[0]'
  query_mapping: '{ "group_id": before.lookup.id }'
  response_mapping: ${userMapping}`,
  before_fails: `create:
  resource: users
  method: create
  before:
    - name: check
      resource: forbidden
      method: get
      id: '"x"'
  request_body_mapping: '{ "name": body.name }'
  response_mapping: ${userMapping}`,
  before_ignored: `create:
  resource: users
  method: create
  before:
    - name: check
      resource: forbidden
      method: get
      id: '"x"'
      ignore_errors: true
  request_body_mapping: '{ "name": body.name, "check": before.check, "check_is_null": before.check = null }'
  response_mapping: ${userMapping}`,
  after_create: `create:
  resource: users
  method: create
  request_body_mapping: '{ "name": body.name }'
  response_mapping: ${userMapping}
  after:
    - name: tag
      resource: tags
      method: create
      id: 'data.id'
      body: '{ "tag": "created", "name": data.name }'
      response_mapping: '{ "replaced": true }'`,
  side_load: `list:
  resource: users
  method: list
  response_mapping: ${userMapping}
  side_load:
    groups:
      resource: user_groups
      method: list
      id: 'record.id'
      concurrency: 2
      ignore_errors: true
      response_mapping: '{ "groups": response.name, "raw_id": record.id }'`,
  side_load_default: `list:
  resource: users
  method: list
  response_mapping: ${userMapping}
  side_load:
    groups:
      resource: user_groups
      method: list
      id: 'record.id = "2" ? null : record.id'
      response_mapping: '{ "groups": response.name }'`,
  side_load_strict: `list:
  resource: users
  method: list
  response_mapping: ${userMapping}
  side_load:
    groups:
      resource: user_groups
      method: list
      id: 'record.id'
      concurrency: 2
      response_mapping: '{ "groups": response.name }'`,
  static: `list:
  resource: users
  method: list
  static_response: [{ id: "s1", name: "Static One" }, { id: "s2", name: "Static Two" }]
get:
  resource: users
  method: get
  static_response: { id: "static", name: "Static" }`,
};

const engine = new Engine({
  definitions: Object.entries(definitions).map(([name, unified]) => ({ file: `${name}.yaml`, text: definition(name, unified) })),
  strict: true,
});

function call(integration: string, method: string, extra: Partial<ExecuteCall> = {}): ExecuteCall {
  return { model: 'mdm', resource: 'users', method, ...extra, account: { id: 'acct-1', integration, context: { host: server.host, api_token: TOKEN } } };
}

function since(count: number): RecordedRequest[] {
  return server.requests.slice(count);
}

function route(request: RecordedRequest): string {
  return `${request.method} ${request.url}`;
}

type Envelope = ListResult<Record<string, unknown>>;

describe('before steps', () => {
  test('a lookup by id is visible to request_body_mapping as before.lookup, and chains into the next step as `step`', async () => {
    const start = server.requests.length;
    const result = await engine.execute(call('before_id', 'create', { body: { name: 'Ann', remote_data: { group: 'g7' } } }));
    expect(result.status).toBe(201);
    const requests = since(start);
    expect(requests.map(route)).toEqual(['GET /groups/g7', 'GET /groups/o1', 'POST /users']);
    // Steps authenticate like the main call.
    for (const request of requests) expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.parse(requests[2]!.body)).toEqual({ name: 'Ann', group_name: 'Admins', owner_name: 'Owners', group: 'g7' });
  });

  test('run_if false skips the step: no request, and before.<name> is absent', async () => {
    const start = server.requests.length;
    await engine.execute(call('before_id', 'create', { body: { name: 'Bob' } }));
    const requests = since(start);
    expect(requests.map(route)).toEqual(['POST /users']);
    expect(JSON.parse(requests[0]!.body)).toEqual({ name: 'Bob' });
  });

  test('a query-based lookup is visible to query_mapping', async () => {
    const start = server.requests.length;
    const result = await engine.execute(call('before_query', 'list', { query: { group: 'Admins', truto_ignore_remote_data: 'true' } }));
    expect((result.body as Envelope).result_count).toBe(6);
    const requests = since(start);
    expect(requests.map(route)).toEqual(['GET /groups?name=Admins', 'GET /users?group_id=g7']);
  });

  test('a failing step fails the call with step_failed, and the main call is not made', async () => {
    const start = server.requests.length;
    const error = await engine.execute(call('before_fails', 'create', { body: { name: 'Cy' } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnimapError);
    const e = error as UnimapError;
    expect(e.code).toBe('step_failed');
    expect(e.statusCode).toBe(403);
    expect(e.message).toContain('check');
    expect(e.remote?.body).toEqual({ message: 'not allowed' });
    expect(since(start).map(route)).toEqual(['GET /forbidden/x']);
  });

  test('ignore_errors: a failing step gives before.<name> = null and the call goes on', async () => {
    const start = server.requests.length;
    const result = await engine.execute(call('before_ignored', 'create', { body: { name: 'Di' } }));
    expect(result.status).toBe(201);
    expect(result.body).toMatchObject({ id: '42', name: 'Di' });
    const requests = since(start);
    expect(requests.map(route)).toEqual(['GET /forbidden/x', 'POST /users']);
    expect(JSON.parse(requests[1]!.body)).toEqual({ name: 'Di', check: null, check_is_null: true });
  });
});

describe('after steps', () => {
  test('run after the main call with `data` = the unified result; their results do not change the body', async () => {
    const start = server.requests.length;
    const result = await engine.execute(call('after_create', 'create', { body: { name: 'Eve' }, query: { truto_ignore_remote_data: 'true' } }));
    expect(result.status).toBe(201);
    expect(result.body).toEqual({ id: '42', name: 'Eve' });
    const requests = since(start);
    expect(requests.map(route)).toEqual(['POST /users', 'POST /users/42/tags']);
    expect(JSON.parse(requests[1]!.body)).toEqual({ tag: 'created', name: 'Eve' });
    expect(requests[1]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  test('their results appear in the debug trace', async () => {
    const result = await engine.execute(call('after_create', 'create', { body: { name: 'Fay' }, query: { truto_response_format: 'debug', truto_ignore_remote_data: 'true' } }));
    const body = result.body as { result: unknown; debug: { steps: StepEvent[] } };
    expect(body.result).toEqual({ id: '42', name: 'Fay' });
    const after = body.debug.steps.find((s) => s.step === 'after');
    expect(after?.output).toEqual({ tag: { replaced: true } });
  });
});

describe('side loads', () => {
  test('each record enriched through response_mapping, at most `concurrency` (2) in flight, ignore_errors keeps a failed record as it is', async () => {
    const start = server.requests.length;
    const result = await engine.execute(call('side_load', 'list', { query: { truto_ignore_remote_data: 'true' } }));
    const body = result.body as Envelope;
    expect(body.result).toEqual([
      { id: '1', name: 'User 1', groups: ['group-of-1', 'everyone'], raw_id: '1' },
      { id: '2', name: 'User 2' },
      { id: '3', name: 'User 3', groups: ['group-of-3', 'everyone'], raw_id: '3' },
      { id: '4', name: 'User 4', groups: ['group-of-4', 'everyone'], raw_id: '4' },
      { id: '5', name: 'User 5', groups: ['group-of-5', 'everyone'], raw_id: '5' },
      { id: '6', name: 'User 6', groups: ['group-of-6', 'everyone'], raw_id: '6' },
    ]);
    const sideLoads = since(start).filter((r) => r.url.endsWith('/groups'));
    expect(sideLoads.map((r) => r.url).sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => `/users/${n}/groups`));
    expect(maxInFlight).toBe(2);
  });

  test('the default concurrency is 4; an id of null skips the record', async () => {
    userCount = 10;
    const start = server.requests.length;
    const result = await engine.execute(call('side_load_default', 'list', { query: { truto_ignore_remote_data: 'true' } }));
    const body = result.body as Envelope;
    expect(body.result).toHaveLength(10);
    expect(body.result[1]).toEqual({ id: '2', name: 'User 2' });
    expect(body.result[9]).toEqual({ id: '10', name: 'User 10', groups: ['group-of-10', 'everyone'] });
    expect(since(start).filter((r) => r.url.endsWith('/groups'))).toHaveLength(9);
    expect(maxInFlight).toBe(4);
  });

  test('without ignore_errors a failing side load fails the call with step_failed', async () => {
    const error = await engine.execute(call('side_load_strict', 'list')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnimapError);
    expect((error as UnimapError).code).toBe('step_failed');
    expect((error as UnimapError).statusCode).toBe(404);
    expect(maxInFlight).toBeLessThanOrEqual(2);
  });

  test('the stream format runs side loads on every record too', async () => {
    const records: Record<string, unknown>[] = [];
    for await (const record of engine.records(call('side_load', 'list', { query: { truto_ignore_remote_data: 'true' } }))) records.push(record);
    expect(records).toHaveLength(6);
    expect(records[0]).toEqual({ id: '1', name: 'User 1', groups: ['group-of-1', 'everyone'], raw_id: '1' });
    expect(maxInFlight).toBe(2);
  });
});

describe('static responses', () => {
  test('list: wrapped in the envelope, with no remote request', async () => {
    const start = server.requests.length;
    const result = await engine.execute(call('static', 'list'));
    expect(result.status).toBe(200);
    expect(result.body).toEqual({
      result: [
        { id: 's1', name: 'Static One' },
        { id: 's2', name: 'Static Two' },
      ],
      next_cursor: null,
      prev_cursor: null,
      result_count: 2,
    });
    expect(since(start)).toHaveLength(0);
  });

  test('get: the object as it is, with no remote request', async () => {
    const start = server.requests.length;
    const result = await engine.execute(call('static', 'get', { id: 'anything' }));
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ id: 'static', name: 'Static' });
    expect(since(start)).toHaveLength(0);
  });

  test('debug: {result, debug: null}', async () => {
    const start = server.requests.length;
    const list = await engine.execute(call('static', 'list', { query: { truto_response_format: 'debug' } }));
    expect(list.body).toEqual({
      result: { result: [{ id: 's1', name: 'Static One' }, { id: 's2', name: 'Static Two' }], next_cursor: null, prev_cursor: null, result_count: 2 },
      debug: null,
    });
    const get = await engine.execute(call('static', 'get', { id: 'x', query: { truto_response_format: 'debug' } }));
    expect(get.body).toEqual({ result: { id: 'static', name: 'Static' }, debug: null });
    expect(since(start)).toHaveLength(0);
  });

  test('stream: the static records, as an async iterable', async () => {
    const start = server.requests.length;
    const result = await engine.execute(call('static', 'list', { query: { truto_response_format: 'stream' } }));
    expect(result.headers['content-type']).toBe('application/x-ndjson');
    expect(typeof (result.body as AsyncIterable<unknown>)[Symbol.asyncIterator]).toBe('function');
    const records: Record<string, unknown>[] = [];
    for await (const record of engine.records(call('static', 'list'))) records.push(record);
    expect(records).toEqual([
      { id: 's1', name: 'Static One' },
      { id: 's2', name: 'Static Two' },
    ]);
    expect(since(start)).toHaveLength(0);
  });
});
