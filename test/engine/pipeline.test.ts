import { describe, expect, test } from 'vitest';
import { Engine, UnimapError, type UnifiedCall } from '../../engine/index.js';

const definition = `name: acme
base_url: "https://{{context.host}}/v2"
resources:
  users:
    list: { path: /users, response_path: data.items }
    get: { path: "/users/{{id}}", response_path: user }
    create: { method: POST, path: /users }
    update: { method: PATCH, path: "/users/{{id}}" }
    delete: { method: DELETE, path: "/users/{{id}}" }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: |
          response.deleted ? null : {
            "id": $string(response.id),
            "name": response.full_name,
            "emails": [{ "email": response.mail, "is_primary": true }],
            "organization": { "id": response.org.id, "name": response.org.name }
          }
      get:
        resource: users
        method: get
        response_mapping: |
          {
            "id": $string(response.id),
            "name": response.full_name,
            "created_at": $toIsoDate(response.created)
          }
      create:
        resource: users
        method: create
        required: [name]
        body: { kind: person }
        request_body_mapping: '{ "full_name": body.name, "mail": body.emails[0].email }'
        response_mapping: '{ "id": $string(response.id), "name": response.full_name }'
      update:
        resource: users
        method: update
        request_body_mapping: '{ "full_name": body.name }'
        response_mapping: '{ "id": $string(response.id), "name": response.full_name & ($number(response.id) + response.full_name) }'
      delete:
        resource: users
        method: delete
`;

const engine = new Engine({ definitions: [{ file: 'mappings/acme.yaml', text: definition }] });
const context = { host: 'acme.example.com', api_key: 'secret-key' };
const base = { integration: 'acme', model: 'mdm', resource: 'users', context } as const;
const call = (method: string, extra: Partial<UnifiedCall> = {}): UnifiedCall => ({ ...base, method, ...extra });

const page = {
  data: {
    items: [
      { id: 1, full_name: 'Ann Lee', mail: 'ann@example.com', org: { id: 9, name: 'Acme' } },
      { id: 2, full_name: 'Gone', deleted: true },
      { id: 3, full_name: 'Bo Chan', mail: 'bo@example.com', org: { id: 9, name: 'Acme' } },
    ],
  },
};

