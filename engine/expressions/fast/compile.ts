/**
 * A synchronous fast path for JSONata: compiles jsonata's own syntax tree (`expression.ast()`)
 * into plain JavaScript closures (no `eval`, no `new Function`), reproducing jsonata 2.2.2's
 * evaluation semantics for a subset of the language. Anything outside that subset makes
 * `compileFast` return `undefined`, so the caller keeps using stock jsonata for that expression.
 *
 * Semantics follow jsonata.js (evaluate, evaluatePath, evaluateStep, evaluateFilter,
 * evaluateGroupExpression, ...) closely, including sequences and singleton collapsing.
 * Built-in functions are jsonata's own implementations and signature validators, looked up once
 * at module load (read-only afterwards); `$contains`, `$split`, `$replace` and `$match` are
 * re-implemented (string patterns and regex literals) because jsonata's versions are asynchronous.
 * Lambdas are supported where they cannot escape: bound in a block and called by name, or written
 * in a call of `$map`, `$filter`, `$single`, `$reduce`, `$each` or `$sift` (compileHigherOrder).
 *
 * Guardrails: `timeoutMs` gives D1012 like jsonata's `timeout` (checked every 1024 nodes rather
 * than every node, and on every round of a function applied by `$map`, `$reduce` and the like);
 * trees deeper than MAX_TREE_DEPTH fall back, and lambdas may not call lambdas (nor can a lambda
 * written in a call be called again), so the depth limit (D1011) cannot differ. `maxSequence` is
 * honoured where jsonata checks it outside sequence pushes (`..`, `$append`). Not reproduced: the
 * per-push `sequence` limit (D2015) and jsonata's exact error messages (errors carry `code`,
 * `position`, `token`, a short message).
 *
 * Callers: use `accepts(bindings)` (false when a binding shadows a called function) and catch
 * `FastPathUnsupported` (a value the fast path cannot handle, e.g. a function in the bindings) by
 * re-running stock jsonata.
 */
import type jsonata from 'jsonata';
import jsonataModule from '../jsonata-library.js';
import { cleanEmpty, registerHelpers } from '../functions.js';
import { isForbiddenKey } from '../plain.js';

export interface FastExpression {
  /** Evaluates synchronously; same result (or thrown error code) as `expression.evaluate`. */
  evaluate(input: unknown, bindings?: Record<string, unknown>): unknown;
  /** False when a binding would shadow a function the expression calls (then use stock jsonata). */
  accepts(bindings?: Record<string, unknown>): boolean;
  /** `evaluate` for bindings that `accepts` already passed (the check depends only on their names). */
  evaluateAccepted(input: unknown, bindings?: Record<string, unknown>): unknown;
  /** The result's top level is always built by the expression (an object or array constructor), never shared with the input. */
  fresh: boolean;
  /**
   * SEQUENCE_SHAPES, held for as long as the expression can run: a module variable that no
   * function refers to is not kept once the module has run (nor in a bundle's scope).
   */
  readonly shapes: readonly unknown[];
}

export interface CompileFastOptions {
  /** The expression has Unimap's helpers registered (`registerHelpers`), so `$toIsoDate` etc. may be called. */
  helpers?: boolean;
  /** Milliseconds one evaluation may run before failing with D1012, like jsonata's `timeout` option. */
  timeoutMs?: number;
  /** jsonata's `sequence` option, as far as the range operator checks it (D2015 for `[1..n]` beyond it). */
  maxSequence?: number;
}

// Syntax trees nested deeper than this fall back, so the evaluator's depth limit (D1011) is never
// what differs: without recursive lambdas, the fast path's depth is bounded by the tree's.
const MAX_TREE_DEPTH = 100;

function treeDepth(node: unknown, depth = 0, seen = new Set<object>()): number {
  if (depth > MAX_TREE_DEPTH) return depth;
  if (node === null || typeof node !== 'object' || seen.has(node)) return depth;
  seen.add(node);
  let max = depth;
  for (const value of Object.values(node)) {
    if (value && typeof value === 'object') max = Math.max(max, treeDepth(value, depth + 1, seen));
  }
  return max;
}

/* ------------------------------------------------------------------------ */
/* jsonata's own function objects                                            */
/* ------------------------------------------------------------------------ */

interface Signature {
  validate(args: unknown[], context: unknown): unknown[];
}
interface JsonataFunction {
  _jsonata_function: true;
  implementation: (this: Focus, ...args: unknown[]) => unknown;
  signature?: Signature;
}
interface Focus {
  /** What jsonata's `$toMillis` reads of its environment: the evaluation's timestamp. */
  environment: { timestamp: Date } | undefined;
  input: unknown;
  options: Record<string, unknown>;
  createSequence: (...items: unknown[]) => Sequence;
}

// Synchronous built-ins whose implementations do not need the evaluator's environment.
const SYNC_BUILTINS = [
  'toMillis', 'string', 'number', 'boolean', 'exists', 'count', 'lowercase', 'uppercase', 'substring', 'substringBefore',
  'substringAfter', 'length', 'trim', 'pad', 'join', 'not', 'type', 'sum', 'max', 'min', 'average', 'abs', 'floor',
  'ceil', 'round', 'sqrt', 'power', 'keys', 'append', 'reverse', 'merge', 'lookup', 'base64encode', 'base64decode',
  'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'formatBase', 'error', 'assert',
  'fromMillis', 'formatInteger', 'parseInteger', 'formatNumber',
] as const;
// Asynchronous in jsonata; re-implemented here (string patterns and regex literals).
const PATTERN_BUILTINS = ['contains', 'split', 'replace', 'match'] as const;

// Every built-in name of jsonata 2.2.2: a variable reference to one of these is a function value (unsupported).
const ALL_BUILTINS: ReadonlySet<string> = new Set([
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase',
  'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join', 'formatNumber', 'formatBase',
  'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt', 'power', 'random', 'boolean',
  'not', 'map', 'zip', 'filter', 'single', 'foldLeft', 'sift', 'keys', 'lookup', 'append', 'exists', 'spread',
  'merge', 'reverse', 'each', 'error', 'assert', 'type', 'sort', 'shuffle', 'distinct', 'base64encode',
  'base64decode', 'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis',
  'fromMillis', 'clone', 'now', 'millis',
]);

const HELPER_NAMES = [
  'toIsoDate', 'formatDate', 'mapValues', 'removeEmpty', 'firstNonEmpty', 'splitName', 'joinName', 'toArray',
] as const;

async function lookupFunctions(names: readonly string[], withHelpers: boolean): Promise<ReadonlyMap<string, JsonataFunction>> {
  const source = `{${names.map((name) => `"${name}": $${name}`).join(', ')}}`;
  const expression = jsonataModule(source);
  if (withHelpers) registerHelpers(expression);
  const table = (await expression.evaluate(undefined)) as Record<string, JsonataFunction>;
  return new Map(names.map((name) => [name, table[name]]));
}

// Looked up once at module load and never changed.
const BUILTINS = await lookupFunctions([...SYNC_BUILTINS, ...PATTERN_BUILTINS], false);
const HELPERS = await lookupFunctions(HELPER_NAMES, true);

/* ------------------------------------------------------------------------ */
/* Sequences and jsonata utilities                                           */
/* ------------------------------------------------------------------------ */

type Sequence = unknown[] & { sequence?: boolean; keepSingleton?: boolean; cons?: boolean; outerWrapper?: boolean; tupleStream?: boolean };

function newSequence(): Sequence {
  const sequence: Sequence = [];
  sequence.sequence = true;
  return sequence;
}

function sequenceOf(item: unknown): Sequence {
  const sequence: Sequence = [item];
  sequence.sequence = true;
  return sequence;
}

/**
 * An empty sequence with room for `expected` items, filled by index and cut to length with
 * `fitted`. A first push to `[]` grows it to 17 slots; most sequences here hold about as many
 * items as the list they come from, and often one or two. Holey, but never left with holes.
 */
function sequenceWithRoom(expected: number): Sequence {
  const sequence = arrayWithRoom(expected) as Sequence;
  sequence.sequence = true;
  return sequence;
}

/** An empty array (length `expected`, no elements yet) to be filled by index: see sequenceWithRoom. */
function arrayWithRoom(expected: number): unknown[] {
  // Past ~100,000 slots `new Array(n)` makes a dictionary array: very large lists grow as before.
  return new Array<unknown>(expected < ROOM_LIMIT ? expected : ROOM_LIMIT);
}

const ROOM_LIMIT = 4096;

/** Cuts an array filled by index to its `count` items (V8 trims in place: no copy). */
function fitted<T extends unknown[]>(array: T, count: number): T {
  if (array.length !== count) array.length = count;
  return array;
}

/** The first `size` items of `array` in a new array of `length` slots, to be filled by index. */
function copyWithRoom(array: readonly unknown[], size: number, length: number): unknown[] {
  const larger = arrayWithRoom(length);
  for (let i = 0; i < size; i++) larger[i] = array[i];
  return larger;
}

/** A new sequence with the items of a plain array. */
function sequenceFrom(items: readonly unknown[]): Sequence {
  const sequence = items.slice() as Sequence;
  sequence.sequence = true;
  return sequence;
}

/**
 * One live array of each shape (V8 map) a sequence takes, built by the same steps as the real
 * ones. Optimized code holds the maps it was built for weakly, and a map that no live object
 * has dies at a full collection, taking that code with it. Sequences live for one evaluation:
 * without these, every full collection between two pages threw away the optimized code of the
 * path, filter and collapse closures, to be compiled again on the next page.
 */
const SEQUENCE_SHAPES: readonly unknown[] = sequenceShapes();

function sequenceShapes(): unknown[] {
  const shapes: unknown[] = [];
  const withFlags = (make: () => Sequence): void => {
    shapes.push(make());
    const kept = make();
    kept.keepSingleton = true;
    const wrapped = make();
    wrapped.outerWrapper = true;
    shapes.push(kept, wrapped);
  };
  withFlags(newSequence);
  withFlags(() => sequenceWithRoom(1));
  // A small integer, a number, anything else: the three element kinds an array moves through.
  for (const item of [1, 0.5, {}]) {
    withFlags(() => {
      const pushed = newSequence();
      pushed.push(item);
      return pushed;
    });
    withFlags(() => {
      const filled = sequenceWithRoom(1);
      filled[0] = item;
      return filled;
    });
    withFlags(() => sequenceOf(item));
    withFlags(() => sequenceFrom([item]));
    withFlags(() => {
      const range = new Array<unknown>(1) as Sequence;
      range[0] = item;
      range.sequence = true;
      return range;
    });
    for (const array of [new Array<unknown>(1), [item]]) {
      array[0] = item;
      (array as Sequence).cons = true;
      shapes.push(array);
      withFlags(() => sequenceOf(array));
    }
  }
  return shapes;
}

/** jsonata's createSequence, for the builtins' focus; the compiler itself uses the two above (no rest array per call). */
function createSequence(...items: unknown[]): Sequence {
  return items.length === 1 ? sequenceOf(items[0]) : newSequence();
}

/** jsonata's getSymbol, as a number (f s n b l a o m = 0..7) so argument types key a map cheaply. */
function typeLetter(value: unknown): number {
  if (isFunction(value)) return 0;
  switch (typeof value) {
    case 'string':
      return 1;
    case 'number':
      return 2;
    case 'boolean':
      return 3;
    case 'object':
      return value === null ? 4 : Array.isArray(value) ? 5 : 6;
    default:
      return 7;
  }
}

function isSequence(value: unknown): value is Sequence {
  return Array.isArray(value) && (value as Sequence).sequence === true;
}

