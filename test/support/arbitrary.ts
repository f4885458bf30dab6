/**
 * fast-check arbitraries for property-based tests.
 *
 * - `arbitraryFromSchema(schema, root)`: VALID values of a small JSON Schema (2020-12) subset, as
 *   the unified model schemas use it. A keyword it does not understand is refused at build time
 *   rather than silently ignored, so every value it generates is one the schema accepts.
 * - `hostileJson()`: JSON-ish values meant to break things: prototype keys, huge strings, deep
 *   nesting, broken unicode, non-finite numbers and values of the wrong type.
 * - `mutatedJson(shape)`: a realistic value (a recorded remote body) with random mutations.
 */
import fc from 'fast-check';

/** A JSON Schema: an object or `true` / `false`. */
export type JsonSchema = boolean | SchemaObject;

export interface SchemaObject {
  [keyword: string]: unknown;
}

export interface SchemaArbitraryOptions {
  /** How deep `$ref`s and nested containers are followed before only required parts are generated. Default 6. */
  maxDepth?: number;
  /** Most items in an array without `maxItems`. Default 4. */
  maxItems?: number;
  /** Whether an object whose `additionalProperties` is absent gets undeclared keys (valid, but usually refused by an API). Default false. */
  extraProperties?: boolean;
}

/** Keywords that only annotate: they never make a value invalid. */
const annotations = new Set([
  '$schema', '$id', '$anchor', '$comment', '$defs', 'definitions', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'contentMediaType', 'contentEncoding',
]);

/** Assertion keywords this generator understands. */
const supported = new Set([
  'type', 'enum', 'const', '$ref', 'oneOf', 'anyOf', 'format',
  'properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties',
  'items', 'minItems', 'maxItems', 'uniqueItems',
  'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
]);

type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';
const jsonTypes: readonly JsonType[] = ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object'];

export class UnsupportedSchemaError extends Error {
  constructor(message: string, readonly at: string) {
    super(`${message} (at ${at || '#'})`);
    this.name = 'UnsupportedSchemaError';
  }
}

/** Builds an object with `defineProperty`, so `__proto__` is an own key (as `JSON.parse` makes it), never the prototype. */
export function objectFromEntries(entries: Iterable<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves a local `$ref` (`#/$defs/x`, any JSON pointer into the root). */
export function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  if (!ref.startsWith('#')) throw new UnsupportedSchemaError(`only local $refs are supported, not \`${ref}\``, ref);
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) || !Object.prototype.hasOwnProperty.call(node, part)) throw new UnsupportedSchemaError(`$ref \`${ref}\` does not resolve`, ref);
    node = node[part];
  }
  if (typeof node !== 'boolean' && !isObject(node)) throw new UnsupportedSchemaError(`$ref \`${ref}\` is not a schema`, ref);
  return node as JsonSchema;
}

// ---------------------------------------------------------------------------------------------
// A small validator for the same subset: used for `oneOf` (exactly one branch) and self-checks.
// ---------------------------------------------------------------------------------------------

