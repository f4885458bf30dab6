/**
 * YAML parsing that keeps source positions, so every problem in an integration
 * definition can be reported with file, line and column.
 *
 * Portable on purpose (Workers, Deno, browsers): no Node built-ins.
 *
 * The plain block YAML that definitions are written in is read by yaml-subset.ts, a fast path
 * that declines anything it is not sure of; the yaml library reads the rest. Both give the
 * same data and positions (test/definitions/yaml-subset.test.ts).
 *
 * Parsing choices (all deliberate, see the tests):
 * - Schema is always YAML 1.2 `core`, with known 1.1 tags (`!!set`, `!!omap`,
 *   `!!binary`, `!!timestamp`) not resolved and merge keys (`<<`) off, even
 *   under a `%YAML 1.1` directive. So `data` only ever holds JSON-like values
 *   (plain objects, arrays, strings, numbers, booleans, null), never Map, Set,
 *   Date or Uint8Array. Unknown tags are reported as problems.
 * - All keys are strings (`stringKeys`); collection keys are problems.
 * - A `__proto__` key is KEPT as an own, enumerable data property (yaml defines
 *   it with `Object.defineProperty`), so it never changes a prototype and the
 *   schema validator can report it as an unknown property at its position.
 * - With duplicate keys the last one wins in `data`, and `locate` follows that.
 * - Recursive aliases (`&a [*a]`) are a `yaml_limit` problem: `data` would be cyclic.
 * - After a limit violation or an unresolvable alias `data` is undefined;
 *   after mere syntax errors it is yaml's best-effort value.
 */
import type { Alias, CST, Document, LineCounter, Node as YamlNode } from 'yaml';
import { yamlLibrary } from './yaml-library.js';
import { YAML_ESCAPES, parseYamlSubset, type SubsetNode } from './yaml-subset.js';

export type JsonPath = readonly (string | number)[];

/** `line` and `column` are 1-based; `column` counts Unicode characters (code points). `offset` is a 0-based index into the JS string. */
export interface SourcePosition {
  line: number;
  column: number;
  offset: number;
}

export interface YamlProblem {
  code: 'yaml_syntax' | 'yaml_limit';
  message: string;
  position: SourcePosition;
}

export interface YamlLimits {
  /** UTF-8 bytes; default 1 MiB. */
  maxBytes?: number;
  /** Passed to yaml's `toJS`; default 100; -1 disables (don't). Guards against YAML bombs. */
  maxAliasCount?: number;
  /** Nesting of collections, aliases expanded; default 64. */
  maxDepth?: number;
}

