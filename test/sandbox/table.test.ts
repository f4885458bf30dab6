import { describe, expect, test } from 'vitest';
import { Table } from '../../engine/server/sandbox/emulator.js';

describe('Table lookups', () => {
  const make = () => new Table<{ id: string; name: string; tags: string[] }>([
    { id: '1', name: 'Ada', tags: ['a'] },
    { id: '2', name: 'Grace', tags: ['b'] },
    { id: '3', name: 'Ada', tags: ['c'] },
  ]);

  test('find, some and filter answer like all() does', () => {
    const table = make();
    for (const test of [(r: { name: string }) => r.name === 'Ada', (r: { name: string }) => r.name === 'Nobody', (r: { id: string }) => r.id !== '2']) {
      expect(table.find(test)).toEqual(table.all().find(test));
      expect(table.some(test)).toBe(table.all().some(test));
      expect(table.filter(test)).toEqual(table.all().filter(test));
    }
  });

  test('what they return is a copy: changing it leaves the table as it was', () => {
    const table = make();
    const found = table.find((r) => r.id === '1')!;
    found.name = 'changed';
    found.tags.push('x');
    for (const row of table.filter(() => true)) row.tags.length = 0;
    expect(table.get('1')).toEqual({ id: '1', name: 'Ada', tags: ['a'] });
    expect(table.all().map((r) => r.tags)).toEqual([['a'], ['b'], ['c']]);
  });
});
