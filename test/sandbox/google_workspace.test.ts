import { beforeAll, describe, expect, test } from 'vitest';
import type { ExecuteCall, ExecuteResult, ListResult } from '../../engine/index.js';
import { createGoogleWorkspaceEmulator } from '../../engine/server/sandbox/google_workspace.js';
import type { SandboxHub } from '../../engine/server/sandbox/hub.js';
import type { Emulator } from '../../engine/server/sandbox/emulator.js';
import { failure } from '../support/failure.js';
import { vendorSandboxes } from '../support/vendor-sandbox.js';

// The Google Workspace emulator over real HTTP, through the engine and mappings/google_workspace.yaml.

const vendor = vendorSandboxes('google_workspace', createGoogleWorkspaceEmulator);
let emulator: Emulator;
let hub: SandboxHub;

beforeAll(async () => {
  ({ emulator, hub } = await vendor.sandbox());
});

type Resource = 'users' | 'devices' | 'organizations';
type Record_ = Record<string, unknown>;

const account = () => ({ id: 'sandbox-google_workspace', integration: 'google_workspace', context: emulator.context });

function call(resource: Resource, method: string, extra: Partial<Pick<ExecuteCall, 'id' | 'query' | 'body'>> = {}, context?: Record<string, unknown>): ExecuteCall {
  const acct = account();
  return { model: 'mdm', resource, method, ...extra, account: context ? { ...acct, context } : acct };
}

function run(resource: Resource, method: string, extra: Partial<Pick<ExecuteCall, 'id' | 'query' | 'body'>> = {}, context?: Record<string, unknown>): Promise<ExecuteResult> {
  return vendor.engine.execute(call(resource, method, extra, context), { fetch: hub.fetch });
}

async function list(resource: Resource, query: Record<string, unknown> = {}): Promise<ListResult> {
  const result = await run(resource, 'list', { query });
  expect(result.status).toBe(200);
  return result.body as ListResult;
}

async function get(resource: Resource, id: string): Promise<Record_> {
  const result = await run(resource, 'get', { id });
  expect(result.status).toBe(200);
  return result.body as Record_;
}

function expectValid(resource: Resource, record: Record_): void {
  expect(vendor.engine.models.get('mdm', resource)!.check('record', record)).toEqual([]);
}

/** Every page at `limit=1`, following `next_cursor`. */
async function allPages(resource: Resource, query: Record<string, unknown> = {}): Promise<{ pages: number; records: Record_[] }> {
  const records: Record_[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const page: ListResult = await list(resource, cursor ? { limit: 1, next_cursor: cursor } : { ...query, limit: 1 });
    pages++;
    expect(page.result.length).toBeLessThanOrEqual(1);
    records.push(...page.result);
    cursor = page.next_cursor;
  } while (cursor && pages < 50);
  return { pages, records };
}

async function streamAll(resource: Resource, query: Record<string, unknown> = {}): Promise<Record_[]> {
  const out: Record_[] = [];
  for await (const record of vendor.engine.records(call(resource, 'list', { query }), { fetch: hub.fetch })) out.push(record);
  return out;
}

const ids = (records: Record_[]) => records.map((r) => String(r.id));

/** A raw request to the emulator through the hub (the public origin, real HTTP). */
function raw(path: string, init: RequestInit = {}, token: string | null = 'sandbox-token'): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  return hub.fetch(`https://admin.googleapis.com/admin/directory/v1${path}`, { ...init, headers });
}

test('the definition loads without errors and the demo context satisfies it', () => {
  expect(vendor.engine.problems.filter((p) => p.severity === 'error' && p.location?.integration === 'google_workspace')).toEqual([]);
  expect(vendor.engine.integrations.has('google_workspace')).toBe(true);
  expect(emulator.integration).toBe('google_workspace');
  expect(emulator.origins).toEqual(['https://admin.googleapis.com']);
  expect(emulator.context).toEqual({ access_token: 'sandbox-token' });
});