function isFunction(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (value === null || typeof value !== 'object') return false;
  // Own flags only (jsonata sets them on the function objects it makes): see isJsonataFunction.
  const flags = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return (Object.hasOwn(value, '_jsonata_function') && flags._jsonata_function === true) || (Object.hasOwn(value, '_jsonata_lambda') && flags._jsonata_lambda === true);
}

interface JsonataErrorObject {
  code: string;
  position?: number;
  token?: string;
  value?: unknown;
  value2?: unknown;
  index?: number;
  message?: string;
  stack?: string;
}

const MESSAGES: Readonly<Record<string, string>> = {
  T2001: 'The left side of the arithmetic expression is not a number',
  T2002: 'The right side of the arithmetic expression is not a number',
  T2009: 'The values either side of the operator must be of the same data type',
  T2010: 'The expressions either side of operator must evaluate to numeric or string values',
  D1001: 'Number out of range',
  T2003: 'The left side of the range operator (..) must evaluate to an integer',
  T2004: 'The right side of the range operator (..) must evaluate to an integer',
  D2014: 'The size of the sequence allocated by the range operator (..) must not exceed 1e7.',
  D2015: 'The size of the sequence exceeds the configured limit',
  D1012: 'Expression evaluation timeout: Check for infinite loop',
  D1002: 'Cannot negate a non-numeric value',
  T1003: 'Key in object structure must evaluate to a string',
  D1009: 'Multiple key definitions evaluate to same key',
  D1013: 'Key in object structure is reserved for the jsonata implementation',
  D3010: 'Second argument of replace function cannot be an empty string',
  D3011: 'Fourth argument of replace function must evaluate to a positive number',
  D3020: 'Third argument of split function must evaluate to a positive number',
  T1006: 'Attempted to invoke a non-function',
};

function fail(code: string, fields: Omit<JsonataErrorObject, 'code'> = {}): JsonataErrorObject {
  return { code, ...fields, stack: new Error().stack };
}

function isErrorObject(error: unknown): error is JsonataErrorObject {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string';
}

function isNumeric(n: unknown): n is number {
  if (typeof n !== 'number' || Number.isNaN(n)) return false;
  if (!Number.isFinite(n)) throw fail('D1001', { value: n });
  return true;
}

function isArrayOfNumbers(value: unknown): boolean {
  return Array.isArray(value) && value.filter((item) => !isNumeric(item)).length === 0;
}

function toBoolean(arg: unknown): boolean | undefined {
  if (arg === undefined) return undefined;
  if (Array.isArray(arg)) {
    if (arg.length === 1) return toBoolean(arg[0]);
    if (arg.length > 1) return arg.filter((v) => toBoolean(v)).length > 0;
    return false;
  }
  if (typeof arg === 'string') return arg.length > 0;
  if (isNumeric(arg)) return arg !== 0;
  if (typeof arg === 'boolean') return arg;
  if (arg !== null && typeof arg === 'object' && !isFunction(arg)) return Object.keys(arg).length > 0;
  return false;
}

function boolize(value: unknown): boolean {
  return toBoolean(value) ?? false;
}

function toJsonataString(arg: unknown): string | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === 'string') return arg;
  if (isFunction(arg)) return '';
  if (typeof arg === 'number' && !Number.isFinite(arg)) throw fail('D3001', { value: arg });
  const value = Array.isArray(arg) && (arg as Sequence).outerWrapper ? arg[0] : arg;
  return JSON.stringify(value, (_key, val: unknown) => {
    if (val !== undefined && val !== null && isNumeric(val)) {
      return !Number.isInteger(val) ? Number(val.toPrecision(15)) : val;
    }
    return val && isFunction(val) ? '' : val;
  }) as string;
}

function isDeepEqual(lhs: unknown, rhs: unknown): boolean {
  if (lhs === rhs) return true;
  if (typeof lhs === 'object' && typeof rhs === 'object' && lhs !== null && rhs !== null) {
    if (Array.isArray(lhs) && Array.isArray(rhs)) {
      if (lhs.length !== rhs.length) return false;
      for (let i = 0; i < lhs.length; i++) if (!isDeepEqual(lhs[i], rhs[i])) return false;
      return true;
    }
    const lkeys = Object.getOwnPropertyNames(lhs).sort();
    const rkeys = Object.getOwnPropertyNames(rhs).sort();
    if (lkeys.length !== rkeys.length) return false;
    for (let i = 0; i < lkeys.length; i++) if (lkeys[i] !== rkeys[i]) return false;
    const l = lhs as Record<string, unknown>;
    const r = rhs as Record<string, unknown>;
    for (const key of lkeys) if (!isDeepEqual(l[key], r[key])) return false;
    return true;
  }
  return false;
}

function lookup(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const result = newSequence();
    for (const item of input) {
      const res = lookup(item, key);
      if (res !== undefined) {
        if (Array.isArray(res)) for (const v of res) result.push(v);
        else result.push(res);
      }
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && Object.prototype.hasOwnProperty.call(input, key) && !(FUNCTION_OBJECT_KEYS.has(key) && isFunction(input))) {
    return (input as Record<string, unknown>)[key];
  }
  return undefined;
}

/**
 * The own keys of jsonata's function and lambda objects: only a lookup of one of these can
 * find something on a function, so only they need the (costly, per object) isFunction check.
 */
const FUNCTION_OBJECT_KEYS: ReadonlySet<string> = new Set([
  // defineFunction: built-ins and registered functions
  '_jsonata_function', 'implementation', 'signature',
  // evaluateLambda and partial application
  '_jsonata_lambda', 'input', 'environment', 'arguments', 'body', 'thunk', 'apply',
]);

function append(arg1: unknown, arg2: unknown): unknown {
  if (arg1 === undefined) return arg2;
  if (arg2 === undefined) return arg1;
  const a: unknown[] = Array.isArray(arg1) ? arg1 : sequenceOf(arg1);
  const b: unknown[] = Array.isArray(arg2) ? arg2 : [arg2];
  return a.concat(b);
}

function flatten(arg: unknown, flattened: unknown[] = []): unknown[] {
  if (Array.isArray(arg)) for (const item of arg) flatten(item, flattened);
  else flattened.push(arg);
  return flattened;
}

/** jsonata's evaluateWildcard (`*`). */
function wildcard(value: unknown): unknown {
  let results: unknown = newSequence();
  let input = value;
  if (Array.isArray(input) && (input as Sequence).outerWrapper && input.length > 0) input = input[0];
  if (input !== null && typeof input === 'object' && !isFunction(input)) {
    const record = input as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (Array.isArray(item)) results = append(results, flatten(item));
      else (results as unknown[]).push(item);
    }
  }
  return results;
}

/** jsonata's recurseDescendants (`**`). */
function recurseDescendants(input: unknown, results: unknown[]): void {
  if (!Array.isArray(input)) results.push(input);
  if (Array.isArray(input)) {
    for (const member of input) recurseDescendants(member, results);
  } else if (input !== null && typeof input === 'object' && !isFunction(input)) {
    const record = input as Record<string, unknown>;
    for (const key of Object.keys(record)) recurseDescendants(record[key], results);
  }
}

/* ------------------------------------------------------------------------ */
/* Environment                                                               */
/* ------------------------------------------------------------------------ */

/** Per-evaluation state: jsonata's timeout, checked every 1024 node evaluations, and the input (`$$`). */
interface EvaluationState {
  ticks: number;
  deadline: number;
  timeoutMs: number;
  root: unknown;
  /**
   * The root's fields that name paths start with (`response` in `response.mail`), each read once
   * per evaluation: a slot per distinct first key (CompileState.rootKeys), UNREAD until a path
   * over the root needs it, then the field's value (undefined when missing). Nothing changes the
   * root while an expression runs, so every later path over it reuses the read.
   */
  reads: unknown[];
  /**
   * jsonata's environment timestamp, which `$toMillis` reads for the parts a picture leaves out:
   * made on first use in the evaluation (jsonata makes it when the evaluation starts; both are
   * the time of that evaluation).
   */
  environment?: { timestamp: Date } | undefined;
}

/** A root field not read yet in this evaluation (see EvaluationState.reads). */
const UNREAD: unique symbol = Symbol('unread');

/** A name a block binds somewhere, not (yet) bound in this evaluation: look further out. */
const UNBOUND: unique symbol = Symbol('unbound');

class Frame {
  // Parallel arrays: a block binds a handful of names, where a linear scan beats a Map. A block's
  // frame starts with the names its statements bind (known when compiling, shared by every
  // evaluation) and a value slot for each; a name bound anyway (none expected) gets its own copy.
  private names: readonly string[] | undefined;
  private values: unknown[] | undefined;
  private ownNames = false;
  clock: EvaluationState;
  constructor(
    private parent: Frame | undefined,
    private bindings?: Record<string, unknown>,
    clock?: EvaluationState,
    private readonly staticNames?: readonly string[],
  ) {
    this.clock = clock ?? parent?.clock ?? { ticks: 0, deadline: Infinity, timeoutMs: 0, root: undefined, reads: [], environment: undefined };
    this.unbindAll();
  }
  private unbindAll(): void {
    const staticNames = this.staticNames;
    if (staticNames === undefined || staticNames.length === 0) {
      // Names bound anyway (a function written in a call with no parameters binds into its frame).
      this.names = undefined;
      this.values = undefined;
      this.ownNames = false;
      return;
    }
    if (this.ownNames || this.values === undefined) {
      this.names = staticNames;
      this.values = new Array<unknown>(staticNames.length);
      this.ownNames = false;
    }
    const values = this.values;
    for (let i = 0; i < values.length; i++) values[i] = UNBOUND;
  }
  /** Takes a vacated frame (see FrameSite) into use again under `parent`. */
  reenter(parent: Frame): void {
    this.parent = parent;
    this.clock = parent.clock;
  }
  /** Lets go of everything this evaluation bound, so a kept frame holds no data. */
  vacate(): void {
    this.parent = undefined;
    this.unbindAll();
  }
  /** Makes a top frame (no parent, no static names) new for another evaluation. */
  restart(bindings: Record<string, unknown> | undefined, deadline: number, root: unknown): void {
    this.bindings = bindings;
    this.names = undefined;
    this.values = undefined;
    this.ownNames = false;
    const clock = this.clock;
    clock.ticks = 0;
    clock.deadline = deadline;
    clock.root = root;
    clock.environment = undefined;
    const reads = clock.reads;
    for (let i = 0; i < reads.length; i++) reads[i] = UNREAD;
  }
  bind(name: string, value: unknown): void {
    if (!this.names) {
      this.names = [name];
      this.values = [value];
      this.ownNames = true;
      return;
    }
    const index = this.names.indexOf(name);
    if (index >= 0) this.values![index] = value;
    else {
      const names = this.ownNames ? (this.names as string[]) : [...this.names];
      names.push(name);
      this.names = names;
      this.ownNames = true;
      this.values!.push(value);
    }
  }
  has(name: string): boolean {
    if (this.names) {
      const index = this.names.indexOf(name);
      if (index >= 0 && this.values![index] !== UNBOUND) return true;
    }
    if (this.bindings && Object.prototype.hasOwnProperty.call(this.bindings, name)) return true;
    return this.parent?.has(name) ?? false;
  }
  lookup(name: string): unknown {
    if (this.names) {
      const index = this.names.indexOf(name);
      if (index >= 0) {
        const value = this.values![index];
        if (value !== UNBOUND) return value;
      }
    }
    if (this.bindings && Object.prototype.hasOwnProperty.call(this.bindings, name)) return this.bindings[name];
    return this.parent?.lookup(name);
  }
}

