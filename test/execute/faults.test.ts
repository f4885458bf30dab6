import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Engine, UnimapError, type ExecuteCall, type ExecuteOptions, type RemoteCallEvent, type TransportLimits } from '../../engine/index.js';
import { parse, startServer, type Handler, type TestServer } from '../support/http-server.js';
import { failure } from '../support/failure.js';

// Faults of real HTTP exchanges with a server on 127.0.0.1: rate limits, 5xx, timeouts, broken
// bodies, refused and reset connections, paging loops, foreign next links, remote error bodies
// and cancellation. Every test starts its own server(s), so request counts are exact.

const definition = `name: faulty
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  api_token: { required: true, secret: true }
auth: { type: bearer, token: "{{context.api_token}}" }
error_expression: 'response.ok = false'
rate_limit:
  is_rate_limited: 'status = 403 and response.error.reason = "rateLimitExceeded"'
resources:
  users:
    list: { path: /users, response_path: users }
    get: { path: "/users/{{id}}" }
    create: { method: POST, path: /users }
  cursor:
    list: { path: /cursor, response_path: users, pagination: { type: cursor, cursor_path: next, cursor_param: cursor } }
  capped:
    list: { path: /capped, response_path: users, pagination: { type: cursor, cursor_path: next, cursor_param: cursor, max_pages: 3 } }
  graph:
    list: { path: /graph, response_path: value, pagination: { type: next_url, next_url_path: "\`@odata.nextLink\`" } }
unified:
  mdm:
    users:
      list:
        resource: { expression: 'query.style ? query.style : "users"', allowed: [users, cursor, capped, graph] }
        method: list
        query_schema: { type: object, properties: { style: { type: string } } }
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
`;

const token = 'tok-faulty-0123456789';

function makeEngine(transport: Partial<TransportLimits> = {}): Engine {
  return new Engine({ definitions: [{ file: 'faulty.yaml', text: definition }], strict: true, transport });
}

const engine = makeEngine();

const servers: TestServer[] = [];

/** A server closed after the test, whatever its outcome. */
async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// A reset connection or a hang must never leave a rejection nobody handles.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});

function account(server: { host: string }) {
  return { id: 'acct-1', integration: 'faulty', context: { host: server.host, api_token: token } };
}

function list(server: { host: string }, query: Record<string, unknown> = {}): ExecuteCall {
  return { model: 'mdm', resource: 'users', method: 'list', query: { truto_ignore_remote_data: 'true', ...query }, account: account(server) };
}

function get(server: { host: string }, id: string): ExecuteCall {
  return { model: 'mdm', resource: 'users', method: 'get', id, query: { truto_ignore_remote_data: 'true' }, account: account(server) };
}

function create(server: { host: string }, name: string): ExecuteCall {
  return { model: 'mdm', resource: 'users', method: 'create', body: { name }, query: { truto_ignore_remote_data: 'true' }, account: account(server) };
}

/** An injected sleep that records the waits asked for and returns at once. */
function recordingSleep(): { sleeps: number[]; options: ExecuteOptions } {
  const sleeps: number[] = [];
  return {
    sleeps,
    options: {
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
    },
  };
}

/** The error a promise rejects with (fails the test when it resolves). */
/** Drains a record stream; returns what it yielded and the error that ended it. */
async function drain(records: AsyncIterable<Record<string, unknown>>): Promise<{ ids: string[]; error: UnimapError | undefined }> {
  const ids: string[] = [];
  try {
    for await (const record of records) ids.push(String(record.id));
  } catch (error) {
    expect(error).toBeInstanceOf(UnimapError);
    return { ids, error: error as UnimapError };
  }
  return { ids, error: undefined };
}

const okUsers = { users: [{ id: 1, name: 'Ada' }] };

