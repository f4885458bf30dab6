// findExpressions looks a string up by its key among the slot patterns; this checks it finds
// exactly what trying every pattern on every string finds, on every bundled definition.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findExpressions, slotSpecs } from '../../engine/definitions/slots.js';

const mappings = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../mappings');

function everyPattern(data: unknown, prefix: (string | number)[] = []) {
  const found: { slot: string; path: string; source: string }[] = [];
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      const spec = slotSpecs.find((s) => s.pattern.length === path.length && s.pattern.every((part, i) => part === '*' || part === String(path[i])));
      if (spec) found.push({ slot: spec.slot, path: path.join('.'), source: value });
    } else if (Array.isArray(value)) value.forEach((child, i) => walk(child, [...path, i]));
    else if (value && typeof value === 'object') for (const [key, child] of Object.entries(value)) walk(child, [...path, key]);
  };
  walk(data, prefix);
  return found;
}

describe('findExpressions', () => {
  it('finds what trying every slot pattern on every string finds, on each bundled definition', () => {
    let total = 0;
    for (const file of readdirSync(mappings).filter((f) => f.endsWith('.yaml'))) {
      const data = parse(readFileSync(join(mappings, file), 'utf8')) as unknown;
      const fast = findExpressions(data).map((f) => ({ slot: f.spec.slot, path: f.path.join('.'), source: f.source }));
      expect(fast, file).toEqual(everyPattern(data));
      total += fast.length;
    }
    expect(total).toBe(196);
  });

  it('keeps a prefix, and each found path is its own copy', () => {
    const found = findExpressions({ mdm: { users: { list: { response_mapping: 'response', query_mapping: '{}' } } } }, ['unified']);
    expect(found.map((f) => [f.spec.slot, f.path.join('.')])).toEqual([
      ['response_mapping', 'unified.mdm.users.list.response_mapping'],
      ['query_mapping', 'unified.mdm.users.list.query_mapping'],
    ]);
    found[0]!.path.push('changed');
    expect(found[1]!.path).toEqual(['unified', 'mdm', 'users', 'list', 'query_mapping']);
  });
});
