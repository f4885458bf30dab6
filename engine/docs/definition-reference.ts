// Renders the "Definition format reference" Markdown from schemas/integration.schema.json,
// the JSONata slot list and the helper registry, so the docs cannot drift from the schema.
// Portable on purpose (no Node built-ins): the renderer is pure; engine/docs/write-docs.ts does the I/O.
import integrationSchema from '../../schemas/integration.schema.json' with { type: 'json' };
import { slotSpecs } from '../definitions/slots.js';
import { helperFunctions } from '../expressions/functions.js';

type SchemaNode = { readonly [key: string]: unknown };

export interface RenderOptions {
  /** Level of the section headings (`2` gives `##` sections and `###` subsections). */
  headingLevel?: number;
}

// The JSON module's inferred literal type is irrelevant here: the schema is walked generically.
const root = integrationSchema as unknown as SchemaNode;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function child(node: SchemaNode, key: string): SchemaNode | undefined {
  const value = node[key];
  return isNode(value) ? value : undefined;
}

function children(node: SchemaNode, key: string): SchemaNode[] {
  const value = node[key];
  return Array.isArray(value) ? value.filter(isNode) : [];
}

function text(node: SchemaNode, key: string): string | undefined {
  const value = node[key];
  return typeof value === 'string' ? value : undefined;
}

function strings(node: SchemaNode, key: string): string[] {
  const value = node[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

const defs: SchemaNode = child(root, '$defs') ?? {};

function def(name: string): SchemaNode {
  const node = child(defs, name);
  if (!node) throw new Error(`schemas/integration.schema.json has no $defs.${name}`);
  return node;
}

/** `#/$defs/pagination` → `pagination`. */
function refName(node: SchemaNode): string | undefined {
  const ref = text(node, '$ref');
  return ref?.startsWith('#/$defs/') ? ref.slice('#/$defs/'.length) : undefined;
}

/** The referenced definition with the referring node's own keywords on top (they win, as in the schema). */
function deref(node: SchemaNode): SchemaNode {
  const name = refName(node);
  if (!name) return node;
  const local = Object.fromEntries(Object.entries(node).filter(([key]) => key !== '$ref'));
  return { ...deref(def(name)), ...local };
}

/* ------------------------------------------------------------------------ */
/* Markdown primitives                                                        */
/* ------------------------------------------------------------------------ */

/** A code span that survives backticks inside the text. */
function code(value: string): string {
  const longestRun = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

/** GFM table cells: `|` must be escaped even inside code spans, and a cell is one line. */
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\s*\r?\n\s*/g, ' ').trim();
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)];
}

/* ------------------------------------------------------------------------ */
/* Types                                                                      */
/* ------------------------------------------------------------------------ */

function group(type: string): string {
  return type.includes(' | ') ? `(${type})` : type;
}

function typeName(node: SchemaNode): string {
  const ref = refName(node);
  if (ref) return ref;
  if ('const' in node) return JSON.stringify(node.const);
  if (Array.isArray(node.enum)) return node.enum.map((value) => JSON.stringify(value)).join(' | ');
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const branches = children(node, keyword);
    if (branches.length > 0) return branches.map(typeName).join(' | ');
  }
  const declared = typeof node.type === 'string' ? [node.type] : strings(node, 'type');
  if (declared.length === 0) return isNode(node.properties) || isNode(node.additionalProperties) ? 'object' : 'any';
  return declared
    .map((type) => {
      if (type === 'object') {
        const values = child(node, 'additionalProperties');
        return values && !isNode(node.properties) ? `map of ${group(typeName(values))}` : 'object';
      }
      if (type === 'array') {
        const items = child(node, 'items');
        return items ? `array of ${group(typeName(items))}` : 'array';
      }
      return type;
    })
    .join(' | ');
}

