import type { CompiledSlot } from '../evaluate.js';
import { explainFallback } from './compile.js';

/**
 * Why a compiled slot runs on stock jsonata (same results, slower), in an author's terms, or
 * undefined when it runs on the fast path. Compiles the fast form if that has not happened yet.
 */
export function slotFallback(slot: CompiledSlot): string | undefined {
  if (slot.makeFast?.()) return undefined;
  // The engine compiles with the Unimap helpers registered; nothing to explain means it was turned off.
  const why = explainFallback(slot.expression, { helpers: true });
  return why === undefined ? 'the fast path is turned off (fastPath: false)' : describeFallback(why);
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
    sort: 'an order-by `^(…)` in a form the fast path does not compile',
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
