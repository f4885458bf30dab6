import type jsonata from 'jsonata';
import jsonataModule from './jsonata-library.js';
import { registerHelpers } from './functions.js';
import { registerGuardedBuiltins } from './builtins.js';
import { compileFast, type FastExpression } from './fast/compile.js';
import { parseTree } from './parse-trees.js';

/** Guardrails for every evaluation: a runaway expression is stopped, not the process. */
export interface ExpressionLimits {
  /** Milliseconds one evaluation may run (checked between expression nodes). */
  timeoutMs: number;
  /** Maximum evaluation depth (recursion). */
  maxDepth: number;
  /** Maximum length of any sequence an expression builds. */
  maxSequence: number;
  /** Largest result one evaluation may return, roughly in JSON characters. */
  maxOutputBytes: number;
  /** Deepest nesting of a result. */
  maxOutputDepth: number;
}

export const defaultExpressionLimits: ExpressionLimits = Object.freeze({
  timeoutMs: 1000,
  maxDepth: 500,
  maxSequence: 1_000_000,
  maxOutputBytes: 16 * 1024 * 1024,
  maxOutputDepth: 64,
});

/** A jsonata syntax error, normalised: `index` is the 0-based offset of the offending character. */
export interface ExpressionSyntaxError {
  code: string;
  message: string;
  index: number;
  token?: string;
}

interface JsonataErrorShape {
  code?: unknown;
  message?: unknown;
  position?: unknown;
  token?: unknown;
}

/** jsonata reports `position` just after the offending token; point at its first character instead. */
export function errorIndex(error: JsonataErrorShape, sourceLength: number): number {
  const position = typeof error.position === 'number' ? error.position : 0;
  const token = typeof error.token === 'string' && error.token !== '(end)' ? error.token : '';
  const index = position - (token.length || (position >= sourceLength ? 0 : 1));
  return Math.max(0, Math.min(index, Math.max(0, sourceLength - 1)));
}

export function toSyntaxError(error: unknown, source: string): ExpressionSyntaxError {
  const e = (error ?? {}) as JsonataErrorShape;
  const result: ExpressionSyntaxError = {
    code: typeof e.code === 'string' ? e.code : 'S0000',
    message: typeof e.message === 'string' ? e.message : String(error),
    index: errorIndex(e, source.length),
  };
  if (typeof e.token === 'string') result.token = e.token;
  return result;
}

/**
 * Compiles each distinct expression source once per limits setting and keeps it.
 * Per-engine (no global state); bounded so per-account overrides cannot grow it without end.
 */
export class ExpressionCache {
  private readonly entries = new Map<string, jsonata.Expression>();
  private readonly fastPaths = new WeakMap<jsonata.Expression, FastExpression | null>();

  constructor(
    readonly limits: ExpressionLimits = defaultExpressionLimits,
    private readonly maxEntries = 5000,
    /** Compile expressions to synchronous closures where every construct is supported. */
    readonly fastPath = true,
  ) {}

  /** The fast (closure-compiled) form of an expression, or undefined when it must run on jsonata. */
  fast(expression: jsonata.Expression): FastExpression | undefined {
    if (!this.fastPath) return undefined;
    if (!this.fastPaths.has(expression)) {
      let fast: FastExpression | null = null;
      try {
        fast = compileFast(expression, { helpers: true, timeoutMs: this.limits.timeoutMs, maxSequence: this.limits.maxSequence }) ?? null;
      } catch {
        fast = null; // anything unexpected: stock jsonata, which is always right
      }
      this.fastPaths.set(expression, fast);
    }
    return this.fastPaths.get(expression) ?? undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether this source is compiled already (so a tree parsed for it would go unused). */
  has(source: string): boolean {
    return this.entries.has(source);
  }

  /**
   * Throws the jsonata syntax error as is; callers locate it. The syntax tree is `ast` (cached
   * from an earlier parse of this same source) or jsonata's parser's; jsonata's evaluator (its
   * environment, with Unimap's functions registered on it) is made only when something needs
   * stock jsonata, which a fast-path expression never does.
   */
  compile(source: string, ast?: unknown): jsonata.Expression {
    const hit = this.entries.get(source);
    if (hit) {
      // Refresh recency so hot expressions survive eviction.
      this.entries.delete(source);
      this.entries.set(source, hit);
      return hit;
    }
    const tree = ast ?? (this.fastPath ? parseTree(source) : undefined);
    const expression = tree === undefined ? this.parse(source) : lazyExpression(tree, () => this.parse(source));
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(source, expression);
    return expression;
  }

  private parse(source: string): jsonata.Expression {
    const expression = jsonataModule(source, {
      timeout: this.limits.timeoutMs,
      stack: this.limits.maxDepth,
      sequence: this.limits.maxSequence,
    });
    registerGuardedBuiltins(expression);
    registerHelpers(expression);
    return expression;
  }

  /** Compile without throwing: the syntax error as a value. */
  tryCompile(source: string, ast?: unknown): { expression: jsonata.Expression } | { error: ExpressionSyntaxError } {
    try {
      return { expression: this.compile(source, ast) };
    } catch (error) {
      return { error: toSyntaxError(error, source) };
    }
  }
}

/** An expression whose syntax tree is known; the jsonata object behind it is made on first use. */
function lazyExpression(ast: unknown, parse: () => jsonata.Expression): jsonata.Expression {
  let real: jsonata.Expression | undefined;
  const get = () => (real ??= parse());
  return {
    ast: () => ast as jsonata.ExprNode,
    // Unimap evaluates with promises only; jsonata's callback form is not used.
    evaluate: ((input: unknown, bindings?: Record<string, unknown>) => get().evaluate(input, bindings)) as jsonata.Expression['evaluate'],
    assign: (name, value) => get().assign(name, value),
    registerFunction: (name, implementation, signature) => get().registerFunction(name, implementation, signature),
  };
}
