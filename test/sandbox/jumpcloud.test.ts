import { beforeAll, describe, expect, test } from 'vitest';
import type { ExecuteCall, ListResult } from '../../engine/index.js';
import { startSandboxHub, type SandboxHub } from '../../engine/server/sandbox/hub.js';
import { createJumpCloudEmulator } from '../../engine/server/sandbox/jumpcloud.js';
import type { Emulator } from '../../engine/server/sandbox/emulator.js';
import { failure } from '../support/failure.js';
import { vendorSandboxes } from '../support/vendor-sandbox.js';

// The JumpCloud emulator over real HTTP, through the engine and mappings/jumpcloud.yaml.

type Doc = Record<string, unknown>;

const vendor = vendorSandboxes('jumpcloud', createJumpCloudEmulator);
let emulator: Emulator;
let hub: SandboxHub;

beforeAll(async () => {
  ({ emulator, hub } = await vendor.sandbox());
});

const unknownId = '0123456789abcdef01234567';

function account(context: Doc = emulator.context): ExecuteCall['account'] {
  return { id: 'sandbox-jumpcloud', integration: 'jumpcloud', context };
}

function call(resource: string, method: string, extra: Partial<ExecuteCall> = {}): ExecuteCall {
  return { model: 'mdm', resource, method, account: account(), ...extra };
}

async function run(request: ExecuteCall): Promise<{ status: number; body: unknown }> {
  return vendor.engine.execute(request, { fetch: hub.fetch });
}

async function list(resource: string, query: Doc = {}): Promise<ListResult> {
  return (await run(call(resource, 'list', { query }))).body as ListResult;
}

async function get(resource: string, id: string): Promise<Doc> {
  return (await run(call(resource, 'get', { id }))).body as Doc;
}

async function all(resource: string, query: Doc = {}): Promise<Doc[]> {
  const records: Doc[] = [];
  for await (const record of vendor.engine.records(call(resource, 'list', { query }), { fetch: hub.fetch })) records.push(record);
  return records;
}

/** The error a promise rejects with (fails the test when it resolves). */
function expectValid(resource: string, record: unknown): void {
  expect(vendor.engine.models.get('mdm', resource)!.check('record', record)).toEqual([]);
}

/** Pages through a list one record at a time via next_cursor alone; returns every record. */
async function pageThrough(resource: string, query: Doc = {}): Promise<Doc[]> {
  const records: Doc[] = [];
  let page = await list(resource, { ...query, limit: 1 });
  for (let n = 0; n < 50; n++) {
    expect(page.result.length).toBeLessThanOrEqual(1);
    records.push(...page.result);
    if (!page.next_cursor) break;
    page = await list(resource, { next_cursor: page.next_cursor });
  }
  return records;
}