/**
 * The frame of one block, or of one function written in a call, kept between its evaluations. A
 * frame never outlives its block or call: a lambda bound in a block is only ever called as
 * `$f(…)` inside it (see lambdaNames), and nothing else holds a frame. So the last one is given
 * back and taken again, instead of a new frame per record. A nested evaluation of the same site
 * (or one after a throw, which gives nothing back) finds none and makes its own.
 */
class FrameSite {
  private spare: Frame | undefined;
  constructor(private readonly names: readonly string[]) {}
  take(parent: Frame): Frame {
    const frame = this.spare;
    if (frame === undefined) return new Frame(parent, undefined, undefined, this.names);
    this.spare = undefined;
    frame.reenter(parent);
    return frame;
  }
  give(frame: Frame): void {
    frame.vacate();
    this.spare = frame;
  }
}

/** The names a block's own frame binds: `:=` in its statements, not inside a nested block or lambda (their own frames). */
function frameBindNames(statements: readonly AstNode[]): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    const node = value as AstNode;
    if (node.type === 'block' || node.type === 'lambda') return;
    if (node.type === 'bind' && node.lhs && !Array.isArray(node.lhs) && typeof node.lhs.value === 'string') names.add(node.lhs.value);
    for (const key of Object.keys(node)) visit((node as unknown as Record<string, unknown>)[key]);
  };
  visit(statements);
  return [...names];
}

type Node = (input: unknown, env: Frame) => unknown;

/** jsonata's timeout, checked every 1024 node evaluations (small enough for V8 to inline). */
function tick(env: Frame): void {
  const clock = env.clock;
  if ((++clock.ticks & 1023) === 0 && Date.now() > clock.deadline) throw fail('D1012', { value: clock.timeoutMs });
}

/**
 * The timeout checked now, for loops whose every round may be slow (a function applied per item
 * can call a costly built-in, such as `$pad` doubling a string, a thousand times before a tick
 * would look at the clock). jsonata looks at it on every node.
 */
function checkDeadline(env: Frame): void {
  const clock = env.clock;
  if (clock.deadline !== Infinity && Date.now() > clock.deadline) throw fail('D1012', { value: clock.timeoutMs });
}

/* ------------------------------------------------------------------------ */
/* The compiler                                                              */
/* ------------------------------------------------------------------------ */

class Unsupported extends Error {}

// The parts of jsonata's AST node we read. jsonata's own typings do not describe its AST in full.
interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  stages?: { type: string; expr: AstNode }[];
  predicate?: { type: string; expr: AstNode }[];
  expressions?: AstNode[];
  expression?: AstNode;
  lhs?: AstNode | AstNode[][];
  rhs?: AstNode;
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  procedure?: AstNode;
  arguments?: AstNode[];
  keepArray?: boolean;
  keepSingletonArray?: boolean;
  consarray?: boolean;
  thunk?: boolean;
  body?: AstNode;
}

// Node properties that change evaluation and that this compiler does not implement.
const UNSUPPORTED_PROPS = ['group', 'focus', 'index', 'tuple', 'ancestor', 'seekingParent', 'nextFunction'];

interface CompileState {
  helpers: boolean;
  maxSequence: number | undefined;
  calledFunctions: Set<string>;
  boundNames: Set<string>;
  /** Variables only ever bound to a lambda (`$f := function($x) {...}`), used only as `$f(...)`. */
  lambdaNames: ReadonlySet<string>;
  /** Every name bound with `:=` anywhere in the expression. */
  bindNames: ReadonlySet<string>;
  /** Compiling a lambda body: calls to lambdas (recursion) are not supported there. */
  inLambda: boolean;
  /**
   * Nodes whose value goes straight into the result (the root, a block's last statement, a
   * condition's branches, a field of such an object, an item of such an array, the argument of
   * such a `$removeEmpty`): nothing navigates, flattens or binds it, so an array built there
   * needs no `cons` flag, and the result check and `$removeEmpty` need not copy it.
   */
  output: Set<AstNode>;
  /** The distinct first keys of name paths: one EvaluationState.reads slot each. */
  rootKeys: string[];
}

/** A lambda created by the fast path; it never escapes into results (see lambdaNames). */
class FastLambda {
  constructor(
    readonly params: readonly string[],
    readonly body: Node,
    readonly input: unknown,
    readonly env: Frame,
  ) {}
}

/** Names bound with `:=` anywhere in the tree, each with the kinds of node bound to it. */
function collectBinds(node: unknown, out: Map<string, Set<string>>, seen = new Set<object>()): void {
  if (node === null || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const item of node) collectBinds(item, out, seen);
    return;
  }
  const ast = node as AstNode;
  if (ast.type === 'bind' && ast.lhs && !Array.isArray(ast.lhs) && typeof ast.lhs.value === 'string') {
    const kinds = out.get(ast.lhs.value) ?? new Set<string>();
    kinds.add(ast.rhs && !has(ast.rhs, 'predicate') ? ast.rhs.type : 'other');
    out.set(ast.lhs.value, kinds);
  }
  for (const value of Object.values(node)) if (value && typeof value === 'object') collectBinds(value, out, seen);
}

function has(node: object, prop: string): boolean {
  return Object.prototype.hasOwnProperty.call(node, prop);
}

function child(node: AstNode | undefined): AstNode {
  if (!node || typeof node !== 'object') throw new Unsupported('missing node');
  return node;
}

function compileFilter(predicate: AstNode, state: CompileState): (input: unknown, env: Frame) => Sequence {
  if (predicate.type === 'number') {
    const value = predicate.value as number;
    return (input) => {
      let results = newSequence();
      const list: unknown[] = Array.isArray(input) ? input : sequenceOf(input);
      let index = Math.floor(value);
      if (index < 0) index = list.length + index;
      const item = list[index];
      if (item !== undefined) {
        if (Array.isArray(item)) results = item;
        else results.push(item);
      }
      return results;
    };
  }
  const test = compileNode(predicate, state);
  return (input, env) => {
    const list: unknown[] = Array.isArray(input) ? input : sequenceOf(input);
    const results = sequenceWithRoom(list.length);
    let size = 0;
    for (let index = 0; index < list.length; index++) {
      const item = list[index];
      let res = test(item, env);
      if (isNumeric(res)) res = [res];
      if (isArrayOfNumbers(res)) {
        for (const ires of res as number[]) {
          let ii = Math.floor(ires);
          if (ii < 0) ii = list.length + ii;
          if (ii === index) results[size++] = item;
        }
      } else if (toBoolean(res)) {
        results[size++] = item;
      }
    }
    return fitted(results, size);
  };
}

function compileFilters(list: { type: string; expr: AstNode }[] | undefined, state: CompileState) {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new Unsupported('filters');
  return list.map((stage) => {
    if (stage.type !== 'filter') throw new Unsupported(`stage ${stage.type}`);
    return compileFilter(child(stage.expr), state);
  });
}

/** jsonata's `evaluate`: the node itself, then its predicates, then sequence collapsing. */
function compileNode(node: AstNode, state: CompileState, allowStages = false): Node {
  for (const prop of UNSUPPORTED_PROPS) if (has(node, prop)) throw new Unsupported(prop);
  if (!allowStages && has(node, 'stages')) throw new Unsupported('stages');
  const core = compileCore(node, state);
  const predicates = compileFilters(node.predicate, state);
  const keepArray = node.keepArray === true;
  if (predicates.length === 0 && !keepArray) {
    // Literals, and nodes whose value is a constructed object or array, a scalar operator result
    // or an operand's already collapsed value, never yield a sequence to collapse. Their operands
    // keep the timeout check.
    if (neverSequence(node) || selfCollapsing.has(core)) return core;
    // The common case, without the filter loop.
    return (input, env) => {
      tick(env);
      return collapse(core(input, env));
    };
  }
  return (input, env) => {
    tick(env);
    let result = core(input, env);
    for (const filter of predicates) result = filter(result, env);
    if (result && isSequence(result) && !result.tupleStream) {
      if (keepArray) result.keepSingleton = true;
      if (result.length === 0) return undefined;
      if (result.length === 1) return result.keepSingleton ? result : result[0];
    }
    return result;
  };
}

function neverSequence(node: AstNode): boolean {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value':
    case 'condition':
    case 'block':
    case 'bind':
      return true;
    case 'unary':
      return node.value === '{' || node.value === '[' || node.value === '-';
    case 'binary':
      return node.value !== '..';
    default:
      return false;
  }
}

function withPosition(error: unknown, node: AstNode, token: string): unknown {
  if (isErrorObject(error)) {
    error.position = node.position;
    error.token = token;
  }
  return error;
}

function compileCore(node: AstNode, state: CompileState): Node {
  switch (node.type) {
    case 'string':
    case 'number':
    case 'value': {
      const value = node.value;
      if (node.type === 'value' && value !== true && value !== false && value !== null) throw new Unsupported('value');
      return () => value;
    }
    case 'name': {
      const key = node.value;
      if (typeof key !== 'string') throw new Unsupported('name');
      return (input) => lookup(input, key);
    }
    case 'variable':
      return compileVariable(node, state);
    case 'wildcard':
      return (input) => wildcard(input);
    case 'descendant':
      return (input) => {
        if (input === undefined) return undefined;
        const results = newSequence();
        recurseDescendants(input, results);
        return results.length === 1 ? results[0] : results;
      };
    case 'path':
      return compilePath(node, state);
    case 'binary':
      return compileBinary(node, state);
    case 'unary':
      return compileUnary(node, state);
    case 'condition': {
      if (state.output.has(node)) {
        markOutput(state, node.then);
        markOutput(state, node.else);
      }
      const condition = compileNode(child(node.condition), state);
      const then = compileNode(child(node.then), state);
      const otherwise = node.else === undefined ? undefined : compileNode(node.else, state);
      return (input, env) => {
        if (toBoolean(condition(input, env))) return then(input, env);
        return otherwise ? otherwise(input, env) : undefined;
      };
    }
    case 'block': {
      const statements = node.expressions ?? [];
      if (state.output.has(node)) markOutput(state, statements[statements.length - 1]);
      const expressions = statements.map((e, i) =>
        e.type === 'bind' && e.rhs?.type === 'lambda' && i < statements.length - 1 && !has(e, 'predicate') && !e.keepArray
          ? compileLambdaBind(e, state)
          : compileNode(e, state),
      );
      const site = new FrameSite(frameBindNames(statements));
      return (input, env) => {
        const frame = site.take(env);
        let result: unknown;
        for (const expression of expressions) result = expression(input, frame);
        site.give(frame);
        return result;
      };
    }
    case 'bind': {
      const lhs = node.lhs as AstNode | undefined;
      if (!lhs || Array.isArray(lhs) || lhs.type !== 'variable' || typeof lhs.value !== 'string') throw new Unsupported('bind');
      const name = lhs.value;
      if (state.lambdaNames.has(name)) throw new Unsupported('lambda bound outside a block statement');
      state.boundNames.add(name);
      const rhs = compileNode(child(node.rhs), state);
      return (input, env) => {
        const value = rhs(input, env);
        env.bind(name, value);
        return value;
      };
    }
    case 'function':
      return compileFunction(node, state);
    case 'apply': {
      // `lhs ~> $f(args)`: jsonata's evaluateApplyExpression for a function invocation.
      const lhs = node.lhs;
      const rhs = child(node.rhs);
      if (!lhs || Array.isArray(lhs) || rhs.type !== 'function') throw new Unsupported('apply');
      for (const prop of [...UNSUPPORTED_PROPS, 'predicate', 'stages', 'keepArray']) if (has(rhs, prop)) throw new Unsupported(prop);
      return compileFunction(rhs, state, compileNode(lhs, state));
    }
    case 'lambda': {
      // Only tail calls inside lambda bodies (jsonata's trampoline thunks): evaluating the call
      // directly gives the same value, which the lambda's call site then collapses.
      if (node.thunk !== true || !state.inLambda) throw new Unsupported('lambda value');
      if ((node.arguments ?? []).length !== 0) throw new Unsupported('thunk arguments');
      const body = child(node.body);
      if (body.type !== 'function' || has(body, 'predicate') || body.keepArray) throw new Unsupported('thunk body');
      for (const prop of UNSUPPORTED_PROPS) if (has(body, prop)) throw new Unsupported(prop);
      return compileFunction(body, state);
    }
    default:
      throw new Unsupported(node.type);
  }
}