export interface ParsedYaml {
  /** Plain JS (maps → plain objects, never Map); undefined if the document could not be parsed at all. */
  data: unknown;
  /** Every syntax problem (yaml's errors and warnings, incl. duplicate keys) and limit violation, ordered by position. */
  problems: YamlProblem[];
  /** The source split into lines (at `\n`, as yaml does; a trailing `\r` and a leading BOM are dropped). */
  lines: readonly string[];
  /**
   * Position of the node at `path` (for an alias: where the alias is written).
   * If the path does not fully exist, the deepest existing ancestor. `part: 'key'`
   * gives the position of the map key instead of the value (sequence items and the
   * root have no key, so their value position is given). An empty value (`a:`)
   * has no text of its own, so its key's position is given.
   */
  locate(path: JsonPath, part?: 'key' | 'value'): SourcePosition;
  /**
   * Position in the YAML source of character `index` (0-based, UTF-16 like JS
   * strings) of the string scalar at `path`. Exact for block literals; for
   * other styles every non-whitespace character is exact unless an escape
   * produced it (then: the escape's backslash). `index` is clamped to
   * `[0, length]`; `length` maps just past the last non-newline character.
   */
  locateInScalar(path: JsonPath, index: number): SourcePosition;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_MAX_ALIAS_COUNT = 100;
const DEFAULT_MAX_DEPTH = 64;
const BOM = '\uFEFF';

/** `subset: false` (for tests) parses with the yaml library even where the subset parser would do. */
export function parseYamlWithPositions(text: string, limits: YamlLimits = {}, options: { subset?: boolean } = {}): ParsedYaml {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxAliasCount = limits.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;

  // Our own line index, filled from the text rather than by the parser, so it
  // is complete even when parsing is skipped (too big) or aborted.
  const index = new SourceIndex(text);
  const problems: YamlProblem[] = [];
  const problem: ReportProblem = (code, message, offset) => {
    problems.push({ code, message, position: index.position(offset) });
  };

  let tree: PositionTree | undefined;
  let data: unknown;

  const tooBigAt = utf8OverflowOffset(text, maxBytes);
  const subset = tooBigAt === -1 && options.subset !== false ? parseYamlSubset(text, { maxDepth, maxAliasCount }) : undefined;
  if (tooBigAt !== -1) {
    problem('yaml_limit', `File is larger than the limit of ${maxBytes} bytes`, tooBigAt);
  } else if (subset) {
    // The plain block YAML definitions are written in: no problems, the library's data and positions.
    data = subset.data;
    tree = subsetTree(subset.root);
  } else {
    try {
      const parsed = parseDocumentGuarded(text, maxDepth);
      if (typeof parsed === 'number') {
        problem('yaml_limit', tooDeepMessage(maxDepth), parsed);
      } else {
        const analysis = analyse(parsed, maxDepth, index, problem);
        for (const e of parsed.errors) {
          problem(e.code === 'RESOURCE_EXHAUSTION' ? 'yaml_limit' : 'yaml_syntax', e.message, e.pos[0]);
        }
        for (const w of parsed.warnings) problem('yaml_syntax', w.message, w.pos[0]);
        if (analysis.safe) data = toData(parsed, analysis, maxAliasCount, problem);
        tree = documentTree(parsed.contents, analysis.aliasTargets);
      }
    } catch (e) {
      // Never throw for bad input. A stack overflow means absurd nesting.
      const overflow = e instanceof RangeError;
      problem(
        overflow ? 'yaml_limit' : 'yaml_syntax',
        overflow ? 'Document is nested too deeply to parse' : `Could not parse YAML: ${errorMessage(e)}`,
        0,
      );
      data = undefined;
      tree = undefined;
    }
  }

  problems.sort((a, b) => a.position.offset - b.position.offset);

  const found = tree ?? documentTree(null, new Map());
  const scalarMaps = new Map<number, Int32Array>();

  const locate = (path: JsonPath, part: 'key' | 'value' = 'value'): SourcePosition => index.position(found.offset(path, part));

  const locateInScalar = (path: JsonPath, i: number): SourcePosition => {
    const span = found.scalar(path);
    if (!span) return locate(path);
    const at = Number.isFinite(i) ? Math.floor(i) : 0;
    if (typeof span.value !== 'string') {
      return index.position(Math.min(span.start + Math.max(at, 0), span.end));
    }
    let map = scalarMaps.get(span.start);
    if (!map) {
      map = mapScalar(span, span.value, text, index);
      scalarMaps.set(span.start, map);
    }
    return index.position(map[Math.min(Math.max(at, 0), map.length - 1)]);
  };

  return {
    data,
    problems,
    get lines() {
      return index.lines;
    },
    locate,
    locateInScalar,
  };
}

/** A code frame for people: the lines around `line` with line numbers, and a caret under `column`. */
export function renderCodeFrame(lines: readonly string[], line: number, column: number, contextLines = 2): string {
  const all = lines.length > 0 ? lines : [''];
  const target = clamp(Math.floor(line) || 1, 1, all.length);
  const context = Math.max(0, Math.floor(contextLines) || 0);
  const first = Math.max(1, target - context);
  const last = Math.min(all.length, target + context);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = all[n - 1];
    const gutter = `${n === target ? '>' : ' '} ${String(n).padStart(width)} |`;
    out.push(text.length > 0 ? `${gutter} ${text}` : gutter);
    if (n === target) {
      const chars = Array.from(text);
      const col = clamp(Math.floor(column) || 1, 1, chars.length + 1);
      // Keep tabs so the caret lines up however the terminal renders them.
      const pad = chars
        .slice(0, col - 1)
        .map((c) => (c === '\t' ? '\t' : ' '))
        .join('');
      out.push(`  ${' '.repeat(width)} | ${pad}^`);
    }
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------
// Positions

/** Lines and offsets of the source, worked out on first use: a clean parse never asks for a position. */
class SourceIndex {
  private built: { lines: string[]; counter: LineCounter; starts: number[] } | undefined;
  private readonly bom: boolean;
  /** Per line, found lazily: where its surrogate pairs start (a pair is one character but two UTF-16 units). */
  private readonly pairs = new Map<number, number[]>();

  constructor(private readonly text: string) {
    this.bom = text.startsWith(BOM);
  }

  private build(): { lines: string[]; counter: LineCounter; starts: number[] } {
    if (this.built) return this.built;
    const text = this.text;
    // yaml's lexer only breaks lines at '\n' (a lone '\r' is content), so we do the same.
    const counter = new (yamlLibrary().LineCounter)();
    counter.addNewLine(0);
    const lines: string[] = [];
    let from = 0;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
      lines.push(stripCr(text.slice(from, i)));
      from = i + 1;
      counter.addNewLine(from);
    }
    lines.push(stripCr(text.slice(from)));
    if (this.bom) lines[0] = lines[0].slice(1);
    return (this.built = { lines, counter, starts: counter.lineStarts });
  }

  get lines(): readonly string[] {
    return this.build().lines;
  }

  private get starts(): number[] {
    return this.build().starts;
  }

  private get counter(): LineCounter {
    return this.build().counter;
  }

  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }

