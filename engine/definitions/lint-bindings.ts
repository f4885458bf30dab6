import type jsonata from 'jsonata';
import { didYouMean } from './ajv.js';

// jsonata's typings omit some node types its parser produces (`path`, `bind`, `apply`).
type Node = Omit<jsonata.ExprNode, 'type'> & {
  type: string;
  stages?: Node[];
  predicate?: Node[];
  expr?: Node;
  condition?: Node;
  then?: Node;
  else?: Node;
  expression?: Node;
  body?: Node;
  group?: { lhs: [Node, Node][] };
};

/**
 * Names an expression reads from its input document at the top level (`resp` in `resp.id`).
 * Only the root context is checked: names inside a path step, a predicate, or a lambda are
 * relative to something else, so checking them would give false alarms.
 */
export function rootNames(ast: jsonata.ExprNode): { name: string; position: number }[] {
  const found: { name: string; position: number }[] = [];
  // Index loops, no destructuring: this runs cold (interpreted) at load, where `for…of` and
  // `[first, ...rest]` allocate per item.
  const visitAll = (nodes: Node[] | undefined, from: number, atRoot: boolean): void => {
    if (nodes) for (let i = from; i < nodes.length; i++) visit(nodes[i], atRoot);
  };
  const visit = (node: Node | undefined, atRoot: boolean): void => {
    if (!node || typeof node !== 'object') return;
    switch (node.type) {
      case 'path': {
        const steps = node.steps as Node[] | undefined;
        const first = steps?.[0];
        if (first?.type === 'name') {
          if (atRoot && typeof first.value === 'string') found.push({ name: first.value, position: first.position ?? 0 });
          const stages = first.stages;
          if (stages) for (let i = 0; i < stages.length; i++) visit(stages[i]!.expr, false);
        } else visit(first, atRoot);
        visitAll(steps, 1, false);
        return;
      }
      case 'unary':
        if (node.value === '{') {
          const pairs = node.lhs as [Node, Node][] | undefined;
          if (pairs) for (let i = 0; i < pairs.length; i++) visitAll(pairs[i], 0, atRoot);
        } else if (node.value === '[') visitAll(node.expressions as Node[] | undefined, 0, atRoot);
        else visit(node.expression, atRoot);
        return;
      case 'binary':
        visit(node.lhs as Node, atRoot);
        visit(node.rhs as Node, atRoot);
        return;
      case 'bind':
        visit(node.rhs as Node, atRoot);
        return;
      case 'condition':
        visit(node.condition, atRoot);
        visit(node.then, atRoot);
        visit(node.else, atRoot);
        return;
      case 'block':
        visitAll(node.expressions as Node[] | undefined, 0, atRoot);
        return;
      case 'function':
      case 'partial':
        visitAll(node.arguments as Node[] | undefined, 0, atRoot);
        return;
      case 'apply':
        visit(node.lhs as Node, atRoot);
        visit(node.rhs as Node, atRoot);
        return;
      case 'name':
        if (atRoot && typeof node.value === 'string') found.push({ name: node.value, position: node.position ?? 0 });
        return;
      default:
        return; // literals, variables, lambdas, regexes, transforms, sorts: nothing at the root to check
    }
  };
  visit(ast as unknown as Node, true);
  return found;
}

export interface BindingIssue {
  name: string;
  /** 0-based index of the name in the expression. */
  index: number;
  message: string;
}

/** Root-level names that are not among the slot's bindings: almost always a typo that would silently give nothing. */
export function unknownBindings(ast: jsonata.ExprNode, slot: string, bindings: readonly string[]): BindingIssue[] {
  const issues: BindingIssue[] = [];
  const seen = new Set<string>();
  for (const { name, position } of rootNames(ast)) {
    // `undefined` is a common idiom: a name no input has, so it reads as nothing, as intended.
    if (bindings.includes(name) || seen.has(name) || name === 'undefined') continue;
    seen.add(name);
    const guess = didYouMean(name, bindings);
    issues.push({
      name,
      index: Math.max(0, position - name.length),
      message: `\`${name}\` is not a binding of ${slot}, so it is always empty${guess ? `; did you mean \`${guess}\`?` : '.'} ${slot} receives: ${bindings.join(', ')}`,
    });
  }
  return issues;
}
