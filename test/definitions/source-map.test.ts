import { describe, expect, it } from 'vitest';
import {
  parseYamlWithPositions,
  renderCodeFrame,
  type JsonPath,
  type ParsedYaml,
  type SourcePosition,
} from '../../engine/definitions/source-map.js';

/** The character an editor shows at `pos` (columns count code points). */
function charAt(parsed: ParsedYaml, pos: SourcePosition): string | undefined {
  return Array.from(parsed.lines[pos.line - 1] ?? '')[pos.column - 1];
}

function valueAt(parsed: ParsedYaml, path: JsonPath): string {
  let v: unknown = parsed.data;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  if (typeof v !== 'string') throw new Error(`no string at ${path.join('.')}`);
  return v;
}

/** Every character of the value that can be seen in the source must map onto itself. */
function expectVisibleCharsExact(parsed: ParsedYaml, path: JsonPath): void {
  const value = valueAt(parsed, path);
  const chars = Array.from(value);
  let i = 0;
  for (const c of chars) {
    if (!/\s/.test(c)) {
      const pos = parsed.locateInScalar(path, i);
      expect({ i, c: charAt(parsed, pos) }).toEqual({ i, c });
    }
    i += c.length;
  }
}

const yaml = (...lines: string[]): string => lines.join('\n') + '\n';

// A 20-line definition with a JSONata block literal under nested keys.
const DEFINITION = yaml(
  'name: acme', //                                   1
  'version: 1', //                                   2
  'auth:', //                                        3
  '  type: bearer', //                               4
  'endpoints:', //                                   5
  '  listContacts:', //                              6
  '    method: GET', //                              7
  '    path: /contacts', //                          8
  '    response:', //                                9
  '      mapping: |', //                             10
  '        (', //                                    11
  '          $items := body.data;', //               12
  '          $foo($items, "name")', //               13
  '            .{ "id": id }', //                    14
  '        )', //                                    15
  '    errors:', //                                  16
  '      - status: 404', //                          17
  '        mapping: >-', //                          18
  '          "not found: " & $string(body)', //      19
  'notes: done', //                                  20
);
const MAPPING: JsonPath = ['endpoints', 'listContacts', 'response', 'mapping'];

describe('parseYamlWithPositions: data', () => {
  it('parses a definition into plain objects without problems', () => {
    const parsed = parseYamlWithPositions(DEFINITION);
    expect(parsed.problems).toEqual([]);
    expect(parsed.lines).toHaveLength(21); // 20 lines and the empty one after the final newline
    expect(valueAt(parsed, MAPPING)).toBe('(\n  $items := body.data;\n  $foo($items, "name")\n    .{ "id": id }\n)\n');
    expect(Object.getPrototypeOf(parsed.data)).toBe(Object.prototype);
  });

  it('parses an empty document to null', () => {
    const parsed = parseYamlWithPositions('');
    expect(parsed.data).toBeNull();
    expect(parsed.problems).toEqual([]);
    expect(parsed.locate(['anything'])).toEqual({ line: 1, column: 1, offset: 0 });
    expect(parsed.locateInScalar([], 3)).toEqual({ line: 1, column: 1, offset: 0 });
  });

  it('keeps a __proto__ key as an own property and never touches a prototype', () => {
    const parsed = parseYamlWithPositions(yaml('__proto__: {polluted: 1}', 'nested:', '  __proto__:', '    polluted: 2'));
    expect(parsed.problems).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    const data = parsed.data as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(data.nested)).toBe(Object.prototype);
    expect(Object.keys(data)).toEqual(['__proto__', 'nested']);
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(data.polluted).toBeUndefined();
    expect(data.nested.polluted).toBeUndefined();
    // Kept, so a schema check can point at it as an unknown property.
    expect(parsed.locate(['nested', '__proto__'], 'key')).toMatchObject({ line: 3, column: 3 });
  });

  it('gives JSON-like data for 1.1 tags and merge keys, reporting the tags', () => {
    const parsed = parseYamlWithPositions(
      yaml('%YAML 1.1', '---', 'a: !!set {x, y}', 'b: !!omap [ {k: 1} ]', 'c: !!timestamp 2001-12-14', 'd: !!binary aGk=', 'base: &b {q: 1}', 'e: {<<: *b}', 'f: yes'),
    );
    const data = parsed.data as Record<string, unknown>;
    expect(data).toEqual({
      a: { x: null, y: null },
      b: [{ k: 1 }],
      c: '2001-12-14',
      d: 'aGk=',
      base: { q: 1 },
      e: { '<<': { q: 1 } },
      f: 'yes',
    });
    expect(parsed.problems.map((p) => [p.code, p.position.line, p.position.column])).toEqual([
      ['yaml_syntax', 3, 4],
      ['yaml_syntax', 4, 4],
      ['yaml_syntax', 5, 4],
      ['yaml_syntax', 6, 4],
    ]);
    expect(parsed.problems[0].message).toContain('Unresolved tag');
  });

  it('makes all keys strings', () => {
    const parsed = parseYamlWithPositions(yaml('1: a', 'true: b', '~: c', 'null: d'));
    expect(parsed.data).toEqual({ '1': 'a', true: 'b', '~': 'c', null: 'd' });
    expect(parsed.locate([1], 'key')).toMatchObject({ line: 1, column: 1 });
    expect(parsed.locate(['~'])).toMatchObject({ line: 3, column: 4 });
  });
});