describe('jumpcloud sandbox: the vendor.engine reads every resource', () => {
  test('the definition loads and the sandbox context satisfies it', () => {
    expect(vendor.engine.integrations.has('jumpcloud')).toBe(true);
    expect(emulator.context).toMatchObject({ api_host: 'console.jumpcloud.com', api_key: expect.any(String), org_id: expect.stringMatching(/^[0-9a-f]{24}$/) });
    expect(vendor.engine.capabilities('jumpcloud')).toEqual({
      mdm: {
        users: ['list', 'get', 'create', 'update', 'delete'],
        devices: ['list', 'get', 'update', 'delete'],
        apps: ['list'],
        organizations: ['list', 'get'],
      },
    });
  });

  for (const [resource, minimum] of [
    ['users', 4],
    ['devices', 5],
    ['apps', 6],
    ['organizations', 3],
  ] as const) {
    test(`${resource}: list at limit=1 spans pages via next_cursor, and records() streams them all`, async () => {
      const first = await list(resource, { limit: 1 });
      expect(first.result).toHaveLength(1);
      expect(first.next_cursor).toEqual(expect.any(String));
      const second = await list(resource, { next_cursor: first.next_cursor });
      expect(second.result).toHaveLength(1);
      expect(second.result[0]!.id).not.toEqual(first.result[0]!.id);

      const paged = await pageThrough(resource);
      expect(paged.length).toBeGreaterThanOrEqual(minimum);
      const streamed = await all(resource);
      expect(streamed.map((r) => r.id)).toEqual(paged.map((r) => r.id));
      expect(new Set(streamed.map((r) => r.id)).size).toBe(streamed.length);
      for (const record of streamed) expectValid(resource, record);
    });
  }

  test('users: records are the demo organization users, in the unified shape', async () => {
    const users = await all('users');
    expect(users.map((u) => u.name)).toEqual(['Jane Doe', 'Alex Smith', 'kchen', 'Priya Patel']);
    expect(users[0]).toMatchObject({
      id: '5f1b2c3d4e5f6a7b8c9d0e1f',
      first_name: 'Jane',
      last_name: 'Doe',
      emails: [
        { email: 'jane.doe@example.com', is_primary: true, type: 'work' },
        { email: 'jane@personal.example.com', is_primary: false },
      ],
      is_active: true,
      organization: { id: emulator.context.org_id },
      created_at: '2023-04-05T10:11:12.000Z',
    });
    expect(users[1]!.is_active).toBe(false); // SUSPENDED
    expect(users[2]!.is_active).toBe(false); // STAGED
  });

  test('users: get of an id from the list', async () => {
    const [first] = (await list('users', { limit: 1 })).result;
    const user = await get('users', String(first!.id));
    expect(user).toEqual(first);
    expectValid('users', user);
  });

  test('users: the email filter (filter=email:$eq:…) is case-sensitive and exact', async () => {
    const found = await list('users', { email: 'priya.patel@example.com' });
    expect(found.result.map((u) => u.name)).toEqual(['Priya Patel']);
    expect(found.next_cursor).toBeNull();
    expect((await list('users', { email: 'PRIYA.PATEL@example.com' })).result).toEqual([]);
  });

  test('devices: get of an id from the list, with platforms and addresses mapped', async () => {
    const devices = await all('devices');
    expect(devices.map((d) => d.platform)).toEqual(['macos', 'windows', 'ipados', 'linux', 'macos']);
    const ipad = devices.find((d) => d.platform === 'ipados')!;
    expect(ipad.type).toBe('tablet');
    const device = await get('devices', String(devices[0]!.id));
    expect(device).toEqual(devices[0]);
    expect(device).toMatchObject({ name: "Jane's MacBook Pro", disk_encryption: true, private_ip_addresses: ['192.168.1.23', 'fe80::1c2b:3a4d:5e6f:7081'], os_version_extra: 'Sonoma' });
    expectValid('devices', device);
  });

  test('devices: filters by serial number and OS version (filter[0]…filter[1], ANDed)', async () => {
    const found = await list('devices', { serial_number: 'C02XK1ABJGH5', os_version: '14.4.1' });
    expect(found.result.map((d) => d.id)).toEqual(['63c1d2e3f4a5b6c7d8e9f001']);
    expect((await list('devices', { serial_number: 'C02XK1ABJGH5', os_version: '15.3.1' })).result).toEqual([]);
    const byName = await list('devices', { name: 'build-runner-01' });
    expect(byName.result.map((d) => d.hostname)).toEqual(['build-runner-01']);
  });

  test('apps: every app belongs to a macOS device of the organization; device_id filters', async () => {
    const devices = new Map((await all('devices')).map((d) => [d.id, d]));
    const apps = await all('apps');
    for (const app of apps) {
      const device = devices.get((app.device as Doc).id);
      expect(device?.platform).toBe('macos');
      expect(app.id).toBe(`${(app.device as Doc).id}:${app.install_path}`);
    }
    const janes = await pageThrough('apps', { device_id: '63c1d2e3f4a5b6c7d8e9f001' });
    expect(janes.map((a) => a.name)).toEqual(['Google Chrome', 'Calculator', 'Slack']);
    for (const app of janes) expectValid('apps', app);
    expect((await list('apps', { device_id: unknownId })).result).toEqual([]);
  });

  test('organizations: list records are id and name; get of an id from the list gives the full record', async () => {
    const organizations = await all('organizations');
    expect(organizations.map((o) => o.name)).toEqual(['Example Corp', 'Acme Retail', 'Globex Labs']);
    const acme = await get('organizations', String(organizations[1]!.id));
    expect(acme).toMatchObject({ id: organizations[1]!.id, name: 'Acme Retail', created_at: '2021-07-19T13:45:00.000Z' });
    expect(acme.remote_data).toMatchObject({ settings: { contactName: 'Sam Lee' } });
    expectValid('organizations', acme);
  });

  test('records of other managed organizations are reached with their org_id only', async () => {
    const acme = { ...emulator.context, org_id: '5a0b1c2d3e4f5a6b7c8d9e10' };
    const users = (await run({ ...call('users', 'list'), account: account(acme) })).body as ListResult;
    expect(users.result.map((u) => u.name)).toEqual(['Sam Lee', 'Maria Garcia']);
    const error = await failure(run(call('users', 'get', { id: String(users.result[0]!.id) })));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404 });
  });
});

