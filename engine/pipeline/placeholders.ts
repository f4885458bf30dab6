import { UnimapError } from '../errors.js';
import { getPath, isPlainObject, isForbiddenKey } from '../expressions/plain.js';

/** What `{{…}}` placeholders can read. */
export interface PlaceholderScope {
  id?: unknown;
  context?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

const placeholder = /\{\{\s*([^{}\s]+)\s*\}\}/g;
const whole = /^\{\{\s*([^{}\s]+)\s*\}\}$/;

function lookup(scope: PlaceholderScope, path: string): unknown {
  return getPath(scope, path);
}

function missing(path: string, what: string): UnimapError {
  if (path.startsWith('context.')) {
    return new UnimapError('missing_context', `the account context has no \`${path.slice(8)}\`, which ${what} needs`, {
      statusCode: 400,
      details: { missing_context_fields: [path.slice(8)] },
    });
  }
  return new UnimapError('unresolved_placeholder', `${what} needs \`{{${path}}}\`, which the call does not provide`, { statusCode: 400 });
}

function scalarText(value: unknown, path: string, what: string): string {
  if (value === undefined || value === null || value === '') throw missing(path, what);
  if (typeof value === 'object') {
    throw new UnimapError('unresolved_placeholder', `${what}: \`{{${path}}}\` is an object, not a value`, { statusCode: 400 });
  }
  return String(value);
}

/** Fills a string template; every placeholder must resolve. `encode` is applied to each value. */
export function fillTemplate(template: string, scope: PlaceholderScope, what: string, encode: (value: string, offset: number) => string = (v) => v): string {
  return template.replace(placeholder, (_match, path: string, offset: number) => encode(scalarText(lookup(scope, path), path, what), offset));
}

/**
 * Encodes a value as exactly one path segment: `/`, `?`, `#` are escaped. `.` and `..` are
 * refused: URL parsers (fetch's among them) resolve even `%2E%2E` as "go up".
 */
export function encodePathSegment(value: string): string {
  if (value === '.' || value === '..') {
    throw new UnimapError('invalid_call', `\`${value}\` cannot be used as a path segment (an id or a path value)`, { statusCode: 400 });
  }
  try {
    return encodeURIComponent(value);
  } catch {
    throw new UnimapError('invalid_call', 'a path value (an id?) is not valid Unicode text (it has a lone surrogate)', { statusCode: 400 });
  }
}

const hostPattern = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?$/;

/** Fills `base_url`: a placeholder in the authority must be a plain host[:port]; elsewhere it is one path segment. */
export function fillBaseUrl(template: string, scope: PlaceholderScope, what: string): string {
  const schemeEnd = template.indexOf('://');
  const authorityEnd = schemeEnd < 0 ? -1 : (() => {
    const slash = template.indexOf('/', schemeEnd + 3);
    return slash < 0 ? template.length : slash;
  })();
  return fillTemplate(template, scope, what, (value, offset) => {
    if (offset > schemeEnd && offset < authorityEnd) {
      if (!hostPattern.test(value)) {
        throw new UnimapError('missing_context', `${what}: \`${value.slice(0, 80)}\` is not a valid host name`, { statusCode: 400 });
      }
      return value;
    }
    return encodePathSegment(value);
  });
}

/**
 * Fills defaults (query, body, headers): a value that is exactly one placeholder keeps its native
 * type and is dropped when absent; placeholders inside a longer string must resolve.
 */
export function fillValue(value: unknown, scope: PlaceholderScope, what: string): unknown {
  if (typeof value === 'string') {
    const only = whole.exec(value);
    if (only) {
      const resolved = lookup(scope, only[1]!);
      return resolved === null || resolved === '' ? undefined : resolved;
    }
    return value.includes('{{') ? fillTemplate(value, scope, what) : value;
  }
  if (Array.isArray(value)) return value.map((v) => fillValue(v, scope, what)).filter((v) => v !== undefined);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (isForbiddenKey(key)) continue;
      const filled = fillValue(child, scope, what);
      if (filled !== undefined) out[key] = filled;
    }
    return out;
  }
  return value;
}
