/**
 * Builds the Cloudflare Workers bundle: `unimap build-worker [--out dist/worker]`.
 *
 * workerd forbids generating code at run time, and ajv compiles validators with `new Function`,
 * so every schema the engine validates against (the definition format, overrides, the unified
 * models, each definition's query_schema) is compiled here with ajv's standalone mode, and the
 * definitions are bundled as data (already validated). esbuild then bundles the worker entry.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { loadEngine } from '../index.js';
import { renderBundledValidators } from '../definitions/precompile.js';
import { astToJson, type AstJson } from '../expressions/ast-json.js';

const here = fileURLToPath(new URL('.', import.meta.url));

// What the worker never runs, replaced so the bundle does not carry it: YAML parsing (the
// definitions come as data), ajv's compiler (every validator is precompiled, and workerd forbids
// generating code anyway), and the engine's default validators (the worker's own set covers
// them). Calling a stub throws a message that says why.
const stubs: Record<string, string> = {
  yaml: ['Composer', 'Lexer', 'LineCounter', 'Parser', 'YAMLParseError', 'isAlias', 'isMap', 'isPair', 'isScalar', 'isSeq', 'parse', 'parseDocument', 'stringify']
    .map((name) => `export function ${name}() { unavailable('YAML parsing (unimap build-worker bundles the definitions as data)'); }`)
    .join('\n'),
  'ajv/dist/2020.js': `export function Ajv2020() { unavailable('compiling a JSON Schema (every validator is precompiled by unimap build-worker)'); }\nexport default Ajv2020;`,
  'ajv-formats': `export default function addFormats() { unavailable('compiling a JSON Schema (every validator is precompiled by unimap build-worker)'); }`,
};

function workerPlugin(validators: string): Plugin {
  return {
    name: 'unimap-worker',
    setup(builder) {
      builder.onResolve({ filter: /\/generated\/bundled-validators\.js$/ }, () => ({ path: validators }));
      builder.onResolve({ filter: /^(yaml|ajv\/dist\/2020\.js|ajv-formats)$/ }, (args) => ({ path: args.path, namespace: 'unimap-stub' }));
      builder.onLoad({ filter: /.*/, namespace: 'unimap-stub' }, (args) => ({
        contents: `function unavailable(what) { throw new Error(\`not in the Workers bundle: \${what}\`); }\n${stubs[args.path]}`,
        loader: 'js',
      }));
    },
  };
}

export async function buildWorker(mappings: string, outDir: string): Promise<string> {
  const engine = await loadEngine({ definitions: mappings, strict: true });
  // Each definition with its expressions' syntax trees, so the worker's first request does not
  // run jsonata's parser (about half of building the engine on a cold isolate).
  const definitions = [...engine.integrations.values()].map((i) => {
    const asts: Record<string, AstJson> = {};
    for (const slot of i.slots.values()) {
      const json = astToJson(slot.expression.ast());
      if (json !== undefined) asts[slot.source] = json;
    }
    // Loaded strictly above, so the worker does not validate and lint them again (see DefinitionSource).
    return { file: i.file, definition: i.definition, asts, checked: true };
  });

  const out = resolve(outDir);
  await mkdir(out, { recursive: true });
  // The same generator as the bundled validators, over the definitions being bundled.
  await writeFile(join(out, 'validators.js'), renderBundledValidators(definitions.map((d) => d.definition)));
  // JSON.parse of a string literal: V8 reads large data faster as JSON than as an object literal.
  await writeFile(
    join(out, 'data.js'),
    `export { validatorsByRef as validators } from './validators.js';\nexport const definitions = JSON.parse(${JSON.stringify(JSON.stringify(definitions))});\n`,
  );
  // The bundle is an ES module and says so: without it Node (20.19+) compiles a `.js` file
  // outside a `"type": "module"` package twice to detect its format (about 80 ms for this bundle).
  await writeFile(join(out, 'package.json'), `${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`);
  const bundle = join(out, 'worker.js');
  await build({
    // entry.ts from source (the CLI runs through tsx), entry.js when built (the bench runs dist/).
    entryPoints: [existsSync(join(here, 'entry.ts')) ? join(here, 'entry.ts') : join(here, 'entry.js')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['worker', 'browser'],
    target: 'es2022',
    outfile: bundle,
    alias: { 'unimap-worker-data': join(out, 'data.js') },
    // The generated validators import ajv's runtime and formats: resolve them from this package.
    // (From engine/worker/ in the source, or dist/engine/worker/ when built.)
    nodePaths: [join(here, '..', '..', 'node_modules'), join(here, '..', '..', '..', 'node_modules')],
    plugins: [workerPlugin(join(out, 'validators.js'))],
    logLevel: 'silent',
  });
  return bundle;
}
