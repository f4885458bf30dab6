import { beforeAll, describe, expect, test } from 'vitest';
import { UnimapError, type ExecuteCall, type ListResult } from '../../engine/index.js';
import { createJamfEmulator } from '../../engine/server/sandbox/jamf.js';
import { vendorSandboxes, type VendorSandbox } from '../support/vendor-sandbox.js';
import { failure } from '../support/failure.js';

// The Jamf Pro emulator over real HTTP, through the engine and the real mapping in
// mappings/jamf.yaml. Tests that write use their own emulator (fresh data), so no test depends
// on another's order.

type Json = Record<string, unknown>;

const vendor = vendorSandboxes('jamf', createJamfEmulator);

interface Sandbox extends VendorSandbox {
  /** A raw HTTP request to the emulated vendor (public origin). */
  raw(path: string, init?: RequestInit): Promise<Response>;
}

async function sandbox(): Promise<Sandbox> {
  const box = await vendor.sandbox();
  return {
    ...box,
    raw: (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', 'Bearer sandbox-token');
      return box.hub.fetch(`https://sandbox.jamfcloud.com${path}`, { ...init, headers });
    },
  };
}

let shared: Sandbox;
beforeAll(async () => {
  shared = await sandbox();
});

function expectValid(resource: string, records: unknown[]): void {
  const model = vendor.engine.models.get('mdm', resource)!;
  expect(records.length).toBeGreaterThan(0);
  for (const record of records) expect(model.check('record', record)).toEqual([]);
}

const asList = (body: unknown) => body as ListResult;
const asRecord = (body: unknown) => body as Json;

/** A list followed page after page through `next_cursor` alone. */
async function pages(box: Sandbox, resource: string, query: Json): Promise<ListResult[]> {
  const out: ListResult[] = [];
  let cursor: string | null = null;
  do {
    const { status, body }: { status: number; body: unknown } = await box.run({ resource, method: 'list', query: cursor ? { next_cursor: cursor } : query });
    expect(status).toBe(200);
    out.push(asList(body));
    cursor = asList(body).next_cursor;
  } while (cursor && out.length < 50);
  return out;
}

const ids = (records: Json[]) => records.map((r) => r.id);