  position(rawOffset: number): SourcePosition {
    const offset = clamp(Number.isFinite(rawOffset) ? Math.floor(rawOffset) : 0, 0, this.text.length);
    const { line } = this.counter.linePos(offset);
    const start = this.starts[line - 1] ?? 0;
    // LineCounter counts UTF-16 units; editors count characters. Pairs wholly
    // before `offset` count once. Binary search: many problems on one huge line
    // must not make this quadratic.
    const pairs = this.surrogatePairs(line);
    let lo = 0;
    let hi = pairs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[mid] + 1 < offset) lo = mid + 1;
      else hi = mid;
    }
    let column = offset - start + 1 - lo;
    if (this.bom && line === 1 && offset > 0) column--; // editors don't show the BOM
    return { line, column, offset };
  }

  private surrogatePairs(line: number): number[] {
    let pairs = this.pairs.get(line);
    if (!pairs) {
      pairs = [];
      const end = this.starts[line] ?? this.text.length;
      for (let i = this.starts[line - 1] ?? 0; i + 1 < end; i++) {
        if (isHighSurrogate(this.text.charCodeAt(i)) && isLowSurrogate(this.text.charCodeAt(i + 1))) pairs.push(i++);
      }
      this.pairs.set(line, pairs);
    }
    return pairs;
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function clamp(n: number, lo: number, hi: number): number {
  return n < lo ? lo : n > hi ? hi : n;
}

/** Offset of the first character past `maxBytes` UTF-8 bytes, or -1 if the text fits. */
function utf8OverflowOffset(text: string, maxBytes: number): number {
  if (text.length * 3 <= maxBytes) return -1; // no UTF-16 unit needs more than 3 bytes
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let size: number;
    if (c < 0x80) size = 1;
    else if (c < 0x800) size = 2;
    else if (isHighSurrogate(c) && isLowSurrogate(text.charCodeAt(i + 1))) size = 4;
    else size = 3;
    bytes += size;
    if (bytes > maxBytes) return i;
    if (size === 4) i++;
  }
  return -1;
}

// ---------------------------------------------------------------------------
// Parsing

const PARSE_OPTIONS = {
  prettyErrors: false, // we add positions ourselves; yaml's would be UTF-16 columns
  // yaml's own check compares each key with every earlier one: O(n²), minutes
  // for a 1 MiB map. analyse() finds duplicates in linear time instead.
  uniqueKeys: false,
  stringKeys: true,
  schema: 'core',
  resolveKnownTags: false,
  merge: false,
  logLevel: 'error', // never logs while composing; 'silent' would also drop MULTIPLE_DOCS
} as const;

function tooDeepMessage(maxDepth: number): string {
  return `Nesting is deeper than the limit of ${maxDepth} levels`;
}

/**
 * yaml's `parseDocument`, split into its CST parser and composer so nesting can
 * be checked before composing. The composer recurses per level, and deep
 * recursion there can kill the whole process (V8 aborts with "RegExpCompiler
 * Allocation failed" when a regexp is first compiled near the stack limit;
 * `'- '.repeat(5000)` is enough), which no try/catch can stop. The CST parser
 * is iterative; its stack holds the document, one entry per open collection and
 * at most one more, so a stack longer than `maxDepth + 2` already means the
 * document is too deep (we allow 2 more to be safe); the exact check on the
 * composed nodes follows in analyse().
 * Returns the offset where nesting got too deep instead of a document.
 */