describe('rate limits', () => {
  test('a 429 with Retry-After: 1 waits 1000 ms, then the retry succeeds', async () => {
    const server = await serve(() => (server.requests.length === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } } : { body: okUsers }));
    const { sleeps, options } = recordingSleep();
    const { status, body } = await engine.execute(list(server), options);
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: [{ id: '1', name: 'Ada' }], result_count: 1 });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toEqual([1000]);
  });

  test('with the real sleep, Retry-After: 1 makes the call take about a second', async () => {
    const server = await serve(() => (server.requests.length === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { body: okUsers }));
    const started = Date.now();
    const { body } = await engine.execute(list(server));
    const elapsed = Date.now() - started;
    expect(body).toMatchObject({ result: [{ id: '1' }] });
    expect(server.requests).toHaveLength(2);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2500);
  });

  test('an HTTP-date Retry-After is honoured as the time until that date', async () => {
    const server = await serve(() =>
      server.requests.length === 1 ? { status: 429, headers: { 'retry-after': new Date(Date.now() + 3000).toUTCString() } } : { body: okUsers },
    );
    const { sleeps, options } = recordingSleep();
    const { body } = await engine.execute(list(server), options);
    expect(body).toMatchObject({ result: [{ id: '1' }] });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    // HTTP dates have a resolution of one second: 3 s from now is 2–3 s away.
    expect(sleeps[0]).toBeGreaterThan(1500);
    expect(sleeps[0]).toBeLessThanOrEqual(3000);
  });

  test('a Retry-After above maxRetryAfterMs fails at once with rate_limited 429', async () => {
    const server = await serve(() => ({ status: 429, headers: { 'retry-after': '120' }, body: { message: 'quota exhausted' } }));
    const limited = makeEngine({ maxRetryAfterMs: 5000 });
    const { sleeps, options } = recordingSleep();
    const error = await failure(limited.execute(list(server), options));
    expect(error).toMatchObject({ code: 'rate_limited', statusCode: 429, details: { retry_after_seconds: 120 }, remote: { status: 429 } });
    expect(error.message).toContain('120 s');
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  test('rate_limit.is_rate_limited treats a Google-style 403 rateLimitExceeded as a rate limit and retries', async () => {
    const server = await serve(() =>
      server.requests.length === 1 ? { status: 403, body: { error: { reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' } } } : { body: okUsers },
    );
    const { sleeps, options } = recordingSleep();
    const { status, body } = await engine.execute(list(server), options);
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: [{ id: '1', name: 'Ada' }] });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  test('a rate limit that never lifts gives up after maxRateLimitRetries with rate_limited 429', async () => {
    const server = await serve(() => ({ status: 403, body: { error: { reason: 'rateLimitExceeded' } } }));
    const limited = makeEngine({ maxRateLimitRetries: 2 });
    const { sleeps, options } = recordingSleep();
    const error = await failure(limited.execute(list(server), options));
    expect(error).toMatchObject({ code: 'rate_limited', statusCode: 429, remote: { status: 403 } });
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
  });
});

describe('5xx retries', () => {
  test('a 503 then a 200 on GET is retried once and succeeds', async () => {
    const server = await serve(() => (server.requests.length === 1 ? { status: 503, body: { message: 'maintenance' } } : { body: okUsers }));
    const { sleeps, options } = recordingSleep();
    const { status, body } = await engine.execute(list(server), options);
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: [{ id: '1' }] });
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  test('a 503 on POST (unified create) is not retried and surfaces as remote_error 503', async () => {
    const server = await serve(() => ({ status: 503, body: { message: 'maintenance' } }));
    const { sleeps, options } = recordingSleep();
    const error = await failure(engine.execute(create(server, 'Ada'), options));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 503, remote: { status: 503, body: { message: 'maintenance' } } });
    expect(error.message).toContain('maintenance');
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.method).toBe('POST');
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ name: 'Ada' });
    expect(sleeps).toEqual([]);
  });

  test('retries give up after maxRetries: the server sees maxRetries + 1 requests', async () => {
    const server = await serve(() => ({ status: 503, body: { message: 'still down' } }));
    const retrying = makeEngine({ maxRetries: 3 });
    const { sleeps, options } = recordingSleep();
    const error = await failure(retrying.execute(list(server), options));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 503, remote: { status: 503 } });
    expect(server.requests).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
  });
});

