// A syntax tree read back from the parse cache must compile and evaluate exactly as the tree
// jsonata parsed: checked on every case of the JSONata conformance suite.
import { isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { astFromJson, astToJson } from '../../engine/expressions/ast-json.js';
import { compileFast, type FastExpression } from '../../engine/expressions/fast/compile.js';
import { readSuiteGroup, suiteGroups, suiteMissing } from '../support/jsonata-suite.js';

function outcome(fast: FastExpression, input: unknown, bindings: Record<string, unknown>): unknown {
  try {
    return { value: JSON.parse(JSON.stringify(fast.evaluate(input, bindings)) ?? 'null') as unknown };
  } catch (error) {
    const e = error as { code?: unknown; name?: unknown };
    return { error: typeof e.code === 'string' ? e.code : String(e.name) };
  }
}

describe.skipIf(suiteMissing)('cached syntax trees (parse cache)', () => {
  it('compile and evaluate like the parsed tree on every conformance case', () => {
    let cases = 0;
    let cacheable = 0;
    let compared = 0;
    const mismatches: string[] = [];
    for (const group of suiteGroups()) {
      for (const c of readSuiteGroup(group)) {
        cases++;
        let stock: jsonata.Expression;
        try {
          stock = jsonata(c.expr);
        } catch {
          continue; // a syntax error is never cached
        }
        const json = astToJson(stock.ast());
        if (!json) continue;
        cacheable++;
        const revived = astFromJson(JSON.parse(JSON.stringify(json)) as typeof json);
        const fromCache = compileFast({ ast: () => revived } as unknown as jsonata.Expression);
        const original = compileFast(stock);
        if (!original !== !fromCache) {
          mismatches.push(`${c.name}: fast path ${original ? 'compiles' : 'falls back'} parsed, ${fromCache ? 'compiles' : 'falls back'} cached`);
          continue;
        }
        if (!original || !fromCache || !original.accepts(c.bindings) || c.expected.timelimit !== undefined) continue;
        compared++;
        const a = outcome(original, c.input, c.bindings);
        const b = outcome(fromCache, c.input, c.bindings);
        if (!isDeepStrictEqual(a, b)) mismatches.push(`${c.name}: ${JSON.stringify(a)} parsed vs ${JSON.stringify(b)} cached`);
      }
    }
    expect(mismatches).toEqual([]);
    // Most trees are plain JSON; the rest (lambda signatures, the parent operator) are parsed again.
    expect(cacheable).toBeGreaterThan(cases * 0.9);
    expect(compared).toBeGreaterThan(1000);
  });
});