function typeOf(value: unknown): JsonType | undefined {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isFinite(value) ? (Number.isInteger(value) ? 'integer' : 'number') : undefined;
    case 'string':
      return 'string';
    case 'object':
      return 'object';
    default:
      return undefined;
  }
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function codePoints(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

export function deepEqualJson(a: unknown, b: unknown): boolean {
  if (Object.is(a, b) || (a === b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqualJson(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqualJson(a[k], b[k]));
  }
  return false;
}

const dateTimePattern = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Whether `value` satisfies `schema` (the supported subset; formats date-time and email checked loosely). */
export function matchesSchema(value: unknown, schema: JsonSchema, root: JsonSchema = schema): boolean {
  if (schema === true) return true;
  if (schema === false) return false;
  if (typeof schema.$ref === 'string' && !matchesSchema(value, resolveRef(schema.$ref, root), root)) return false;
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t))) return false;
  }
  if ('const' in schema && !deepEqualJson(value, schema.const)) return false;
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqualJson(value, e))) return false;
  if (Array.isArray(schema.anyOf) && !(schema.anyOf as JsonSchema[]).some((s) => matchesSchema(value, s, root))) return false;
  if (Array.isArray(schema.oneOf) && (schema.oneOf as JsonSchema[]).filter((s) => matchesSchema(value, s, root)).length !== 1) return false;
  if (typeof value === 'string') {
    const length = codePoints(value);
    if (typeof schema.minLength === 'number' && length < schema.minLength) return false;
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) return false;
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return false;
    if (schema.format === 'date-time' && !(dateTimePattern.test(value) && !Number.isNaN(Date.parse(value)))) return false;
    if (schema.format === 'email' && !emailPattern.test(value)) return false;
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return false;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return false;
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) return false;
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) return false;
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return false;
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return false;
    if (schema.items !== undefined && !value.every((item) => matchesSchema(item, schema.items as JsonSchema, root))) return false;
    if (schema.uniqueItems === true && value.some((v, i) => value.findIndex((w) => deepEqualJson(v, w)) !== i)) return false;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (typeof schema.minProperties === 'number' && keys.length < schema.minProperties) return false;
    if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties) return false;
    const required = (schema.required as string[] | undefined) ?? [];
    if (!required.every((k) => Object.prototype.hasOwnProperty.call(value, k))) return false;
    const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
    for (const key of keys) {
      if (Object.prototype.hasOwnProperty.call(properties, key)) {
        if (!matchesSchema(value[key], properties[key]!, root)) return false;
      } else if (schema.additionalProperties !== undefined && !matchesSchema(value[key], schema.additionalProperties as JsonSchema, root)) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Valid values from a schema
// ---------------------------------------------------------------------------------------------

/** Plain JSON values (for `true` schemas, untyped schemas and free-form objects such as `remote_data`). */
export function plainJson(maxDepth = 2): fc.Arbitrary<unknown> {
  return fc.jsonValue({ maxDepth }).map((v) => cloneJson(v));
}

function dateTime(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.date({ min: new Date('1970-01-01T00:00:00.000Z'), max: new Date('2100-12-31T23:59:59.999Z'), noInvalidDate: true }), fc.constantFrom('ms', 's', 'offset'))
    .map(([date, style]) => {
      const iso = date.toISOString();
      if (style === 's') return iso.replace(/\.\d{3}Z$/, 'Z');
      if (style === 'offset') return iso.replace(/Z$/, '+00:00');
      return iso;
    });
}

function email(): fc.Arbitrary<string> {
  const local = fc.stringMatching(/^[a-z0-9]{1,12}(?:[._+-][a-z0-9]{1,8})?$/);
  const domain = fc.stringMatching(/^[a-z0-9]{1,12}(?:-[a-z0-9]{1,6})?\.(?:com|org|net|io|example)$/);
  return fc.tuple(local, domain).map(([l, d]) => `${l}@${d}`);
}

function stringFor(schema: SchemaObject, at: string): fc.Arbitrary<string> {
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
  const lengthOk = (s: string) => codePoints(s) >= minLength && (maxLength === undefined || codePoints(s) <= maxLength);
  let base: fc.Arbitrary<string>;
  if (schema.format !== undefined) {
    switch (schema.format) {
      case 'date-time':
        base = dateTime();
        break;
      case 'email':
        base = email();
        break;
      case 'date':
        base = dateTime().map((d) => d.slice(0, 10));
        break;
      case 'uuid':
        base = fc.uuid();
        break;
      case 'uri':
        base = fc.webUrl();
        break;
      default:
        throw new UnsupportedSchemaError(`format \`${String(schema.format)}\` is not supported`, at);
    }
    if (typeof schema.pattern === 'string') {
      const re = new RegExp(schema.pattern, 'u');
      base = base.filter((s) => re.test(s));
    }
    return minLength > 0 || maxLength !== undefined ? base.filter(lengthOk) : base;
  }
  if (typeof schema.pattern === 'string') {
    const re = new RegExp(schema.pattern, 'u');
    return fc.stringMatching(re).filter(lengthOk);
  }
  // Code points (ajv counts code points): mostly ASCII, sometimes any unicode.
  const bounds = { minLength, maxLength: maxLength ?? Math.max(minLength, 24) };
  return fc.oneof({ arbitrary: fc.string({ ...bounds, unit: 'binary-ascii' }), weight: 3 }, { arbitrary: fc.string({ ...bounds, unit: 'binary' }), weight: 1 });
}

