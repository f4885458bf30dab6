// Runs the JSONata conformance suite (../shared/jsonata-test-suite, data from jsonata-js 2.2.2)
// through the fast evaluator, falling back to stock jsonata for what it does not compile.
import { isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFast, FastPathUnsupported, type FastExpression } from '../../engine/expressions/fast/compile.js';
import { readSuiteGroup, suiteGroups, suiteMissing, suiteRoot, clearSuiteDatasets, type SuiteCase } from '../support/jsonata-suite.js';
import { calledFunctions, outsideFastScope } from '../support/fast-scope.js';
import { loadEngine } from '../../engine/index.js';

// As jsonata-js's own runner does: a runaway evaluation fails with U1001 (stack depth or time).
function timebox(expression: jsonata.Expression, timeout: number, maxDepth: number | undefined): void {
  let depth = 0;
  const time = Date.now();
  const check = (): void => {
    if (maxDepth !== undefined && maxDepth > 0 && depth > maxDepth) throw { code: 'U1001', message: 'Stack overflow error' };
    if (Date.now() - time > timeout) throw { code: 'U1001', message: 'Expression evaluation timeout' };
  };
  // jsonata's evaluator hooks are keyed by symbols; its typings only allow string names.
  const assign = expression.assign as unknown as (name: symbol, value: unknown) => void;
  assign.call(expression, Symbol.for('jsonata.__evaluate_entry'), (_e: unknown, _i: unknown, env: { isParallelCall?: boolean }) => {
    if (env.isParallelCall) return;
    depth++;
    check();
  });
  assign.call(expression, Symbol.for('jsonata.__evaluate_exit'), (_e: unknown, _i: unknown, env: { isParallelCall?: boolean }) => {
    if (env.isParallelCall) return;
    depth--;
    check();
  });
}

interface PreparedCase extends SuiteCase {
  compiled?: { stock: jsonata.Expression; fast?: FastExpression };
  compileError?: unknown;
  /** Inside issue 8's scope for the fast path (see fast-scope.ts): it must run there. */
  inScope?: boolean;
}

function loadGroup(group: string, mappingFunctions: ReadonlySet<string>): PreparedCase[] {
  return readSuiteGroup(group).map((c) => {
    const prepared: PreparedCase = c;
    try {
      const stock = jsonata(c.expr);
      const fast = compileFast(stock);
      prepared.compiled = { stock, fast };
      // Functions passed in as bindings are the caller's own code, not the expression's.
      const functionBindings = Object.values(c.bindings).some((v) => typeof v === 'function');
      prepared.inScope = !functionBindings && outsideFastScope(stock.ast(), mappingFunctions).length === 0;
    } catch (error) {
      prepared.compileError = error;
    }
    return prepared;
  });
}

// The functions the bundled mappings call: part of the fast path's required scope.
const bundled = await loadEngine({ definitions: 'mappings', cacheDir: false });
const mappingFunctions = calledFunctions([...bundled.integrations.values()].flatMap((i) => [...i.slots.values()].map((slot) => slot.expression.ast())));

// Results compare as JSON-like values: sequences as arrays, null-prototype objects as objects.
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'function') return '<function>';
  if (value !== null && typeof value === 'object') {
    if ((value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown })._jsonata_function || (value as { _jsonata_lambda?: unknown })._jsonata_lambda) {
      return '<function>';
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = normalize(v);
    return out;
  }
  return value;
}

interface Outcome {
  ok: boolean;
  fast: boolean;
  detail?: string;
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined;
}

