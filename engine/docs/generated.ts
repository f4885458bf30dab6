import { readdirSync, readFileSync } from 'node:fs';
import YAML from 'yaml';
import { fileURLToPath } from 'node:url';
import { renderDocsFile, renderReadmeBlock, findMarkedBlock } from './write-docs.js';
import { renderModelDocs } from './write-model-docs.js';
import { renderDefinitionTypes } from '../models/generate-definition-types.js';
import { renderUnifiedTypes } from '../models/unified-types.js';
import { bundledModelSchemas } from '../models/bundled.js';
import { renderBundledValidators } from '../definitions/precompile.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export const unifiedTypesHeader = '// Generated from schemas/mdm/*.json by `unimap docs` (npm run docs). Do not edit.';

/**
 * Every generated file of the project, path (relative to the package root) → content: the
 * definition format reference (docs and README block), the per-resource model docs, and the
 * TypeScript types and the precompiled validators generated from the schemas.
 */
export async function generatedFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  files.set('docs/definition-format.md', renderDocsFile());
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const block = findMarkedBlock(readme);
  if (block) files.set('README.md', `${block.before}${renderReadmeBlock()}${block.after}`);
  for (const [path, content] of await renderModelDocs(`${root}mappings`)) files.set(path, content);
  files.set('engine/definitions/definition-types.ts', renderDefinitionTypes());
  files.set('engine/models/mdm-types.ts', renderUnifiedTypes(bundledModelSchemas, unifiedTypesHeader));
  const definitions = readdirSync(`${root}mappings`)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => YAML.parse(readFileSync(`${root}mappings/${name}`, 'utf8')) as unknown);
  // ajv-formats through ajv-library.ts: required on Node rather than imported (node-builtins.ts).
  files.set('engine/definitions/generated/bundled-validators.ts', renderBundledValidators(definitions, '../ajv-library.js'));
  return files;
}

export const packageRoot = root;
