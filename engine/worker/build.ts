/**
 * Builds the Cloudflare Workers bundle: `unimap build-worker [--out dist/worker]`.
 *
 * workerd forbids generating code at run time, and ajv compiles validators with `new Function`,
 * so every schema the engine validates against (the definition format, overrides, the unified
 * models, each definition's query_schema) is compiled here with ajv's standalone mode, and the
 * definitions are bundled as data (already validated). esbuild then bundles the worker entry.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { loadEngine } from '../index.js';
import { renderBundledValidators } from '../definitions/precompile.js';

const here = fileURLToPath(new URL('.', import.meta.url));

export async function buildWorker(mappings: string, outDir: string): Promise<string> {
  const engine = await loadEngine({ definitions: mappings, strict: true });
  const definitions = [...engine.integrations.values()].map((i) => ({ file: i.file, definition: i.definition }));

  const out = resolve(outDir);
  await mkdir(out, { recursive: true });
  // The same generator as the bundled validators, over the definitions being bundled.
  await writeFile(join(out, 'validators.js'), renderBundledValidators(definitions.map((d) => d.definition)));
  await writeFile(
    join(out, 'data.js'),
    `export { validatorsByRef as validators } from './validators.js';\nexport const definitions = ${JSON.stringify(definitions)};\n`,
  );
  const bundle = join(out, 'worker.js');
  await build({
    entryPoints: [join(here, 'entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['worker', 'browser'],
    target: 'es2022',
    outfile: bundle,
    alias: { 'unimap-worker-data': join(out, 'data.js') },
    // The generated validators import ajv's runtime and formats: resolve them from this package.
    nodePaths: [join(here, '..', '..', 'node_modules')],
    logLevel: 'silent',
  });
  return bundle;
}