function numberFor(schema: SchemaObject, integer: boolean): fc.Arbitrary<number> {
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const min = num(schema.minimum);
  const max = num(schema.maximum);
  const exMin = num(schema.exclusiveMinimum);
  const exMax = num(schema.exclusiveMaximum);
  if (integer) {
    let lo = Number.MIN_SAFE_INTEGER;
    let hi = Number.MAX_SAFE_INTEGER;
    if (min !== undefined) lo = Math.max(lo, Math.ceil(min));
    if (exMin !== undefined) lo = Math.max(lo, Math.floor(exMin) + 1);
    if (max !== undefined) hi = Math.min(hi, Math.floor(max));
    if (exMax !== undefined) hi = Math.min(hi, Math.ceil(exMax) - 1);
    return fc.integer({ min: lo, max: hi });
  }
  return fc
    .double({
      noNaN: true,
      noDefaultInfinity: true,
      ...(min !== undefined ? { min } : exMin !== undefined ? { min: exMin, minExcluded: true } : {}),
      ...(max !== undefined ? { max } : exMax !== undefined ? { max: exMax, maxExcluded: true } : {}),
    })
    .filter((n) => Number.isFinite(n) && (exMin === undefined || n > exMin) && (exMax === undefined || n < exMax));
}

interface BuildState {
  root: JsonSchema;
  options: Required<SchemaArbitraryOptions>;
}

function build(schema: JsonSchema, state: BuildState, depth: number, at: string): fc.Arbitrary<unknown> {
  if (schema === true) return plainJson(1);
  if (schema === false) throw new UnsupportedSchemaError('`false` accepts no value', at);
  if (!isObject(schema)) throw new UnsupportedSchemaError('a schema must be an object or a boolean', at);
  if (depth > state.options.maxDepth + 20) throw new UnsupportedSchemaError('the schema recurses through required parts only', at);
  for (const keyword of Object.keys(schema)) {
    if (!supported.has(keyword) && !annotations.has(keyword) && !keyword.startsWith('x-')) {
      throw new UnsupportedSchemaError(`keyword \`${keyword}\` is not supported`, at);
    }
  }
  const check = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => arb.filter((v) => matchesSchema(v, schema, state.root));

  if (typeof schema.$ref === 'string') {
    const { $ref, ...rest } = schema;
    const target = build(resolveRef($ref, state.root), state, depth + 1, String($ref));
    const siblings = Object.keys(rest).filter((k) => supported.has(k));
    return siblings.length ? target.filter((v) => matchesSchema(v, rest, state.root)) : target;
  }
  if ('const' in schema) return check(fc.constant(schema.const).map((v) => cloneJson(v)));
  if (Array.isArray(schema.enum)) {
    if (schema.enum.length === 0) throw new UnsupportedSchemaError('an empty `enum` accepts no value', at);
    return check(fc.constantFrom(...schema.enum).map((v) => cloneJson(v)));
  }
  if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
    const { anyOf, oneOf, ...rest } = schema;
    const branches = (Array.isArray(oneOf) ? oneOf : anyOf) as JsonSchema[];
    const keyword = Array.isArray(oneOf) ? 'oneOf' : 'anyOf';
    // Each branch is combined with the sibling keywords (`type`, `properties`, …) before generating.
    const arbs = branches.map((branch, i) => {
      const combined: JsonSchema = branch === true ? rest : branch === false ? false : { ...rest, ...branch };
      const arb = build(combined, state, depth + 1, `${at}/${keyword}/${i}`);
      return arb;
    });
    return check(fc.oneof(...arbs));
  }

  const types: JsonType[] = schema.type === undefined ? inferTypes(schema) : (Array.isArray(schema.type) ? schema.type : [schema.type]).map((t) => {
    if (!jsonTypes.includes(t as JsonType)) throw new UnsupportedSchemaError(`type \`${String(t)}\` is not a JSON Schema type`, at);
    return t as JsonType;
  });
  if (types.length === 0) return check(plainJson(1));
  const arbs = types.map((type) => byType(type, schema, state, depth, at));
  return arbs.length === 1 ? arbs[0]! : fc.oneof(...arbs);
}

