/**
 * A small, dependency-free JSON Schema (2020-12 subset) → TypeScript declarations generator.
 *
 * The JSON Schemas are the single source of truth; the TypeScript types are generated from
 * them, never kept by hand. Portable: no Node built-ins, so it can run anywhere.
 *
 * Supported: `type` (one or several, incl. `null`), `properties`/`required`,
 * `additionalProperties`, `patternProperties`, `items`/`prefixItems`, `enum`, `const`,
 * `oneOf`/`anyOf` (unions), `allOf` (intersections), `$ref` to `#` and `#/$defs/<name>`
 * (also `#/definitions/<name>`), and `title`/`description`/`default`/`deprecated` as JSDoc.
 * Validation-only keywords (`pattern`, `minimum`, `minItems`, `propertyNames`, `format`, …),
 * `not`, `if`/`then`/`else` and `x-*` extensions do not change the generated types.
 */

/** A JSON Schema object. Sub-schemas may also be booleans (`true` = anything, `false` = nothing). */
export interface JsonSchema {
  readonly [keyword: string]: unknown;
}

export interface TypegenInput {
  /** Name of the interface generated for the root schema. */
  rootName: string;
  schema: JsonSchema;
}

export interface TypegenOptions {
  /** Emitted verbatim at the top of the output, e.g. a "generated, do not edit" comment. */
  header?: string;
  /** Type name of a `$defs` entry; defaults to {@link pascalCase}. Use it to prefix, e.g. `UserListQuery`. */
  defsNaming?: (defName: string) => string;
}

/** `list_query` → `ListQuery`, `email-input` → `EmailInput`. */
export function pascalCase(name: string): string {
  const result = name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
  if (result.length === 0) throw new Error(`Cannot derive a type name from "${name}"`);
  return /^[0-9]/.test(result) ? `_${result}` : result;
}

export function schemaToTypeScript(inputs: TypegenInput[], options: TypegenOptions = {}): string {
  const naming = options.defsNaming ?? pascalCase;
  const blocks: string[] = [];
  if (options.header !== undefined && options.header.trim() !== '') blocks.push(options.header.trimEnd());

  const taken = new Map<string, string>();
  const claim = (name: string, what: string): void => {
    if (!/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) throw new Error(`Invalid type name "${name}" for ${what}`);
    const previous = taken.get(name);
    if (previous !== undefined) throw new Error(`Type name "${name}" is used by both ${previous} and ${what}`);
    taken.set(name, what);
  };

  for (const { rootName, schema } of inputs) {
    const defs = collectDefs(schema);
    const ctx: Ctx = { rootName, defNames: new Map() };
    claim(rootName, `the root of ${rootName}`);
    for (const defName of defs.keys()) {
      const typeName = naming(defName);
      claim(typeName, `$defs/${defName} of ${rootName}`);
      ctx.defNames.set(defName, typeName);
    }
    blocks.push(declare(rootName, schema, ctx));
    for (const [defName, defSchema] of defs) blocks.push(declare(ctx.defNames.get(defName) ?? '', defSchema, ctx));
  }

  // Final pass guarantees no trailing whitespace; literals are escaped, so no line ends inside one.
  return (
    blocks
      .join('\n\n')
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n') + '\n'
  );
}

// ---------------------------------------------------------------------------
// Schema → type tree

interface Ctx {
  rootName: string;
  /** `$defs` key → generated type name. */
  defNames: Map<string, string>;
}

interface Member {
  name: string;
  optional: boolean;
  type: TsType;
  doc: string[];
}

type TsType = (
  | { kind: 'keyword'; text: string }
  | { kind: 'ref'; text: string }
  | { kind: 'array'; items: TsType }
  | { kind: 'tuple'; items: TsType[]; rest?: TsType }
  | { kind: 'object'; members: Member[]; index?: TsType }
  | { kind: 'union'; types: TsType[] }
  | { kind: 'intersection'; types: TsType[] }
) & {
  /** Shown above the branch when it is a member of a multi-line union (a `oneOf` branch's title). */
  doc?: string[];
};

const UNKNOWN: TsType = { kind: 'keyword', text: 'unknown' };
const NEVER: TsType = { kind: 'keyword', text: 'never' };
const UNDEFINED: TsType = { kind: 'keyword', text: 'undefined' };
/** A closed object without properties: `{}` would accept any non-null value. */
const EMPTY_OBJECT: TsType = { kind: 'keyword', text: 'Record<string, never>' };

