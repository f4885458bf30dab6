/**
 * The subset parser is a fast path for parseYamlWithPositions: where it accepts a text, the
 * data, the problems (none) and every position must be what the yaml library gives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseYamlWithPositions, type JsonPath } from '../../engine/definitions/source-map.js';
import { parseYamlSubset, resolvePlain } from '../../engine/definitions/yaml-subset.js';
import { hostileJson, plainJson } from '../support/arbitrary.js';

const root = path.resolve(import.meta.dirname, '../..');
const LIMITS = { maxDepth: 64, maxAliasCount: 100 };

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function allPaths(value: unknown, at: JsonPath = [], out: JsonPath[] = []): JsonPath[] {
  out.push(at);
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      allPaths((value as Record<string, unknown>)[key], [...at, Array.isArray(value) ? Number(key) : key], out);
    }
  }
  return out;
}

/**
 * 'outside' if the subset parser declines the text; otherwise a list of every difference
 * from the yaml library (empty when they agree).
 */
function differences(text: string): 'outside' | string[] {
  if (!parseYamlSubset(text, LIMITS)) return 'outside';
  const fast = parseYamlWithPositions(text);
  const library = parseYamlWithPositions(text, {}, { subset: false });
  const out: string[] = [];
  if (library.problems.length > 0) out.push(`accepted a text yaml reports: ${library.problems.map((p) => p.message).join('; ')}`);
  if (fast.problems.length > 0) out.push('the fast path reported problems');
  if (!isDeepStrictEqual(fast.data, library.data)) out.push(`data: ${JSON.stringify(fast.data)} != ${JSON.stringify(library.data)}`);
  if (out.length > 0) return out;
  for (const at of [...allPaths(library.data), ['no such key'], [999]]) {
    for (const part of ['key', 'value'] as const) {
      if (!isDeepStrictEqual(fast.locate(at, part), library.locate(at, part))) out.push(`locate(${JSON.stringify(at)}, ${part})`);
    }
    let value: unknown = library.data;
    for (const k of at) value = (value as Record<string | number, unknown> | undefined)?.[k];
    const last = typeof value === 'string' ? value.length + 1 : 2;
    for (let i = -1; i <= last; i++) {
      if (!isDeepStrictEqual(fast.locateInScalar(at, i), library.locateInScalar(at, i))) {
        out.push(`locateInScalar(${JSON.stringify(at)}, ${i})`);
        break;
      }
    }
  }
  return out;
}

