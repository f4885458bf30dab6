import { beforeAll, describe, expect, test } from 'vitest';
import { loadEngine, UnimapError, type Engine, type ExecuteCall, type ExecuteResult, type ListResult } from '../../engine/index.js';
import type { SandboxHub } from '../../engine/server/sandbox/hub.js';
import { createMicrosoftIntuneEmulator } from '../../engine/server/sandbox/microsoft_intune.js';
import type { Emulator } from '../../engine/server/sandbox/emulator.js';
import { failure } from '../support/failure.js';
import { vendorSandboxes } from '../support/vendor-sandbox.js';

// The microsoft_intune emulator over real HTTP, through the engine and mappings/microsoft_intune.yaml:
// OAuth2 client credentials at login.microsoftonline.com, then Graph v1.0 with the bearer token.

type Row = Record<string, unknown>;

const vendor = vendorSandboxes('microsoft_intune', createMicrosoftIntuneEmulator);
let emulator: Emulator;
let hub: SandboxHub;

beforeAll(async () => {
  ({ emulator, hub } = await vendor.sandbox());
});

function account(context: Record<string, unknown> = emulator.context): ExecuteCall['account'] {
  return { id: 'sandbox-microsoft_intune', integration: 'microsoft_intune', context };
}

function call(resource: string, method: string, extra: Partial<ExecuteCall> = {}): ExecuteCall {
  return { model: 'mdm', resource, method, account: account(), ...extra };
}

async function run(c: ExecuteCall, on: Engine = vendor.engine): Promise<ExecuteResult> {
  return on.execute(c, { fetch: hub.fetch });
}

function checkRecord(resource: string, record: unknown): void {
  expect(vendor.engine.models.get('mdm', resource)!.check('record', record)).toEqual([]);
}

/** Every page of a list at `limit`, following next_cursor; returns the records and the page count. */
async function allPages(resource: string, query: Record<string, unknown> = {}, limit = 1): Promise<{ records: Row[]; pages: number }> {
  const records: Row[] = [];
  let pages = 0;
  let cursor: string | null = null;
  do {
    const q: Record<string, unknown> = cursor ? { next_cursor: cursor } : { ...query, limit };
    const result = await run(call(resource, 'list', { query: q }));
    expect(result.status).toBe(200);
    const body = result.body as ListResult;
    pages++;
    for (const record of body.result) {
      checkRecord(resource, record);
      records.push(record);
    }
    if (body.next_cursor) expect(body.result.length).toBe(limit);
    cursor = body.next_cursor;
    expect(pages).toBeLessThan(50);
  } while (cursor);
  return { records, pages };
}

async function streamAll(resource: string, query: Record<string, unknown> = {}): Promise<Row[]> {
  const out: Row[] = [];
  for await (const record of vendor.engine.records(call(resource, 'list', { query }), { fetch: hub.fetch })) {
    checkRecord(resource, record);
    out.push(record);
  }
  return out;
}

