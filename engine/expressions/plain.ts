/** A prototype-polluting key (compared directly: this runs on every key of every result). */
export function isForbiddenKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A jsonata function or lambda (an object flagged `_jsonata_function` / `_jsonata_lambda`).
 * Asked with Object.hasOwn: reading a missing property off records of many shapes is a
 * megamorphic miss, several times slower, and this runs on every object of every result.
 */
export function isJsonataFunction(value: object): boolean {
  const flags = value as { _jsonata_function?: unknown; _jsonata_lambda?: unknown };
  return (Object.hasOwn(value, '_jsonata_function') && Boolean(flags._jsonata_function)) || (Object.hasOwn(value, '_jsonata_lambda') && Boolean(flags._jsonata_lambda));
}

/** Thrown when a result is larger or deeper than allowed; evaluateSlot turns it into `mapping_limit`. */
export class OutputLimitError extends Error {}

export interface OutputBudget {
  /** Roughly the JSON size left, in characters. */
  bytes: number;
  maxDepth: number;
}

/**
 * Turns a jsonata result into plain JSON data: sequences become arrays, `undefined`
 * properties and functions disappear, and prototype-polluting keys are dropped. With a budget,
 * a result larger or deeper than allowed is refused rather than handed on.
 */
export function toPlain(value: unknown, budget?: OutputBudget, depth = 0): unknown {
  if (budget && (budget.bytes -= 8) < 0) throw new OutputLimitError('size');
  if (value === null || value === undefined) return value;
  const type = typeof value;
  if (type === 'string') {
    if (budget && (budget.bytes -= (value as string).length) < 0) throw new OutputLimitError('size');
    return value;
  }
  if (type === 'boolean') return value;
  if (type === 'number') return Number.isFinite(value) ? value : undefined;
  if (type === 'function' || type === 'symbol' || type === 'bigint') return undefined;
  if (budget && depth > budget.maxDepth) throw new OutputLimitError('depth');
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const plain = toPlain(item, budget, depth + 1);
      if (plain !== undefined) out.push(plain);
    }
    return out;
  }
  if (value instanceof Date) return value.toISOString();
  const record = value as Record<string, unknown>;
  // jsonata lambdas are objects with `_jsonata_lambda`; they are not data.
  if (isJsonataFunction(record)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (isForbiddenKey(key)) continue;
    if (budget && (budget.bytes -= key.length) < 0) throw new OutputLimitError('size');
    const plain = toPlain(record[key], budget, depth + 1);
    if (plain !== undefined) out[key] = plain;
  }
  return out;
}

/** An array jsonata flagged (a sequence or a constructed array): it is copied out as a plain array. */
export function isFlaggedArray(value: unknown[]): boolean {
  return 'sequence' in value || 'keepSingleton' in value || 'cons' in value || 'outerWrapper' in value || 'tupleStream' in value;
}

/**
 * Like toPlain, but keeps every part that is already plain JSON as it is instead of copying it
 * (same checks, same budget). The top level is always a fresh object or array, so a caller may
 * add or delete its keys; nested values may be shared with the input and must not be mutated.
 */
export function toPlainShared(value: unknown, budget?: OutputBudget, fresh = false): unknown {
  const plain = sharePlain(value, budget, 0);
  // A top level the expression built itself is nobody else's: no copy needed.
  if (plain !== value || fresh) return plain;
  if (Array.isArray(value)) return value.slice();
  if (value !== null && typeof value === 'object') return shallowCopy(value as Record<string, unknown>);
  return value;
}

