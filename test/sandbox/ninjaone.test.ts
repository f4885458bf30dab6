import { beforeAll, describe, expect, test } from 'vitest';
import type { ExecuteCall, ListResult, UnimapError } from '../../engine/index.js';
import type { Emulator } from '../../engine/server/sandbox/emulator.js';
import { startSandboxHub, type SandboxHub } from '../../engine/server/sandbox/hub.js';
import { createNinjaOneEmulator } from '../../engine/server/sandbox/ninjaone.js';
import { failure } from '../support/failure.js';
import { vendorSandboxes } from '../support/vendor-sandbox.js';

// The NinjaOne emulator over real HTTP, through the engine and mappings/ninjaone.yaml: OAuth2
// client credentials, after-id paging (devices, organizations), the software report's named
// cursor (apps), the device filter (df), PATCH-then-GET updates and NinjaOne's error bodies.

const ORIGIN = 'https://app.ninjarmm.com';
type Rec = Record<string, unknown>;

const vendor = vendorSandboxes('ninjaone', createNinjaOneEmulator);
let emulator: Emulator;
let hub: SandboxHub;

beforeAll(async () => {
  ({ emulator, hub } = await vendor.sandbox());
});

function call(resource: string, method: string, extra: Partial<ExecuteCall> = {}, context: Rec = emulator.context): ExecuteCall {
  return { model: 'mdm', resource, method, ...extra, account: { id: 'sandbox-ninjaone', integration: 'ninjaone', context } };
}

async function run(resource: string, method: string, extra: Partial<ExecuteCall> = {}, context?: Rec): Promise<Rec> {
  const result = await vendor.engine.execute(call(resource, method, extra, context), { fetch: hub.fetch });
  expect(result.status).toBe(method === 'create' ? 201 : 200);
  return result.body as Rec;
}

function fails(resource: string, method: string, extra: Partial<ExecuteCall> = {}, context?: Rec): Promise<UnimapError> {
  return failure(vendor.engine.execute(call(resource, method, extra, context), { fetch: hub.fetch }));
}

function checkRecord(resource: string, record: unknown): void {
  expect(vendor.engine.models.get('mdm', resource)!.check('record', record)).toEqual([]);
}

/** Every page of a list at `limit`, following next_cursor; returns the pages. */
async function pages(resource: string, query: Rec = {}, limit = 1): Promise<Rec[][]> {
  const out: Rec[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const body = (await run(resource, 'list', { query: cursor ? { next_cursor: cursor, limit } : { ...query, limit } })) as unknown as ListResult;
    const records = body.result as Rec[];
    for (const record of records) checkRecord(resource, record);
    out.push(records);
    if (!body.next_cursor) return out;
    cursor = body.next_cursor;
  }
  throw new Error('too many pages');
}

async function stream(resource: string, query: Rec = {}): Promise<Rec[]> {
  const out: Rec[] = [];
  for await (const record of vendor.engine.records(call(resource, 'list', { query }), { fetch: hub.fetch })) {
    checkRecord(resource, record);
    out.push(record);
  }
  return out;
}

