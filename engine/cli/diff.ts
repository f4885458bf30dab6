import { colors } from './output.js';

/** A line diff of two values as pretty JSON (LCS), `-` expected and `+` actual. */
export function jsonDiff(expected: unknown, actual: unknown, stream: NodeJS.WriteStream = process.stdout): string {
  const c = colors(stream);
  const a = (JSON.stringify(expected, null, 2) ?? 'undefined').split('\n');
  const b = (JSON.stringify(actual, null, 2) ?? 'undefined').split('\n');
  // Bounded LCS table: fixtures are small; very large values fall back to a plain before/after.
  if (a.length * b.length > 4_000_000) return [...a.map((l) => c.red(`- ${l}`)), ...b.map((l) => c.green(`+ ${l}`))].join('\n');
  const table: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(c.dim(`  ${a[i]}`));
      i++;
      j++;
    } else if (i < a.length && (j >= b.length || table[i + 1]![j]! >= table[i]![j + 1]!)) out.push(c.red(`- ${a[i++]}`));
    else out.push(c.green(`+ ${b[j++]}`));
  }
  return out.join('\n');
}
