import { afterEach, describe, expect, test } from 'vitest';
import { Engine, type ExecuteCall, type ExecuteOptions } from '../../engine/index.js';
import { parse, startServer, type Handler, type RecordedRequest, type TestServer } from '../support/http-server.js';
import { failure } from '../support/failure.js';

// Authentication as a real server receives it: the header or query parameter on the wire,
// OAuth2 client credentials against a local token endpoint, and credentials missing from the context.

const servers: TestServer[] = [];

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** One integration with the given `auth` block (YAML, indented under `auth:`), serving mdm/users list over GET /users. */
function definition(auth: string, extra: { headerMapping?: string } = {}): string {
  return `name: authy
base_url: "http://{{context.host}}"
context:
  host: { required: true }
auth:
${auth
  .trim()
  .split('\n')
  .map((line) => `  ${line}`)
  .join('\n')}
resources:
  users:
    list: { path: /users, response_path: users }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: '{ "id": $string(response.id), "name": response.name }'${
          extra.headerMapping
            ? `
        request_header_mapping: '${extra.headerMapping}'`
            : ''
        }
`;
}

function makeEngine(auth: string, extra: { headerMapping?: string } = {}): Engine {
  return new Engine({ definitions: [{ file: 'authy.yaml', text: definition(auth, extra) }], strict: true });
}

function list(context: Record<string, unknown>, query: Record<string, unknown> = {}): ExecuteCall {
  return { model: 'mdm', resource: 'users', method: 'list', query: { truto_ignore_remote_data: 'true', ...query }, account: { id: 'acct-1', integration: 'authy', context } };
}

const users = { users: [{ id: 1, name: 'Ada' }] };

const noWait: ExecuteOptions = { sleep: async () => undefined };

