// The core must load on Workers, Deno and in browsers: no module it imports statically may import
// a Node built-in. Node-only work (reading a folder, the parse cache on disk) gets the built-ins at
// run time (engine/definitions/node-builtins.ts); Node-only pieces live behind `unimap/node`.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../engine/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const builtins = new Set(builtinModules);

/** Value imports and re-exports (`import type` and dynamic `import()` are not followed). */
const staticImport = /^\s*(?:import|export)\s+(?!type\b)[^'";]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

/** Every module the entry loads before any of its code runs, and the Node built-ins among their imports. */
function staticGraph(entry: string): { modules: number; builtins: string[] } {
  const seen = new Set<string>();
  const found: string[] = [];
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
      }
    }
  };
  visit(resolve(root, entry));
  return { modules: seen.size, builtins: found };
}

describe('the portable core', () => {
  it.each(['engine/index.ts', 'engine/server/index.ts', 'engine/client/index.ts', 'engine/worker/entry.ts'])('%s imports no Node built-in, directly or through its modules', (entry) => {
    const graph = staticGraph(entry);
    expect(graph.builtins).toEqual([]);
    expect(graph.modules).toBeGreaterThan(0);
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