function parseDocumentGuarded(text: string, maxDepth: number): Document.Parsed | number {
  const parser = new (yamlLibrary().Parser)();
  const tokens: CST.Token[] = [];
  for (const lexeme of new (yamlLibrary().Lexer)().lex(text, false)) {
    const start = parser.offset;
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > maxDepth + 4) return start;
  }
  for (const token of parser.end()) tokens.push(token);

  const composer = new (yamlLibrary().Composer)(PARSE_OPTIONS);
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, text.length)) {
    if (!doc) {
      doc = next;
    } else {
      const [start, end] = next.range;
      doc.errors.push(new (yamlLibrary().YAMLParseError)([start, end], 'MULTIPLE_DOCS', 'Only one YAML document is allowed per file'));
      break;
    }
  }
  // compose(…, forceDoc = true) always yields a document.
  if (!doc) throw new Error('yaml produced no document');
  return doc;
}

/** yaml's `toJS` with its alias-expansion guard; undefined (and a problem) if that fails. */
function toData(doc: Document.Parsed, analysis: Analysis, maxAliasCount: number, problem: ReportProblem): unknown {
  try {
    return doc.toJS({ maxAliasCount, mapAsMap: false });
  } catch (e) {
    // yaml throws a ReferenceError with only a message for this; no position.
    if (/alias count/i.test(errorMessage(e))) {
      problem(
        'yaml_limit',
        `Aliases expand to too much data (more than ${maxAliasCount} alias expansions); is this a YAML bomb?`,
        analysis.largestAlias?.range?.[0] ?? 0,
      );
    } else {
      problem('yaml_syntax', `Could not convert YAML: ${errorMessage(e)}`, 0);
    }
    return undefined;
  }
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------
// Structure checks: aliases, depth, cycles, duplicate keys

type ReportProblem = (code: YamlProblem['code'], message: string, offset: number) => void;

interface Analysis {
  aliasTargets: Map<Alias, YamlNode>;
  /** The alias that expands to the most nodes: where a YAML bomb goes off. */
  largestAlias: Alias | undefined;
  /** False once a problem makes `toJS` unsafe or pointless. */
  safe: boolean;
}

interface Measure {
  depth: number;
  size: number;
}

function analyse(
  doc: Document.Parsed,
  maxDepth: number,
  index: SourceIndex,
  problem: ReportProblem,
): Analysis {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yamlLibrary();
  const result: Analysis = { aliasTargets: new Map(), largestAlias: undefined, safe: true };
  // Mirrors yaml's Alias.resolve (last anchor before the alias, in document
  // order) in one pass; yaml's own lookup re-walks the document per alias.
  const anchors = new Map<string, YamlNode>();
  const measured = new Map<YamlNode, Measure>();
  const open = new Set<YamlNode>();
  let largest = 0;
  let tooDeep = false;

  const deep = (offset: number): void => {
    if (tooDeep) return;
    tooDeep = true;
    result.safe = false;
    problem('yaml_limit', tooDeepMessage(maxDepth), offset);
  };

  // `level` is the nesting level a collection at this place would have (root: 1).
  const visit = (node: unknown, level: number): Measure => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const at = node.range?.[0] ?? 0;
      if (!target) {
        result.safe = false;
        problem('yaml_syntax', `Unknown alias *${node.source}: no anchor &${node.source} is defined before it`, at);
        return { depth: 0, size: 1 };
      }
      result.aliasTargets.set(node, target);
      if (open.has(target)) {
        result.safe = false;
        problem('yaml_limit', `Alias *${node.source} refers to a collection that contains it; recursive data is not supported`, at);
        return { depth: 0, size: 1 };
      }
      const m = measured.get(target) ?? { depth: 0, size: 1 };
      if (level - 1 + m.depth > maxDepth) deep(at);
      if (m.size > largest) {
        largest = m.size;
        result.largestAlias = node;
      }
      return m;
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return { depth: 0, size: 1 };
    if (node.anchor) anchors.set(node.anchor, node); // before the children, as yaml does
    let m: Measure = { depth: 0, size: 1 };
    if (isMap(node) || isSeq(node)) {
      if (level > maxDepth) {
        deep(node.range?.[0] ?? 0);
        return { depth: level, size: 1 };
      }
      open.add(node);
      let depth = 0;
      let size = 1;
      const keys = new Map<string, number>();
      for (const item of node.items) {
        if (isPair(item)) {
          const k = visit(item.key, level + 1);
          const v = visit(item.value, level + 1);
          depth = Math.max(depth, k.depth, v.depth);
          size += k.size + v.size;
          // Like yaml's check: scalar keys compare by value, others never match.
          const keyAt = isScalar(item.key) ? item.key.range?.[0] : undefined;
          if (keyAt !== undefined) {
            const name = keyName(item.key);
            const first = keys.get(name);
            if (first === undefined) {
              keys.set(name, keyAt);
            } else {
              const p = index.position(first);
              problem('yaml_syntax', `Duplicate key ${JSON.stringify(name)} (first defined at line ${p.line}, column ${p.column})`, keyAt);
            }
          }
        } else {
          const v = visit(item, level + 1);
          depth = Math.max(depth, v.depth);
          size += v.size;
        }
      }
      open.delete(node);
      m = { depth: depth + 1, size };
    }
    if (node.anchor) measured.set(node, m);
    return m;
  };

  visit(doc.contents, 1);
  return result;
}

