import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedFiles, packageRoot } from '../docs/generated.js';
import { parseArgs } from './args.js';
import { UsageError } from './output.js';

export const docsHelp = `Usage: unimap docs [--check]

Writes every generated file: docs/definition-format.md and the README's definition format
reference (from schemas/integration.schema.json), one page per unified resource in docs/mdm/
(fields, coverage counts, methods per integration), and the TypeScript types generated from
the schemas. With --check it writes nothing and exits 1 naming each stale file.`;

export async function docsCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, [], ['check']);
  if (args.positional.length) throw new UsageError(`unexpected argument ${args.positional[0]}`);
  const stale: string[] = [];
  for (const [path, content] of await generatedFiles()) {
    const full = join(packageRoot, path);
    if (existsSync(full) && readFileSync(full, 'utf8') === content) continue;
    if (args.flags.has('check')) stale.push(path);
    else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      process.stdout.write(`wrote ${path}\n`);
    }
  }
  if (stale.length) {
    process.stderr.write(`stale: ${stale.join(', ')}\nrun \`npx unimap docs\` (npm run docs)\n`);
    return 1;
  }
  if (args.flags.has('check')) process.stdout.write('all generated files are current\n');
  return 0;
}