describe('users', () => {
  test('list pages with maxResults/pageToken at limit=1, and records() streams them all', async () => {
    const first = await list('users', { limit: 1 });
    expect(first.result).toHaveLength(1);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await list('users', { limit: 1, next_cursor: first.next_cursor });
    expect(second.result).toHaveLength(1);
    expect(second.result[0]!.id).not.toBe(first.result[0]!.id);

    const { pages, records } = await allPages('users');
    expect(pages).toBeGreaterThanOrEqual(5);
    expect(records.length).toBeGreaterThanOrEqual(5);
    const streamed = await streamAll('users', { limit: 2 });
    expect(ids(streamed)).toEqual(ids(records));
    expect(new Set(ids(streamed)).size).toBe(streamed.length);
    for (const record of streamed) expectValid('users', record);
    expect(streamed.find((u) => u.id === '104857392018475620193')).toMatchObject({
      name: 'Elizabeth Smith',
      first_name: 'Elizabeth',
      last_name: 'Smith',
      emails: [
        { email: 'liz@example.com', is_primary: true, type: 'work' },
        { email: 'liz.smith@example.com', is_primary: false },
        { email: 'liz.smith@home.example.net', is_primary: false, type: 'home' },
      ],
      is_active: true,
      created_at: '2023-05-01T12:00:00.000Z',
    });
    expect(streamed.find((u) => u.id === '118230948572039485721')).toMatchObject({ is_active: false });
  });

  test('the email filter is Google user search email= (primary address or alias)', async () => {
    const byPrimary = await list('users', { email: 'liz@example.com' });
    expect(ids(byPrimary.result)).toEqual(['104857392018475620193']);
    const byAlias = await list('users', { email: 'p.raman@example.com' });
    expect(ids(byAlias.result)).toEqual(['112509874361029384756']);
    const none = await list('users', { email: 'nobody@example.com' });
    expect(none).toMatchObject({ result: [], next_cursor: null, result_count: 0 });
  });

  test('get of an id from the list, and by email address', async () => {
    const page = await list('users', { limit: 1 });
    const listed = page.result[0]!;
    const record = await get('users', String(listed.id));
    expectValid('users', record);
    expect(record).toEqual(listed);
    const byEmail = await get('users', 'priya@example.com');
    expect(byEmail).toMatchObject({ id: '112509874361029384756', name: 'Priya Raman' });
  });

  test('create then get (the password stays write-only)', async () => {
    const created = await run('users', 'create', {
      body: {
        name: 'Jane Doe',
        emails: [
          { email: 'jane.doe@example.com', is_primary: true, type: 'work' },
          { email: 'jane@home.example.net', type: 'home' },
        ],
        remote_data: { password: 'placeholder-Passw0rd', orgUnitPath: '/Engineering', changePasswordAtNextLogin: true },
      },
    });
    expect(created.status).toBe(201);
    const record = created.body as Record_;
    expectValid('users', record);
    expect(record).toMatchObject({
      name: 'Jane Doe',
      first_name: 'Jane',
      last_name: 'Doe',
      emails: [
        { email: 'jane.doe@example.com', is_primary: true, type: 'work' },
        { email: 'jane@home.example.net', is_primary: false, type: 'home' },
      ],
      is_active: true,
    });
    const id = String(record.id);
    const fetched = await get('users', id);
    expectValid('users', fetched);
    expect(fetched).toMatchObject({ id, name: 'Jane Doe', emails: record.emails, created_at: record.created_at });
    expect(fetched.remote_data).toMatchObject({ primaryEmail: 'jane.doe@example.com', orgUnitPath: '/Engineering', changePasswordAtNextLogin: true, customerId: 'C03az79cb' });
    expect(JSON.stringify(fetched.remote_data)).not.toContain('placeholder-Passw0rd');
    const all = await streamAll('users');
    expect(ids(all)).toContain(id);
  });

  test('invalid creates: Google 400 (password, domain) and 409 (address taken)', async () => {
    const short = await failure(run('users', 'create', { body: { name: 'Al Bo', emails: [{ email: 'al@example.com' }], remote_data: { password: 'short' } } }));
    expect(short).toMatchObject({ code: 'remote_error', statusCode: 400, message: 'Google Workspace: Invalid Password' });
    expect(short.details).toEqual({ errors: [{ domain: 'global', reason: 'invalid', message: 'Invalid Password' }] });

    const domain = await failure(run('users', 'create', { body: { name: 'Al Bo', emails: [{ email: 'al@elsewhere.test' }], remote_data: { password: 'long-enough-1' } } }));
    expect(domain).toMatchObject({ code: 'remote_error', statusCode: 400, message: 'Google Workspace: Domain not found.' });

    const oneWord = await failure(run('users', 'create', { body: { name: 'Cher', emails: [{ email: 'cher@example.com' }], remote_data: { password: 'long-enough-1' } } }));
    expect(oneWord).toMatchObject({ statusCode: 400, message: 'Google Workspace: Invalid Given/Family Name: FamilyName' });

    const taken = await failure(run('users', 'create', { body: { name: 'Omar Two', emails: [{ email: 'omar@example.com' }], remote_data: { password: 'long-enough-1' } } }));
    expect(taken).toMatchObject({ code: 'remote_error', statusCode: 409, message: 'Google Workspace: Entity already exists.' });
    expect(taken.details).toEqual({ errors: [{ domain: 'global', reason: 'duplicate', message: 'Entity already exists.' }] });

    const badUnit = await failure(
      run('users', 'create', { body: { name: 'Al Bo', emails: [{ email: 'al@example.com' }], remote_data: { password: 'long-enough-1', orgUnitPath: '/Nowhere' } } }),
    );
    expect(badUnit).toMatchObject({ statusCode: 400, message: 'Google Workspace: Invalid Input: INVALID_OU_ID' });
  });

  test('update then get (PUT with patch semantics)', async () => {
    const updated = await run('users', 'update', { id: '104857392018475620193', body: { name: 'Elizabeth Jones', remote_data: { suspended: true } } });
    expect(updated.status).toBe(200);
    expectValid('users', updated.body as Record_);
    expect(updated.body).toMatchObject({ id: '104857392018475620193', name: 'Elizabeth Jones', last_name: 'Jones', is_active: false });
    const fetched = await get('users', '104857392018475620193');
    expectValid('users', fetched);
    expect(fetched).toMatchObject({ name: 'Elizabeth Jones', first_name: 'Elizabeth', last_name: 'Jones', is_active: false, created_at: '2023-05-01T12:00:00.000Z' });
    // fields left out are kept
    expect(fetched.emails).toEqual(expect.arrayContaining([{ email: 'liz.smith@example.com', is_primary: false }]));
    expect(fetched.remote_data).toMatchObject({ suspended: true, suspensionReason: 'ADMIN', orgUnitPath: '/Sales', phones: [{ value: '+1 555 0100', type: 'work' }] });
    expect((fetched.remote_data as Record_).etag).not.toBe('"b1Xk2Qz9-user-1"');

    // a new primary address renames the account; the old one stays as an alias
    await run('users', 'update', { id: '112509874361029384756', body: { emails: [{ email: 'priya.raman@example.com', is_primary: true }] } });
    const renamed = await get('users', 'priya@example.com');
    expect(renamed).toMatchObject({ id: '112509874361029384756' });
    expect(renamed.emails).toEqual([
      { email: 'priya.raman@example.com', is_primary: true, type: 'work' },
      { email: 'p.raman@example.com', is_primary: false },
      { email: 'priya@example.com', is_primary: false },
    ]);
    expect((renamed.remote_data as Record_).aliases).toContain('priya@example.com');
  });

  test('delete then get is a 404 remote_error', async () => {
    const deleted = await run('users', 'delete', { id: '109384756102938475610' });
    expect(deleted).toMatchObject({ status: 200, body: { id: '109384756102938475610' } });
    const gone = await failure(run('users', 'get', { id: '109384756102938475610' }));
    expect(gone).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Google Workspace: Resource Not Found: userKey' });
    const again = await failure(run('users', 'delete', { id: '109384756102938475610' }));
    expect(again.statusCode).toBe(404);
    expect(ids(await streamAll('users'))).not.toContain('109384756102938475610');
  });

  test('an unknown id is Google’s 404 through error_mapping', async () => {
    const error = await failure(run('users', 'get', { id: '999999999999999999999' }));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Google Workspace: Resource Not Found: userKey' });
    expect(error.details).toEqual({ errors: [{ domain: 'global', reason: 'notFound', message: 'Resource Not Found: userKey' }] });
    const update = await failure(run('users', 'update', { id: '999999999999999999999', body: { name: 'No One' } }));
    expect(update.statusCode).toBe(404);
  });

  test('a wrong access token is a 401', async () => {
    const error = await failure(run('users', 'list', {}, { access_token: 'not-the-token' }));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 401 });
    expect(error.message).toContain('Google Workspace: Request had invalid authentication credentials');
    expect(error.details).toMatchObject({ errors: [{ reason: 'authError', message: 'Invalid Credentials', location: 'Authorization', locationType: 'header' }] });
  });
});