describe('the seed parameters', () => {
  test('remote_query is passed to the remote query untransformed, nested keys in bracket notation', async () => {
    const request = await engine.mapRequest(call('list', { query: { remote_query: { foo: 'bar', filter: { status: 'active' } } } }));
    expect(request.url).toBe('https://acme.example.com/v2/users?foo=bar&filter%5Bstatus%5D=active');
  });

  test('remote_data in the body is merged over the mapped body untransformed, and can override', async () => {
    const request = await engine.mapRequest(call('create', { body: { name: 'Ann', remote_data: { full_name: 'Ann B. Lee', extra: { deep: [1, 2] } } } }));
    expect(request.body).toEqual({ kind: 'person', full_name: 'Ann B. Lee', extra: { deep: [1, 2] } });
  });

  test('every unified record carries its raw remote record as remote_data; a null mapping drops the record', async () => {
    const result = (await engine.mapResponse(call('list'), { status: 200, body: page })) as { result: { id: string; remote_data: unknown }[]; result_count: number };
    expect(result.result.map((r) => r.id)).toEqual(['1', '3']);
    expect(result.result[0]!.remote_data).toEqual(page.data.items[0]);
    expect(result.result_count).toBe(2);
  });

  test('truto_ignore_remote_data drops remote_data', async () => {
    const result = (await engine.mapResponse(call('list', { query: { truto_ignore_remote_data: true } }), { status: 200, body: page })) as { result: object[] };
    for (const record of result.result) expect(record).not.toHaveProperty('remote_data');
  });

  test('truto_exclude_fields[] drops top-level fields and dotted paths, through arrays', async () => {
    const result = (await engine.mapResponse(call('list', { query: { truto_exclude_fields: ['name', 'emails.is_primary', 'organization.name', 'remote_data'] } }), { status: 200, body: page })) as {
      result: object[];
    };
    expect(result.result[0]).toEqual({ id: '1', emails: [{ email: 'ann@example.com' }], organization: { id: 9 } });
  });

  test('the comma form of truto_exclude_fields works too', async () => {
    const result = (await engine.mapResponse(call('get', { id: '1', query: { truto_exclude_fields: 'name,remote_data' } }), { status: 200, body: { user: { id: 1, full_name: 'A' } } })) as object;
    expect(result).toEqual({ id: '1' });
  });

  test('truto_ignore_remote_data takes true/false, 1/0 or no value; anything else is a 400, not false', async () => {
    for (const value of [true, 'true', '1', '']) {
      const result = (await engine.mapResponse(call('list', { query: { truto_ignore_remote_data: value } }), { status: 200, body: page })) as { result: object[] };
      expect(result.result[0]).not.toHaveProperty('remote_data');
    }
    for (const value of [false, 'false', '0']) {
      const result = (await engine.mapResponse(call('list', { query: { truto_ignore_remote_data: value } }), { status: 200, body: page })) as { result: object[] };
      expect(result.result[0]).toHaveProperty('remote_data');
    }
    for (const value of ['maybe', 'yes', ['true'], 2]) {
      const error = await engine.mapRequest(call('list', { query: { truto_ignore_remote_data: value } })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnimapError);
      expect(error).toMatchObject({ code: 'invalid_query', statusCode: 400, message: 'truto_ignore_remote_data must be true or false' });
    }
  });

  test('truto_key_by turns the list result into an object keyed by the field; the envelope stays', async () => {
    const result = (await engine.mapResponse(call('list', { query: { truto_key_by: 'id', truto_ignore_remote_data: true } }), { status: 200, body: page })) as Record<string, unknown>;
    expect(result).toEqual({
      result: {
        '1': { id: '1', name: 'Ann Lee', emails: [{ email: 'ann@example.com', is_primary: true }], organization: { id: 9, name: 'Acme' } },
        '3': { id: '3', name: 'Bo Chan', emails: [{ email: 'bo@example.com', is_primary: true }], organization: { id: 9, name: 'Acme' } },
      },
      next_cursor: null,
      prev_cursor: null,
      result_count: 2,
    });
    // A dotted path, as in truto_exclude_fields[].
    const twoOrgs = { data: { items: [page.data.items[0], { ...page.data.items[2], org: { id: 10, name: 'Beta' } }] } };
    const byOrg = (await engine.mapResponse(call('list', { query: { truto_key_by: 'organization.name' } }), { status: 200, body: twoOrgs })) as { result: Record<string, { id: string }> };
    expect(Object.entries(byOrg.result).map(([key, user]) => [key, user.id])).toEqual([['Acme', '1'], ['Beta', '3']]);
  });

  test('truto_key_by never drops a record: a missing or repeated key is a 400 that names it', async () => {
    const repeated = await engine.mapResponse(call('list', { query: { truto_key_by: 'organization.id' } }), { status: 200, body: page }).catch((e: unknown) => e);
    expect(repeated).toMatchObject({ code: 'invalid_query', statusCode: 400, details: { truto_key_by: 'organization.id', duplicate_key: '9' } });
    expect((repeated as Error).message).toContain('not unique');
    const missing = await engine.mapResponse(call('list', { query: { truto_key_by: 'nickname' } }), { status: 200, body: page }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'invalid_query', statusCode: 400, details: { truto_key_by: 'nickname', record_index: 0 } });
    // Excluding the key's field is caught before any remote call.
    for (const excluded of ['id', 'organization', ['name', 'organization.id']]) {
      const field = excluded === 'id' ? 'id' : 'organization.id';
      const error = await engine.mapRequest(call('list', { query: { truto_key_by: field, truto_exclude_fields: excluded } })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid_query', statusCode: 400 });
      expect((error as Error).message).toContain('which truto_exclude_fields removes');
    }
    // A field that only shares a prefix is not excluded.
    await expect(engine.mapRequest(call('list', { query: { truto_key_by: 'id', truto_exclude_fields: ['identity'] } }))).resolves.toBeDefined();
  });

  test('truto_key_by with a key such as __proto__ keeps it as an own property and pollutes nothing', async () => {
    const hostile = { data: { items: [{ id: '__proto__', full_name: 'P', org: {} }, { id: 'constructor', full_name: 'C', org: {} }] } };
    const result = (await engine.mapResponse(call('list', { query: { truto_key_by: 'id', truto_ignore_remote_data: true } }), { status: 200, body: hostile })) as { result: Record<string, { name: string }> };
    expect(Object.getPrototypeOf(result.result)).toBe(Object.prototype);
    expect(Object.keys(result.result)).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(result.result)).constructor).toEqual({ id: 'constructor', name: 'C', emails: [{ is_primary: true }], organization: {} });
    expect(({} as Record<string, unknown>).name).toBeUndefined();
  });

  test('truto_key_by and truto_ignore_limit apply to list only; truto_key_by not to raw or stream', async () => {
    for (const [method, query] of [['get', { truto_key_by: 'id' }], ['create', { truto_ignore_limit: 'true' }]] as const) {
      const error = await engine.mapRequest(call(method, { id: '1', body: { name: 'A' }, query })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid_query', statusCode: 400 });
      expect((error as Error).message).toContain(`applies to list only, not to ${method}`);
    }
    for (const format of ['raw', 'stream']) {
      const error = await engine.mapRequest(call('list', { query: { truto_key_by: 'id', truto_response_format: format } })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid_query', statusCode: 400 });
    }
    for (const value of ['', ' ', ['id'], { a: 1 }]) {
      expect(await engine.mapRequest(call('list', { query: { truto_key_by: value } })).catch((e: unknown) => e)).toMatchObject({ code: 'invalid_query' });
    }
  });

  test('truto_ignore_limit=true leaves limit out: the vendor pages with its own size', async () => {
    const paged = new Engine({
      definitions: [{ file: 'paged.yaml', text: definition.replace('list: { path: /users, response_path: data.items }', 'list: { path: /users, response_path: data.items, pagination: { type: page, page_param: page, limit_param: per_page } }') }],
    });
    expect((await paged.mapRequest(call('list', { query: { limit: 5 } }))).url).toBe('https://acme.example.com/v2/users?per_page=5&page=1');
    expect((await paged.mapRequest(call('list', { query: { limit: 5, truto_ignore_limit: true } }))).url).toBe('https://acme.example.com/v2/users?page=1');
    expect((await paged.mapRequest(call('list', { query: { limit: 5, truto_ignore_limit: 'false' } }))).url).toBe('https://acme.example.com/v2/users?per_page=5&page=1');
    expect(await paged.mapRequest(call('list', { query: { truto_ignore_limit: 'sometimes' } })).catch((e: unknown) => e)).toMatchObject({ code: 'invalid_query', message: 'truto_ignore_limit must be true or false' });
  });

  test('get, create and update return the bare object; delete returns {id}', async () => {
    expect(await engine.mapResponse(call('get', { id: '1', query: { truto_ignore_remote_data: 'true' } }), { status: 200, body: { user: { id: 1, full_name: 'A', created: 1700000000 } } })).toEqual({
      id: '1',
      name: 'A',
      created_at: '2023-11-14T22:13:20.000Z',
    });
    expect(await engine.mapResponse(call('create', { body: { name: 'A' } }), { status: 201, body: { id: 5, full_name: 'A' } })).toMatchObject({ id: '5', name: 'A' });
    expect(await engine.mapResponse(call('delete', { id: '5' }), { status: 204 })).toEqual({ id: '5' });
  });

  test('truto_response_format=raw returns the remote body untouched', async () => {
    expect(await engine.mapResponse(call('list', { query: { truto_response_format: 'raw' } }), { status: 200, body: page })).toBe(page);
  });

  test('an unknown truto_response_format is refused', async () => {
    await expect(engine.mapRequest(call('list', { query: { truto_response_format: 'xml' } }))).rejects.toMatchObject({ code: 'invalid_query', statusCode: 400 });
  });
});

