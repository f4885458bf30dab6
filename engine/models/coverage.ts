import type { Engine } from '../engine.js';
import type { UnifiedMethod } from '../definitions/definition-types.js';
import { isPlainObject } from '../expressions/plain.js';
import { outputFields, requestBodyReads } from './mapping-analysis.js';
import { resolveRef } from '../definitions/schema-ref.js';
import type { UnifiedResource } from './registry.js';
import { methodSlots } from '../definitions/load.js';

/** "N supported · M required": which integrations support, and which require, one unified field. */
export interface FieldCoverage {
  /** Dotted path: `name`, `emails.email`, `organization.id`. */
  field: string;
  type: string;
  description: string;
  supported: string[];
  required: string[];
  /** Integrations whose method notes mention the field (in backticks). */
  notes: string[];
}

export interface MethodCoverage {
  method: string;
  integrations: string[];
  query: FieldCoverage[];
  /** Request body fields (create, update). */
  request: FieldCoverage[];
  response: FieldCoverage[];
  /** Per-integration notes of this method. */
  notes: Record<string, string>;
}

export interface ResourceCoverage {
  model: string;
  resource: string;
  title: string;
  description: string;
  methods: MethodCoverage[];
}

type Schema = Record<string, unknown>;

function typeName(schema: Schema, root: Schema): string {
  const s = resolveRef(schema, root);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const type = Array.isArray(s.type) ? s.type.join(' \\| ') : String(s.type ?? 'any');
  if (type === 'array') return `${typeName((s.items as Schema) ?? {}, root)}[]`;
  return s.format ? `${type} (${String(s.format)})` : type;
}

/** Every field of a schema as dotted paths, objects and arrays of objects flattened. */
export function schemaFields(schema: Schema | undefined, root: Schema, prefix = '', depth = 0): { field: string; type: string; description: string }[] {
  if (!schema || depth > 4) return [];
  const s = resolveRef(schema, root);
  const properties = s.properties as Record<string, Schema> | undefined;
  if (!properties) return [];
  const out: { field: string; type: string; description: string }[] = [];
  for (const [name, child] of Object.entries(properties)) {
    const field = prefix ? `${prefix}.${name}` : name;
    const c = resolveRef(child, root);
    out.push({ field, type: typeName(child, root), description: String(c.description ?? '') });
    if (field === 'remote_data') continue;
    const nested = c.type === 'array' ? resolveRef((c.items as Schema) ?? {}, root) : c;
    out.push(...schemaFields(nested, root, field, depth + 1));
  }
  return out;
}

function mentions(notes: string | undefined, field: string): boolean {
  return Boolean(notes && notes.includes(`\`${field}\``));
}

/**
 * Field coverage computed from the definitions themselves: request fields from what each request
 * mapping reads, response fields from what each response mapping produces (static analysis of
 * the JSONata), query parameters and required fields from `query_schema` and `required`.
 */
export function computeCoverage(engine: Engine, model = 'mdm'): ResourceCoverage[] {
  const out: ResourceCoverage[] = [];
  const integrations = [...engine.integrations.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const unified of engine.models.list(model).sort((a, b) => a.resource.localeCompare(b.resource))) {
    const root = unified.schema;
    const methods: MethodCoverage[] = [];
    for (const method of unified.methods) {
      const serving = integrations.filter((i) => i.definition.unified?.[model]?.[unified.resource]?.[method]);
      const config = (name: string) => engine.integrations.get(name)!.definition.unified![model]![unified.resource]![method]!;
      const notes: Record<string, string> = {};
      for (const i of serving) if (config(i.name).notes) notes[i.name] = config(i.name).notes!;

      const coverageOf = (fields: { field: string; type: string; description: string }[], supports: (integration: string, field: string) => boolean, requires: (integration: string, field: string) => boolean): FieldCoverage[] =>
        fields.map((f) => ({
          ...f,
          supported: serving.filter((i) => supports(i.name, f.field)).map((i) => i.name),
          required: serving.filter((i) => requires(i.name, f.field)).map((i) => i.name),
          notes: serving.filter((i) => mentions(config(i.name).notes, f.field)).map((i) => i.name),
        }));

      const queryFields = schemaFields(unified.definition(`${method}_query`), root);
      const querySchema = (name: string) => (config(name).query_schema ?? {}) as { properties?: Record<string, unknown>; required?: string[] };
      const query = coverageOf(
        queryFields,
        (name, field) => field in (querySchema(name).properties ?? {}),
        (name, field) => (querySchema(name).required ?? []).includes(field),
      );

      const bodySchema = unified.definition(method);
      // Every slot that shapes a remote request counts, as for the server's writable-field check.
      const reads = new Map(serving.map((i) => [i.name, requestBodyReads(methodSlots(engine.integrations.get(i.name)!, model, unified.resource, method))]));
      const request = bodySchema
        ? coverageOf(
            schemaFields(bodySchema, root),
            // remote_data is passed through by the engine for every integration.
            (name, field) => field === 'remote_data' || field.startsWith('remote_data.') || reads.get(name)!.has(field),
            (name, field) => requiredFields(config(name)).some((r) => r === field || r.startsWith(`${field}.`)),
          )
        : [];

      const produced = new Map(serving.map((i) => [i.name, responseFields(engine, i.name, model, unified, method)]));
      const response = coverageOf(schemaFields(root, root), (name, field) => produced.get(name)!.has(field), () => false);
      methods.push({ method, integrations: serving.map((i) => i.name), query, request, response, notes });
    }
    out.push({ model, resource: unified.resource, title: String(root.title ?? unified.resource), description: String(root.description ?? ''), methods });
  }
  return out;
}

function requiredFields(config: UnifiedMethod): string[] {
  return config.required ?? [];
}

/** Fields a method's response mapping produces (plus `remote_data`, which the engine attaches). */
export function responseFields(engine: Engine, integration: string, model: string, unified: UnifiedResource, method: string): Set<string> {
  const loaded = engine.integrations.get(integration);
  const config = loaded?.definition.unified?.[model]?.[unified.resource]?.[method];
  if (!loaded || !config) return new Set();
  if (method === 'delete') return new Set(['id']);
  const slot = loaded.slots.get(`unified.${model}.${unified.resource}.${method}.response_mapping`);
  const fields = slot ? outputFields(slot.expression.ast()) : new Set<string>();
  if (isPlainObject(config.side_load)) {
    for (const key of Object.keys(config.side_load)) {
      const side = loaded.slots.get(`unified.${model}.${unified.resource}.${method}.side_load.${key}.response_mapping`);
      if (side) for (const f of outputFields(side.expression.ast())) fields.add(f);
    }
  }
  fields.add('remote_data');
  // A field copied whole (`"emails": body.emails`) carries whatever subfields the model defines.
  const all = schemaFields(unified.schema, unified.schema).map((f) => f.field);
  for (const field of all) {
    const parent = field.slice(0, field.lastIndexOf('.'));
    if (parent && fields.has(parent) && !all.some((f) => f.startsWith(`${parent}.`) && fields.has(f))) {
      for (const sub of all) if (sub.startsWith(`${parent}.`)) fields.add(sub);
    }
  }
  return fields;
}