// ---------------------------------------------------------------------------
// Paths

/** Where the nodes of a parsed document are: from the yaml library's nodes or the subset parser's. */
interface PositionTree {
  /** Offset of the node at `path` (see ParsedYaml.locate). */
  offset(path: JsonPath, part: 'key' | 'value'): number;
  /** The scalar at `path`, if the whole path exists and ends at one. */
  scalar(path: JsonPath): ScalarSpan | undefined;
}

interface ScalarSpan {
  type: string | undefined;
  start: number;
  end: number;
  value: unknown;
}

/** Where a path ends: the deepest node reached and the key it is the value of. */
interface Found<N> {
  node: N | null;
  keyAt: number | undefined;
  complete: boolean;
}

/** A sequence index as a path segment; -1 if the segment is not one. */
function itemIndex(segment: string | number): number {
  return typeof segment === 'number' ? segment : /^(0|[1-9]\d*)$/.test(segment) ? Number(segment) : -1;
}

/** The offset locate() reports; `empty`: a value with no text of its own (`a:`), which is shown at its key. */
function foundOffset(keyAt: number | undefined, start: number | undefined, empty: boolean, part: 'key' | 'value'): number {
  if (part === 'key' && keyAt !== undefined) return keyAt;
  if (empty || start === undefined) return keyAt ?? start ?? 0;
  return start;
}

function documentTree(root: YamlNode | null, aliases: Map<Alias, YamlNode>): PositionTree {
  const { isScalar } = yamlLibrary();
  return {
    offset(path, part) {
      const found = resolvePath(root, path, aliases);
      const range = found.node?.range;
      // An empty value (`a:`) is a zero-length null scalar just after the colon.
      const empty = !range || (range[0] === range[1] && isScalar(found.node) && found.node.value === null);
      return foundOffset(found.keyAt, range?.[0], empty, part);
    },
    scalar(path) {
      const found = resolvePath(root, path, aliases);
      const target = found.complete ? deref(found.node, aliases) : undefined;
      if (!isScalar(target) || !target.range) return undefined;
      return { type: target.type, start: target.range[0], end: target.range[1], value: target.value };
    },
  };
}

function subsetTree(root: SubsetNode): PositionTree {
  const resolve = (path: JsonPath): Found<SubsetNode> => {
    let found: Found<SubsetNode> = { node: root, keyAt: undefined, complete: true };
    for (const segment of path) {
      const node = found.node?.kind === 'alias' ? found.node.target : found.node;
      let next: Found<SubsetNode> | undefined;
      if (node?.kind === 'map') {
        const i = node.keys.indexOf(String(segment)); // keys are unique in the subset
        if (i !== -1) next = { node: node.values[i], keyAt: node.keyStarts[i], complete: true };
      } else if (node?.kind === 'seq') {
        const i = itemIndex(segment);
        if (i >= 0 && i < node.items.length) next = { node: node.items[i], keyAt: undefined, complete: true };
      }
      if (!next) return { ...found, complete: false };
      found = next;
    }
    return found;
  };
  return {
    offset(path, part) {
      const { node, keyAt } = resolve(path);
      const empty = node?.kind === 'scalar' && node.start === node.end && node.value === null;
      return foundOffset(keyAt, node?.start, empty, part);
    },
    scalar(path) {
      const found = resolve(path);
      const target = found.node?.kind === 'alias' ? found.node.target : found.node;
      return found.complete && target?.kind === 'scalar' ? target : undefined;
    },
  };
}

