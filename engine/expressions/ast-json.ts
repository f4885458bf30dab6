/**
 * jsonata's syntax tree as JSON, so a parse can be cached across processes. Regular expressions
 * are tagged; a tree holding anything else JSON cannot carry (a lambda signature's validator
 * function, the parent operator's shared slots, a non-finite number) is not cacheable, and its
 * expression is simply parsed again. Only own properties are kept: jsonata's parser gives some
 * nodes a prototype (`id`, `lbp`, `nud`), which nothing after parsing reads.
 */

const REGEX_TAG = '$unimap_regex';

/** A cached tree. Most have no regular expression and are used as JSON.parse gives them, without a walk. */
export type AstJson = { tree: unknown } | { treeWithRegex: unknown };

/** A JSON copy of the tree, or undefined when the tree holds something JSON cannot carry. */
export function astToJson(ast: unknown): AstJson | undefined {
  const seen = new Set<object>();
  let regex = false;
  const copy = (value: unknown): unknown => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || Object.is(value, -0)) throw notCacheable;
      return value;
    }
    if (value === undefined) return undefined;
    if (typeof value !== 'object') throw notCacheable; // functions, symbols, bigints
    if (seen.has(value)) throw notCacheable; // shared nodes must stay shared
    seen.add(value);
    if (value instanceof RegExp) {
      regex = true;
      return { [REGEX_TAG]: [value.source, value.flags] };
    }
    if (Array.isArray(value)) return value.map((item) => (item === undefined ? throwNotCacheable() : copy(item)));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (key === REGEX_TAG) throw notCacheable;
      const item = copy((value as Record<string, unknown>)[key]);
      if (item !== undefined) out[key] = item;
    }
    return out;
  };
  try {
    const tree = copy(ast);
    return regex ? { treeWithRegex: tree } : { tree };
  } catch (error) {
    if (error === notCacheable) return undefined;
    throw error;
  }
}

/** The tree back from `astToJson`'s form after a JSON round trip; takes ownership (regular expressions are rebuilt in place). */
export function astFromJson(json: AstJson): unknown {
  if ('tree' in json) return json.tree;
  return withRegex(json.treeWithRegex);
}

function withRegex(json: unknown): unknown {
  if (json === null || typeof json !== 'object') return json;
  const node = json as Record<string, unknown>;
  const tagged = node[REGEX_TAG];
  if (Array.isArray(tagged)) return new RegExp(String(tagged[0]), String(tagged[1]));
  for (const key of Object.keys(node)) node[key] = withRegex(node[key]);
  return node;
}

const notCacheable = new Error('not cacheable');
function throwNotCacheable(): never {
  throw notCacheable;
}
