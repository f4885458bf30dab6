import { describe, expect, test } from 'vitest';
import type { ListResult } from '../../engine/index.js';
import { createFleetEmulator } from '../../engine/server/sandbox/fleet.js';
import { vendorSandboxes, type VendorSandbox } from '../support/vendor-sandbox.js';

// The Fleet emulator over real HTTP, through the engine and the real mapping in
// mappings/fleet.yaml. Tests that write use their own emulator (fresh data), so no test depends
// on another's order.

const ORIGIN = 'https://sandbox.fleetdm.com';
const vendor = vendorSandboxes('fleet', createFleetEmulator);

interface Sandbox extends VendorSandbox {
  /** A raw request to the emulator through the hub (real HTTP), with the demo token unless `token` says otherwise. */
  raw(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
}

async function sandbox(): Promise<Sandbox> {
  const box = await vendor.sandbox();
  return {
    ...box,
    raw(path, init = {}) {
      const { token = 'sandbox-token', ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      if (rest.body !== undefined) headers.set('content-type', 'application/json');
      return box.hub.fetch(`${ORIGIN}/api/v1/fleet${path}`, { ...rest, headers });
    },
  };
}

function expectValid(resource: string, records: unknown[]): void {
  const model = vendor.engine.models.get('mdm', resource)!;
  expect(records.length).toBeGreaterThan(0);
  for (const record of records) expect(model.check('record', record)).toEqual([]);
}

const list = (body: unknown) => body as ListResult;
const record = (body: unknown) => body as Record<string, unknown>;

const resources = ['users', 'devices', 'apps', 'organizations'] as const;

describe('fleet emulator: wire format', () => {
  test('names the integration, its origin and a demo context the definition accepts', () => {
    const emulator = createFleetEmulator();
    expect(emulator.integration).toBe('fleet');
    expect(emulator.origins).toEqual([ORIGIN]);
    expect(emulator.context).toEqual({ instance_host: 'sandbox.fleetdm.com', api_token: 'sandbox-token' });
    expect(vendor.engine.capabilities('fleet')).toEqual({
      mdm: {
        users: ['list', 'get', 'create', 'update', 'delete'],
        devices: ['list', 'get', 'delete'],
        apps: ['list', 'get'],
        organizations: ['list', 'get', 'create', 'update'],
      },
    });
  });

  test("refuses a missing or wrong bearer token with Fleet's 401 body", async () => {
    const box = await sandbox();
    for (const token of [null, 'nope']) {
      const response = await box.raw('/hosts', { token });
      expect(response.status).toBe(401);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ message: 'Authentication failed', errors: [{ name: 'base', reason: 'Authentication failed' }] });
      expect(typeof body.uuid).toBe('string');
    }
  });

  test('pages with page (0-based) and per_page, 20 a page when only page is given, everything without either', async () => {
    const box = await sandbox();
    const first = (await (await box.raw('/users?page=0&per_page=2')).json()) as { users: { id: number }[] };
    const second = (await (await box.raw('/users?page=1&per_page=2')).json()) as { users: { id: number }[] };
    expect(first.users.map((u) => u.id)).toEqual([1, 2]);
    expect(second.users.map((u) => u.id)).toEqual([3, 4]);
    expect(Object.keys(first)).toEqual(['users']);
    const everything = (await (await box.raw('/hosts')).json()) as { hosts: unknown[] };
    expect(everything.hosts.length).toBe(6);
    const defaultPage = (await (await box.raw('/hosts?page=0')).json()) as { hosts: unknown[] };
    expect(defaultPage.hosts.length).toBe(6);
  });

  test("software versions carry count and meta.has_next_results, ordered as asked", async () => {
    const box = await sandbox();
    const page = (await (await box.raw('/software/versions?order_key=name&order_direction=asc&per_page=3&page=0')).json()) as Record<string, unknown> & { software: { name: string }[] };
    expect(page.count).toBe(7);
    expect(page.meta).toEqual({ has_next_results: true, has_previous_results: false });
    expect(page.software.map((s) => s.name)).toEqual(['1Password – Password Manager', 'Firefox.app', 'glibc']);
    const last = (await (await box.raw('/software/versions?order_key=name&order_direction=asc&per_page=3&page=2')).json()) as Record<string, unknown> & { software: unknown[] };
    expect(last.software.length).toBe(1);
    expect(last.meta).toEqual({ has_next_results: false, has_previous_results: true });
  });

  test("answers invalid paging with Fleet's 400 Bad request", async () => {
    const box = await sandbox();
    const cases: [string, string][] = [
      ['/users?per_page=abc', 'non-int per_page value'],
      ['/users?per_page=0', 'invalid per_page value'],
      ['/hosts?page=-1', 'negative page value'],
      ['/teams?order_direction=desc', 'order_key must be specified with order_direction'],
      ['/software/versions?order_key=name&order_direction=sideways', 'unknown order_direction: sideways'],
    ];
    for (const [path, reason] of cases) {
      const response = await box.raw(path);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ message: 'Bad request', errors: [{ name: 'base', reason }] });
    }
  });

  test('keeps related data consistent: team counts, team names on users and hosts, labels and software on host details', async () => {
    const box = await sandbox();
    const { teams } = (await (await box.raw('/teams')).json()) as { teams: { id: number; name: string; user_count: number; host_count: number }[] };
    const { users } = (await (await box.raw('/users')).json()) as { users: { teams: { id: number; name: string }[] }[] };
    const { hosts } = (await (await box.raw('/hosts')).json()) as { hosts: { id: number; team_id: number | null; team_name: string | null }[] };
    const byId = new Map(teams.map((t) => [t.id, t]));
    for (const team of teams) {
      expect(team.user_count).toBe(users.filter((u) => u.teams.some((t) => t.id === team.id)).length);
      expect(team.host_count).toBe(hosts.filter((h) => h.team_id === team.id).length);
    }
    for (const user of users) for (const t of user.teams) expect(t.name).toBe(byId.get(t.id)!.name);
    for (const host of hosts) expect(host.team_name).toBe(host.team_id === null ? null : byId.get(host.team_id)!.name);
    const { host } = (await (await box.raw('/hosts/1')).json()) as { host: { labels: unknown[]; software: { id: number }[] } };
    expect(host.labels.length).toBe(2);
    const { software } = (await (await box.raw('/software/versions')).json()) as { software: { id: number }[] };
    const softwareIds = new Set(software.map((s) => s.id));
    for (const item of host.software) expect(softwareIds.has(item.id)).toBe(true);
  });
});