describe('jumpcloud sandbox: unknown ids and credentials', () => {
  for (const resource of ['users', 'devices', 'organizations']) {
    test(`${resource}: an unknown id is the vendor's 404 through error_mapping`, async () => {
      const error = await failure(run(call(resource, 'get', { id: unknownId })));
      expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, details: { status: 'NOT_FOUND' }, remote: { status: 404, body: { code: 404, status: 'NOT_FOUND' } } });
      expect(error.message).toMatch(/^JumpCloud: /);
    });
  }

  const everyCall: [string, string, Partial<ExecuteCall>][] = [
    ['users', 'list', {}],
    ['users', 'get', { id: '5f1b2c3d4e5f6a7b8c9d0e1f' }],
    ['users', 'create', { body: { name: 'Nobody', emails: [{ email: 'nobody@example.com', is_primary: true }] } }],
    ['users', 'update', { id: '5f1b2c3d4e5f6a7b8c9d0e1f', body: { name: 'Nobody' } }],
    ['users', 'delete', { id: '5f1b2c3d4e5f6a7b8c9d0e21' }],
    ['devices', 'list', {}],
    ['devices', 'get', { id: '63c1d2e3f4a5b6c7d8e9f001' }],
    ['devices', 'update', { id: '63c1d2e3f4a5b6c7d8e9f001', body: { name: 'Nobody' } }],
    ['devices', 'delete', { id: '63c1d2e3f4a5b6c7d8e9f001' }],
    ['apps', 'list', {}],
    ['organizations', 'list', {}],
    ['organizations', 'get', { id: '5a0b1c2d3e4f5a6b7c8d9e0f' }],
  ];
  for (const [resource, method, extra] of everyCall) {
    test(`${resource}.${method}: a wrong API key is a 401`, async () => {
      const wrong = { ...emulator.context, api_key: 'not-the-sandbox-key' };
      const error = await failure(run({ ...call(resource, method, extra), account: account(wrong) }));
      expect(error).toMatchObject({ code: 'remote_error', statusCode: 401, message: 'JumpCloud: Unauthorized: api key user not found', remote: { status: 401 } });
    });
  }

  test('an MSP admin without org_id is refused on data routes (401) but may list organizations', async () => {
    const { org_id: _org, ...single } = emulator.context;
    const error = await failure(run({ ...call('users', 'list'), account: account(single) }));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 401, message: 'JumpCloud: Unauthorized: no organization selected' });
    const organizations = (await run({ ...call('organizations', 'list'), account: account(single) })).body as ListResult;
    expect(organizations.result).toHaveLength(3);
  });

  test('an org_id that is not a managed organization is a 404', async () => {
    const error = await failure(run({ ...call('devices', 'list'), account: account({ ...emulator.context, org_id: unknownId }) }));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'JumpCloud: Organization ID Not Found' });
  });
});