function inferTypes(schema: SchemaObject): JsonType[] {
  if (schema.properties !== undefined || schema.required !== undefined || schema.additionalProperties !== undefined || schema.minProperties !== undefined) return ['object'];
  if (schema.items !== undefined || schema.minItems !== undefined || schema.maxItems !== undefined) return ['array'];
  if (schema.minLength !== undefined || schema.maxLength !== undefined || schema.pattern !== undefined || schema.format !== undefined) return ['string'];
  if (schema.minimum !== undefined || schema.maximum !== undefined || schema.exclusiveMinimum !== undefined || schema.exclusiveMaximum !== undefined) return ['number'];
  return [];
}

const absent: unique symbol = Symbol('absent');

function byType(type: JsonType, schema: SchemaObject, state: BuildState, depth: number, at: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return numberFor(schema, true);
    case 'number':
      return fc.oneof(numberFor(schema, true), numberFor(schema, false)).filter((n) => matchesSchema(n, { ...pick(schema, ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) }));
    case 'string':
      return stringFor(schema, at);
    case 'array': {
      const minItems = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const deep = depth >= state.options.maxDepth;
      const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : deep ? minItems : Math.max(minItems, state.options.maxItems);
      const item = schema.items === undefined ? plainJson(1) : build(schema.items as JsonSchema, state, depth + 1, `${at}/items`);
      return schema.uniqueItems === true
        ? fc.uniqueArray(item, { minLength: minItems, maxLength: maxItems, comparator: (a, b) => deepEqualJson(a, b) })
        : fc.array(item, { minLength: minItems, maxLength: maxItems });
    }
    case 'object': {
      const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const deep = depth >= state.options.maxDepth;
      const parts: fc.Arbitrary<readonly [string, unknown]>[] = [];
      for (const [key, sub] of Object.entries(properties)) {
        if (sub === false) continue;
        if (!required.has(key) && deep) continue;
        const value = build(sub, state, depth + 1, `${at}/properties/${key}`);
        parts.push(required.has(key) ? value.map((v) => [key, v] as const) : fc.option(value, { nil: absent, freq: 2 }).map((v) => [key, v] as const));
      }
      // Required keys without a `properties` entry take any value the other keywords allow.
      for (const key of required) {
        if (Object.prototype.hasOwnProperty.call(properties, key)) continue;
        const additional = schema.additionalProperties;
        if (additional === false) throw new UnsupportedSchemaError(`\`${key}\` is required but no property allows it`, at);
        const value = additional === undefined || additional === true ? plainJson(1) : build(additional as JsonSchema, state, depth + 1, `${at}/additionalProperties`);
        parts.push(value.map((v) => [key, v] as const));
      }
      const additional = schema.additionalProperties;
      const extraValue: fc.Arbitrary<unknown> | undefined =
        additional === false || deep
          ? undefined
          : isObject(additional) || additional === true
            ? build(additional as JsonSchema, state, depth + 1, `${at}/additionalProperties`)
            : schema.properties === undefined || state.options.extraProperties
              ? plainJson(1)
              : undefined;
      const extraKey = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !Object.prototype.hasOwnProperty.call(properties, k) && !required.has(k));
      const extras = extraValue ? fc.array(fc.tuple(extraKey, extraValue), { maxLength: 3 }) : fc.constant([] as [string, unknown][]);
      const arb = fc.tuple(fc.tuple(...parts), extras).map(([declared, extra]) =>
        objectFromEntries([...declared.filter(([, v]) => v !== absent), ...extra.filter(([k]) => !declared.some(([d]) => d === k))]),
      );
      const needsCheck = schema.minProperties !== undefined || schema.maxProperties !== undefined;
      return needsCheck ? arb.filter((v) => matchesSchema(v, pick(schema, ['minProperties', 'maxProperties']))) : arb;
    }
  }
}