describe('parseYamlWithPositions: problems', () => {
  it('reports every syntax error with its position, and still gives best-effort data', () => {
    const text = yaml('name: acme', 'list: [1, 2', 'other: ok', 'quote: "never closed', 'last: 1');
    const parsed = parseYamlWithPositions(text);
    expect(parsed.problems.length).toBeGreaterThanOrEqual(2);
    expect(parsed.problems.every((p) => p.code === 'yaml_syntax')).toBe(true);
    const unclosedFlow = parsed.problems.find((p) => p.message.includes('end with a ]'));
    const unclosedQuote = parsed.problems.find((p) => p.message.includes('Missing closing "quote'));
    // yaml reports the unclosed flow sequence where the next block entry starts,
    // and the missing quote at the end of the input.
    expect(unclosedFlow?.position).toEqual({ line: 3, column: 1, offset: 23 });
    expect(unclosedQuote?.position).toEqual({ line: 6, column: 1, offset: text.length });
    expect((parsed.data as Record<string, unknown>).name).toBe('acme');
  });

  it('reports two independent errors on different lines', () => {
    const parsed = parseYamlWithPositions(yaml('a: 1', '\tb: 2', 'c: 3', 'd: [x', 'e: 5'));
    const positions = parsed.problems.map((p) => `${p.position.line}:${p.position.column}`);
    expect(positions).toContain('2:1'); // tab indentation
    expect(positions).toContain('5:1'); // unclosed flow sequence
    for (const p of parsed.problems) expect(p.message).not.toMatch(/at line \d+/); // no yaml pretty-print noise
  });

  it('reports each duplicate key at the duplicate, naming the first; the last value wins', () => {
    const parsed = parseYamlWithPositions(yaml('top:', '  id: 1', '  name: x', '  id: 2', 'top: again'));
    expect(parsed.problems).toEqual([
      {
        code: 'yaml_syntax',
        message: 'Duplicate key "id" (first defined at line 2, column 3)',
        position: { line: 4, column: 3, offset: 25 },
      },
      {
        code: 'yaml_syntax',
        message: 'Duplicate key "top" (first defined at line 1, column 1)',
        position: { line: 5, column: 1, offset: 31 },
      },
    ]);
    expect(parsed.data).toEqual({ top: 'again' });
    expect(parsed.locate(['top'], 'key')).toMatchObject({ line: 5, column: 1 });
  });

  it('stops a billion-laughs alias bomb quickly with a yaml_limit problem', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const started = Date.now();
    const parsed = parseYamlWithPositions(yaml(...lines));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].code).toBe('yaml_limit');
    expect(parsed.problems[0].message).toContain('YAML bomb');
    // Points at the alias that expands the most: the first *h.
    expect(parsed.problems[0].position).toMatchObject({ line: 9, column: 8 });
  });

  it('allows ordinary alias use', () => {
    const parsed = parseYamlWithPositions(yaml('defaults: &d {retries: 3}', 'a: *d', 'b: *d'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.data).toEqual({ defaults: { retries: 3 }, a: { retries: 3 }, b: { retries: 3 } });
    expect(parsed.locate(['b'])).toMatchObject({ line: 3, column: 4 }); // the alias itself
    expect(parsed.locate(['b', 'retries'])).toMatchObject({ line: 1, column: 24 }); // through it
  });

  it('honours maxAliasCount', () => {
    const parsed = parseYamlWithPositions(yaml('a: &a 1', 'b: [*a, *a, *a]'), { maxAliasCount: 2 });
    expect(parsed.problems.map((p) => p.code)).toEqual(['yaml_limit']);
    expect(parsed.data).toBeUndefined();
  });

  it('rejects recursive aliases instead of returning cyclic data', () => {
    const parsed = parseYamlWithPositions(yaml('a: &x', '  - 1', '  - *x'));
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems).toEqual([
      {
        code: 'yaml_limit',
        message: 'Alias *x refers to a collection that contains it; recursive data is not supported',
        position: { line: 3, column: 5, offset: 16 },
      },
    ]);
  });

  it('reports an alias without an anchor', () => {
    const parsed = parseYamlWithPositions(yaml('a: 1', 'b: *nope'));
    expect(parsed.data).toBeUndefined();
    expect(parsed.problems).toEqual([
      {
        code: 'yaml_syntax',
        message: 'Unknown alias *nope: no anchor &nope is defined before it',
        position: { line: 2, column: 4, offset: 8 },
      },
    ]);
  });

  it('rejects files over maxBytes, counting UTF-8 bytes, but still has lines', () => {
    const ok = parseYamlWithPositions('a: ééé\n', { maxBytes: 10 }); // 3 + 6 + 1 bytes
    expect(ok.problems).toEqual([]);
    const big = parseYamlWithPositions('a: éééé\n', { maxBytes: 10 });
    expect(big.data).toBeUndefined();
    expect(big.problems).toEqual([
      { code: 'yaml_limit', message: 'File is larger than the limit of 10 bytes', position: { line: 1, column: 7, offset: 6 } },
    ]);
    expect(big.lines).toEqual(['a: éééé', '']);
  });

  it('has a 1 MiB default size limit', () => {
    const parsed = parseYamlWithPositions(`a: "${'x'.repeat(1024 * 1024)}"\n`);
    expect(parsed.problems.map((p) => p.code)).toEqual(['yaml_limit']);
  });

  it('rejects nesting deeper than maxDepth, also when built from aliases', () => {
    const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    expect(parseYamlWithPositions(`a: ${nest(63)}\n`).problems).toEqual([]); // 64 levels with the root map
    const deep = parseYamlWithPositions(`a: ${nest(64)}\n`);
    expect(deep.data).toBeUndefined();
    expect(deep.problems).toEqual([
      { code: 'yaml_limit', message: 'Nesting is deeper than the limit of 64 levels', position: { line: 1, column: 67, offset: 66 } },
    ]);
    const viaAlias = parseYamlWithPositions(yaml('a: &a [[[1]]]', 'b: [[*a]]'), { maxDepth: 5 });
    expect(viaAlias.problems).toEqual([
      { code: 'yaml_limit', message: 'Nesting is deeper than the limit of 5 levels', position: { line: 2, column: 6, offset: 19 } },
    ]);
  });

  it('stops absurd nesting before composing it (deep recursion there can abort the process)', () => {
    const started = Date.now();
    // `'- '.repeat(5000)` alone used to crash node with "RegExpCompiler Allocation failed".
    for (const text of ['['.repeat(500_000), '- '.repeat(200_000), '? '.repeat(200_000), '[a: '.repeat(100_000), '- ['.repeat(100_000)]) {
      const parsed = parseYamlWithPositions(text);
      expect(parsed.data).toBeUndefined();
      expect(parsed.problems).toEqual([
        { code: 'yaml_limit', message: 'Nesting is deeper than the limit of 64 levels', position: expect.objectContaining({ line: 1 }) },
      ]);
      expect(parsed.problems[0].position.offset).toBeLessThan(300); // found early, where it gets too deep
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('checks duplicate keys in linear time (yaml\'s own check is quadratic)', () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `key${i}: ${i}`);
    const started = Date.now();
    const parsed = parseYamlWithPositions(yaml(...keys, 'key7: again'));
    expect(Date.now() - started).toBeLessThan(8000); // yaml's uniqueKeys: ~20 s
    expect(parsed.problems).toEqual([
      {
        code: 'yaml_syntax',
        message: 'Duplicate key "key7" (first defined at line 8, column 1)',
        position: expect.objectContaining({ line: 40_001, column: 1 }),
      },
    ]);
  });

  it('compares keys by their string value, as the data does', () => {
    const parsed = parseYamlWithPositions(yaml('1: a', "'1': b", 'x: {"k": 1, k: 2}'));
    expect(parsed.problems.map((p) => [p.message, p.position.line, p.position.column])).toEqual([
      ['Duplicate key "1" (first defined at line 1, column 1)', 2, 1],
      ['Duplicate key "k" (first defined at line 3, column 5)', 3, 13],
    ]);
    expect(parsed.data).toEqual({ '1': 'b', x: { k: 2 } });
  });

  it('reports a second document as a problem', () => {
    const parsed = parseYamlWithPositions(yaml('a: 1', '---', 'b: 2'));
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].position.line).toBe(2);
    expect(parsed.data).toEqual({ a: 1 });
  });

  it('never throws, whatever the input', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = ['a', 'b', ':', ' ', '  ', '\n', '-', '[', ']', '{', '}', ',', '"', "'", '\\', '|', '>', '&x', '*x', '!', '#', '?', '\t', '\r', '%', '@', '`', '€', '😀', '\uFEFF', '---', '...'];
    for (let n = 0; n < 400; n++) {
      let text = '';
      const len = Math.floor(random() * 60);
      for (let i = 0; i < len; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      const parsed = parseYamlWithPositions(text);
      for (const p of parsed.problems) {
        expect(p.position.line).toBeGreaterThanOrEqual(1);
        expect(p.position.column).toBeGreaterThanOrEqual(1);
      }
      expect(() => {
        parsed.locate(['a', 0, 'b']);
        parsed.locate(['a'], 'key');
        parsed.locateInScalar([], 5);
        parsed.locateInScalar(['a'], 1);
        parsed.locateInScalar([0], -3);
        renderCodeFrame(parsed.lines, 3, 7);
      }).not.toThrow();
    }
  });
});