/** Keywords that shape the type; everything else is an annotation or a validation-only constraint. */
const TYPE_KEYWORDS = [
  'type',
  'properties',
  'additionalProperties',
  'patternProperties',
  'items',
  'prefixItems',
  'enum',
  'const',
  'oneOf',
  'anyOf',
  'allOf',
  '$ref',
];
const COMBINATORS = ['oneOf', 'anyOf', 'allOf'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function collectDefs(schema: JsonSchema): Map<string, unknown> {
  const defs = new Map<string, unknown>();
  for (const key of ['$defs', 'definitions']) {
    const group = schema[key];
    if (group === undefined) continue;
    if (!isRecord(group)) throw new Error(`"${key}" must be an object`);
    for (const [name, def] of Object.entries(group)) {
      if (defs.has(name)) throw new Error(`"${name}" is defined in both $defs and definitions`);
      defs.set(name, def);
    }
  }
  return defs;
}

function resolveRef(ref: string, ctx: Ctx): string {
  if (ref === '#') return ctx.rootName;
  const match = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(ref);
  const name = match ? decodeURIComponent(match[1]).replace(/~1/g, '/').replace(/~0/g, '~') : undefined;
  const typeName = name === undefined ? undefined : ctx.defNames.get(name);
  if (typeName === undefined) {
    throw new Error(`Unsupported or unresolved $ref "${ref}" in ${ctx.rootName} (only "#" and "#/$defs/<name>")`);
  }
  return typeName;
}

function hasKeyword(schema: Record<string, unknown>, keywords: string[]): boolean {
  return keywords.some((keyword) => schema[keyword] !== undefined);
}

function without(schema: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => !keys.includes(key)));
}

function schemaArray(schema: Record<string, unknown>, keyword: string): unknown[] | undefined {
  const value = schema[keyword];
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new Error(`"${keyword}" must be an array`);
  return value;
}

function toType(schema: unknown, ctx: Ctx): TsType {
  if (schema === true || schema === undefined) return UNKNOWN;
  if (schema === false) return NEVER;
  if (!isRecord(schema)) throw new Error(`A schema must be an object or a boolean, got ${JSON.stringify(schema)}`);

  if (typeof schema.$ref === 'string') {
    const ref: TsType = { kind: 'ref', text: resolveRef(schema.$ref, ctx) };
    const siblings = without(schema, ['$ref']);
    // Annotation-only siblings (description, default, …) document the use site; they do not change the type.
    return hasKeyword(siblings, TYPE_KEYWORDS) ? intersection([ref, toType(siblings, ctx)]) : ref;
  }

  const pieces: TsType[] = [];
  for (const keyword of ['oneOf', 'anyOf']) {
    const branches = schemaArray(schema, keyword);
    if (branches) pieces.push(union(branches.map((branch) => branchType(branch, ctx))));
  }
  for (const branch of schemaArray(schema, 'allOf') ?? []) pieces.push(toType(branch, ctx));
  if (pieces.length === 0) return baseType(schema, ctx);

  const combined = intersection(pieces);
  const base = without(schema, COMBINATORS);
  if (!hasKeyword(base, TYPE_KEYWORDS)) return combined;
  // A bare `type` next to the branches (`type: object` + `oneOf` of objects) adds nothing the
  // branches do not already say; intersecting it would only widen objects with an index signature.
  const shapeKeywords = TYPE_KEYWORDS.filter((keyword) => keyword !== 'type');
  if (!hasKeyword(base, shapeKeywords) && !isUnknown(combined)) return combined;
  return intersection([baseType(base, ctx), combined]);
}

function branchType(branch: unknown, ctx: Ctx): TsType {
  const type = toType(branch, ctx);
  const doc = isRecord(branch) ? docLines(branch) : [];
  return doc.length > 0 ? { ...type, doc } : type;
}

function isUnknown(type: TsType): boolean {
  return type.kind === 'keyword' && type.text === 'unknown';
}

/** The type from `const`, `enum` or `type` (inferred from object/array keywords when absent). */
function baseType(schema: Record<string, unknown>, ctx: Ctx): TsType {
  if (schema.const !== undefined) return literalType(schema.const);
  const values = schemaArray(schema, 'enum');
  if (values) return union(values.map(literalType));

  let types: unknown[];
  if (typeof schema.type === 'string') types = [schema.type];
  else if (Array.isArray(schema.type)) types = schema.type;
  else if (hasKeyword(schema, ['properties', 'additionalProperties', 'patternProperties', 'required'])) types = ['object'];
  else if (hasKeyword(schema, ['items', 'prefixItems'])) types = ['array'];
  else return UNKNOWN;

  return union(
    types.map((type): TsType => {
      switch (type) {
        case 'string':
        case 'boolean':
        case 'null':
          return { kind: 'keyword', text: type };
        case 'number':
        case 'integer':
          return { kind: 'keyword', text: 'number' };
        case 'array':
          return arrayType(schema, ctx);
        case 'object':
          return objectType(schema, ctx);
        default:
          throw new Error(`Unknown JSON Schema type ${JSON.stringify(type)}`);
      }
    }),
  );
}