describe('input validation, before any mapping runs', () => {
  test('a body that violates the unified schema names each field', async () => {
    const error = await engine.mapRequest(call('create', { body: { name: 5, emails: [{ email: 'x', is_primary: 'yes' }], nickname: 'n' } })).catch((e: UnimapError) => e);
    expect(error).toBeInstanceOf(UnimapError);
    expect((error as UnimapError).toJSON()).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      code: 'invalid_body',
      details: {
        invalid_body_fields: expect.arrayContaining([
          { field: 'name', message: 'must be of type string' },
          { field: 'emails[0].is_primary', message: 'must be of type boolean' },
          expect.objectContaining({ field: 'nickname', message: expect.stringContaining('remote_data') }),
        ]),
      },
    });
  });

  test('a unified field the integration cannot write is refused, not silently dropped', async () => {
    await expect(engine.mapRequest(call('update', { id: '1', body: { name: 'A', emails: [{ email: 'a@b.c' }] } }))).rejects.toMatchObject({
      code: 'invalid_body',
      statusCode: 400,
      message: expect.stringContaining('acme cannot write `emails` on mdm/users.update'),
      details: { unsupported_body_fields: ['emails'] },
    });
  });

  test('a field a request-side step writes counts as written; one only the response mapping reads does not', async () => {
    const update = "        request_body_mapping: '{ \"full_name\": body.name }'\n";
    const withStep = new Engine({
      definitions: [{ file: 'steps.yaml', text: definition.replace(update, `${update}        after:\n          - name: emails\n            resource: users\n            method: update\n            id: 'data.id'\n            body: '{ "emails": body.emails.email }'\n`) }],
    });
    expect(withStep.problems).toEqual([]);
    const request = await withStep.mapRequest(call('update', { id: '1', body: { name: 'A', emails: [{ email: 'a@b.c' }] } }));
    expect(request.body).toEqual({ full_name: 'A' });
    // The response mapping reads body.emails, but nothing sends it: still refused.
    const echoOnly = new Engine({
      definitions: [{ file: 'echo.yaml', text: definition.replace(`"name": response.full_name & ($number(response.id) + response.full_name) }'`, `"name": response.full_name, "emails": body.emails }'`) }],
    });
    expect(echoOnly.problems).toEqual([]);
    await expect(echoOnly.mapRequest(call('update', { id: '1', body: { name: 'A', emails: [{ email: 'a@b.c' }] } }))).rejects.toMatchObject({ code: 'invalid_body', details: { unsupported_body_fields: ['emails'] } });
  });

  test('filter values are checked against the integration query_schema', async () => {
    const e = new Engine({
      definitions: [{ file: 'q.yaml', text: definition.replace("      list:\n        resource: users\n        method: list\n", "      list:\n        resource: users\n        method: list\n        query_schema: { type: object, properties: { email: { type: string, format: email } } }\n        query_mapping: '{ \"mail\": query.email }'\n") }],
    });
    expect(e.problems).toEqual([]);
    await expect(e.mapRequest(call('list', { query: { email: 'not-an-email' } }))).rejects.toMatchObject({ code: 'invalid_query', statusCode: 400, details: { invalid_query_parameters: [{ field: 'email', message: 'must match format "email"' }] } });
    expect((await e.mapRequest(call('list', { query: { email: 'a@b.co' } }))).url).toContain('mail=a%40b.co');
  });

  test('missing required fields are listed as missing_required_body_fields', async () => {
    await expect(engine.mapRequest(call('create', { body: { emails: [] } }))).rejects.toMatchObject({
      code: 'missing_required_body_fields',
      details: { missing_required_body_fields: ['name'] },
    });
  });

  test('a filter the integration does not support is refused, not silently ignored', async () => {
    await expect(engine.mapRequest(call('list', { query: { email: 'a@b.c' } }))).rejects.toMatchObject({
      code: 'invalid_query',
      details: { unsupported_query_parameters: ['email'] },
    });
  });

  test('get, update and delete need an id; unknown methods and integrations are clear errors', async () => {
    await expect(engine.mapRequest(call('get'))).rejects.toMatchObject({ code: 'invalid_call', statusCode: 400 });
    await expect(engine.mapRequest({ ...base, resource: 'devices', method: 'list' })).rejects.toMatchObject({
      code: 'method_not_supported',
      statusCode: 501,
      message: 'mdm/devices.list is not supported by acme',
    });
    await expect(engine.mapRequest({ ...base, integration: 'nope', method: 'list' })).rejects.toMatchObject({ code: 'integration_not_found', statusCode: 404 });
  });

  test('a context without a value the base URL needs is a clear error', async () => {
    await expect(engine.mapRequest({ ...base, context: {}, method: 'list' })).rejects.toMatchObject({ code: 'missing_context', message: expect.stringContaining('`host`') });
  });
});