/** With stringKeys, scalar keys hold strings; compare as yaml's toJS would name them. */
function keyName(key: unknown): string {
  const { isAlias, isScalar } = yamlLibrary();
  if (isScalar(key)) return key.value === null || key.value === undefined ? '' : String(key.value);
  if (isAlias(key)) return `*${key.source}`;
  return String(key);
}

function deref(node: YamlNode | null, aliases: Map<Alias, YamlNode>): YamlNode | null {
  const { isAlias } = yamlLibrary();
  return isAlias(node) ? (aliases.get(node) ?? node) : node;
}

function resolvePath(root: YamlNode | null, path: JsonPath, aliases: Map<Alias, YamlNode>): Found<YamlNode> {
  const { isMap, isPair, isSeq } = yamlLibrary();
  let found: Found<YamlNode> = { node: root, keyAt: undefined, complete: true };
  for (const segment of path) {
    const node = deref(found.node, aliases);
    let next: Found<YamlNode> | undefined;
    if (isMap(node)) {
      const name = String(segment);
      // Last match: with duplicate keys the last one is the one in `data`.
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i];
        if (isPair(pair) && keyName(pair.key) === name) {
          next = { node: (pair.value as YamlNode | null) ?? null, keyAt: (pair.key as YamlNode | null)?.range?.[0], complete: true };
          break;
        }
      }
    } else if (isSeq(node)) {
      const i = itemIndex(segment);
      if (Number.isInteger(i) && i >= 0 && i < node.items.length) {
        next = { node: (node.items[i] as YamlNode | null) ?? null, keyAt: undefined, complete: true };
      }
    }
    if (!next) return { ...found, complete: false };
    found = next;
  }
  return found;
}

// ---------------------------------------------------------------------------
// Characters of a scalar value → source offsets

/** Offsets for value indexes 0..length (the extra last entry is "end of value"). */
function mapScalar(node: ScalarSpan, value: string, text: string, index: SourceIndex): Int32Array {
  const { start, end: valueEnd } = node;
  const map = new Int32Array(value.length + 1);
  let done = false;
  if (node.type === 'BLOCK_LITERAL') done = mapBlockLiteral(value, start, index, map);
  if (!done) {
    let units: Unit[];
    let segEnd = valueEnd;
    if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
      units = rawUnits(text, blockContentStart(start, index), valueEnd);
    } else if (node.type === 'QUOTE_DOUBLE') {
      segEnd = valueEnd - 1;
      units = doubleQuotedUnits(text, start + 1, segEnd);
    } else if (node.type === 'QUOTE_SINGLE') {
      segEnd = valueEnd - 1;
      units = singleQuotedUnits(text, start + 1, segEnd);
    } else {
      units = rawUnits(text, start, valueEnd);
    }
    align(value, units, segEnd, map);
  }
  // "End of value" is just past the last character that isn't a trailing newline.
  let t = value.length;
  while (t > 0 && value[t - 1] === '\n') t--;
  map[value.length] = t > 0 ? map[t - 1] + 1 : value.length > 0 ? map[0] : start;
  return map;
}

function blockContentStart(headerAt: number, index: SourceIndex): number {
  return index.lineStart(index.position(headerAt).line + 1);
}

/**
 * Literal blocks keep every content line verbatim after the indentation, one
 * value line per source line after the header. So a line's indentation is its
 * source length minus its value length: exact, also with an explicit
 * indentation indicator or more-indented lines. False if the source does not
 * look like that (then the caller aligns instead).
 */
