import integrationSchema from '../../schemas/integration.schema.json' with { type: 'json' };

export const overrideSchemaId = 'https://unimap.dev/schemas/integration-override.schema.json';

let memo: object | undefined;

/**
 * The `unified_method` schema without its required fields: an override may set any subset.
 * Always the same (frozen) object, so precompiled validators can recognise it.
 */
export function overrideSchema(): object {
  if (memo) return memo;
  const base = integrationSchema as { $id: string; $defs: Record<string, Record<string, unknown>> };
  const method = { ...base.$defs.unified_method! };
  delete method.required;
  const text = JSON.stringify(method).replace(/"#\/\$defs\//g, `"${base.$id}#/$defs/`);
  memo = Object.freeze({ $id: overrideSchemaId, ...(JSON.parse(text) as object) });
  return memo;
}
