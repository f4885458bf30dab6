// Unit checks of the fast evaluator's contract: fallback, bindings, helpers, errors, portability.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { compileFast, explainFallback, FastPathUnsupported } from '../../engine/expressions/fast/compile.js';
import { registerHelpers } from '../../engine/expressions/functions.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function fast(source: string, helpers = false) {
  const expression = jsonata(source);
  if (helpers) registerHelpers(expression);
  return { expression, fast: compileFast(expression, { helpers }) };
}

describe('compileFast', () => {
  it('starts every evaluation afresh: no binding, clock or input is left from the one before, even one that threw', async () => {
    const { expression, fast: compiled } = fast('($seen := $exists($y); $y := $$; { "seen": $seen, "root": $$, "sum": a + 1 })');
    expect(compiled).toBeDefined();
    const top = fast('$y := $exists($y)');
    expect(top.fast!.evaluate({}, {})).toBe(false);
    expect(top.fast!.evaluate({}, {})).toBe(false); // a top-level bind is not left for the next run
    expect(compiled!.evaluate({ a: 1 }, {})).toEqual({ seen: false, root: { a: 1 }, sum: 2 });
    expect(() => compiled!.evaluate({ a: 'x' }, {})).toThrow(expect.objectContaining({ code: 'T2001' }));
    expect(compiled!.evaluate({ a: 2 }, { extra: 1 })).toEqual({ seen: false, root: { a: 2 }, sum: 3 });
    expect(await expression.evaluate({ a: 2 })).toEqual({ seen: false, root: { a: 2 }, sum: 3 });
  });

  it('never uses eval or new Function (Workers forbid them)', () => {
    const code = readFileSync(join(repoRoot, 'engine/expressions/fast/compile.ts'), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/\beval\s*\(|\bnew\s+Function\b|\bFunction\s*\(/);
  });

  it('falls back for constructs it does not implement, and says why', () => {
    for (const source of ['$map(a, $string)', '$sort(a, function($x, $y) { $x > $y })', 'a{b: c}', 'a@$x', '$shuffle(a)', '$sort(a)', '$distinct(a)', '$string', '$zip(a, b)', 'a#$i', 'a ~> $uppercase', '$f := function($x) { $x }']) {
      const { expression, fast: compiled } = fast(source);
      expect(compiled, source).toBeUndefined();
      expect(explainFallback(expression), source).toEqual(expect.any(String));
    }
  });

  it('calls Unimap helpers only when the expression has them registered', async () => {
    expect(fast('$toArray(a)').fast).toBeUndefined();
    const { expression, fast: compiled } = fast('{"items": $toArray(a), "when": $toIsoDate(t)}', true);
    expect(compiled).toBeDefined();
    const input = { a: 'x', t: '2024-01-02T03:04:05Z' };
    expect(compiled?.evaluate(input)).toEqual(await expression.evaluate(input));
  });

  it('builds `$removeEmpty({…})` clean as stock jsonata with the helper does, for one item, an array input and a shadowed name', async () => {
    const inputs: unknown[] = [
      { a: 'x', b: null, c: '', d: [], e: {}, f: { g: null }, h: [null, '', 1], i: 0, j: false },
      { a: null, b: '', c: [] },
      {},
      [{ a: 1, b: null }, { a: 2, b: 'y' }, { a: null }],
      [],
      'text',
      { a: { b: { c: [{ d: null }, { d: '' }] } }, b: [[[]]], c: 'kept' },
    ];
    const sources = [
      '$removeEmpty({"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "h": h, "i": i, "j": j})',
      '$removeEmpty({"a": a, "nested": {"b": b, "c": c}, "list": [a, b, c]})',
      '{"outer": $removeEmpty({"a": a, "b": b})}',
      '$removeEmpty({"constructor": a, "b": b})',
      '($removeEmpty := function($v) { "mine" }; $removeEmpty({"a": a}))',
      '$removeEmpty({"a": a, "b": b})[0]',
    ];
    for (const source of sources) {
      const { expression, fast: compiled } = fast(source, true);
      for (const input of inputs) {
        const expected = await expression.evaluate(input);
        let actual: unknown;
        try {
          actual = compiled ? compiled.evaluate(input) : expected;
        } catch (error) {
          if (error instanceof FastPathUnsupported) continue;
          throw error;
        }
        expect(JSON.parse(JSON.stringify(actual ?? null)), `${source} on ${JSON.stringify(input)}`).toEqual(JSON.parse(JSON.stringify(expected ?? null)));
      }
    }
  });

  it('reads a root field once per evaluation, never across evaluations or for another input', () => {
    const compiled = fast('{"b": a.b, "c": a.c, "again": a.b, "inner": items.{"b": a.b}, "missing": z.y, "filtered": a.list[$ > 1]}').fast!;
    const root: Record<string, unknown> = { a: { b: 1, c: 2, list: [1, 2, 3] }, items: [{ a: { b: 'item' } }, { a: { b: 'other' } }] };
    const plain = (value: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
    expect(plain(compiled.evaluate(root))).toMatchObject({ b: 1, c: 2, again: 1, inner: [{ b: 'item' }, { b: 'other' }], filtered: [2, 3] });
    // The engine reuses one input object per page and changes its fields between records.
    root.a = { b: 'next', list: [5] };
    root.z = { y: 'now here' };
    expect(plain(compiled.evaluate(root))).toMatchObject({ b: 'next', again: 'next', missing: 'now here', filtered: 5 });
    delete root.a;
    const last = compiled.evaluate(root) as Record<string, unknown>;
    expect(last.b).toBeUndefined();
    expect(last.filtered).toBeUndefined();
    // An inherited field is not data, cached or not.
    const inherited = Object.create({ a: { b: 'from the prototype' } }) as Record<string, unknown>;
    expect((compiled.evaluate(inherited) as Record<string, unknown>).b).toBeUndefined();
  });

  it('drops missing fields from objects and maps paths over arrays', () => {
    const compiled = fast('{"names": people.name, "first": people[0].name, "missing": nothing, "adults": people[age >= 18].name}').fast;
    const result = compiled?.evaluate({ people: [{ name: 'a', age: 20 }, { name: 'b', age: 10 }] });
    expect(JSON.parse(JSON.stringify(result))).toEqual({ names: ['a', 'b'], first: 'a', adults: 'a' });
  });

  it('throws jsonata error codes with position and token', () => {
    const compiled = fast('a + 1').fast;
    let caught: unknown;
    try {
      compiled?.evaluate({ a: 'text' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'T2001', token: '+', position: expect.any(Number), message: expect.any(String) });
  });

  it('supports local lambdas, variables and bindings', async () => {
    const source = '( $fmt := function($v) { $uppercase($v) & "!" }; $n := $count(items); $fmt(name) & " " & $string($n) & $suffix )';
    const { expression, fast: compiled } = fast(source);
    expect(compiled).toBeDefined();
    const input = { name: 'x', items: [1, 2] };
    expect(compiled?.evaluate(input, { suffix: '?' })).toBe(await expression.evaluate(input, { suffix: '?' }));
  });

  it('refuses bindings that shadow a function it calls', () => {
    const compiled = fast('$string(a)').fast;
    expect(compiled?.accepts({ other: 1 })).toBe(true);
    expect(compiled?.accepts({ string: 1 })).toBe(false);
    expect(() => compiled?.evaluate({ a: 1 }, { string: 1 })).toThrow(FastPathUnsupported);
  });

  it('gives up at run time where a local variable named like a function is not bound yet', () => {
    const compiled = fast('( $x := $type; $type := "t"; $x )').fast;
    expect(compiled).toBeDefined();
    expect(() => compiled?.evaluate({})).toThrow(FastPathUnsupported);
  });

  it('keeps no state between evaluations', () => {
    const compiled = fast('( $x := a; $x )').fast;
    expect(compiled?.evaluate({ a: 1 })).toBe(1);
    expect(compiled?.evaluate({})).toBeUndefined();
  });
});

describe('compileFast: what it keeps or sizes between and within evaluations', () => {
  const stock = async (source: string, input: unknown) => jsonata(source).evaluate(input);
  const noHoles = (array: unknown[]) => {
    for (let i = 0; i < array.length; i++) expect(i in array, `index ${i}`).toBe(true);
  };

  it("reuses a block's frame without keeping its bindings, after a clean end or a throw", async () => {
    const source = '( $seen := $exists($x); $x := a; $n := $x + b; a > 1 ? ($late := a); { "seen": $seen, "n": $n, "late": $late } )';
    const compiled = fast(source).fast!;
    for (const input of [{ a: 2, b: 1 }, { a: 1, b: 1 }, { a: 3, b: 'x' }, { a: 1, b: 2 }]) {
      let quick: unknown;
      try {
        quick = compiled.evaluate(input);
      } catch (error) {
        quick = { code: (error as { code?: string }).code };
      }
      const expected = await stock(source, input).catch((error: { code?: string }) => ({ code: error.code }));
      expect(quick, JSON.stringify(input)).toEqual(expected);
    }
  });

  it("reuses a written-in function's frame per item without its bindings leaking to the next", async () => {
    const sources = [
      '$map(a, function($v, $i) { ( $prev := $exists($p); $p := $v; { "v": $v, "i": $i, "prev": $prev } ) })',
      '$map(a, function($v) { ( $v > 1 ? ($big := $v); $big ) })',
      '$filter(a, function($v, $i, $all) { $v > $i and $count($all) > 1 })',
      // No parameter: the bind goes into the function's own frame, which must start empty each time.
      '$map(a, function() { $x := $exists($x) })',
      '$map(a, function($v) { $w := $exists($w) ? "again" : $v })',
    ];
    for (const source of sources) {
      const compiled = fast(source).fast!;
      expect(compiled, source).toBeDefined();
      for (const input of [{ a: [3, 1, 2] }, { a: [0, 5] }]) {
        expect(compiled.evaluate(input), `${source} on ${JSON.stringify(input)}`).toEqual(await stock(source, input));
      }
    }
  });

  it('builds objects that are plain objects, keys in the written order', () => {
    for (const source of ['{ "b": a, "a": a, "z": missing, "c": 1 }', '$removeEmpty({ "b": a, "a": "", "c": [] , "d": 2 })']) {
      const compiled = fast(source, true).fast!;
      for (const a of [1, 2, 3]) {
        const value = compiled.evaluate({ a }) as Record<string, unknown>;
        expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
        expect(value.constructor).toBe(Object);
        expect(Object.keys(value)).toEqual(source.startsWith('{') ? ['b', 'a', 'c'] : ['b', 'd']);
        value.remote_data = { a };
        expect(JSON.stringify(value)).toContain(`"remote_data":{"a":${a}}`);
      }
    }
  });

  it('gives arrays and sequences of the right length, without holes, however they grow', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => i);
    const cases: [string, unknown][] = [
      ['[a, missing, b]', { a: 1, b: 3 }],
      ['[a, ys, b]', { a: 1, ys: [2, 3, 4, 5, 6], b: 7 }],
      ['[ys, ys, missing]', { ys: [1, 2] }],
      ['[ys]', { ys: many }],
      ['ys[$ % 3 = 0]', { ys: many }],
      ['ys[$ > 2]', { ys: [1, 5, 2, 7] }],
      ['ys.($ * 2)', { ys: many }],
      ['$map(ys, function($v) { $v > 2 ? $v })', { ys: [1, 5, 2, 7] }],
      ['($x := ys; $x.{ "v": $ })', { ys: [1, 2] }],
      ['($x := y; $x.{ "v": $ })', { y: 1 }],
      ['items.tags', { items: [{ tags: ['a', 'b'] }, { tags: 'c' }, {}, { tags: ['d'] }] }],
      ['items[0].tags', { items: [{ tags: ['a', 'b'] }] }],
      ['$.items.tags^($)', { items: [{ tags: ['b', 'a'] }] }],
    ];
    for (const [source, input] of cases) {
      const quick = fast(source).fast!.evaluate(input);
      expect(quick, source).toEqual(await stock(source, input));
      if (Array.isArray(quick)) noHoles(quick);
    }
  });
});

describe('compileFast guardrails', () => {
  it('stops a long evaluation with D1012 when timeoutMs is set', () => {
    const quadratic = jsonata('items.( $v := x; $count($$.items[x = $v]) )');
    const compiled = compileFast(quadratic, { timeoutMs: 5 });
    const items = Array.from({ length: 3000 }, (_, i) => ({ x: i % 10 }));
    expect(() => compiled?.evaluate({ items })).toThrow(expect.objectContaining({ code: 'D1012' }));
    expect(compileFast(quadratic)?.evaluate({ items: items.slice(0, 20) })).toHaveLength(20);
  });

  it('falls back for very deeply nested expressions', () => {
    const deep = jsonata(`${'('.repeat(150)}1${')'.repeat(150)}`);
    expect(compileFast(deep)).toBeUndefined();
    expect(explainFallback(deep)).toBe('syntax tree too deep');
  });
});

describe('compileFast scoping and helper errors', () => {
  it('falls back for a lambda named like a built-in (out of scope the built-in applies)', () => {
    expect(compileFast(jsonata('( ( $string := function($x) { "a" }; 0 ); $string(5) )'))).toBeUndefined();
  });

  it('locates errors thrown by helpers like stock jsonata', async () => {
    const { expression, fast: compiled } = fast('$toIsoDate(t, "yyyy", "Europe/Paris")', true);
    const input = { t: '2024' };
    const stock = await expression.evaluate(input).then(() => undefined, (error: unknown) => error);
    let quick: unknown;
    try {
      compiled?.evaluate(input);
    } catch (error) {
      quick = error;
    }
    expect(quick).toBeInstanceOf(Error);
    expect(quick).toMatchObject({ message: (stock as Error).message, position: (stock as { position: number }).position, token: 'toIsoDate' });
  });
});

describe('compileFast: $map, $filter, $single, $reduce, $each and $sift with the function written in the call', () => {
  // Each expression on each input: the fast path gives what stock jsonata gives, or the same error.
  const inputs: unknown[] = [
    { a: [1, 2, 3, 0, -1], s: 'x', o: { k: 1 }, n: null, mixed: ['', 'b', 0, 3, null, true, false, [], [0], {}, { z: 1 }], deep: [[1, 2], [3]] },
    { a: 5, s: '', mixed: 'only' },
    { a: [], mixed: [] },
    {},
    [{ a: [1, 2] }, { a: [3] }],
  ];
  const sources = [
    '$map(a, function($v) { $v * 2 })',
    '$map(a, function($v, $i) { $v + $i })',
    '$map(a, function($v, $i, $arr) { $count($arr) - $i })',
    '$map(a, function() { "k" })',
    '( $x := "outer"; $map(a, function($v, $i, $arr, $x) { $x }) )',
    '( $x := "outer"; $map(a, function($v) { $x & $string($v) }) )',
    '$map(a, function($v) { $v > 1 ? $v })',
    '$map(a, function($v) { [$v, $v] })',
    '$map(deep, function($v) { $v })',
    '$map(a, function($v) { s })',
    '$map(a, function($v) { $$.s })',
    '$map(a, function($v) { { "v": $v, "s": s } })',
    '$map(a, function($v) { { "w": $map(a, function($w) { $v * 10 + $w }) } })',
    '$map(a, function($v) { $v + "x" })',
    '$map(s, function($v) { $v & "!" })',
    '$map(missing, function($v) { $v })',
    '$map(a, function($v) { $v })[]',
    'a ~> $map(function($v) { -$v })',
    '$filter(a, function($v) { $v > 1 })',
    '$filter(a, function($v, $i) { $i % 2 = 0 })',
    '$filter(a, function($v, $i, $arr) { $v = $max($arr) })',
    '$filter(mixed, function($v) { $v })',
    '$filter(mixed, function($v) { $exists($v) })',
    '$filter(mixed, function($v) { $string($v) })',
    '$filter(mixed, function($v) { $type($v) = "string" and $v != "" })',
    '$filter(s, function($v) { $v })',
    '$filter(missing, function($v) { true })',
    '$filter(a, function($v) { $v })[0]',
    '$filter(a, function($v) { $v > 2 })[]',
    'mixed ~> $filter(function($v) { $type($v) = "number" })',
    '$count($filter(a, function($v) { $v > 0 }))',
    '$filter($map(a, function($v) { $v - 1 }), function($v) { $v != 0 })',
    '$filter(a, function($v) { $v.x })',
    '$filter(a, function($v) { $v + "x" })',
    'a.$filter(a, function($v) { $v > 1 })',
    '$single(a, function($v) { $v = 2 })',
    '$single(a, function($v, $i) { $i = 0 })',
    '$single(a, function($v) { $v > 0 })',
    '$single(a, function($v) { $v > 100 })',
    '$single(o, function($v) { $v.k = 1 })',
    '$single(mixed, function($v, $i, $arr) { $count($arr) = $i + 1 })',
    '$each(o, function($v, $k) { $k & "=" & $string($v) })',
    '$each(o, function($v) { { "v": $v } })',
    '$each(o, function($v, $k, $obj) { { "n": $count($keys($obj)) } })',
    '$each(missing, function($v) { { "v": $v } })',
    '$each(s, function($v) { { "v": $v } })',
    '$each(a, function($v) { { "v": $v } })',
    '$each(n, function($v) { { "v": $v } })',
    'o ~> $each(function($v, $k) { $k })',
    '$sift(o, function($v) { $v })',
    '$sift(o, function($v, $k) { $k != "k" })',
    '$sift(o, function($v, $k, $obj) { $exists($lookup($obj, $k)) })',
    '$sift(missing, function($v) { true })',
    '$sift(a, function($v) { true })',
    'o ~> $sift(function($v) { $v > 0 })',
    '$reduce(a, function($acc, $v) { $acc + $v })',
    '$reduce(a, function($acc, $v) { $acc + $v }, 100)',
    '$reduce(a, function($acc, $v, $i) { $acc & $string($i) & ":" & $string($v) & ";" }, "")',
    '$reduce(a, function($acc, $v, $i, $arr) { $acc + $count($arr) })',
    '$reduce(a, function($acc, $v) { $append($acc, $v * 2) }, [])',
    '$reduce(a, function($acc, $v) { $append($acc, $v) })',
    '$reduce(mixed, function($acc, $v) { $merge([$acc, {$string($v): $type($v)}]) }, {})',
    '$reduce(a, function($acc, $v) { $max([$acc, $v]) })',
    '$reduce(a, function($acc, $v) { $v > 0 ? $acc + $v : $acc })',
    '$reduce(s, function($acc, $v) { $acc & $v }, ">")',
    '$reduce(missing, function($acc, $v) { $acc + $v }, 1)',
    '$reduce(a, function($acc, $v) { $acc + $v }, missing)',
    '$reduce(mixed, function($acc, $v) { $acc + $v })',
    'a ~> $reduce(function($acc, $v) { $acc * 2 + $v }, 0)',
    '$reduce(deep, function($acc, $v) { $append($acc, $v) }, [])',
    '$reduce([], function($acc, $v) { $acc + $v })',
    '$reduce([], function($acc, $v) { $acc + $v }, 7)',
  ];

  it('gives what stock jsonata gives, results and errors', async () => {
    let compiledCount = 0;
    let ran = 0;
    for (const source of sources) {
      const { expression, fast: compiled } = fast(source);
      if (compiled) compiledCount++;
      for (const input of inputs) {
        const label = `${source} on ${JSON.stringify(input)}`;
        const stock = await expression.evaluate(input).then(
          (value: unknown) => ({ value }),
          (error: { code?: string; position?: number; token?: string }) => ({ error: { code: error.code, position: error.position, token: error.token } }),
        );
        let quick: unknown;
        try {
          quick = { value: (compiled ?? { evaluate: () => { throw new Error(`${source} did not compile`); } }).evaluate(input) };
        } catch (error) {
          // Giving up at run time (a value it does not handle) is allowed: the engine then runs stock jsonata.
          if (error instanceof FastPathUnsupported) continue;
          const e = error as { code?: string; position?: number; token?: string };
          quick = { error: { code: e.code, position: e.position, token: e.token } };
        }
        ran++;
        expect(JSON.parse(JSON.stringify(quick)), label).toEqual(JSON.parse(JSON.stringify(stock)));
      }
    }
    expect(compiledCount).toBe(sources.length);
    // Only the object functions on a non-object give up (stock jsonata reports T0410 there).
    expect(ran).toBeGreaterThan(sources.length * inputs.length - 15);
    expect(ran).toBeLessThanOrEqual(sources.length * inputs.length);
  });

  it('falls back where jsonata would differ or the function is not written in the call', () => {
    for (const source of [
      '$map(a, function($v) { $string($v) })', // a tail call: jsonata keeps its value uncollapsed
      '$each(o, function($v) { $string($v) })', // the same for $each
      '$sift(function($v) { $v })', // the object taken from the context
      '$reduce(a, function($v) { $v })', // a $reduce function of one parameter: stock jsonata's D3050
      '$map(a, function($v)<n:n> { $v })', // a signature
      '$map(a, function($string) { $string })', // a parameter named like a function
      '$map(a, function($$) { $$ })', // `$$` as a parameter: inside, `$$` is the item, not the input
      '( $f := function($$) { $$ }; $f(5) )', // the same for a lambda bound in a block
      '( $f := function($v) { $v }; $map(a, $f) )', // the function as a value
      '$map(a, function($v) { $v }, 1)', // too many arguments
    ]) {
      const { expression, fast: compiled } = fast(source);
      expect(compiled, source).toBeUndefined();
      expect(explainFallback(expression), source).toEqual(expect.any(String));
    }
  });

  it('looks at the clock on every round, where one round can be slow (a string doubled by $pad)', () => {
    const compiled = compileFast(jsonata('$reduce([1..26], function($a, $i) { $pad($a, $length($a) * 2, "x") }, "x")'), { timeoutMs: 50 });
    expect(compiled).toBeDefined();
    const started = Date.now();
    expect(() => compiled!.evaluate({})).toThrow(expect.objectContaining({ code: 'D1012' }));
    // Without it, the 26 rounds (a few nodes each, far fewer than a tick's 1024) would run to 64 MB.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('stops a runaway function with the timeout', () => {
    const compiled = compileFast(jsonata('$map([1..2000], function($v) { [$map([1..2000], function($w) { $v * $w })] })'), { timeoutMs: 20 });
    expect(compiled).toBeDefined();
    expect(() => compiled!.evaluate({})).toThrow(expect.objectContaining({ code: 'D1012' }));
  });
});

describe('compileFast: $toMillis', () => {
  it('parses as stock jsonata does, with the evaluation time for the parts a picture leaves out', async () => {
    const cases: [string, unknown][] = [
      ['$toMillis(t)', { t: '2024-05-30T08:12:44.325Z' }],
      ['$toMillis(t)', { t: '2024-05-30' }],
      ['$toMillis(t)', { t: 'yesterday' }],
      ['$toMillis(t)', {}],
      ['$toMillis(t, "[D01]/[M01]/[Y0001] [H01]:[m01]")', { t: '30/05/2024 08:12' }],
      ['$toMillis(t, "[M01]-[D01]")', { t: '05-30' }],
      ['$toMillis(t, "[H01]:[m01]")', { t: '08:12' }],
      ['$toMillis(t, "[Y0001]")', { t: 'not a year' }],
      ['$map(ts, function($t) { { "ms": $toMillis($t) } })', { ts: ['2024-01-01T00:00:00Z', '2024-01-02T00:00:00+01:00'] }],
    ];
    for (const [source, input] of cases) {
      const { expression, fast: compiled } = fast(source);
      expect(compiled, source).toBeDefined();
      const stock = await expression.evaluate(input).then(
        (value: unknown) => ({ value }),
        (error: { code?: string }) => ({ code: error.code }),
      );
      let quick: unknown;
      try {
        quick = { value: compiled!.evaluate(input) };
      } catch (error) {
        quick = { code: (error as { code?: string }).code };
      }
      expect(quick, source).toEqual(stock);
    }
  });
});

describe('compileFast: $now and $millis', () => {
  it('read one timestamp per evaluation, formatted as stock jsonata formats it', async () => {
    const { expression, fast: compiled } = fast('{"a": $now(), "b": $now(), "m": $millis(), "y": $now("[Y0001]"), "z": $now("[H01]", "+0100")}');
    expect(compiled).toBeDefined();
    const before = Date.now();
    const quick = compiled!.evaluate({}) as Record<string, unknown>;
    const after = Date.now();
    const stock = (await expression.evaluate({})) as Record<string, unknown>;
    expect(quick.a).toBe(quick.b);
    expect(Date.parse(quick.a as string)).toBe(quick.m);
    expect(quick.m).toBeGreaterThanOrEqual(before);
    expect(quick.m).toBeLessThanOrEqual(after);
    expect(quick.y).toBe(stock.y);
    expect(String(quick.z)).toMatch(/^\d\d$/);
    expect(Object.keys(quick)).toEqual(Object.keys(stock));
    // A later evaluation has its own timestamp, never an earlier one's.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((compiled!.evaluate({}) as { m: number }).m).toBeGreaterThan(quick.m as number);
  });

  it('gives up on an argument that is not a string, and falls back for $millis with arguments', () => {
    expect(() => fast('$now(1)').fast!.evaluate({})).toThrow(FastPathUnsupported);
    expect(fast('$millis(1)').fast).toBeUndefined();
  });
});

describe('compileFast: order-by, path^(…)', () => {
  const inputs: unknown[] = [
    {
      items: [
        { name: 'c', price: 3, qty: 1 },
        { name: 'a', price: 1, qty: 2 },
        { name: 'b', price: 3, qty: 0 },
        { name: 'd', qty: 5 },
        { name: 'e', price: 2, qty: 2 },
        { name: 'f', price: 1, qty: 2 },
      ],
      one: { name: 'x', price: 1 },
      mixed: [{ k: 1 }, { k: 'a' }],
      objs: [{ k: { z: 1 } }, { k: 2 }],
      nums: [5, 3, 9, 1, 3],
    },
    { items: [{ name: 'solo', price: 9 }] },
    { items: [] },
    {},
  ];
  const sources = [
    'items^(price)',
    'items^(>price)',
    'items^(price).name',
    'items^(>price, name).name',
    'items^(qty, >name).name',
    'items^(price)[0].name',
    'items^(price)[-1]',
    'items^($.price * -1).name',
    'items^(missing).name',
    'items^(name)[price > 1].name',
    'one^(price)',
    'mixed^(k)',
    'objs^(k)',
    'nums^($)',
    'nums^(>$)',
    '$count(items^(price))',
    '{ "cheapest": items^(price)[0].name, "n": $count(items) }',
    'items.{ "n": name }^(n)',
  ];

  it('gives what stock jsonata gives, results and errors', async () => {
    for (const source of sources) {
      const { expression, fast: compiled } = fast(source);
      expect(compiled, source).toBeDefined();
      for (const input of inputs) {
        const stock = await expression.evaluate(input).then(
          (value: unknown) => ({ value }),
          (error: { code?: string; position?: number }) => ({ error: { code: error.code, position: error.position } }),
        );
        let quick: unknown;
        try {
          quick = { value: compiled!.evaluate(input) };
        } catch (error) {
          const e = error as { code?: string; position?: number };
          quick = { error: { code: e.code, position: e.position } };
        }
        expect(JSON.parse(JSON.stringify(quick)), `${source} on ${JSON.stringify(input)}`).toEqual(JSON.parse(JSON.stringify(stock)));
      }
    }
  });

  it('keeps equal keys in their order (a stable merge sort), and sorts 20,000 items in well under a second', () => {
    const items = Array.from({ length: 20_000 }, (_, i) => ({ i, k: (i * 7919) % 100 }));
    const compiled = fast('items^(k).i').fast!;
    const started = Date.now();
    const out = compiled.evaluate({ items }) as number[];
    expect(Date.now() - started).toBeLessThan(1000);
    const expected = [...items].sort((a, b) => a.k - b.k).map((x) => x.i); // Array.prototype.sort is stable too
    expect([...out]).toEqual(expected); // the result is a jsonata sequence (it has a `sequence` flag)
  });
});