function arrayType(schema: Record<string, unknown>, ctx: Ctx): TsType {
  const prefix = schemaArray(schema, 'prefixItems');
  if (prefix) {
    const items = prefix.map((item) => toType(item, ctx));
    return schema.items === false ? { kind: 'tuple', items } : { kind: 'tuple', items, rest: toType(schema.items, ctx) };
  }
  return { kind: 'array', items: toType(schema.items, ctx) };
}

function objectType(schema: Record<string, unknown>, ctx: Ctx): TsType {
  const properties = schema.properties === undefined ? {} : schema.properties;
  if (!isRecord(properties)) throw new Error('"properties" must be an object');
  const required = new Set(
    (schemaArray(schema, 'required') ?? []).filter((name): name is string => typeof name === 'string'),
  );

  const members: Member[] = Object.entries(properties).map(([name, sub]) => ({
    name,
    optional: !required.has(name),
    type: toType(sub, ctx),
    doc: isRecord(sub) ? docLines(sub) : [],
  }));

  const indexParts: TsType[] = [];
  const patterns = schema.patternProperties;
  if (patterns !== undefined) {
    if (!isRecord(patterns)) throw new Error('"patternProperties" must be an object');
    for (const sub of Object.values(patterns)) indexParts.push(toType(sub, ctx));
  }
  const additional = schema.additionalProperties;
  if (additional === undefined) {
    // Design choice: JSON Schema allows extra keys unless `additionalProperties: false`, but a
    // record whose properties are all listed (a unified model, a query) is far more useful as a
    // closed type that catches typos. Only shapeless objects (no `properties`) stay open.
    if (schema.properties === undefined && patterns === undefined) indexParts.push(UNKNOWN);
  } else if (additional !== false) {
    indexParts.push(toType(additional, ctx));
  }

  // Required keys without a declaration still have to be present.
  for (const name of required) {
    if (!(name in properties)) {
      members.push({ name, optional: false, type: indexParts.length > 0 ? union(indexParts) : UNKNOWN, doc: [] });
    }
  }

  if (indexParts.length === 0) return members.length === 0 ? EMPTY_OBJECT : { kind: 'object', members };

  let index = union(indexParts);
  if (members.length > 0 && !isUnknown(index)) {
    // TypeScript requires every declared property to fit the index signature.
    const widened = union([
      index,
      ...members.map((member) => member.type),
      ...(members.some((member) => member.optional) ? [UNDEFINED] : []),
    ]);
    index = printType(widened, 0).includes('\n') ? UNKNOWN : widened;
  }
  return { kind: 'object', members, index };
}

function literalType(value: unknown): TsType {
  if (typeof value === 'string') return { kind: 'keyword', text: quote(value) };
  if (typeof value === 'number' || typeof value === 'boolean') return { kind: 'keyword', text: String(value) };
  if (value === null) return { kind: 'keyword', text: 'null' };
  if (Array.isArray(value)) return { kind: 'tuple', items: value.map(literalType) };
  if (isRecord(value)) {
    return {
      kind: 'object',
      members: Object.entries(value).map(([name, item]) => ({ name, optional: false, type: literalType(item), doc: [] })),
    };
  }
  throw new Error(`Unsupported literal ${String(value)}`);
}

function union(types: TsType[]): TsType {
  const flat = types.flatMap((type) => (type.kind === 'union' && type.doc === undefined ? type.types : [type]));
  if (flat.some(isUnknown)) return UNKNOWN;
  const unique = dedupe(flat.filter((type) => !(type.kind === 'keyword' && type.text === 'never')));
  if (unique.length === 0) return NEVER;
  return unique.length === 1 ? unique[0] : { kind: 'union', types: unique };
}

function intersection(types: TsType[]): TsType {
  const flat = types.flatMap((type) => (type.kind === 'intersection' ? type.types : [type]));
  if (flat.some((type) => type.kind === 'keyword' && type.text === 'never')) return NEVER;
  const unique = dedupe(flat.filter((type) => !isUnknown(type)));
  if (unique.length === 0) return UNKNOWN;
  return unique.length === 1 ? unique[0] : { kind: 'intersection', types: unique };
}