/** A raw Graph request with a token from the emulator's token endpoint. */
async function graphToken(): Promise<string> {
  const response = await hub.fetch('https://login.microsoftonline.com/sandbox-tenant/oauth2/v2.0/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: String(emulator.context.client_id),
      client_secret: String(emulator.context.client_secret),
      scope: 'https://graph.microsoft.com/.default',
    }).toString(),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('the emulator', () => {
  test('answers for Graph and the token endpoint, with a context for every field the definition needs', () => {
    expect(emulator.integration).toBe('microsoft_intune');
    expect(emulator.origins).toEqual(['https://graph.microsoft.com', 'https://login.microsoftonline.com']);
    const definition = vendor.engine.integrations.get('microsoft_intune')!.definition;
    for (const [name, field] of Object.entries(definition.context ?? {})) {
      if ((field as { required?: boolean }).required) expect(emulator.context[name], name).toBeTruthy();
    }
    expect(emulator.context.tenant_id).toBe('sandbox-tenant');
  });

  test('state is fresh per create call: a delete in one emulator leaves another untouched', async () => {
    const other = createMicrosoftIntuneEmulator();
    expect(other.context).toEqual(emulator.context);
    const tokenResponse = await other.handle(
      new Request('https://login.microsoftonline.com/sandbox-tenant/oauth2/v2.0/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(other.context.client_id), client_secret: String(other.context.client_secret), scope: 'https://graph.microsoft.com/.default' }).toString(),
      }),
    );
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const id = '7f9b1d3f-5b7d-4f9b-8d3f-5b7d9f1b3d5f';
    const deleted = await other.handle(new Request(`https://graph.microsoft.com/v1.0/deviceAppManagement/mobileApps/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } }));
    expect(deleted.status).toBe(204);
    const gone = await other.handle(new Request(`https://graph.microsoft.com/v1.0/deviceAppManagement/mobileApps/${id}`, { headers: { authorization: `Bearer ${token}` } }));
    expect(gone.status).toBe(404);
    // The other emulator's token means nothing here, and the app is still in this emulator.
    const foreign = await emulator.handle(new Request(`https://graph.microsoft.com/v1.0/deviceAppManagement/mobileApps/${id}`, { headers: { authorization: `Bearer ${token}` } }));
    expect(foreign.status).toBe(401);
    const here = await run(call('apps', 'get', { id }));
    expect((here.body as Row).name).toBe('Microsoft Authenticator');
  });
});

describe('OAuth2 client credentials', () => {
  test('the token endpoint answers {access_token, token_type: Bearer, expires_in}', async () => {
    const response = await hub.fetch('https://login.microsoftonline.com/sandbox-tenant/oauth2/v2.0/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${String(emulator.context.client_id)}&client_secret=${String(emulator.context.client_secret)}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default`,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Row;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    expect(typeof body.access_token).toBe('string');
  });

  test('the token endpoint refuses a wrong secret, an unknown client, an unknown tenant and a scope without /.default', async () => {
    const post = (tenant: string, fields: Record<string, string>) =>
      hub.fetch(`https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
    const good = { grant_type: 'client_credentials', client_id: String(emulator.context.client_id), client_secret: String(emulator.context.client_secret), scope: 'https://graph.microsoft.com/.default' };

    const secret = await post('sandbox-tenant', { ...good, client_secret: 'wrong' });
    expect(secret.status).toBe(401);
    expect(await secret.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });

    const client = await post('sandbox-tenant', { ...good, client_id: '11111111-2222-3333-4444-555555555555' });
    expect(client.status).toBe(400);
    expect(await client.json()).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });

    const tenant = await post('fabrikam.example', good);
    expect(tenant.status).toBe(400);
    expect(await tenant.json()).toMatchObject({ error: 'invalid_request', error_codes: [90002] });

    const scope = await post('sandbox-tenant', { ...good, scope: 'User.Read.All' });
    expect(scope.status).toBe(400);
    expect(await scope.json()).toMatchObject({ error: 'invalid_scope' });

    const grant = await post('sandbox-tenant', { ...good, grant_type: '' });
    expect(grant.status).toBe(400);
    expect(((await grant.json()) as Row).error_description).toMatch(/^AADSTS900144: .*'grant_type'/);
  });

  test('a wrong client secret fails the unified call with 401 auth_failed', async () => {
    // A fresh engine: tokens are cached per token URL and client id.
    const fresh = await loadEngine({ definitions: 'mappings' });
    const error = await failure(run(call('users', 'list', { account: account({ ...emulator.context, client_secret: 'not-the-secret' }) }), fresh));
    expect(error.code).toBe('auth_failed');
    expect(error.statusCode).toBe(401);
    expect(error.remote?.status).toBe(401);
    expect(error.remote?.body).toMatchObject({ error: 'invalid_client' });
  });

  test('an unknown client id fails the unified call with 401 auth_failed', async () => {
    const error = await failure(run(call('devices', 'list', { account: account({ ...emulator.context, client_id: '99999999-8888-4777-8666-555555555555' }) })));
    expect(error.code).toBe('auth_failed');
    expect(error.statusCode).toBe(401);
    expect(error.remote?.body).toMatchObject({ error: 'unauthorized_client' });
  });

  test('Graph refuses a request without a token, or with a token it did not issue, with 401 InvalidAuthenticationToken', async () => {
    const none = await hub.fetch('https://graph.microsoft.com/v1.0/users');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await none.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.', innerError: { 'request-id': expect.any(String) } } });

    const opaque = await hub.fetch('https://graph.microsoft.com/v1.0/deviceManagement/managedDevices', { headers: { authorization: 'Bearer sandbox-token' } });
    expect(opaque.status).toBe(401);
    expect(((await opaque.json()) as { error: Row }).error.code).toBe('InvalidAuthenticationToken');

    const forged = await hub.fetch('https://graph.microsoft.com/v1.0/organization', { headers: { authorization: 'Bearer eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJ4In0.c2ln' } });
    expect(forged.status).toBe(401);

    const token = await graphToken();
    const ok = await hub.fetch('https://graph.microsoft.com/v1.0/organization', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
  });
});

describe('users', () => {
  test('list pages with $top and @odata.nextLink (next_cursor), and records() streams them all', async () => {
    const { records, pages } = await allPages('users');
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(pages).toBe(records.length);
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    const streamed = await streamAll('users');
    expect(streamed.map((r) => r.id)).toEqual(records.map((r) => r.id));
    // $select brings accountEnabled and createdDateTime; a guest's #EXT# UPN is not an email.
    const adele = records.find((r) => r.id === '87d349ed-44d7-43e1-9a83-5f2406dee5bd')!;
    expect(adele).toMatchObject({ name: 'Adele Vance', first_name: 'Adele', last_name: 'Vance', is_active: true, created_at: '2022-03-14T08:05:41.000Z' });
    expect(adele.emails).toEqual([
      { email: 'AdeleV@contoso.com', is_primary: true, type: 'work' },
      { email: 'adele.vance@fabrikam.com', is_primary: false, type: 'other' },
    ]);
    const guest = records.find((r) => r.name === 'Pradeep Gupta')!;
    expect(guest.emails).toEqual([{ email: 'pradeep.gupta@fabrikam.com', is_primary: true, type: 'work' }]);
  });

  test('the next link is a full URL on the public origin with $select, $top and $skiptoken', async () => {
    const raw = await run(call('users', 'list', { query: { limit: 2, truto_response_format: 'raw' } }));
    const body = raw.body as Row;
    expect(body['@odata.context']).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/\$metadata#users\(id,displayName,/);
    expect(body['@odata.nextLink']).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/users\?\$select=id,displayName,.*&\$top=2&\$skiptoken=\S+$/);
    expect((body.value as Row[]).length).toBe(2);
  });

  test('the email filter becomes $filter on mail or userPrincipalName (quotes doubled)', async () => {
    const result = await run(call('users', 'list', { query: { email: "o'brien@contoso.com" } }));
    const body = result.body as ListResult;
    expect(body.result.map((r) => r.name)).toEqual(["Sean O'Brien"]);
    expect(body.next_cursor).toBeNull();
    const byUpn = await run(call('users', 'list', { query: { email: 'AdeleV@contoso.onmicrosoft.com' } }));
    expect((byUpn.body as ListResult).result.map((r) => r.id)).toEqual(['87d349ed-44d7-43e1-9a83-5f2406dee5bd']);
    const none = await run(call('users', 'list', { query: { email: 'nobody@contoso.com' } }));
    expect((none.body as ListResult).result).toEqual([]);
  });

  test('get of an id from the list', async () => {
    const list = await run(call('users', 'list', { query: { limit: 3 } }));
    const first = (list.body as ListResult).result[1]!;
    const got = await run(call('users', 'get', { id: String(first.id) }));
    expect(got.status).toBe(200);
    checkRecord('users', got.body);
    expect(got.body).toMatchObject({ id: first.id, name: first.name, emails: first.emails });
  });

  test('create, then get', async () => {
    const created = await run(
      call('users', 'create', {
        body: {
          name: 'Jane Doe',
          emails: [
            { email: 'jane.doe@contoso.com', is_primary: true, type: 'work' },
            { email: 'jane@fabrikam.com', is_primary: false, type: 'personal' },
          ],
          remote_data: { passwordProfile: { forceChangePasswordNextSignIn: true, password: 'Sandbox-Passw0rd!' }, usageLocation: 'US' },
        },
      }),
    );
    expect(created.status).toBe(201);
    checkRecord('users', created.body);
    const record = created.body as Row;
    expect(record).toMatchObject({ name: 'Jane Doe', first_name: 'Jane', last_name: 'Doe', emails: [{ email: 'jane.doe@contoso.com', is_primary: true, type: 'work' }] });
    const got = await run(call('users', 'get', { id: String(record.id) }));
    checkRecord('users', got.body);
    expect(got.body).toMatchObject({
      id: record.id,
      name: 'Jane Doe',
      is_active: true,
      emails: [
        { email: 'jane.doe@contoso.com', is_primary: true, type: 'work' },
        { email: 'jane@fabrikam.com', is_primary: false, type: 'other' },
      ],
    });
    expect(typeof (got.body as Row).created_at).toBe('string');
    // A second user with the same userPrincipalName is refused (400 Request_BadRequest, ObjectConflict).
    const again = await failure(
      run(call('users', 'create', { body: { name: 'Jane Again', emails: [{ email: 'jane.doe@contoso.com' }], remote_data: { passwordProfile: { password: 'Sandbox-Passw0rd!' } } } })),
    );
    expect(again.code).toBe('remote_error');
    expect(again.statusCode).toBe(400);
    expect(again.details).toMatchObject({ code: 'Request_BadRequest' });
    expect(again.message).toBe('Microsoft Graph: Another object with the same value for property userPrincipalName already exists.');
  });

  test('invalid creates: an unverified domain, a weak password, a missing passwordProfile', async () => {
    const domain = await failure(
      run(call('users', 'create', { body: { name: 'Eve Outsider', emails: [{ email: 'eve@fabrikam.com' }], remote_data: { passwordProfile: { password: 'Sandbox-Passw0rd!' } } } })),
    );
    expect(domain.statusCode).toBe(400);
    expect(domain.message).toMatch(/domain portion of the userPrincipalName property is invalid/);

    const weak = await failure(run(call('users', 'create', { body: { name: 'Walt Weak', emails: [{ email: 'walt@contoso.com' }], remote_data: { passwordProfile: { password: 'password' } } } })));
    expect(weak.statusCode).toBe(400);
    expect(weak.message).toMatch(/password complexity/);

    const missing = await failure(run(call('users', 'create', { body: { name: 'No Password', emails: [{ email: 'np@contoso.com' }] } })));
    expect(missing.code).toBe('missing_required_body_fields');
  });

  test('update (PATCH answered 204, then GET), then get', async () => {
    const id = '5c7e9a1b-3d5f-4b7d-9f1b-3d5f7b9d1f3b';
    const updated = await run(
      call('users', 'update', {
        id,
        body: {
          name: 'Megan Bowen-Smith',
          emails: [
            { email: 'MeganB@contoso.com', is_primary: true, type: 'work' },
            { email: 'megan@fabrikam.com', is_primary: false, type: 'personal' },
          ],
          remote_data: { jobTitle: 'Marketing Director', accountEnabled: false },
        },
      }),
    );
    expect(updated.status).toBe(200);
    checkRecord('users', updated.body);
    expect(updated.body).toMatchObject({ id, name: 'Megan Bowen-Smith', first_name: 'Megan', last_name: 'Bowen-Smith', is_active: false });
    const got = await run(call('users', 'get', { id }));
    expect(got.body).toMatchObject({
      name: 'Megan Bowen-Smith',
      is_active: false,
      emails: [
        { email: 'MeganB@contoso.com', is_primary: true, type: 'work' },
        { email: 'megan@fabrikam.com', is_primary: false, type: 'other' },
      ],
      remote_data: { jobTitle: 'Marketing Director' },
    });
  });

  test('an update of an unknown user fails its PATCH step with 404; a read-only property is refused with 400', async () => {
    const unknown = await failure(run(call('users', 'update', { id: '00000000-1111-2222-3333-444444444444', body: { name: 'Nobody' } })));
    expect(unknown.code).toBe('step_failed');
    expect(unknown.statusCode).toBe(404);
    const readOnly = await failure(run(call('users', 'update', { id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd', body: { remote_data: { createdDateTime: '2020-01-01T00:00:00Z' } } })));
    expect(readOnly.statusCode).toBe(400);
    expect(readOnly.remote?.body).toMatchObject({ error: { code: 'Request_BadRequest', message: "Property 'createdDateTime' is read-only and cannot be set." } });
  });

  test('delete, then get is a 404 remote_error', async () => {
    const created = await run(
      call('users', 'create', { body: { name: 'Temp Worker', emails: [{ email: 'temp.worker@contoso.com', is_primary: true }], remote_data: { passwordProfile: { password: 'Temp-Passw0rd!' } } } }),
    );
    const id = String((created.body as Row).id);
    const deleted = await run(call('users', 'delete', { id }));
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ id });
    const error = await failure(run(call('users', 'get', { id })));
    expect(error.code).toBe('remote_error');
    expect(error.statusCode).toBe(404);
    expect(error.details).toMatchObject({ code: 'Request_ResourceNotFound' });
    const again = await failure(run(call('users', 'delete', { id })));
    expect(again.statusCode).toBe(404);
  });

  test('an unknown id is Graph 404 Request_ResourceNotFound, through error_mapping', async () => {
    const id = '00000000-1111-2222-3333-444444444444';
    const error = await failure(run(call('users', 'get', { id })));
    expect(error.code).toBe('remote_error');
    expect(error.statusCode).toBe(404);
    expect(error.message).toBe(`Microsoft Graph: Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
    expect(error.details).toMatchObject({ code: 'Request_ResourceNotFound', innerError: { date: expect.any(String), 'request-id': expect.any(String), 'client-request-id': expect.any(String) } });
  });
});

describe('devices (Intune managed devices)', () => {
  test('list pages with $top and @odata.nextLink, and records() streams them all', async () => {
    const { records, pages } = await allPages('devices');
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(pages).toBe(records.length);
    const streamed = await streamAll('devices');
    expect(streamed.map((r) => r.id)).toEqual(records.map((r) => r.id));
    const platforms = new Set(records.map((r) => r.platform));
    for (const platform of ['windows', 'macos', 'ios', 'ipados', 'android', 'linux']) expect(platforms.has(platform)).toBe(true);
    // In lists Graph leaves ethernetMacAddress null, so only the Wi-Fi MAC shows.
    const laptop = records.find((r) => r.id === '705c034c-034c-705c-4c03-5c704c035c70')!;
    expect(laptop.mac_addresses).toEqual(['5C5F67A1B2C3']);
  });

  test("Intune's next link carries LastDeviceName/LastDeviceId and @odata.count", async () => {
    const raw = await run(call('devices', 'list', { query: { limit: 2, truto_response_format: 'raw' } }));
    const body = raw.body as Row;
    expect(body['@odata.count']).toBe(2);
    expect(body['@odata.nextLink']).toMatch(/^https:\/\/graph\.microsoft\.com\/v1\.0\/deviceManagement\/managedDevices\?\$top=2&\$skiptoken=LastDeviceName%3D%27.+%27%2CLastDeviceId%3D%27[0-9a-f-]+%27$/);
  });

  test('owners are users of the directory', async () => {
    const devices = await streamAll('devices');
    const owned = devices.filter((d) => d.owner);
    expect(owned.length).toBeGreaterThanOrEqual(3);
    for (const device of owned) {
      const owner = device.owner as Row;
      const got = await run(call('users', 'get', { id: String(owner.id) }));
      expect((got.body as Row).name).toBe(owner.name);
    }
  });

  test('filters by platform, owner, serial number and name ($filter clauses joined with and)', async () => {
    const adele = '87d349ed-44d7-43e1-9a83-5f2406dee5bd';
    const mac = await run(call('devices', 'list', { query: { platform: 'macos', owner: adele } }));
    expect((mac.body as ListResult).result.map((d) => d.serial_number)).toEqual(['C02XK1ZZJG5J']);
    const owned = await streamAll('devices', { owner: adele });
    expect(owned.length).toBe(3);
    const serial = await run(call('devices', 'list', { query: { serial_number: 'DMPXK2Q1LMNP' } }));
    expect((serial.body as ListResult).result.map((d) => d.name)).toEqual(['Front Desk iPad']);
    const named = await run(call('devices', 'list', { query: { name: "Adele's iPhone" } }));
    expect((named.body as ListResult).result.map((d) => d.type)).toEqual(['mobile']);
    const android = await streamAll('devices', { platform: 'android' });
    expect(android.length).toBe(2);
  });

  test('get of an id from the list (get fills the Ethernet MAC)', async () => {
    const list = await run(call('devices', 'list', { query: { limit: 100 } }));
    const laptop = (list.body as ListResult).result.find((d) => d.name === 'ADELE-LAPTOP')!;
    const got = await run(call('devices', 'get', { id: String(laptop.id) }));
    checkRecord('devices', got.body);
    expect(got.body).toMatchObject({ id: laptop.id, name: 'ADELE-LAPTOP', platform: 'windows', type: 'workstation', mac_addresses: ['5C5F67A1B2C3', '5C5F67A1B2C4'], owner: { id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd' } });
  });

  test('update (PATCH answered 200 with the device), then get', async () => {
    const id = '2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b';
    const before = await run(call('devices', 'get', { id }));
    expect((before.body as Row).is_corporate_owned).toBe(false);
    const updated = await run(call('devices', 'update', { id, body: { is_corporate_owned: true } }));
    expect(updated.status).toBe(200);
    checkRecord('devices', updated.body);
    expect(updated.body).toMatchObject({ id, is_corporate_owned: true, type: 'tablet', platform: 'ipados' });
    const got = await run(call('devices', 'get', { id }));
    expect(got.body).toMatchObject({ id, is_corporate_owned: true, remote_data: { managedDeviceOwnerType: 'company' } });
  });

  test('an update with a field Graph cannot write is refused before any request; an unknown device is 404', async () => {
    const refused = await failure(run(call('devices', 'update', { id: '2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b', body: { name: 'Reception iPad' } })));
    expect(refused.code).toBe('invalid_body');
    const unknown = await failure(run(call('devices', 'update', { id: '00000000-1111-2222-3333-444444444444', body: { is_corporate_owned: false } })));
    expect(unknown.code).toBe('remote_error');
    expect(unknown.statusCode).toBe(404);
  });

  test("deleting a device's user clears the device's primary user", async () => {
    const seanDevice = '4e6a8c0e-2a4c-4e6a-8c0e-2a4c6e8a0c2f';
    const before = await run(call('devices', 'get', { id: seanDevice }));
    expect((before.body as Row).owner).toMatchObject({ id: '0c3a3f8e-5b7d-4e4b-9d0e-1f3a6c2b8e41', name: "Sean O'Brien" });
    await run(call('users', 'delete', { id: '0c3a3f8e-5b7d-4e4b-9d0e-1f3a6c2b8e41' }));
    const after = await run(call('devices', 'get', { id: seanDevice }));
    expect((after.body as Row).owner).toBeUndefined();
  });

  test('delete, then get is a 404 remote_error', async () => {
    const id = '8f0a2c4e-6a8c-4e0a-9c4e-6a8c0e2a4c6e';
    const deleted = await run(call('devices', 'delete', { id }));
    expect(deleted.body).toEqual({ id });
    const error = await failure(run(call('devices', 'get', { id })));
    expect(error.code).toBe('remote_error');
    expect(error.statusCode).toBe(404);
    expect(error.details).toMatchObject({ code: 'ResourceNotFound' });
  });

  test("an unknown id is Intune's 404 ResourceNotFound, through error_mapping", async () => {
    const id = '00000000-1111-2222-3333-444444444444';
    const error = await failure(run(call('devices', 'get', { id })));
    expect(error.code).toBe('remote_error');
    expect(error.statusCode).toBe(404);
    // The mapping pulls the readable `Message` out of the JSON document Intune puts in `message`.
    expect(error.message).toMatch(/^Microsoft Graph: An error has occurred/);
    expect(error.message).toContain(`managedDevices('${id}')`);
    expect(error.details).toMatchObject({ code: 'ResourceNotFound', innerError: { 'request-id': expect.any(String) } });
  });
});

describe('apps (Intune catalogue)', () => {
  test('list pages with $top and @odata.nextLink, and records() streams them all', async () => {
    const { records, pages } = await allPages('apps');
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(pages).toBe(records.length);
    const streamed = await streamAll('apps');
    expect(streamed.map((r) => r.id)).toEqual(records.map((r) => r.id));
    expect(records.find((r) => r.name === '7-Zip')).toMatchObject({ platform: 'windows', app_id_type: 'product_code', version: '23.01.00.0', size_bytes: 1605632 });
    expect(records.find((r) => r.name === 'Contoso Field Service')).toMatchObject({ platform: 'android', app_id: 'com.contoso.fieldservice', app_id_type: 'package_name' });
  });

  test('get of an id from the list', async () => {
    const list = await run(call('apps', 'list', { query: { limit: 3 } }));
    const first = (list.body as ListResult).result[0]!;
    const got = await run(call('apps', 'get', { id: String(first.id) }));
    checkRecord('apps', got.body);
    expect(got.body).toMatchObject({ id: first.id, name: first.name, platform: first.platform });
    expect((got.body as Row).remote_data).toMatchObject({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#deviceAppManagement/mobileApps/$entity' });
  });

  test('delete, then get is a 404 remote_error', async () => {
    const id = '6e8a0c2e-4a6c-4e8a-8c0e-2a4c6e8a0c2e';
    const deleted = await run(call('apps', 'delete', { id }));
    expect(deleted.body).toEqual({ id });
    const error = await failure(run(call('apps', 'get', { id })));
    expect(error.code).toBe('remote_error');
    expect(error.statusCode).toBe(404);
    const remaining = await streamAll('apps');
    expect(remaining.map((r) => r.id)).not.toContain(id);
  });

  test("an unknown id is Intune's 404 ResourceNotFound, through error_mapping", async () => {
    const error = await failure(run(call('apps', 'get', { id: '00000000-1111-2222-3333-444444444444' })));
    expect(error.code).toBe('remote_error');
    expect(error.statusCode).toBe(404);
    expect(error.details).toMatchObject({ code: 'ResourceNotFound' });
    const deleteUnknown = await failure(run(call('apps', 'delete', { id: '00000000-1111-2222-3333-444444444444' })));
    expect(deleteUnknown.statusCode).toBe(404);
  });
});

describe('organizations', () => {
  test('list returns the one tenant organization, unpaged; records() streams it', async () => {
    const result = await run(call('organizations', 'list', { query: { limit: 1 } }));
    const body = result.body as ListResult;
    expect(body.result.length).toBe(1);
    expect(body.next_cursor).toBeNull();
    for (const record of body.result) checkRecord('organizations', record);
    expect(body.result[0]).toMatchObject({ id: '84841066-274d-4ec0-a5c1-276be684bdd3', name: 'Contoso', created_at: '2020-11-05T16:20:11.000Z' });
    const streamed = await streamAll('organizations');
    expect(streamed.map((r) => r.id)).toEqual(body.result.map((r) => r.id));
  });

  test('get of the id from the list', async () => {
    const list = await run(call('organizations', 'list'));
    const id = String((list.body as ListResult).result[0]!.id);
    const got = await run(call('organizations', 'get', { id }));
    checkRecord('organizations', got.body);
    expect(got.body).toMatchObject({ id, name: 'Contoso' });
  });

  test('an unknown id is 404 Request_ResourceNotFound, through error_mapping', async () => {
    const error = await failure(run(call('organizations', 'get', { id: '00000000-1111-2222-3333-444444444444' })));
    expect(error.code).toBe('remote_error');
    expect(error.statusCode).toBe(404);
    expect(error.details).toMatchObject({ code: 'Request_ResourceNotFound' });
  });
});

describe('Graph wire details', () => {
  test('$filter syntax errors, unknown properties and $top out of range are 400s', async () => {
    const token = await graphToken();
    const get = (path: string) => hub.fetch(`https://graph.microsoft.com/v1.0${path}`, { headers: { authorization: `Bearer ${token}` } });
    const syntax = await get(`/users?$filter=${encodeURIComponent("mail eq 'x")}`);
    expect(syntax.status).toBe(400);
    expect(((await syntax.json()) as { error: Row }).error.code).toBe('BadRequest');
    const unknown = await get(`/deviceManagement/managedDevices?$filter=${encodeURIComponent("colour eq 'red'")}`);
    expect(unknown.status).toBe(400);
    const top = await get('/users?$top=1000');
    expect(top.status).toBe(400);
    expect(((await top.json()) as { error: Row }).error.code).toBe('Request_UnsupportedQuery');
    const advanced = await get(`/users?$filter=${encodeURIComponent("mail ne 'x@contoso.com'")}`);
    expect(advanced.status).toBe(400);
    const segment = await get('/groups');
    expect(segment.status).toBe(400);
    const expired = await get('/users?$skiptoken=garbage');
    expect(((await expired.json()) as { error: Row }).error.code).toBe('Directory_ExpiredPageToken');
  });

  test('users without $select get the default property set', async () => {
    const token = await graphToken();
    const response = await hub.fetch('https://graph.microsoft.com/v1.0/users/87d349ed-44d7-43e1-9a83-5f2406dee5bd', { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as Row;
    expect(Object.keys(body).sort()).toEqual(
      ['@odata.context', 'businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'].sort(),
    );
  });
});
