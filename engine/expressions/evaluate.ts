import type jsonata from 'jsonata';
import { UnimapError, type Location } from '../errors.js';
import { OutputLimitError, toPlain, toPlainShared, type OutputBudget } from './plain.js';
import type { ExpressionLimits } from './compile.js';
import { FastPathUnsupported, type FastExpression } from './fast/compile.js';
import { pickBindings } from '../definitions/slots.js';

/** Where an expression came from, so a runtime failure can name it precisely. */
export interface SlotOrigin {
  slot: string;
  integration: string;
  /** `model/resource.method` */
  operation?: string;
  /** JSON path in the definition (or override) */
  path: string;
  file?: string;
  /** Which override layer supplied it. */
  layer: 'base' | 'environment' | 'account';
  /** Maps a character index of the expression to its line and column in the YAML. */
  locate?: (index: number) => { line: number; column: number } | undefined;
}

export interface CompiledSlot {
  origin: SlotOrigin;
  source: string;
  expression: jsonata.Expression;
  /** Output limits (from the engine's expression limits). */
  limits?: Pick<ExpressionLimits, 'maxOutputBytes' | 'maxOutputDepth'>;
  /** The closure-compiled form, when every construct of the expression is supported (null: not). */
  fast?: FastExpression | null;
  /** Compiles `fast` on first evaluation, so loading definitions does not pay for it. */
  makeFast?: () => FastExpression | undefined;
  /** The output budget plainResult counts down: one per slot, refilled for each result. */
  budget?: OutputBudget;
  /** `fast.accepts` for this slot's bindings: it depends only on their names, which are fixed per slot. */
  fastAccepts?: boolean;
  /** Sees every evaluation (the mapping studio's step list); unset in normal use. */
  observe?: (event: SlotEvaluation) => void;
}

/** One evaluation of a slot: exactly the bindings it received, and its output or error. */
export interface SlotEvaluation {
  origin: SlotOrigin;
  bindings: Record<string, unknown>;
  output?: unknown;
  error?: unknown;
}

const limitCodes = new Set(['D1011', 'D1012', 'D2015', 'U1001']);

export function slotLocation(origin: SlotOrigin, index?: number): Location {
  const location: Location = { integration: origin.integration, path: origin.path, slot: origin.slot };
  if (origin.operation) location.operation = origin.operation;
  if (origin.file) location.file = origin.file;
  const at = origin.locate?.(index ?? 0);
  if (at) {
    location.line = at.line;
    location.column = at.column;
  }
  return location;
}

interface JsonataRuntimeError {
  code?: unknown;
  message?: unknown;
  position?: unknown;
  token?: unknown;
}

/** Returned by `evaluateSlotSync` when only stock jsonata (asynchronous) can evaluate the slot. */
export const NEEDS_ASYNC: unique symbol = Symbol('needs async');

/**
 * Evaluates a slot on the fast path, synchronously (no promise per record in a page); returns
 * NEEDS_ASYNC when the expression or a value needs stock jsonata, which `evaluateSlot` then runs.
 */
export function evaluateSlotSync(compiled: CompiledSlot, available: Record<string, unknown>, share = false): unknown {
  return evaluateFast(compiled, pickBindings(compiled.origin.slot, available), share);
}

/**
 * `evaluateSlotSync` with bindings already picked for this slot (`pickBindings`), so a page can
 * reuse one bindings object and change only `response`. Evaluation keeps no reference to it.
 */
export function evaluatePickedSync(compiled: CompiledSlot, picked: Record<string, unknown>, share = false): unknown {
  return evaluateFast(compiled, picked, share);
}

/** Evaluates a slot with exactly its bindings (as the input document and as `$` variables). */
export async function evaluateSlot(compiled: CompiledSlot, available: Record<string, unknown>, share = false): Promise<unknown> {
  const input = pickBindings(compiled.origin.slot, available);
  const sync = evaluateFast(compiled, input, share);
  if (sync !== NEEDS_ASYNC) return sync;
  return observed(compiled, input, async () => {
    let result: unknown;
    try {
      result = await compiled.expression.evaluate(input, input);
    } catch (error) {
      throw runtimeError(compiled, error);
    }
    return plainResult(compiled, result, share);
  });
}

