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
import standaloneModule from 'ajv/dist/standalone/index.js';
import { _ } from 'ajv';
import { build } from 'esbuild';

// ajv's standalone module is CommonJS: under NodeNext its function sits on `.default`.
const standaloneCode = ((standaloneModule as unknown as { default?: typeof standaloneModule }).default ?? standaloneModule) as unknown as (ajv: unknown, refs: Record<string, string>) => string;
import integrationSchema from '../../schemas/integration.schema.json' with { type: 'json' };
import { createAjv } from '../definitions/ajv.js';
import { schemaKey } from '../definitions/validators.js';
import { loadEngine } from '../index.js';
import { overrideSchema, overrideSchemaId } from '../engine.js';
import { bundledModelSchemas } from '../models/bundled.js';

const here = fileURLToPath(new URL('.', import.meta.url));

export async function buildWorker(mappings: string, outDir: string): Promise<string> {
  const engine = await loadEngine({ definitions: mappings, strict: true });
  const definitions = [...engine.integrations.values()].map((i) => ({ file: i.file, definition: i.definition }));

  // ajv-formats in standalone code reads its formats from the package at run time.
  const ajv = createAjv({ source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` });
  const refs: string[] = [];
  const add = (schema: object, id: string) => {
    if (!ajv.getSchema(id)) ajv.addSchema(schema);
    refs.push(id);
  };
  add(integrationSchema, (integrationSchema as { $id: string }).$id);
  add(overrideSchema(), overrideSchemaId);
  for (const schema of bundledModelSchemas) {
    const id = (schema as { $id: string }).$id;
    add(schema, id);
    for (const name of Object.keys((schema as { $defs?: object }).$defs ?? {})) refs.push(`${id}#/$defs/${name}`);
  }
  for (const { definition } of definitions) {
    for (const resources of Object.values(definition.unified ?? {})) {
      for (const methods of Object.values(resources)) {
        for (const config of Object.values(methods)) {
          if (!config.query_schema) continue;
          const key = schemaKey(config.query_schema);
          if (!refs.includes(key)) add({ ...config.query_schema, $id: key }, key);
        }
      }
    }
  }
  const names = Object.fromEntries(refs.map((ref, i) => [`v${i}`, ref]));
  const code = standaloneCode(ajv, names);

  const out = resolve(outDir);
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'validators.js'), code);
  await writeFile(
    join(out, 'data.js'),
    `import * as compiled from './validators.js';\nconst names = ${JSON.stringify(names)};\nexport const validators = Object.fromEntries(Object.entries(names).map(([name, ref]) => [ref, compiled[name]]));\nexport const definitions = ${JSON.stringify(definitions)};\n`,
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