function pick(schema: SchemaObject, keys: readonly string[]): SchemaObject {
  const out: SchemaObject = {};
  for (const key of keys) if (schema[key] !== undefined) out[key] = schema[key];
  return out;
}

/**
 * An arbitrary of values VALID against `schema` (a subset of JSON Schema 2020-12: `type`
 * including arrays of types, `properties` / `required` / `additionalProperties`, `items`, `enum`,
 * `const`, `format` date-time / email / date / uuid / uri, `$ref` into the root, `oneOf` / `anyOf`,
 * and the usual size and range bounds). `root` is the document `$ref`s resolve against.
 * Throws `UnsupportedSchemaError` for a keyword outside the subset.
 */
export function arbitraryFromSchema(schema: JsonSchema, root: JsonSchema = schema, options: SchemaArbitraryOptions = {}): fc.Arbitrary<unknown> {
  const state: BuildState = { root, options: { maxDepth: 6, maxItems: 4, extraProperties: false, ...options } };
  return build(schema, state, 0, '');
}

// ---------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------

/** Keys that have broken JavaScript code before. */
export const prototypeKeys = ['__proto__', 'constructor', 'prototype'] as const;

const nastyKeys = [
  ...prototypeKeys,
  'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', '__lookupGetter__', 'isPrototypeOf', 'then', 'length',
  '', ' ', '$', '$$', 'a.b', 'a[0]', '`x`', '0', '-1', '\u0000', '\uD800', '\u202E', 'polluted',
  'id', 'name', 'results', 'data', 'value', 'items', 'records', 'totalCount', 'next', 'nextPageToken', '@odata.nextLink', 'error', 'errors', 'message',
];

const nastyStrings = [
  '', ' ', '\t', '\n', '\r\n', '\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uD83D', '\uDE00y', '😀', '👩‍👩‍👧‍👦', 'e\u0301', '\u202Eevil\u202C', '\u200F', '\u061C', 'مرحبا', 'שלום',
  '\uFEFF', '\u200B', '\u2028', '\u2029', '\uFFFF', '\uFFFE', 'null', 'undefined', 'NaN', 'Infinity', 'true', 'false', '0', '-0', '1e308', '1e309', '0x10', '[]', '{}',
  '__proto__', 'constructor', 'prototype', '.', '..', '../', '../../etc/passwd', '%2e%2e', '%2F', '?a=1&b=2', '#frag', '/', '//evil.example', 'http://evil.example/',
  '\r\nX-Injected: yes', 'a\nb', '{{context.api_token}}', '{{context.access_token}}', '{{id}}', '{{ body.name }}', '$string(1)', '$eval("1")', '${1+1}', '<script>alert(1)</script>',
  "' OR 1=1 --", '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', '\\', '"', "'", '`',
];

export function hostileNumber(): fc.Arbitrary<number> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, 5e-324, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1.5, -1, 4294967296), weight: 3 },
    { arbitrary: fc.double(), weight: 1 },
    { arbitrary: fc.integer(), weight: 1 },
  );
}

/** A string of up to `maxLength` characters made by repeating a small chunk (cheap even at 100k). */
export function longString(maxLength = 100_000): fc.Arbitrary<string> {
  const chunk = fc.oneof(fc.constantFrom('a', 'é', '😀', '\uD800', '\u0000', '{"a":', '\\u0000', '%', ' '), fc.string({ minLength: 1, maxLength: 8, unit: 'binary' }));
  return fc.tuple(fc.integer({ min: 1, max: maxLength }), chunk).map(([n, c]) => c.repeat(Math.ceil(n / c.length)).slice(0, n));
}

export interface HostileOptions {
  /** Keys to favour (a schema's field names), so hostile values land where a mapping reads. */
  keys?: readonly string[];
  /** Depth of the random tree (deep chains up to `maxChain` are generated separately). Default 3. */
  maxDepth?: number;
  /** Longest deep chain. Default 50. */
  maxChain?: number;
  /** Longest long string. Default 100 000. */
  maxStringLength?: number;
}

