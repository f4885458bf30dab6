import type jsonata from 'jsonata';

// jsonata's typings omit some node types its parser produces (`path`, `bind`, `apply`).
type Node = Omit<jsonata.ExprNode, 'type'> & {
  type: string;
  stages?: Node[];
  expr?: Node;
  condition?: Node;
  then?: Node;
  else?: Node;
  expression?: Node;
};

/** Dotted output paths (`emails.email`) an expression's object constructors can produce. */
export function outputFields(ast: jsonata.ExprNode): Set<string> {
  const out = new Set<string>();
  for (const field of produced(ast as unknown as Node, new Map())) out.add(field);
  return out;
}

function produced(node: Node | undefined, vars: Map<string, Set<string>>): Set<string> {
  const fields = new Set<string>();
  if (!node) return fields;
  switch (node.type) {
    case 'unary':
      if (node.value === '{') {
        for (const [key, value] of (node.lhs ?? []) as [Node, Node][]) {
          if (key.type !== 'string' || typeof key.value !== 'string') continue;
          fields.add(key.value);
          for (const sub of produced(value, vars)) fields.add(`${key.value}.${sub}`);
        }
      } else if (node.value === '[') {
        for (const e of (node.expressions ?? []) as Node[]) for (const f of produced(e, vars)) fields.add(f);
      }
      return fields;
    case 'block': {
      const scope = new Map(vars);
      const expressions = (node.expressions ?? []) as Node[];
      for (const e of expressions.slice(0, -1)) {
        if (e.type === 'bind' && (e.lhs as Node | undefined)?.type === 'variable') scope.set(String((e.lhs as Node).value), produced(e.rhs as Node, scope));
      }
      return produced(expressions[expressions.length - 1], scope);
    }
    case 'condition':
      for (const f of produced(node.then, vars)) fields.add(f);
      for (const f of produced(node.else, vars)) fields.add(f);
      return fields;
    case 'variable':
      return new Set(vars.get(String(node.value)) ?? []);
    case 'path': {
      // `response.items.{…}` or `[…]` at the end of a path produces what its last step builds.
      const steps = (node.steps ?? []) as Node[];
      return produced(steps[steps.length - 1], vars);
    }
    case 'function': {
      // `$toArray([{…}])`, `$removeEmpty({…})`: helpers that pass their argument's shape through.
      const name = String((node.procedure as Node | undefined)?.value ?? '');
      if (['removeEmpty', 'toArray', 'firstNonEmpty'].includes(name)) {
        for (const a of (node.arguments ?? []) as Node[]) for (const f of produced(a, vars)) fields.add(f);
      }
      return fields;
    }
    default:
      return fields;
  }
}

/**
 * Whether a slot of a unified method (its path inside the method config: `request_body_mapping`,
 * `after.0.body`) shapes a remote request, so that a body field it reads is sent, not dropped.
 * The response side (response, header and error mappings, side loads, a step's
 * `response_mapping`) only reads the body.
 */
export function shapesRequest(slotPath: string): boolean {
  if (/^(before|after)\.\d+\./.test(slotPath)) return !slotPath.endsWith('.response_mapping');
  return ['request_body_mapping', 'query_mapping', 'path_mapping', 'request_header_mapping', 'resource.expression', 'method.expression'].includes(slotPath);
}

const readsByExpression = new WeakMap<jsonata.Expression, Set<string>>();
const writtenBySlots = new WeakMap<ReadonlyMap<string, unknown>, Set<string>>();

/**
 * Dotted paths of the unified body (`emails.email`) read by the slots of a method that shape a
 * remote request (see shapesRequest): what the method sends. Each expression is analysed once.
 */
export function requestBodyReads(slots: Iterable<[string, { expression: jsonata.Expression }]>): Set<string> {
  const fields = new Set<string>();
  for (const [path, slot] of slots) {
    if (!shapesRequest(path)) continue;
    let reads = readsByExpression.get(slot.expression);
    if (!reads) {
      reads = bodyReads(slot.expression.ast());
      readsByExpression.set(slot.expression, reads);
    }
    for (const field of reads) fields.add(field);
  }
  return fields;
}

/**
 * The top-level unified body fields a method writes: those requestBodyReads finds (a follow-up
 * step's body writes its fields too), and `remote_data`, which the engine passes through.
 */
export function writtenBodyFields(slots: ReadonlyMap<string, { expression: jsonata.Expression }>): ReadonlySet<string> {
  // Once per slot map: a method resolved without overrides keeps its map for every call.
  let fields = writtenBySlots.get(slots);
  if (!fields) {
    fields = new Set<string>(['remote_data']);
    for (const field of requestBodyReads(slots)) fields.add(field.split('.')[0]!);
    writtenBySlots.set(slots, fields);
  }
  return fields;
}

