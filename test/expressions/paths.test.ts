import { describe, expect, test } from 'vitest';
import { getPath, splitPath } from '../../engine/expressions/plain.js';

// Dotted paths from definitions (response_path, placeholders, exclude fields).
describe('splitPath and getPath', () => {
  test('plain paths split at dots, dropping empty segments; backticks keep dots and dashes in a segment', () => {
    expect(splitPath('a.b.c')).toEqual(['a', 'b', 'c']);
    expect(splitPath('a..b.')).toEqual(['a', 'b']);
    expect(splitPath('.a')).toEqual(['a']);
    expect(splitPath('')).toEqual([]);
    expect(splitPath('`@odata.nextLink`')).toEqual(['@odata.nextLink']);
    expect(splitPath('value.`x-y.z`.id')).toEqual(['value', 'x-y.z', 'id']);
    expect(splitPath('a.`b`')).toEqual(['a', 'b']);
  });

  test('getPath reads own properties only and never through __proto__ or constructor', () => {
    const data = { a: { b: [1, 2], 'c.d': 'x' }, n: null };
    expect(getPath(data, 'a.b')).toEqual([1, 2]);
    expect(getPath(data, 'a.`c.d`')).toBe('x');
    expect(getPath(data, 'n.x')).toBeUndefined();
    expect(getPath(data, 'a.toString')).toBeUndefined();
    expect(getPath(data, '__proto__.polluted')).toBeUndefined();
    expect(getPath(data, 'a.constructor')).toBeUndefined();
    expect(getPath(data, '')).toBe(data);
  });
});
