import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, mkdir, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServer, type TestServer } from '../support/http-server.js';

const run = promisify(execFile);
const cli = join(process.cwd(), 'engine/cli/unimap.js');

async function unimap(args: string[], cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 20 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('unimap (every command)', () => {
  test('no command prints the list of commands and exits 2; --help exits 0', async () => {
    const none = await unimap([]);
    expect(none.code).toBe(2);
    for (const name of ['validate', 'test', 'map', 'coverage', 'docs', 'record', 'types', 'init']) expect(none.stdout).toContain(`  ${name}`);
    for (const name of ['test', 'map', 'coverage', 'docs', 'record', 'types', 'init']) {
      const help = await unimap([name, '--help']);
      expect(help.code, name).toBe(0);
      expect(help.stdout).toContain(`Usage: unimap ${name}`);
      const bad = await unimap([name, '--no-such-option']);
      expect(bad.code, `${name} with a bad option`).toBe(2);
      expect(bad.stderr).toContain('unknown option --no-such-option');
    }
  }, 60_000);

  test('test runs the fixtures and ends with a summary line', async () => {
    const { code, stdout } = await unimap(['test', 'mappings/jamf', '--filter', 'users.get']);
    expect(stdout).toMatch(/^\d+ passed, 0 failed$/m);
    expect(stdout).not.toContain('✓');
    expect(code).toBe(0);
    // --verbose names each passing fixture: its file, its name and its time.
    const verbose = await unimap(['test', 'mappings/jamf', '--filter', 'users.get', '--verbose']);
    const passed = Number(/^(\d+) passed/m.exec(verbose.stdout)![1]);
    const lines = verbose.stdout.split('\n').filter((line) => line.startsWith('✓ '));
    expect(lines).toHaveLength(passed);
    expect(lines[0]).toMatch(/^✓ mappings\/jamf\/users\.get[^ ]*\.yaml {2}\S.* {2}\d+\.\d ms$/);
  }, 30_000);

  test('test shows a diff for a failing fixture, and --update rewrites it keeping comments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unimap-test-'));
    await cp('mappings/jamf.yaml', join(dir, 'jamf.yaml'));
    await mkdir(join(dir, 'jamf'));
    const original = await readFile('mappings/jamf/users.get.yaml', 'utf8');
    const broken = original.replace('name: Jane Doe\n    first_name', 'name: Jane Smith\n    first_name').replace('name: jamf gets', '# a comment that must survive\nname: jamf gets');
    await writeFile(join(dir, 'jamf', 'users.get.yaml'), broken);
    const failing = await unimap(['test', join(dir, 'jamf'), '--definitions', dir]);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('✗');
    expect(failing.stdout).toContain('-   "name": "Jane Smith",\n    +   "name": "Jane Doe",');
    expect(failing.stdout).toMatch(/^0 passed, 1 failed$/m);
    const updated = await unimap(['test', join(dir, 'jamf'), '--definitions', dir, '--update']);
    expect(updated.stdout).toContain('updated');
    const rewritten = await readFile(join(dir, 'jamf', 'users.get.yaml'), 'utf8');
    expect(rewritten).toContain('# a comment that must survive');
    expect(rewritten).not.toContain('Jane Smith');
    expect((await unimap(['test', join(dir, 'jamf'), '--definitions', dir])).stdout).toMatch(/^1 passed, 0 failed$/m);
  }, 60_000);

  test('map prints the remote request, or with --response the unified result', async () => {
    const context = JSON.stringify({ instance_host: 'acme.jamfcloud.com', access_token: 't' });
    const request = await unimap(['map', 'jamf', 'mdm/users.create', '--body', '{"name":"Jane Doe","emails":[{"email":"j@x.com","is_primary":true}]}', '--context', context]);
    expect(request.code).toBe(0);
    expect(JSON.parse(request.stdout)).toMatchObject({ method: 'POST', url: 'https://acme.jamfcloud.com/api/v1/users', body: { username: 'Jane Doe', email: 'j@x.com' } });
    const result = await unimap(['map', 'jamf', 'mdm/users.get', '--id', '1', '--context', context, '--query', 'truto_ignore_remote_data=true', '--response', '{"id":"1","realname":"Jane Doe"}']);
    expect(JSON.parse(result.stdout)).toEqual({ id: '1', name: 'Jane Doe', first_name: 'Jane', last_name: 'Doe', emails: [] });
    const refused = await unimap(['map', 'jamf', 'mdm/users.create', '--body', '{}', '--context', context]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ code: 'missing_required_body_fields', statusCode: 400 });
    expect((await unimap(['map', 'jamf', 'users.create'])).code).toBe(2);
  }, 60_000);

  test('coverage prints the matrix as a table, markdown or JSON', async () => {
    const table = await unimap(['coverage']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/users\.create\s+body\s+name\s/);
    const markdown = await unimap(['coverage', '--format', 'markdown']);
    expect(markdown.stdout).toContain('| users.create | body | `name` |');
    const json = JSON.parse((await unimap(['coverage', '--format', 'json'])).stdout) as { resource: string }[];
    expect(json.map((r) => r.resource)).toContain('users');
    expect((await unimap(['coverage', '--format', 'csv'])).code).toBe(2);
  }, 60_000);

  test('docs --check confirms the generated files are current', async () => {
    const { code, stdout } = await unimap(['docs', '--check']);
    expect(stdout).toContain('all generated files are current');
    expect(code).toBe(0);
  }, 30_000);

  test('types prints TypeScript types for the unified models', async () => {
    const { code, stdout } = await unimap(['types']);
    expect(code).toBe(0);
    expect(stdout).toContain('export interface User {');
    expect(stdout).toContain('export interface Device {');
    expect(stdout).toContain('export interface UserCreate {');
  }, 30_000);

  test('init scaffolds a definition and a fixture that validate and pass as they are', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unimap-init-'));
    const mappings = join(dir, 'mappings');
    const init = await unimap(['init', 'acme_hr', '--dir', mappings]);
    expect(init.code).toBe(0);
    const text = await readFile(join(mappings, 'acme_hr.yaml'), 'utf8');
    expect(text.startsWith('# yaml-language-server: $schema=../schemas/integration.schema.json')).toBe(true);
    const validate = await unimap(['validate', mappings]);
    expect(validate.stdout).toContain('0 error(s), 0 warning(s)');
    expect(validate.code).toBe(0);
    const tested = await unimap(['test', join(mappings, 'acme_hr'), '--definitions', mappings]);
    expect(tested.stdout).toMatch(/^1 passed, 0 failed$/m);
    expect((await unimap(['init', 'acme_hr', '--dir', mappings])).code).toBe(1);
    expect((await unimap(['init', 'Bad-Name', '--dir', mappings])).code).toBe(2);
  }, 60_000);
});

