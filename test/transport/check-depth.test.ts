import { describe, expect, test } from 'vitest';
import { checkDepth, maxJsonDepth } from '../../engine/transport/send.js';

/** `levels` containers nested in each other, objects and arrays alternating, with scalar siblings on the way. */
function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { before: 1, inner: value, after: 'text' } : [null, value, 2];
  return value;
}

describe('checkDepth', () => {
  test(`accepts ${maxJsonDepth} levels of objects and arrays and refuses one more`, () => {
    const ok = nested(maxJsonDepth);
    expect(checkDepth(ok, 'the test body')).toBe(ok);
    expect(() => checkDepth(nested(maxJsonDepth + 1), 'the test body')).toThrow(expect.objectContaining({ code: 'invalid_remote_response', statusCode: 502, details: { max_depth: maxJsonDepth } }));
    expect(() => checkDepth(nested(maxJsonDepth + 1), 'the request body', 400)).toThrow(expect.objectContaining({ code: 'invalid_body', statusCode: 400 }));
  });

  test('finds a deep branch after shallow ones, and passes scalars and wide data', () => {
    const wide = { items: Array.from({ length: 5000 }, (_, i) => ({ id: i, tags: ['a', 'b'], nested: { ok: true } })) };
    expect(checkDepth(wide, 'wide')).toBe(wide);
    expect(() => checkDepth({ items: [...wide.items, nested(maxJsonDepth)] }, 'late')).toThrow(/nested deeper than 256 levels/);
    for (const scalar of [null, 1, 'text', true]) expect(checkDepth(scalar, 'scalar')).toBe(scalar);
  });
});
