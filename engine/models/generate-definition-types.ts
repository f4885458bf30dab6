/**
 * Regenerates engine/definitions/definition-types.ts from schemas/integration.schema.json.
 *
 *   npx tsx engine/models/generate-definition-types.ts           # write the file
 *   npx tsx engine/models/generate-definition-types.ts --check   # exit 1 if it is stale
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schemaToTypeScript, type JsonSchema } from './typegen.js';

export const DEFINITION_SCHEMA_URL = new URL('../../schemas/integration.schema.json', import.meta.url);
export const DEFINITION_TYPES_URL = new URL('../definitions/definition-types.ts', import.meta.url);
export const DEFINITION_TYPES_HEADER =
  '// Generated from schemas/integration.schema.json by engine/models/generate-definition-types.ts. Do not edit.';

export function readDefinitionSchema(): JsonSchema {
  const parsed: unknown = JSON.parse(readFileSync(DEFINITION_SCHEMA_URL, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('schemas/integration.schema.json is not a JSON object');
  }
  return parsed as JsonSchema; // any JSON object is a JsonSchema by shape
}

export function renderDefinitionTypes(schema: JsonSchema = readDefinitionSchema()): string {
  return schemaToTypeScript([{ rootName: 'IntegrationDefinition', schema }], { header: DEFINITION_TYPES_HEADER });
}

function main(args: string[]): number {
  const fresh = renderDefinitionTypes();
  const target = fileURLToPath(DEFINITION_TYPES_URL);
  const current = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
  if (args.includes('--check')) {
    if (current === fresh) return 0;
    console.error(`${target} is stale; run: npx tsx engine/models/generate-definition-types.ts`);
    return 1;
  }
  if (current !== fresh) writeFileSync(target, fresh);
  console.log(current === fresh ? `${target} is up to date` : `wrote ${target}`);
  return 0;
}

// Run only as a script, not when imported (the tests import renderDefinitionTypes).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