describe('context defaults', () => {
  const withDefaults = definition.replace('base_url: "https://{{context.host}}/v2"\n', 'base_url: "https://{{context.host}}/{{context.version}}"\ncontext:\n  host: { required: true }\n  version: { default: v2 }\n  api_key: { secret: true }\n');
  const e = new Engine({ definitions: [{ file: 'defaults.yaml', text: withDefaults }] });

  test('a field the account has no value for takes its default; the account\'s own value wins', async () => {
    expect(e.problems).toEqual([]);
    const url = async (extra: Record<string, unknown>) => (await e.mapRequest(call('get', { id: '1', context: { host: 'acme.example.com', ...extra } }))).url;
    expect(await url({})).toBe('https://acme.example.com/v2/users/1');
    expect(await url({ version: null })).toBe('https://acme.example.com/v2/users/1');
    expect(await url({ version: '' })).toBe('https://acme.example.com/v2/users/1');
    expect(await url({ version: 'v3' })).toBe('https://acme.example.com/v3/users/1');
    // The default is also what JSONata sees as `context`.
    const echo = new Engine({ definitions: [{ file: 'echo.yaml', text: withDefaults.replace('response_mapping: \'{ "id": $string(response.id), "name": response.full_name & ($number(response.id) + response.full_name) }\'', 'response_mapping: \'{ "id": $string(response.id), "name": context.version }\'') }] });
    const account = { host: 'acme.example.com' };
    expect(await echo.mapResponse(call('update', { id: '1', context: account }), { status: 200, headers: {}, body: { id: 1 } })).toEqual({ id: '1', name: 'v2', remote_data: { id: 1 } });
    expect(account).toEqual({ host: 'acme.example.com' }); // the account's object is not changed
  });

  test('a secret cannot have a default', () => {
    const bad = new Engine({ definitions: [{ file: 'bad.yaml', text: withDefaults.replace('api_key: { secret: true }', 'api_key: { secret: true, default: k-123 }') }] });
    expect(bad.problems).toEqual([expect.objectContaining({ code: 'schema_violation', message: expect.stringContaining('`api_key` is a secret and cannot have a default'), location: expect.objectContaining({ file: 'bad.yaml', line: expect.any(Number) }) })]);
    expect(bad.failedIntegrations.has('acme')).toBe(true);
  });
});