/**
 * Dotted paths of the unified body an expression reads (`name`, `emails.email`,
 * `emails.is_primary`), following `body.…` paths, their predicates, and variables bound to them.
 */
export function bodyReads(ast: jsonata.ExprNode, root = 'body'): Set<string> {
  const reads = new Set<string>();
  const visit = (node: Node | undefined, vars: Map<string, string>, atRoot: boolean): void => {
    if (!node || typeof node !== 'object') return;
    if (node.type === 'path') {
      const steps = (node.steps ?? []) as Node[];
      let prefix: string | undefined;
      let start = 0;
      const first = steps[0];
      if (first?.type === 'name' && atRoot && first.value === root) {
        prefix = '';
        start = 1;
      } else if (first?.type === 'variable' && vars.has(String(first.value))) {
        prefix = vars.get(String(first.value))!;
        start = 1;
        for (const stage of first.stages ?? []) visitRelative(stage.expr, prefix, vars);
      }
      if (prefix === undefined) {
        visit(first, vars, atRoot);
        for (const step of steps.slice(1)) visit(step, vars, false);
        return;
      }
      for (const step of steps.slice(start)) {
        if (step.type !== 'name' || typeof step.value !== 'string') {
          visitRelative(step, prefix, vars);
          break;
        }
        prefix = prefix ? `${prefix}.${step.value}` : step.value;
        reads.add(prefix);
        for (const stage of step.stages ?? []) visitRelative(stage.expr, prefix, vars);
      }
      return;
    }
    switch (node.type) {
      case 'block': {
        const scope = new Map(vars);
        for (const e of (node.expressions ?? []) as Node[]) {
          if (e.type === 'bind' && (e.lhs as Node | undefined)?.type === 'variable') {
            const alias = aliasOf(e.rhs as Node, scope);
            if (alias !== undefined) scope.set(String((e.lhs as Node).value), alias);
          }
          visit(e, scope, atRoot);
        }
        return;
      }
      case 'bind':
        visit(node.rhs as Node, vars, atRoot);
        return;
      case 'unary':
        if (node.value === '{') for (const [k, v] of (node.lhs ?? []) as [Node, Node][]) {
          visit(k, vars, atRoot);
          visit(v, vars, atRoot);
        }
        else if (node.value === '[') for (const e of (node.expressions ?? []) as Node[]) visit(e, vars, atRoot);
        else visit(node.expression, vars, atRoot);
        return;
      case 'binary':
      case 'apply':
        visit(node.lhs as Node, vars, atRoot);
        visit(node.rhs as Node, vars, atRoot);
        return;
      case 'condition':
        visit(node.condition, vars, atRoot);
        visit(node.then, vars, atRoot);
        visit(node.else, vars, atRoot);
        return;
      case 'function':
      case 'partial':
        for (const a of (node.arguments ?? []) as Node[]) visit(a, vars, atRoot);
        return;
      default:
        return;
    }
  };
  // Inside a predicate or a step after `body.x`, bare names are fields of `x`.
  const visitRelative = (node: Node | undefined, prefix: string, vars: Map<string, string>): void => {
    if (!node) return;
    if (node.type === 'path') {
      const first = ((node.steps ?? []) as Node[])[0];
      if (first?.type === 'name' && typeof first.value === 'string') reads.add(prefix ? `${prefix}.${first.value}` : first.value);
      return;
    }
    if (node.type === 'name' && typeof node.value === 'string') {
      reads.add(prefix ? `${prefix}.${node.value}` : node.value);
      return;
    }
    for (const child of [node.lhs, node.rhs, node.condition, node.then, node.else, node.expression] as (Node | undefined)[]) {
      if (child && !Array.isArray(child)) visitRelative(child, prefix, vars);
    }
    if (node.type === 'unary' && node.value === '{') for (const [, v] of (node.lhs ?? []) as [Node, Node][]) visitRelative(v, prefix, vars);
    for (const e of (node.expressions ?? []) as Node[]) visitRelative(e, prefix, vars);
    for (const a of (node.arguments ?? []) as Node[]) visitRelative(a, prefix, vars);
  };
  const aliasOf = (node: Node | undefined, vars: Map<string, string>): string | undefined => {
    if (node?.type !== 'path') return undefined;
    const steps = (node.steps ?? []) as Node[];
    let prefix: string | undefined;
    const first = steps[0];
    if (first?.type === 'name' && first.value === root) prefix = '';
    else if (first?.type === 'variable' && vars.has(String(first.value))) prefix = vars.get(String(first.value));
    if (prefix === undefined) return undefined;
    for (const step of steps.slice(1)) {
      if (step.type !== 'name') return prefix;
      prefix = prefix ? `${prefix}.${String(step.value)}` : String(step.value);
    }
    return prefix;
  };
  visit(ast as unknown as Node, new Map(), true);
  return reads;
}