/** A raw request to the emulator (through the hub), with a fresh demo token unless `token` is given. */
async function raw(path: string, init: RequestInit = {}, token?: string): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Bearer ${token ?? (await accessToken())}`);
  return hub.fetch(`${ORIGIN}${path}`, { ...init, headers });
}

async function accessToken(scope = 'monitoring management'): Promise<string> {
  const response = await hub.fetch(`${ORIGIN}/ws/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(emulator.context.client_id), client_secret: String(emulator.context.client_secret), scope }).toString(),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('OAuth2 client credentials', () => {
  test('the demo client gets a bearer token; other clients get the vendor error', async () => {
    const token = (body: Record<string, string>) =>
      hub.fetch(`${ORIGIN}/ws/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() });
    const good = await token({ grant_type: 'client_credentials', client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', scope: 'monitoring management' });
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'monitoring management' });

    const unknownClient = await token({ grant_type: 'client_credentials', client_id: 'nope', client_secret: 'sandbox-client-secret' });
    expect(unknownClient.status).toBe(401);
    expect(await unknownClient.json()).toEqual({ resultCode: 'Client app not exist' });

    const badSecret = await token({ grant_type: 'client_credentials', client_id: 'sandbox-client-id', client_secret: 'wrong' });
    expect(badSecret.status).toBe(401);
    expect(await badSecret.json()).toMatchObject({ error: 'invalid_client' });

    const badGrant = await token({ grant_type: 'password', client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret' });
    expect(badGrant.status).toBe(400);
    expect(await badGrant.json()).toEqual({ error: 'unsupported_grant_type' });

    const badScope = await token({ grant_type: 'client_credentials', client_id: 'sandbox-client-id', client_secret: 'sandbox-client-secret', scope: 'monitoring everything' });
    expect(badScope.status).toBe(400);
    expect(await badScope.json()).toMatchObject({ error: 'invalid_scope' });
  });

  test('API calls without a valid bearer token get 401 not_authenticated', async () => {
    const none = await hub.fetch(`${ORIGIN}/v2/users`, {});
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: 'not_authenticated', error_description: 'Invalid credentials', error_code: 10 });
    const forged = await raw('/v2/devices-detailed', {}, 'sandbox-client-secret');
    expect(forged.status).toBe(401);
  });

  test('a monitoring-only token can read but not write', async () => {
    const token = await accessToken('monitoring');
    expect((await raw('/v2/organizations', {}, token)).status).toBe(200);
    const write = await raw('/v2/organization/12', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ description: 'x' }) }, token);
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ resultCode: 'FAILURE', errorMessage: 'HTTP 403 Forbidden' });
  });

  test('a wrong client secret or client id is a 401 through the engine', async () => {
    const secret = await fails('users', 'list', {}, { ...emulator.context, client_secret: 'not-the-secret' });
    expect(secret.code).toBe('auth_failed');
    expect(secret.statusCode).toBe(401);
    expect(secret.message).toContain('invalid_client');
    const id = await fails('devices', 'get', { id: '1042' }, { ...emulator.context, client_id: 'someone-else' });
    expect(id.code).toBe('auth_failed');
    expect(id.statusCode).toBe(401);
  });

  test('a token the emulator does not know (a fresh emulator) is refused with 401 and fetched again', async () => {
    const other = createNinjaOneEmulator();
    const otherHub = await startSandboxHub([other]);
    try {
      // The engine cached a token from the first emulator; the second answers 401, the engine
      // fetches a new token and retries.
      await run('users', 'list');
      const result = await vendor.engine.execute(call('users', 'list'), { fetch: otherHub.fetch });
      expect(result.status).toBe(200);
    } finally {
      await otherHub.close();
    }
  });
});

describe('users (list only, unpaged)', () => {
  test('one unpaged array: limit does not page it, every record is a unified user', async () => {
    const body = (await run('users', 'list', { query: { limit: 1 } })) as unknown as ListResult;
    const records = body.result as Rec[];
    expect(body.next_cursor).toBeNull();
    expect(records.length).toBeGreaterThanOrEqual(3);
    for (const record of records) checkRecord('users', record);
    expect(records.map((r) => r.id)).toEqual(['7', '8', '88', '90', '91', '92']);
    const jane = records.find((r) => r.id === '88')!;
    expect(jane).toMatchObject({ name: 'Jane Doe', first_name: 'Jane', last_name: 'Doe', is_active: true, organization: { id: '12' }, emails: [{ email: 'jane.doe@example.com', is_primary: true, type: 'work' }] });
    expect((jane.remote_data as Rec).assignedDeviceIds).toEqual([1042]);
    const streamed = await stream('users');
    expect(streamed.map((r) => r.id)).toEqual(records.map((r) => r.id));
  });

  test('end users belong to organizations that exist and own devices that exist', async () => {
    const users = (await stream('users')).map((u) => u.remote_data as Rec);
    const orgs = new Set((await stream('organizations')).map((o) => o.id));
    const devices = new Set((await stream('devices')).map((d) => d.id));
    for (const user of users) {
      if (user.userType === 'END_USER') expect(orgs.has(String(user.organizationId))).toBe(true);
      for (const id of [...(user.deviceIds as number[]), ...(user.assignedDeviceIds as number[])]) expect(devices.has(String(id))).toBe(true);
    }
  });

  test('the userType filter and includeRoles of GET /v2/users', async () => {
    const technicians = (await (await raw('/v2/users?userType=TECHNICIAN&includeRoles=true')).json()) as Rec[];
    expect(technicians.map((u) => u.id)).toEqual([7, 8]);
    expect(technicians[0]!.roles).toEqual(['System Administrator']);
    expect((await raw('/v2/users?userType=ROBOT')).status).toBe(400);
  });

  test('users cannot be created, fetched one by one, updated or deleted through the definition', async () => {
    for (const method of ['get', 'update', 'delete']) {
      const error = await fails('users', method, { id: '88', ...(method === 'update' ? { body: { name: 'x' } } : {}) });
      expect(error.code).toBe('method_not_supported');
      expect(error.statusCode).toBe(501);
    }
    expect((await fails('users', 'create', { body: { name: 'x' } })).code).toBe('method_not_supported');
  });
});

describe('devices (list, get, update)', () => {
  test('list pages after the last id at limit=1, and records() streams them all', async () => {
    const all = await pages('devices');
    expect(all.length).toBeGreaterThanOrEqual(2);
    const ids = all.flat().map((d) => d.id);
    expect(ids).toEqual(['1042', '1043', '1044', '1050', '1051', '1052']);
    const streamed = await stream('devices');
    expect(streamed.map((d) => d.id)).toEqual(ids);
    const byTwo = await pages('devices', {}, 4);
    expect(byTwo.map((p) => p.length)).toEqual([4, 2]);
  });

  test('get of an id from the list: the Device with its references', async () => {
    const third = (await pages('devices', {}, 3))[0]![2]!;
    const device = await run('devices', 'get', { id: third.id as string });
    checkRecord('devices', device);
    expect(device).toMatchObject({
      id: '1044',
      name: 'Design MacBook 03',
      type: 'workstation',
      platform: 'macos',
      serial_number: 'C02XK1ABMD6T',
      owner: { id: '91', name: 'Sofia Rossi', emails: [{ email: 'sofia.rossi@stark.example.com', is_primary: true, type: 'work' }] },
      policy: { id: '19', name: 'macOS - Design team' },
      organization: { id: '16', name: 'Stark Architecture' },
      approval_state: 'approved',
      enrollment_state: 'enrolled',
    });
    expect(device.last_seen_at).toBe(new Date(1732791000.5 * 1000).toISOString());
  });

  test('filters go into df: organization, type and platform', async () => {
    const windowsWorkstations = await stream('devices', { organization: '12', type: 'workstation', platform: 'windows' });
    expect(windowsWorkstations.map((d) => d.id)).toEqual(['1042']);
    const servers = await stream('devices', { type: 'server' });
    expect(servers.map((d) => d.id)).toEqual(['1050', '1051']);
    const org16 = await pages('devices', { organization: '16' });
    expect(org16.flat().map((d) => d.id)).toEqual(['1044', '1052']);
    expect(org16.length).toBeGreaterThanOrEqual(2);
    const apple = await stream('devices', { platform: 'ios' });
    expect(apple.map((d) => d.id)).toEqual(['1052']);
    // laptop cannot be expressed as node classes: the definition refuses it before any request.
    await fails('devices', 'list', { query: { type: 'laptop' } });
  });

  test('the raw df grammar: in, nin, !=, status, online/offline; a bad filter is a 400', async () => {
    const ids = async (df: string) => ((await (await raw(`/v2/devices-detailed?df=${encodeURIComponent(df)}`)).json()) as Rec[]).map((d) => d.id);
    expect(await ids('org in (12, 14) AND offline')).toEqual([1043, 1050]);
    expect(await ids('org nin (12) AND status = APPROVED')).toEqual([1044, 1051, 1052]);
    expect(await ids('class != MAC AND online AND org = 16')).toEqual([1052]);
    expect(await ids('id in (1042, 1051)')).toEqual([1042, 1051]);
    const bad = await raw(`/v2/devices-detailed?df=${encodeURIComponent('colour = blue')}`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ resultCode: 'FAILURE', errorMessage: expect.stringContaining('Invalid device filter'), incidentId: expect.stringMatching(/^WEB_MGMT_SERVICE-/) });
  });

  test('update-then-get: PATCH (204) then the GET reads the device back', async () => {
    const updated = await run('devices', 'update', { id: '1042', body: { name: 'Finance laptop 08', organization: { id: '14' }, remote_data: { locationId: 40 } } });
    checkRecord('devices', updated);
    expect(updated).toMatchObject({ id: '1042', name: 'Finance laptop 08', organization: { id: '14', name: 'Globex Logistics' }, policy: { id: '25', name: 'Windows Workstations - Logistics' } });
    const again = await run('devices', 'get', { id: '1042' });
    expect(again).toMatchObject({ name: 'Finance laptop 08', organization: { id: '14' } });
    expect((again.remote_data as Rec).locationId).toBe(40);
    const listed = (await stream('devices', { organization: '14' })).map((d) => d.id);
    expect(listed).toContain('1042');
    // Move it back; the role policy follows the organization's policy mapping.
    const back = await run('devices', 'update', { id: '1042', body: { organization: { id: '12' } } });
    expect(back).toMatchObject({ organization: { id: '12', name: 'Acme Dental' }, policy: { id: '17' } });
    expect((back.remote_data as Rec).locationId).toBe(31);
  });

  test('invalid writes: 400 from the PATCH, or refused by the definition before any request', async () => {
    // The PATCH runs as a before step: its failure is `step_failed` with NinjaOne's body as `remote`.
    const badOrg = await fails('devices', 'update', { id: '1043', body: { organization: { id: '999' } } });
    expect(badOrg.code).toBe('step_failed');
    expect(badOrg.statusCode).toBe(400);
    expect(badOrg.remote?.body).toMatchObject({ resultCode: 'FAILURE', errorMessage: 'Invalid organizationId: 999' });
    const badLocation = await fails('devices', 'update', { id: '1043', body: { remote_data: { locationId: 40 } } });
    expect(badLocation.statusCode).toBe(400);
    const unknownField = await fails('devices', 'update', { id: '1043', body: { remote_data: { serialNumber: 'X' } } });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.remote?.body).toMatchObject({ errorMessage: expect.stringContaining('Unrecognized field') });
    const unsupported = await fails('devices', 'update', { id: '1043', body: { name: 'x', asset_tag: 'A-1' } });
    expect(unsupported.code).toBe('invalid_body');
    // Nothing changed.
    expect(await run('devices', 'get', { id: '1043' })).toMatchObject({ name: 'Front desk iPad', organization: { id: '12' } });
  });

  test('an unknown id is NinjaOne\'s 404 through error_mapping, for get and update', async () => {
    const get = await fails('devices', 'get', { id: '999999' });
    expect(get.code).toBe('remote_error');
    expect(get.statusCode).toBe(404);
    expect(get.message).toBe('NinjaOne: HTTP 404 Not Found');
    expect(get.details).toMatchObject({ resultCode: 'FAILURE', incidentId: expect.stringMatching(/^WEB_MGMT_SERVICE-1a-\d+-[A-Z]{8}$/) });
    // The update's PATCH is a before step: `step_failed` 404 carrying NinjaOne's body.
    const update = await fails('devices', 'update', { id: '999999', body: { name: 'ghost' } });
    expect(update.code).toBe('step_failed');
    expect(update.statusCode).toBe(404);
    expect(update.remote?.body).toMatchObject({ resultCode: 'FAILURE', errorMessage: 'HTTP 404 Not Found' });
  });

  test('devices cannot be created or deleted through the definition (NinjaOne has no such call)', async () => {
    expect((await fails('devices', 'delete', { id: '1042' })).statusCode).toBe(501);
    expect((await fails('devices', 'create', { body: { name: 'x' } })).statusCode).toBe(501);
    expect((await raw('/v2/device/1042', { method: 'DELETE' })).status).toBe(405);
    expect(await run('devices', 'get', { id: '1042' })).toMatchObject({ id: '1042' });
  });
});

describe('organizations (list, get, create, update)', () => {
  test('list pages after the last id at limit=1, and records() streams them all', async () => {
    const all = await pages('organizations');
    expect(all.length).toBeGreaterThanOrEqual(2);
    const ids = all.flat().map((o) => o.id);
    expect(ids.slice(0, 3)).toEqual(['12', '14', '16']);
    expect((await stream('organizations')).map((o) => o.id)).toEqual(ids);
  });

  test('get of an id from the list: OrganizationDetailed', async () => {
    const [, second] = (await pages('organizations', {}, 10))[0]!;
    const org = await run('organizations', 'get', { id: second!.id as string });
    checkRecord('organizations', org);
    expect(org).toMatchObject({ id: '14', name: 'Globex Logistics' });
    expect((org.remote_data as Rec).locations).toEqual([expect.objectContaining({ id: 40, name: 'Warehouse' })]);
  });

  test('create-then-get, then update-then-get', async () => {
    const created = await run('organizations', 'create', {
      body: { name: 'Initech', remote_data: { description: 'Software, two floors', nodeApprovalMode: 'AUTOMATIC', locations: [{ name: 'Head office', address: '4120 Freidrich Lane, Austin' }] } },
    });
    checkRecord('organizations', created);
    expect(created).toMatchObject({ name: 'Initech' });
    const remote = created.remote_data as Rec;
    expect(remote).toMatchObject({ description: 'Software, two floors', nodeApprovalMode: 'AUTOMATIC', policies: [], locations: [expect.objectContaining({ id: expect.any(Number), name: 'Head office' })] });
    const id = created.id as string;
    expect(await run('organizations', 'get', { id })).toMatchObject({ id, name: 'Initech' });
    expect((await stream('organizations')).map((o) => o.id)).toContain(id);

    const updated = await run('organizations', 'update', { id, body: { name: 'Initech Holdings', remote_data: { description: 'Three floors' } } });
    checkRecord('organizations', updated);
    expect(updated).toMatchObject({ id, name: 'Initech Holdings' });
    expect((updated.remote_data as Rec).description).toBe('Three floors');
    expect(await run('organizations', 'get', { id })).toMatchObject({ name: 'Initech Holdings' });

    // A device can now move into it.
    const moved = await run('devices', 'update', { id: '1051', body: { organization: { id } } });
    expect(moved).toMatchObject({ organization: { id, name: 'Initech Holdings' } });
  });

  test('create from a template copies its policy mappings and settings', async () => {
    const response = await raw('/v2/organizations?templateOrganizationId=12', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Acme Dental East' }) });
    expect(response.status).toBe(200);
    const org = (await response.json()) as Rec;
    expect(org).toMatchObject({ name: 'Acme Dental East', nodeApprovalMode: 'MANUAL', settings: { trayicon: { enabled: true } } });
    expect((org.policies as unknown[]).length).toBe(4);
  });

  test('invalid writes are 400 with NinjaOne\'s error body', async () => {
    const badMode = await fails('organizations', 'create', { body: { name: 'Bad', remote_data: { nodeApprovalMode: 'SOMETIMES' } } });
    expect(badMode.code).toBe('remote_error');
    expect(badMode.statusCode).toBe(400);
    expect(badMode.message).toContain('NinjaOne: Invalid nodeApprovalMode');
    expect(badMode.details).toMatchObject({ resultCode: 'FAILURE' });
    // A blank name reaches the API (an empty one fails run_if, so nothing is written).
    const blank = await fails('organizations', 'update', { id: '12', body: { name: '   ' } });
    expect(blank.statusCode).toBe(400);
    const locations = await fails('organizations', 'update', { id: '12', body: { remote_data: { locations: [] } } });
    expect(locations.statusCode).toBe(400);
    const missing = await fails('organizations', 'create', { body: { remote_data: { description: 'No name' } } });
    expect(missing.code).toBe('missing_required_body_fields');
    expect(await run('organizations', 'get', { id: '12' })).toMatchObject({ name: 'Acme Dental' });
  });

  test('an unknown id is NinjaOne\'s 404 through error_mapping; organizations cannot be deleted', async () => {
    const get = await fails('organizations', 'get', { id: '999999' });
    expect(get).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'NinjaOne: HTTP 404 Not Found' });
    const update = await fails('organizations', 'update', { id: '999999', body: { name: 'ghost' } });
    expect(update).toMatchObject({ code: 'step_failed', statusCode: 404, remote: { body: { resultCode: 'FAILURE', errorMessage: 'HTTP 404 Not Found' } } });
    expect((await fails('organizations', 'delete', { id: '12' })).statusCode).toBe(501);
  });
});

describe('apps (list of the software report)', () => {
  test('list pages with the named cursor at limit=1, and records() streams them all', async () => {
    const all = await pages('apps');
    expect(all.length).toBeGreaterThanOrEqual(2);
    const ids = all.flat().map((a) => a.id);
    expect(ids.length).toBe(7);
    expect(ids[0]).toBe('1042:{6C5E1F0A-6B0E-3F43-9E0F-5F6C3B0B3D8A}');
    expect(new Set(ids).size).toBe(ids.length);
    expect((await stream('apps')).map((a) => a.id)).toEqual(ids);
    const devices = new Set((await stream('devices')).map((d) => d.id));
    for (const app of all.flat()) expect(devices.has((app.device as Rec).id as string)).toBe(true);
  });

  test('device_id and platform go into df', async () => {
    const mac = await stream('apps', { device_id: '1044', platform: 'macos' });
    expect(mac.map((a) => a.name)).toEqual(['Slack', 'Figma']);
    for (const app of mac) expect(app).toMatchObject({ platform: 'macos', install_state: 'installed', device: { id: '1044' } });
    const windows = await pages('apps', { platform: 'windows' });
    expect(windows.flat().map((a) => (a.device as Rec).id)).toEqual(['1042', '1042', '1051', '1051']);
    expect(await stream('apps', { device_id: '1043' })).toEqual([]);
  });

  test('the report envelope: a fresh cursor name per page; an unknown cursor is an error', async () => {
    const first = (await (await raw('/v2/queries/software?pageSize=3')).json()) as { cursor: Rec; results: Rec[] };
    expect(first.cursor).toMatchObject({ name: expect.any(String), offset: 0, count: 3, expires: expect.any(Number) });
    expect(first.results[0]).toMatchObject({ name: 'Google Chrome', deviceId: 1042, timestamp: expect.any(Number) });
    const second = (await (await raw(`/v2/queries/software?pageSize=3&cursor=${first.cursor.name as string}`)).json()) as { cursor: Rec; results: Rec[] };
    expect(second.cursor).toMatchObject({ offset: 3, count: 3 });
    expect(second.cursor.name).not.toBe(first.cursor.name);
    const missing = await raw('/v2/queries/software?cursor=nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ resultCode: 'FAILURE' });
  });
});
