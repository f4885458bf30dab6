/**
 * A fast parser for the plain block-style YAML that integration definitions are written in.
 *
 * Why: the yaml library spends about 130 ms, nearly all of it cold JIT, on the bundled
 * definitions (116 KB), which is most of a cold start without the parse cache. This parser
 * reads the same files in a few milliseconds.
 *
 * It is a fast path, not a second YAML implementation: it accepts only a subset it is sure
 * of (LF or CRLF line ends) and returns undefined for anything else (tags, directives,
 * document markers, tabs, a lone CR, multi-line plain or quoted scalars, keep chomping,
 * explicit indentation, more-indented folded lines, complex keys, duplicate keys,
 * `__proto__`, unknown or redefined anchors, anything that looks like an error…), and
 * source-map.ts then parses the text with the yaml library as before. On what it accepts,
 * the data, the positions and the absence of problems are the library's:
 * test/definitions/yaml-subset.test.ts compares both on every YAML file of the repository
 * and on generated documents.
 *
 * Portable on purpose (Workers, Deno, browsers): no Node built-ins.
 */

export type ScalarStyle = 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';

/** A node with the yaml library's offsets: `start` is where the value's own text begins (after an anchor). */
export type SubsetNode = SubsetScalar | SubsetMap | SubsetSeq | SubsetAlias;

export interface SubsetScalar {
  kind: 'scalar';
  start: number;
  /** Just past the value (past the closing quote; for a block scalar, past its last content line). */
  end: number;
  type: ScalarStyle;
  value: unknown;
}

export interface SubsetMap {
  kind: 'map';
  start: number;
  keys: string[];
  keyStarts: number[];
  values: SubsetNode[];
  data: Record<string, unknown>;
  depth: number;
}

export interface SubsetSeq {
  kind: 'seq';
  start: number;
  items: SubsetNode[];
  data: unknown[];
  depth: number;
}

export interface SubsetAlias {
  kind: 'alias';
  start: number;
  /** Never another alias: an anchor on an alias is outside the subset. */
  target: SubsetScalar | SubsetMap | SubsetSeq;
}

export interface SubsetDocument {
  root: SubsetMap | SubsetSeq;
  /** As the yaml library's `toJS` makes it: an alias's value is the same object as its anchor's. */
  data: unknown;
}

/** Thrown inside the parser when the text leaves the subset; never escapes parseYamlSubset. */
const OUTSIDE = Symbol('outside the subset');