describe('locate', () => {
  const text = yaml(
    'name: acme', //                 1
    'nested:', //                    2
    '  inner:', //                   3
    '    key: "value"', //           4
    '  list:', //                    5
    '    - first', //                6
    '    - id: 7', //                7
    '  flow: {x: 1, y: [a, b]}', //  8
    '  empty:', //                   9
    '  ? explicit', //               10
  );
  const parsed = parseYamlWithPositions(text);

  it('finds a key and its value separately', () => {
    expect(parsed.problems).toEqual([]);
    expect(parsed.locate(['nested', 'inner', 'key'], 'key')).toEqual({ line: 4, column: 5, offset: 32 });
    expect(parsed.locate(['nested', 'inner', 'key'], 'value')).toEqual({ line: 4, column: 10, offset: 37 });
    expect(parsed.locate(['nested', 'inner', 'key'])).toEqual(parsed.locate(['nested', 'inner', 'key'], 'value'));
  });

  it('finds sequence items, flow collections and the root', () => {
    expect(parsed.locate(['nested', 'list', 0])).toMatchObject({ line: 6, column: 7 });
    expect(parsed.locate(['nested', 'list', '1', 'id'])).toMatchObject({ line: 7, column: 11 });
    expect(parsed.locate(['nested', 'list', 1], 'key')).toMatchObject({ line: 7, column: 7 }); // items have no key
    expect(parsed.locate(['nested', 'flow', 'y', 1])).toMatchObject({ line: 8, column: 23 });
    expect(parsed.locate(['nested', 'flow', 'y'], 'key')).toMatchObject({ line: 8, column: 16 });
    expect(parsed.locate([])).toEqual({ line: 1, column: 1, offset: 0 });
  });

  it('points at the key of an empty value', () => {
    expect(parsed.data).toMatchObject({ nested: { empty: null, explicit: null } });
    expect(parsed.locate(['nested', 'empty'])).toMatchObject({ line: 9, column: 3 });
    expect(parsed.locate(['nested', 'explicit'])).toMatchObject({ line: 10, column: 5 });
  });

  it('falls back to the deepest existing ancestor of a partly missing path', () => {
    expect(parsed.locate(['nested', 'inner', 'missing', 'deeper'])).toEqual(parsed.locate(['nested', 'inner']));
    expect(parsed.locate(['nested', 'inner', 'missing'])).toMatchObject({ line: 4, column: 5 }); // the map's first key
    expect(parsed.locate(['nested', 'inner', 'missing'], 'key')).toMatchObject({ line: 3, column: 3 }); // `inner:`
    expect(parsed.locate(['nested', 'list', 9])).toMatchObject({ line: 6, column: 5 });
    expect(parsed.locate(['nested', 'list', 'x'])).toMatchObject({ line: 6, column: 5 });
    expect(parsed.locate(['name', 'sub'])).toMatchObject({ line: 1, column: 7 }); // a scalar has no children
    expect(parsed.locate(['nope'])).toEqual({ line: 1, column: 1, offset: 0 });
  });

  it('counts columns in characters, not UTF-16 units, and ignores a BOM', () => {
    const emoji = parseYamlWithPositions('a: "😀😀 x"\nb: 😀\n');
    expect(emoji.locate(['b'])).toEqual({ line: 2, column: 4, offset: 15 });
    const x = emoji.locateInScalar(['a'], '😀😀 '.length);
    expect(x.column).toBe(8);
    expect(charAt(emoji, x)).toBe('x');
    const bom = parseYamlWithPositions('\uFEFFkey: v\n');
    expect(bom.locate(['key'], 'key')).toEqual({ line: 1, column: 1, offset: 1 });
    expect(bom.locate(['key'])).toEqual({ line: 1, column: 6, offset: 6 });
    expect(bom.lines[0]).toBe('key: v');
  });

  it('handles CRLF line endings', () => {
    const crlf = parseYamlWithPositions('a: 1\r\nb:\r\n  c: |\r\n    x\r\n    $y(1)\r\n');
    expect(crlf.problems).toEqual([]);
    expect(crlf.lines).toEqual(['a: 1', 'b:', '  c: |', '    x', '    $y(1)', '']);
    expect(crlf.locate(['b', 'c'], 'key')).toEqual({ line: 3, column: 3, offset: 12 });
    const dollar = crlf.locateInScalar(['b', 'c'], valueAt(crlf, ['b', 'c']).indexOf('$'));
    expect(dollar).toEqual({ line: 5, column: 5, offset: 29 });
  });
});

