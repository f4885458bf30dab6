// Differential test beyond the suite's expected answers: every suite expression the fast path
// compiles is evaluated against every suite dataset (and extra edge-case inputs), and must give the
// same value or error code as stock jsonata on each.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileFast, FastPathUnsupported } from '../../engine/expressions/fast/compile.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const suiteRoot = resolve(repoRoot, '../shared/jsonata-test-suite');
const suiteMissing = !existsSync(join(suiteRoot, 'groups'));

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'function') return '<function>';
  if (value !== null && typeof value === 'object') {
    const flags = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
    if (flags._jsonata_function || flags._jsonata_lambda) return '<function>';
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = normalize(v);
    return out;
  }
  return value;
}

type Outcome = { value: unknown } | { code: string | undefined };

function codeOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
}

const EDGE_INPUTS: unknown[] = [
  undefined,
  null,
  {},
  [],
  [1, 2, 3],
  'text',
  42,
  { a: [{ b: 1 }, { b: [2, 3] }], c: null, d: '', e: 0, f: false, g: [[1, 2], [3]] },
  [{ a: 1 }, { a: 'x' }, { a: [1, 2] }],
];

describe('fast path vs stock jsonata across datasets', () => {
  it.skipIf(suiteMissing)('agrees on every suite expression it compiles, for every dataset', async () => {
    const datasetDir = join(suiteRoot, 'datasets');
    const inputs: unknown[] = [
      ...readdirSync(datasetDir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(datasetDir, f), 'utf8')) as unknown),
      ...EDGE_INPUTS,
    ];
    const expressions = new Map<string, Record<string, unknown>>();
    for (const group of readdirSync(join(suiteRoot, 'groups'))) {
      const dir = join(suiteRoot, 'groups', group);
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        const parsed = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { expr?: string; 'expr-file'?: string; bindings?: Record<string, unknown>; timelimit?: number } | { expr?: string }[];
        for (const c of Array.isArray(parsed) ? parsed : [parsed]) {
          const testCase = c as { expr?: string; 'expr-file'?: string; bindings?: Record<string, unknown>; timelimit?: number };
          if (testCase.timelimit !== undefined) continue; // runaway-evaluation cases
          const expr = testCase.expr ?? readFileSync(join(dir, testCase['expr-file'] ?? ''), 'utf8');
          expressions.set(expr, testCase.bindings ?? {});
        }
      }
    }

    let compared = 0;
    const mismatches: string[] = [];
    const started = Date.now();
    for (const [expr, bindings] of expressions) {
      let stock: jsonata.Expression;
      try {
        stock = jsonata(expr);
      } catch {
        continue;
      }
      const fast = compileFast(stock);
      if (!fast || !fast.accepts(bindings)) continue;
      for (const input of inputs) {
        let expected: Outcome;
        try {
          expected = { value: normalize(await stock.evaluate(input, bindings)) };
        } catch (error) {
          expected = { code: codeOf(error) };
        }
        let actual: Outcome;
        try {
          actual = { value: normalize(fast.evaluate(input, bindings)) };
        } catch (error) {
          if (error instanceof FastPathUnsupported) continue;
          actual = { code: codeOf(error) };
        }
        compared++;
        if (!isDeepStrictEqual(expected, actual)) {
          mismatches.push(`${expr.slice(0, 120)} on ${JSON.stringify(input)?.slice(0, 60)}:\n  stock ${JSON.stringify(expected)?.slice(0, 200)}\n  fast  ${JSON.stringify(actual)?.slice(0, 200)}`);
        }
      }
      if (Date.now() - started > 25_000) break;
    }
    console.log(`Cross-dataset: ${compared} fast/stock comparisons, ${mismatches.length} mismatches`);
    expect(compared).toBeGreaterThan(0);
    expect(mismatches.slice(0, 30)).toEqual([]);
  }, 60_000);
});
