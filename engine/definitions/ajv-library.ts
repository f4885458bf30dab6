/**
 * ajv's compiler and ajv-formats, for schemas that are not precompiled (a custom model schema, a
 * definition's query_schema outside the bundled ones). The bundled definitions and models never
 * need them: on Node they are required on first use (node-builtins.ts), about 30 ms less to
 * import the engine. Where there is no `require`, they are imported with this module, as before.
 */
import type * as Ajv2020Module from 'ajv/dist/2020.js';
import type addFormatsModule from 'ajv-formats';
import type * as FormatsModule from 'ajv-formats/dist/formats.js';
import { canRequireFromNode, requireFromNode, requireInstalled } from '../node-builtins.js';

type FormatsPlugin = typeof addFormatsModule.default;

export interface AjvLibrary {
  Ajv2020: typeof Ajv2020Module.Ajv2020;
  addFormats: FormatsPlugin;
}

// ajv-formats is CommonJS: imported, its plugin may sit on `.default`; required, it is the module.
function library(ajv: typeof Ajv2020Module, formats: unknown): AjvLibrary {
  const plugin = (formats as { default?: FormatsPlugin }).default ?? (formats as FormatsPlugin);
  return { Ajv2020: ajv.Ajv2020, addFormats: plugin };
}

const onNode = canRequireFromNode('ajv/dist/2020.js') && canRequireFromNode('ajv-formats');
const imported: AjvLibrary | undefined = onNode ? undefined : library(await import('ajv/dist/2020.js'), await import('ajv-formats'));
let required: AjvLibrary | undefined;

export function ajvLibrary(): AjvLibrary {
  return imported ?? (required ??= library(requireInstalled<typeof Ajv2020Module>('ajv/dist/2020.js'), requireInstalled<unknown>('ajv-formats')));
}

/**
 * ajv-formats' format checks, which the precompiled validators call (generated/bundled-validators.ts
 * imports them from here): needed with the validators, so loaded now, required on Node.
 */
export const fullFormats: typeof FormatsModule.fullFormats =
  requireFromNode<typeof FormatsModule>('ajv-formats/dist/formats.js')?.fullFormats ?? (await import('ajv-formats/dist/formats.js')).fullFormats;
