// The core must load on Workers, Deno and in browsers: no module it imports statically may import
// a Node built-in. Node-only work (reading a folder, the parse cache on disk) gets the built-ins at
// run time (engine/node-builtins.ts); Node-only pieces live behind `unimap/node`. On
// Node, jsonata, yaml and ajv are required (node-builtins.ts); where there is no `require`,
// they are imported: a child process without `process.getBuiltinModule` takes that path.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../engine/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const builtins = new Set(builtinModules);

/** Value imports and re-exports (`import type` and dynamic `import()` are not followed). */
const staticImport = /^\s*(?:import|export)\s+(?!type\b)[^'";]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

/** Every module the entry loads before any of its code runs, the Node built-ins and the packages they import. */
function staticGraph(entry: string): { modules: number; builtins: string[]; packages: Set<string> } {
  const seen = new Set<string>();
  const found: string[] = [];
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(staticImport)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.')) {
        const source = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
        if (existsSync(source)) visit(source);
      } else if (specifier.startsWith('node:') || builtins.has(specifier.split('/')[0] ?? '')) {
        found.push(`${relative(root, file)} imports ${specifier}`);
      } else packages.add(specifier);
    }
  };
  visit(resolve(root, entry));
  return { modules: seen.size, builtins: found, packages };
}

describe('the portable core', () => {
  it.each(['engine/index.ts', 'engine/server/index.ts', 'engine/client/index.ts', 'engine/worker/entry.ts'])('%s imports no Node built-in, directly or through its modules', (entry) => {
    const graph = staticGraph(entry);
    expect(graph.builtins).toEqual([]);
    expect(graph.modules).toBeGreaterThan(0);
  });

  it("imports no library statically: on Node, jsonata and ajv-formats' checks are required with it, yaml and ajv's compiler when first needed", () => {
    expect([...staticGraph('engine/index.ts').packages]).toEqual([]);
  });

  it('the walk sees a built-in where there is one', () => {
    expect(staticGraph('engine/node.ts').builtins.length).toBeGreaterThan(0);
  });

  it('loads a definitions folder with its parse cache through the built-ins got at run time', async () => {
    const engine = await loadEngine({ definitions: resolve(root, 'mappings') });
    expect(engine.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(engine.integrations.size).toBeGreaterThan(5);
  });
});

/** Runs an ES module script in a fresh Node process (TypeScript through tsx); its last line of output, parsed. */
async function runChild(script: string): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '');
}

const moduleUrl = (file: string) => JSON.stringify(pathToFileURL(resolve(root, file)).href);

describe('on Node', () => {
  it('requires jsonata with the engine, and neither yaml nor ajv\'s compiler to load the bundled definitions', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).map((f) => f.match(/node_modules\\/(jsonata|yaml|ajv|ajv-formats)\\//)?.[1]).filter(Boolean);
      const { loadEngine } = await import(${moduleUrl('engine/index.ts')});
      const afterImport = [...new Set(loaded())].sort();
      await loadEngine({ definitions: ${JSON.stringify(resolve(root, 'mappings'))}, cacheDir: false });
      console.log(JSON.stringify({ afterImport, afterLoad: [...new Set(loaded())].sort() }));
    `;
    expect(await runChild(script)).toEqual({ afterImport: ['ajv-formats', 'jsonata'], afterLoad: ['ajv-formats', 'jsonata'] });
  });
});

describe('without Node\'s require (as on Deno, in a browser, or on Node before 20.16)', () => {
  it('imports jsonata, yaml and ajv, and reads a folder and writes its parse cache with the built-ins imported', async () => {
    const cacheDir = mkdtempSync(resolve(tmpdir(), 'unimap-no-require-'));
    const script = `
      delete process.getBuiltinModule;
      const { loadEngine } = await import(${moduleUrl('engine/index.ts')});
      const { parseYamlWithPositions } = await import(${moduleUrl('engine/definitions/source-map.ts')});
      const { createAjv } = await import(${moduleUrl('engine/definitions/ajv.ts')});
      const engine = await loadEngine({ definitions: ${JSON.stringify(resolve(root, 'mappings'))}, cacheDir: ${JSON.stringify(cacheDir)} });
      const map = await engine.mapRequest({ integration: 'jamf', model: 'mdm', resource: 'users', method: 'create', context: { instance_host: 'example.jamfcloud.com' }, body: { name: 'A', emails: [{ email: 'a@example.com', is_primary: true }] } });
      // A tag is outside the YAML subset: the yaml library reads it.
      const declined = parseYamlWithPositions('name: !!str 12\\nlist:\\n  - a\\n');
      const validate = createAjv().compile({ type: 'string', format: 'email' });
      console.log(JSON.stringify({ getBuiltin: typeof process.getBuiltinModule, integrations: engine.integrations.size, errors: engine.problems.filter((p) => p.severity === 'error').length, method: map.method, declined: declined.data, at: declined.locate(['list', 0]), email: [validate('a@example.com'), validate('nope')] }));
    `;
    let result: unknown;
    try {
      result = await runChild(script);
      expect(readdirSync(cacheDir).length).toBe(7);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
    expect(result).toEqual({
      getBuiltin: 'undefined',
      integrations: 7,
      errors: 0,
      method: 'POST',
      declined: { name: '12', list: ['a'] },
      at: { line: 3, column: 5, offset: 25 },
      email: [true, false],
    });
  });
});
