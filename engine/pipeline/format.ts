import { isForbiddenKey, isPlainObject, splitPath } from '../expressions/plain.js';

/** Removes `truto_exclude_fields[]` entries: top-level names and dotted paths, through arrays. */
export function excludeFields(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  if (!fields.length) return record;
  for (const field of fields) removePath(record, splitPath(field));
  return record;
}

function removePath(node: unknown, path: readonly string[]): void {
  if (Array.isArray(node)) {
    for (const item of node) removePath(item, path);
    return;
  }
  if (!isPlainObject(node) || path.length === 0) return;
  const [head, ...rest] = path as [string, ...string[]];
  if (isForbiddenKey(head) || !Object.prototype.hasOwnProperty.call(node, head)) return;
  if (rest.length === 0) delete node[head];
  else removePath(node[head], rest);
}