describe('jamf sandbox: users', () => {
  test('list pages through page/page-size with next_cursor, and records() streams them all', async () => {
    const listed = await pages(shared, 'users', { limit: 1 });
    expect(listed.length).toBeGreaterThanOrEqual(2);
    for (const page of listed) expect(page.result).toHaveLength(1);
    expect(listed.at(-1)!.next_cursor).toBeNull();
    const all = listed.flatMap((p) => p.result);
    expect(ids(all)).toEqual(['1', '2', '3', '4', '5']);
    expectValid('users', all);
    const streamed = await shared.all('users', { limit: 2 });
    expect(streamed).toEqual(all);
    expect(all[1]).toMatchObject({ name: 'Alex Smith', first_name: 'Alex', last_name: 'Smith', avatar: 'https://img.example.com/asmith.png', emails: [{ email: 'alex.smith@example.com', is_primary: true, type: 'work' }] });
  });

  test('the email filter becomes Jamf RSQL and matches exactly', async () => {
    const { body } = await shared.run({ resource: 'users', method: 'list', query: { email: 'kai.chen@example.com' } });
    expect(ids(asList(body).result)).toEqual(['3']);
    expect(asList(body).next_cursor).toBeNull();
    const none = await shared.run({ resource: 'users', method: 'list', query: { email: 'nobody@example.com' } });
    expect(asList(none.body).result).toEqual([]);
  });

  test('get of an id from the list', async () => {
    const first = asList((await shared.run({ resource: 'users', method: 'list', query: { limit: 1 } })).body).result[0]!;
    const { status, body } = await shared.run({ resource: 'users', method: 'get', id: String(first.id) });
    expect(status).toBe(200);
    expect(body).toEqual(first);
    expectValid('users', [body]);
  });

  test('create, then get', async () => {
    const box = await sandbox();
    const created = await box.run({
      resource: 'users',
      method: 'create',
      body: { name: 'Nora Quinn', emails: [{ email: 'nora.quinn@example.com', is_primary: true, type: 'work' }], remote_data: { position: 'Librarian' } },
    });
    expect(created.status).toBe(201);
    const record = asRecord(created.body);
    expect(record).toMatchObject({ name: 'Nora Quinn', first_name: 'Nora', last_name: 'Quinn' });
    expect(asRecord(record.remote_data).href).toBe(`https://sandbox.jamfcloud.com/api/v1/users/${String(record.id)}`);
    expectValid('users', [record]);
    const fetched = asRecord((await box.run({ resource: 'users', method: 'get', id: String(record.id) })).body);
    expect(fetched).toMatchObject({ id: record.id, name: 'Nora Quinn', emails: [{ email: 'nora.quinn@example.com', is_primary: true, type: 'work' }] });
    expect(fetched.remote_data).toMatchObject({ username: 'Nora Quinn', realname: 'Nora Quinn', position: 'Librarian', enableCustomPhotoUrl: false });
    expectValid('users', [fetched]);
    expect(await box.all('users', {})).toHaveLength(6);
  });

  test('update, then get', async () => {
    const box = await sandbox();
    const updated = await box.run({
      resource: 'users',
      method: 'update',
      id: '4',
      body: { name: 'Maria Lopez-Garcia', emails: [{ email: 'maria.garcia@example.com', is_primary: true }], remote_data: { username: 'mlopez' } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: '4', name: 'Maria Lopez-Garcia', emails: [{ email: 'maria.garcia@example.com' }] });
    const fetched = asRecord((await box.run({ resource: 'users', method: 'get', id: '4' })).body);
    expect(fetched).toMatchObject({ id: '4', name: 'Maria Lopez-Garcia', first_name: 'Maria', last_name: 'Lopez-Garcia', emails: [{ email: 'maria.garcia@example.com', is_primary: true, type: 'work' }] });
    // Fields the PUT did not send are kept.
    expect(fetched.remote_data).toMatchObject({ username: 'mlopez', position: 'Controller' });
    expectValid('users', [fetched]);
  });

  test('delete, then get is a 404 remote_error', async () => {
    const box = await sandbox();
    const deleted = await box.run({ resource: 'users', method: 'delete', id: '2' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id: '2' });
    const error = await failure(box.run({ resource: 'users', method: 'get', id: '2' }));
    expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Jamf Pro: User with id 2 not found' });
    expect(ids(await box.all('users', {}))).toEqual(['1', '3', '4', '5']);
  });

  test("an unknown id is Jamf's 404 ApiError, through error_mapping", async () => {
    for (const method of ['get', 'update', 'delete']) {
      const call = { resource: 'users', method, id: '999', ...(method === 'update' ? { body: { name: 'Ghost' } } : {}) };
      const error = await failure(shared.run(call));
      expect(error).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Jamf Pro: User with id 999 not found' });
      expect(error.details).toEqual({ errors: [{ code: 'INVALID_ID', field: 'id', description: 'User with id 999 not found', id: '999' }] });
    }
  });

  test('invalid writes are 400 ApiErrors: a duplicate username, a malformed email', async () => {
    const box = await sandbox();
    const duplicate = await failure(box.run({ resource: 'users', method: 'create', body: { name: 'jdoe', emails: [] } }));
    expect(duplicate).toMatchObject({ code: 'remote_error', statusCode: 400, message: 'Jamf Pro: A user with username [jdoe] already exists' });
    expect(duplicate.details).toMatchObject({ errors: [{ code: 'DUPLICATE_FIELD', field: 'username' }] });
    const email = await failure(box.run({ resource: 'users', method: 'update', id: '1', body: { emails: [{ email: 'not-an-email' }] } }));
    expect(email).toMatchObject({ code: 'remote_error', statusCode: 400 });
    expect(email.details).toMatchObject({ errors: [{ code: 'INVALID_FIELD', field: 'email' }] });
    // remote_data reaches Jamf untransformed: a blank username is Jamf's to refuse.
    const blank = await failure(box.run({ resource: 'users', method: 'create', body: { name: 'Blank', emails: [], remote_data: { username: ' ' } } }));
    expect(blank).toMatchObject({ code: 'remote_error', statusCode: 400, message: 'Jamf Pro: username must not be blank' });
    expect(ids(await box.all('users', {}))).toEqual(['1', '2', '3', '4', '5']);
  });
});

describe('jamf sandbox: devices', () => {
  test('computers (type=desktop) page through the v3 inventory, and records() streams them all', async () => {
    const listed = await pages(shared, 'devices', { type: 'desktop', limit: 1 });
    expect(listed.length).toBeGreaterThanOrEqual(2);
    const all = listed.flatMap((p) => p.result);
    expect(ids(all)).toEqual(['1', '2', '3', '4']);
    for (const record of all) expect(record).toMatchObject({ type: 'desktop', platform: 'macos', manufacturer: 'Apple' });
    expectValid('devices', all);
    expect(await shared.all('devices', { type: 'desktop', limit: 3 })).toEqual(all);
    expect(all[2]).toMatchObject({ name: 'Finance MacBook Air', serial_number: 'FVFXK3ABQ6L4', disk_encryption: true, organization: { id: '1', name: 'Headquarters' }, is_corporate_owned: true });
    expect(all[1]).toMatchObject({ name: 'Lab iMac 07', enrollment_state: 'unknown', disk_encryption: false });
  });

  test('mobile devices (type=mobile) page through the v2 inventory, and records() streams them all', async () => {
    const listed = await pages(shared, 'devices', { type: 'mobile', limit: 1 });
    expect(listed.length).toBeGreaterThanOrEqual(2);
    const all = listed.flatMap((p) => p.result);
    expect(ids(all)).toEqual(['1', '2', '3', '4']);
    for (const record of all) expect(record.type).toBe('mobile');
    expect(all.map((r) => r.platform)).toEqual(['ipados', 'ios', 'ios', 'unknown']);
    expect(all.map((r) => r.is_corporate_owned)).toEqual([true, false, true, true]);
    expectValid('devices', all);
    expect(await shared.all('devices', { type: 'mobile' })).toEqual(all);
  });

  test('device filters become Jamf RSQL on each kind', async () => {
    const desktop = await shared.run({ resource: 'devices', method: 'list', query: { type: 'desktop', serial_number: 'C02F7XYZQ6X3' } });
    expect(ids(asList(desktop.body).result)).toEqual(['2']);
    const byOs = await shared.run({ resource: 'devices', method: 'list', query: { type: 'desktop', os_version: '14.4.1' } });
    expect(ids(asList(byOs.body).result)).toEqual(['1', '3', '4']);
    const mobile = await shared.run({ resource: 'devices', method: 'list', query: { type: 'mobile', model: 'iPhone 15', os_version: '17.4' } });
    expect(ids(asList(mobile.body).result)).toEqual(['2']);
    const byName = await shared.run({ resource: 'devices', method: 'list', query: { type: 'mobile', name: "Jane's iPhone" } });
    expect(ids(asList(byName.body).result)).toEqual(['3']);
  });

  test('get of a computer and of a mobile device from the lists', async () => {
    for (const type of ['desktop', 'mobile']) {
      const listed = asList((await shared.run({ resource: 'devices', method: 'list', query: { type, limit: 2 } })).body).result;
      const item = listed[1]!;
      const { status, body } = await shared.run({ resource: 'devices', method: 'get', id: String(item.id), query: { type } });
      expect(status).toBe(200);
      const record = asRecord(body);
      expectValid('devices', [record]);
      for (const field of ['id', 'name', 'type', 'platform', 'model', 'serial_number', 'os_version', 'os_build', 'disk_encryption', 'enrollment_state', 'last_enrolled_at', 'mac_addresses', 'updated_at']) {
        expect(record[field], `${type} ${field}`).toEqual(item[field]);
      }
    }
    // The mobile detail shape carries created_at and the site name, which the inventory list does not.
    const ipad = asRecord((await shared.run({ resource: 'devices', method: 'get', id: '1', query: { type: 'mobile' } })).body);
    expect(ipad).toMatchObject({ name: "Kai's iPad", platform: 'ipados', created_at: '2023-08-21T10:01:40.552Z', organization: { id: '2', name: 'Eau Claire' } });
    expect(asRecord(ipad.remote_data)).toMatchObject({ id: '1', type: 'ios', location: { username: 'kchen' } });
  });

  test("an unknown id is Jamf's 404 ApiError for each kind, through error_mapping", async () => {
    const computer = await failure(shared.run({ resource: 'devices', method: 'get', id: '999', query: { type: 'desktop' } }));
    expect(computer).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Jamf Pro: Computer with id 999 not found' });
    expect(computer.details).toEqual({ errors: [{ code: 'INVALID_ID', field: 'id', description: 'Computer with id 999 not found', id: '999' }] });
    const mobile = await failure(shared.run({ resource: 'devices', method: 'get', id: '999', query: { type: 'mobile' } }));
    expect(mobile).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Jamf Pro: Mobile device with id 999 not found' });
  });

  test('device owners in the inventory are users that exist', async () => {
    const users = await shared.all('users', {});
    const usernames = new Set(users.map((u) => asRecord(u.remote_data).username));
    const computers = await shared.all('devices', { type: 'desktop' });
    const mobiles = await shared.all('devices', { type: 'mobile' });
    const owners = [
      ...computers.map((c) => asRecord(asRecord(c.remote_data).userAndLocation).username),
      ...mobiles.map((m) => asRecord(asRecord(m.remote_data).userAndLocation).username),
    ].filter(Boolean);
    expect(owners.length).toBeGreaterThanOrEqual(4);
    for (const owner of owners) expect(usernames.has(owner)).toBe(true);
  });
});

describe('jamf sandbox: apps', () => {
  test("a computer's apps (platform=macos) from its APPLICATIONS section", async () => {
    const { status, body } = await shared.run({ resource: 'apps', method: 'list', query: { device_id: '1', platform: 'macos', limit: 1 } });
    expect(status).toBe(200);
    // One device's inventory: the definition declares no pagination, so every app comes at once.
    expect(asList(body).next_cursor).toBeNull();
    const apps = asList(body).result;
    expect(ids(apps)).toEqual(['com.google.Chrome', 'com.tinyspeck.slackmacgap', 'com.apple.dt.Xcode']);
    for (const app of apps) expect(app).toMatchObject({ platform: 'macos', install_state: 'installed', app_id_type: 'bundle_id', device: { id: '1', name: "Jane's MacBook Pro" } });
    expectValid('apps', apps);
    expect(await shared.all('apps', { device_id: '1', platform: 'macos' })).toEqual(apps);
  });

  test("a mobile device's apps (platform=ipados / ios) from its APPLICATIONS section", async () => {
    const ipad = await shared.all('apps', { device_id: '1', platform: 'ipados' });
    expect(ids(ipad)).toEqual(['com.apple.Keynote', 'com.google.Classroom', 'com.apple.airport.mobileairportutility']);
    expect(ipad.map((a) => a.is_managed)).toEqual([true, true, false]);
    expectValid('apps', ipad);
    const iphone = await shared.all('apps', { device_id: '2', platform: 'ios' });
    expect(ids(iphone)).toEqual(['com.microsoft.Office.Outlook', 'com.tinyspeck.chatlyio']);
    for (const app of iphone) expect(app).toMatchObject({ platform: 'ios', device: { id: '2', name: "Alex's iPhone" } });
    expectValid('apps', iphone);
    // The platform must match the device: an iPad's apps are not listed under ios.
    expect(await shared.all('apps', { device_id: '1', platform: 'ios' })).toEqual([]);
  });

  test('an unknown device has no apps (the inventory filter matches nothing)', async () => {
    const { body } = await shared.run({ resource: 'apps', method: 'list', query: { device_id: '999', platform: 'macos' } });
    expect(asList(body).result).toEqual([]);
  });
});

describe('jamf sandbox: auth', () => {
  test("a wrong token is refused with Jamf's 401 ApiError on every resource", async () => {
    const context = { ...shared.emulator.context, access_token: 'not-the-token' };
    const calls: Array<Omit<ExecuteCall, 'account' | 'model'>> = [
      { resource: 'users', method: 'list' },
      { resource: 'users', method: 'get', id: '1' },
      { resource: 'users', method: 'create', body: { name: 'Mallory', emails: [] } },
      { resource: 'devices', method: 'list', query: { type: 'desktop' } },
      { resource: 'devices', method: 'get', id: '1', query: { type: 'mobile' } },
      { resource: 'apps', method: 'list', query: { device_id: '1', platform: 'macos' } },
    ];
    for (const call of calls) {
      const error = await failure(shared.run(call, context));
      expect(error).toMatchObject({ code: 'remote_error', statusCode: 401, message: 'Jamf Pro: Unauthorized' });
    }
    const raw = await shared.raw('/api/v1/users', { headers: { authorization: 'Basic c2FuZGJveC1hZG1pbjpzYW5kYm94LXBhc3N3b3Jk' } });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ httpStatus: 401, errors: [{ code: 'INVALID_TOKEN', field: null, description: 'Unauthorized', id: '0' }] });
  });

  test('OAuth2 client credentials: the demo client gets a bearer token the API accepts', async () => {
    const box = await sandbox();
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: '' },
      body: new URLSearchParams(fields).toString(),
    });
    const { client_id, client_secret } = box.emulator.context as { client_id: string; client_secret: string };
    const ok = await box.raw('/api/oauth/token', form({ client_id, client_secret, grant_type: 'client_credentials' }));
    expect(ok.status).toBe(200);
    const token = (await ok.json()) as Json;
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number), access_token: expect.any(String) });
    const listed = await box.run({ resource: 'users', method: 'list', query: { limit: 1 } }, { ...box.emulator.context, access_token: token.access_token });
    expect(asList(listed.body).result).toHaveLength(1);

    const wrong = await box.raw('/api/v1/oauth/token', form({ client_id, client_secret: 'wrong', grant_type: 'client_credentials' }));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const grant = await box.raw('/api/oauth/token', form({ client_id, client_secret, grant_type: 'password' }));
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });

  test('the user-account token (Basic to /api/v1/auth/token) and its invalidation', async () => {
    const box = await sandbox();
    const basic = (user: string, password: string) => ({ method: 'POST', headers: { authorization: `Basic ${btoa(`${user}:${password}`)}` } });
    const { username, password } = box.emulator.context as { username: string; password: string };
    const ok = await box.raw('/api/v1/auth/token', basic(username, password));
    expect(ok.status).toBe(200);
    const { token, expires } = (await ok.json()) as { token: string; expires: string };
    expect(Date.parse(expires)).toBeGreaterThan(Date.now());
    const got = await box.run({ resource: 'users', method: 'get', id: '1' }, { ...box.emulator.context, access_token: token });
    expect(asRecord(got.body).name).toBe('Jane Doe');
    const invalidated = await box.raw('/api/v1/auth/invalidate-token', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(invalidated.status).toBe(204);
    const after = await failure(box.run({ resource: 'users', method: 'get', id: '1' }, { ...box.emulator.context, access_token: token }));
    expect(after.statusCode).toBe(401);
    const wrong = await box.raw('/api/v1/auth/token', basic(username, 'nope'));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ httpStatus: 401, errors: [{ description: 'Unauthorized' }] });
  });
});