describe('locateInScalar', () => {
  it('maps a character of a block literal to its exact line and column', () => {
    const parsed = parseYamlWithPositions(DEFINITION);
    const value = valueAt(parsed, MAPPING);
    // `$foo(` is on the 3rd line of the block, file line 13.
    expect(parsed.locateInScalar(MAPPING, value.indexOf('$foo('))).toEqual({
      line: 13,
      column: 11,
      offset: DEFINITION.indexOf('$foo('),
    });
    expect(parsed.locateInScalar(MAPPING, value.indexOf('.{'))).toMatchObject({ line: 14, column: 13 });
    expectVisibleCharsExact(parsed, MAPPING);
  });

  it('maps the newlines of a block literal to the line ends and the end of the value past its last character', () => {
    const parsed = parseYamlWithPositions(DEFINITION);
    const value = valueAt(parsed, MAPPING);
    expect(parsed.locateInScalar(MAPPING, 1)).toMatchObject({ line: 11, column: 10 }); // '\n' after '('
    expect(parsed.locateInScalar(MAPPING, value.length)).toMatchObject({ line: 15, column: 10 }); // after ')'
    expect(parsed.locateInScalar(MAPPING, value.length + 50)).toEqual(parsed.locateInScalar(MAPPING, value.length));
    expect(parsed.locateInScalar(MAPPING, -1)).toMatchObject({ line: 11, column: 9 });
  });

  it('is exact for |-, |+, explicit indentation and more-indented lines', () => {
    const text = yaml(
      'a:', //                    1
      '  strip: |-', //           2
      '    one', //               3
      '', //                      4
      '      two $x', //          5
      '  keep: |+', //            6
      '    k $a', //              7
      '', //                      8
      '  explicit: |2 # note', // 9
      '       deeper $b', //      10
      '     $c', //               11
      '  tabbed: |', //           12
      '    \t$d\t|', //           13
      '  last: x', //             14
    );
    const parsed = parseYamlWithPositions(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.data).toEqual({
      a: { strip: 'one\n\n  two $x', keep: 'k $a\n\n', explicit: '   deeper $b\n $c\n', tabbed: '\t$d\t|\n', last: 'x' },
    });
    for (const key of ['strip', 'keep', 'explicit', 'tabbed']) expectVisibleCharsExact(parsed, ['a', key]);
    expect(parsed.locateInScalar(['a', 'strip'], 'one\n\n  two '.length)).toMatchObject({ line: 5, column: 11 });
    expect(parsed.locateInScalar(['a', 'strip'], 'one\n'.length)).toMatchObject({ line: 4, column: 1 }); // the empty line
    // `|2` under a map indented by 2: content indentation is 4, the rest is kept.
    expect(parsed.locateInScalar(['a', 'explicit'], 0)).toMatchObject({ line: 10, column: 5 });
    expect(parsed.locateInScalar(['a', 'explicit'], '   deeper $b\n '.length)).toMatchObject({ line: 11, column: 6 });
    expect(parsed.locateInScalar(['a', 'tabbed'], 1)).toMatchObject({ line: 13, column: 6 });
  });

  it('aligns a folded scalar so that visible characters are exact', () => {
    const text = yaml(
      'expr:', //                     1
      '  main: >', //                 2
      '    $a.b', //                  3
      '    & "x"', //                 4
      '', //                          5
      '      more indented $m', //    6
      '    $foo(1)', //               7
    );
    const parsed = parseYamlWithPositions(text);
    const value = valueAt(parsed, ['expr', 'main']);
    expect(value).toBe('$a.b & "x"\n\n  more indented $m\n$foo(1)\n');
    expect(parsed.locateInScalar(['expr', 'main'], value.indexOf('$foo('))).toEqual({
      line: 7,
      column: 5,
      offset: text.indexOf('$foo('),
    });
    expect(parsed.locateInScalar(['expr', 'main'], value.indexOf('$m'))).toMatchObject({ line: 6, column: 21 });
    expectVisibleCharsExact(parsed, ['expr', 'main']);
    // The space that folding made out of a line break sits on that line break.
    expect(parsed.locateInScalar(['expr', 'main'], 4)).toMatchObject({ line: 3, column: 9 });
  });

  it('aligns a double-quoted scalar, skipping escapes', () => {
    const text = yaml(
      'x:', //                                       1
      '  dq: "say \\"hi\\" \\x41\\u00e9 \\\\ and', //  2
      '    then \\', //                              3
      '      $bar(1)\\t$baz"', //                    4
    );
    const parsed = parseYamlWithPositions(text);
    expect(parsed.problems).toEqual([]);
    const value = valueAt(parsed, ['x', 'dq']);
    expect(value).toBe('say "hi" Aé \\ and then $bar(1)\t$baz');
    expect(parsed.locateInScalar(['x', 'dq'], value.indexOf('$bar'))).toEqual({
      line: 4,
      column: 7,
      offset: text.indexOf('$bar'),
    });
    expect(parsed.locateInScalar(['x', 'dq'], value.indexOf('$baz'))).toMatchObject({ line: 4, column: 16 });
    expect(parsed.locateInScalar(['x', 'dq'], value.indexOf('then'))).toMatchObject({ line: 3, column: 5 });
    // Characters produced by an escape map to its backslash.
    expect(parsed.locateInScalar(['x', 'dq'], value.indexOf('A'))).toMatchObject({ line: 2, column: 19 });
    expect(parsed.locateInScalar(['x', 'dq'], value.indexOf('é'))).toMatchObject({ line: 2, column: 23 });
    expect(parsed.locateInScalar(['x', 'dq'], value.indexOf('"'))).toMatchObject({ line: 2, column: 12 });
    expect(parsed.locateInScalar(['x', 'dq'], 0)).toMatchObject({ line: 2, column: 8 });
  });

  it('aligns single-quoted and plain multi-line scalars', () => {
    const text = yaml(
      'a:', //                              1
      "  sq: 'it''s", //                    2
      "     $one(''q'')'", //               3
      '  plain: $first.x', //               4
      '     and   $second(2)', //           5
      '', //                                6
      '     $third', //                      7
    );
    const parsed = parseYamlWithPositions(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.data).toEqual({ a: { sq: "it's $one('q')", plain: '$first.x and   $second(2)\n$third' } });
    expect(parsed.locateInScalar(['a', 'sq'], "it's ".length)).toMatchObject({ line: 3, column: 6 });
    expect(parsed.locateInScalar(['a', 'sq'], 2)).toMatchObject({ line: 2, column: 10 }); // '' → '
    const plain = valueAt(parsed, ['a', 'plain']);
    expect(parsed.locateInScalar(['a', 'plain'], plain.indexOf('$second'))).toEqual({
      line: 5,
      column: 12,
      offset: text.indexOf('$second'),
    });
    expect(parsed.locateInScalar(['a', 'plain'], plain.indexOf('$third'))).toMatchObject({ line: 7, column: 6 });
    expectVisibleCharsExact(parsed, ['a', 'plain']);
  });

  it('follows aliases to the anchored text', () => {
    const parsed = parseYamlWithPositions(yaml('shared: &s |', '  $common()', 'use: *s'));
    expect(parsed.locateInScalar(['use'], 1)).toMatchObject({ line: 2, column: 4 });
  });

  it('falls back to locate for non-scalars, non-strings and missing paths', () => {
    const parsed = parseYamlWithPositions(DEFINITION);
    expect(parsed.locateInScalar(['endpoints', 'listContacts'], 3)).toEqual(parsed.locate(['endpoints', 'listContacts']));
    expect(parsed.locateInScalar(['endpoints', 'nope', 'x'], 3)).toEqual(parsed.locate(['endpoints']));
    expect(parsed.locateInScalar(['version'], 0)).toMatchObject({ line: 2, column: 10 });
    const folded = ['endpoints', 'listContacts', 'errors', 0, 'mapping'];
    const value = valueAt(parsed, folded);
    expect(parsed.locateInScalar(folded, value.indexOf('$string'))).toMatchObject({ line: 19, column: 27 });
  });
});