function mapBlockLiteral(value: string, headerAt: number, index: SourceIndex, map: Int32Array): boolean {
  const firstLine = index.position(headerAt).line + 1;
  const valueLines = value.split('\n');
  // A final '\n' ends the last line; it does not start another one.
  const count = value.endsWith('\n') ? valueLines.length - 1 : valueLines.length;
  let i = 0;
  for (let k = 0; k < count; k++) {
    const lineNo = firstLine + k;
    if (lineNo > index.lines.length) return false;
    const source = index.lines[lineNo - 1];
    const content = valueLines[k];
    const indent = source.length - content.length;
    if (indent < 0) return false;
    if (content.length > 0 ? !source.endsWith(content) || !/^ *$/.test(source.slice(0, indent)) : source.trim() !== '') {
      return false;
    }
    const lineStart = index.lineStart(lineNo);
    for (let j = 0; j < content.length; j++) map[i++] = lineStart + indent + j;
    if (i < value.length) map[i++] = lineStart + source.length; // the line break
  }
  return i === value.length;
}

interface Unit {
  offset: number;
  /** What this piece of source contributes to the value ('' for an escaped line break). */
  out: string;
  /** Unescaped whitespace in the source, which folding may collapse. */
  space: boolean;
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

function rawUnits(text: string, from: number, to: number): Unit[] {
  const units: Unit[] = [];
  for (let i = from; i < to; i++) units.push({ offset: i, out: text[i], space: isSpace(text[i]) });
  return units;
}

function singleQuotedUnits(text: string, from: number, to: number): Unit[] {
  const units: Unit[] = [];
  for (let i = from; i < to; i++) {
    if (text[i] === "'" && text[i + 1] === "'") {
      units.push({ offset: i, out: "'", space: false });
      i++;
    } else {
      units.push({ offset: i, out: text[i], space: isSpace(text[i]) });
    }
  }
  return units;
}


function doubleQuotedUnits(text: string, from: number, to: number): Unit[] {
  const units: Unit[] = [];
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c !== '\\' || i + 1 >= to) {
      units.push({ offset: i, out: c, space: isSpace(c) });
      continue;
    }
    const e = text[i + 1];
    if (e === '\n' || (e === '\r' && text[i + 2] === '\n')) {
      // Escaped line break: it and the next line's indentation produce nothing.
      units.push({ offset: i, out: '', space: false });
      i += e === '\r' ? 2 : 1;
      while (i + 1 < to && (text[i + 1] === ' ' || text[i + 1] === '\t')) i++;
      continue;
    }
    const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hex > 0) {
      const digits = text.slice(i + 2, i + 2 + hex);
      const code = /^[0-9a-fA-F]+$/.test(digits) && digits.length === hex ? parseInt(digits, 16) : NaN;
      const out = code <= 0x10ffff ? String.fromCodePoint(code) : digits;
      units.push({ offset: i, out, space: false });
      i += 1 + hex;
      continue;
    }
    units.push({ offset: i, out: YAML_ESCAPES[e] ?? e, space: false });
    i++;
  }
  return units;
}

const LOOKAHEAD = 64;

/**
 * Greedy alignment of the value with what the source produces: equal
 * characters pair up; a whitespace run in the value pairs with the source's
 * whitespace run (folding turns `\n   ` into ` `); escapes map to their backslash.
 */
function align(value: string, units: Unit[], segEnd: number, map: Int32Array): void {
  let j = 0;
  let i = 0;
  const here = (): number => (j < units.length ? units[j].offset : segEnd);
  while (i < value.length) {
    while (j < units.length && units[j].out === '') j++;
    const c = value[i];
    if (isSpace(c)) {
      if (j < units.length && (units[j].space || units[j].out === c)) {
        map[i++] = units[j++].offset;
      } else {
        map[i++] = here(); // whitespace the source doesn't have here: keep our place
      }
      continue;
    }
    while (j < units.length && (units[j].space || units[j].out === '')) j++;
    if (j < units.length && value.startsWith(units[j].out, i)) {
      const u = units[j++];
      for (let k = 0; k < u.out.length; k++) map[i++] = u.offset;
      continue;
    }
    let found = -1;
    for (let q = j + 1; q < Math.min(units.length, j + LOOKAHEAD); q++) {
      if (units[q].out !== '' && value.startsWith(units[q].out, i)) {
        found = q;
        break;
      }
    }
    if (found !== -1) j = found;
    else map[i++] = here();
  }
}