export function hostileString(options: Pick<HostileOptions, 'maxStringLength'> = {}): fc.Arbitrary<string> {
  const fragment = fc.oneof(fc.constantFrom(...nastyStrings), fc.string({ maxLength: 6, unit: 'binary' }));
  return fc.oneof(
    { arbitrary: fc.constantFrom(...nastyStrings), weight: 6 },
    { arbitrary: fc.string({ maxLength: 20, unit: 'binary' }), weight: 3 },
    { arbitrary: fc.string({ maxLength: 20, unit: 'grapheme' }), weight: 2 },
    { arbitrary: fc.array(fragment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('')), weight: 3 },
    { arbitrary: longString(options.maxStringLength ?? 100_000), weight: 1 },
  );
}

export function hostileKey(keys: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...nastyKeys, ...keys), weight: 4 },
    ...(keys.length ? [{ arbitrary: fc.constantFrom(...keys), weight: 4 }] : []),
    { arbitrary: fc.string({ maxLength: 10, unit: 'binary' }), weight: 1 },
  );
}

/** Objects that pollute `Object.prototype` if a merge walks into them carelessly. */
export function pollutionPayload(): fc.Arbitrary<Record<string, unknown>> {
  // Factories, not shared constants: every value is a fresh object a mutation may change freely.
  const marker = () => ({ polluted: 'yes' });
  const payloads: (() => Record<string, unknown>)[] = [
    () => objectFromEntries([['__proto__', marker()]]),
    () => objectFromEntries([['constructor', objectFromEntries([['prototype', marker()]])]]),
    () => objectFromEntries([['__proto__', objectFromEntries([['__proto__', marker()]])]]),
    () => objectFromEntries([['prototype', marker()], ['__proto__', { toString: 'not a function', valueOf: null, polluted: 'yes' }]]),
    () => objectFromEntries([['a', objectFromEntries([['__proto__', marker()]])], ['constructor', { name: 'polluted' }]]),
  ];
  return fc.integer({ min: 0, max: payloads.length - 1 }).map((i) => payloads[i]!());
}

/** Wraps `leaf` in `depth` levels of alternating objects and arrays. */
function nest(leaf: unknown, depth: number, key: string): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? objectFromEntries([[key, value]]) : [value];
  return value;
}

/**
 * Arbitrary JSON-ish values, including hostile ones: `__proto__` / `constructor` / `prototype`
 * keys (own properties, as `JSON.parse` makes them), strings up to ~100k characters, nesting up to
 * ~50 levels, lone surrogates, RTL marks and NUL, NaN / ±Infinity / -0 / 1e308, `undefined`
 * values, and every JSON type where another is expected.
 */
export function hostileJson(options: HostileOptions = {}): fc.Arbitrary<unknown> {
  const keys = options.keys ?? [];
  const maxDepth = options.maxDepth ?? 3;
  const leaf: fc.Arbitrary<unknown> = fc.oneof(
    { arbitrary: hostileString(options), weight: 5 },
    { arbitrary: hostileNumber(), weight: 3 },
    { arbitrary: fc.constantFrom(null, true, false, undefined), weight: 2 },
  );
  const { node } = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { maxDepth, depthSize: 'small' },
      { arbitrary: leaf, weight: 5 },
      { arbitrary: fc.array(tie('node'), { maxLength: 5 }), weight: 2 },
      { arbitrary: fc.array(fc.tuple(hostileKey(keys), tie('node')), { maxLength: 6 }).map((entries) => objectFromEntries(entries)), weight: 3 },
      { arbitrary: pollutionPayload(), weight: 1 },
    ),
  }));
  const deep = fc.tuple(leaf, fc.integer({ min: 10, max: options.maxChain ?? 50 }), hostileKey(keys)).map(([l, depth, key]) => nest(l, depth, key));
  return fc.oneof(
    { arbitrary: node, weight: 8 },
    { arbitrary: deep, weight: 1 },
    { arbitrary: pollutionPayload(), weight: 1 },
  );
}

/** A hostile value that is always an object (for bodies and queries), with favoured keys. */
export function hostileObject(options: HostileOptions = {}): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .array(fc.tuple(hostileKey(options.keys ?? []), hostileJson({ ...options, maxDepth: Math.max(1, (options.maxDepth ?? 3) - 1) })), { maxLength: 6 })
    .map((entries) => objectFromEntries(entries));
}

