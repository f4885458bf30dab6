// ExpressionCache takes a source's syntax tree from jsonata's own parser and makes jsonata's
// evaluator only when something needs it. The tree must be the one jsonata() keeps, and every
// syntax error must still come from jsonata(), with its message. A definition's sources are
// parsed in one run of the parser (parseTrees): each tree must be the one the source's own parse
// gives, or missing.
import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ExpressionCache } from '../../engine/expressions/compile.js';
import { parseTree, parseTrees } from '../../engine/expressions/parse-trees.js';
import { findExpressions } from '../../engine/definitions/slots.js';
import { loadEngine } from '../../engine/index.js';
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

/** The sources whose tree from the batch differs from their own parse (a missing tree is fine). */
function batchMismatches(trees: ReadonlyMap<string, unknown>): string[] {
  const wrong: string[] = [];
  for (const [source, tree] of trees) {
    if (!isDeepStrictEqual(shape(tree), shape(parseTree(source)))) wrong.push(source);
  }
  return wrong;
}

const suiteSources = suiteGroups().flatMap((group) => readSuiteGroup(group).map((c) => c.expr));

describe.skipIf(suiteMissing)('syntax trees of many sources from one run of the parser', () => {
  it('are the trees of each source parsed alone, on every conformance case that parses', () => {
    let sources = 0;
    let batched = 0;
    const wrong: string[] = [];
    for (const group of suiteGroups()) {
      const valid = [...new Set(readSuiteGroup(group).map((c) => c.expr))].filter((s) => parseTree(s) !== undefined);
      const trees = parseTrees(valid);
      sources += valid.length;
      batched += trees.size;
      wrong.push(...batchMismatches(trees));
    }
    expect(wrong).toEqual([]);
    // Left out: a `%` anywhere, a leading `/`, a trailing `;` or `/`, groups left with one source.
    expect(batched).toBeGreaterThan(1500);
    expect(sources - batched).toBeLessThan(60);
  });

  it('never gives a tree a source\'s own parse would not, with sources broken in every way', () => {
    const breaks = ['(', ')', '[', ']', '{', '}', ';', ',', '"', "'", '/*', '*/', '/', '%', ':=', '?', '..', '|', '\\', '`'];
    const broken = fc
      .tuple(fc.constantFrom(...suiteSources), fc.constantFrom(...breaks), fc.nat(), fc.constantFrom('insert', 'truncate', 'append', 'prepend'))
      .map(([source, piece, at, how]) => {
        const i = at % (source.length + 1);
        if (how === 'insert') return source.slice(0, i) + piece + source.slice(i);
        if (how === 'truncate') return source.slice(0, i);
        return how === 'append' ? source + piece : piece + source;
      });
    const source = fc.oneof({ arbitrary: fc.constantFrom(...suiteSources), weight: 3 }, { arbitrary: broken, weight: 1 });
    fc.assert(
      fc.property(fc.array(source, { minLength: 2, maxLength: 6 }), (sources) => {
        expect(batchMismatches(parseTrees(sources))).toEqual([]);
      }),
      { seed: Number(process.env.PARSE_TREES_SEED ?? 20261129), numRuns: Number(process.env.PARSE_TREES_RUNS ?? 3000) },
    );
  });
});

describe('the bundled definitions, parsed one definition per run', () => {
  const dir = new URL('../../mappings/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('get every expression\'s tree from the batch, the tree of its own parse', () => {
    for (const file of files) {
      const sources = findExpressions(parseYaml(readFileSync(new URL(file, dir), 'utf8'))).map((f) => f.source);
      const trees = parseTrees(sources);
      expect(trees.size, file).toBe(new Set(sources).size);
      expect(batchMismatches(trees), file).toEqual([]);
    }
  });

  it('load without the parse cache with the trees of each source parsed alone', async () => {
    const engine = await loadEngine({ definitions: 'mappings', cacheDir: false });
    expect(engine.problems.filter((p) => p.severity === 'error')).toEqual([]);
    let slots = 0;
    for (const integration of engine.integrations.values()) {
      for (const slot of integration.slots.values()) {
        slots++;
        expect(shape(slot.expression.ast()), slot.origin.path).toEqual(shape(parseTree(slot.source)));
      }
    }
    expect(slots).toBeGreaterThan(150);
  });
});