/** Characters the subset never reads: tab, controls but LF and CR, BOM, NEL and the Unicode line separators. */
const UNSUPPORTED_CHARACTER = /[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;
/** A plain scalar cannot start with these (`-`, `?` and `:` only when a space follows: checked apart). */
const INDICATORS = new Set([',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);
const FLOW_INDICATORS = new Set([',', '[', ']', '{', '}']);

/** Double-quoted escapes that stand for one character (source-map.ts maps values back through them too). */
export const YAML_ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

export interface SubsetLimits {
  maxDepth: number;
  /** As yaml's `toJS` option: uses of one anchor beyond it are left to the library, which reports them. */
  maxAliasCount: number;
}

/** The document, or undefined if the text is outside the subset (then parse it with the yaml library). */
export function parseYamlSubset(text: string, limits: SubsetLimits): SubsetDocument | undefined {
  if (UNSUPPORTED_CHARACTER.test(text) || (text.includes('\r') && /\r(?!\n)/.test(text))) return undefined;
  try {
    return new SubsetParser(text, limits).document();
  } catch (e) {
    if (e === OUTSIDE) return undefined;
    throw e;
  }
}

function outside(): never {
  throw OUTSIDE;
}

interface Parsed {
  node: SubsetNode;
  /** The line after the node's last line. */
  next: number;
}

interface Anchor {
  node: SubsetScalar | SubsetMap | SubsetSeq;
  uses: number;
}

class SubsetParser {
  private readonly starts: number[] = [];
  /** Per line, its leading spaces. */
  private readonly indents: number[] = [];
  private readonly anchors = new Map<string, Anchor>();
  /** Aliases read so far: an anchored collection with an alias inside is left to the library (its alias count is not 1). */
  private aliases = 0;

  constructor(
    private readonly text: string,
    private readonly limits: SubsetLimits,
  ) {
    for (let start = 0; ; ) {
      let i = start;
      while (text.charCodeAt(i) === 32) i++;
      if (i === start && isDocumentSyntax(text, start)) outside();
      this.starts.push(start);
      this.indents.push(i - start);
      const end = text.indexOf('\n', i);
      if (end === -1) break;
      start = end + 1;
    }
  }

  document(): SubsetDocument {
    const first = this.nextContent(0);
    if (first >= this.starts.length || this.indent(first) !== 0) outside();
    const { node, next } = this.collection(first, 0, 1);
    if (this.nextContent(next) < this.starts.length) outside();
    const root = node as SubsetMap | SubsetSeq;
    return { root, data: root.data };
  }

  // -- lines -------------------------------------------------------------------------------

  /** Where the line's content ends: at its LF, or at the CR of a CRLF. */
  private lineEnd(line: number): number {
    const next = this.starts[line + 1];
    if (next === undefined) return this.text.length;
    return this.text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
  }

  private indent(line: number): number {
    return this.indents[line];
  }

  /** Only spaces (or nothing). */
  private blank(line: number): boolean {
    return this.starts[line] + this.indent(line) === this.lineEnd(line);
  }

  /** The first line from `line` on that is neither blank nor a comment. */
  private nextContent(line: number): number {
    let l = line;
    while (l < this.starts.length && (this.blank(l) || this.text[this.starts[l] + this.indent(l)] === '#')) l++;
    return l;
  }

  private skipSpaces(at: number): number {
    let i = at;
    while (this.text.charCodeAt(i) === 32) i++;
    return i;
  }

  /** Nothing but spaces and perhaps a comment from `at` to the end of its line. */
  private restIsEmpty(at: number, lineEnd: number): boolean {
    const i = this.skipSpaces(at);
    return i >= lineEnd || (this.text[i] === '#' && i > at);
  }

  private isDash(line: number, column: number): boolean {
    const at = this.starts[line] + column;
    if (this.text[at] !== '-') return false;
    const after = this.text[at + 1];
    return after === undefined || after === ' ' || after === '\n' || after === '\r';
  }

  // -- block collections -------------------------------------------------------------------

  /** The block mapping or sequence whose first line is `line`, starting at `column`. */
  private collection(line: number, column: number, level: number): Parsed {
    if (level > this.limits.maxDepth) outside();
    return this.isDash(line, column) ? this.sequence(line, column, level) : this.mapping(line, column, level);
  }

  private sequence(line: number, column: number, level: number): Parsed {
    const items: SubsetNode[] = [];
    const data: unknown[] = [];
    let depth = 0;
    let l = line;
    for (;;) {
      const dash = this.starts[l] + column;
      const { node, next } = this.value(l, dash + 1, column, level, true);
      items.push(node);
      data.push(this.dataOf(node));
      depth = Math.max(depth, this.depthOf(node));
      const following = this.following(next, column);
      l = following.line;
      if (!following.more || !this.isDash(l, column)) break; // not a dash: a key of the mapping this sequence is the value of
    }
    const start = this.starts[line] + column;
    return { node: { kind: 'seq', start, items, data, depth: depth + 1 }, next: l };
  }

  private mapping(line: number, column: number, level: number): Parsed {
    const keys: string[] = [];
    const keyStarts: number[] = [];
    const values: SubsetNode[] = [];
    const data: Record<string, unknown> = {};
    let depth = 0;
    let l = line;
    let at = this.starts[line] + column;
    for (;;) {
      const key = this.key(at, this.lineEnd(l)) ?? outside();
      if (key.name === '__proto__' || key.name === '<<' || Object.prototype.hasOwnProperty.call(data, key.name)) outside();
      const { node, next } = this.value(l, key.after, column, level, false);
      keys.push(key.name);
      keyStarts.push(at);
      values.push(node);
      data[key.name] = this.dataOf(node);
      depth = Math.max(depth, this.depthOf(node));
      const following = this.following(next, column);
      l = following.line;
      if (!following.more) break;
      at = this.starts[l] + column;
    }
    return { node: { kind: 'map', start: this.starts[line] + column, keys, keyStarts, values, data, depth: depth + 1 }, next: l };
  }

  /** After an entry that ends before line `next`: the next content line, and whether it is lined up with the entry. */
  private following(next: number, column: number): { line: number; more: boolean } {
    const line = this.nextContent(next);
    if (line >= this.starts.length) return { line, more: false };
    const indent = this.indent(line);
    if (indent > column) outside();
    return { line, more: indent === column };
  }

  /**
   * A block mapping key at `at`: its name and the offset just past its `:`. Undefined if
   * the text there is not a key (the caller decides whether that is an error).
   */
  private key(at: number, lineEnd: number): { name: string; after: number } | undefined {
    const c = this.text[at];
    let name: string;
    let colon: number;
    if (c === '"' || c === "'") {
      const quoted = this.quoted(at, lineEnd);
      if (!quoted) return undefined;
      name = quoted.value;
      colon = quoted.end;
      if (this.text[colon] !== ':') return undefined;
    } else {
      if (!this.plainStart(at)) return undefined;
      colon = -1;
      for (let i = at; i < lineEnd; i++) {
        const ch = this.text[i];
        if (ch === '#' && this.text[i - 1] === ' ') return undefined;
        if (ch === ':' && (i + 1 === lineEnd || this.text[i + 1] === ' ')) {
          colon = i;
          break;
        }
      }
      if (colon === -1 || this.text[colon - 1] === ' ') return undefined;
      name = this.text.slice(at, colon);
    }
    const after = colon + 1;
    if (after < lineEnd && this.text[after] !== ' ') return undefined;
    return { name, after };
  }

  private plainStart(at: number): boolean {
    const c = this.text[at];
    if (c === undefined || c === ' ' || c === '\n' || c === '\r' || INDICATORS.has(c)) return false;
    if (c === '-' || c === '?' || c === ':') {
      const next = this.text[at + 1];
      return next !== undefined && next !== ' ' && next !== '\n' && next !== '\r';
    }
    return true;
  }

  // -- values ------------------------------------------------------------------------------

  /**
   * The value that follows `- ` or `key:` on `line` from `at`, with its anchor if any.
   * `parent` is the column of the sequence or mapping that holds it.
   */
  private value(line: number, at: number, parent: number, level: number, inSequence: boolean): Parsed {
    const lineEnd = this.lineEnd(line);
    let p = this.skipSpaces(at);
    const aliasesBefore = this.aliases;
    let anchor: string | undefined;
    if (this.text[p] === '&') {
      const end = this.nameEnd(p + 1, lineEnd);
      anchor = this.text.slice(p + 1, end);
      if (anchor.endsWith(':')) outside(); // yaml warns: ambiguous
      p = this.skipSpaces(end);
      if (p === end && end < lineEnd) outside();
    }
    let parsed: Parsed;
    const c = this.text[p];
    if (p >= lineEnd || (c === '#' && p > at)) {
      // Nothing more on this line: the value is the block below, or empty.
      const below = this.nextContent(line + 1);
      const indent = below < this.starts.length ? this.indent(below) : -1;
      if (indent > parent || (!inSequence && indent === parent && this.isDash(below, indent))) {
        parsed = this.collection(below, indent, level + 1);
      } else {
        if (anchor !== undefined || inSequence) outside(); // empty nodes: positions not worth matching
        parsed = { node: { kind: 'scalar', start: p, end: p, type: 'PLAIN', value: null }, next: line + 1 };
      }
    } else if (c === '*') {
      if (anchor !== undefined) outside();
      const end = this.nameEnd(p + 1, lineEnd);
      const name = this.text.slice(p + 1, end);
      if (name.endsWith(':')) outside(); // yaml warns: ambiguous
      const target = this.anchors.get(name) ?? outside();
      this.aliases++;
      if (++target.uses > this.limits.maxAliasCount && this.limits.maxAliasCount >= 0) outside();
      if (level + this.depthOf(target.node) > this.limits.maxDepth) outside();
      if (!this.restIsEmpty(end, lineEnd)) outside();
      parsed = { node: { kind: 'alias', start: p, target: target.node }, next: this.scalarEnd(line, parent) };
    } else if (c === '|' || c === '>') {
      parsed = this.blockScalar(line, p, parent);
    } else if (inSequence && anchor === undefined && (this.isDash(line, p - this.starts[line]) || this.key(p, lineEnd))) {
      // A compact collection: `- - a` or `- key: value`, its later entries lined up with its first.
      parsed = this.collection(line, p - this.starts[line], level + 1);
    } else {
      let node: SubsetNode;
      let end: number;
      if (c === '"' || c === "'") {
        const quoted = this.quoted(p, lineEnd) ?? outside();
        node = { kind: 'scalar', start: p, end: quoted.end, type: quoted.type, value: quoted.value };
        end = quoted.end;
      } else if (c === '[' || c === '{') {
        const flow = this.flow(p, lineEnd, level + 1);
        node = flow.node;
        end = flow.end;
      } else {
        const plain = this.plain(p, lineEnd);
        node = { kind: 'scalar', start: p, end: plain.end, type: 'PLAIN', value: resolvePlain(plain.text) };
        end = plain.end;
      }
      if (!this.restIsEmpty(end, lineEnd)) outside();
      parsed = { node, next: this.scalarEnd(line, parent) };
    }
    if (anchor !== undefined) {
      const node = parsed.node;
      if (node.kind === 'alias' || this.anchors.has(anchor)) outside();
      if (node.kind !== 'scalar' && this.aliases !== aliasesBefore) outside();
      this.anchors.set(anchor, { node, uses: 0 });
    }
    return parsed;
  }

  /** After a one-line value: the next line, unless the value goes on there (a multi-line scalar). */
  private scalarEnd(line: number, parent: number): number {
    const below = this.nextContent(line + 1);
    if (below < this.starts.length && this.indent(below) > parent) outside();
    return line + 1;
  }

  private nameEnd(from: number, lineEnd: number): number {
    let i = from;
    while (i < lineEnd && this.text[i] !== ' ' && !FLOW_INDICATORS.has(this.text[i])) i++;
    if (i === from) outside();
    return i;
  }

  /** A plain scalar in block context, to the end of its line or a comment. */
  private plain(at: number, lineEnd: number): { text: string; end: number } {
    if (!this.plainStart(at)) outside();
    let end = at;
    for (let i = at; i < lineEnd; i++) {
      const c = this.text[i];
      if (c === '#' && this.text[i - 1] === ' ') break;
      // `a: b: c` is a nested mapping yaml rejects.
      if (c === ':' && (i + 1 === lineEnd || this.text[i + 1] === ' ')) outside();
      if (c !== ' ') end = i + 1;
    }
    return { text: this.text.slice(at, end), end };
  }

  /** A quoted scalar closed on its own line; undefined if it is not. */
  private quoted(at: number, lineEnd: number): { value: string; end: number; type: ScalarStyle } | undefined {
    const q = this.text[at];
    let out = '';
    for (let i = at + 1; i < lineEnd; i++) {
      const c = this.text[i];
      if (q === "'") {
        if (c !== "'") {
          out += c;
        } else if (this.text[i + 1] === "'") {
          out += "'";
          i++;
        } else {
          return { value: out, end: i + 1, type: 'QUOTE_SINGLE' };
        }
      } else if (c === '"') {
        return { value: out, end: i + 1, type: 'QUOTE_DOUBLE' };
      } else if (c !== '\\') {
        out += c;
      } else {
        const e = this.text[++i];
        const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
        if (hex > 0) {
          const digits = this.text.slice(i + 1, i + 1 + hex);
          if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) return undefined;
          const code = parseInt(digits, 16);
          if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return undefined;
          out += String.fromCodePoint(code);
          i += hex;
        } else {
          const escaped = e === undefined ? undefined : YAML_ESCAPES[e];
          if (escaped === undefined) return undefined;
          out += escaped;
        }
      }
    }
    return undefined; // goes on to the next line
  }

  /** `|`, `|-`, `>` or `>-` at `at`; the content lines below. */
  private blockScalar(line: number, at: number, parent: number): Parsed {
    const lineEnd = this.lineEnd(line);
    const folded = this.text[at] === '>';
    let h = at + 1;
    const strip = this.text[h] === '-';
    if (strip) h++;
    if (h < lineEnd && this.text[h] !== ' ') outside(); // `+`, an indentation digit, anything else
    if (!this.restIsEmpty(h, lineEnd)) outside();
    const first = line + 1;
    if (first >= this.starts.length || this.blank(first)) outside(); // empty, or leading empty lines
    const indent = this.indent(first);
    if (indent <= parent) outside();
    const parts: string[] = [];
    let last = first;
    let l = first;
    for (; l < this.starts.length; l++) {
      if (this.blank(l)) {
        if (this.lineEnd(l) - this.starts[l] > indent) outside(); // spaces that are content
        parts.push('');
        continue;
      }
      if (this.indent(l) < indent) break;
      const content = this.text.slice(this.starts[l] + indent, this.lineEnd(l));
      if (folded && (content[0] === ' ' || content.endsWith(' '))) outside();
      parts.push(content);
      last = l;
    }
    parts.length = last - first + 1; // trailing empty lines: clipped or stripped
    let value: string;
    if (folded) {
      value = parts[0];
      let breaks = 0;
      for (let i = 1; i < parts.length; i++) {
        if (parts[i] === '') {
          breaks++;
          continue;
        }
        value += breaks === 0 ? ' ' : '\n'.repeat(breaks);
        value += parts[i];
        breaks = 0;
      }
    } else {
      value = parts.join('\n');
    }
    if (!strip) value += '\n';
    const end = this.starts[last + 1] ?? this.text.length; // past the line break
    const type: ScalarStyle = folded ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL';
    return { node: { kind: 'scalar', start: at, end, type, value }, next: last + 1 };
  }

  // -- flow collections, on one line ---------------------------------------------------------

  private flow(at: number, lineEnd: number, level: number): { node: SubsetMap | SubsetSeq; end: number } {
    if (level > this.limits.maxDepth) outside();
    const close = this.text[at] === '[' ? ']' : '}';
    let p = this.skipSpaces(at + 1);
    let depth = 0;
    const items: SubsetNode[] = [];
    const keys: string[] = [];
    const keyStarts: number[] = [];
    const data: unknown[] | Record<string, unknown> = close === ']' ? [] : {};
    if (this.text[p] !== close) {
      for (;;) {
        if (p >= lineEnd) outside();
        if (close === '}') {
          const keyAt = p;
          const key = this.flowKey(p, lineEnd);
          if (key.name === '__proto__' || key.name === '<<' || Object.prototype.hasOwnProperty.call(data, key.name)) outside();
          keys.push(key.name);
          keyStarts.push(keyAt);
          p = this.skipSpaces(key.after);
        }
        const item = this.flowItem(p, lineEnd, level);
        items.push(item.node);
        depth = Math.max(depth, this.depthOf(item.node));
        if (Array.isArray(data)) data.push(this.dataOf(item.node));
        else data[keys[keys.length - 1]] = this.dataOf(item.node);
        p = this.skipSpaces(item.end);
        if (this.text[p] === close) break;
        if (this.text[p] !== ',') outside();
        p = this.skipSpaces(p + 1);
        if (this.text[p] === close) outside(); // a trailing comma
      }
    }
    const end = p + 1;
    const node: SubsetMap | SubsetSeq = Array.isArray(data)
      ? { kind: 'seq', start: at, items, data, depth: depth + 1 }
      : { kind: 'map', start: at, keys, keyStarts, values: items, data, depth: depth + 1 };
    return { node, end };
  }

  private flowKey(at: number, lineEnd: number): { name: string; after: number } {
    const c = this.text[at];
    if (c === '"' || c === "'") {
      const quoted = this.quoted(at, lineEnd) ?? outside();
      const colon = this.skipSpaces(quoted.end);
      if (this.text[colon] !== ':') outside();
      return { name: quoted.value, after: colon + 1 };
    }
    if (!this.plainStart(at)) outside();
    for (let i = at; i < lineEnd; i++) {
      const ch = this.text[i];
      if (FLOW_INDICATORS.has(ch) || (ch === '#' && this.text[i - 1] === ' ')) outside();
      if (ch === ':' && this.text[i + 1] === ' ') {
        if (this.text[i - 1] === ' ') outside();
        return { name: this.text.slice(at, i), after: i + 1 };
      }
    }
    return outside();
  }

  private flowItem(at: number, lineEnd: number, level: number): { node: SubsetNode; end: number } {
    const c = this.text[at];
    if (c === '[' || c === '{') return this.flow(at, lineEnd, level + 1);
    if (c === '"' || c === "'") {
      const quoted = this.quoted(at, lineEnd) ?? outside();
      const next = this.text[this.skipSpaces(quoted.end)];
      if (next === ':') outside(); // a pair in a sequence
      return { node: { kind: 'scalar', start: at, end: quoted.end, type: quoted.type, value: quoted.value }, end: quoted.end };
    }
    if (!this.plainStart(at)) outside();
    let end = at;
    for (let i = at; i < lineEnd; i++) {
      const ch = this.text[i];
      if (FLOW_INDICATORS.has(ch)) {
        return { node: { kind: 'scalar', start: at, end, type: 'PLAIN', value: resolvePlain(this.text.slice(at, end)) }, end };
      }
      if (ch === '#' && this.text[i - 1] === ' ') outside();
      if (ch === ':' && (this.text[i + 1] === ' ' || FLOW_INDICATORS.has(this.text[i + 1] ?? ''))) outside();
      if (ch !== ' ') end = i + 1;
    }
    return outside(); // not closed on this line
  }

  // -- helpers -----------------------------------------------------------------------------

  private dataOf(node: SubsetNode): unknown {
    const target = node.kind === 'alias' ? node.target : node;
    return target.kind === 'scalar' ? target.value : target.data;
  }

  private depthOf(node: SubsetNode): number {
    const target = node.kind === 'alias' ? node.target : node;
    return target.kind === 'scalar' ? 0 : target.depth;
  }
}

/** A directive (`%…`) or a document marker (`---`, `...`) at `start`, the start of a line. */
function isDocumentSyntax(text: string, start: number): boolean {
  const c = text[start];
  if (c === '%') return true;
  if ((c !== '-' && c !== '.') || text[start + 1] !== c || text[start + 2] !== c) return false;
  const after = text[start + 3];
  return after === undefined || after === ' ' || after === '\n' || after === '\r';
}

/** YAML 1.2 core schema, in the yaml library's order of tags. */
export function resolvePlain(text: string): unknown {
  // Only these can start a null, a boolean or a number; most scalars are plain text.
  if (text !== '' && !/[~nNtTfF0-9+\-.]/.test(text[0])) return text;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(text)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(text)) return text[0] === 't' || text[0] === 'T';
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(text)) return parseInt(text, 10);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(text)) {
    return text.slice(-3).toLowerCase() === 'nan' ? NaN : text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(text)) return parseFloat(text);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(text)) return parseFloat(text);
  return text;
}
