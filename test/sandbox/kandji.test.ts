import { describe, expect, test } from 'vitest';
import type { ListResult } from '../../engine/index.js';
import { createKandjiEmulator } from '../../engine/server/sandbox/kandji.js';
import { vendorSandboxes } from '../support/vendor-sandbox.js';

// The Kandji emulator over real HTTP, through the engine and the real mapping in
// mappings/kandji.yaml. Every test that writes uses its own emulator (fresh data), so the tests
// do not depend on each other's order.

const vendor = vendorSandboxes('kandji', createKandjiEmulator);
const sandbox = () => vendor.sandbox();

function expectValid(resource: string, records: unknown[]): void {
  const model = vendor.engine.models.get('mdm', resource)!;
  for (const record of records) expect(model.check('record', record)).toEqual([]);
}

const list = (body: unknown) => body as ListResult;

describe('kandji emulator: wire format', () => {
  test('serves the demo context and refuses requests without the demo token with DRF 401 bodies', async () => {
    const emulator = createKandjiEmulator();
    expect(emulator.integration).toBe('kandji');
    expect(emulator.origins).toEqual(['https://sandbox.api.kandji.io']);
    expect(emulator.context).toMatchObject({ subdomain: 'sandbox', api_host: 'api.kandji.io', api_token: 'sandbox-token' });

    const none = await emulator.handle(new Request('https://sandbox.api.kandji.io/api/v1/devices'));
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
    const wrong = await emulator.handle(new Request('https://sandbox.api.kandji.io/api/v1/devices', { headers: { authorization: 'Bearer nope' } }));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ detail: 'Incorrect authentication credentials.' });
  });

  test('users: DRF cursor pages with next/previous URLs on the public origin; an invalid cursor is a 404', async () => {
    const emulator = createKandjiEmulator();
    const auth = { authorization: 'Bearer sandbox-token' };
    const first = await emulator.handle(new Request('https://sandbox.api.kandji.io/api/v1/users?archived=false', { headers: auth }));
    const page1 = (await first.json()) as { next: string | null; previous: string | null; results: Array<{ id: string; device_count: number }> };
    expect(page1.previous).toBeNull();
    expect(page1.results).toHaveLength(2);
    expect(page1.next).toMatch(/^https:\/\/sandbox\.api\.kandji\.io\/api\/v1\/users\?archived=false&cursor=[^&]+$/);
    const second = await emulator.handle(new Request(page1.next!, { headers: auth }));
    const page2 = (await second.json()) as { next: string | null; previous: string | null; results: Array<{ id: string }> };
    expect(page2.previous).toMatch(/cursor=/);
    const back = await emulator.handle(new Request(page2.previous!, { headers: auth }));
    expect(((await back.json()) as { results: Array<{ id: string }> }).results.map((u) => u.id)).toEqual(page1.results.map((u) => u.id));

    const invalid = await emulator.handle(new Request('https://sandbox.api.kandji.io/api/v1/users?cursor=%%%', { headers: auth }));
    expect(invalid.status).toBe(404);
    expect(await invalid.json()).toEqual({ detail: 'Invalid cursor' });
  });

  test('devices: a bare array with limit (at most 300) and offset; users cannot be created (405)', async () => {
    const emulator = createKandjiEmulator();
    const auth = { authorization: 'Bearer sandbox-token' };
    const all = (await (await emulator.handle(new Request('https://sandbox.api.kandji.io/api/v1/devices', { headers: auth }))).json()) as unknown[];
    expect(Array.isArray(all)).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const one = (await (await emulator.handle(new Request('https://sandbox.api.kandji.io/api/v1/devices?limit=1&offset=1&ordering=-device_id', { headers: auth }))).json()) as unknown[];
    expect(one).toHaveLength(1);
    const post = await emulator.handle(new Request('https://sandbox.api.kandji.io/api/v1/users', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' }));
    expect(post.status).toBe(405);
    expect(await post.json()).toEqual({ detail: 'Method "POST" not allowed.' });
  });

  test('each emulator starts from fresh seed data', async () => {
    const a = createKandjiEmulator();
    const b = createKandjiEmulator();
    const auth = { authorization: 'Bearer sandbox-token' };
    const id = 'e5f60718-293a-4b4c-9d5e-6f708192a3b4';
    expect((await a.handle(new Request(`https://sandbox.api.kandji.io/api/v1/devices/${id}`, { method: 'DELETE', headers: auth }))).status).toBe(204);
    expect((await a.handle(new Request(`https://sandbox.api.kandji.io/api/v1/devices/${id}`, { headers: auth }))).status).toBe(404);
    expect((await b.handle(new Request(`https://sandbox.api.kandji.io/api/v1/devices/${id}`, { headers: auth }))).status).toBe(200);
  });
});