describe('fleet emulator through the engine: lists, gets and the unified schema', () => {
  test.each(resources)('%s: lists across pages with next_cursor, streams every record, gets each id', async (resource) => {
    const box = await sandbox();
    const all = await box.pages(resource, { limit: 1 });
    const records = all.flatMap((page) => page.result);
    expect(all.length).toBeGreaterThanOrEqual(3);
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    expectValid(resource, records);

    const streamed = await box.all(resource, { limit: 1 });
    expect(streamed.map((r) => r.id)).toEqual(records.map((r) => r.id));
    const unpaged = await box.pages(resource, {});
    expect(unpaged.length).toBe(1);
    expect(unpaged[0].result.map((r) => r.id)).toEqual(records.map((r) => r.id));

    for (const listed of records) {
      const { status, body } = await box.run({ resource, method: 'get', id: String(listed.id) });
      expect(status).toBe(200);
      expect(record(body).id).toBe(listed.id);
      expectValid(resource, [body]);
    }
  });

  test.each(resources)("%s: an unknown id is Fleet's 404 through error_mapping", async (resource) => {
    const box = await sandbox();
    const error = await box.fail({ resource, method: 'get', id: '99999' });
    expect(error.code).toBe('remote_error');
    expect(error.statusCode).toBe(404);
    expect(error.message).toMatch(/^Fleet: Resource Not Found: \w+ with id=99999 was not found in the datastore$/);
    expect(error.details).toMatchObject({ errors: [{ name: 'base' }] });
  });

  test.each(resources)('%s: a wrong API token is a 401 remote_error', async (resource) => {
    const box = await sandbox();
    const error = await box.fail({ resource, method: 'list' }, { ...box.emulator.context, api_token: 'not-the-sandbox-token' });
    expect(error.code).toBe('remote_error');
    expect(error.statusCode).toBe(401);
    expect(error.message).toBe('Fleet: Authentication failed');
  });

  test('users: the email filter goes out as the keyword search and keeps the exact match', async () => {
    const box = await sandbox();
    const { body } = await box.run({ resource: 'users', method: 'list', query: { email: 'Alex.Kim@Sandbox.Example.com' } });
    expect(list(body).result.map((u) => u.name)).toEqual(['Alex Kim']);
    expectValid('users', list(body).result);
    const partial = await box.run({ resource: 'users', method: 'list', query: { email: 'kim@sandbox.example.com' } });
    expect(list(partial.body).result).toEqual([]);
  });

  test('users: a single team becomes the organization', async () => {
    const box = await sandbox();
    const { body } = await box.run({ resource: 'users', method: 'get', id: '2' });
    expect(record(body)).toMatchObject({ id: '2', name: 'Priya Natarajan', organization: { id: '1', name: 'Workstations' }, emails: [{ email: 'priya.natarajan@sandbox.example.com', is_primary: true, type: 'work' }] });
  });

  test('devices: serial number (keyword search, then exact) and organization (team_id) filters', async () => {
    const box = await sandbox();
    const bySerial = await box.run({ resource: 'devices', method: 'list', query: { serial_number: 'c02fx4q1md6t' } });
    expect(list(bySerial.body).result.map((d) => d.id)).toEqual(['1']);
    const byTeam = await box.all('devices', { organization: '2', limit: 1 });
    expect(byTeam.map((d) => d.id)).toEqual(['3', '4']);
    expect(byTeam.every((d) => (d.organization as { id: string }).id === '2')).toBe(true);
    const noTeam = await box.all('devices', { organization: '0' });
    expect(noTeam.map((d) => d.id)).toEqual(['6']);
    expectValid('devices', [...byTeam, ...noTeam]);
  });

  test('devices: the host details carry labels as tags and disk encryption; types and states are mapped', async () => {
    const box = await sandbox();
    const mac = record((await box.run({ resource: 'devices', method: 'get', id: '1' })).body);
    expect(mac).toMatchObject({ platform: 'macos', disk_encryption: true, is_offline: false, enrollment_state: 'enrolled', organization: { id: '1', name: 'Workstations' } });
    expect(mac.tags).toEqual([
      { id: '6', name: 'All Hosts' },
      { id: '7', name: 'macOS' },
    ]);
    expect(record((await box.run({ resource: 'devices', method: 'get', id: '3' })).body)).toMatchObject({ platform: 'windows', type: 'server' });
    expect(record((await box.run({ resource: 'devices', method: 'get', id: '5' })).body)).toMatchObject({ platform: 'ios', type: 'mobile', enrollment_state: 'pending' });
    expect(record((await box.run({ resource: 'devices', method: 'get', id: '6' })).body)).toMatchObject({ platform: 'linux', enrollment_state: 'missing', is_offline: true });
  });

  test('apps: ordered by name, platform from the source', async () => {
    const box = await sandbox();
    const apps = await box.all('apps', { limit: 2 });
    const names = apps.map((a) => String(a.name));
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(apps.find((a) => a.name === 'Firefox.app')).toMatchObject({ platform: 'macos', app_id: 'org.mozilla.firefox', app_id_type: 'bundle_id' });
    expect(apps.find((a) => a.name === 'Microsoft Edge')).toMatchObject({ platform: 'windows', publisher: 'Microsoft Corporation' });
    expect(apps.find((a) => a.name === '1Password – Password Manager')).toMatchObject({ platform: 'unknown' });
  });
});