describe('static credentials on the wire', () => {
  test('bearer: Authorization: Bearer <context.api_token>', async () => {
    const server = await serve(() => ({ body: users }));
    const engine = makeEngine('{ type: bearer, token: "{{context.api_token}}" }');
    const { body } = await engine.execute(list({ host: server.host, api_token: 'bearer-token-123' }));
    expect(body).toMatchObject({ result: [{ id: '1', name: 'Ada' }] });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer bearer-token-123');
  });

  test('basic: Authorization: Basic base64(user:pass)', async () => {
    const server = await serve(() => ({ body: users }));
    const engine = makeEngine('{ type: basic, username: "{{context.username}}", password: "{{context.password}}" }');
    await engine.execute(list({ host: server.host, username: 'admin@example.com', password: 'p@ss:wörd' }));
    const header = server.requests[0]!.headers.authorization!;
    expect(header).toBe(`Basic ${Buffer.from('admin@example.com:p@ss:wörd', 'utf8').toString('base64')}`);
    expect(Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8')).toBe('admin@example.com:p@ss:wörd');
  });

  test('api_key in a header (x-api-key)', async () => {
    const server = await serve(() => ({ body: users }));
    const engine = makeEngine('{ type: api_key, in: header, name: X-API-Key, value: "{{context.api_key}}" }');
    await engine.execute(list({ host: server.host, api_key: 'key-in-header-1' }));
    expect(server.requests[0]!.headers['x-api-key']).toBe('key-in-header-1');
    expect(server.requests[0]!.headers.authorization).toBeUndefined();
  });

  test('api_key in the query (?key=)', async () => {
    const server = await serve(() => ({ body: users }));
    const engine = makeEngine('{ type: api_key, in: query, name: key, value: "{{context.api_key}}" }');
    await engine.execute(list({ host: server.host, api_key: 'key-in-query-1' }));
    const { path, query } = parse(server.requests[0]!);
    expect(path).toBe('/users');
    expect(query).toEqual({ key: 'key-in-query-1' });
  });

  test('remote_query[key]=evil cannot override the query api key: the server sees the real key once', async () => {
    const server = await serve(() => ({ body: users }));
    const engine = makeEngine('{ type: api_key, in: query, name: key, value: "{{context.api_key}}" }');
    await engine.execute(list({ host: server.host, api_key: 'key-in-query-1' }, { remote_query: { key: 'evil', other: 'kept' } }));
    const search = new URL(server.requests[0]!.url, 'http://x').searchParams;
    expect(search.getAll('key')).toEqual(['key-in-query-1']);
    expect(search.get('other')).toBe('kept');
    expect(server.requests[0]!.url).not.toContain('evil');
  });

  test('a request_header_mapping returning authorization cannot override bearer auth', async () => {
    const server = await serve(() => ({ body: users }));
    const engine = makeEngine('{ type: bearer, token: "{{context.api_token}}" }', { headerMapping: '{ "Authorization": "Bearer evil", "x-extra": "kept" }' });
    await engine.execute(list({ host: server.host, api_token: 'bearer-token-123' }));
    expect(server.requests[0]!.headers.authorization).toBe('Bearer bearer-token-123');
    expect(server.requests[0]!.headers['x-extra']).toBe('kept');
  });

  test.each([
    ['bearer', '{ type: bearer, token: "{{context.secret_value}}" }'],
    ['api_key in a header', '{ type: api_key, in: header, name: x-api-key, value: "{{context.secret_value}}" }'],
  ])('%s: a credential with a line break is refused as invalid_header 400, not sent nor retried as a network error', async (_name, auth) => {
    // checkHeaders (headers.ts) refuses CR/LF in every other header, including auth.expression's output.
    const server = await serve(() => ({ body: users }));
    const engine = makeEngine(auth);
    const attempts: unknown[] = [];
    const error = await failure(engine.execute(list({ host: server.host, secret_value: 'abcd1234\r\nx-injected: 1' }), { ...noWait, hooks: { onRemoteCall: (event) => attempts.push(event) } }));
    expect(error).toMatchObject({ code: 'invalid_header', statusCode: 400 });
    expect(error.message).not.toContain('abcd1234');
    expect(attempts.length).toBeLessThanOrEqual(1);
    expect(server.requests).toHaveLength(0);
  });

  test('auth expression: the headers it returns are sent', async () => {
    const server = await serve(() => ({ body: users }));
    const engine = makeEngine(`type: expression
expression: '{ "x-signature": $string($length(url)), "x-tenant": context.tenant }'`);
    await engine.execute(list({ host: server.host, tenant: 'acme' }));
    const request = server.requests[0]!;
    expect(request.headers['x-tenant']).toBe('acme');
    expect(request.headers['x-signature']).toBe(String(`${server.origin}${request.url}`.length));
  });
});

describe('OAuth2 client credentials', () => {
  const oauth = (clientAuth?: 'basic' | 'body') => `type: oauth2_client_credentials
token_url: "http://{{context.host}}/oauth/token"
client_id: "{{context.client_id}}"
client_secret: "{{context.client_secret}}"${clientAuth ? `\nclient_auth: ${clientAuth}` : ''}`;

  const secret = 'cs-very-secret-42';

  /**
   * A token endpoint issuing tok-1, tok-2, … and an API accepting the tokens `accept` allows.
   * `tokenDelayMs` keeps the token request open, so concurrent calls overlap.
   */
  async function oauthServer(accept: (token: string) => boolean, tokenDelayMs = 0) {
    const tokenRequests: RecordedRequest[] = [];
    const apiRequests: RecordedRequest[] = [];
    const server = await serve(async (request) => {
      const { path } = parse(request);
      if (path === '/oauth/token') {
        tokenRequests.push(request);
        if (tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, tokenDelayMs));
        return { body: { access_token: `tok-${tokenRequests.length}`, expires_in: 3600, token_type: 'Bearer' } };
      }
      apiRequests.push(request);
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      return accept(token) ? { body: users } : { status: 401, body: { error: { message: 'invalid or expired token' } } };
    });
    return { server, tokenRequests, apiRequests, context: { host: server.host, client_id: 'client-1', client_secret: secret } };
  }

  test('the token request is a form POST with grant_type, client_id and client_secret; two calls reuse one token', async () => {
    const { tokenRequests, apiRequests, context } = await oauthServer(() => true);
    const engine = makeEngine(oauth());
    await engine.execute(list(context));
    await engine.execute(list(context));
    expect(tokenRequests).toHaveLength(1);
    const tokenRequest = tokenRequests[0]!;
    expect(tokenRequest.method).toBe('POST');
    expect(tokenRequest.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toEqual({ grant_type: 'client_credentials', client_id: 'client-1', client_secret: secret });
    expect(tokenRequest.headers.authorization).toBeUndefined();
    expect(apiRequests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1']);
  });

  test('a 401 for tok-1 fetches a fresh token once and retries with it', async () => {
    const { tokenRequests, apiRequests, context } = await oauthServer((token) => token === 'tok-2');
    const engine = makeEngine(oauth());
    const { status, body } = await engine.execute(list(context), noWait);
    expect(status).toBe(200);
    expect(body).toMatchObject({ result: [{ id: '1' }] });
    expect(tokenRequests).toHaveLength(2);
    expect(apiRequests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    // The fresh token is cached for the next call.
    await engine.execute(list(context), noWait);
    expect(tokenRequests).toHaveLength(2);
    expect(apiRequests.at(-1)!.headers.authorization).toBe('Bearer tok-2');
  });

  test('an API that keeps answering 401 fails with 401 after exactly one refresh', async () => {
    const { tokenRequests, apiRequests, context } = await oauthServer(() => false);
    const engine = makeEngine(oauth());
    const error = await failure(engine.execute(list(context), noWait));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 401, remote: { status: 401 } });
    expect(tokenRequests).toHaveLength(2);
    expect(apiRequests).toHaveLength(2);
  });

  test('a token endpoint answering 400 invalid_client gives auth_failed 401 without the client secret', async () => {
    const server = await serve((request) =>
      parse(request).path === '/oauth/token' ? { status: 400, body: { error: 'invalid_client', error_description: `client secret ${secret} is not valid` } } : { body: users },
    );
    const engine = makeEngine(oauth());
    const error = await failure(engine.execute(list({ host: server.host, client_id: 'client-1', client_secret: secret }), noWait));
    expect(error).toMatchObject({ code: 'auth_failed', statusCode: 401, remote: { status: 400 } });
    expect(error.message).toContain('invalid_client');
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
    // The API itself was never called without a token.
    expect(server.requests.map((r) => parse(r).path)).toEqual(['/oauth/token']);
  });

  test('the bare invalid_client answer gives auth_failed 401 too', async () => {
    const server = await serve(() => ({ status: 400, body: { error: 'invalid_client' } }));
    const engine = makeEngine(oauth());
    const error = await failure(engine.execute(list({ host: server.host, client_id: 'client-1', client_secret: secret }), noWait));
    expect(error).toMatchObject({ code: 'auth_failed', statusCode: 401 });
    expect(error.message).not.toContain(secret);
    expect(server.requests).toHaveLength(1);
  });

  test('client_auth: basic sends the client credentials as HTTP Basic, not in the body', async () => {
    const { tokenRequests, apiRequests, context } = await oauthServer(() => true);
    const engine = makeEngine(oauth('basic'));
    await engine.execute(list(context));
    const tokenRequest = tokenRequests[0]!;
    expect(tokenRequest.headers.authorization).toBe(`Basic ${Buffer.from(`client-1:${secret}`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toEqual({ grant_type: 'client_credentials' });
    expect(apiRequests[0]!.headers.authorization).toBe('Bearer tok-1');
  });

  test('two calls in parallel share one token request', async () => {
    const { tokenRequests, apiRequests, context } = await oauthServer(() => true, 100);
    const engine = makeEngine(oauth());
    const [a, b] = await Promise.all([engine.execute(list(context)), engine.execute(list(context))]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(tokenRequests).toHaveLength(1);
    expect(apiRequests.map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-1']);
  });
});

describe('missing credentials', () => {
  test.each([
    ['bearer', '{ type: bearer, token: "{{context.api_token}}" }', { api_token: undefined }, 'api_token'],
    ['basic', '{ type: basic, username: "{{context.username}}", password: "{{context.password}}" }', { username: 'admin' }, 'password'],
    ['api_key', '{ type: api_key, in: header, name: x-api-key, value: "{{context.api_key}}" }', {}, 'api_key'],
    [
      'oauth2',
      '{ type: oauth2_client_credentials, token_url: "http://{{context.host}}/oauth/token", client_id: "{{context.client_id}}", client_secret: "{{context.client_secret}}" }',
      { client_id: 'client-1' },
      'client_secret',
    ],
  ])('%s: a missing credential gives missing_context 400 naming the field, and nothing is sent', async (_name, auth, credentials, field) => {
    const server = await serve(() => ({ body: users }));
    const engine = makeEngine(auth);
    const error = await failure(engine.execute(list({ host: server.host, ...credentials }), noWait));
    expect(error).toMatchObject({ code: 'missing_context', statusCode: 400, details: { missing_context_fields: [field] } });
    expect(error.message).toContain(`\`${field}\``);
    expect(server.requests).toHaveLength(0);
  });

  test('a call is refused up front, naming every required context field it lacks; mapping alone does not ask for them', async () => {
    const server = await serve(() => ({ body: users }));
    // `region` is read only by JSONata: without the check the call would go out with it undefined.
    const text = definition('{ type: bearer, token: "{{context.api_token}}" }')
      .replace('  host: { required: true }\n', '  host: { required: true }\n  api_token: { required: true, secret: true }\n  region: { required: true }\n')
      .replace(`"name": response.name }'`, `"name": response.name & context.region }'`);
    const engine = new Engine({ definitions: [{ file: 'authy.yaml', text }], strict: true });
    const error = await failure(engine.execute(list({ host: server.host, region: '' }), noWait));
    expect(error).toMatchObject({ code: 'missing_context', statusCode: 400, details: { missing_context_fields: ['api_token', 'region'] } });
    expect(error.message).toBe('the account context has no `api_token`, `region`, which authy requires');
    expect(server.requests).toHaveLength(0);
    const request = await engine.mapRequest({ integration: 'authy', model: 'mdm', resource: 'users', method: 'list', context: { host: server.host } });
    expect(request.url).toBe(`http://${server.host}/users`);
  });

  test('an empty credential counts as missing', async () => {
    const server = await serve(() => ({ body: users }));
    const engine = makeEngine('{ type: bearer, token: "{{context.api_token}}" }');
    const error = await failure(engine.execute(list({ host: server.host, api_token: '' })));
    expect(error).toMatchObject({ code: 'missing_context', statusCode: 400, details: { missing_context_fields: ['api_token'] } });
    expect(server.requests).toHaveLength(0);
  });
});
