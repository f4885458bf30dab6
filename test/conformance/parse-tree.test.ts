// ExpressionCache takes a source's syntax tree from jsonata's own parser and makes jsonata's
// evaluator only when something needs it. The tree must be the one jsonata() keeps, and every
// syntax error must still come from jsonata(), with its message.
import { isDeepStrictEqual } from 'node:util';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { ExpressionCache, parseTree } from '../../engine/expressions/compile.js';
import { readSuiteGroup, suiteGroups, suiteMissing } from '../support/jsonata-suite.js';

/**
 * A tree as the fast path's compiler reads it: every enumerable property, own or inherited (each
 * parse makes its own token prototypes, so the objects never share one), functions by source.
 */
function shape(node: unknown): unknown {
  if (typeof node === 'function') return `function ${String(node)}`;
  if (node instanceof RegExp) return `regex ${String(node)}`;
  if (Array.isArray(node)) return node.map(shape);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const key in node) out[key] = shape((node as Record<string, unknown>)[key]);
  return out;
}

describe.skipIf(suiteMissing)("syntax trees from jsonata's parser", () => {
  it('are the trees jsonata() keeps, on every conformance case; a syntax error is left to jsonata()', () => {
    let trees = 0;
    let errors = 0;
    const mismatches: string[] = [];
    for (const group of suiteGroups()) {
      for (const c of readSuiteGroup(group)) {
        let stock: jsonata.Expression | undefined;
        try {
          stock = jsonata(c.expr);
        } catch {
          stock = undefined;
        }
        const tree = parseTree(c.expr);
        if (!stock) {
          errors++;
          if (tree !== undefined) mismatches.push(`${c.name}: a tree for an expression jsonata() rejects`);
          continue;
        }
        trees++;
        if (!isDeepStrictEqual(shape(tree), shape(stock.ast()))) mismatches.push(`${c.name}: the trees differ`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(trees).toBeGreaterThan(1500);
    expect(errors).toBeGreaterThan(30);
  });
});

describe('ExpressionCache and the parser', () => {
  it('reports a syntax error with jsonata\'s code, message and position', () => {
    const result = new ExpressionCache().tryCompile('{ "a": 1 ');
    expect(result).toMatchObject({ error: { code: 'S0203', message: expect.stringContaining('Expected "}"') as unknown } });
  });

  it('evaluates with stock jsonata, made on first use, what the fast path cannot run', async () => {
    const cache = new ExpressionCache();
    const expression = cache.compile('$sort([3, 1, 2], function($a, $b) { $a > $b })');
    expect(cache.fast(expression)).toBeUndefined();
    expect(await expression.evaluate({})).toEqual([1, 2, 3]);
    // Unimap's functions are registered on that evaluator too.
    expect(await cache.compile('$removeEmpty({ "a": null, "b": 1 })').evaluate({})).toEqual({ b: 1 });
  });

  it('falls back to jsonata() where the parser is missing (jsonata marks it for removal)', () => {
    expect(parseTree('a.b', null)).toBeUndefined();
    expect(shape(parseTree('a.b'))).toEqual(shape(jsonata('a.b').ast()));
  });

  it('parses with jsonata() alone when the fast path is off', async () => {
    const cache = new ExpressionCache(undefined, 100, false);
    const expression = cache.compile('$uppercase(name)');
    expect(cache.fast(expression)).toBeUndefined();
    expect(await expression.evaluate({ name: 'x' })).toBe('X');
  });
});
