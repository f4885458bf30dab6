import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClient, UnimapClientError } from '../../engine/client/index.js';
import { loadEngine } from '../../engine/index.js';

export interface RunningServer {
  base: string;
  /** Access log lines, when the runtime exposes them. */
  logLines?: string[];
  stop(): Promise<void>;
}

const execFileAsync = promisify(execFile);
const engine = await loadEngine({ definitions: 'mappings' });

/**
 * The end-to-end suite of the unified API server with the sandbox: the seed's own examples with
 * only the host changed, round trips through the typed client, every response format and the
 * errors. It runs against the Node adapter (`unimap serve --sandbox`) and inside workerd.
 */
export function serverSuite(name: string, start: () => Promise<RunningServer>): void {
  const logsAvailable = name.includes('node');

  let server: RunningServer;
  let base = '';
  beforeAll(async () => {
    server = await start();
    base = server.base;
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  const schemaOf = (resource: string) => engine.models.get('mdm', resource)!;

  describe(`${name}: the seed examples`, () => {
    test("the seed's curl example returns a unified user", async () => {
      const { stdout } = await execFileAsync('curl', [
        '-sS', '-X', 'POST', `${base}/unified/mdm/users?integrated_account_id=sandbox-jamf`,
        '-H', 'Authorization: Bearer sandbox',
        '-H', 'Content-Type: application/json',
        '-d', '{\n"name": "your_name",\n"emails": [],\n"remote_data": {}\n}',
      ]);
      const user = JSON.parse(stdout) as Record<string, unknown>;
      expect(user.name).toBe('your_name');
      expect(typeof user.id).toBe('string');
      expect(schemaOf('users').check('record', user)).toEqual([]);
      // Jamf refuses a second user with the same name, as the real one does: clean up for the next example.
      const deleted = await fetch(`${base}/unified/mdm/users/${String(user.id)}?integrated_account_id=sandbox-jamf`, { method: 'DELETE', headers: { authorization: 'Bearer sandbox' } });
      expect(deleted.status).toBe(200);
    }, 30_000);

    test("the seed's JavaScript fetch example returns a unified user", async () => {
      // The seed's example, verbatim but for the host and the account.
      const integratedAccountId = 'sandbox-jamf';
      const body = {
        "name": "your_name",
        "emails": [],
        "remote_data": {}
      };
      const response = await fetch(`${base}/unified/mdm/users?integrated_account_id=${integratedAccountId}`, {
        method: 'POST',
        headers: {
          'Authorization': 'Bearer sandbox',
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      const data = (await response.json()) as Record<string, unknown>;
      expect(response.status).toBe(201);
      expect(data.name).toBe('your_name');
      expect(schemaOf('users').check('record', data)).toEqual([]);
    });
  });

  describe(`${name}: round trips through the typed client`, () => {
    const client = () => createClient({ baseUrl: base, token: 'sandbox' });

    test.each(['jamf', 'microsoft_intune', 'google_workspace', 'jumpcloud', 'fleet'])('%s: create, get, update, list every page, delete', async (integration) => {
      const api = client().unifiedApi;
      const q = { integrated_account_id: `sandbox-${integration}` };
      const extra: Record<string, Record<string, unknown>> = {
        microsoft_intune: { passwordProfile: { password: 'Sandbox-Passw0rd!', forceChangePasswordNextSignIn: true } },
        google_workspace: { password: 'Sandbox-Passw0rd!' },
        fleet: { password: 'Sandbox-Passw0rd!1' },
      };
      // Each sandbox tenant owns its demo domain, as the real vendors require.
      const domain: Record<string, string> = { microsoft_intune: 'contoso.com', google_workspace: 'example.com' };
      const created = await api.create('mdm', 'users', { name: 'Round Trip', emails: [{ email: `round.trip@${domain[integration] ?? `${integration}.example.com`}`, is_primary: true, type: 'work' }], remote_data: extra[integration] ?? {} }, q);
      expect(schemaOf('users').check('record', created)).toEqual([]);
      const id = String(created.id);
      const fetched = await api.get('mdm', 'users', id, q);
      expect(fetched.id).toBe(id);
      expect(schemaOf('users').check('record', fetched)).toEqual([]);
      const updated = await api.update('mdm', 'users', id, { name: 'Round Trip Two' }, q);
      expect(updated.id).toBe(id);
      expect((await api.get('mdm', 'users', id, q)).name).toBe('Round Trip Two');
      const first = await api.list('mdm', 'users', { ...q, limit: 1 });
      expect(first.result).toHaveLength(1);
      expect(first.next_cursor).toEqual(expect.any(String));
      const all = await api.list('mdm', 'users', { ...q, limit: 1 }).all();
      expect(all.length).toBeGreaterThanOrEqual(2);
      expect(all.map((u) => u.id)).toContain(id);
      for (const user of all) expect(schemaOf('users').check('record', user)).toEqual([]);
      // Pages keyed by id iterate the same records.
      const keyed = await api.list('mdm', 'users', { ...q, limit: 1, truto_key_by: 'id' }).all();
      expect(keyed.map((u) => u.id)).toEqual(all.map((u) => u.id));
      expect(await api.delete('mdm', 'users', id, q)).toEqual({ id });
      await expect(api.get('mdm', 'users', id, q)).rejects.toMatchObject({ statusCode: 404, code: 'remote_error' });
    }, 60_000);

    test.each(['jamf', 'kandji', 'ninjaone', 'microsoft_intune', 'google_workspace', 'jumpcloud', 'fleet'])('%s: devices list and get', async (integration) => {
      const api = client().unifiedApi;
      const q: Record<string, unknown> & { integrated_account_id: string } = { integrated_account_id: `sandbox-${integration}` };
      if (integration === 'jamf') q.type = 'desktop';
      const devices = await api.list('mdm', 'devices', q).all();
      expect(devices.length).toBeGreaterThanOrEqual(2);
      for (const device of devices) expect(schemaOf('devices').check('record', device)).toEqual([]);
      const one = await api.get('mdm', 'devices', String(devices[0]!.id), q);
      expect(one.id).toBe(devices[0]!.id);
    }, 60_000);
  });

  describe(`${name}: formats and errors over HTTP`, () => {
    const url = (path: string) => `${base}${path}`;
    const auth = { authorization: 'Bearer sandbox' };

    test.each(['unified', 'raw', 'normalized', 'debug'])('truto_response_format=%s', async (format) => {
      const response = await fetch(url(`/unified/mdm/users?integrated_account_id=sandbox-jamf&limit=2&truto_response_format=${format}`), { headers: auth });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Record<string, unknown>;
      if (format === 'raw') expect(body).toHaveProperty('results');
      else if (format === 'debug') {
        expect(body).toHaveProperty('result');
        expect(JSON.stringify(body.debug)).not.toContain('sandbox-token');
      } else expect((body.result as unknown[]).length).toBe(2);
    });

    test('truto_response_format=stream is NDJSON over every page', async () => {
      const response = await fetch(url('/unified/mdm/users?integrated_account_id=sandbox-jamf&limit=1&truto_response_format=stream'), { headers: auth });
      expect(response.headers.get('content-type')).toBe('application/x-ndjson');
      const lines = (await response.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const line of lines) expect(schemaOf('users').check('record', line)).toEqual([]);
    });

    test('truto_exclude_fields[] and truto_ignore_remote_data', async () => {
      const response = await fetch(url('/unified/mdm/users?integrated_account_id=sandbox-jamf&truto_exclude_fields[]=emails&truto_exclude_fields[]=name&truto_ignore_remote_data=true'), { headers: auth });
      const { result } = (await response.json()) as { result: Record<string, unknown>[] };
      for (const user of result) {
        expect(user).not.toHaveProperty('emails');
        expect(user).not.toHaveProperty('name');
        expect(user).not.toHaveProperty('remote_data');
      }
    });

    test('truto_key_by=id keys the page by id; a bad truto_ignore_remote_data or truto_key_by on a create is a 400', async () => {
      const keyed = await fetch(url('/unified/mdm/users?integrated_account_id=sandbox-jamf&truto_key_by=id'), { headers: auth });
      expect(keyed.status).toBe(200);
      const { result, result_count } = (await keyed.json()) as { result: Record<string, { id: string }>; result_count: number };
      expect(Object.keys(result).length).toBe(result_count);
      for (const [key, user] of Object.entries(result)) expect(user.id).toBe(key);
      const maybe = await fetch(url('/unified/mdm/users?integrated_account_id=sandbox-jamf&truto_ignore_remote_data=maybe'), { headers: auth });
      expect(maybe.status).toBe(400);
      expect(await maybe.json()).toMatchObject({ code: 'invalid_query', message: 'truto_ignore_remote_data must be true or false' });
      const create = await fetch(url('/unified/mdm/users?integrated_account_id=sandbox-jamf&truto_key_by=id'), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Keyed', emails: [] }) });
      expect(create.status).toBe(400);
      expect(((await create.json()) as { message: string }).message).toContain('applies to list only');
    });

    test('a stream that fails before its first record answers with the error status, not a 200 and an error line', async () => {
      const create = (format: string, headers: Record<string, string> = {}) =>
        fetch(url(`/unified/mdm/users?integrated_account_id=sandbox-jamf&truto_response_format=${format}`), {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ name: 'Streamed Twice', emails: [] }),
        });
      const first = await create('stream');
      expect(first.status).toBe(200);
      expect(first.headers.get('content-type')).toBe('application/x-ndjson');
      const [line, ...rest] = (await first.text()).trim().split('\n');
      expect(rest).toEqual([]);
      const user = JSON.parse(line!) as { id: string; name: string };
      expect(user.name).toBe('Streamed Twice');
      try {
        // Jamf refuses a second user with the same name: a remote 400 before any record.
        const again = await create('stream');
        expect(again.status).toBe(400);
        expect(again.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await again.json()).toMatchObject({ statusCode: 400, code: 'remote_error' });
        // An Idempotency-Key cannot protect a stream, which is never replayed: refused before any remote call.
        const keyed = await create('stream', { 'idempotency-key': 'stream-key' });
        expect(keyed.status).toBe(400);
        expect(((await keyed.json()) as { message: string }).message).toContain('Idempotency-Key cannot be used with truto_response_format=stream');
      } finally {
        await fetch(url(`/unified/mdm/users/${user.id}?integrated_account_id=sandbox-jamf`), { method: 'DELETE', headers: auth });
      }
    });

    test('a wrong or missing token is a 401 that says nothing about accounts', async () => {
      for (const headers of [{ authorization: 'Bearer wrong' }, {}] as Record<string, string>[]) {
        const response = await fetch(url('/unified/mdm/users?integrated_account_id=sandbox-jamf'), { headers });
        expect(response.status).toBe(401);
        const body = (await response.json()) as { code: string; message: string };
        expect(body.code).toBe('unauthorized');
        expect(body.message).not.toMatch(/account|sandbox-jamf/i);
      }
    });

    test('an unknown account is a 404; a missing account id a 400', async () => {
      const unknown = await fetch(url('/unified/mdm/users?integrated_account_id=nope'), { headers: auth });
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as { code: string }).code).toBe('account_not_found');
      const missing = await fetch(url('/unified/mdm/users'), { headers: auth });
      expect(missing.status).toBe(400);
    });

    test('a method the vendor cannot serve is a 501', async () => {
      const client = createClient({ baseUrl: base, token: 'sandbox' });
      const error = await client.unifiedApi.create('mdm', 'users', { name: 'x', emails: [], remote_data: {} }, { integrated_account_id: 'sandbox-kandji' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnimapClientError);
      expect(error).toMatchObject({ statusCode: 501, code: 'method_not_supported' });
    });

    test('Idempotency-Key replays the first response; the same key with another body is a 409', async () => {
      const client = createClient({ baseUrl: base, token: 'sandbox' }).unifiedApi;
      const q = { integrated_account_id: 'sandbox-jamf' };
      const body = { name: 'Idem Potent', emails: [{ email: 'idem@example.com', is_primary: true }] };
      const first = await client.create('mdm', 'users', body, q, { idempotencyKey: 'key-1' });
      const again = await client.create('mdm', 'users', body, q, { idempotencyKey: 'key-1' });
      expect(again).toEqual(first);
      const count = (await client.list('mdm', 'users', q).all()).filter((u) => u.name === 'Idem Potent').length;
      expect(count).toBe(1);
      await expect(client.create('mdm', 'users', { ...body, name: 'Other' }, q, { idempotencyKey: 'key-1' })).rejects.toMatchObject({ statusCode: 409, code: 'idempotency_conflict' });
    });

    test.skipIf(!logsAvailable)('access log lines carry method, path, status, duration and account, never tokens', async () => {
      await new Promise((r) => setTimeout(r, 50));
      const logLines = server.logLines ?? [];
      const lines = logLines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.length).toBeGreaterThan(5);
      expect(lines[0]).toEqual(expect.objectContaining({ method: expect.any(String), path: expect.any(String), status: expect.any(Number), duration_ms: expect.any(Number) }));
      expect(lines.some((l) => l.account_id === 'sandbox-jamf')).toBe(true);
      const text = logLines.join('\n');
      expect(text).not.toContain('Bearer');
      expect(text).not.toContain('sandbox-token');
      expect(text).not.toContain('your_name');
    });
  });

}
