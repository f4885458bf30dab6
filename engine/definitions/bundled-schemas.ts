import integrationSchema from '../../schemas/integration.schema.json' with { type: 'json' };
import { overrideSchema, overrideSchemaId } from './override-schema.js';
import { bundledModelSchemas } from '../models/bundled.js';

/** Every schema with an `$id` the engine ships, and the refs validated against: ids and each model's `$defs`. */
export function bundledSchemaRefs(): { schemas: object[]; refs: string[] } {
  const schemas: object[] = [integrationSchema, overrideSchema(), ...bundledModelSchemas];
  const refs: string[] = [(integrationSchema as { $id: string }).$id, overrideSchemaId];
  for (const schema of bundledModelSchemas) {
    const id = (schema as { $id: string }).$id;
    refs.push(id);
    for (const name of Object.keys((schema as { $defs?: object }).$defs ?? {})) refs.push(`${id}#/$defs/${name}`);
  }
  return { schemas, refs };
}