/** The fast path on already picked bindings; NEEDS_ASYNC when stock jsonata must decide. */
function evaluateFast(compiled: CompiledSlot, input: Record<string, unknown>, share: boolean): unknown {
  if (compiled.fast === undefined && compiled.makeFast) compiled.fast = compiled.makeFast() ?? null;
  const fast = compiled.fast;
  if (!fast || !(compiled.fastAccepts ??= fast.accepts(input))) return NEEDS_ASYNC;
  // No closure per record unless the studio is watching.
  if (!compiled.observe) return runFast(compiled, fast, input, share);
  return observed(compiled, input, () => runFast(compiled, fast, input, share));
}

function runFast(compiled: CompiledSlot, fast: FastExpression, input: Record<string, unknown>, share: boolean): unknown {
  let result: unknown;
  try {
    result = fast.evaluateAccepted(input, input);
  } catch (error) {
    // A value the fast path cannot handle: stock jsonata decides (and is observed there).
    if (error instanceof FastPathUnsupported) return NEEDS_ASYNC;
    throw runtimeError(compiled, error);
  }
  return plainResult(compiled, result, share, fast.fresh);
}

/** Runs an evaluation, telling the slot's observer (the studio) its bindings and outcome. */
function observed<T>(compiled: CompiledSlot, input: Record<string, unknown>, run: () => T): T {
  const observe = compiled.observe;
  if (!observe) return run();
  const report = (event: { output?: unknown; error?: unknown }) => observe({ origin: compiled.origin, bindings: input, ...event });
  try {
    const output = run();
    if (output instanceof Promise) {
      return output.then(
        (value: unknown) => (report({ output: value }), value),
        (error: unknown) => {
          report({ error });
          throw error;
        },
      ) as T;
    }
    if (output !== NEEDS_ASYNC) report({ output });
    return output;
  } catch (error) {
    report({ error });
    throw error;
  }
}

/**
 * The result as plain JSON. `share` keeps already-plain nested parts instead of copying them
 * (only the top level is fresh): for callers that never mutate below the top level.
 */
function plainResult(compiled: CompiledSlot, result: unknown, share: boolean, fresh = false): unknown {
  const limits = compiled.limits;
  let budget: OutputBudget | undefined;
  if (limits) {
    // Refilled, not allocated per record: the copy below is synchronous, so no other use overlaps.
    budget = compiled.budget ??= { bytes: 0, maxDepth: 0 };
    budget.bytes = limits.maxOutputBytes;
    budget.maxDepth = limits.maxOutputDepth;
  }
  try {
    return share ? toPlainShared(result, budget, fresh) : toPlain(result, budget);
  } catch (error) {
    if (!(error instanceof OutputLimitError)) throw runtimeError(compiled, error);
    const { origin } = compiled;
    throw new UnimapError('mapping_limit', `${origin.slot} of ${origin.integration}${origin.operation ? ` ${origin.operation}` : ''} returned a result ${error.message === 'depth' ? `nested deeper than ${limits?.maxOutputDepth}` : `larger than ${limits?.maxOutputBytes} bytes`}`, {
      statusCode: 500,
      location: slotLocation(origin),
    });
  }
}

export function runtimeError(compiled: CompiledSlot, error: unknown): UnimapError {
  if (error instanceof UnimapError) return error;
  const e = (error ?? {}) as JsonataRuntimeError;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const position = typeof e.position === 'number' ? Math.max(0, e.position - 1) : undefined;
  const location = slotLocation(compiled.origin, position);
  const { origin } = compiled;
  const what = `${origin.slot} of ${origin.integration}${origin.operation ? ` ${origin.operation}` : ''}${
    origin.layer === 'base' ? '' : ` (${origin.layer} override)`
  }`;
  const detail = typeof e.message === 'string' ? e.message : String(error);
  // JavaScript's own limits (string length, call stack) are limits too, not mapping bugs.
  const isLimit = (code !== undefined && limitCodes.has(code)) || (error instanceof RangeError && /string length|call stack|array length/i.test(error.message));
  const where = location.line ? ` at ${location.file ?? '<definition>'}:${location.line}:${location.column}` : '';
  return new UnimapError(
    isLimit ? 'mapping_limit' : 'mapping_error',
    `${what} failed${where}: ${code ? `${code} ` : ''}${detail}`,
    { statusCode: 500, location, details: { jsonata_code: code, position, token: typeof e.token === 'string' ? e.token : undefined } },
  );
}