describe('jumpcloud sandbox: writes are kept', () => {
  test('users: create-then-get', async () => {
    const created = await run(
      call('users', 'create', {
        body: {
          name: 'Robin Park',
          emails: [
            { email: 'robin.park@example.com', is_primary: true, type: 'work' },
            { email: 'robin@personal.example.com', is_primary: false },
          ],
          remote_data: { department: 'Finance', jobTitle: 'Analyst' },
        },
      }),
    );
    expect(created.status).toBe(201);
    const user = created.body as Doc;
    expectValid('users', user);
    expect(user).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: 'Robin Park',
      first_name: 'Robin',
      last_name: 'Park',
      emails: [
        { email: 'robin.park@example.com', is_primary: true, type: 'work' },
        { email: 'robin@personal.example.com', is_primary: false },
      ],
      is_active: false,
      organization: { id: emulator.context.org_id },
      remote_data: { username: 'robin.park', state: 'STAGED', department: 'Finance', jobTitle: 'Analyst', creationSource: 'api' },
    });
    const fetched = await get('users', String(user.id));
    expect(fetched).toEqual(user);
    expect((await list('users', { email: 'robin.park@example.com' })).result.map((u) => u.id)).toEqual([user.id]);
  });

  test('users: a duplicate username or email is the vendor 400 (ErrorDetails)', async () => {
    const error = await failure(run(call('users', 'create', { body: { name: 'Jane Again', emails: [{ email: 'jane.doe@example.com', is_primary: true }] } })));
    expect(error).toMatchObject({
      code: 'remote_error',
      statusCode: 400,
      message: 'JumpCloud: User already exists',
      details: { status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest' }] },
    });
  });

  test('users: a short password is refused with the validation details requested', async () => {
    const error = await failure(
      run(
        call('users', 'create', {
          query: { remote_query: { fullValidationDetails: 'password' } },
          body: { name: 'Short Pass', emails: [{ email: 'short.pass@example.com', is_primary: true }], remote_data: { password: 'short' } },
        }),
      ),
    );
    expect(error).toMatchObject({
      statusCode: 400,
      message: 'JumpCloud: Password validation fail',
      details: { status: 'INVALID_ARGUMENT', details: [{ fieldViolationsList: [{ field: 'password', description: 'minLength' }] }] },
    });
  });

  test('users: an invalid email is a 400', async () => {
    const error = await failure(run(call('users', 'update', { id: '5f1b2c3d4e5f6a7b8c9d0e21', body: { emails: [{ email: 'not-an-email', is_primary: true }] } })));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 400, details: { status: 'INVALID_ARGUMENT' } });
  });

  test('users: update-then-get (a partial PUT: the username stays)', async () => {
    const updated = (await run(call('users', 'update', { id: '5f1b2c3d4e5f6a7b8c9d0e21', body: { name: 'Kai Chen', emails: [{ email: 'kai.chen@example.com', is_primary: true }, { email: 'kai@home.example.com', is_primary: false }] } }))).body as Doc;
    expectValid('users', updated);
    expect(updated).toMatchObject({ id: '5f1b2c3d4e5f6a7b8c9d0e21', name: 'Kai Chen', first_name: 'Kai', last_name: 'Chen', remote_data: { username: 'kchen', alternateEmail: 'kai@home.example.com' } });
    expect(await get('users', '5f1b2c3d4e5f6a7b8c9d0e21')).toEqual(updated);
  });

  test('users: update of an unknown id is a 404', async () => {
    const error = await failure(run(call('users', 'update', { id: unknownId, body: { name: 'Nobody Here' } })));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404 });
  });

  test('users: a user who manages others cannot be deleted (409)', async () => {
    const error = await failure(run(call('users', 'delete', { id: '5f1b2c3d4e5f6a7b8c9d0e1f' })));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 409, message: 'JumpCloud: User is a manager of other users', details: { status: 'ALREADY_EXISTS' } });
    expect((await get('users', '5f1b2c3d4e5f6a7b8c9d0e1f')).name).toBe('Jane Doe');
  });

  test('users: delete-then-get is a 404', async () => {
    const deleted = await run(call('users', 'delete', { id: '5f1b2c3d4e5f6a7b8c9d0e21' }));
    expect(deleted.body).toEqual({ id: '5f1b2c3d4e5f6a7b8c9d0e21' });
    const error = await failure(run(call('users', 'get', { id: '5f1b2c3d4e5f6a7b8c9d0e21' })));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, details: { status: 'NOT_FOUND' } });
    expect((await all('users')).map((u) => u.id)).not.toContain('5f1b2c3d4e5f6a7b8c9d0e21');
    const again = await failure(run(call('users', 'delete', { id: '5f1b2c3d4e5f6a7b8c9d0e21' })));
    expect(again).toMatchObject({ code: 'remote_error', statusCode: 404 });
  });

  test('devices: update-then-get renames the system', async () => {
    const updated = (await run(call('devices', 'update', { id: '63c1d2e3f4a5b6c7d8e9f002', body: { name: 'FIN-LAPTOP-07' } }))).body as Doc;
    expectValid('devices', updated);
    expect(updated).toMatchObject({ id: '63c1d2e3f4a5b6c7d8e9f002', name: 'FIN-LAPTOP-07', hostname: 'DESKTOP-7Q2LM9', platform: 'windows' });
    expect(await get('devices', '63c1d2e3f4a5b6c7d8e9f002')).toEqual(updated);
    expect((await list('devices', { name: 'FIN-LAPTOP-07' })).result.map((d) => d.id)).toEqual(['63c1d2e3f4a5b6c7d8e9f002']);
  });

  test('devices: update of an unknown id is a 404', async () => {
    const error = await failure(run(call('devices', 'update', { id: unknownId, body: { name: 'ghost' } })));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, details: { status: 'NOT_FOUND' } });
  });

  test('devices: delete-then-get is a 404, and System Insights forgets its apps', async () => {
    const mac = '63c1d2e3f4a5b6c7d8e9f005';
    expect((await list('apps', { device_id: mac })).result.length).toBeGreaterThan(0);
    const deleted = await run(call('devices', 'delete', { id: mac }));
    expect(deleted.body).toEqual({ id: mac });
    const error = await failure(run(call('devices', 'get', { id: mac })));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, details: { status: 'NOT_FOUND' } });
    expect((await list('apps', { device_id: mac })).result).toEqual([]);
    expect((await all('devices')).map((d) => d.id)).not.toContain(mac);
  });

  test('a second emulator starts from the seed again', async () => {
    const fresh = createJumpCloudEmulator();
    const other = await startSandboxHub([fresh]);
    try {
      const users = (await vendor.engine.execute(call('users', 'list'), { fetch: other.fetch })).body as ListResult;
      expect(users.result.map((u) => u.name)).toEqual(['Jane Doe', 'Alex Smith', 'kchen', 'Priya Patel']);
    } finally {
      await other.close();
    }
  });
});