function dedupe(types: TsType[]): TsType[] {
  const seen = new Set<string>();
  return types.filter((type) => {
    const key = printType(type, 0);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function docLines(schema: Record<string, unknown>): string[] {
  const lines: string[] = [];
  if (typeof schema.title === 'string') lines.push(...schema.title.split('\n'));
  if (typeof schema.description === 'string') {
    if (lines.length > 0) lines.push('');
    lines.push(...schema.description.split('\n'));
  }
  if (schema.default !== undefined) lines.push(`@default ${JSON.stringify(schema.default)}`);
  if (schema.deprecated === true) lines.push('@deprecated');
  return lines;
}

// ---------------------------------------------------------------------------
// Printing. `indent` is the indentation of the line the type starts on; nested lines are
// indented relative to it. Multi-line unions start with a newline (leading `|` style).

function pad(indent: number): string {
  return ' '.repeat(indent);
}

function quote(text: string): string {
  // JSON escaping, then swap the quote style: unescape `\"`, escape `'`.
  const body = JSON.stringify(text)
    .slice(1, -1)
    .replace(/\\(.)/g, (escape: string, char: string) => (char === '"' ? '"' : escape))
    .replace(/'/g, "\\'");
  return `'${body}'`;
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name);
}

function printDoc(lines: string[], indent: number): string {
  const safe = lines.map((line) => line.replace(/\*\//g, '*\\/').trimEnd());
  if (safe.length === 1) return `${pad(indent)}/** ${safe[0]} */`;
  return [`${pad(indent)}/**`, ...safe.map((line) => `${pad(indent)} *${line ? ` ${line}` : ''}`), `${pad(indent)} */`].join(
    '\n',
  );
}

/** `name: T` / `= T` joiner: a multi-line union already starts on its own line. */
function afterColon(text: string): string {
  return text.startsWith('\n') ? text : ` ${text}`;
}

function printType(type: TsType, indent: number): string {
  switch (type.kind) {
    case 'keyword':
    case 'ref':
      return type.text;
    case 'array': {
      const items = printType(type.items, indent);
      if (items.includes('\n')) return `Array<${items}>`;
      return type.items.kind === 'union' || type.items.kind === 'intersection' ? `(${items})[]` : `${items}[]`;
    }
    case 'tuple': {
      const parts = type.items.map((item) => printType(item, indent));
      if (type.rest) parts.push(`...${printType({ kind: 'array', items: type.rest }, indent)}`);
      return `[${parts.join(', ')}]`;
    }
    case 'object':
      return printObject(type.members, type.index, indent, false);
    case 'union': {
      const single = type.types.map((member) => printType(member, indent));
      if (!single.some((text) => text.includes('\n'))) return single.join(' | ');
      return type.types
        .map((member) => {
          const doc = member.doc && member.doc.length > 0 ? `\n${printDoc(member.doc, indent + 2)}` : '';
          const text = printType(member, indent + 4);
          return `${doc}\n${pad(indent + 2)}|${afterColon(text)}`;
        })
        .join('');
    }
    case 'intersection':
      return type.types
        .map((member) => {
          const text = printType(member, indent);
          return member.kind === 'union' ? `(${text})` : text;
        })
        .join(' & ');
  }
}

function printObject(members: Member[], index: TsType | undefined, indent: number, block: boolean): string {
  if (!block && members.length === 0 && index !== undefined) {
    return `{ [key: string]:${afterColon(printType(index, indent))} }`;
  }
  const lines: string[] = ['{'];
  for (const member of members) {
    if (member.doc.length > 0) lines.push(printDoc(member.doc, indent + 2));
    const text = printType(member.type, indent + 2);
    lines.push(`${pad(indent + 2)}${propertyKey(member.name)}${member.optional ? '?' : ''}:${afterColon(text)};`);
  }
  if (index !== undefined) lines.push(`${pad(indent + 2)}[key: string]:${afterColon(printType(index, indent + 2))};`);
  lines.push(`${pad(indent)}}`);
  return lines.join('\n');
}

function declare(name: string, schema: unknown, ctx: Ctx): string {
  const type = toType(schema, ctx);
  const doc = isRecord(schema) ? docLines(schema) : [];
  const head = doc.length > 0 ? `${printDoc(doc, 0)}\n` : '';
  if (type.kind === 'object') return `${head}export interface ${name} ${printObject(type.members, type.index, 0, true)}`;
  return `${head}export type ${name} =${afterColon(printType(type, 0))};`;
}