/** `$f := function($a, $b) { body }` as a block statement (its value is not used). */
function compileLambdaBind(node: AstNode, state: CompileState): Node {
  for (const prop of UNSUPPORTED_PROPS) if (has(node, prop)) throw new Unsupported(prop);
  const lhs = node.lhs as AstNode;
  const lambda = child(node.rhs);
  if (typeof lhs.value !== 'string' || !state.lambdaNames.has(lhs.value)) throw new Unsupported('lambda bind');
  for (const prop of UNSUPPORTED_PROPS) if (has(lambda, prop)) throw new Unsupported(prop);
  if (state.inLambda || lambda.thunk || (lambda as { signature?: unknown }).signature !== undefined || has(lambda, 'predicate') || lambda.keepArray) {
    throw new Unsupported('lambda form');
  }
  const name = lhs.value;
  state.boundNames.add(name);
  const params = lambdaParams(lambda, state);
  const body = compileNode(child(lambda.body), { ...state, inLambda: true });
  return (input, env) => {
    env.bind(name, new FastLambda(params, body, input, env));
    return undefined;
  };
}

/**
 * A lambda's parameter names. `$$` as a parameter (the body's `$$` would be it, not the input) and
 * a parameter named like a function (a call of that name inside would run it) fall back.
 */
function lambdaParams(lambda: AstNode, state: CompileState): string[] {
  return (lambda.arguments ?? []).map((param) => {
    const value = param.value;
    if (param.type !== 'variable' || typeof value !== 'string' || value === '' || value === '$') throw new Unsupported('lambda parameter');
    if (state.lambdaNames.has(value) || ALL_BUILTINS.has(value) || (HELPER_NAMES as readonly string[]).includes(value)) {
      throw new Unsupported('parameter named like a function');
    }
    state.boundNames.add(value);
    return value;
  });
}

/**
 * A call's arguments, `~>`'s left side first. A function value (anything but a regex literal
 * for the pattern functions) is not supported: the fast path gives up for the call.
 */
function callArguments(input: unknown, env: Frame, applyTo: Node | undefined, args: readonly { node: Node; regex: boolean }[]): unknown[] {
  const evaluated: unknown[] = [];
  if (applyTo) {
    const context = applyTo(input, env);
    if (isFunction(context) || context instanceof FastLambda) throw new Unsupported('function chaining');
    evaluated.push(context);
  }
  for (const arg of args) {
    const value = arg.node(input, env);
    if (!arg.regex && (isFunction(value) || value instanceof FastLambda)) throw new Unsupported('function argument');
    evaluated.push(value);
  }
  return evaluated;
}

/** `$f(args)` where `$f` is a lambda bound by compileLambdaBind: jsonata's applyProcedure. */
function compileLambdaCall(node: AstNode, name: string, state: CompileState, applyTo?: Node): Node {
  if (state.inLambda) throw new Unsupported('lambda called from a lambda');
  const args = (node.arguments ?? []).map((arg) => ({ node: compileNode(arg, state), regex: false }));
  return (input, env) => {
    const proc = env.lookup(name);
    const evaluated = callArguments(input, env, applyTo, args);
    if (proc === undefined) throw fail('T1006', { position: node.position, token: name });
    if (!(proc instanceof FastLambda)) throw new Unsupported(`$${name} is not a fast lambda`);
    try {
      const frame = new Frame(proc.env);
      proc.params.forEach((param, index) => frame.bind(param, evaluated[index]));
      return proc.body(proc.input, frame);
    } catch (error) {
      if (isErrorObject(error)) {
        if (error.position === undefined) error.position = node.position;
        if (error.token === undefined) error.token = name;
      }
      throw error;
    }
  };
}

/**
 * The function written in the call: `$map(array, function(…) {…})`, `array ~> $filter(function(…)
 * {…})`, `$reduce(array, function(…) {…}, start)`.
 */
function hasInlineFunction(node: AstNode, name: HigherOrder, applyTo: Node | undefined): boolean {
  const args = node.arguments ?? [];
  const at = applyTo ? 0 : 1;
  // `$reduce` may take a start value after its function.
  const count = args.length - at - 1;
  return args[at]?.type === 'lambda' && (count === 0 || (count === 1 && name === 'reduce'));
}

/** Whether a lambda body ends in a call (jsonata's tail-call thunk), where jsonata applies the tail call. */
function hasTailCall(body: AstNode | undefined): boolean {
  if (!body) return false;
  if (body.type === 'lambda') return body.thunk === true;
  if (body.type === 'condition') return hasTailCall(body.then) || hasTailCall(body.else);
  if (body.type === 'block') return hasTailCall(body.expressions?.[body.expressions.length - 1]);
  return false;
}

const HIGHER_ORDER = ['map', 'filter', 'single', 'reduce', 'each', 'sift'] as const;
type HigherOrder = (typeof HIGHER_ORDER)[number];

function isHigherOrder(name: string): name is HigherOrder {
  return (HIGHER_ORDER as readonly string[]).includes(name);
}

/**
 * `$map`, `$filter`, `$single`, `$reduce`, `$each` and `$sift` with their function written in
 * place, as jsonata runs them: for each item (or each key of an object, for `$each` and `$sift`)
 * the function's body in a frame of its own over the frame of the call, with the item, its index
 * (or key) and the whole array (or object) bound to as many parameters as the function declares
 * (jsonata's hofFuncArgs; `$reduce` passes the value so far first), and the call's input as its
 * context. The lambda never exists as a value. The array functions take a single value as an
 * array of one (their `<a…>` signature); the object functions take an object, and give up at run
 * time on anything else but nothing (stock jsonata then reports T0410).
 */
function compileHigherOrder(node: AstNode, name: HigherOrder, state: CompileState, applyTo: Node | undefined): Node {
  const args = node.arguments ?? [];
  const lambda = child(args[applyTo ? 0 : 1]);
  for (const prop of UNSUPPORTED_PROPS) if (has(lambda, prop)) throw new Unsupported(prop);
  if (lambda.thunk || (lambda as { signature?: unknown }).signature !== undefined || has(lambda, 'predicate') || has(lambda, 'stages') || lambda.keepArray) {
    throw new Unsupported('lambda form');
  }
  const params = lambdaParams(lambda, state);
  // jsonata hands on a tail call's value as the called function returned it (not collapsed), and
  // `$map` and `$each` keep it as it is. The others only ask whether it is true, or (`$reduce`)
  // pass it on as a parameter, which every read collapses, and return it from the call, which
  // collapses it too: no difference there.
  if ((name === 'map' || name === 'each') && hasTailCall(lambda.body)) throw new Unsupported(`tail call in a $${name} function`);
  const source = applyTo ?? compileNode(child(args[0]), state);
  const initArg = args[applyTo ? 1 : 2];
  const init = initArg ? compileNode(initArg, state) : undefined;
  const body = compileNode(child(lambda.body), { ...state, inLambda: true });
  state.calledFunctions.add(name);
  const arity = params.length;
  // jsonata's $reduce refuses a function of fewer than two parameters (D3050): stock jsonata says so.
  if (name === 'reduce' && arity < 2) throw new Unsupported('$reduce function with fewer than two parameters');
  // The function's parameters, in order: for the array and object functions jsonata's hofFuncArgs
  // (the item, its index or key, the whole), for $reduce the accumulated value first.
  const site = new FrameSite(params);
  const apply = (input: unknown, env: Frame, a: unknown, b: unknown, c: unknown, d?: unknown): unknown => {
    checkDeadline(env);
    const frame = site.take(env);
    for (let p = 0; p < arity; p++) frame.bind(params[p]!, p === 0 ? a : p === 1 ? b : p === 2 ? c : p === 3 ? d : undefined);
    const result = body(input, frame);
    site.give(frame);
    return result;
  };
  const run = (input: unknown, env: Frame, value: unknown, start: unknown): unknown => {
    if (name === 'each' || name === 'sift') {
      if (value === undefined) return undefined;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Unsupported(`$${name} of a non-object`);
      const object = value as Record<string, unknown>;
      const keys = Object.keys(object);
      if (name === 'each') {
        const result = newSequence();
        for (const key of keys) {
          const res = apply(input, env, object[key], key, object);
          if (res !== undefined) result.push(res);
        }
        return result;
      }
      // Like jsonata's: an object without a prototype, and nothing when no key is kept.
      const kept: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      let count = 0;
      for (const key of keys) {
        const entry = object[key];
        if (toBoolean(apply(input, env, entry, key, object))) {
          kept[key] = entry;
          count++;
        }
      }
      return count === 0 ? undefined : kept;
    }
    if (value === undefined) return undefined;
    const list: unknown[] = Array.isArray(value) ? value : [value];
    if (name === 'reduce') {
      // jsonata's foldLeft: without a start value, the first item is one.
      let index = start === undefined && list.length > 0 ? 1 : 0;
      let result = index === 1 ? list[0] : start;
      for (; index < list.length; index++) result = apply(input, env, result, list[index], index, list);
      return result;
    }
    if (name === 'single') {
      let found = false;
      let result: unknown;
      for (let i = 0; i < list.length; i++) {
        if (!toBoolean(apply(input, env, list[i], i, list))) continue;
        if (found) throw fail('D3138', { index: i });
        result = list[i];
        found = true;
      }
      if (!found) throw fail('D3139', {});
      return result;
    }
    const result = sequenceWithRoom(list.length);
    let size = 0;
    for (let i = 0; i < list.length; i++) {
      const res = apply(input, env, list[i], i, list);
      if (name === 'map' ? res !== undefined : toBoolean(res)) result[size++] = name === 'map' ? res : list[i];
    }
    return fitted(result, size);
  };
  return (input, env) => {
    tick(env);
    const value = source(input, env);
    if (isFunction(value) || value instanceof FastLambda) throw new Unsupported('function argument');
    const start = init ? init(input, env) : undefined;
    if (isFunction(start) || start instanceof FastLambda) throw new Unsupported('function argument');
    try {
      return run(input, env, value, start);
    } catch (error) {
      throw atCall(error, node, name);
    }
  };
}

/**
 * An error thrown out of a call to a built-in, as jsonata's evaluateFunction and applyInner leave
 * it: any thrown object (helpers throw Error) gets the call's position, and the function's name as
 * its token if it has none.
 */
function atCall(error: unknown, node: AstNode, name: string): unknown {
  if (typeof error === 'object' && error !== null && !(error instanceof Unsupported)) {
    const e = error as { position?: unknown; token?: unknown };
    e.position = node.position;
    if (e.token === undefined) e.token = name;
  }
  return error;
}

/** The evaluation's timestamp, which jsonata fixes once per evaluation for `$now`, `$millis` and `$toMillis`. */
function evaluationTime(env: Frame): { timestamp: Date } {
  return (env.clock.environment ??= { timestamp: new Date() });
}

