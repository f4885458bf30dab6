import type jsonata from 'jsonata';
import jsonataModule from './jsonata-library.js';

/**
 * Guarded replacements for jsonata built-ins whose native loops never return to the evaluator,
 * so its timeout cannot stop them: `$sort` without a comparator (a merge sort whose memory grows
 * with the square of the input) and `$distinct` (a quadratic scan). Same results, in O(n log n).
 */
type NativeFunction = { implementation: (...args: unknown[]) => unknown };

// The built-in $sort, kept for sorts with a comparator (those run through the evaluator, so its
// timeout applies). Looked up once, at module load.
const builtinSort = (await jsonataModule('$sort').evaluate(undefined)) as NativeFunction;

function sortDefault(arr: unknown[]): unknown[] {
  const numbers = arr.every((v) => typeof v === 'number');
  const strings = arr.every((v) => typeof v === 'string');
  if (!numbers && !strings) throw { code: 'D3070', index: 1, stack: new Error().stack };
  // Stable ascending order, as jsonata's merge sort with `a > b` gives.
  return [...arr].sort((a, b) => ((a as number) > (b as number) ? 1 : (a as number) < (b as number) ? -1 : 0));
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(',')}}`;
}

function distinct(arr: unknown): unknown {
  if (!Array.isArray(arr) || arr.length <= 1) return arr;
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const item of arr) {
    const key = canonical(item);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  }
  return out;
}

export function registerGuardedBuiltins(expression: jsonata.Expression): void {
  expression.registerFunction(
    'sort',
    function (this: jsonata.Focus, arr: unknown, comparator?: unknown) {
      if (arr === undefined) return undefined;
      const list = Array.isArray(arr) ? arr : [arr];
      if (list.length <= 1) return list;
      if (comparator === undefined) return sortDefault(list);
      return builtinSort.implementation.call(this, list, comparator);
    },
    '<af?:a>',
  );
  expression.registerFunction('distinct', distinct, '<x:x>');
}