describe('renderCodeFrame', () => {
  it('shows the surrounding lines with numbers and a caret', () => {
    const parsed = parseYamlWithPositions(DEFINITION);
    const at = parsed.locateInScalar(MAPPING, valueAt(parsed, MAPPING).indexOf('$foo('));
    expect(renderCodeFrame(parsed.lines, at.line, at.column)).toBe(
      [
        '  11 |         (',
        '  12 |           $items := body.data;',
        '> 13 |           $foo($items, "name")',
        '     |           ^',
        '  14 |             .{ "id": id }',
        '  15 |         )',
      ].join('\n'),
    );
  });

  it('clips at the edges of the file and honours contextLines', () => {
    const lines = ['a: 1', '', 'c: 3'];
    expect(renderCodeFrame(lines, 1, 4, 1)).toBe(['> 1 | a: 1', '    |    ^', '  2 |'].join('\n'));
    expect(renderCodeFrame(lines, 3, 1, 0)).toBe(['> 3 | c: 3', '    | ^'].join('\n'));
    expect(renderCodeFrame(lines, 99, 99, 1)).toBe(['  2 |', '> 3 | c: 3', '    |     ^'].join('\n'));
  });

  it('keeps tabs and counts characters so the caret lines up', () => {
    expect(renderCodeFrame(['\t😀 x'], 1, 4, 0)).toBe(['> 1 | \t😀 x', '    | \t  ^'].join('\n'));
    expect(renderCodeFrame([], 1, 1)).toBe(['> 1 |', '    | ^'].join('\n'));
  });
});
