/**
 * Syntax trees from jsonata's own parser, many sources in one run of it.
 *
 * Every run of jsonata's parser first builds its symbol table (some sixty symbols, each with
 * functions of its own), and its tokens are made on those fresh prototypes, so V8's caches start
 * cold on every run. For the 75 expressions of the bundled definitions, a run per expression
 * took about twice as long as one run over all of them. So the sources of a definition are
 * parsed together as one array constructor, `[(s1),(s2),…]`: each element is then a block
 * holding exactly the tree the source's own parse gives, with positions counted from the start
 * of the batch, which are moved back.
 *
 * A source's own parse and its place in the batch differ in a few ways, and the batch is only
 * used where none of them can apply:
 * - a parent operator (`%`) is labelled by a counter that runs over the whole parse, and its
 *   slots are shared between nodes: sources with a `%` anywhere are left out;
 * - a block takes a trailing `;` that the top level rejects, and the token after `(` is read as
 *   an operator, so a regex cannot start it: sources that end in `;` or `/`, or start with `/`,
 *   are left out;
 * - a source that does not close what it opens (a string, a comment, a bracket) runs into its
 *   neighbours: the batch is used only if it has one element per source, each a block with one
 *   expression and nothing else, starting exactly where that source's `(` is. Otherwise the
 *   whole batch is dropped and each source is parsed alone, as before.
 * `test/conformance/parse-tree.test.ts` checks every tree against the source's own parse, over
 * the conformance suite and mutated sources.
 */
import type jsonata from 'jsonata';
import jsonataModule from './jsonata-library.js';

type Parser = (source: string) => jsonata.ExprNode & { errors?: unknown };

/**
 * jsonata's own parser, the first thing `jsonata()` runs. `jsonata()` then builds an evaluation
 * environment (parsing signatures into regexes), and Unimap registers its functions on it: about
 * a fifth of a cold start without the parse cache, for expressions the fast path runs without it.
 * jsonata marks the property for removal in a future release; without it, `jsonata()` parses.
 */
export const jsonataParser = (jsonataModule as unknown as { parser?: Parser }).parser;

/** The syntax tree, or undefined where jsonata() must parse (and report a syntax error, with its message). */
export function parseTree(source: string, parser: Parser | null | undefined = jsonataParser): jsonata.ExprNode | undefined {
  if (typeof parser !== 'function') return undefined;
  try {
    const tree = parser(source);
    return tree.errors === undefined ? tree : undefined;
  } catch {
    return undefined; // the parser's error has no message yet: jsonata() fills it in
  }
}

/** jsonata's whitespace: a source is trimmed by these only, as its lexer skips them. */
const WHITESPACE = ' \t\n\r\v';

function batchable(source: string): boolean {
  if (source.includes('%')) return false;
  let start = 0;
  while (start < source.length && WHITESPACE.includes(source[start]!)) start++;
  let end = source.length - 1;
  while (end >= start && WHITESPACE.includes(source[end]!)) end--;
  if (end < start) return false; // nothing to parse: jsonata's own error
  return source[start] !== '/' && source[end] !== ';' && source[end] !== '/';
}

/** The keys a wrapping block may have: a `consarray` flag is copied up from its one expression. */
const BLOCK_KEYS = new Set(['type', 'position', 'expressions', 'consarray']);

/**
 * Trees for the sources one run of jsonata's parser can give, keyed by source. A source missing
 * from the map is for `parseTree` (alone), as is everything when the batch does not parse.
 */
export function parseTrees(sources: Iterable<string>, parser: Parser | null | undefined = jsonataParser): Map<string, jsonata.ExprNode> {
  const trees = new Map<string, jsonata.ExprNode>();
  if (typeof parser !== 'function') return trees;
  const batch = [...new Set(sources)].filter(batchable);
  if (batch.length < 2) return trees; // one source parses alone at the same cost
  const starts: number[] = [];
  let text = '[';
  for (const source of batch) {
    if (starts.length > 0) text += ',';
    text += '(';
    starts.push(text.length);
    text += source;
    text += ')';
  }
  text += ']';
  let array: jsonata.ExprNode & { errors?: unknown };
  try {
    array = parser(text);
  } catch {
    return trees;
  }
  const elements = array.errors === undefined && array.type === 'unary' && array.value === '[' ? array.expressions : undefined;
  if (!elements || elements.length !== batch.length) return trees;
  for (let i = 0; i < batch.length; i++) {
    const block = elements[i]!;
    if (block.type !== 'block' || block.position !== starts[i] || block.expressions?.length !== 1) return trees;
    for (const key of Object.keys(block)) if (!BLOCK_KEYS.has(key)) return trees;
  }
  for (let i = 0; i < batch.length; i++) {
    const tree = elements[i]!.expressions![0]!;
    shiftPositions(tree, starts[i]!);
    trees.set(batch[i]!, tree);
  }
  return trees;
}

/**
 * Counts every node's `position` from its own source's start. Only the parent operator's slots
 * are shared between nodes, and sources with a `%` are not batched, so each node is met once
 * (the tests would see a position moved twice).
 */
function shiftPositions(node: object, by: number): void {
  // Index loops: cold code runs interpreted, where `for…of` makes an iterator result per item.
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const item: unknown = node[i];
      if (item !== null && typeof item === 'object') shiftPositions(item, by);
    }
    return;
  }
  if (node instanceof RegExp) return;
  const record = node as Record<string, unknown>;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = record[key];
    if (key === 'position' && typeof value === 'number') record[key] = value - by;
    else if (value !== null && typeof value === 'object') shiftPositions(value, by);
  }
}
