// Pretty JSON as DOM lines that know their data path, so a schema violation can mark the
// line of its field, and a line diff for fixture failures.
import { h } from './dom.js';

type Part = [className: string, text: string];

interface JsonLine {
  depth: number;
  /** Dotted data path of the value that starts on this line (`emails[0].email`, root ``). */
  path: string;
  parts: Part[];
  /** A closing bracket: never the line a violation marks. */
  closing?: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function scalar(value: unknown): Part {
  if (typeof value === 'string') return ['j-str', JSON.stringify(value)];
  if (typeof value === 'number') return ['j-num', String(value)];
  if (typeof value === 'boolean' || value === null) return ['j-lit', String(value)];
  if (value === undefined) return ['j-undef', 'undefined'];
  if (Array.isArray(value)) return ['j-punct', '[]'];
  if (isRecord(value)) return ['j-punct', '{}'];
  return ['j-str', JSON.stringify(String(value))];
}

const keyPath = (path: string, key: string): string =>
  /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;

function layout(value: unknown, path: string, depth: number, key: string | undefined, comma: boolean, lines: JsonLine[]): void {
  const head: Part[] = key === undefined ? [] : [['j-key', JSON.stringify(key)], ['j-punct', ': ']];
  const tail: Part[] = comma ? [['j-punct', ',']] : [];
  if (Array.isArray(value) && value.length) {
    lines.push({ depth, path, parts: [...head, ['j-punct', '[']] });
    value.forEach((item, index) => layout(item, `${path}[${index}]`, depth + 1, undefined, index < value.length - 1, lines));
    lines.push({ depth, path, parts: [['j-punct', ']'], ...tail], closing: true });
    return;
  }
  // Like JSON.stringify, an object drops its undefined members.
  const entries = isRecord(value) ? Object.entries(value).filter(([, v]) => v !== undefined) : [];
  if (entries.length) {
    lines.push({ depth, path, parts: [...head, ['j-punct', '{']] });
    entries.forEach(([k, v], index) => layout(v, keyPath(path, k), depth + 1, k, index < entries.length - 1, lines));
    lines.push({ depth, path, parts: [['j-punct', '}'], ...tail], closing: true });
    return;
  }
  lines.push({ depth, path, parts: [...head, scalar(value), ...tail] });
}

/** Accepts `emails[0].email`, `/emails/0/email` and `.emails[0]`; returns the dotted form. */
export function normalizePath(path: string): string {
  if (path.startsWith('/')) {
    return path
      .slice(1)
      .split('/')
      .filter(Boolean)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((acc, segment) => (/^\d+$/.test(segment) ? `${acc}[${segment}]` : keyPath(acc, segment)), '');
  }
  return path.replace(/^\./, '');
}

/** `emails[0].email` → `emails[0]` → `emails` → ``. */
function parentPath(path: string): string {
  const parent = path.replace(/(?:\.[^.[\]]+|\[[^\]]*\]|^[^.[\]]+)$/, '');
  return parent === path ? '' : parent;
}

export interface Mark {
  path: string;
  message: string;
}

/**
 * Renders `value` as pretty JSON. Each mark highlights the line of its path, or of the nearest
 * ancestor that exists (a missing required field marks its parent object).
 */
export function jsonView(value: unknown, marks: Mark[] = [], testid?: string): HTMLElement {
  const lines: JsonLine[] = [];
  layout(value, '', 0, undefined, false, lines);
  const byPath = new Map<string, number>();
  lines.forEach((line, index) => {
    if (!line.closing && !byPath.has(line.path)) byPath.set(line.path, index);
  });
  const marked = new Map<number, string[]>();
  for (const mark of marks) {
    let path = normalizePath(mark.path);
    // A list result: the record paths are relative to one element of `result`.
    if (!byPath.has(path) && byPath.has(`result${path.startsWith('[') ? '' : '.'}${path}`)) path = `result${path.startsWith('[') ? '' : '.'}${path}`;
    while (!byPath.has(path) && path) path = parentPath(path);
    const index = byPath.get(path) ?? 0;
    marked.set(index, [...(marked.get(index) ?? []), mark.message]);
  }
  const root = h('div', { class: 'json', 'data-testid': testid });
  lines.forEach((line, index) => {
    const messages = marked.get(index);
    const row = h('div', {
      class: messages ? 'jl violation' : 'jl',
      'data-path': line.closing ? undefined : line.path,
      title: messages?.join('\n'),
    });
    row.style.paddingLeft = `${line.depth * 2}ch`;
    for (const [className, text] of line.parts) row.appendChild(h('span', { class: className }, text));
    if (messages) row.appendChild(h('span', { class: 'violation-note' }, `  ← ${messages.join('; ')}`));
    root.appendChild(row);
  });
  return root;
}

/** Pretty JSON text, as the diff compares it. */
export const pretty = (value: unknown): string => (value === undefined ? 'undefined' : JSON.stringify(value, null, 2));

/**
 * A line diff of expected (-) against actual (+), unchanged runs folded to 2 lines of context.
 * LCS over lines: fine for fixture-sized documents, and falls back to both texts when huge.
 */
export function diffView(expected: unknown, actual: unknown): HTMLElement {
  const a = pretty(expected).split('\n');
  const b = pretty(actual).split('\n');
  const out = h('div', { class: 'diff' });
  const line = (sign: ' ' | '-' | '+' | '…', text: string) =>
    out.appendChild(h('div', { class: sign === '-' ? 'd-del' : sign === '+' ? 'd-add' : sign === '…' ? 'd-fold' : 'd-same' }, `${sign} ${text}`));
  if (a.length * b.length > 4_000_000) {
    a.forEach((text) => line('-', text));
    b.forEach((text) => line('+', text));
    return out;
  }
  // lcs[i][j] = length of the LCS of a[i..] and b[j..]; the walk puts deletions before
  // insertions, as a unified diff does.
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: [' ' | '-' | '+', string][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push([' ', a[i]]);
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push(['-', a[i++]]);
    else ops.push(['+', b[j++]]);
  }
  const context = 2;
  const near = ops.map((_, index) => ops.slice(Math.max(0, index - context), index + context + 1).some(([sign]) => sign !== ' '));
  let folded = 0;
  ops.forEach(([sign, text], index) => {
    if (sign === ' ' && !near[index]) {
      folded++;
      return;
    }
    if (folded) line('…', `${folded} unchanged line${folded === 1 ? '' : 's'}`);
    folded = 0;
    line(sign, text);
  });
  if (folded) line('…', `${folded} unchanged line${folded === 1 ? '' : 's'}`);
  return out;
}
