import { UnimapError } from '../errors.js';
import { isForbiddenKey, isPlainObject } from '../expressions/plain.js';

export type QueryArrayFormat = 'repeat' | 'comma' | 'brackets' | 'indices';

function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate cannot be written as UTF-8.
    throw new UnimapError('invalid_query', 'a query value is not valid Unicode text (it has a lone surrogate)', { statusCode: 400 });
  }
}

const own = (object: object, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

function scalar(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Serialises a remote query. Nested objects use qs bracket notation (`filter[name]=x`). */
export function buildQueryString(params: Record<string, unknown>, arrayFormat: QueryArrayFormat = 'repeat'): string {
  const parts: string[] = [];
  const add = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      const items = value.map(scalar).filter((v): v is string => v !== undefined);
      if (arrayFormat === 'comma') {
        if (items.length) parts.push(`${encode(key)}=${items.map(encode).join(',')}`);
      } else {
        items.forEach((item, i) => {
          const name = arrayFormat === 'brackets' ? `${key}[]` : arrayFormat === 'indices' ? `${key}[${i}]` : key;
          parts.push(`${encode(name)}=${encode(item)}`);
        });
      }
      return;
    }
    if (isPlainObject(value)) {
      for (const [child, v] of Object.entries(value)) if (!isForbiddenKey(child)) add(`${key}[${child}]`, v);
      return;
    }
    parts.push(`${encode(key)}=${encode(scalar(value)!)}`);
  };
  for (const [key, value] of Object.entries(params)) if (!isForbiddenKey(key)) add(key, value);
  return parts.join('&');
}

/** Parses a query string in qs bracket notation (`a[b]=1&c[]=2&c[]=3`) into nested objects and arrays. */
export function parseQueryString(text: string): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  const source = text.startsWith('?') ? text.slice(1) : text;
  if (!source) return result;
  for (const pair of source.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    const keys = match ? [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)] : [rawKey];
    if (keys.some(isForbiddenKey) || keys.length > 8) continue;
    let node: Record<string, unknown> | unknown[] = result;
    keys.forEach((key, i) => {
      const last = i === keys.length - 1;
      const nextIsArray = !last && keys[i + 1] === '';
      if (Array.isArray(node)) {
        if (last) node.push(value);
        else {
          const child: Record<string, unknown> | unknown[] = nextIsArray ? [] : {};
          node.push(child);
          node = child;
        }
        return;
      }
      const container: Record<string, unknown> = node;
      if (last) {
        const existing = own(container, key) ? container[key] : undefined;
        if (existing === undefined) container[key] = value;
        else if (Array.isArray(existing)) existing.push(value);
        else container[key] = [existing, value];
        return;
      }
      const existing = own(container, key) ? container[key] : undefined;
      if (existing !== undefined && typeof existing === 'object' && existing !== null) node = existing as Record<string, unknown> | unknown[];
      else {
        const child: Record<string, unknown> | unknown[] = nextIsArray ? [] : {};
        container[key] = child;
        node = child;
      }
    });
  }
  return result;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