/**
 * `$now(picture?, timezone?)` and `$millis()`: the evaluation's timestamp (the same for every call
 * in one evaluation), formatted by jsonata's own `$fromMillis` for `$now`. An argument that is not
 * a string gives up at run time (stock jsonata then reports T0410).
 */
function compileClockFunction(node: AstNode, name: 'now' | 'millis', state: CompileState): Node {
  const args = (node.arguments ?? []).map((arg) => compileNode(arg, state));
  if (args.length > (name === 'now' ? 2 : 0)) throw new Unsupported(`$${name} with ${args.length} arguments`);
  const fromMillis = BUILTINS.get('fromMillis');
  if (!fromMillis) throw new Unsupported('fromMillis');
  state.calledFunctions.add(name);
  const focus: Focus = { environment: undefined, input: undefined, options: {}, createSequence };
  return (input, env) => {
    tick(env);
    const values = args.map((arg) => arg(input, env));
    if (values.some((value) => value !== undefined && typeof value !== 'string')) throw new Unsupported(`$${name} argument`);
    const millis = evaluationTime(env).timestamp.getTime();
    if (name === 'millis') return millis;
    try {
      return fromMillis.implementation.call(focus, millis, values[0], values[1]);
    } catch (error) {
      throw atCall(error, node, name);
    }
  };
}

function compileVariable(node: AstNode, state: CompileState): Node {
  const name = node.value;
  if (typeof name !== 'string') throw new Unsupported('variable');
  if (name === '') {
    // `$`, the context item: ticks and collapses itself like the other common nodes (no wrapper).
    const context: Node = (input, env) => {
      tick(env);
      return collapse(Array.isArray(input) && (input as Sequence).outerWrapper ? input[0] : input);
    };
    selfCollapsing.add(context);
    return context;
  }
  // `$$`, the evaluation's input, as jsonata binds it at the top (kept per evaluation, not as a binding).
  if (name === '$' && !state.bindNames.has('$')) return (_input, env) => env.clock.root;
  // A function used as a value (`$string` without a call) is not supported.
  if (state.lambdaNames.has(name)) throw new Unsupported(`lambda value $${name}`);
  if (ALL_BUILTINS.has(name) || (HELPER_NAMES as readonly string[]).includes(name)) {
    // A local variable named like a function (`$type := ...`): fine where it is bound; where it is
    // not, jsonata would see the function itself, so the fast path gives up at run time.
    if (!state.bindNames.has(name)) throw new Unsupported(`function value $${name}`);
    return (_input, env) => {
      if (!env.has(name)) throw new Unsupported(`function value $${name}`);
      return env.lookup(name);
    };
  }
  const read: Node = (_input, env) => {
    tick(env);
    return collapse(env.lookup(name));
  };
  selfCollapsing.add(read);
  return read;
}

function compilePath(node: AstNode, state: CompileState): Node {
  const steps = node.steps;
  if (!Array.isArray(steps) || steps.length === 0) throw new Unsupported('path');
  const firstIsVariable = steps[0].type === 'variable';
  const keepSingletonArray = node.keepSingletonArray === true;
  const compiled = steps.map((step, i) => {
    if (step.type === 'sort') {
      // An order-by step sorts the sequence so far: never the first step, never positional (`#`).
      for (const prop of UNSUPPORTED_PROPS) if (has(step, prop)) throw new Unsupported(prop);
      if (i === 0 || has(step, 'predicate') || step.keepArray) throw new Unsupported('sort');
      return { node: compileSort(step, state), stages: compileFilters(step.stages, state), consarray: false, last: i === steps.length - 1, sort: true };
    }
    const consarray = i === 0 && step.consarray === true;
    if (consarray && has(step, 'stages')) throw new Unsupported('consarray stages');
    return {
      node: compileNode(step, state, true),
      stages: compileFilters(step.stages, state),
      consarray,
      last: i === steps.length - 1,
      sort: false,
    };
  });
  // A step's result only feeds the next step's loop, except for a sort, which can hand its
  // input back as the path's result: that one must stay a sequence of its own.
  const feedsSort = compiled.map((_, i) => compiled[i + 1]?.sort === true);
  /**
   * jsonata's evaluatePath. `collapsed`: the result as compileNode's collapse would leave it, so
   * a path's usual one-item result is never wrapped in a sequence just to be unwrapped.
   */
  const walk = (input: unknown, env: Frame, collapsed: boolean): unknown => {
    // jsonata wraps a single input in a sequence for the first step; here it is read as one item
    // (`inputSequence` undefined) rather than allocated, and so is any step's single result.
    let inputSequence: unknown[] | undefined = Array.isArray(input) && !firstIsVariable ? input : undefined;
    let item = input;
    let resultSequence: unknown;
    for (let s = 0; s < compiled.length; s++) {
      const step = compiled[s]!;
      if (step.consarray) {
        resultSequence = step.node(inputSequence ?? sequenceOf(item), env);
      } else if (step.sort) {
        // jsonata's evaluateStep for a sort: the whole sequence sorted, then its stages on the result.
        let sorted = step.node(inputSequence ?? sequenceOf(item), env);
        for (let k = 0; k < step.stages.length; k++) sorted = step.stages[k]!(sorted, env);
        resultSequence = sorted;
      } else if (inputSequence === undefined) {
        // One input item, so one result.
        let res = step.node(item, env);
        for (let k = 0; k < step.stages.length; k++) res = step.stages[k]!(res, env);
        if (res === undefined) {
          resultSequence = newSequence();
          break;
        }
        const flat = Array.isArray(res) && !(res as Sequence).cons;
        if (step.last) {
          if (Array.isArray(res) && !isSequence(res)) resultSequence = res;
          else if (!flat) {
            if (collapsed) return res;
            resultSequence = sequenceOf(res);
          } else if (collapsed && (res as unknown[]).length <= 1) return (res as unknown[])[0];
          else resultSequence = sequenceFrom(res as unknown[]);
          break;
        }
        if (!flat) {
          if (feedsSort[s]) inputSequence = sequenceOf(res);
          else item = res;
          continue;
        }
        if ((res as unknown[]).length === 0) {
          resultSequence = newSequence();
          break;
        }
        // Read, not kept: the next step loops over it and builds its own result.
        inputSequence = feedsSort[s] ? sequenceFrom(res as unknown[]) : (res as unknown[]);
        continue;
      } else {
        // jsonata's evaluateStep, in one pass: the results are flattened as they come, and a
        // single plain array as the last step's only result is the result itself.
        const items = inputSequence;
        const n = items.length;
        const out = sequenceWithRoom(n);
        let size = 0;
        let count = 0;
        let only: unknown;
        for (let i = 0; i < n; i++) {
          let res = step.node(items[i], env);
          for (let k = 0; k < step.stages.length; k++) res = step.stages[k]!(res, env);
          if (res === undefined) continue;
          if (++count === 1) only = res;
          if (!Array.isArray(res) || (res as Sequence).cons) out[size++] = res;
          else for (let j = 0; j < res.length; j++) out[size++] = res[j];
        }
        resultSequence = step.last && count === 1 && Array.isArray(only) && !isSequence(only) ? only : fitted(out, size);
      }
      if (resultSequence === undefined || (resultSequence as { length?: unknown }).length === 0) break;
      inputSequence = resultSequence as unknown[];
    }
    if (collapsed) return collapse(resultSequence);
    if (keepSingletonArray) {
      if (Array.isArray(resultSequence) && (resultSequence as Sequence).cons && !(resultSequence as Sequence).sequence) {
        resultSequence = sequenceOf(resultSequence);
      }
      // jsonata sets the flag on whatever the steps produced (an undefined result would throw there).
      if (resultSequence === undefined || resultSequence === null) throw new TypeError('Cannot set properties of undefined');
      (resultSequence as Sequence).keepSingleton = true;
    }
    return resultSequence;
  };
  const plain = plainNamePath(node);
  if (!plain) {
    if (keepSingletonArray || has(node, 'predicate') || node.keepArray) return (input, env) => walk(input, env, false);
    // Collapsed here, so compileNode adds no wrapper: it ticks the clock itself.
    const path: Node = (input, env) => {
      tick(env);
      return walk(input, env, true);
    };
    selfCollapsing.add(path);
    return path;
  }
  const collapsedGeneral: Node = (input, env) => walk(input, env, true);
  const { keys, filtered } = plain;
  const checkFunction = keys.map((key) => FUNCTION_OBJECT_KEYS.has(key));
  const stages = filtered ? compiled[compiled.length - 1]!.stages : [];
  // `a.b.c` over objects: plain property reads. Any array on the way takes the general path,
  // which flattens and collapses sequences exactly as jsonata does. `a.b[pred]` filters the
  // array it reaches directly: each predicate filter returns a fresh sequence, which is what
  // the general path would copy it into. It ticks the clock and collapses its own result, so
  // compileNode adds no wrapper (see selfCollapsing).
  const firstKey = keys[0]!;
  let slot = state.rootKeys.indexOf(firstKey);
  if (slot < 0) slot = state.rootKeys.push(firstKey) - 1;
  const read: Node = (input, env) => {
    tick(env);
    if (Array.isArray(input)) return collapsedGeneral(input, env);
    let value = input;
    let i = 0;
    const clock = env.clock;
    if (input === clock.root) {
      // The first step over the root: read once per evaluation (see EvaluationState.reads).
      // A missing field reads as undefined, which the steps below take as missing too.
      value = clock.reads[slot];
      if (value === UNREAD) clock.reads[slot] = value = lookup(input, firstKey);
      i = 1;
    }
    for (; i < keys.length; i++) {
      const key = keys[i]!;
      if (value === null || typeof value !== 'object') return filtered ? collapsedGeneral(input, env) : undefined;
      if (Array.isArray(value)) return collapsedGeneral(input, env);
      // Own properties only: an inherited one (a prototype set through a `__proto__` key) is not data.
      if (!Object.prototype.hasOwnProperty.call(value, key) || (checkFunction[i] && isFunction(value))) return filtered ? collapsedGeneral(input, env) : undefined;
      value = (value as Record<string, unknown>)[key];
    }
    if (!filtered) return Array.isArray(value) ? collapsedGeneral(input, env) : value;
    // A sequence (from a value built by the expression) collapses first: the general path.
    if (!Array.isArray(value) || isSequence(value)) return collapsedGeneral(input, env);
    let result: unknown = value;
    for (const stage of stages) result = stage(result, env);
    return collapse(result);
  };
  selfCollapsing.add(read);
  return read;
}

/**
 * An order-by step, `path^(<term, >term)`: jsonata's evaluateSortExpression and its merge sort,
 * comparing in the same order (so the same result and the same first error), with indices
 * instead of jsonata's sliced copies. A sequence of one item or none is returned as it is; a
 * longer one becomes a plain array, as in jsonata.
 */
