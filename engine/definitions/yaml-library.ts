/**
 * The yaml library, for a definition the YAML subset parser declines and for positions in a
 * problem's message. Loading definitions the subset reads, without a problem, never needs it:
 * on Node it is required on first use (node-builtins.ts), about 30 ms less to import the
 * engine. Where there is no `require`, it is imported with this module, as before.
 */
import type * as Yaml from 'yaml';
import { canRequireFromNode, requireInstalled } from '../node-builtins.js';

const imported: typeof Yaml | undefined = canRequireFromNode('yaml') ? undefined : await import('yaml');
let required: typeof Yaml | undefined;

export function yamlLibrary(): typeof Yaml {
  return imported ?? (required ??= requireInstalled<typeof Yaml>('yaml'));
}
