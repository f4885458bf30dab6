import type { Engine } from '../engine.js';
import type { Location } from '../errors.js';
import { explainFallback } from '../expressions/fast/compile.js';

/** An expression that runs on stock jsonata (same results, slower), and why. */
export interface StockExpression {
  location: Location;
  reason: string;
}

export interface FastPathReport {
  /** Expressions loaded (one per slot: an expression shared through a YAML alias counts per place). */
  expressions: number;
  /** How many of them run on the fast path. */
  fast: number;
  stock: StockExpression[];
}

/**
 * Which loaded expressions run on the fast path, and for the others what keeps them on stock
 * jsonata, at their place in the YAML: an author can rewrite a hot mapping (a lambda passed as a
 * value, say, into a function written in the `$map` call) or leave it, knowing the cost.
 */
export function fastPathReport(engine: Engine): FastPathReport {
  let expressions = 0;
  let fast = 0;
  const stock: StockExpression[] = [];
  for (const integration of engine.integrations.values()) {
    for (const slot of integration.slots.values()) {
      expressions++;
      if (slot.makeFast?.()) {
        fast++;
        continue;
      }
      const { origin } = slot;
      const location: Location = { file: origin.file ?? integration.file, path: origin.path, slot: origin.slot, integration: origin.integration };
      const at = origin.locate?.(0);
      if (at) {
        location.line = at.line;
        location.column = at.column;
      }
      if (origin.operation) location.operation = origin.operation;
      // The engine compiles with the Unimap helpers registered; nothing to explain means it was turned off.
      const why = explainFallback(slot.expression, { helpers: true });
      stock.push({ location, reason: why === undefined ? 'the fast path is turned off (fastPath: false)' : describeFallback(why) });
    }
  }
  return { expressions, fast, stock };
}

/** The compiler's reason, in an author's terms where it names a construct they wrote. */
export function describeFallback(reason: string): string {
  const fn = /^function \$(\w+)$/.exec(reason);
  if (fn) return `it calls \`$${fn[1]}\`, which the fast path does not implement`;
  if (/^(lambda value|function value)\b/.test(reason) || reason === 'function argument') {
    return 'it passes a function as a value (write the function in the `$map`, `$filter`, `$reduce`, … call instead)';
  }
  const tail = /^tail call in a \$(\w+) function$/.exec(reason);
  if (tail) return `the \`$${tail[1]}\` function ends in a call, whose value jsonata keeps uncollapsed there`;
  const known: Record<string, string> = {
    sort: 'it sorts a path with `^(…)`',
    group: 'it groups a path into an object (`path{key: value}`)',
    tuple: 'it binds a position or context on a path (`#$i`, `@$v`)',
    index: 'it binds a position on a path (`#$i`)',
    focus: 'it binds the context on a path (`@$v`)',
    apply: 'a `~>` whose right side is not a function call (a chain of functions, or a transform `|…|…|`)',
    procedure: 'it calls something other than a named function',
    'lambda form': 'a function with a signature (`function($x)<n:n>`)',
    'lambda called from a lambda': 'a function calls another function defined in the expression',
    'syntax tree too deep': 'the expression is nested deeper than the fast path compiles',
  };
  return known[reason] ?? reason;
}