function sharePlain(value: unknown, budget: OutputBudget | undefined, depth: number): unknown {
  // The common leaves inline (same budget as toPlain); anything unusual goes through toPlain.
  const type = typeof value;
  if (type === 'string') {
    if (budget && (budget.bytes -= 8 + (value as string).length) < 0) throw new OutputLimitError('size');
    return value;
  }
  if (value === null || type === 'boolean' || (type === 'number' && Number.isFinite(value))) {
    if (budget && (budget.bytes -= 8) < 0) throw new OutputLimitError('size');
    return value;
  }
  if (type !== 'object') return toPlain(value, budget, depth);
  if (budget && (budget.bytes -= 8) < 0) throw new OutputLimitError('size');
  if (budget && depth > budget.maxDepth) throw new OutputLimitError('depth');
  if (Array.isArray(value)) {
    let out: unknown[] | undefined = isFlaggedArray(value) ? [] : undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const plain = sharePlain(item, budget, depth + 1);
      if (out) {
        if (plain !== undefined) out.push(plain);
      } else if (plain !== item || plain === undefined) {
        out = value.slice(0, i);
        if (plain !== undefined) out.push(plain);
      }
    }
    return out ?? value;
  }
  if (value instanceof Date) return value.toISOString();
  const record = value as Record<string, unknown>;
  if (isJsonataFunction(record)) return undefined;
  let out: Record<string, unknown> | undefined = Object.getPrototypeOf(record) === Object.prototype ? undefined : {};
  let index = 0;
  // for-in, not Object.keys: no key array per object (own keys only, checked, whatever the
  // prototype holds). The check is hasOwnProperty with the loop's own key, which V8 answers from
  // the loop's enum cache; Object.hasOwn there is a full lookup per key (3-4x slower per key).
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const item = record[key];
    let plain: unknown;
    const forbidden = isForbiddenKey(key);
    if (!forbidden) {
      if (budget && (budget.bytes -= key.length) < 0) throw new OutputLimitError('size');
      plain = sharePlain(item, budget, depth + 1);
    }
    if (out) {
      if (plain !== undefined) out[key] = plain;
    } else if (forbidden || plain !== item || plain === undefined) {
      // The first change: copy the keys before it (unchanged, so plain already) and go on copying.
      out = copyFirstKeys(record, index);
      if (plain !== undefined) out[key] = plain;
    }
    index++;
  }
  return out ?? record;
}

/** A new object with the first `count` own enumerable keys of `value` (those before a first change). */
export function copyFirstKeys(value: Record<string, unknown>, count: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let index = 0;
  for (const key in value) {
    if (index >= count) break;
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    out[key] = value[key];
    index++;
  }
  return out;
}

/**
 * A shallow copy that a caller may add keys to. Not a spread: V8 gives a spread clone a map
 * outside the transition tree, so adding remote_data afterwards made a new hidden class for every
 * record. Not Object.assign: it would run the `__proto__` setter for a vendor's `"__proto__"`
 * key; that key stays plain data, as a spread keeps it.
 */
export function shallowCopy(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    if (key === '__proto__') Object.defineProperty(out, key, { value: record[key], enumerable: true, writable: true, configurable: true });
    else out[key] = record[key];
  }
  return out;
}

/** Shallow merge that ignores prototype-polluting keys; `null` in `over` removes a key when `nullDeletes`. */
export function mergeInto(
  target: Record<string, unknown>,
  over: Record<string, unknown> | undefined,
  nullDeletes = false,
): Record<string, unknown> {
  if (!over) return target;
  for (const key of Object.keys(over)) {
    if (isForbiddenKey(key)) continue;
    const value = over[key];
    if (value === undefined) continue;
    if (value === null && nullDeletes) delete target[key];
    else target[key] = value;
  }
  return target;
}

/** Deep merge for request bodies: objects merge recursively, everything else replaces. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const key of Object.keys(over)) {
    if (isForbiddenKey(key)) continue;
    out[key] = deepMerge(out[key], over[key]);
  }
  return out;
}

/** Reads a dotted path (`a.b`, `` `@odata.nextLink` ``, `items.0`) from plain data. */
export function getPath(data: unknown, path: string | undefined): unknown {
  if (!path) return data;
  let current = data;
  for (const segment of splitPath(path)) {
    if (current === null || current === undefined) return undefined;
    if (typeof current !== 'object') return undefined;
    if (isForbiddenKey(segment)) return undefined;
    current = Object.prototype.hasOwnProperty.call(current, segment)
      ? (current as Record<string, unknown>)[segment]
      : undefined;
  }
  return current;
}

/** Splits `a.b`, with backticks around segments that contain dots or dashes. */
export function splitPath(path: string): string[] {
  // Most paths have no backticks: the native split does it.
  if (!path.includes('`')) return path.split('.').filter((s) => s.length > 0);
  const segments: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of path) {
    if (char === '`') quoted = !quoted;
    else if (char === '.' && !quoted) {
      segments.push(current);
      current = '';
    } else current += char;
  }
  segments.push(current);
  return segments.filter((s) => s.length > 0);
}