function judge(c: PreparedCase, outcome: { value?: unknown; error?: unknown }, fast: boolean): Outcome {
  const expected = c.expected;
  const expectedCode = expected.code ?? expected.error?.code;
  if (expectedCode !== undefined) {
    const code = outcome.error === undefined ? undefined : errorCode(outcome.error);
    return code === expectedCode
      ? { ok: true, fast }
      : { ok: false, fast, detail: `expected error ${expectedCode}, got ${outcome.error === undefined ? `result ${JSON.stringify(outcome.value)}` : `error ${code ?? String(outcome.error)}`}` };
  }
  if (outcome.error !== undefined) {
    return { ok: false, fast, detail: `unexpected error ${errorCode(outcome.error) ?? String(outcome.error)}` };
  }
  if (expected.undefinedResult) {
    return outcome.value === undefined ? { ok: true, fast } : { ok: false, fast, detail: `expected undefined, got ${JSON.stringify(normalize(outcome.value))}` };
  }
  const actual = normalize(outcome.value);
  return isDeepStrictEqual(actual, normalize(expected.result))
    ? { ok: true, fast }
    : { ok: false, fast, detail: `expected ${JSON.stringify(expected.result)}, got ${JSON.stringify(actual)}` };
}

async function runCase(c: PreparedCase): Promise<Outcome> {
  if (c.compileError !== undefined || !c.compiled) return judge(c, { error: c.compileError }, false);
  const { stock, fast } = c.compiled;
  if (fast && fast.accepts(c.bindings)) {
    try {
      return judge(c, { value: fast.evaluate(c.input, c.bindings) }, true);
    } catch (error) {
      // The fast path met a value it does not handle: the caller re-runs stock jsonata.
      if (!(error instanceof FastPathUnsupported)) return judge(c, { error }, true);
    }
  }
  // The clock starts now, not when the case was compiled.
  if (c.expected.timelimit !== undefined) timebox(stock, c.expected.timelimit, c.expected.depth);
  try {
    return judge(c, { value: await stock.evaluate(c.input, c.bindings) }, false);
  } catch (error) {
    return judge(c, { error }, false);
  }
}

const groups = suiteGroups();
const totals = { cases: 0, fast: 0, fallback: 0, passed: 0, inScope: 0 };
const inScopeNotFast: string[] = [];

describe('JSONata conformance suite (fast path with stock fallback)', () => {
  if (suiteMissing) {
    it('needs ../shared/jsonata-test-suite', () => {
      expect.fail(`JSONata test suite not found at ${suiteRoot}: clone it beside this repository (CI provides it).`);
    });
    return;
  }

  const prepared = new Map(groups.map((group) => [group, loadGroup(group, mappingFunctions)]));

  for (const group of groups) {
    const cases = prepared.get(group) ?? [];
    const fastCount = cases.filter((c) => c.compiled?.fast).length;
    it(`${group}: ${cases.length} cases, ${fastCount} compiled fast, ${cases.length - fastCount} fallback`, async () => {
      const failures: string[] = [];
      for (const c of cases) {
        const outcome = await runCase(c);
        totals.cases++;
        if (outcome.fast) totals.fast++;
        else totals.fallback++;
        if (c.inScope) {
          totals.inScope++;
          if (!outcome.fast) inScopeNotFast.push(`${c.name}: ${c.expr.slice(0, 120)}`);
        }
        if (outcome.ok) totals.passed++;
        else failures.push(`${c.name} [${outcome.fast ? 'fast' : 'stock'}] ${c.expr.slice(0, 120)}: ${outcome.detail ?? ''}`);
      }
      expect(failures).toEqual([]);
    });
  }

  const allCases = [...prepared.values()].flat();
  const compiledFast = allCases.filter((c) => c.compiled?.fast).length;
  it(`summary: ${compiledFast}/${allCases.length} compiled fast, ${allCases.length - compiledFast} fallback`, () => {
    console.log(
      `JSONata suite: ${totals.fast}/${totals.cases} evaluated fast, ${totals.fallback} fallback, ${totals.passed} passed; ` +
        `${totals.inScope} cases inside the fast path's required scope (${mappingFunctions.size} functions from mappings/), ${totals.inScope - inScopeNotFast.length} of them evaluated fast`,
    );
    expect(totals.cases).toBe(allCases.length);
    expect(totals.inScope).toBeGreaterThan(600);
    expect(inScopeNotFast).toEqual([]);
    expect(totals.fast + totals.fallback).toBe(totals.cases);
    expect(totals.passed).toBe(totals.cases);
  });

  afterAll(() => {
    clearSuiteDatasets();
  });
});