describe('URL safety', () => {
  test.each([['../admin'], ['a/b?c=d#e'], ['x@evil.example'], ['a\r\nX-Injected: 1'], ['%2e%2e'], ['...']])('id %j stays one path segment', async (id) => {
    const request = await engine.mapRequest(call('get', { id }));
    const url = new URL(request.url);
    expect(url.host).toBe('acme.example.com');
    expect(url.search).toBe('');
    expect(url.hash).toBe('');
    expect(url.pathname.startsWith('/v2/users/')).toBe(true);
    expect(url.pathname.split('/')).toHaveLength(4);
    expect(decodeURIComponent(url.pathname.split('/')[3]!)).toBe(id);
  });

  test('"." and ".." cannot be a path segment at all (URL parsers would resolve even their encoded forms)', async () => {
    await expect(engine.mapRequest(call('get', { id: '..' }))).rejects.toMatchObject({ code: 'invalid_call', statusCode: 400 });
    await expect(engine.mapRequest(call('get', { id: '.' }))).rejects.toMatchObject({ code: 'invalid_call', statusCode: 400 });
  });

  test('a context value cannot move the host', async () => {
    await expect(engine.mapRequest({ ...base, context: { host: 'evil.example/x?' }, method: 'list' })).rejects.toMatchObject({ code: 'missing_context' });
    await expect(engine.mapRequest({ ...base, context: { host: 'evil.example@acme' }, method: 'list' })).rejects.toMatchObject({ code: 'missing_context' });
  });
});