/** The Type cell: the type as code, then JSONata / default / constraints from the node or its `$ref`. */
function typeCell(node: SchemaNode): string {
  const resolved = deref(node);
  const notes: string[] = [];
  if (resolved['x-jsonata'] === true) notes.push('JSONata');
  if ('default' in resolved) notes.push(`default: ${code(JSON.stringify(resolved.default))}`);
  if (typeof resolved.minimum === 'number') notes.push(`minimum: ${resolved.minimum}`);
  if (typeof resolved.minItems === 'number') notes.push(`at least ${resolved.minItems}`);
  const pattern = text(resolved, 'pattern');
  if (pattern !== undefined) notes.push(`pattern: ${code(pattern)}`);
  return [code(typeName(node)), ...notes].join(', ');
}

function bindingList(names: readonly string[]): string {
  return names.map(code).join(', ');
}

function descriptionCell(node: SchemaNode): string {
  const resolved = deref(node);
  const parts: string[] = [];
  // A property's own description wins over the shared definition's.
  const description = text(node, 'description') ?? text(resolved, 'description');
  if (description) parts.push(description);
  if (resolved['x-jsonata'] === true) {
    const bindings = strings(resolved, 'x-bindings');
    parts.push(bindings.length > 0 ? `Bindings: ${bindingList(bindings)}.` : 'No bindings.');
  }
  return parts.join(' ');
}

function fieldsTable(node: SchemaNode): string[] {
  const properties = child(node, 'properties') ?? {};
  const required = new Set(strings(node, 'required'));
  const rows = Object.entries(properties)
    .filter((entry): entry is [string, SchemaNode] => isNode(entry[1]))
    .map(([name, property]) => [code(name), typeCell(property), required.has(name) ? 'yes' : 'no', descriptionCell(property)]);
  return table(['Field', 'Type', 'Required', 'Description'], rows);
}

/* ------------------------------------------------------------------------ */
/* Paths                                                                      */
/* ------------------------------------------------------------------------ */

// What each `*` under a top-level map stands for; the schema only says "any key".
const WILDCARD_NAMES: Readonly<Record<string, readonly string[]>> = {
  resources: ['resource', 'method'],
  unified: ['model', 'resource', 'method'],
  context: ['field'],
};

/** `['unified', '*', '*', '*', 'response_mapping']` → `unified.<model>.<resource>.<method>.response_mapping`. */
export function renderSlotPattern(pattern: readonly string[]): string {
  const names = WILDCARD_NAMES[pattern[0] ?? ''] ?? [];
  let wildcard = 0;
  return pattern.map((part) => (part === '*' ? `<${names[wildcard++] ?? 'key'}>` : part)).join('.');
}

/* ------------------------------------------------------------------------ */
/* Sections                                                                   */
/* ------------------------------------------------------------------------ */

// Definitions with a section of their own; every other $def is listed under "Shared types".
const SECTIONED_DEFS: ReadonlySet<string> = new Set(['resource_method', 'unified_method', 'auth', 'pagination', 'context_field']);

function paragraph(value: string | undefined): string[] {
  return value ? [value, ''] : [];
}

function branchHeading(branch: SchemaNode, index: number): string {
  const title = text(branch, 'title') ?? `Variant ${index + 1}`;
  const discriminator = child(child(branch, 'properties') ?? {}, 'type');
  return discriminator && 'const' in discriminator ? `${title} — ${code(`type: ${String(discriminator.const)}`)}` : title;
}