function compileSort(step: AstNode, state: CompileState): Node {
  const rawTerms = (step as { terms?: { descending?: boolean; expression?: AstNode }[] }).terms;
  if (!Array.isArray(rawTerms) || rawTerms.length === 0) throw new Unsupported('sort terms');
  const terms = rawTerms.map((term) => ({ descending: term.descending === true, expression: compileNode(child(term.expression), state) }));
  const position = step.position;
  const isKey = (t: string): boolean => t === 'string' || t === 'number';
  return (input, env) => {
    const list = input as unknown[];
    if (list.length <= 1) return list;
    // True when `a` goes after `b`. Undefined sorts last; anything but strings and numbers, or a
    // string against a number, is an error.
    let comparisons = 0;
    const after = (a: unknown, b: unknown): boolean => {
      // Terms that call a costly function would reach a tick's 1024 nodes too rarely.
      if ((++comparisons & 63) === 0) checkDeadline(env);
      let comp = 0;
      for (let index = 0; comp === 0 && index < terms.length; index++) {
        const term = terms[index]!;
        const aa = term.expression(a, env);
        const bb = term.expression(b, env);
        const atype = typeof aa;
        const btype = typeof bb;
        if (atype === 'undefined') {
          comp = btype === 'undefined' ? 0 : 1;
          continue;
        }
        if (btype === 'undefined') {
          comp = -1;
          continue;
        }
        if (!isKey(atype) || !isKey(btype)) throw fail('T2008', { position, value: !isKey(atype) ? aa : bb });
        if (atype !== btype) throw fail('T2007', { position, value: aa, value2: bb });
        if (aa === bb) continue;
        comp = (aa as string | number) < (bb as string | number) ? -1 : 1;
        if (term.descending) comp = -comp;
      }
      return comp === 1;
    };
    const mergeSort = (array: unknown[]): unknown[] => {
      if (array.length <= 1) return array;
      const middle = Math.floor(array.length / 2);
      const left = mergeSort(array.slice(0, middle));
      const right = mergeSort(array.slice(middle));
      const merged: unknown[] = [];
      let i = 0;
      let j = 0;
      while (i < left.length && j < right.length) merged.push(after(left[i], right[j]) ? right[j++] : left[i++]);
      while (i < left.length) merged.push(left[i++]);
      while (j < right.length) merged.push(right[j++]);
      return merged;
    };
    return mergeSort(list);
  };
}

/** Marks a node as in output position (see CompileState.output), unless something applies to its value first. */
function markOutput(state: CompileState, node: AstNode | undefined): void {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return;
  if (has(node, 'predicate') || has(node, 'stages') || node.keepArray || has(node, 'group')) return;
  state.output.add(node);
}

/** Closures that tick the clock and collapse their own result: compileNode returns them unwrapped. */
const selfCollapsing = new WeakSet<Node>();

/** jsonata's end of `evaluate`: an empty sequence is nothing, a singleton its item (unless kept). */
function collapse(result: unknown): unknown {
  if (Array.isArray(result) && (result as Sequence).sequence === true && !(result as Sequence).tupleStream) {
    if (result.length === 0) return undefined;
    if (result.length === 1) return (result as Sequence).keepSingleton ? result : result[0];
  }
  return result;
}

/** The keys of a path made only of plain names (`a.b.c`), with no flags that change its result. */
/**
 * The keys of a path made only of plain names (`a.b.c`), with no flags that change its result;
 * `filtered` when the last step also has predicate filters (`a.b[x = 1]`), none of them a
 * number (an index can hand back a data array, which the general path treats differently).
 */
function plainNamePath(node: AstNode): { keys: string[]; filtered: boolean } | undefined {
  if (node.keepArray || node.keepSingletonArray || Object.keys(node).some((prop) => !['type', 'steps', 'position'].includes(prop))) return undefined;
  const keys: string[] = [];
  const steps = node.steps ?? [];
  let filtered = false;
  for (const [i, step] of steps.entries()) {
    if (step.type !== 'name' || typeof step.value !== 'string') return undefined;
    const last = i === steps.length - 1;
    const allowed = last ? ['type', 'value', 'position', 'stages'] : ['type', 'value', 'position'];
    if (Object.keys(step).some((prop) => !allowed.includes(prop))) return undefined;
    if (step.stages !== undefined) {
      if (!Array.isArray(step.stages) || step.stages.length === 0) return undefined;
      if (step.stages.some((stage) => stage.type !== 'filter' || !stage.expr || stage.expr.type === 'number')) return undefined;
      filtered = true;
    }
    keys.push(step.value);
  }
  return keys.length > 0 ? { keys, filtered } : undefined;
}

function compileBinary(node: AstNode, state: CompileState): Node {
  const op = node.value;
  const lhsNode = node.lhs;
  if (!lhsNode || Array.isArray(lhsNode)) throw new Unsupported('binary lhs');
  const lhs = compileNode(lhsNode, state);
  const rhs = compileNode(child(node.rhs), state);
  if (op === 'and' || op === 'or') {
    const isAnd = op === 'and';
    return (input, env) => {
      const left = lhs(input, env);
      try {
        const l = boolize(left);
        if (isAnd) return l && boolize(rhs(input, env));
        return l || boolize(rhs(input, env));
      } catch (error) {
        throw withPosition(error, node, op);
      }
    };
  }
  let apply: (l: unknown, r: unknown) => unknown;
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      apply = (l, r) => {
        if (l !== undefined && !isNumeric(l)) throw fail('T2001', { value: l });
        if (r !== undefined && !isNumeric(r)) throw fail('T2002', { value: r });
        if (l === undefined || r === undefined) return undefined;
        const a = l as number;
        const b = r as number;
        return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
      };
      break;
    case '=':
    case '!=':
      apply = (l, r) => {
        if (l === undefined || r === undefined) return false;
        return op === '=' ? isDeepEqual(l, r) : !isDeepEqual(l, r);
      };
      break;
    case '<':
    case '<=':
    case '>':
    case '>=':
      apply = (l, r) => {
        const lt = typeof l;
        const rt = typeof r;
        const lc = lt === 'undefined' || lt === 'string' || lt === 'number';
        const rc = rt === 'undefined' || rt === 'string' || rt === 'number';
        if (!lc || !rc) throw fail('T2010', { value: !(lt === 'string' || lt === 'number') ? l : r });
        if (lt === 'undefined' || rt === 'undefined') return undefined;
        if (lt !== rt) throw fail('T2009', { value: l, value2: r });
        const a = l as string | number;
        const b = r as string | number;
        return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
      };
      break;
    case '&':
      apply = (l, r) => (l === undefined ? '' : (toJsonataString(l) as string)).concat(r === undefined ? '' : (toJsonataString(r) as string));
      break;
    case '..': {
      const maxSequence = state.maxSequence;
      apply = (l, r) => {
        if (l !== undefined && !Number.isInteger(l)) throw fail('T2003', { value: l });
        if (r !== undefined && !Number.isInteger(r)) throw fail('T2004', { value: r });
        if (l === undefined || r === undefined) return undefined;
        const from = l as number;
        const to = r as number;
        if (from > to) return undefined;
        const size = to - from + 1;
        if (size > 1e7) throw fail('D2014', { value: size });
        if (maxSequence !== undefined && size > maxSequence) throw fail('D2015', { value: size });
        const result: Sequence = new Array<unknown>(size);
        for (let item = from, index = 0; item <= to; item++, index++) result[index] = item;
        result.sequence = true;
        return result;
      };
      break;
    }
    case 'in':
      apply = (l, r) => {
        if (l === undefined || r === undefined) return false;
        const list = Array.isArray(r) ? r : [r];
        return list.some((item) => item === l);
      };
      break;
    default:
      throw new Unsupported(`operator ${String(op)}`);
  }
  return (input, env) => {
    const l = lhs(input, env);
    const r = rhs(input, env);
    try {
      return apply(l, r);
    } catch (error) {
      throw withPosition(error, node, op);
    }
  };
}

function compileUnary(node: AstNode, state: CompileState): Node {
  switch (node.value) {
    case '-': {
      const operand = compileNode(child(node.expression), state);
      return (input, env) => {
        const result = operand(input, env);
        if (result === undefined) return undefined;
        if (isNumeric(result)) return -result;
        throw fail('D1002', { position: node.position, token: '-', value: result });
      };
    }
    case '[': {
      const output = state.output.has(node);
      if (output) for (const item of node.expressions ?? []) markOutput(state, item);
      const items = (node.expressions ?? []).map((item) => ({ node: compileNode(item, state), nested: item.value === '[' }));
      const cons = node.consarray === true && !output;
      return (input, env) => {
        // jsonata appends with concat; the array is ours until returned, so filling it gives the
        // same elements without a copy per item. Room for one element per item (see sequenceWithRoom).
        let room = arrayWithRoom(items.length);
        let size = 0;
        for (let i = 0; i < items.length; i++) {
          const item = items[i]!;
          const value = item.node(input, env);
          if (value === undefined) continue;
          if (item.nested || !Array.isArray(value)) {
            room[size++] = value;
            continue;
          }
          // Room for these and one per item left, rather than the 17 slots an overflow grows by.
          const needed = size + value.length + (items.length - i - 1);
          if (needed > room.length && needed <= ROOM_LIMIT) room = copyWithRoom(room, size, needed);
          for (let j = 0; j < value.length; j++) room[size++] = value[j];
        }
        const result = fitted(room, size);
        // jsonata defines the flag non-enumerable; nothing the fast path hands an array to lists an
        // array's own keys, so a plain assignment (a cached map transition, no descriptor) does.
        if (cons) (result as Sequence).cons = true;
        return result;
      };
    }
    case '{':
      return compileObject(node, state);
    default:
      throw new Unsupported(`unary ${String(node.value)}`);
  }
}

function compileObject(node: AstNode, state: CompileState): Node {
  const pairs = node.lhs;
  if (!Array.isArray(pairs)) throw new Unsupported('object');
  if (state.output.has(node)) for (const pair of pairs) if (Array.isArray(pair)) markOutput(state, pair[1] as AstNode | undefined);
  const compiled = pairs.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new Unsupported('object pair');
    return [compileNode(pair[0], state), compileNode(pair[1], state)] as const;
  });
  const staticKeys = staticObjectKeys(pairs as AstNode[][]);
  if (staticKeys) {
    // Literal, distinct, ordinary keys: no grouping can happen for a single input item, and the
    // values are evaluated in the same order as the general loop below would.
    const values = compiled.map(([, value]) => value);
    const general = compileObjectGeneral(node, compiled);
    const Output = plainObjectMaker();
    const constructor: Node = (input, env) => {
      if (Array.isArray(input)) return general(input, env);
      const result = new Output();
      for (let i = 0; i < values.length; i++) {
        const value = values[i](input, env);
        if (value !== undefined) result[staticKeys[i]!] = value;
      }
      return result;
    };
    staticObjects.set(constructor, { keys: staticKeys, values });
    return constructor;
  }
  return compileObjectGeneral(node, compiled);
}

/**
 * A constructor of plain objects (prototype Object.prototype, like `{}`) for one object
 * constructor in an expression. `{}` has room for 4 properties, and a record mapping sets 8 or
 * more, then the pipeline adds `remote_data`: each step past the room allocates a larger
 * out-of-object property store. V8 sizes a constructor's objects to the properties they are
 * first given (in-object slack tracking), so these hold all of them in the object itself.
 */
function plainObjectMaker(): new () => Record<string, unknown> {
  // A function per call: the sizing belongs to each function, and each site has its own keys.
  const Output = function PlainObject() {} as unknown as new () => Record<string, unknown>;
  Output.prototype = Object.prototype;
  return Output;
}

/** Static-key object constructors' keys and value nodes, for `$removeEmpty({…})` (see removeEmptyObject). */
const staticObjects = new WeakMap<Node, { keys: readonly string[]; values: readonly Node[] }>();

/**
 * `$removeEmpty({"k": v, …})` on one input item: the object is built already clean, each value
 * cleaned as it is set, instead of building it with its empty values and then walking and copying
 * it. Same result: a static-key constructor makes a plain object with those keys in that order,
 * and $removeEmpty of such an object is its cleaned values, or `{}` when none is left. An array
 * input (grouping) takes the `regular` call.
 */
