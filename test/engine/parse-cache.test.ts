import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { astToJson, Engine, loadEngine, memoryParseCache, type DefinitionSource, type Problem } from '../../engine/index.js';
import { readDefinitionFolder } from '../../engine/definitions/read-folder.js';
import { defaultParseCacheDir, diskParseCache } from '../../engine/definitions/disk-parse-cache.js';
import { findFixtureFiles, readFixture } from '../../engine/fixtures/read.js';
import { runFixture } from '../../engine/fixtures/run.js';

const temp = mkdtempSync(join(tmpdir(), 'unimap-parse-cache-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const flawed = `name: flawed
base_url: "https://example.com"
resources:
  users:
    list: { path: /users, response_path: data }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: |
          { "id": $string(response.id), "name": respons.name }
        bogus_field: 1
`;

/** Everything a load reports, and each slot's syntax tree, comparable across loads. */
function snapshot(engine: Engine): { problems: readonly Problem[]; definitions: unknown[]; trees: Record<string, string>; locations: Record<string, unknown> } {
  const trees: Record<string, string> = {};
  const locations: Record<string, unknown> = {};
  for (const integration of engine.integrations.values()) {
    for (const [key, slot] of integration.slots) {
      trees[`${integration.name}:${key}`] = JSON.stringify(astToJson(slot.expression.ast()));
      locations[`${integration.name}:${key}`] = slot.origin.locate?.(3);
    }
  }
  return { problems: engine.problems, definitions: [...engine.integrations.values()].map((i) => i.definition), trees, locations };
}

/** A one-method object definition (`mdm/users.get`) with this response_mapping. */
function getDefinition(name: string, responseMapping: string) {
  return {
    name,
    base_url: 'https://example.com',
    resources: { users: { get: { path: '/users/{{id}}' } } },
    unified: { mdm: { users: { get: { resource: 'users', method: 'get', response_mapping: responseMapping } } } },
  };
}

const getCall = (integration: string) => ({ integration, model: 'mdm', resource: 'users', method: 'get', id: '1', query: { truto_ignore_remote_data: true } });

describe('the parse cache', () => {
  test('a cached load of the bundled definitions equals a fresh one, and every fixture passes on it', async () => {
    const sources = await readDefinitionFolder('mappings');
    const cache = memoryParseCache();
    const fresh = new Engine({ definitions: sources, parseCache: cache });
    expect(cache.entries.size).toBe(sources.length);
    const cached = new Engine({ definitions: sources, parseCache: cache });
    expect(snapshot(cached)).toEqual(snapshot(fresh));

    const failures: string[] = [];
    for (const file of await findFixtureFiles(['mappings'])) {
      const { fixture } = await readFixture(file);
      const outcome = await runFixture(cached, fixture!);
      if (!outcome.passed) failures.push(`${file}: ${outcome.failures.map((f) => f.message).join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  test('problems found on cached data are located as on a fresh parse (the YAML is parsed again for them)', () => {
    const cache = memoryParseCache();
    const sources: DefinitionSource[] = [{ file: 'flawed.yaml', text: flawed }];
    const fresh = new Engine({ definitions: sources, parseCache: cache });
    expect(cache.entries.size).toBe(1);
    expect(fresh.problems.map((p) => p.code).sort()).toEqual(['schema_violation', 'unknown_binding']);
    const cached = new Engine({ definitions: sources, parseCache: cache });
    expect(cached.problems).toEqual(fresh.problems);
    expect(cached.problems.every((p) => p.location.line && p.location.column)).toBe(true);
  });

  test('an object definition brings its syntax trees: they are used instead of parsing, and a missing one is parsed', async () => {
    const definition = getDefinition('trees', '{ "id": "from the source" }');
    const call = getCall('trees');
    const response = { status: 200, headers: {}, body: {} };
    // A tree that says something else than the source proves the tree is what runs (build-worker's trees always match).
    const other = astToJson(new Engine({ definitions: [{ definition: getDefinition('trees', '{ "id": "from the tree" }') }] }).integrations.get('trees')!.slots.get('unified.mdm.users.get.response_mapping')!.expression.ast())!;
    const withTree = new Engine({ definitions: [{ definition, asts: { '{ "id": "from the source" }': other } }], strict: true });
    expect(await withTree.mapResponse(call, response)).toEqual({ id: 'from the tree' });
    const without = new Engine({ definitions: [{ definition, asts: {} }], strict: true });
    expect(await without.mapResponse(call, response)).toEqual({ id: 'from the source' });
  });

  test('a checked object definition skips the checks that only report, but its expressions are still compiled', async () => {
    // An unknown binding: a lint warning, which only reports.
    const definition = getDefinition('prechecked', '{ "id": $string(response.id), "seen": nowhere }');
    const unchecked = new Engine({ definitions: [{ definition }] });
    expect(unchecked.problems.map((p) => p.code)).toEqual(['unknown_binding']);
    const checked = new Engine({ definitions: [{ definition, checked: true }], strict: true });
    expect(checked.problems).toEqual([]);
    expect(await checked.mapResponse(getCall('prechecked'), { status: 200, headers: {}, body: { id: 7 } })).toEqual({ id: '7' });
    // A syntax error is found by compiling, which a checked definition still does.
    const result = new Engine({ definitions: [{ definition: getDefinition('prechecked', '{ "id": '), checked: true }] });
    expect(result.problems.map((p) => p.code)).toEqual(['jsonata_syntax']);
    expect(result.failedIntegrations.has('prechecked')).toBe(true);
  });

  test('a file with no problem is cached as checked, and a load from that entry skips its schema validation and lint', () => {
    const cache = memoryParseCache();
    const clean = readFileSync('mappings/jamf.yaml', 'utf8');
    new Engine({ definitions: [{ file: 'jamf.yaml', text: clean }, { file: 'flawed.yaml', text: flawed }], parseCache: cache });
    expect(cache.entries.get(clean)?.checked).toBe(true);
    expect(cache.entries.get(flawed)?.checked).toBeUndefined(); // its problems are found again on every load
    // Proof of the skip: a checked entry whose data the schema would refuse loads without a schema problem.
    const entry = cache.entries.get(clean)!;
    (entry.data as Record<string, unknown>).label = 5;
    expect(new Engine({ definitions: [{ file: 'jamf.yaml', text: clean }], parseCache: cache }).problems).toEqual([]);
    delete entry.checked;
    expect(new Engine({ definitions: [{ file: 'jamf.yaml', text: clean }], parseCache: cache }).problems.map((p) => p.code)).toEqual(['schema_violation']);
  });

  test('a file with a YAML problem is not cached', () => {
    const cache = memoryParseCache();
    new Engine({ definitions: [{ file: 'bad.yaml', text: 'name: bad\nbase_url: x\nresources:\n  users: [1\n' }], parseCache: cache });
    expect(cache.entries.size).toBe(0);
  });

  test('on disk: written once, read on the next load, and a corrupt or unwritable cache is ignored', async () => {
    const dir = join(temp, 'cache');
    const first = await loadEngine({ definitions: 'mappings', cacheDir: dir });
    const files = readdirSync(dir);
    expect(files).toHaveLength(first.integrations.size);
    const second = await loadEngine({ definitions: 'mappings', cacheDir: dir });
    expect(snapshot(second)).toEqual(snapshot(first));

    for (const file of files) writeFileSync(join(dir, file), '{"data": 1, "asts": ');
    const corrupt = await loadEngine({ definitions: 'mappings', cacheDir: dir });
    expect(snapshot(corrupt)).toEqual(snapshot(first));

    const notADir = join(temp, 'a-file');
    writeFileSync(notADir, 'x');
    const unwritable = await loadEngine({ definitions: 'mappings', cacheDir: notADir });
    expect(snapshot(unwritable)).toEqual(snapshot(first));
  });

  test('on disk it keeps a bounded number of entries, dropping the least recently written', async () => {
    const dir = join(temp, 'bounded');
    const cache = diskParseCache(dir, 3);
    for (let i = 0; i < 5; i++) {
      cache.set(`text ${i}`, { data: { i }, asts: {} });
      await new Promise((resolve) => setTimeout(resolve, 15)); // distinct modification times
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(3);
    expect(cache.get('text 0')).toBeUndefined();
    expect(cache.get('text 1')).toBeUndefined();
    expect(cache.get('text 4')).toEqual({ data: { i: 4 }, asts: {} });
  });

  test('by default it lives in node_modules/.cache/unimap above the definitions, and nowhere without node_modules', () => {
    expect(defaultParseCacheDir('mappings')).toBe(resolve('node_modules/.cache/unimap'));
    expect(defaultParseCacheDir(temp)).toBeUndefined();
  });
});
