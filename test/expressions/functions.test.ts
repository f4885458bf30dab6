import jsonata from 'jsonata';
import { afterEach, describe, expect, it } from 'vitest';
import { helperFunctions, registerHelpers } from '../../engine/expressions/functions.js';

// Every helper is exercised through real JSONata evaluation, as mappings use them.
async function run(expression: string, input: unknown = {}): Promise<unknown> {
  const compiled = jsonata(expression);
  registerHelpers(compiled);
  return compiled.evaluate(input);
}

function polluted(): unknown {
  return ({} as Record<string, unknown>).polluted;
}

afterEach(() => {
  expect(polluted()).toBeUndefined();
});

describe('helperFunctions registry', () => {
  it('documents every helper with a doc paragraph and a one-line example', () => {
    expect(helperFunctions.map((h) => h.name)).toEqual([
      'toIsoDate',
      'formatDate',
      'mapValues',
      'removeEmpty',
      'firstNonEmpty',
      'splitName',
      'joinName',
      'toArray',
    ]);
    for (const helper of helperFunctions) {
      expect(helper.doc.length).toBeGreaterThan(40);
      expect(helper.doc).not.toContain('\n');
      expect(helper.example).not.toContain('\n');
      expect(helper.example).toContain(`$${helper.name}(`);
    }
  });

  it('every example compiles and evaluates with the helpers registered', async () => {
    for (const helper of helperFunctions) {
      await run(helper.example, {}); // rejects if the example does not compile or type-check
    }
  });
});