describe('override layers', () => {
  const overrides = {
    environment: { mdm: { users: { get: { response_mapping: '{ "id": "env-" & $string(response.id), "name": response.full_name }' } } } },
    account: { mdm: { users: { get: { response_mapping: '{ "nickname": response.nick, "name": $uppercase(response.full_name) }' } } } },
  };
  const remote = { status: 200, body: { user: { id: 1, full_name: 'Ann', nick: 'annie' } } };

  test('the environment layer replaces a slot whole', async () => {
    const result = await engine.mapResponse(call('get', { id: '1', overrides: { environment: overrides.environment } }), remote);
    expect(result).toEqual({ id: 'env-1', name: 'Ann', remote_data: remote.body.user });
  });

  test("the account layer's response_mapping is evaluated on the same record and merged over the base output", async () => {
    const result = await engine.mapResponse(call('get', { id: '1', overrides }), remote);
    expect(result).toEqual({ id: 'env-1', name: 'ANN', nickname: 'annie', remote_data: remote.body.user });
  });

  test('the account layer replaces other slots whole', async () => {
    const request = await engine.mapRequest(call('create', { body: { name: 'A' }, overrides: { account: { mdm: { users: { create: { body: { source: 'acct' } } } } } } }));
    expect(request.body).toEqual({ source: 'acct', full_name: 'A' });
  });

  test('__proto__ and constructor keys in overrides are ignored and pollute nothing', async () => {
    const polluted = JSON.parse('{"mdm":{"users":{"get":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}}}');
    const result = await engine.mapResponse(call('get', { id: '1', overrides: { account: polluted } }), remote).catch((e: unknown) => e);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // An override with unknown keys is refused as invalid, never applied.
    expect(result).toBeInstanceOf(UnimapError);
  });

  test('an override with a JSONata syntax error is a 400 naming the layer and slot', async () => {
    const bad = { account: { mdm: { users: { get: { response_mapping: '{ "a": response.x +  }' } } } } };
    await expect(engine.mapResponse(call('get', { id: '1', overrides: bad }), remote)).rejects.toMatchObject({
      code: 'invalid_override',
      statusCode: 400,
      location: { slot: 'response_mapping', path: 'overrides.account.mdm.users.get.response_mapping', line: 1, column: 22 },
    });
  });

  test('an override that does not fit the schema is refused', async () => {
    await expect(engine.mapRequest(call('list', { overrides: { environment: { mdm: { users: { list: { response_mapping_method: 'many' as 'item' } } } } } }))).rejects.toMatchObject({
      code: 'invalid_override',
    });
  });
});