describe('unimap record', () => {
  let server: TestServer;
  const token = 'tok-SECRET-4242';
  const password = 'pw-SECRET-9876';
  beforeAll(async () => {
    server = await startServer((request) => {
      // The remote echoes the credentials back, as some error pages and debug endpoints do.
      if (request.url.startsWith('/api/users?')) {
        return { headers: { 'x-echo-auth': request.headers.authorization ?? '' }, body: { data: [{ id: 7, full_name: 'Ann Lee', email: 'ann@example.com', echo: request.headers.authorization, pass: request.headers['x-admin-password'] }], meta: {} } };
      }
      return { status: 404, body: { message: 'no' } };
    });
  });
  afterAll(() => server.close());

  test('writes a fixture without the token or the password, and it replays green', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unimap-record-'));
    const mappings = join(dir, 'mappings');
    await mkdir(mappings);
    await writeFile(
      join(mappings, 'echo.yaml'),
      `name: echo
base_url: "http://{{context.host}}/api"
context:
  host: { required: true }
  username: { required: true }
  password: { required: true, secret: true }
  api_token: { required: true, secret: true }
auth: { type: bearer, token: "{{context.api_token}}" }
headers:
  x-admin-user: "{{context.username}}"
  x-admin-password: "{{context.password}}"
resources:
  users:
    list: { path: /users, response_path: data, query: { limit: 10 } }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: '{ "id": $string(response.id), "name": response.full_name, "emails": [{ "email": response.email, "is_primary": true }] }'
`,
    );
    const account = join(dir, 'account.json');
    await writeFile(account, JSON.stringify({ context: { host: server.host, username: 'admin', password, api_token: token } }));
    const out = join(mappings, 'echo', 'recorded.users.list.yaml');
    const recorded = await unimap(['record', 'echo', 'mdm/users.list', '--account', `@${account}`, '--definitions', mappings, '--redact', 'email', '--out', out]);
    expect(recorded.stderr).toBe('');
    expect(recorded.code).toBe(0);
    expect(recorded.stdout).toContain('recorded 1 exchange(s)');
    const fixture = await readFile(out, 'utf8');
    expect(fixture).not.toContain(token);
    expect(fixture).not.toContain(password);
    expect(fixture).not.toContain('ann@example.com');
    expect(fixture).toContain('[REDACTED]');
    expect(fixture).toContain('mode: execute');
    const replay = await unimap(['test', join(mappings, 'echo'), '--definitions', mappings]);
    expect(replay.stdout).toMatch(/^1 passed, 0 failed$/m);
    expect(replay.code).toBe(0);
  }, 60_000);
});