function removeEmptyObject(parts: { keys: readonly string[]; values: readonly Node[] }, regular: Node): Node {
  const { keys, values } = parts;
  const own = selfCollapsing.has(regular);
  const Output = plainObjectMaker();
  const fused: Node = (input, env) => {
    if (Array.isArray(input)) return regular(input, env);
    // Where the regular call ticks itself, so does this; otherwise compileNode's wrapper does.
    if (own) tick(env);
    const result = new Output();
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!(input, env);
      if (value === undefined) continue;
      const cleaned = cleanEmpty(value);
      if (cleaned !== undefined) result[keys[i]!] = cleaned;
    }
    return result;
  };
  if (own) selfCollapsing.add(fused);
  return fused;
}

/** The keys of an object constructor when all are plain string literals that cannot collide or reorder. */
function staticObjectKeys(pairs: AstNode[][]): string[] | undefined {
  const keys: string[] = [];
  for (const [key] of pairs) {
    if (key.type !== 'string' || typeof key.value !== 'string' || Object.keys(key).some((prop) => !['type', 'value', 'position'].includes(prop))) return undefined;
    const name = key.value;
    // Integer-like keys would be enumerated first; reserved and prototype keys take the general path.
    if (/^(0|[1-9][0-9]*)$/.test(name) || name === '__proto__' || name === '_jsonata_lambda' || name === '_jsonata_function' || keys.includes(name)) return undefined;
    keys.push(name);
  }
  return keys;
}

function compileObjectGeneral(node: AstNode, compiled: readonly (readonly [Node, Node])[]): Node {
  return (input, env) => {
    const result: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    const groups: Record<string, { data: unknown; exprIndex: number }> = Object.create(null) as Record<string, { data: unknown; exprIndex: number }>;
    const items: unknown[] = Array.isArray(input) ? input : sequenceOf(input);
    if (items.length === 0) items.push(undefined);
    for (const item of items) {
      for (let pairIndex = 0; pairIndex < compiled.length; pairIndex++) {
        const key = compiled[pairIndex][0](item, env);
        if (typeof key !== 'string' && key !== undefined) throw fail('T1003', { position: node.position, value: key });
        if (key !== undefined) {
          if (key === '_jsonata_lambda' || key === '_jsonata_function') throw fail('D1013', { position: node.position, value: key });
          if (Object.prototype.hasOwnProperty.call(groups, key)) {
            if (groups[key].exprIndex !== pairIndex) throw fail('D1009', { position: node.position, value: key });
            groups[key].data = append(groups[key].data, item);
          } else {
            groups[key] = { data: item, exprIndex: pairIndex };
          }
        }
      }
    }
    for (const key of Object.keys(groups)) {
      const entry = groups[key];
      const value = compiled[entry.exprIndex][1](entry.data, env);
      if (value !== undefined) result[key] = value;
    }
    return result;
  };
}

/* ------------------------------------------------------------------------ */
/* Function calls                                                            */
/* ------------------------------------------------------------------------ */

/* Regex literals: jsonata's evaluateRegex closure, synchronously. */

interface RegexMatch {
  match: string;
  start: number;
  end: number;
  groups: string[];
  next: () => RegexMatch | undefined;
}
type Matcher = (str: string, fromIndex?: number) => RegexMatch | undefined;

function makeMatcher(pattern: RegExp, position: number | undefined): Matcher {
  const re = new RegExp(pattern.source, pattern.flags);
  const closure: Matcher = (str, fromIndex) => {
    re.lastIndex = fromIndex || 0;
    const match = re.exec(str);
    if (match === null) return undefined;
    const result: RegexMatch = {
      match: match[0],
      start: match.index,
      end: match.index + match[0].length,
      groups: match.slice(1) as string[],
      next: () => {
        if (re.lastIndex >= str.length) return undefined;
        const next = closure(str, re.lastIndex);
        if (next && next.match === '') throw fail('D1004', { position, value: pattern.source });
        return next;
      },
    };
    return result;
  };
  return closure;
}

function asMatcher(value: unknown, what: string): Matcher {
  if (typeof value !== 'function') throw new Unsupported(what);
  return value as Matcher;
}

function stringContains(str: unknown, token: unknown): unknown {
  if (str === undefined || token === undefined) return undefined;
  if (typeof str !== 'string') throw new Unsupported('$contains input');
  if (typeof token === 'string') return str.indexOf(token) !== -1;
  return asMatcher(token, '$contains pattern')(str) !== undefined;
}

function stringSplit(str: unknown, separator: unknown, limit: unknown): unknown {
  if (str === undefined) return undefined;
  if (typeof limit === 'number' && limit < 0) throw fail('D3020', { value: limit, index: 3 });
  if (typeof str !== 'string') throw new Unsupported('$split input');
  const result: string[] = [];
  if (limit === undefined || (limit as number) > 0) {
    if (typeof separator === 'string') return str.split(separator, limit as number | undefined);
    let count = 0;
    let matches = asMatcher(separator, '$split pattern')(str);
    if (matches !== undefined) {
      let start = 0;
      while (matches !== undefined && (limit === undefined || count < (limit as number))) {
        result.push(str.substring(start, matches.start));
        start = matches.end;
        matches = matches.next();
        count++;
      }
      if (limit === undefined || count < (limit as number)) result.push(str.substring(start));
    } else {
      result.push(str);
    }
  }
  return result;
}

function regexReplacer(replacement: string): (match: RegexMatch) => string {
  return (regexMatch) => {
    let substitute = '';
    let position = 0;
    let index = replacement.indexOf('$', position);
    while (index !== -1 && position < replacement.length) {
      substitute += replacement.substring(position, index);
      position = index + 1;
      const dollarVal = replacement.charAt(position);
      if (dollarVal === '$') {
        substitute += '$';
        position++;
      } else if (dollarVal === '0') {
        substitute += regexMatch.match;
        position++;
      } else {
        const maxDigits = regexMatch.groups.length === 0 ? 1 : Math.floor(Math.log(regexMatch.groups.length) * Math.LOG10E) + 1;
        index = parseInt(replacement.substring(position, position + maxDigits), 10);
        if (maxDigits > 1 && index > regexMatch.groups.length) {
          index = parseInt(replacement.substring(position, position + maxDigits - 1), 10);
        }
        if (!Number.isNaN(index)) {
          if (regexMatch.groups.length > 0) {
            const submatch = regexMatch.groups[index - 1];
            if (submatch !== undefined) substitute += submatch;
          }
          position += index.toString().length;
        } else {
          substitute += '$';
        }
      }
      index = replacement.indexOf('$', position);
    }
    substitute += replacement.substring(position);
    return substitute;
  };
}

function stringReplace(str: unknown, pattern: unknown, replacement: unknown, limit: unknown): unknown {
  if (str === undefined) return undefined;
  if (pattern === '') throw fail('D3010', { value: pattern, index: 2 });
  if (typeof limit === 'number' && limit < 0) throw fail('D3011', { value: limit, index: 4 });
  if (typeof replacement !== 'string' || typeof str !== 'string') throw new Unsupported('$replace replacement');
  let result = '';
  let position = 0;
  if (limit === undefined || (limit as number) > 0) {
    let count = 0;
    if (typeof pattern === 'string') {
      let index = str.indexOf(pattern, position);
      while (index !== -1 && (limit === undefined || count < (limit as number))) {
        result += str.substring(position, index);
        result += replacement;
        position = index + pattern.length;
        count++;
        index = str.indexOf(pattern, position);
      }
      result += str.substring(position);
    } else {
      const replacer = regexReplacer(replacement);
      let matches = asMatcher(pattern, '$replace pattern')(str);
      if (matches !== undefined) {
        while (matches !== undefined && (limit === undefined || count < (limit as number))) {
          result += str.substring(position, matches.start);
          result += replacer(matches);
          position = matches.start + matches.match.length;
          count++;
          matches = matches.next();
        }
        result += str.substring(position);
      } else {
        result = str;
      }
    }
  } else {
    result = str;
  }
  return result;
}

function stringMatch(str: unknown, regex: unknown, limit: unknown): unknown {
  if (str === undefined) return undefined;
  if (typeof limit === 'number' && limit < 0) throw fail('D3040', { value: limit, index: 3 });
  if (typeof str !== 'string') throw new Unsupported('$match input');
  const result = newSequence();
  if (limit === undefined || (limit as number) > 0) {
    let count = 0;
    let matches = asMatcher(regex, '$match pattern')(str);
    while (matches !== undefined && (limit === undefined || count < (limit as number))) {
      result.push({ match: matches.match, index: matches.start, groups: matches.groups });
      matches = matches.next();
      count++;
    }
  }
  return result;
}

const PATTERN_IMPLEMENTATIONS: Readonly<Record<(typeof PATTERN_BUILTINS)[number], (...args: unknown[]) => unknown>> = {
  contains: (str, token) => stringContains(str, token),
  split: (str, separator, limit) => stringSplit(str, separator, limit),
  replace: (str, pattern, replacement, limit) => stringReplace(str, pattern, replacement, limit),
  match: (str, regex, limit) => stringMatch(str, regex, limit),
};