describe('timeouts and cancellation', () => {
  test('a server that never answers fails with remote_timeout 504 within the timeout, without a retry', async () => {
    const server = await serve(() => 'handled'); // never writes, never ends
    const quick = makeEngine({ timeoutMs: 300 });
    const { sleeps, options } = recordingSleep();
    const started = Date.now();
    const error = await failure(quick.execute(list(server), options));
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: 'remote_timeout', statusCode: 504, details: { timeout_ms: 300 } });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  test('a timeout also covers a body that stops half way', async () => {
    const server = await serve((_request, { res }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"users": [');
      return 'handled';
    });
    const quick = makeEngine({ timeoutMs: 300 });
    const started = Date.now();
    const error = await failure(quick.execute(list(server), recordingSleep().options));
    expect(error).toMatchObject({ code: 'remote_timeout', statusCode: 504 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
  });

  test('a caller AbortSignal cancels a call in flight with aborted 499', async () => {
    const server = await serve(() => 'handled');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failure(engine.execute(list(server), { signal: controller.signal }));
    expect(error).toMatchObject({ code: 'aborted', statusCode: 499 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
  });

  test('aborting while waiting out a Retry-After (real sleep) ends the wait at once', async () => {
    const server = await serve(() => ({ status: 429, headers: { 'retry-after': '30' } }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await failure(engine.execute(list(server), { signal: controller.signal }));
    expect(error).toMatchObject({ code: 'aborted', statusCode: 499 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
  });

  test('an already aborted signal sends nothing', async () => {
    const server = await serve(() => ({ body: okUsers }));
    const error = await failure(engine.execute(list(server), { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ code: 'aborted', statusCode: 499 });
    expect(server.requests).toHaveLength(0);
  });
});

describe('a time budget for the whole call (timeoutMs)', () => {
  test('a remote call still running when the budget ends is a request_timeout 504, not a remote_timeout', async () => {
    const server = await serve(() => 'handled'); // never answers
    const started = Date.now();
    const error = await failure(engine.execute(list(server), { timeoutMs: 200 })); // the call's own timeout is 30 s
    expect(error).toMatchObject({ code: 'request_timeout', statusCode: 504, details: { timeout_ms: 200 } });
    expect(error.message).toContain('200 ms');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests).toHaveLength(1);
  });

  test("a call's own timeout_ms still applies when it is shorter than the budget", async () => {
    const server = await serve(() => 'handled');
    const error = await failure(makeEngine({ timeoutMs: 150 }).execute(list(server), { timeoutMs: 10_000 }));
    expect(error).toMatchObject({ code: 'remote_timeout', statusCode: 504 });
  });

  test('a Retry-After that would outlast the budget fails at once instead of waiting', async () => {
    const server = await serve(() => ({ status: 429, headers: { 'retry-after': '20' } }));
    const { sleeps, options } = recordingSleep();
    const error = await failure(makeEngine({ maxRetryAfterMs: 60_000 }).execute(list(server), { ...options, timeoutMs: 5000 }));
    expect(error).toMatchObject({ code: 'request_timeout', statusCode: 504 });
    expect(error.message).toContain('wait 20 s');
    expect(sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });

  test('a wait that fits the budget is made, and the retry answers', async () => {
    const server = await serve(() => (server.requests.length === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { body: okUsers }));
    const { sleeps, options } = recordingSleep();
    const { status } = await engine.execute(list(server), { ...options, timeoutMs: 5000 });
    expect(status).toBe(200);
    expect(sleeps).toEqual([1000]);
  });

  test('a stream is bounded until execute returns it, not while the consumer reads it', async () => {
    const server = await serve((request) => {
      const cursor = parse(request).query.cursor;
      return { body: cursor ? { users: [{ id: 2, name: 'Bo' }] } : { users: [{ id: 1, name: 'Ada' }], next: 'p2' } };
    });
    const ids: string[] = [];
    for await (const record of engine.records(list(server, { style: 'cursor' }), { timeoutMs: 100 })) {
      ids.push(String(record.id));
      await new Promise((resolve) => setTimeout(resolve, 200)); // a slow consumer, past the budget
    }
    expect(ids).toEqual(['1', '2']);
  });

  test('a budget that is not a positive number of milliseconds is refused', async () => {
    const server = await serve(() => ({ body: okUsers }));
    for (const timeoutMs of [0, -1, Number.NaN, 2 ** 31]) {
      expect(await failure(engine.execute(list(server), { timeoutMs }))).toMatchObject({ code: 'invalid_call' });
    }
    expect(server.requests).toHaveLength(0);
  });
});

describe('bodies that cannot be read', () => {
  test('malformed JSON gives invalid_remote_response 502 with a snippet, and is not retried', async () => {
    const server = await serve(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"users": [' }));
    const { sleeps, options } = recordingSleep();
    const error = await failure(engine.execute(list(server), options));
    expect(error).toMatchObject({ code: 'invalid_remote_response', statusCode: 502, details: { snippet: '{"users": [', content_type: 'application/json' } });
    expect(error.message).toContain('not valid JSON');
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  test('a long malformed body is cut to a short snippet', async () => {
    const server = await serve(() => ({ headers: { 'content-type': 'application/json' }, body: `{"users": [${'{"id": 1}, '.repeat(500)}` }));
    const error = await failure(engine.execute(list(server), recordingSleep().options));
    expect(error.code).toBe('invalid_remote_response');
    const { snippet } = error.details as { snippet: string };
    expect(snippet.length).toBeLessThanOrEqual(201);
    expect(snippet.startsWith('{"users": [{"id": 1},')).toBe(true);
  });

  test('a 200 with an HTML page gives invalid_remote_response 502', async () => {
    const page = '<!doctype html><html><head><title>Sign in</title></head><body>Please sign in</body></html>';
    const server = await serve(() => ({ headers: { 'content-type': 'text/html; charset=utf-8' }, body: page }));
    const error = await failure(engine.execute(list(server), recordingSleep().options));
    expect(error).toMatchObject({ code: 'invalid_remote_response', statusCode: 502, details: { content_type: 'text/html; charset=utf-8' } });
    expect(error.message).toContain('HTML page');
    expect((error.details as { snippet: string }).snippet).toContain('Please sign in');
    expect(server.requests).toHaveLength(1);
  });

  test('a JSON body under a wrong content type (text/plain) is still parsed as JSON', async () => {
    // parseBody: with `auto`, a body that is neither JSON- nor XML-typed nor HTML but starts with `{` or `[` is tried as JSON.
    const server = await serve(() => ({ headers: { 'content-type': 'text/plain' }, body: JSON.stringify(okUsers) }));
    const { status, body } = await engine.execute(list(server), recordingSleep().options);
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: [{ id: '1', name: 'Ada' }], result_count: 1 });
  });
});

describe('connections that fail', () => {
  async function closedHost(): Promise<string> {
    const server = await startServer(() => ({ body: okUsers }));
    const { host } = server;
    await server.close();
    return host;
  }

  test('connection refused gives remote_unreachable 502, retried maxRetries times for GET', async () => {
    const host = await closedHost();
    const attempts: RemoteCallEvent[] = [];
    const { sleeps, options } = recordingSleep();
    const error = await failure(engine.execute(list({ host }), { ...options, hooks: { onRemoteCall: (event) => attempts.push(event) } }));
    expect(error).toMatchObject({ code: 'remote_unreachable', statusCode: 502 });
    expect(error.message).toContain('ECONNREFUSED');
    expect(attempts.map((a) => [a.attempt, a.error?.code])).toEqual([
      [1, 'remote_unreachable'],
      [2, 'remote_unreachable'],
      [3, 'remote_unreachable'],
    ]);
    expect(sleeps).toHaveLength(2);
  });

  test('connection refused on POST is not retried', async () => {
    const host = await closedHost();
    const attempts: RemoteCallEvent[] = [];
    const { sleeps, options } = recordingSleep();
    const error = await failure(engine.execute(create({ host }, 'Ada'), { ...options, hooks: { onRemoteCall: (event) => attempts.push(event) } }));
    expect(error).toMatchObject({ code: 'remote_unreachable', statusCode: 502 });
    expect(attempts).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  test('a connection reset mid-body gives a typed 502, no crash, no unhandled rejection', async () => {
    const server = await serve((_request, { res }) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      res.write('{"users": [{"id": 1, "na');
      setTimeout(() => res.destroy(), 20);
      return 'handled';
    });
    const { sleeps, options } = recordingSleep();
    const error = await failure(engine.execute(list(server), options));
    expect(['remote_unreachable', 'invalid_remote_response']).toContain(error.code);
    expect(error.statusCode).toBe(502);
    // A broken connection on GET is retried like any network error.
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(unhandled).toEqual([]);
  });
});

describe('pagination guards', () => {
  test('a cursor endpoint that always returns the same cursor: the stream stops with pagination_loop after 2 requests', async () => {
    const server = await serve(() => ({ body: { users: [{ id: server.requests.length, name: 'Same' }], next: 'same-cursor' } }));
    const { ids, error } = await drain(engine.records(list(server, { style: 'cursor' }), recordingSleep().options));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 502, details: { pagination_loop: true } });
    expect(ids).toEqual(['1']);
    expect(server.requests).toHaveLength(2);
    expect(parse(server.requests[1]!).query.cursor).toBe('same-cursor');
  });

  test('the same loop through truto_response_format=stream on execute', async () => {
    const server = await serve(() => ({ body: { users: [{ id: 1 }], next: 'same-cursor' } }));
    const result = await engine.execute(list(server, { style: 'cursor', truto_response_format: 'stream' }), recordingSleep().options);
    expect(result.headers['content-type']).toBe('application/x-ndjson');
    const { error } = await drain(result.body as AsyncIterable<Record<string, unknown>>);
    expect(error).toMatchObject({ details: { pagination_loop: true } });
    expect(server.requests).toHaveLength(2);
  });

  test('a cycle of two cursors (a → b → a) is stopped by the stream', async () => {
    const server = await serve((request) => {
      const cursor = parse(request).query.cursor;
      return { body: { users: [{ id: server.requests.length }], next: cursor === 'a' ? 'b' : 'a' } };
    });
    const { ids, error } = await drain(engine.records(list(server, { style: 'cursor' }), recordingSleep().options));
    expect(error).toMatchObject({ statusCode: 502, details: { pagination_loop: true } });
    expect(ids).toEqual(['1', '2', '3']);
    expect(server.requests).toHaveLength(3);
  });

  test('a repeated cursor through next_cursor round trips is refused too', async () => {
    const server = await serve(() => ({ body: { users: [{ id: 1 }], next: 'same-cursor' } }));
    const first = (await engine.execute(list(server, { style: 'cursor' }))).body as { next_cursor: string | null };
    expect(first.next_cursor).toEqual(expect.any(String));
    const error = await failure(engine.execute(list(server, { style: 'cursor', next_cursor: first.next_cursor })));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 502, details: { pagination_loop: true } });
    expect(server.requests).toHaveLength(2);
  });

  test('max_pages stops a never-ending list with pagination_limit', async () => {
    const server = await serve(() => ({ body: { users: [{ id: server.requests.length }], next: `c${server.requests.length}` } }));
    const { ids, error } = await drain(engine.records(list(server, { style: 'capped' }), recordingSleep().options));
    expect(error).toMatchObject({ code: 'pagination_limit', statusCode: 502, details: { max_pages: 3 } });
    expect(ids).toEqual(['1', '2', '3']);
    expect(server.requests).toHaveLength(3);
  });

  test('the engine-wide maxPages bounds a list without max_pages', async () => {
    const server = await serve(() => ({ body: { users: [{ id: server.requests.length }], next: `c${server.requests.length}` } }));
    const bounded = makeEngine({ maxPages: 5 });
    const { ids, error } = await drain(bounded.records(list(server, { style: 'cursor' }), recordingSleep().options));
    expect(error).toMatchObject({ code: 'pagination_limit', statusCode: 502, details: { max_pages: 5 } });
    expect(ids).toHaveLength(5);
    expect(server.requests).toHaveLength(5);
  });

  test('a next link to another origin is refused: invalid_remote_response 502, and the other server sees nothing', async () => {
    const other = await serve(() => ({ body: { value: [{ id: 99, name: 'Elsewhere' }] } }));
    const server = await serve(() => ({ body: { value: [{ id: 1, name: 'Ada' }], '@odata.nextLink': `${other.origin}/graph?$skiptoken=1` } }));
    const first = (await engine.execute(list(server, { style: 'graph' }))).body as { result: unknown[]; next_cursor: string | null };
    expect(first.result).toEqual([{ id: '1', name: 'Ada' }]);
    expect(first.next_cursor).toEqual(expect.any(String));
    const error = await failure(engine.execute(list(server, { style: 'graph', next_cursor: first.next_cursor })));
    expect(error).toMatchObject({ code: 'invalid_remote_response', statusCode: 502 });
    expect(error.message).toContain(other.origin);
    expect(server.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  test('a redirect to another origin is not followed: remote_error 502, and the other server sees nothing', async () => {
    const other = await serve(() => ({ body: okUsers }));
    const server = await serve(() => ({ status: 302, headers: { location: `${other.origin}/users` } }));
    const error = await failure(engine.execute(list(server), recordingSleep().options));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 502, remote: { status: 302, headers: { location: `${other.origin}/users` } } });
    expect(server.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });

  test('a stream does not follow a next link to another origin either', async () => {
    const other = await serve(() => ({ body: { value: [{ id: 99 }] } }));
    const server = await serve(() => ({ body: { value: [{ id: 1 }], '@odata.nextLink': `${other.origin}/graph?$skiptoken=1` } }));
    const { ids, error } = await drain(engine.records(list(server, { style: 'graph' }), recordingSleep().options));
    expect(error).toMatchObject({ code: 'invalid_remote_response', statusCode: 502 });
    expect(ids).toEqual(['1']);
    expect(server.requests).toHaveLength(1);
    expect(other.requests).toHaveLength(0);
  });
});

describe('remote error bodies', () => {
  test('a Graph-style 404 maps to remote_error 404 with the remote message and status', async () => {
    const graphError = { error: { code: 'Request_ResourceNotFound', message: "Resource 'x' does not exist" } };
    const server = await serve(() => ({ status: 404, body: graphError }));
    const { sleeps, options } = recordingSleep();
    const error = await failure(engine.execute(get(server, 'x'), options));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, remote: { status: 404, body: graphError } });
    expect(error.message).toContain("Resource 'x' does not exist");
    expect(error.toJSON()).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'remote_error' });
    expect(parse(server.requests[0]!).path).toBe('/users/x');
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  test.each([
    [401, { error: { message: 'Invalid token' } }, 'Invalid token'],
    [403, { error: { message: 'Insufficient privileges' } }, 'Insufficient privileges'],
  ])('a remote %i is reported as %i, never 500', async (status, body, message) => {
    const server = await serve(() => ({ status, body }));
    const error = await failure(engine.execute(get(server, '7'), recordingSleep().options));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: status, remote: { status } });
    expect(error.message).toContain(message);
    expect(server.requests).toHaveLength(1);
  });

  test('a 200 whose body makes error_expression truthy is an error', async () => {
    const server = await serve(() => ({ body: { ok: false, error: 'user_not_found' } }));
    const error = await failure(engine.execute(get(server, '7'), recordingSleep().options));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 502, remote: { status: 200, body: { ok: false, error: 'user_not_found' } } });
    expect(error.message).toContain('user_not_found');
  });

  test('the bearer token never appears in an error', async () => {
    const server = await serve((request) => ({ status: 400, body: { message: `bad header ${request.headers.authorization}` } }));
    const error = await failure(engine.execute(get(server, '7'), recordingSleep().options));
    expect(error.statusCode).toBe(400);
    expect(JSON.stringify(error.toJSON())).not.toContain(token);
    expect(error.message).not.toContain(token);
  });
});

test('no unhandled rejection was raised by any of the faults above', async () => {
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(unhandled).toEqual([]);
});
