import { loadEngine } from '../index.js';
import { computeCoverage, type FieldCoverage } from '../models/coverage.js';
import { coverageText } from '../docs/resource-docs.js';
import { one, parseArgs } from './args.js';
import { colors, UsageError } from './output.js';

export const coverageHelp = `Usage: unimap coverage [--model mdm] [--format table|markdown|json] [--definitions DIR]

The field coverage matrix, computed from the definitions: for every unified field and query
parameter, how many integrations support it and how many require it ("2 supported · 1 required").`;

export async function coverageCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['model', 'format', 'definitions'], []);
  if (args.positional.length) throw new UsageError(`unexpected argument ${args.positional[0]}`);
  const format = one(args, 'format') ?? 'table';
  if (!['table', 'markdown', 'json'].includes(format)) throw new UsageError('--format must be table, markdown or json');
  const engine = await loadEngine({ definitions: one(args, 'definitions') ?? 'mappings' });
  const model = one(args, 'model') ?? 'mdm';
  if (!engine.models.models().includes(model)) throw new UsageError(`unknown model ${model}; known: ${engine.models.models().join(', ')}`);
  const coverage = computeCoverage(engine, model);
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(coverage, null, 2)}\n`);
    return 0;
  }
  const integrations = [...engine.integrations.keys()].sort();
  const labels = Object.fromEntries([...engine.integrations.values()].map((i) => [i.name, i.definition.label ?? i.name]));
  const rows: string[][] = [];
  const add = (resource: string, method: string, part: string, field: FieldCoverage) =>
    rows.push([`${resource}.${method}`, part, field.field, ...integrations.map((n) => (field.required.includes(n) ? 'required' : field.supported.includes(n) ? 'yes' : '–')), coverageText(field, labels).split(' (')[0]!]);
  for (const resource of coverage) {
    for (const method of resource.methods) {
      for (const f of method.query) add(resource.resource, method.method, 'query', f);
      for (const f of method.request) add(resource.resource, method.method, 'body', f);
      for (const f of method.response) if (!f.field.includes('.') || f.supported.length) add(resource.resource, method.method, 'response', f);
    }
  }
  const header = ['method', 'in', 'field', ...integrations, 'coverage'];
  if (format === 'markdown') {
    const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map((v, i) => (i === 2 ? `\`${v}\`` : v)).join(' | ')} |`)];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  }
  const c = colors(process.stdout);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`${c.bold(line(header))}\n`);
  for (const row of rows) {
    const text = line(row);
    process.stdout.write(`${row.slice(3, -1).every((v) => v === '–') ? c.dim(text) : text}\n`);
  }
  return 0;
}