/** A call; `applyTo` is the left side of `~>`, passed as the first argument. */
function compileFunction(node: AstNode, state: CompileState, applyTo?: Node): Node {
  const procedure = child(node.procedure);
  if (procedure.type !== 'variable' || typeof procedure.value !== 'string') throw new Unsupported('procedure');
  for (const prop of UNSUPPORTED_PROPS) if (has(procedure, prop)) throw new Unsupported(prop);
  if (has(procedure, 'predicate') || has(procedure, 'stages') || procedure.keepArray) throw new Unsupported('procedure predicate');
  const name = procedure.value;
  if (state.lambdaNames.has(name)) return compileLambdaCall(node, name, state, applyTo);
  if (isHigherOrder(name) && hasInlineFunction(node, name, applyTo)) return compileHigherOrder(node, name, state, applyTo);
  if ((name === 'now' || name === 'millis') && !applyTo) return compileClockFunction(node, name, state);
  let fn: JsonataFunction | undefined;
  let implementation: (this: Focus, ...args: unknown[]) => unknown;
  if ((PATTERN_BUILTINS as readonly string[]).includes(name)) {
    fn = BUILTINS.get(name);
    implementation = PATTERN_IMPLEMENTATIONS[name as (typeof PATTERN_BUILTINS)[number]];
  } else if ((SYNC_BUILTINS as readonly string[]).includes(name)) {
    fn = BUILTINS.get(name);
    implementation = fn ? fn.implementation : () => undefined;
  } else if (state.helpers && (HELPER_NAMES as readonly string[]).includes(name)) {
    fn = HELPERS.get(name);
    implementation = fn ? fn.implementation : () => undefined;
  } else {
    throw new Unsupported(`function $${name}`);
  }
  if (!fn || typeof fn.implementation !== 'function') throw new Unsupported(`function $${name}`);
  const removeEmpty = !applyTo && isRemoveEmptyCall(node, state);
  // $removeEmpty only walks its argument: in output position, the argument is too.
  if (removeEmpty && state.output.has(node)) markOutput(state, node.arguments![0]);
  // Lambdas as arguments are not supported; regex literals only for the pattern functions.
  const isPattern = (PATTERN_BUILTINS as readonly string[]).includes(name);
  const args = (node.arguments ?? []).map((arg) => {
    if (arg.type !== 'regex') return { node: compileNode(arg, state), regex: false };
    if (!isPattern || !(arg.value instanceof RegExp) || has(arg, 'predicate') || has(arg, 'stages') || arg.keepArray) {
      throw new Unsupported('regex');
    }
    for (const prop of UNSUPPORTED_PROPS) if (has(arg, prop)) throw new Unsupported(prop);
    const pattern = arg.value;
    const position = arg.position;
    return { node: (() => makeMatcher(pattern, position)) as Node, regex: true };
  });
  state.calledFunctions.add(name);
  const signature = fn.signature;
  // jsonata's validate matches the arguments' type letters against a regex; unless a parameter is
  // an array (`a`, whose items it inspects), the outcome depends on those letters alone. Remember
  // the letter strings it passed through unchanged and skip it for them.
  const definition = (signature as { definition?: unknown } | undefined)?.definition;
  const paramsPart = typeof definition === 'string' ? definition.split(':')[0] : undefined;
  // Argument type letters -> how many trailing undefineds validate appends for missing optional parameters.
  const passes = paramsPart !== undefined && !paramsPart.includes('a') ? new Map<number, number>() : undefined;
  const contextual = paramsPart?.includes('-') ?? true;
  // `$append` reads the `sequence` limit from its focus, as in stock jsonata.
  const focusOptions: Record<string, unknown> = state.maxSequence === undefined ? {} : { sequence: state.maxSequence };
  const focus: Focus = { environment: undefined, input: undefined, options: focusOptions, createSequence };
  const validate = (evaluated: unknown[], input: unknown): unknown[] => {
    if (!signature) return evaluated;
    if (!passes) return signature.validate(evaluated, input) as unknown[];
    if (evaluated.length > 12) return signature.validate(evaluated, input) as unknown[];
    let letters = evaluated.length;
    for (const value of evaluated) letters = letters * 8 + typeLetter(value);
    const padding = passes.get(letters);
    if (padding !== undefined) {
      for (let i = 0; i < padding; i++) evaluated.push(undefined);
      return evaluated;
    }
    const validated = signature.validate(evaluated, input) as unknown[];
    // Each empty regex group adds an argument: a missing optional one (undefined) or, for a `-`
    // parameter, the context. Equal lengths rule out a substitution; so does a defined context
    // that is none of the arguments yet appears nowhere in the result.
    const noSubstitution = !contextual || (input !== undefined && !evaluated.includes(input));
    const unchanged =
      (validated.length === evaluated.length || (validated.length > evaluated.length && noSubstitution)) &&
      validated.every((value, i) => (i < evaluated.length ? value === evaluated[i] : value === undefined));
    if (passes.size < 256 && unchanged) passes.set(letters, validated.length - evaluated.length);
    return validated;
  };
  // `$removeEmpty({…})` with literal keys builds its object clean.
  const staticArgument = removeEmpty ? staticObjects.get(args[0]!.node) : undefined;
  const fuse = (regular: Node): Node => (staticArgument && !staticArgument.keys.some(isForbiddenKey) ? removeEmptyObject(staticArgument, regular) : regular);
  const applyValidated = (validated: unknown[], input: unknown): unknown => {
    focus.input = input;
    const result = implementation.apply(focus, validated);
    if (result instanceof Promise) throw new Unsupported(`asynchronous $${name}`);
    return result;
  };
  // `$toMillis` reads the evaluation's timestamp through its focus: it takes the general call below.
  const timestamped = name === 'toMillis';
  if (!timestamped && !applyTo && (passes || !signature) && args.length >= 1 && args.length <= 2 && args.every((arg) => !arg.regex)) {
    // One or two arguments whose type letters passed the signature before: called directly,
    // without an argument array (most calls in mappings: $string(x), $firstNonEmpty(a, b)).
    const first = args[0]!.node;
    const second = args.length === 2 ? args[1]!.node : undefined;
    const call: Node = (input, env) => {
      tick(env);
      const a = first(input, env);
      if (isFunction(a) || a instanceof FastLambda) throw new Unsupported('function argument');
      let b: unknown;
      if (second) {
        b = second(input, env);
        if (isFunction(b) || b instanceof FastLambda) throw new Unsupported('function argument');
      }
      const letters = !passes ? 0 : second ? (2 * 8 + typeLetter(a)) * 8 + typeLetter(b) : 8 + typeLetter(a);
      // Without a signature there is nothing to check and nothing appended.
      const padding = passes ? passes.get(letters) : 0;
      try {
        focus.input = input;
        let result: unknown;
        // Missing optional parameters are passed as undefined, as validate would append them.
        if (padding === 0) result = second ? implementation.call(focus, a, b) : implementation.call(focus, a);
        else if (padding === 1) result = second ? implementation.call(focus, a, b, undefined) : implementation.call(focus, a, undefined);
        else if (padding === 2) result = second ? implementation.call(focus, a, b, undefined, undefined) : implementation.call(focus, a, undefined, undefined);
        else return collapse(applyValidated(validate(second ? [a, b] : [a], input), input));
        if (result instanceof Promise) throw new Unsupported(`asynchronous $${name}`);
        return collapse(result);
      } catch (error) {
        throw atCall(error, node, name);
      }
    };
    // It ticks the clock and collapses its own result: compileNode adds no wrapper.
    selfCollapsing.add(call);
    return fuse(call);
  }
  return fuse((input, env) => {
    const evaluated = callArguments(input, env, applyTo, args);
    try {
      const validated = validate(evaluated, input);
      // One focus per call site: an implementation cannot re-enter its own call site.
      focus.input = input;
      if (timestamped) focus.environment = evaluationTime(env);
      const result = implementation.apply(focus, validated);
      if (result instanceof Promise) throw new Unsupported(`asynchronous $${name}`);
      return result;
    } catch (error) {
      throw atCall(error, node, name);
    }
  });
}

/* ------------------------------------------------------------------------ */
/* Entry point                                                               */
/* ------------------------------------------------------------------------ */

/** A data value that makes the fast path give up at run time (never expected for JSON data). */
export class FastPathUnsupported extends Error {
  override readonly name = 'FastPathUnsupported';
}

/**
 * Compiles jsonata's syntax tree into closures, or returns undefined when the expression uses
 * anything this compiler does not reproduce exactly (the caller then uses stock jsonata).
 */
export function compileFast(expression: jsonata.Expression, options: CompileFastOptions = {}): FastExpression | undefined {
  const outcome = compileOrExplain(expression, options);
  return typeof outcome === 'string' ? undefined : outcome;
}

/** Why `compileFast` falls back for an expression (undefined when it compiles). */
export function explainFallback(expression: jsonata.Expression, options: CompileFastOptions = {}): string | undefined {
  const outcome = compileOrExplain(expression, options);
  return typeof outcome === 'string' ? outcome : undefined;
}

function compileOrExplain(expression: jsonata.Expression, options: CompileFastOptions): FastExpression | string {
  let root: Node;
  const state: CompileState = {
    helpers: options.helpers === true,
    maxSequence: options.maxSequence,
    calledFunctions: new Set(),
    boundNames: new Set(),
    lambdaNames: new Set(),
    bindNames: new Set(),
    inLambda: false,
    output: new Set(),
    rootKeys: [],
  };
  let ast: AstNode;
  try {
    ast = expression.ast() as unknown as AstNode;
    if (!ast || typeof ast !== 'object' || has(ast, 'errors')) return 'no syntax tree';
    if (treeDepth(ast) > MAX_TREE_DEPTH) return 'syntax tree too deep';
    const binds = new Map<string, Set<string>>();
    collectBinds(ast, binds);
    state.bindNames = new Set(binds.keys());
    state.lambdaNames = new Set([...binds].filter(([, kinds]) => kinds.size === 1 && kinds.has('lambda')).map(([name]) => name));
    // Out of the lambda's scope, jsonata would find the built-in of that name.
    for (const name of state.lambdaNames) {
      if (ALL_BUILTINS.has(name) || (HELPER_NAMES as readonly string[]).includes(name)) return `lambda named $${name}`;
    }
    markOutput(state, ast);
    root = compileNode(ast, state);
  } catch (error) {
    // Anything unexpected while compiling is a reason to fall back, never a failure.
    return error instanceof Unsupported ? error.message : `internal: ${error instanceof Error ? error.message : String(error)}`;
  }
  // A `:=` that rebinds a called function's name would change which function runs.
  for (const name of state.boundNames) {
    if (state.calledFunctions.has(name)) {
      return `$${name} is rebound`;
    }
  }
  const called = [...state.calledFunctions];
  const accepts = (bindings?: Record<string, unknown>): boolean => {
    if (!bindings) return true;
    for (let i = 0; i < called.length; i++) if (Object.prototype.hasOwnProperty.call(bindings, called[i]!)) return false;
    return true;
  };
  const timeoutMs = options.timeoutMs ?? 0;
  // `$$ := …` rebinds it: then `$$` is an ordinary binding, as in jsonata.
  const bindsDollar = state.bindNames.has('$');
  // The top frame and its clock, kept for the next evaluation: nothing outlives one (lambdas never
  // escape into results), and a nested evaluation of the same expression finds none and makes its own.
  let spare: Frame | undefined;
  const rootKeyCount = state.rootKeys.length;
  const evaluateAccepted = (input: unknown, bindings?: Record<string, unknown>): unknown => {
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
    let env = spare;
    spare = undefined;
    if (env) env.restart(bindings, deadline, input);
    else env = new Frame(undefined, bindings, { ticks: 0, deadline, timeoutMs, root: input, reads: new Array<unknown>(rootKeyCount).fill(UNREAD), environment: undefined });
    if (bindsDollar) env.bind('$', input);
    let context = input;
    if (Array.isArray(input) && !isSequence(input)) {
      const wrapped = sequenceOf(input);
      wrapped.outerWrapper = true;
      context = wrapped;
    }
    try {
      return root(context, env);
    } catch (error) {
      if (error instanceof Unsupported) throw new FastPathUnsupported(error.message);
      if (isErrorObject(error) && typeof error.message !== 'string') {
        error.message = MESSAGES[error.code] ?? `JSONata error ${error.code}`;
      }
      throw error;
    } finally {
      spare = env;
    }
  };
  return {
    accepts,
    evaluateAccepted,
    fresh: freshRoot(ast, state),
    shapes: SEQUENCE_SHAPES,
    evaluate(input: unknown, bindings?: Record<string, unknown>): unknown {
      if (!accepts(bindings)) throw new FastPathUnsupported('a binding shadows a function the expression calls');
      return evaluateAccepted(input, bindings);
    },
  };
}

/** A call of Unimap's `$removeEmpty` helper (not a variable of that name) with one argument. */
function isRemoveEmptyCall(node: AstNode, state: CompileState): boolean {
  const procedure = node.procedure;
  return state.helpers && node.type === 'function' && procedure?.type === 'variable' && procedure.value === 'removeEmpty' && !state.boundNames.has('removeEmpty') && node.arguments?.length === 1;
}

/** Whether the root always returns a top level it built itself: an object or array constructor, also inside a block, a condition or `$removeEmpty`. */
function freshRoot(node: AstNode | undefined, state: CompileState): boolean {
  if (!node || typeof node !== 'object') return false;
  for (const prop of UNSUPPORTED_PROPS) if (has(node, prop)) return false;
  if (has(node, 'predicate') || has(node, 'stages') || node.keepArray) return false;
  switch (node.type) {
    case 'block':
      return Array.isArray(node.expressions) && node.expressions.length > 0 && freshRoot(node.expressions[node.expressions.length - 1], state);
    case 'unary':
      return node.value === '{' || node.value === '[';
    case 'condition':
      return freshRoot(node.then, state) && (node.else === undefined || freshRoot(node.else, state));
    case 'function':
      // $removeEmpty returns its argument's top level, or a copy of it, or a new empty one.
      return isRemoveEmptyCall(node, state) && freshRoot(node.arguments![0], state);
    default:
      return false;
  }
}