describe('$toIsoDate', () => {
  const iso = (value: unknown, format?: string | null, zone?: string | null): Promise<unknown> =>
    run('$toIsoDate(v, f, z)', { v: value, f: format, z: zone });

  it.each([
    ['2024-01-15T10:30:00Z', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15T10:30:00.123Z', '2024-01-15T10:30:00.123Z'],
    ['2024-01-15T10:30:00.123456Z', '2024-01-15T10:30:00.123Z'],
    ['2024-01-15T10:30:00.5Z', '2024-01-15T10:30:00.500Z'],
    ['2024-01-15T10:30:00+02:00', '2024-01-15T08:30:00.000Z'],
    ['2024-01-15T10:30:00-0530', '2024-01-15T16:00:00.000Z'],
    ['2024-01-15T01:00:00+05', '2024-01-14T20:00:00.000Z'],
    ['2024-01-15T10:30', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15T10:30:00', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15', '2024-01-15T00:00:00.000Z'],
    ['2024-01-15 10:30:00', '2024-01-15T10:30:00.000Z'],
    ['2024/01/15 10:30:00', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15 10:30:00 UTC', '2024-01-15T10:30:00.000Z'],
    ['2024-01-15 10:30:00 +0100', '2024-01-15T09:30:00.000Z'],
    ['  2024-01-15T10:30:00Z  ', '2024-01-15T10:30:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    ['0050-06-01', '0050-06-01T00:00:00.000Z'],
  ])('parses ISO-like %j', async (input, expected) => {
    expect(await iso(input)).toBe(expected);
  });

  it.each([
    ['Tue, 15 Nov 1994 08:12:31 GMT', '1994-11-15T08:12:31.000Z'],
    ['Tue, 15 Nov 1994 08:12:31 +0200', '1994-11-15T06:12:31.000Z'],
    ['15 Nov 1994 08:12 EST', '1994-11-15T13:12:00.000Z'],
    ['Tuesday, 15-Nov-94 08:12:31 GMT', '1994-11-15T08:12:31.000Z'],
    ['Fri, 01 Mar 24 10:00:00 GMT', '2024-03-01T10:00:00.000Z'],
    ['Sun Nov  6 08:49:37 1994', '1994-11-06T08:49:37.000Z'],
    ['Tue Nov 15 1994 08:12:31 GMT+0100 (Central European Standard Time)', '1994-11-15T07:12:31.000Z'],
  ])('parses RFC 2822 / HTTP date %j', async (input, expected) => {
    expect(await iso(input)).toBe(expected);
  });

  it('treats epochs below 1e11 as seconds and larger ones as milliseconds', async () => {
    expect(await iso(1700000000)).toBe('2023-11-14T22:13:20.000Z');
    expect(await iso(1700000000000)).toBe('2023-11-14T22:13:20.000Z');
    expect(await iso('1700000000')).toBe('2023-11-14T22:13:20.000Z');
    expect(await iso('1700000000123')).toBe('2023-11-14T22:13:20.123Z');
    expect(await iso(1700000000.5)).toBe('2023-11-14T22:13:20.500Z');
    expect(await iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(await iso(-86400)).toBe('1969-12-31T00:00:00.000Z');
  });

  it('parses Microsoft JSON dates as milliseconds, ignoring the informational offset', async () => {
    expect(await iso('/Date(1700000000000)/')).toBe('2023-11-14T22:13:20.000Z');
    expect(await iso('/Date(1700000000000+0100)/')).toBe('2023-11-14T22:13:20.000Z');
    expect(await iso('/Date(-86400000)/')).toBe('1969-12-31T00:00:00.000Z');
  });

  it('applies zone only to inputs without their own offset', async () => {
    expect(await iso('2024-01-15T10:30:00', null, '+02:00')).toBe('2024-01-15T08:30:00.000Z');
    expect(await iso('2024-01-15 10:30:00', null, '-0500')).toBe('2024-01-15T15:30:00.000Z');
    expect(await iso('2024-01-15', null, '+02:00')).toBe('2024-01-14T22:00:00.000Z');
    expect(await iso('2024-01-15T10:30:00Z', null, '+02:00')).toBe('2024-01-15T10:30:00.000Z');
    expect(await iso('2024-01-15T10:30:00-01:00', null, '+02:00')).toBe('2024-01-15T11:30:00.000Z');
    expect(await iso('2024-01-15T10:30:00', null, 'UTC')).toBe('2024-01-15T10:30:00.000Z');
    expect(await iso(1700000000, null, '+02:00')).toBe('2023-11-14T22:13:20.000Z');
    expect(await iso('Tue, 15 Nov 1994 08:12:31', null, '+01:00')).toBe('1994-11-15T07:12:31.000Z');
  });

  it('rejects IANA or malformed zones loudly instead of silently shifting', async () => {
    await expect(iso('2024-01-15', null, 'Europe/Berlin')).rejects.toThrow(/unsupported zone/);
    await expect(iso('2024-01-15', null, '+25:00')).rejects.toThrow(/unsupported zone/);
  });

  it('parses custom formats with tokens and literals', async () => {
    expect(await iso('15/01/2024 10:30', 'dd/MM/yyyy HH:mm')).toBe('2024-01-15T10:30:00.000Z');
    expect(await iso('5/1/2024', 'dd/MM/yyyy')).toBe('2024-01-05T00:00:00.000Z');
    expect(await iso('01-15-2024 10:30:45.250', 'MM-dd-yyyy HH:mm:ss.SSS')).toBe('2024-01-15T10:30:45.250Z');
    expect(await iso('20240115103000', 'yyyyMMddHHmmss')).toBe('2024-01-15T10:30:00.000Z');
    expect(await iso('15.01.2024 10:30 +0200', 'dd.MM.yyyy HH:mm Z')).toBe('2024-01-15T08:30:00.000Z');
    expect(await iso('15.01.2024 10:30 -05:00', 'dd.MM.yyyy HH:mm ZZ')).toBe('2024-01-15T15:30:00.000Z');
    expect(await iso('2024-01-15T10:30:00', "yyyy-MM-dd'T'HH:mm:ss")).toBe('2024-01-15T10:30:00.000Z');
    expect(await iso('10:30 on 15/01/2024', 'HH:mm on dd/MM/yyyy')).toBe('2024-01-15T10:30:00.000Z');
    expect(await iso('15/01/2024 10:30', 'dd/MM/yyyy HH:mm', '+01:00')).toBe('2024-01-15T09:30:00.000Z');
  });

  it('only tries the given format when one is passed', async () => {
    expect(await iso('2024-01-15T10:30:00Z', 'dd/MM/yyyy')).toBeUndefined();
    expect(await iso('31/02/2024', 'dd/MM/yyyy')).toBeUndefined();
    expect(await iso('15/01/2024 x', 'dd/MM/yyyy')).toBeUndefined();
  });

  it.each([
    [null],
    [undefined],
    [''],
    ['   '],
    ['not a date'],
    ['15/01/2024'], // ambiguous day/month order without a format
    ['01/15/2024'],
    ['2024-02-30'],
    ['2023-02-29'],
    ['2024-13-01'],
    ['2024-01-15T25:00:00Z'],
    ['2024-01-15T10:60:00Z'],
    ['2024-01-15T10:30:00+99:00'],
    ['Tue, 32 Nov 1994 08:12:31 GMT'],
    [true],
    [{ date: '2024-01-15' }],
    [['2024-01-15', '2024-01-16']],
    [1e20],
  ])('returns undefined for %j', async (input) => {
    expect(await iso(input)).toBeUndefined();
  });

  it('omits the property in an object constructor when unparseable', async () => {
    expect(await run('{"created": $toIsoDate(created), "id": id}', { created: 'nope', id: 1 })).toEqual({ id: 1 });
  });

  it('type-checks author arguments', async () => {
    await expect(run('$toIsoDate("2024-01-15", 5)')).rejects.toMatchObject({ code: 'T0410' });
  });

  it('supports partial application', async () => {
    const result = await run('dates.$toIsoDate(?, "dd/MM/yyyy")($)', { dates: ['15/01/2024', '16/01/2024'] });
    expect(Array.from(result as string[])).toEqual([
      '2024-01-15T00:00:00.000Z',
      '2024-01-16T00:00:00.000Z',
    ]);
  });
});

describe('$formatDate', () => {
  const fmt = (value: unknown, format: string): Promise<unknown> => run('$formatDate(v, f)', { v: value, f: format });

  it('formats in UTC with padded tokens', async () => {
    expect(await fmt('2024-01-05T03:04:05.006+02:00', 'yyyy-MM-dd')).toBe('2024-01-05');
    expect(await fmt('2024-01-05T01:04:05.006+02:00', 'yyyy-MM-dd HH:mm:ss.SSS')).toBe('2024-01-04 23:04:05.006');
    expect(await fmt(1700000000, 'dd/MM/yyyy')).toBe('14/11/2023');
    expect(await fmt('Tue, 15 Nov 1994 08:12:31 GMT', 'yyyyMMddHHmmss')).toBe('19941115081231');
    expect(await fmt('2024-01-15', 'yyyy-MM-ddTHH:mm:ssZ')).toBe('2024-01-15T00:00:00+0000');
    expect(await fmt('2024-01-15', 'yyyy-MM-ddTHH:mm:ssZZ')).toBe('2024-01-15T00:00:00+00:00');
    expect(await fmt('2024-01-15', "yyyy-MM-dd'T'HH:mm:ss'Z'")).toBe('2024-01-15T00:00:00Z');
    expect(await fmt('0050-06-01', 'yyyy')).toBe('0050');
  });

  it('returns undefined for bad input', async () => {
    expect(await fmt('garbage', 'yyyy-MM-dd')).toBeUndefined();
    expect(await fmt('', 'yyyy-MM-dd')).toBeUndefined();
    expect(await run('$formatDate(missing, "yyyy")')).toBeUndefined();
    expect(await run('$formatDate(null, "yyyy")')).toBeUndefined();
  });

  it('requires a format', async () => {
    await expect(run('$formatDate("2024-01-15", missing)')).rejects.toThrow(/format/);
    await expect(run('$formatDate("2024-01-15")')).rejects.toMatchObject({ code: 'T0410' });
  });
});

describe('$mapValues', () => {
  const mapping = { Open: 'active', closed: 'archived', yes: true, no: false, zero: 0, '1': 'one', obj: { a: 1 } };
  const map = (value: unknown, caseSensitive?: boolean | null, fallback?: unknown): Promise<unknown> =>
    run('$mapValues(v, m, c, d)', { v: value, m: mapping, c: caseSensitive, d: fallback });

  it('matches case-insensitively by default', async () => {
    expect(await map('open')).toBe('active');
    expect(await map('OPEN')).toBe('active');
    expect(await map('Closed')).toBe('archived');
  });

  it('matches exactly with caseSensitive=true', async () => {
    expect(await map('Open', true)).toBe('active');
    expect(await map('open', true)).toBe('open');
  });

  it('prefers an exact key over a case-folded one', async () => {
    expect(await run('$mapValues("active", {"Active": 1, "active": 2})')).toBe(2);
    expect(await run('$mapValues("ACTIVE", {"Active": 1, "active": 2})')).toBe(1);
  });

  it('returns falsy mapped values as-is', async () => {
    expect(await map('no')).toBe(false);
    expect(await map('zero')).toBe(0);
    expect(await map('yes')).toBe(true);
    expect(await map('obj')).toEqual({ a: 1 });
  });

  it('matches numbers and booleans against string keys', async () => {
    expect(await map(1)).toBe('one');
    expect(await run('$mapValues(true, {"TRUE": "y"})')).toBe('y');
  });

  it('passes unmatched values through unchanged', async () => {
    expect(await map('pending')).toBe('pending');
    expect(await map(42)).toBe(42);
    expect(await map('pending', false, 'fallback')).toBe('pending');
  });

  it('uses the default only for null or missing values', async () => {
    expect(await map(null, false, 'unknown')).toBe('unknown');
    expect(await map(undefined, false, 'unknown')).toBe('unknown');
    expect(await map(null)).toBeNull();
    expect(await map(undefined)).toBeUndefined();
    expect(await run('$mapValues(missing, {"a": "b"}, false, "unknown")')).toBe('unknown');
  });

  it('maps arrays element by element', async () => {
    expect(await map(['open', 'CLOSED', 'other', null], false, 'none')).toEqual(['active', 'archived', 'other', 'none']);
    expect(await run('$mapValues(items.status, {"open": "active"})', { items: [{ status: 'open' }, { status: 'x' }] })).toEqual([
      'active',
      'x',
    ]);
  });

  it('never resolves prototype keys', async () => {
    const m = JSON.parse('{"__proto__": {"polluted": 1}, "a": "b"}') as unknown;
    expect(await run('$mapValues(v, m)', { v: '__proto__', m })).toBe('__proto__');
    expect(await run('$mapValues("constructor", {"a": "b"})')).toBe('constructor');
    expect(await run('$mapValues("toString", {"a": "b"})')).toBe('toString');
    expect(await run('$mapValues("__proto__", {"__proto__": {"polluted": 1}})')).toBe('__proto__');
    expect(polluted()).toBeUndefined();
  });

  it('rejects a non-object mapping', async () => {
    await expect(run('$mapValues("a", ["a"])')).rejects.toMatchObject({ code: 'T0410' });
  });
});

describe('$removeEmpty', () => {
  const clean = (value: unknown): Promise<unknown> => run('$removeEmpty(v)', { v: value });

  it('drops empty properties recursively and keeps false and 0', async () => {
    expect(
      await clean({
        a: null,
        b: '',
        c: [],
        d: {},
        e: { f: null, g: { h: '' } },
        i: [null, '', {}, [], 1, { j: null }],
        k: false,
        l: 0,
        m: 'x',
        n: { o: [{ p: null }], q: 'keep' },
        r: ' ',
      }),
    ).toEqual({ i: [1], k: false, l: 0, m: 'x', n: { q: 'keep' }, r: ' ' });
  });

  it('drops properties JSONata leaves undefined', async () => {
    const result = await run('$removeEmpty({"name": name, "email": email, "tags": tags})', { name: 'Ann' });
    expect(result).toEqual({ name: 'Ann' });
    expect(Object.keys(result as object)).toEqual(['name']);
  });

  it('keeps the top-level shape when everything is empty', async () => {
    expect(await clean({ a: null, b: { c: '' } })).toEqual({});
    expect(await clean([null, '', {}])).toEqual([]);
    expect(await run('{"body": $removeEmpty({"a": null})}')).toEqual({ body: {} });
    expect(await run('{"items": $removeEmpty([null])}')).toEqual({ items: [] });
  });

  it('returns undefined for an empty scalar and scalars otherwise unchanged', async () => {
    expect(await clean(null)).toBeUndefined();
    expect(await clean('')).toBeUndefined();
    expect(await run('$removeEmpty(missing)')).toBeUndefined();
    expect(await clean(0)).toBe(0);
    expect(await clean(false)).toBe(false);
    expect(await clean('x')).toBe('x');
  });

  it('does not mutate its input', async () => {
    const input = { a: null, b: { c: '' }, d: 1 };
    await clean(input);
    expect(input).toEqual({ a: null, b: { c: '' }, d: 1 });
  });

  it('never copies prototype keys', async () => {
    const v = JSON.parse('{"__proto__": {"polluted": 1}, "a": {"constructor": {"prototype": {"polluted": 1}}, "b": 1}}') as unknown;
    const result = await clean(v);
    expect(result).toEqual({ a: { b: 1 } });
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect((result as Record<string, unknown>).polluted).toBeUndefined();
    expect(await run('$removeEmpty({"__proto__": {"polluted": 1}, "x": 1})')).toEqual({ x: 1 });
    expect(polluted()).toBeUndefined();
  });
});

describe('$firstNonEmpty', () => {
  it('returns the first value that is not null, missing or ""', async () => {
    expect(await run('$firstNonEmpty(a, b, c)', { a: null, b: '', c: 'x' })).toBe('x');
    expect(await run('$firstNonEmpty(missing, "", "y", "z")')).toBe('y');
    expect(await run('$firstNonEmpty(a, b)', { a: false, b: 'x' })).toBe(false);
    expect(await run('$firstNonEmpty(a, b)', { a: 0, b: 'x' })).toBe(0);
    expect(await run('$firstNonEmpty(a, b)', { a: { k: 1 }, b: 'x' })).toEqual({ k: 1 });
  });

  it('returns undefined when every value is empty or there are none', async () => {
    expect(await run('$firstNonEmpty(a, b, missing)', { a: null, b: '' })).toBeUndefined();
    expect(await run('$firstNonEmpty()')).toBeUndefined();
  });

  it('accepts any number of arguments', async () => {
    expect(await run('$firstNonEmpty(null, null, null, null, null, "six")')).toBe('six');
    expect(await run('$firstNonEmpty("one")')).toBe('one');
  });
});

describe('$splitName', () => {
  it('splits on the last whitespace run', async () => {
    expect(await run('$splitName("Ada Lovelace")')).toEqual({ first_name: 'Ada', last_name: 'Lovelace' });
    expect(await run('$splitName("  Mary  Ann \t Smith  ")')).toEqual({ first_name: 'Mary  Ann', last_name: 'Smith' });
    expect(await run('$splitName("Jean-Luc Picard").last_name')).toBe('Picard');
  });

  it('returns only first_name for a single word', async () => {
    const result = await run('$splitName("  Cher ")');
    expect(result).toEqual({ first_name: 'Cher' });
    expect(Object.keys(result as object)).toEqual(['first_name']);
  });

  it('returns undefined for empty or non-string input', async () => {
    expect(await run('$splitName("")')).toBeUndefined();
    expect(await run('$splitName("   ")')).toBeUndefined();
    expect(await run('$splitName(missing)')).toBeUndefined();
    expect(await run('$splitName(null)')).toBeUndefined();
    expect(await run('$splitName(42)')).toBeUndefined();
  });
});

describe('$joinName', () => {
  it('joins trimmed parts with one space', async () => {
    expect(await run('$joinName(" Ada ", " Lovelace ")')).toBe('Ada Lovelace');
    expect(await run('$joinName(f, l)', { f: 'Ada', l: null })).toBe('Ada');
    expect(await run('$joinName(f, l)', { l: 'Lovelace' })).toBe('Lovelace');
    expect(await run('$joinName("", "  Lovelace")')).toBe('Lovelace');
  });

  it('returns undefined when both parts are empty', async () => {
    expect(await run('$joinName(missing, null)')).toBeUndefined();
    expect(await run('$joinName(" ", "")')).toBeUndefined();
    expect(await run('{"name": $joinName(f, l), "id": 1}', {})).toEqual({ id: 1 });
  });
});

describe('$toArray', () => {
  it('wraps, keeps or empties', async () => {
    expect(await run('$toArray(v)', { v: 'a' })).toEqual(['a']);
    expect(await run('$toArray(v)', { v: { k: 1 } })).toEqual([{ k: 1 }]);
    expect(await run('$toArray(v)', { v: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(await run('$toArray(v)', { v: null })).toEqual([]);
    expect(await run('$toArray(missing)')).toEqual([]);
    expect(await run('$toArray(v)', { v: false })).toEqual([false]);
    expect(await run('$toArray(v)', { v: 0 })).toEqual([0]);
  });

  it('returns the same array instance for a real array', async () => {
    const v = ['a'];
    expect(await run('$toArray(v)', { v })).toBe(v);
  });

  it('keeps single results as real arrays in payloads', async () => {
    expect(await run('{"ids": $toArray(items.id)}', { items: [{ id: 1 }] })).toEqual({ ids: [1] });
    expect(await run('{"ids": $toArray(items.id)}', { items: [{ id: 1 }, { id: 2 }] })).toEqual({ ids: [1, 2] });
    expect(await run('{"ids": $toArray(items.id)}', { items: [] })).toEqual({ ids: [] });
    expect(await run('$toArray(items.id)', { items: [{ id: 1 }] })).toEqual([1]);
  });
});

describe('$toIsoDate: the canonical-UTC shortcut agrees with the general parser', () => {
  const toIsoDate = helperFunctions.find((h) => h.name === 'toIsoDate')!.implementation as (value: unknown) => string | undefined;
  it('for valid and invalid dates, with and without milliseconds', async () => {
    const fc = (await import('fast-check')).default;
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const text = fc
      .tuple(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')), two(13), two(32), two(25), two(61), two(61), fc.option(fc.integer({ min: 0, max: 999 })))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === null ? '' : `.${String(ms).padStart(3, '0')}`}Z`);
    // A leading space skips the shortcut (it matches only the exact form) and takes the general parser.
    fc.assert(fc.property(text, (value) => toIsoDate(value) === toIsoDate(` ${value}`)), { numRuns: 5000 });
    // One character replaced (by a digit, a separator, a space, a non-ASCII digit): the shortcut reads characters itself.
    const swap = fc.constantFrom(...'09-T:.Z+ z\u0663'.split(''));
    const mutated = fc.tuple(text, fc.nat(), swap).map(([value, i, c]) => value.slice(0, i % value.length) + c + value.slice((i % value.length) + 1));
    fc.assert(fc.property(mutated, (value) => toIsoDate(value) === toIsoDate(` ${value}`)), { numRuns: 3000 });
    expect(toIsoDate('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(toIsoDate('2024-02-29T23:59:59Z')).toBe('2024-02-29T23:59:59.000Z');
  });
});
