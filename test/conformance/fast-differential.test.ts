// Differential test: every bundled mapping expression that the fast path compiles must give the
// same result (or the same error code) as stock jsonata on the mapping fixtures' vendor records.
import { join, resolve } from 'node:path';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadEngine } from '../../engine/index.js';
import { findFixtureFiles, readFixture } from '../../engine/fixtures/read.js';
import { compileFast, explainFallback, FastPathUnsupported } from '../../engine/expressions/fast/compile.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const mappingsDir = join(repoRoot, 'mappings');

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (typeof value === 'function') return '<function>';
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = normalize(v);
    return out;
  }
  return value;
}

type Outcome = { value: unknown } | { code: string | undefined; message: string };

function describeError(error: unknown): Outcome {
  const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
  return { code, message: error instanceof Error ? error.message : String(code) };
}

function same(a: Outcome, b: Outcome): boolean {
  if ('value' in a && 'value' in b) return isDeepStrictEqual(normalize(a.value), normalize(b.value));
  if ('code' in a && 'code' in b) return a.code === b.code && (a.code !== undefined || a.message === b.message);
  return false;
}

/** The vendor records of a response body: the body, its array items, and the items of its array-valued fields. */
function records(body: unknown): unknown[] {
  if (body === undefined) return [];
  const out: unknown[] = [body];
  if (Array.isArray(body)) out.push(...body);
  else if (body !== null && typeof body === 'object') {
    for (const value of Object.values(body)) if (Array.isArray(value)) out.push(...value);
  }
  return out;
}

describe('fast path vs stock jsonata on the bundled mappings', () => {
  it('gives the same results for every compiled bundled expression', async () => {
    const engine = await loadEngine({ definitions: mappingsDir });
    let expressions = 0;
    let compiled = 0;
    let comparisons = 0;
    const unsupported = new Set<string>();
    const mismatches: string[] = [];

    for (const [name, integration] of engine.integrations) {
      const inputs: unknown[] = [];
      for (const file of await findFixtureFiles([join(mappingsDir, name)])) {
        const { fixture } = await readFixture(file);
        for (const exchange of fixture?.exchanges?.slice(0, 1) ?? []) inputs.push(...records(exchange.response?.body));
      }
      for (const [path, slot] of integration.slots) {
        expressions++;
        const fast = compileFast(slot.expression, { helpers: true });
        if (!fast) {
          unsupported.add(`[${explainFallback(slot.expression, { helpers: true }) ?? '?'}] ${slot.source}`);
          continue;
        }
        compiled++;
        for (const record of inputs) {
          const input = { response: record, query: {}, rawQuery: {}, context: {}, headers: {}, body: {} };
          let stock: Outcome;
          try {
            stock = { value: (await slot.expression.evaluate(input, input)) as unknown };
          } catch (error) {
            stock = describeError(error);
          }
          let quick: Outcome;
          try {
            quick = { value: fast.evaluate(input, input) };
          } catch (error) {
            if (error instanceof FastPathUnsupported) continue; // the caller would re-run stock jsonata
            quick = describeError(error);
          }
          comparisons++;
          if (!same(stock, quick)) {
            mismatches.push(`${name} ${path}: ${slot.source.slice(0, 100)}\n  stock: ${JSON.stringify(stock).slice(0, 300)}\n  fast:  ${JSON.stringify(quick).slice(0, 300)}`);
          }
        }
      }
    }

    const share = expressions ? ((100 * compiled) / expressions).toFixed(1) : '0';
    console.log(`Bundled mappings: fast path compiles ${compiled}/${expressions} expressions (${share}%), ${comparisons} fast/stock comparisons, ${mismatches.length} mismatches`);
    if (unsupported.size) console.log(`Not compiled (${unsupported.size} distinct):\n${[...unsupported].map((s) => `  ${s.replace(/\s+/g, ' ').slice(0, 160)}`).join('\n')}`);
    expect(expressions).toBeGreaterThan(0);
    expect(comparisons).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  }, 60_000);
});
