import { UnimapError } from '../errors.js';
import { isForbiddenKey } from '../expressions/plain.js';
import { base64 } from '../transport/base64.js';

/** Where the next page is, for any strategy. Encoded into the opaque unified `next_cursor`. */
export interface PageState {
  /** Pages fetched before this one (guards against runaway paging). */
  n: number;
  page?: number;
  offset?: number;
  cursor?: string;
  url?: string;
  /** Dynamic strategy: the query parameters of this page. */
  params?: Record<string, unknown>;
  limit?: number;
  /** The remote query of the first page without its paging parameters, so `next_cursor` alone continues the same list. */
  query?: Record<string, unknown>;
  /** The unified filters of the first page: later pages' mappings see them as `query`. */
  filters?: Record<string, unknown>;
}

interface Envelope extends PageState {
  v: 1;
  /** Which operation the cursor belongs to: a cursor from another list is refused. */
  op: string;
}

function toBase64Url(text: string): string {
  return base64(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export function encodeCursor(state: PageState, operation: string): string {
  const envelope: Envelope = { v: 1, op: operation, ...state };
  return toBase64Url(JSON.stringify(envelope));
}

export function decodeCursor(cursor: string, operation: string): PageState {
  const invalid = (why: string) =>
    new UnimapError('invalid_cursor', `next_cursor is not valid for ${operation}: ${why}. Pass back the next_cursor of the previous page unchanged.`, {
      statusCode: 400,
    });
  if (cursor.length > 8192) throw invalid('it is too long');
  let envelope: Partial<Envelope>;
  try {
    envelope = JSON.parse(fromBase64Url(cursor)) as Partial<Envelope>;
  } catch {
    throw invalid('it cannot be decoded');
  }
  if (!envelope || typeof envelope !== 'object' || envelope.v !== 1) throw invalid('unknown format');
  if (envelope.op !== operation) throw invalid('it belongs to another list');
  const state: PageState = { n: typeof envelope.n === 'number' ? envelope.n : 0 };
  if (typeof envelope.page === 'number') state.page = envelope.page;
  if (typeof envelope.offset === 'number') state.offset = envelope.offset;
  if (typeof envelope.cursor === 'string') state.cursor = envelope.cursor;
  if (typeof envelope.url === 'string') state.url = envelope.url;
  if (typeof envelope.limit === 'number') state.limit = envelope.limit;
  const safe = (value: unknown): Record<string, unknown> | undefined =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).filter(([k]) => !isForbiddenKey(k)))
      : undefined;
  const params = safe(envelope.params);
  if (params) state.params = params;
  const query = safe(envelope.query);
  if (query) state.query = query;
  const filters = safe(envelope.filters);
  if (filters) state.filters = filters;
  return state;
}
