import jsonata from 'jsonata';
import { describe, expect, test } from 'vitest';
import { calledFunctions, outsideFastScope } from '../support/fast-scope.js';

// The classifier behind the conformance runner's "every case in scope runs fast" check.
const fns = new Set(['string', 'contains', 'removeEmpty']);
const why = (expr: string) => outsideFastScope(jsonata(expr).ast(), fns);

describe("issue 8's fast-path scope", () => {
  test('paths, predicates, constructors, operators, conditionals, variables, blocks and the mappings’ functions are inside', () => {
    for (const expr of [
      'response.a[b > 1 and c != "x"].d & "!"',
      '($x := 1; $y := -$x * 2 % 3; $x ? {"a": [1, $y]} : "no")',
      '$removeEmpty({"id": $string(response.id), "ok": $contains(name, "a") or false, "n": null})',
      '$$.a + $.b / 2 <= 3',
      'items[0].name',
    ]) {
      expect(why(expr), expr).toEqual([]);
    }
  });

  test('everything else is outside, with the reason', () => {
    const cases: [string, string][] = [
      ['$sum(a)', 'calls $sum'],
      ['a ~> $string()', 'apply'],
      ['function($x) { $x }', 'lambda'],
      ['a^(b)', 'sort'],
      ['**.a', 'descendant'],
      ['a.*', 'wildcard'],
      ['[1..3]', 'operator ..'],
      ['"a" in ["a"]', 'operator in'],
      ['$contains(a, /x/)', 'regex'],
      ['$string($string)', '$string as a value'],
      ['a{b: c}', 'group'],
      ['a@$x.b', 'focus'],
      ['a#$i.b', 'index'],
      ['a.%.b', 'parent'],
      ['a[]', 'keepArray'],
      ['$string(?)', 'partial'],
      ['$ ~> |a|{"b": 1}|', 'transform'],
    ];
    for (const [expr, reason] of cases) expect(why(expr).join('; '), expr).toContain(reason);
  });

  test('calledFunctions lists the functions a syntax tree calls, not the ones it only names', () => {
    const names = calledFunctions([jsonata('$string($lowercase(a)) & $x').ast(), jsonata('$map(a, $uppercase)').ast()]);
    expect([...names].sort()).toEqual(['lowercase', 'map', 'string']);
  });
});
