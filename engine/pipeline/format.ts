import { isForbiddenKey, isPlainObject, splitPath } from '../expressions/plain.js';

/** Removes `truto_exclude_fields[]` entries: top-level names and dotted paths, through arrays. */
export function excludeFields(record: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  if (!fields.length) return record;
  for (const field of fields) {
    const [head, ...rest] = splitPath(field);
    if (head === undefined || isForbiddenKey(head) || !Object.prototype.hasOwnProperty.call(record, head)) continue;
    if (rest.length === 0) delete record[head];
    else record[head] = without(record[head], rest);
  }
  return record;
}

/**
 * `node` without `path`, copying only the objects and arrays on the way: nested values of a
 * unified record may be shared with its remote_data, which must stay as the vendor sent it.
 */
function without(node: unknown, path: readonly string[]): unknown {
  if (Array.isArray(node)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < node.length; i++) {
      const next = without(node[i], path);
      if (next !== node[i]) (out ??= node.slice())[i] = next;
    }
    return out ?? node;
  }
  if (!isPlainObject(node) || path.length === 0) return node;
  const [head, ...rest] = path as [string, ...string[]];
  if (isForbiddenKey(head) || !Object.prototype.hasOwnProperty.call(node, head)) return node;
  const copy: Record<string, unknown> = { ...node };
  if (rest.length === 0) delete copy[head];
  else {
    const child = without(node[head], rest);
    if (child === node[head]) return node;
    copy[head] = child;
  }
  return copy;
}