describe('devices (ChromeOS)', () => {
  test('list pages at limit=1 with projection=FULL, and records() streams them all', async () => {
    const first = await list('devices', { limit: 1 });
    expect(first.result).toHaveLength(1);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await list('devices', { limit: 1, next_cursor: first.next_cursor });
    expect(second.result[0]!.id).not.toBe(first.result[0]!.id);

    const { pages, records } = await allPages('devices');
    expect(pages).toBe(5);
    const streamed = await streamAll('devices');
    expect(ids(streamed)).toEqual(ids(records));
    expect(streamed).toHaveLength(5);
    for (const record of streamed) expectValid('devices', record);
    expect(streamed[0]).toMatchObject({
      id: '4f1a9c2e-7b3d-4e8f-9a01-23456789abcd',
      platform: 'chromeos',
      serial_number: '5CD1234XYZ',
      enrollment_state: 'enrolled',
      mac_addresses: ['0c7a15e3d2f1', '0c7a15e3d2f2'],
      private_ip_addresses: ['192.168.1.23'],
      organization: { id: 'id:03ph8a2z1s3ovsg', name: 'Grade 9' },
    });
    // FULL projection: the recent users are there, and they are directory users
    const recent = ((streamed[0]!.remote_data as Record_).recentUsers as { email: string }[]).map((u) => u.email);
    for (const email of recent) expect(await get('users', email)).toMatchObject({ id: expect.any(String) });
    expect(streamed.map((d) => d.enrollment_state)).toEqual(['enrolled', 'removed', 'unknown', 'enrolled', 'enrolled']);
  });

  test('serial_number (id: search, exact match kept) and organization filters', async () => {
    const bySerial = await list('devices', { serial_number: '5cd1234xyz' });
    expect(ids(bySerial.result)).toEqual(['4f1a9c2e-7b3d-4e8f-9a01-23456789abcd']);
    const byUnit = await list('devices', { organization: 'id:03ph8a2z3eng0001' });
    expect(ids(byUnit.result)).toEqual(['c7e2d1f0-3a4b-4c5d-9e8f-0123456789ef']);
    // the device's organization is an organizational unit the organizations resource serves
    expect(await get('organizations', 'id:03ph8a2z3eng0001')).toMatchObject({ name: 'Engineering' });
    const none = await list('devices', { serial_number: 'NOPE' });
    expect(none.result).toEqual([]);
  });

  test('get of an id from the list', async () => {
    const page = await list('devices', { limit: 1, next_cursor: (await list('devices', { limit: 1 })).next_cursor });
    const listed = page.result[0]!;
    const record = await get('devices', String(listed.id));
    expectValid('devices', record);
    expect(record).toEqual(listed);
  });

  test('an unknown id is Google’s 404 through error_mapping', async () => {
    const error = await failure(run('devices', 'get', { id: 'ffffffff-0000-4000-8000-000000000000' }));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Google Workspace: Resource Not Found: ffffffff-0000-4000-8000-000000000000' });
  });

  test('a wrong access token is a 401', async () => {
    const error = await failure(run('devices', 'get', { id: '4f1a9c2e-7b3d-4e8f-9a01-23456789abcd' }, { access_token: 'expired' }));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 401 });
  });
});

