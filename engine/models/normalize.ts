import { isPlainObject } from '../expressions/plain.js';
import { helperFunctions } from '../expressions/functions.js';
import { resolveRef } from '../definitions/schema-ref.js';

type Schema = Record<string, unknown>;

const toIsoDate = helperFunctions.find((f) => f.name === 'toIsoDate')!.implementation as unknown as (value: unknown) => string | undefined;

function types(schema: Schema): string[] {
  const type = schema.type;
  return Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : [];
}

/**
 * `truto_response_format=normalized`: coerces a unified value to its schema. Unknown properties
 * are dropped; ids and other strings become strings; date-times become ISO-8601 UTC; booleans
 * and numbers are coerced from their common string forms; a value that cannot be coerced is
 * dropped rather than passed on with the wrong type. `remote_data` is kept as it is.
 */
export function normalize(value: unknown, schema: Schema, root: Schema = schema): unknown {
  const s = resolveRef(schema, root);
  const allowed = types(s);
  if (value === null || value === undefined) return allowed.includes('null') ? null : undefined;
  if (allowed.includes('object') || isPlainObject(s.properties)) {
    if (!isPlainObject(value)) return undefined;
    const properties = s.properties as Record<string, Schema> | undefined;
    if (!properties) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(properties)) {
      if (!(key in value)) continue;
      const normalized = key === 'remote_data' ? value[key] : normalize(value[key], child, root);
      if (normalized !== undefined) out[key] = normalized;
    }
    return out;
  }
  if (allowed.includes('array')) {
    const items = (s.items as Schema | undefined) ?? {};
    const list = Array.isArray(value) ? value : [value];
    return list.map((item) => normalize(item, items, root)).filter((item) => item !== undefined);
  }
  if (allowed.includes('string')) {
    if (s.format === 'date-time') return toIsoDate(value);
    if (typeof value === 'string') return Array.isArray(s.enum) && !s.enum.includes(value) ? undefined : value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return undefined;
  }
  if (allowed.includes('boolean')) {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 1 || value === '1' || value === 'yes') return true;
    if (value === 'false' || value === 0 || value === '0' || value === 'no') return false;
    return undefined;
  }
  if (allowed.includes('integer') || allowed.includes('number')) {
    const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(number)) return undefined;
    return allowed.includes('integer') && !allowed.includes('number') ? Math.trunc(number) : number;
  }
  return value;
}