describe('errors', () => {
  test('a JSONata runtime error names the integration, operation, slot, JSONata code and YAML location', async () => {
    const error = (await engine.mapResponse(call('update', { id: '1', body: { name: 'A' } }), { status: 200, body: { id: 1, full_name: 'A' } }).catch((e: unknown) => e)) as UnimapError;
    expect(error.code).toBe('mapping_error');
    expect(error.message).toContain('response_mapping of acme mdm/users.update failed at mappings/acme.yaml:');
    expect(error.message).toContain('T2002');
    expect(error.location).toMatchObject({ file: 'mappings/acme.yaml', integration: 'acme', operation: 'mdm/users.update', slot: 'response_mapping', line: 43 });
    expect((error.details as { jsonata_code: string }).jsonata_code).toBe('T2002');
    expect(JSON.stringify(error.toJSON())).not.toContain('at Engine');
  });

  test('without error_mapping, the remote message and status are kept', async () => {
    expect(await engine.mapError(call('list'), { status: 403, body: { error: { code: 'Forbidden', message: 'Insufficient privileges' } } })).toMatchObject({
      statusCode: 403,
      error: 'Forbidden',
      code: 'remote_error',
      message: 'acme mdm/users.list: Insufficient privileges',
    });
    expect(await engine.mapError(call('list'), { status: 502, body: '<html><body><h1>Bad gateway</h1></body></html>' })).toMatchObject({ statusCode: 502, message: 'acme mdm/users.list: Bad gateway' });
  });

  test('mapResponse throws the mapped error for a non-2xx response', async () => {
    await expect(engine.mapResponse(call('get', { id: '1' }), { status: 404, body: { message: 'no such user' } })).rejects.toMatchObject({
      code: 'remote_error',
      statusCode: 404,
      remote: { status: 404, body: { message: 'no such user' } },
    });
  });

  test('error_expression turns a 200 into an error', async () => {
    const e = new Engine({
      definitions: [{ file: 'e.yaml', text: definition.replace('resources:', 'error_expression: \'data.ok = false\'\nresources:') }],
    });
    await expect(e.mapResponse(call('list'), { status: 200, body: { ok: false, message: 'token expired' } })).rejects.toMatchObject({ code: 'remote_error', statusCode: 502, message: expect.stringContaining('token expired') });
  });

  test('a runaway expression is stopped by the guardrails with a mapping_limit error', async () => {
    const runaway = definition.replace(
      `response_mapping: '{ "id": $string(response.id), "name": response.full_name }'`,
      `response_mapping: '($f := function($n) { $f($n + 1) + 1 }; { "id": $string($f(0)) })'`,
    );
    const e = new Engine({ definitions: [{ file: 'r.yaml', text: runaway }], limits: { timeoutMs: 500, maxDepth: 200 } });
    expect(e.problems).toEqual([]);
    const started = Date.now();
    await expect(e.mapResponse(call('create', { body: { name: 'A' } }), { status: 201, body: { id: 1 } })).rejects.toMatchObject({ code: 'mapping_limit', statusCode: 500 });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('a mapping that returns a non-object is a clear error', async () => {
    const e = new Engine({ definitions: [{ file: 'n.yaml', text: definition.replace(`'{ "full_name": body.name }'`, `'"just " & body.name'`).replace(`"id": $string(response.id), "name": response.full_name & ($number(response.id) + response.full_name) }`, `"id": "1" }`) }] });
    await expect(e.mapRequest(call('update', { id: '1', body: { name: 'x' }, query: {} }))).resolves.toMatchObject({ body: 'just x' });
  });
});

describe('engines are independent values', () => {
  test('two engines with the same integration name do not interfere', async () => {
    const other = new Engine({ definitions: [{ file: 'acme.yaml', text: definition.replace('/v2', '/v3') }] });
    expect((await other.mapRequest(call('list'))).url).toContain('/v3/users');
    expect((await engine.mapRequest(call('list'))).url).toContain('/v2/users');
  });
});

describe('writes answered without a body', () => {
  test('an update answered with 204 gives {id}', async () => {
    expect(await engine.mapResponse(call('update', { id: '9', body: { name: 'A' } }), { status: 204 })).toEqual({ id: '9' });
  });

  test('a get answered with no record is a 502, not an empty object', async () => {
    await expect(engine.mapResponse(call('get', { id: '9' }), { status: 200, body: {} })).rejects.toMatchObject({ code: 'invalid_remote_response', statusCode: 502 });
  });
});

describe('output limits', () => {
  const big = definition.replace(`response_mapping: '{ "id": $string(response.id), "name": response.full_name }'`, `response_mapping: '{ "id": $string(response.id), "name": $join([1..200000].("xxxxxxxxxx")) }'`);

  test('a result larger than maxOutputBytes is a mapping_limit error', async () => {
    const e = new Engine({ definitions: [{ file: 'big.yaml', text: big }], limits: { maxOutputBytes: 100_000 } });
    await expect(e.mapResponse(call('create', { body: { name: 'A' } }), { status: 201, body: { id: 1 } })).rejects.toMatchObject({
      code: 'mapping_limit',
      message: expect.stringContaining('larger than 100000 bytes'),
    });
  });

  test('a result nested deeper than maxOutputDepth is a mapping_limit error', async () => {
    const deep = definition.replace(`response_mapping: '{ "id": $string(response.id), "name": response.full_name }'`, `response_mapping: '$reduce([1..100], function($acc, $i) { { "a": $acc } }, { "id": "1" })'`);
    const e = new Engine({ definitions: [{ file: 'deep.yaml', text: deep }], limits: { maxOutputDepth: 20 } });
    await expect(e.mapResponse(call('create', { body: { name: 'A' } }), { status: 201, body: { id: 1 } })).rejects.toMatchObject({ code: 'mapping_limit', message: expect.stringContaining('nested deeper than 20') });
  });
});

describe('response_mapping_method: array', () => {
  test('records the mapping hands back as they are (response) get their own object: remote_data is added to a copy, not to the vendor record', async () => {
    const engine = new Engine({
      definitions: [
        {
          file: 'arr.yaml',
          text: `name: arr
base_url: "https://example.com"
resources:
  users:
    list: { path: /users, response_path: users }
unified:
  mdm:
    users:
      list: { resource: users, method: list, response_mapping_method: array, response_mapping: 'response' }
`,
        },
      ],
      strict: true,
    });
    const body = { users: [{ id: '1', name: 'A' }, { id: '2', name: 'B' }] };
    const result = (await engine.mapResponse({ integration: 'arr', model: 'mdm', resource: 'users', method: 'list', query: {} }, { status: 200, headers: {}, body })) as { result: Record<string, unknown>[] };
    expect(body).toEqual({ users: [{ id: '1', name: 'A' }, { id: '2', name: 'B' }] });
    expect(result.result).toEqual([
      { id: '1', name: 'A', remote_data: { id: '1', name: 'A' } },
      { id: '2', name: 'B', remote_data: { id: '2', name: 'B' } },
    ]);
    expect(() => JSON.stringify(result)).not.toThrow();
  });
});
