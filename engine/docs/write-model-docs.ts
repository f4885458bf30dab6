/**
 * Writes docs/<model>/<resource>.md and docs/<model>/README.md from the unified schemas and the
 * bundled definitions (coverage computed from the mappings).
 *
 *   npx tsx engine/docs/write-model-docs.ts           # write
 *   npx tsx engine/docs/write-model-docs.ts --check   # exit 1 naming each stale file
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEngine } from '../index.js';
import { computeCoverage } from '../models/coverage.js';
import { renderModelIndex, renderResourcePage, type Labels } from './resource-docs.js';

/** Every generated model page: path → content. */
export async function renderModelDocs(mappings = 'mappings', model = 'mdm'): Promise<Map<string, string>> {
  const engine = await loadEngine({ definitions: mappings });
  const integrations = [...engine.integrations.keys()].sort();
  const labels: Labels = Object.fromEntries([...engine.integrations.values()].map((i) => [i.name, i.definition.label ?? i.name]));
  const coverage = computeCoverage(engine, model);
  const pages = new Map<string, string>();
  for (const resource of coverage) pages.set(join('docs', model, `${resource.resource}.md`), renderResourcePage(resource, labels, integrations));
  pages.set(join('docs', model, 'README.md'), renderModelIndex(model, coverage, labels, integrations));
  return pages;
}

async function main(args: string[]): Promise<number> {
  const check = args.includes('--check');
  const stale: string[] = [];
  for (const [path, content] of await renderModelDocs()) {
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current === content) continue;
    if (check) stale.push(path);
    else {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, content);
      console.log(`wrote ${path}`);
    }
  }
  if (check && stale.length) {
    console.error(`stale: ${stale.join(', ')}; run npm run docs`);
    return 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