export function renderDefinitionReference(options: RenderOptions = {}): string {
  const level = options.headingLevel ?? 2;
  if (!Number.isInteger(level) || level < 1 || level > 5) throw new Error(`headingLevel must be 1-5, got ${level}`);
  const section = '#'.repeat(level);
  const subsection = '#'.repeat(level + 1);
  const out: string[] = [];
  const push = (...lines: string[]): void => {
    out.push(...lines);
  };

  push(
    `This reference is generated from ${code('schemas/integration.schema.json')} (JSONata slots from ` +
      `${code('engine/definitions/slots.ts')}, helpers from ${code('engine/expressions/functions.ts')}); do not edit it ` +
      `by hand. Regenerate it with ${code('npm run docs')} (${code('npx tsx engine/docs/write-docs.ts')}).`,
    '',
  );

  push(`${section} Top level`, '', ...paragraph(text(root, 'description')), ...fieldsTable(root), '');

  const resourceMethod = def('resource_method');
  push(`${section} ${code(renderSlotPattern(['resources', '*', '*']))}`, '');
  push(...paragraph(text(resourceMethod, 'description')), ...fieldsTable(resourceMethod), '');

  const unifiedMethod = def('unified_method');
  push(`${section} ${code(renderSlotPattern(['unified', '*', '*', '*']))}`, '');
  push(...paragraph(text(unifiedMethod, 'description')), ...fieldsTable(unifiedMethod), '');

  for (const name of ['auth', 'pagination']) {
    const node = def(name);
    push(`${section} ${code(name)}`, '', ...paragraph(text(node, 'description')));
    for (const [index, branch] of children(node, 'oneOf').entries()) {
      push(`${subsection} ${branchHeading(branch, index)}`, '', ...paragraph(text(branch, 'description')));
      push(...fieldsTable(branch), '');
    }
  }

  const context = child(child(root, 'properties') ?? {}, 'context') ?? {};
  push(`${section} ${code(renderSlotPattern(['context', '*']))}`, '');
  push(...paragraph(text(context, 'description')), ...fieldsTable(def('context_field')), '');

  push(`${section} Shared types`, '', 'Types referred to by name in the tables above.', '');
  const shared = Object.keys(defs).filter((name) => !SECTIONED_DEFS.has(name));
  push(...table(['Type', 'Definition', 'Description'], shared.map((name) => [code(name), typeCell(def(name)), descriptionCell(def(name))])), '');
  for (const name of shared) {
    // Object forms inside a shared type (e.g. `{expression, allowed}`) need their fields spelled out.
    const objectForms = [...children(def(name), 'oneOf'), ...children(def(name), 'anyOf')].filter((branch) =>
      isNode(branch.properties),
    );
    for (const branch of objectForms) {
      push(`${code(name)} as an object${text(branch, 'title') ? ` (${text(branch, 'title')})` : ''}:`, '');
      push(...fieldsTable(branch), '');
    }
  }

  push(`${section} JSONata slots and their bindings`, '');
  push(
    'Every JSONata string is compiled once when the definition loads. A slot receives its bindings as the input ' +
      `document, so write ${code('response.id')} (not ${code('$response.id')}); each binding is also set as a ` +
      `${code('$response')}-style variable, and the helper functions below are available in every slot. ` +
      `${code('<…>')} stands for any key.`,
    '',
  );
  // One row per slot; a slot reachable at several places lists every place.
  const slots = new Map<string, { places: string[]; bindings: readonly string[] }>();
  for (const spec of slotSpecs) {
    const key = `${spec.slot}\u0000${spec.bindings.join(',')}`;
    const entry = slots.get(key) ?? { places: [], bindings: spec.bindings };
    entry.places.push(code(renderSlotPattern(spec.pattern)));
    slots.set(key, entry);
  }
  const slotRows = [...slots.entries()].map(([key, entry]) => [
    code(key.slice(0, key.indexOf('\u0000'))),
    entry.places.join('<br>'),
    bindingList(entry.bindings),
  ]);
  push(...table(['Slot', 'Where', 'Bindings'], slotRows), '');

  push(`${section} Helper functions`, '');
  push(
    'Registered on every JSONata expression. Signatures use JSONata\'s ' +
      '[function signature syntax](https://docs.jsonata.org/embedding-extending#function-signature-syntax).',
    '',
  );
  for (const helper of helperFunctions) {
    push(`${subsection} ${code(`$${helper.name}`)}`, '');
    push(helper.signature ? `Signature: ${code(helper.signature)}` : 'Signature: none (arguments are not type-checked)', '');
    push(helper.doc, '', `Example: ${code(helper.example)}`, '');
  }

  // Deterministic and tidy: no trailing whitespace, single blank lines, one final newline.
  return `${out.map((line) => line.trimEnd()).join('\n').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}