describe('organizations (organizational units)', () => {
  test('list: every level at once (Google does not page orgunits), and records() streams them', async () => {
    const page = await list('organizations', { limit: 1 });
    expect(page.next_cursor).toBeNull();
    expect(page.result.length).toBeGreaterThanOrEqual(5);
    const streamed = await streamAll('organizations');
    expect(ids(streamed)).toEqual(ids(page.result));
    for (const record of streamed) expectValid('organizations', record);
    expect(streamed.find((o) => o.id === 'id:03ph8a2z1s3ovsg')).toMatchObject({ name: 'Grade 9', remote_data: { orgUnitPath: '/Students/Grade 9' } });
    // the top-level unit is not listed
    expect(ids(streamed)).not.toContain('id:03ph8a2z0root01');
  });

  test('get of an id from the list', async () => {
    const listed = (await list('organizations')).result[1]!;
    const record = await get('organizations', String(listed.id));
    expectValid('organizations', record);
    expect(record).toEqual(listed);
  });

  test('create then get, under the top-level unit or a parent from remote_data', async () => {
    const created = await run('organizations', 'create', { body: { name: 'Marketing', remote_data: { description: 'Brand and growth' } } });
    expect(created.status).toBe(201);
    const record = created.body as Record_;
    expectValid('organizations', record);
    expect(record).toMatchObject({ name: 'Marketing', remote_data: { orgUnitPath: '/Marketing', parentOrgUnitPath: '/', parentOrgUnitId: 'id:03ph8a2z0root01', description: 'Brand and growth' } });
    expect(await get('organizations', String(record.id))).toEqual(record);

    const child = (await run('organizations', 'create', { body: { name: 'Grade 10', remote_data: { parentOrgUnitId: 'id:03ph8a2z2students' } } })).body as Record_;
    expect(child.remote_data).toMatchObject({ orgUnitPath: '/Students/Grade 10', parentOrgUnitPath: '/Students' });
    const fetched = await get('organizations', String(child.id));
    expectValid('organizations', fetched);
    expect(fetched).toMatchObject({ id: child.id, name: 'Grade 10' });
    expect(ids((await list('organizations')).result)).toEqual(expect.arrayContaining([record.id, child.id]));
  });

  test('invalid creates: a duplicate name is 409, an unknown parent 400', async () => {
    const duplicate = await failure(run('organizations', 'create', { body: { name: 'Sales' } }));
    expect(duplicate).toMatchObject({ code: 'remote_error', statusCode: 409, message: 'Google Workspace: Invalid Ou Id' });
    const orphan = await failure(run('organizations', 'create', { body: { name: 'Lost', remote_data: { parentOrgUnitPath: '/Nowhere' } } }));
    expect(orphan).toMatchObject({ statusCode: 400, message: 'Google Workspace: Invalid Parent Orgunit Id' });
  });

  test('update then get: a rename moves the paths below the unit (units, users, devices)', async () => {
    const parent = (await run('organizations', 'create', { body: { name: 'Labs' } })).body as Record_;
    const child = (await run('organizations', 'create', { body: { name: 'Robotics', remote_data: { parentOrgUnitPath: '/Labs' } } })).body as Record_;
    const user = (await run('users', 'create', { body: { name: 'Rob Otto', emails: [{ email: 'rob@example.com' }], remote_data: { password: 'long-enough-1', orgUnitPath: '/Labs/Robotics' } } })).body as Record_;

    const updated = await run('organizations', 'update', { id: String(parent.id), body: { name: 'Research' } });
    expect(updated.status).toBe(200);
    expectValid('organizations', updated.body as Record_);
    expect(updated.body).toMatchObject({ id: parent.id, name: 'Research', remote_data: { orgUnitPath: '/Research' } });
    expect(await get('organizations', String(parent.id))).toMatchObject({ name: 'Research', remote_data: { orgUnitPath: '/Research' } });
    expect((await get('organizations', String(child.id))).remote_data).toMatchObject({ orgUnitPath: '/Research/Robotics', parentOrgUnitPath: '/Research' });
    expect((await get('users', String(user.id))).remote_data).toMatchObject({ orgUnitPath: '/Research/Robotics' });

    // a sibling's name is taken
    const clash = await failure(run('organizations', 'update', { id: String(parent.id), body: { name: 'Sales' } }));
    expect(clash).toMatchObject({ code: 'remote_error', statusCode: 409, message: 'Google Workspace: Invalid Ou Id' });
  });

  test('an unknown id is Google’s 404 through error_mapping', async () => {
    const error = await failure(run('organizations', 'get', { id: 'id:03ph8a2zzzzzzzz' }));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Google Workspace: Org unit not found' });
    expect(error.details).toEqual({ errors: [{ domain: 'global', reason: 'notFound', message: 'Org unit not found' }] });
    const update = await failure(run('organizations', 'update', { id: 'id:03ph8a2zzzzzzzz', body: { name: 'X' } }));
    expect(update.statusCode).toBe(404);
  });

  test('a wrong access token is a 401', async () => {
    const error = await failure(run('organizations', 'list', {}, { access_token: 'ya29.revoked' }));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 401 });
  });
});