describe('fleet emulator through the engine: writes', () => {
  test('users: create, get, update, get, delete, then get is a 404', async () => {
    const box = await sandbox();
    const created = await box.run({
      resource: 'users',
      method: 'create',
      body: { name: 'Jordan Lee', emails: [{ email: 'jordan.lee@sandbox.example.com', is_primary: true, type: 'work' }], remote_data: { password: 'sandbox-Passw0rd!' } },
    });
    expect(created.status).toBe(201);
    const user = record(created.body);
    expectValid('users', [user]);
    expect(user).toMatchObject({ name: 'Jordan Lee', is_active: true, emails: [{ email: 'jordan.lee@sandbox.example.com', is_primary: true, type: 'work' }] });
    expect((user.remote_data as Record<string, unknown>).global_role).toBe('observer');
    const id = String(user.id);

    const got = record((await box.run({ resource: 'users', method: 'get', id })).body);
    expect(got).toMatchObject({ id, name: 'Jordan Lee' });
    expectValid('users', [got]);
    expect((await box.all('users')).map((u) => u.id)).toContain(id);

    const updated = await box.run({
      resource: 'users',
      method: 'update',
      id,
      body: { name: 'Jordan Lee-Park', emails: [{ email: 'jordan.leepark@sandbox.example.com', is_primary: true, type: 'work' }], remote_data: { teams: [{ id: 4, role: 'maintainer' }] } },
    });
    expect(updated.status).toBe(200);
    expectValid('users', [updated.body]);
    const again = record((await box.run({ resource: 'users', method: 'get', id })).body);
    expect(again).toMatchObject({ id, name: 'Jordan Lee-Park', emails: [{ email: 'jordan.leepark@sandbox.example.com' }], organization: { id: '4', name: 'Contractors' } });
    expect((again.remote_data as Record<string, unknown>).global_role).toBeNull();

    const deleted = await box.run({ resource: 'users', method: 'delete', id });
    expect(deleted).toMatchObject({ status: 200, body: { id } });
    const gone = await box.fail({ resource: 'users', method: 'get', id });
    expect(gone).toMatchObject({ code: 'remote_error', statusCode: 404, message: `Fleet: Resource Not Found: User with id=${id} was not found in the datastore` });
    expect((await box.all('users')).map((u) => u.id)).not.toContain(id);
  });

  test("users: Fleet's 422 for a weak password, a role error, and 409 for a taken email", async () => {
    const box = await sandbox();
    const weak = await box.fail({ resource: 'users', method: 'create', body: { name: 'Jane Doe', emails: [{ email: 'jane.doe@sandbox.example.com' }], remote_data: { password: 'short' } } });
    expect(weak).toMatchObject({ code: 'remote_error', statusCode: 422 });
    expect(weak.message).toBe(
      'Fleet: Validation Failed: password: Password does not meet required criteria: Must include 12 characters, at least 1 number (e.g. 0 - 9), and at least 1 symbol (e.g. &*#).',
    );
    const badEmail = await box.fail({ resource: 'users', method: 'create', body: { name: 'Jane Doe', emails: [{ email: 'not-an-email' }], remote_data: { password: 'sandbox-Passw0rd!' } } });
    expect(badEmail).toMatchObject({ statusCode: 422, details: { errors: [{ name: 'email' }] } });
    const role = await box.fail({ resource: 'users', method: 'create', body: { name: 'Jane Doe', emails: [{ email: 'jane.doe@sandbox.example.com' }], remote_data: { password: 'sandbox-Passw0rd!', global_role: 'superuser' } } });
    expect(role).toMatchObject({ statusCode: 422, message: 'Fleet: invalid global role: superuser' });
    const taken = await box.fail({ resource: 'users', method: 'create', body: { name: 'Morgan Again', emails: [{ email: 'Morgan.Reyes@sandbox.example.com' }], remote_data: { password: 'sandbox-Passw0rd!' } } });
    expect(taken).toMatchObject({ statusCode: 409, message: 'Fleet: Resource Already Exists: User Morgan.Reyes@sandbox.example.com already exists' });
    // (an empty name never reaches Fleet: the update mapping drops empty values)
    const badUpdate = await box.fail({ resource: 'users', method: 'update', id: '3', body: { emails: [{ email: 'alex.kim.example.com' }] } });
    expect(badUpdate).toMatchObject({ statusCode: 422, message: "Fleet: Validation Failed: email: mail: missing '@' or angle-addr" });
    const takenUpdate = await box.fail({ resource: 'users', method: 'update', id: '3', body: { emails: [{ email: 'sam.okafor@sandbox.example.com' }] } });
    expect(takenUpdate).toMatchObject({ statusCode: 409 });
    const bothRoles = await box.fail({ resource: 'users', method: 'update', id: '3', body: { remote_data: { global_role: 'admin', teams: [{ id: 1, role: 'observer' }] } } });
    expect(bothRoles).toMatchObject({ statusCode: 422, message: 'Fleet: Cannot specify both Global Role and Team Roles' });
    const missing = await box.fail({ resource: 'users', method: 'update', id: '99999', body: { name: 'Nobody' } });
    expect(missing).toMatchObject({ statusCode: 404 });
  });

  test("users: an API-only user's token is not returned by the engine but works against the emulator", async () => {
    const box = await sandbox();
    const response = await box.raw('/users/admin', { method: 'POST', body: JSON.stringify({ name: 'CI Bot', email: 'ci-bot@sandbox.example.com', password: 'sandbox-Passw0rd!', api_only: true, global_role: 'observer' }) });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { user: { id: number; api_only: boolean }; token: string };
    expect(body.user.api_only).toBe(true);
    expect((await box.raw('/hosts', { token: body.token })).status).toBe(200);

    const created = record((await box.run({ resource: 'users', method: 'create', body: { name: 'Deploy Bot 2', emails: [{ email: 'deploy-bot-2@sandbox.example.com' }], remote_data: { password: 'sandbox-Passw0rd!', api_only: true } } })).body);
    expect(JSON.stringify(created)).not.toContain('sandbox-api-token');
  });

  test('devices: delete, then get is a 404 and the team count follows', async () => {
    const box = await sandbox();
    const before = record((await box.run({ resource: 'organizations', method: 'get', id: '3' })).body);
    expect((before.remote_data as Record<string, unknown>).host_count).toBe(1);
    const deleted = await box.run({ resource: 'devices', method: 'delete', id: '5' });
    expect(deleted).toMatchObject({ status: 200, body: { id: '5' } });
    const gone = await box.fail({ resource: 'devices', method: 'get', id: '5' });
    expect(gone).toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Fleet: Resource Not Found: Host with id=5 was not found in the datastore' });
    expect((await box.all('devices')).map((d) => d.id)).not.toContain('5');
    const after = record((await box.run({ resource: 'organizations', method: 'get', id: '3' })).body);
    expect((after.remote_data as Record<string, unknown>).host_count).toBe(0);
    const again = await box.fail({ resource: 'devices', method: 'delete', id: '5' });
    expect(again).toMatchObject({ statusCode: 404 });
  });

  test('organizations: create, get, update, get; 422 for an empty or reserved name, 409 for a taken one', async () => {
    const box = await sandbox();
    const created = await box.run({ resource: 'organizations', method: 'create', body: { name: 'Design', remote_data: { description: 'Design team Macs' } } });
    expect(created.status).toBe(201);
    const team = record(created.body);
    expectValid('organizations', [team]);
    expect(team).toMatchObject({ name: 'Design', remote_data: { description: 'Design team Macs', user_count: 0, host_count: 0 } });
    const id = String(team.id);
    expect(record((await box.run({ resource: 'organizations', method: 'get', id })).body)).toMatchObject({ id, name: 'Design' });
    expect((await box.all('organizations')).map((t) => t.id)).toContain(id);

    const updated = await box.run({ resource: 'organizations', method: 'update', id, body: { name: 'Design & Brand' } });
    expect(updated.status).toBe(200);
    expectValid('organizations', [updated.body]);
    const again = record((await box.run({ resource: 'organizations', method: 'get', id })).body);
    expect(again).toMatchObject({ id, name: 'Design & Brand', remote_data: { description: 'Design team Macs' } });

    const blank = await box.fail({ resource: 'organizations', method: 'create', body: { name: '  ' } });
    expect(blank).toMatchObject({ code: 'remote_error', statusCode: 422, message: 'Fleet: Validation Failed: name: may not be empty' });
    const reserved = await box.fail({ resource: 'organizations', method: 'create', body: { name: 'No team' } });
    expect(reserved).toMatchObject({ statusCode: 422 });
    const taken = await box.fail({ resource: 'organizations', method: 'update', id: '2', body: { name: 'workstations' } });
    expect(taken).toMatchObject({ statusCode: 409, message: 'Fleet: Resource Already Exists: Team workstations already exists' });
    const missing = await box.fail({ resource: 'organizations', method: 'update', id: '99999', body: { name: 'Ghost' } });
    expect(missing).toMatchObject({ statusCode: 404 });
  });

  test('writes are per emulator: a fresh emulator starts from the seed', async () => {
    const first = await sandbox();
    await first.run({ resource: 'users', method: 'delete', id: '6' });
    const second = await sandbox();
    expect((await second.all('users')).map((u) => u.id)).toContain('6');
    expect((await first.all('users')).map((u) => u.id)).not.toContain('6');
  });
});
