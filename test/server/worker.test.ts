import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { expect } from 'vitest';
import { buildWorker } from '../../engine/worker/build.js';
import { serverSuite } from './suite.js';

// The same suite with the handler inside workerd (miniflare): the bundle built as the README
// says, validators precompiled, definitions as data, no code generation at run time.
serverSuite('workerd', async () => {
  const out = await mkdtemp(join(tmpdir(), 'unimap-worker-'));
  const scriptPath = await buildWorker('mappings', out);
  // What the worker never runs is not in the bundle: yaml's parser, ajv's compiler, and a second
  // copy of the validators (the engine's defaults resolve to the worker's own set).
  const bundle = await readFile(scriptPath, 'utf8');
  expect(bundle).not.toContain('Implicit keys need to be on a single line');
  expect(bundle).not.toContain('schema with key or id');
  expect(bundle.split('Unimap integration definition').length - 1).toBe(2); // the schema itself and its one validator
  // Every expression's syntax tree is bundled with its definition.
  const data = await readFile(join(out, 'data.js'), 'utf8');
  const definitions = JSON.parse(JSON.parse(data.slice(data.indexOf('JSON.parse(') + 'JSON.parse('.length, data.lastIndexOf(')')))) as { asts: Record<string, unknown>; checked?: boolean }[];
  expect(definitions.length).toBe(7);
  expect(definitions.every((d) => Object.keys(d.asts).length > 0)).toBe(true);
  // They were loaded strictly by the build, so the worker does not check them again.
  expect(definitions.every((d) => d.checked === true)).toBe(true);
  // The bundle declares itself an ES module (Node would otherwise compile it twice to find out).
  expect(JSON.parse(await readFile(join(out, 'package.json'), 'utf8'))).toMatchObject({ type: 'module' });
  const mf = new Miniflare({ modules: true, scriptPath, modulesRoot: out, compatibilityDate: '2024-09-23' });
  const url = await mf.ready;
  return { base: String(url).replace(/\/$/, ''), stop: () => mf.dispose() };
});
