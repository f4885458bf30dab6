// Issue 8's scope for the fast path: an expression built only from paths, predicates, object
// and array constructors, string, number and boolean operators, conditionals, variables and
// blocks, and calls of the functions the bundled mappings call. The conformance runner checks
// that every suite case in this scope runs on the fast path itself.
type AstNode = { type?: string; value?: unknown; procedure?: AstNode; [key: string]: unknown };

const operators = new Set(['+', '-', '*', '/', '%', '&', '=', '!=', '<', '<=', '>', '>=', 'and', 'or']);
const leaves = new Set(['string', 'number', 'value', 'name', 'variable', 'path', 'condition', 'block', 'bind', 'filter']);
// Step flags jsonata sets for constructs outside the scope: `{…}` grouping, `@` focus, `#` index,
// `%` parent, `[]` keep-array, `[…]` constructed arrays in a path.
const outsideFlags = ['group', 'focus', 'index', 'tuple', 'ancestor', 'keepArray', 'consarray'];

// jsonata 2.2's function library (the names jsonata.js binds in its static frame, and $now/$millis).
const builtinNames = new Set(
  ('sum count max min average string substring substringBefore substringAfter lowercase uppercase length trim pad match contains replace split join ' +
    'formatNumber formatBase formatInteger parseInteger number floor ceil round abs sqrt power random boolean not map zip filter single reduce sift keys lookup ' +
    'append exists spread merge reverse each error assert type sort shuffle distinct base64encode base64decode encodeUrlComponent encodeUrl ' +
    'decodeUrlComponent decodeUrl eval toMillis fromMillis clone now millis').split(' '),
);

/** Why an expression is outside the scope (empty: inside it). */
export function outsideFastScope(ast: unknown, mappingFunctions: ReadonlySet<string>): string[] {
  const reasons: string[] = [];
  const visit = (node: unknown, callee = false): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    const n = node as AstNode;
    if (n.type === 'function' && n.value === '(') {
      const name = n.procedure?.type === 'variable' ? String(n.procedure.value) : undefined;
      if (!name || !mappingFunctions.has(name)) reasons.push(`calls $${name ?? '(an expression)'}`);
    } else if (n.type === 'binary') {
      if (!operators.has(String(n.value))) reasons.push(`operator ${String(n.value)}`);
    } else if (n.type === 'unary') {
      if (!['-', '[', '{'].includes(String(n.value))) reasons.push(`unary ${String(n.value)}`);
    } else if (n.type === 'variable') {
      if (!callee && builtinNames.has(String(n.value))) reasons.push(`$${String(n.value)} as a value`);
    } else if (n.type !== undefined && !leaves.has(n.type)) {
      reasons.push(n.type);
    } else if (n.type === undefined) {
      reasons.push('a construct with a sub-structure (sort terms, a signature, a parent slot, grouping)');
    }
    for (const flag of outsideFlags) if (n[flag] !== undefined && n[flag] !== false) reasons.push(flag);
    for (const [key, child] of Object.entries(n)) {
      if (key === 'position' || typeof child !== 'object') continue;
      visit(child, key === 'procedure');
    }
  };
  visit(ast);
  return [...new Set(reasons)];
}

/** The names of the functions the given syntax trees call. */
export function calledFunctions(asts: Iterable<unknown>): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as AstNode;
    if (n.type === 'function' && n.procedure?.type === 'variable') names.add(String(n.procedure.value));
    for (const [key, child] of Object.entries(n)) if (key !== 'position') visit(child);
  };
  for (const ast of asts) visit(ast);
  return names;
}