// ---------------------------------------------------------------------------------------------
// Mutations of a realistic value
// ---------------------------------------------------------------------------------------------

/** A deep copy that keeps `__proto__` keys as own keys. */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneJson(v) as unknown) as T;
  if (isObject(value)) return objectFromEntries(Object.entries(value).map(([k, v]) => [k, cloneJson(v)])) as T;
  return value;
}

export type MutationOp = 'delete' | 'replace' | 'retype' | 'null' | 'wrap' | 'unwrap' | 'pollute' | 'duplicate' | 'empty';

export interface Mutation {
  /** Which node (modulo the node count, in document order). */
  at: number;
  op: MutationOp;
  value: unknown;
}

interface Slot {
  get(): unknown;
  set(value: unknown): void;
  remove(): void;
}

function slots(root: { value: unknown }): Slot[] {
  const out: Slot[] = [{ get: () => root.value, set: (v) => (root.value = v), remove: () => (root.value = undefined) }];
  const walk = (value: unknown, depth: number) => {
    if (depth > 60) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        out.push({ get: () => value[i], set: (v) => (value[i] = v), remove: () => value.splice(i, 1) });
        walk(item, depth + 1);
      });
    } else if (isObject(value)) {
      for (const key of Object.keys(value)) {
        out.push({
          get: () => value[key],
          set: (v) => Object.defineProperty(value, key, { value: v, enumerable: true, writable: true, configurable: true }),
          remove: () => delete value[key],
        });
        walk(value[key], depth + 1);
      }
    }
  };
  walk(root.value, 0);
  return out;
}

function retype(value: unknown): unknown {
  if (typeof value === 'string') return value === '' ? 0 : Number.isNaN(Number(value)) ? value.length : Number(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (value === null || value === undefined) return {};
  if (Array.isArray(value)) return objectFromEntries(value.map((v, i) => [String(i), v]));
  return Object.values(value as Record<string, unknown>);
}

/** Applies mutations to a copy of `shape`. */
export function applyMutations(shape: unknown, mutations: readonly Mutation[]): unknown {
  const root = { value: cloneJson(shape) };
  for (const mutation of mutations) {
    const all = slots(root);
    const slot = all[mutation.at % all.length]!;
    const current = slot.get();
    switch (mutation.op) {
      case 'delete':
        slot.remove();
        break;
      case 'replace':
        slot.set(cloneJson(mutation.value));
        break;
      case 'retype':
        slot.set(retype(current));
        break;
      case 'null':
        slot.set(null);
        break;
      case 'wrap':
        slot.set([current]);
        break;
      case 'unwrap':
        slot.set(Array.isArray(current) ? current[0] : isObject(current) ? Object.values(current)[0] : current);
        break;
      case 'pollute':
        if (isObject(current)) {
          Object.defineProperty(current, '__proto__', { value: { polluted: 'yes' }, enumerable: true, writable: true, configurable: true });
        } else slot.set(objectFromEntries([['__proto__', { polluted: 'yes' }], ['value', current]]));
        break;
      case 'duplicate':
        slot.set(Array.isArray(current) ? [...current, ...current.map((c) => cloneJson(c))] : current);
        break;
      case 'empty':
        slot.set(Array.isArray(current) ? [] : isObject(current) ? {} : '');
        break;
    }
  }
  return root.value;
}

/** `shape` (a realistic value, e.g. a recorded remote body) with 0–6 random mutations. */
export function mutatedJson(shape: unknown, options: HostileOptions = {}): fc.Arbitrary<unknown> {
  const mutation: fc.Arbitrary<Mutation> = fc.record({
    at: fc.nat(),
    op: fc.constantFrom<MutationOp>('delete', 'replace', 'replace', 'retype', 'null', 'wrap', 'unwrap', 'pollute', 'duplicate', 'empty'),
    value: hostileJson({ ...options, maxDepth: 2 }),
  });
  return fc.array(mutation, { maxLength: 6 }).map((mutations) => applyMutations(shape, mutations));
}
