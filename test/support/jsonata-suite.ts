// Reads the JSONata conformance suite (../shared/jsonata-test-suite, data from jsonata-js 2.2.2).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const suiteRoot = resolve(repoRoot, '../shared/jsonata-test-suite');
export const suiteMissing = !existsSync(join(suiteRoot, 'groups'));

export interface TestCase {
  expr?: string;
  'expr-file'?: string;
  data?: unknown;
  dataset?: string | null;
  bindings?: Record<string, unknown>;
  timelimit?: number;
  depth?: number;
  result?: unknown;
  undefinedResult?: boolean;
  code?: string;
  error?: { code?: string };
  token?: string;
}

export interface SuiteCase {
  name: string;
  expr: string;
  input: unknown;
  bindings: Record<string, unknown>;
  expected: TestCase;
}

const datasets = new Map<string, unknown>();
function dataset(name: string): unknown {
  if (!datasets.has(name)) {
    datasets.set(name, JSON.parse(readFileSync(join(suiteRoot, 'datasets', `${name}.json`), 'utf8')) as unknown);
  }
  return datasets.get(name);
}

export function clearSuiteDatasets(): void {
  datasets.clear();
}

export function suiteGroups(): string[] {
  return suiteMissing ? [] : readdirSync(join(suiteRoot, 'groups')).sort();
}

/** Every case of one group, with its expression, input and bindings. */
export function readSuiteGroup(group: string): SuiteCase[] {
  const dir = join(suiteRoot, 'groups', group);
  const out: SuiteCase[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as TestCase | TestCase[];
    const cases = Array.isArray(parsed) ? parsed : [parsed];
    cases.forEach((testCase, i) => {
      const expr = testCase.expr ?? readFileSync(join(dir, testCase['expr-file'] ?? ''), 'utf8');
      const input = 'data' in testCase ? testCase.data : typeof testCase.dataset === 'string' ? dataset(testCase.dataset) : undefined;
      out.push({ name: `${group}/${file}${cases.length > 1 ? `#${i}` : ''}`, expr, input, bindings: testCase.bindings ?? {}, expected: testCase });
    });
  }
  return out;
}