describe('the wire format', () => {
  test('lists: maxResults and pageToken in, nextPageToken out; the last page has none', async () => {
    const first = await raw('/users?customer=my_customer&maxResults=2');
    expect(first.status).toBe(200);
    const body = (await first.json()) as { kind: string; etag: string; users: { id: string }[]; nextPageToken?: string };
    expect(body.kind).toBe('admin#directory#users');
    expect(body.users).toHaveLength(2);
    expect(body.nextPageToken).toEqual(expect.any(String));
    let token = body.nextPageToken;
    let count = body.users.length;
    while (token) {
      const next = (await (await raw(`/users?customer=my_customer&maxResults=2&pageToken=${encodeURIComponent(token)}`)).json()) as { users?: unknown[]; nextPageToken?: string };
      count += next.users?.length ?? 0;
      token = next.nextPageToken;
    }
    expect(count).toBeGreaterThanOrEqual(5);

    const devices = (await (await raw('/customer/my_customer/devices/chromeos?projection=BASIC&maxResults=300')).json()) as { kind: string; chromeosdevices: Record_[]; nextPageToken?: string };
    expect(devices.kind).toBe('admin#directory#chromeosdevices');
    expect(devices.nextPageToken).toBeUndefined();
    expect(devices.chromeosdevices[0]!.recentUsers).toBeUndefined();
  });

  test('Google’s 400s for parameters out of range, a missing customer and a bad page token', async () => {
    const tooMany = await raw('/users?customer=my_customer&maxResults=501');
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toMatchObject({ error: { code: 400, errors: [{ reason: 'invalid', location: 'maxResults' }] } });
    expect((await raw('/customer/my_customer/devices/chromeos?maxResults=301')).status).toBe(400);
    expect((await raw('/users')).status).toBe(400);
    expect((await raw('/users?customer=my_customer&pageToken=garbage')).status).toBe(400);
    expect((await raw('/customer/my_customer/devices/chromeos?projection=NONE')).status).toBe(400);
    const otherCustomer = await raw('/customer/C0other/orgunits');
    expect(otherCustomer.status).toBe(403);
    expect(await otherCustomer.json()).toMatchObject({ error: { code: 403, errors: [{ reason: 'forbidden' }] } });
  });

  test('no Authorization header is Google’s 401 "Login Required."; an unknown URL is the HTML 404', async () => {
    const anonymous = await raw('/users?customer=my_customer', {}, null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
    expect(await anonymous.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'required', message: 'Login Required.' }] } });
    const unknown = await raw('/groups');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('text/html');
  });

  test('orgunits: type=children, paths or ids as the key, a malformed body', async () => {
    const children = (await (await raw('/customer/my_customer/orgunits?type=children&orgUnitPath=Students')).json()) as { organizationUnits: { orgUnitPath: string }[] };
    expect(children.organizationUnits.map((u) => u.orgUnitPath)).toContain('/Students/Grade 9');
    expect(children.organizationUnits.every((u) => u.orgUnitPath.startsWith('/Students/'))).toBe(true);
    const byPath = await raw('/customer/my_customer/orgunits/Students/Grade%209');
    expect(await byPath.json()).toMatchObject({ orgUnitId: 'id:03ph8a2z1s3ovsg' });
    const malformed = await raw('/customer/my_customer/orgunits', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(malformed.status).toBe(400);
  });

  test('every create…() call starts from fresh seed data', async () => {
    const a = createGoogleWorkspaceEmulator();
    const b = createGoogleWorkspaceEmulator();
    const auth = { authorization: 'Bearer sandbox-token' };
    const url = 'https://admin.googleapis.com/admin/directory/v1/users/omar%40example.com';
    expect((await a.handle(new Request(url, { method: 'DELETE', headers: auth }))).status).toBe(204);
    expect((await a.handle(new Request(url, { headers: auth }))).status).toBe(404);
    expect((await b.handle(new Request(url, { headers: auth }))).status).toBe(200);
  });
});
