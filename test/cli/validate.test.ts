import { execFile } from 'node:child_process';
import { mkdtemp, writeFile, mkdir, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';

const run = promisify(execFile);
const cli = join(process.cwd(), 'engine/cli/unimap.js');

async function unimap(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const broken = `# yaml-language-server: $schema=../schemas/integration.schema.json
name: broken
base_url: "https://{{context.host}}"
resources:
  users:
    list:
      pth: /users
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: |
          {
            "id": $string(response.id),
            "name": response.name &
          }
`;

describe('unimap validate', () => {
  test('exits 0 on the bundled definitions', async () => {
    const { code, stdout } = await unimap('validate', 'mappings');
    expect(stdout).toMatch(/0 error\(s\)/);
    expect(code).toBe(0);
  }, 30_000);

  test('exits 1 on a broken definition, every error located with a code frame', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unimap-'));
    await writeFile(join(dir, 'broken.yaml'), broken);
    await mkdir(join(dir, 'broken'));
    await writeFile(join(dir, 'broken', 'bad-fixture.yaml'), 'name: x\ncall: {}\n');
    const { code, stdout } = await unimap('validate', dir);
    expect(code).toBe(1);
    expect(stdout).toContain(`broken.yaml:6:5  schema_violation  missing required property \`path\``);
    expect(stdout).toContain('broken.yaml:7:7  schema_violation  unknown property `pth`. Did you mean `path`?');
    expect(stdout).toContain('broken.yaml:18:11  jsonata_syntax  S0211');
    expect(stdout).toContain('> 7 |       pth: /users');
    expect(stdout).toMatch(/\n\s+\|\s+\^/);
    expect(stdout).toContain('bad-fixture.yaml:2:1  schema_violation  missing required property `integration`');
    expect(stdout).toContain('bad-fixture.yaml:1:1  schema_violation  missing required property `expect`');
  }, 30_000);

  test('--json prints machine-readable problems', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unimap-'));
    await writeFile(join(dir, 'broken.yaml'), broken);
    const { code, stdout } = await unimap('validate', dir, '--json');
    expect(code).toBe(1);
    const parsed = JSON.parse(stdout) as { problems: { code: string; location: { line: number } }[] };
    expect(parsed.problems.map((p) => p.code)).toContain('jsonata_syntax');
  }, 30_000);

  test('reads and fills the parse cache: a second run reports the same problems at the same places; --no-cache leaves it alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unimap-'));
    await mkdir(join(dir, 'node_modules')); // the cache goes to the nearest node_modules/.cache/unimap
    await writeFile(join(dir, 'broken.yaml'), broken);
    await writeFile(join(dir, 'good.yaml'), broken.replace('name: broken', 'name: good').replace('pth:', 'path:').replace('response.name &', 'response.name'));
    const cache = join(dir, 'node_modules', '.cache', 'unimap');
    const first = await unimap('validate', dir);
    const entries = await readdir(cache);
    expect(entries.filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(1);
    const second = await unimap('validate', dir);
    expect(second).toEqual(first);
    expect(second.code).toBe(1);
    expect(second.stdout).toContain('broken.yaml:7:7  schema_violation  unknown property `pth`. Did you mean `path`?');
    expect(second.stdout).toContain('broken.yaml:18:11  jsonata_syntax  S0211');

    const other = await mkdtemp(join(tmpdir(), 'unimap-'));
    await mkdir(join(other, 'node_modules'));
    await writeFile(join(other, 'good.yaml'), broken.replace('name: broken', 'name: good').replace('pth:', 'path:').replace('response.name &', 'response.name'));
    expect((await unimap('validate', other, '--no-cache')).code).toBe(0);
    await expect(readdir(join(other, 'node_modules', '.cache', 'unimap'))).rejects.toThrow();
  }, 30_000);

  test('--fast-path lists the expressions that run on stock jsonata, each at its place with the reason', async () => {
    const bundled = await unimap('validate', 'mappings', '--fast-path');
    expect(bundled.code).toBe(0);
    expect(bundled.stdout).toContain('fast path: 196 of 196 expression(s)\n');
    expect(bundled.stdout).not.toContain('stock_jsonata');

    const dir = await mkdtemp(join(tmpdir(), 'unimap-'));
    const slow = broken
      .replace('name: broken', 'name: slowish')
      .replace('pth:', 'path:')
      .replace('"name": response.name &', '"name": $join($sort(response.names, function($a, $b) { $a > $b }), " "),\n            "tags": ( $up := function($t) { $uppercase($t) }; $map(response.tags, $up) )')
      .replace('      list:\n        resource: users', '      get:\n        resource: users\n        method: list\n        response_mapping: "{ \\"id\\": $string(response.id) }"\n      list:\n        resource: users');
    await writeFile(join(dir, 'slowish.yaml'), slow);
    const text = await unimap('validate', dir, '--fast-path');
    expect(text.code).toBe(0); // not a problem: the same results, only slower
    expect(text.stdout).toContain('slowish.yaml:19:11  stock_jsonata  runs on stock jsonata, not the fast path: it calls `$sort`, which the fast path does not implement');
    expect(text.stdout).toContain('(unified.mdm.users.list.response_mapping, slot response_mapping)');
    expect(text.stdout).toContain('fast path: 1 of 2 expression(s); 1 on stock jsonata (same results, slower)');
    expect(text.stdout).toContain('0 error(s), 0 warning(s)');

    const json = JSON.parse((await unimap('validate', dir, '--fast-path', '--json')).stdout) as {
      fastPath: { expressions: number; fast: number; stock: { location: { line: number; operation: string }; reason: string }[] };
    };
    expect(json.fastPath).toMatchObject({ expressions: 2, fast: 1 });
    expect(json.fastPath.stock).toEqual([
      { location: expect.objectContaining({ line: 19, column: 11, operation: 'mdm/users.list', slot: 'response_mapping' }), reason: expect.stringContaining('$sort') },
    ]);
    // Without the flag, nothing about it.
    expect((await unimap('validate', dir)).stdout).not.toContain('fast path');
  }, 30_000);

  test('bad usage exits 2', async () => {
    expect((await unimap('validate', '--frobnicate')).code).toBe(2);
    expect((await unimap('validate', '/no/such/path')).code).toBe(2);
    expect((await unimap('nonsense')).code).toBe(2);
    const help = await unimap('validate', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: unimap validate');
    expect(help.stdout).toContain('--fast-path');
  }, 30_000);
});
