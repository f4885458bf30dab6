import { UnimapError } from '../errors.js';
import { getPath, isForbiddenKey, isPlainObject, splitPath } from '../expressions/plain.js';

/**
 * `truto_key_by`: a list envelope whose `result` array becomes an object keyed by each record's
 * `field` (a dotted path, as in `truto_exclude_fields[]`). A record without a string or number
 * there, or a key two records share, is a 400: keying must not drop a record.
 */
export function keyListBy(body: unknown, field: string | undefined): unknown {
  if (field === undefined || !isPlainObject(body) || !Array.isArray(body.result)) return body;
  const keyed: Record<string, unknown> = {};
  const records = body.result as unknown[];
  for (let i = 0; i < records.length; i++) {
    const value = getPath(records[i], field);
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new UnimapError('invalid_query', `truto_key_by: record ${i} of the page has no string or number \`${field}\` to key it by`, {
        statusCode: 400,
        details: { truto_key_by: field, record_index: i },
      });
    }
    const key = String(value);
    if (Object.prototype.hasOwnProperty.call(keyed, key)) {
      throw new UnimapError('invalid_query', `truto_key_by: \`${field}\` is not unique on this page (${JSON.stringify(key)} is on two records); key by a unique field such as \`id\``, {
        statusCode: 400,
        details: { truto_key_by: field, duplicate_key: key },
      });
    }
    // defineProperty: a key such as `__proto__` stays an own property and never sets the prototype.
    Object.defineProperty(keyed, key, { value: records[i], enumerable: true, writable: true, configurable: true });
  }
  return { ...body, result: keyed };
}

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