const definitionFiles = readdirSync(path.join(root, 'mappings'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => path.join(root, 'mappings', f));
const repositoryFiles = [...yamlFiles(path.join(root, 'mappings')), ...yamlFiles(path.join(root, 'test'))];

describe('the YAML subset parser', () => {
  it('reads every bundled definition (else a cold start without the parse cache pays for the yaml library)', () => {
    expect(definitionFiles.length).toBeGreaterThanOrEqual(7);
    for (const file of definitionFiles) {
      const text = readFileSync(file, 'utf8');
      expect({ file, accepted: parseYamlSubset(text, LIMITS) !== undefined }).toEqual({ file, accepted: true });
      expect({ file, crlf: parseYamlSubset(text.replace(/\n/g, '\r\n'), LIMITS) !== undefined }).toEqual({ file, crlf: true });
    }
  });

  it('agrees with the yaml library on every YAML file of the repository: data, no problems, every position', () => {
    let accepted = 0;
    for (const file of repositoryFiles) {
      const text = readFileSync(file, 'utf8');
      // As a Windows checkout has them too: CRLF line ends.
      for (const [lineEnds, variant] of [['LF', text], ['CRLF', text.replace(/\r?\n/g, '\r\n')]] as const) {
        const result = differences(variant);
        if (result === 'outside') continue;
        accepted++;
        expect({ file, lineEnds, result }).toEqual({ file, lineEnds, result: [] });
      }
    }
    expect(accepted).toBeGreaterThan(200);
  }, 120_000);

  it('agrees with the yaml library on mutated pieces of the bundled files, or leaves them to it', () => {
    const texts = definitionFiles.map((f) => readFileSync(f, 'utf8').split('\n'));
    const snippet = fc.constantFrom(' ', '  ', '\n', ':', ': ', '- ', '#', ' #', '"', "'", '|', '>', '|-', '>+', '|2', '&a ', '*a', '[', ']', '{', '}', ',', '\\', '? ', '!', '---\n', '~', '\n\n', 'x', '0x1F', '.inf', '-', '@', '%', '\t', '\r\n', '<<: ');
    const mutation = fc.record({ at: fc.nat(), op: fc.constantFrom('insert', 'delete', 'overwrite'), snippet, length: fc.integer({ min: 1, max: 3 }) });
    let agreed = 0;
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 30 }), fc.boolean(), fc.boolean(), fc.array(mutation, { maxLength: 3 }), (which, from, count, newline, crlf, mutations) => {
        const lines = texts[which % texts.length];
        const start = from % lines.length;
        const window = lines.slice(start, start + count);
        const indent = Math.min(...window.filter((l) => l.trim() !== '').map((l) => l.length - l.trimStart().length));
        const lineEnd = crlf ? '\r\n' : '\n';
        let text = window.map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join(lineEnd) + (newline ? lineEnd : '');
        for (const m of mutations) {
          const at = m.at % (text.length + 1);
          if (m.op === 'insert') text = text.slice(0, at) + m.snippet + text.slice(at);
          else if (m.op === 'delete') text = text.slice(0, at) + text.slice(at + m.length);
          else text = text.slice(0, at) + m.snippet + text.slice(at + m.snippet.length);
        }
        const result = differences(text);
        if (result !== 'outside') agreed++;
        expect({ text, result }).toEqual({ text, result: result === 'outside' ? 'outside' : [] });
      }),
      { seed: Number(process.env.YAML_SUBSET_SEED ?? 20261129), numRuns: Number(process.env.YAML_SUBSET_RUNS ?? 1500) },
    );
    expect(agreed).toBeGreaterThan(200); // the comparison really ran
  }, 60_000);

  it('agrees with the yaml library on documents yaml writes in every style, with comments and aliases', () => {
    const options = fc.record({
      indent: fc.integer({ min: 1, max: 4 }),
      indentSeq: fc.boolean(),
      lineWidth: fc.constantFrom(0, 20, 80),
      minContentWidth: fc.constant(0),
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL', 'BLOCK_FOLDED'),
      defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE'),
      collectionStyle: fc.constantFrom('any', 'block', 'flow'),
      flowCollectionPadding: fc.boolean(),
    } as const);
    // Lines as mappings have them: block scalars with empty lines, indentation, comments, quotes.
    const line = fc.constantFrom('word', 'two words', '', '', ' lead', '  more indented', 'trail ', '#x', 'a # b', 'a: b', "it's", '"q"', 'é☕😀', '- item', '$a := 1;');
    const text = fc.array(line, { minLength: 1, maxLength: 6 }).map((lines) => lines.join('\n'));
    const key = fc.constantFrom('a', 'the key', 'response_mapping', '1', 'true', 'x:y', 'k#', 'é', '-k', '"k"');
    const value = fc.oneof(plainJson(3), hostileJson({ maxStringLength: 40 }), fc.dictionary(key, text), fc.array(fc.oneof(text, fc.dictionary(key, text))));
    let agreed = 0;
    fc.assert(
      fc.property(value, value, options, fc.boolean(), fc.boolean(), fc.array(fc.nat(), { maxLength: 4 }), (a, b, opts, shared, crlf, comments) => {
        // The same object twice makes yaml write an anchor and an alias.
        const doc = new YAML.Document({ first: a, second: b, again: shared ? a : b });
        let text = doc.toString(opts);
        const lines = text.split('\n');
        for (const c of comments) {
          const at = c % lines.length;
          const indent = c % 7;
          if (c % 2 === 0) lines.splice(at, 0, `${' '.repeat(indent)}# comment ${c}`);
          else if (lines[at] !== '' && !/[|>][-+]?$/.test(lines[at])) lines[at] += ` # trailing ${c}`;
        }
        text = lines.join(crlf ? '\r\n' : '\n');
        const result = differences(text);
        if (result !== 'outside') agreed++;
        expect({ text, result }).toEqual({ text, result: result === 'outside' ? 'outside' : [] });
      }),
      { seed: Number(process.env.YAML_SUBSET_SEED ?? 20261129), numRuns: Number(process.env.YAML_SUBSET_RUNS ?? 1500) },
    );
    expect(agreed).toBeGreaterThan(150);
  }, 60_000);

  it('reads the constructs definitions use', () => {
    const text = [
      'name: acme # the vendor',
      'n: 12',
      'f: -1.5e3',
      'hex: 0x1F',
      'oct: 0o17',
      'yes: true',
      'nothing: ~',
      'empty:',
      "single: 'it''s'",
      'double: "tab\\tand \\u00e9 \\U0001F600"',
      'url: https://example.com/a#b',
      'list: [a, "b c", 3, {k: v}]',
      'map: { content-type: application/json; charset=UTF-8 }',
      'literal: &expr |',
      '  (',
      '    $a := 1;',
      '',
      '    $a + 1',
      '  )',
      'folded: >-',
      '  one',
      '  two',
      '',
      '  three',
      'again: *expr',
      'items:',
      '- a: 1',
      '  b: [x]',
      '- - nested',
      '  - seq',
      '',
    ].join('\n');
    const doc = parseYamlSubset(text, LIMITS);
    expect(doc?.data).toEqual({
      name: 'acme',
      n: 12,
      f: -1500,
      hex: 31,
      oct: 15,
      yes: true,
      nothing: null,
      empty: null,
      single: "it's",
      double: 'tab\tand é 😀',
      url: 'https://example.com/a#b',
      list: ['a', 'b c', 3, { k: 'v' }],
      map: { 'content-type': 'application/json; charset=UTF-8' },
      literal: '(\n  $a := 1;\n\n  $a + 1\n)\n',
      folded: 'one two\nthree',
      again: '(\n  $a := 1;\n\n  $a + 1\n)\n',
      items: [{ a: 1, b: ['x'] }, ['nested', 'seq']],
    });
    expect(differences(text)).toEqual([]);
  });

  it('leaves to the yaml library what it does not implement, and every error', () => {
    const outside = [
      '%YAML 1.2\n---\na: 1\n', // directives, document markers
      'a: 1\n---\nb: 2\n',
      'a: !!str 1\n', // tags
      'a:\tb\n', // tabs
      'a: 1\rb: 2\n', // a CR that does not end a line
      '\uFEFFa: 1\n', // BOM
      'a: one\n  two\n', // multi-line plain scalar
      'a: "one\n  two"\n', // multi-line quoted scalar
      'a: |+\n  keep\n\n', // keep chomping
      'a: |2\n   x\n', // explicit indentation
      'a: >\n  one\n    more\n  two\n', // more-indented folded line
      'a: |\n\n  leading empty line\n', // leading empty line
      '? complex\n: key\n',
      'a: 1\na: 2\n', // duplicate key: yaml reports it
      '__proto__: 1\n',
      '<<: { a: 1 }\n',
      'a: *nowhere\n', // unknown alias
      'a: &x 1\nb: &x 2\n', // redefined anchor
      'a: &x [1, *y]\n',
      'a: &x [1]\nb: [*x, *x]\n', // an alias inside a flow collection
      'a: b: c\n', // nested mapping in a compact value
      'a: [1, 2\n', // unclosed flow
      'a: [1, 2,]\n',
      'a: "unterminated\n',
      'a: "\\q"\n', // unknown escape
      '  a: 1\n', // indented root
      'a: 1\n  b: 2\n',
      'plain scalar at the root\n',
      '',
      '- a\n-\n', // empty sequence item
      'a: &anchored\nb: 1\n', // anchored empty value
      'a: &x: 1\nb: *x:\n', // an anchor or alias ending in `:`: yaml warns
      'a: @at\n',
    ];
    for (const text of outside) expect({ text, parsed: parseYamlSubset(text, LIMITS) }).toEqual({ text, parsed: undefined });
  });

  it('leaves limits to the yaml library, which reports them', () => {
    const deep = Array.from({ length: 10 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    expect(parseYamlSubset(deep, { maxDepth: 5, maxAliasCount: 100 })).toBeUndefined();
    expect(parseYamlWithPositions(deep, { maxDepth: 5 }).problems.map((p) => p.code)).toEqual(['yaml_limit']);
    expect(parseYamlSubset(deep, LIMITS)).toBeDefined();

    const aliases = `a: &x 1\nb: [${Array.from({ length: 5 }, () => '*x').join(', ')}]\n`;
    expect(parseYamlSubset('a: &x 1\n' + Array.from({ length: 5 }, (_, i) => `b${i}: *x`).join('\n'), { maxDepth: 64, maxAliasCount: 3 })).toBeUndefined();
    expect(parseYamlWithPositions(aliases, { maxAliasCount: 3 }).problems.map((p) => p.code)).toEqual(['yaml_limit']);
  });

  it('resolves plain scalars with the YAML 1.2 core schema, as yaml does', () => {
    const samples = ['', '~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRUE', 'false', 'no', 'yes', 'on', '0', '-0', '+12', '007', '0o17', '0o8', '0x1f', '0X1F', '0b101', '1.5', '.5', '5.', '-.5', '1e3', '1E-3', '+1.5e+3', '1_000', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'NaN', '12:30', '2024-05-01', '1.2.3', 'x'];
    for (const s of samples) {
      const library = YAML.parse(`v: ${s === '' ? '""' : s}`, { schema: 'core', resolveKnownTags: false }) as { v: unknown };
      const expected = s === '' ? null : library.v;
      expect({ s, value: resolvePlain(s) }).toEqual({ s, value: expected });
    }
  });

  it('reads a large definition (20,000 entries)', () => {
    const entry = (i: number) => `k${i}:\n  list: [a, b]\n  text: |\n    line ${i}\n    more\n`;
    const large = Array.from({ length: 20_000 }, (_, i) => entry(i)).join('');
    const doc = parseYamlSubset(large, LIMITS);
    expect(Object.keys(doc?.data as object)).toHaveLength(20_000);
    expect((doc?.data as Record<string, unknown>).k19999).toEqual({ list: ['a', 'b'], text: 'line 19999\nmore\n' });
  });
});
