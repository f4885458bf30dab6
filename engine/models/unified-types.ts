import { pascalCase, schemaToTypeScript, type JsonSchema } from './typegen.js';

/** `users` → `User`, `devices` → `Device`, `organizations` → `Organization`. */
export function recordTypeName(resource: string): string {
  const singular = resource.endsWith('ies') ? `${resource.slice(0, -3)}y` : resource.endsWith('s') ? resource.slice(0, -1) : resource;
  return pascalCase(singular);
}

/** TypeScript types for unified model schemas: `User`, `UserCreate`, `UserListQuery`, … */
export function renderUnifiedTypes(schemas: readonly object[], header: string): string {
  const inputs = schemas
    .map((schema) => schema as JsonSchema & { 'x-unimap'?: { resource?: string } })
    .filter((schema) => schema['x-unimap']?.resource)
    .sort((a, b) => String(a['x-unimap']!.resource).localeCompare(String(b['x-unimap']!.resource)))
    .map((schema) => ({ rootName: recordTypeName(String(schema['x-unimap']!.resource)), schema }));
  // One call per schema so each file's `$defs` get its own prefix (`UserEmail`, `DeviceEmail`).
  const parts = inputs.map(({ rootName, schema }) => schemaToTypeScript([{ rootName, schema }], { defsNaming: (name) => `${rootName}${pascalCase(name)}` }).trim());
  return `${header}\n\n${parts.join('\n\n')}\n`;
}