describe('jamf sandbox: the wire format', () => {
  test('lists are {totalCount, results}, honour page-size, and only the sections asked for', async () => {
    const response = await shared.raw('/api/v3/computers-inventory?section=GENERAL&section=HARDWARE&page=1&page-size=2&sort=id%3Adesc');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { totalCount: number; results: Json[] };
    expect(body.totalCount).toBe(4);
    expect(body.results.map((r) => r.id)).toEqual(['2', '1']);
    expect(Object.keys(body.results[0]!).sort()).toEqual(['general', 'hardware', 'id', 'udid']);
    const mobiles = (await (await shared.raw('/api/v2/mobile-devices/detail?page-size=10')).json()) as { totalCount: number; results: Json[] };
    // Default sort is displayName:asc and the default section GENERAL.
    expect(mobiles.results.map((r) => asRecord(r.general).displayName)).toEqual(["Alex's iPhone", "Jane's iPhone", "Kai's iPad", 'Lobby Apple TV']);
    expect(Object.keys(mobiles.results[0]!).sort()).toEqual(['deviceType', 'general', 'mobileDeviceId']);
  });

  test('RSQL: wildcards, or, and a field the endpoint does not filter on', async () => {
    const wildcard = (await (await shared.raw(`/api/v1/users?filter=${encodeURIComponent('username=="*ch*",email=="ravi*"')}`)).json()) as { results: Json[] };
    expect(wildcard.results.map((r) => r.username)).toEqual(['kchen', 'rpatel']);
    const refused = await shared.raw(`/api/v2/mobile-devices/detail?filter=${encodeURIComponent('deviceOwnershipType=="Institutional"')}`);
    expect(refused.status).toBe(400);
    const error = (await refused.json()) as { httpStatus: number; errors: Array<{ description: string }> };
    expect(error.httpStatus).toBe(400);
    expect(error.errors[0]!.description).toMatch(/^Cannot filter by field \[deviceOwnershipType\]/);
    const section = await shared.raw('/api/v3/computers-inventory?section=NOPE');
    expect(section.status).toBe(400);
  });

  test('every emulator starts from the seed: writes stay in their own instance', async () => {
    const box = await sandbox();
    await box.run({ resource: 'users', method: 'delete', id: '1' });
    const fresh = createJamfEmulator();
    const response = await fresh.handle(new Request('https://sandbox.jamfcloud.com/api/v1/users/1', { headers: { authorization: 'Bearer sandbox-token' } }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as Json).username).toBe('jdoe');
  });
});