describe('kandji sandbox: users', () => {
  test('list spans several Kandji pages through next_cursor; records streams them all; every record is a valid unified user', async () => {
    const box = await sandbox();
    const listed = await box.pages('users', { limit: 1 }, 20);
    expect(listed.length).toBeGreaterThanOrEqual(2);
    expect(listed[0]!.next_cursor).toEqual(expect.any(String));
    const ids = listed.flatMap((page) => page.result.map((u) => u.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expectValid('users', listed.flatMap((page) => page.result));

    const streamed = await box.all('users', { limit: 1 });
    expect(streamed.map((u) => u.id)).toEqual(ids);
    expectValid('users', streamed);
    // archived in Kandji: not active although `active` is true
    expect(streamed.find((u) => u.name === 'Jonas Berg')).toMatchObject({ is_active: false });
  });

  test('the email filter keeps only the exact address (Kandji matches "containing")', async () => {
    const box = await sandbox();
    const { body } = await box.run({ resource: 'users', method: 'list', query: { email: 'ANN@accuhive.io' } });
    expect(list(body).result.map((u) => u.emails)).toEqual([[{ email: 'ann@accuhive.io', is_primary: true, type: 'work' }]]);
    expectValid('users', list(body).result);
  });

  test('get of an id from the list', async () => {
    const box = await sandbox();
    const { body } = await box.run({ resource: 'users', method: 'list', query: { limit: 1 } });
    const first = list(body).result[0]!;
    const got = await box.run({ resource: 'users', method: 'get', id: String(first.id) });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(first);
    expectValid('users', [got.body]);
  });

  test('delete, then get is a 404 remote_error; a user assigned to devices is refused with 400 until unassigned', async () => {
    const box = await sandbox();
    const free = 'adacf177-fbc2-4485-be26-05d8d965a8a6';
    expect((await box.run({ resource: 'users', method: 'delete', id: free })).body).toEqual({ id: free });
    await expect(box.run({ resource: 'users', method: 'get', id: free })).rejects.toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Kandji: Not found.' });

    const assigned = '5344c996-8823-4b37-8d6e-8515fc7c3a0a';
    await expect(box.run({ resource: 'users', method: 'delete', id: assigned })).rejects.toMatchObject({
      code: 'remote_error',
      statusCode: 400,
      message: 'Kandji: User still assigned to one or more devices.',
    });
    // unassign both of their devices (remote_data.user: null), then the delete goes through
    for (const device of await box.all('devices', { owner: assigned })) {
      await box.run({ resource: 'devices', method: 'update', id: String(device.id), body: { remote_data: { user: null } } });
    }
    expect(await box.all('devices', { owner: assigned })).toEqual([]);
    expect((await box.run({ resource: 'users', method: 'delete', id: assigned })).body).toEqual({ id: assigned });
    await expect(box.run({ resource: 'users', method: 'get', id: assigned })).rejects.toMatchObject({ code: 'remote_error', statusCode: 404 });
  });

  test('an unknown id is Kandji\'s 404 through error_mapping', async () => {
    const box = await sandbox();
    await expect(box.run({ resource: 'users', method: 'get', id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({
      code: 'remote_error',
      statusCode: 404,
      message: 'Kandji: Not found.',
    });
    await expect(box.run({ resource: 'users', method: 'delete', id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'remote_error', statusCode: 404 });
  });

  test('create and update are not supported by Kandji (501, no request)', async () => {
    const box = await sandbox();
    await expect(box.run({ resource: 'users', method: 'create', body: { name: 'New Person' } })).rejects.toMatchObject({ code: 'method_not_supported', statusCode: 501 });
    await expect(box.run({ resource: 'users', method: 'update', id: '69c009ca-1f78-4bdf-bb93-08d6d39041db', body: { name: 'Renamed' } })).rejects.toMatchObject({
      code: 'method_not_supported',
      statusCode: 501,
    });
  });

  test('a wrong token is a 401', async () => {
    const box = await sandbox();
    await expect(box.run({ resource: 'users', method: 'list' }, { ...box.emulator.context, api_token: 'wrong-token' })).rejects.toMatchObject({
      code: 'remote_error',
      statusCode: 401,
      message: 'Kandji: Incorrect authentication credentials.',
    });
  });
});

describe('kandji sandbox: devices', () => {
  test('list at limit=1 spans several pages through next_cursor; records streams them all; every record is a valid unified device', async () => {
    const box = await sandbox();
    const listed = await box.pages('devices', { limit: 1 }, 20);
    expect(listed.length).toBeGreaterThanOrEqual(2);
    for (const page of listed) expect(page.result.length).toBeLessThanOrEqual(1);
    const ids = listed.flatMap((page) => page.result.map((d) => String(d.id)));
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect(ids).toEqual([...ids].sort()); // ordering=device_id
    expectValid('devices', listed.flatMap((page) => page.result));

    const streamed = await box.all('devices', { limit: 2 });
    expect(streamed.map((d) => d.id)).toEqual(ids);
    expectValid('devices', streamed);
    // owners are users that exist
    const userIds = new Set((await box.all('users')).map((u) => u.id));
    for (const device of streamed) if (device.owner) expect(userIds.has((device.owner as { id: string }).id)).toBe(true);
    expect(new Set(streamed.map((d) => d.platform))).toEqual(new Set(['macos', 'ios', 'ipados', 'unknown']));
  });

  test('filters: platform, owner and an exact os_version (Kandji matches "containing")', async () => {
    const box = await sandbox();
    const macs = await box.all('devices', { platform: 'macos' });
    expect(macs.length).toBeGreaterThanOrEqual(2);
    for (const mac of macs) expect(mac).toMatchObject({ platform: 'macos', os_name: 'macOS', manufacturer: 'Apple' });
    const exact = await box.all('devices', { platform: 'macos', os_version: '14.4' });
    expect(exact.map((d) => d.os_version)).toEqual(['14.4']);
    const owned = await box.all('devices', { owner: '69c009ca-1f78-4bdf-bb93-08d6d39041db' });
    expect(owned.map((d) => d.name).sort()).toEqual(["Ann's MacBook Pro", "Ann's iPhone"]);
    expectValid('devices', [...macs, ...owned]);
  });

  test('get of an id from the list', async () => {
    const box = await sandbox();
    const { body } = await box.run({ resource: 'devices', method: 'list', query: { limit: 1 } });
    const first = list(body).result[0]!;
    const got = await box.run({ resource: 'devices', method: 'get', id: String(first.id) });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(first);
    expectValid('devices', [got.body]);
  });

  test('update, then get shows the change (asset tag, owner, tags by name, blueprint through remote_data)', async () => {
    const box = await sandbox();
    const id = '3d4e5f60-7182-493a-9c4d-5e6f708192a3';
    const updated = await box.run({
      resource: 'devices',
      method: 'update',
      id,
      body: {
        asset_tag: 'FD-0001',
        owner: { id: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7' },
        tags: [{ name: 'front-desk' }, { name: 'kiosk' }],
        remote_data: { blueprint_id: '97e4e175-1631-43f6-a02b-33fd1c748ab8' },
      },
    });
    expect(updated.status).toBe(200);
    expectValid('devices', [updated.body]);
    const got = await box.run({ resource: 'devices', method: 'get', id });
    expect(got.body).toMatchObject({
      id,
      asset_tag: 'FD-0001',
      owner: { id: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7', name: 'Priya Raman', emails: [{ email: 'priya.raman@accuhive.io', is_primary: true, type: 'work' }] },
      tags: [{ name: 'front-desk' }, { name: 'kiosk' }],
      policy: { id: '97e4e175-1631-43f6-a02b-33fd1c748ab8', name: 'Engineering Macs' },
    });
    expect(got.body).toEqual(updated.body);

    // an empty asset tag clears it (sent as null), [] clears the tags
    await box.run({ resource: 'devices', method: 'update', id, body: { asset_tag: '', tags: [] } });
    const cleared = (await box.run({ resource: 'devices', method: 'get', id })).body as Record<string, unknown>;
    expect(cleared.asset_tag).toBeUndefined();
    expect(cleared.tags).toEqual([]);
    expectValid('devices', [cleared]);

    // the user's device_count follows the assignment
    const priya = (await box.run({ resource: 'users', method: 'get', id: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7' })).body as { remote_data: { device_count: number } };
    expect(priya.remote_data.device_count).toBe(2);
  });

  test('an invalid write is Kandji\'s 400 field error, through error_mapping', async () => {
    const box = await sandbox();
    const id = '3d4e5f60-7182-493a-9c4d-5e6f708192a3';
    const unknownUser = '00000000-0000-4000-8000-000000000000';
    await expect(box.run({ resource: 'devices', method: 'update', id, body: { owner: { id: unknownUser } } })).rejects.toMatchObject({
      code: 'remote_error',
      statusCode: 400,
      details: { errors: { user: [`Invalid pk "${unknownUser}" - object does not exist.`] } },
    });
    await expect(box.run({ resource: 'devices', method: 'update', id, body: { remote_data: { blueprint_id: 'not-a-blueprint' } } })).rejects.toMatchObject({
      code: 'remote_error',
      statusCode: 400,
      details: { errors: { blueprint_id: ['Must be a valid UUID.'] } },
    });
    // nothing was written
    expect((await box.run({ resource: 'devices', method: 'get', id })).body).toMatchObject({ owner: { id: '5344c996-8823-4b37-8d6e-8515fc7c3a0a' } });
  });

  test('delete, then get (and its apps) is a 404 remote_error', async () => {
    const box = await sandbox();
    const id = 'bd4eb679-d679-4071-a395-5855807b6829';
    const deleted = await box.run({ resource: 'devices', method: 'delete', id });
    expect(deleted.body).toEqual({ id });
    await expect(box.run({ resource: 'devices', method: 'get', id })).rejects.toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Kandji: Not found.' });
    await expect(box.run({ resource: 'apps', method: 'list', query: { device_id: id } })).rejects.toMatchObject({ code: 'remote_error', statusCode: 404 });
    expect((await box.all('devices')).map((d) => d.id)).not.toContain(id);
  });

  test('an unknown id is Kandji\'s 404 through error_mapping', async () => {
    const box = await sandbox();
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const method of ['get', 'delete'] as const) {
      await expect(box.run({ resource: 'devices', method, id: unknown })).rejects.toMatchObject({ code: 'remote_error', statusCode: 404, message: 'Kandji: Not found.' });
    }
    await expect(box.run({ resource: 'devices', method: 'update', id: unknown, body: { asset_tag: 'x' } })).rejects.toMatchObject({ code: 'remote_error', statusCode: 404 });
  });

  test('a wrong token is a 401', async () => {
    const box = await sandbox();
    await expect(box.run({ resource: 'devices', method: 'get', id: '3d4e5f60-7182-493a-9c4d-5e6f708192a3' }, { ...box.emulator.context, api_token: 'wrong-token' })).rejects.toMatchObject({
      code: 'remote_error',
      statusCode: 401,
    });
  });
});

describe('kandji sandbox: apps', () => {
  test('lists every app of one device in one response (Kandji does not page apps); records streams them; valid unified apps', async () => {
    const box = await sandbox();
    const devices = await box.all('devices');
    let total = 0;
    for (const device of devices) {
      const { status, body } = await box.run({ resource: 'apps', method: 'list', query: { device_id: String(device.id), limit: 1 } });
      expect(status).toBe(200);
      const page = list(body);
      expect(page.next_cursor).toBeNull();
      expect(page.result.length).toBeGreaterThanOrEqual(3);
      for (const app of page.result) expect(app.device).toEqual({ id: device.id });
      expectValid('apps', page.result);
      const streamed = await box.all('apps', { device_id: String(device.id) });
      expect(streamed.map((a) => a.id)).toEqual(page.result.map((a) => a.id));
      total += streamed.length;
    }
    expect(total).toBeGreaterThanOrEqual(devices.length * 3);

    const mac = list((await box.run({ resource: 'apps', method: 'list', query: { device_id: '1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7081' } })).body).result;
    expect(mac.find((a) => a.name === 'Slack')).toMatchObject({ app_id: 'com.tinyspeck.slackmacgap', app_id_type: 'bundle_id', install_path: '/Applications/Slack.app', size_bytes: 312459264, install_state: 'installed' });
  });

  test('device_id is required, an unknown device is a 404, a wrong token a 401', async () => {
    const box = await sandbox();
    await expect(box.run({ resource: 'apps', method: 'list' })).rejects.toMatchObject({ code: 'missing_required_query_parameters', statusCode: 400 });
    await expect(box.run({ resource: 'apps', method: 'list', query: { device_id: '00000000-0000-4000-8000-000000000000' } })).rejects.toMatchObject({
      code: 'remote_error',
      statusCode: 404,
      message: 'Kandji: Not found.',
    });
    await expect(
      box.run({ resource: 'apps', method: 'list', query: { device_id: '1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7081' } }, { ...box.emulator.context, api_token: 'wrong-token' }),
    ).rejects.toMatchObject({ code: 'remote_error', statusCode: 401 });
  });
});
