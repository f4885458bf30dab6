/**
 * A small typed client for a Unimap server, shaped like Truto's SDK:
 *
 *   const unimap = createClient({ baseUrl: 'http://localhost:8787', token: 'sandbox' });
 *   const user = await unimap.unifiedApi.create('mdm', 'users', body, { integrated_account_id: 'sandbox-jamf' });
 *   for await (const u of unimap.unifiedApi.list('mdm', 'users', { integrated_account_id })) …
 *
 * No Node built-ins: it runs wherever `fetch` does.
 */
import type { UnifiedErrorBody } from '../errors.js';
import type { ListResult } from '../pipeline/call.js';

export type FetchFn = (input: string, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  baseUrl: string;
  token: string;
  fetch?: FetchFn;
}

/** Query parameters of a unified call (nested objects and arrays use qs bracket notation). */
export interface UnifiedQuery {
  integrated_account_id: string;
  truto_response_format?: 'unified' | 'raw' | 'normalized' | 'debug';
  truto_ignore_remote_data?: boolean;
  truto_exclude_fields?: string[];
  /** Lists: `result` becomes an object keyed by this field (the iterator still yields each record). */
  truto_key_by?: string;
  /** Lists: the vendor's own page size instead of `limit`. */
  truto_ignore_limit?: boolean;
  remote_query?: Record<string, unknown>;
  limit?: number;
  next_cursor?: string;
  [key: string]: unknown;
}

/** A unified error from the server, with its envelope. */
export class UnimapClientError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly body: UnifiedErrorBody;

  constructor(body: UnifiedErrorBody) {
    super(body.message);
    this.name = 'UnimapClientError';
    this.statusCode = body.statusCode;
    this.code = body.code;
    this.body = body;
  }
}

function encodeQuery(query: Record<string, unknown>): string {
  const parts: string[] = [];
  const add = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) for (const item of value) add(`${key}[]`, item);
    else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
    else parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  };
  for (const [key, value] of Object.entries(query)) add(key, value);
  return parts.join('&');
}

type Unified = Record<string, unknown>;

/** A list: `await` it for the first page, or `for await` over every record of every page. */
export class ListCursor<T = Unified> implements PromiseLike<ListResult<T>>, AsyncIterable<T> {
  constructor(private readonly fetchPage: (cursor?: string) => Promise<ListResult<T>>) {}

  then<A = ListResult<T>, B = never>(onFulfilled?: ((value: ListResult<T>) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.fetchPage().then(onFulfilled, onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let cursor: string | undefined;
    do {
      const page = await this.fetchPage(cursor);
      // With truto_key_by the page's result is an object of records.
      yield* Array.isArray(page.result) ? page.result : (Object.values(page.result) as T[]);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Every record of every page, in an array. */
  async all(): Promise<T[]> {
    const out: T[] = [];
    for await (const record of this) out.push(record);
    return out;
  }
}

export function createClient(options: ClientOptions) {
  const fetchFn: FetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const base = options.baseUrl.replace(/\/+$/, '');

  async function request<T>(method: string, path: string, query: UnifiedQuery, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const init: RequestInit = { method, headers: { authorization: `Bearer ${options.token}`, accept: 'application/json', ...headers } };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    const response = await fetchFn(`${base}${path}?${encodeQuery(query)}`, init);
    const text = await response.text();
    const data = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) throw new UnimapClientError(data as UnifiedErrorBody);
    return data as T;
  }

  const path = (model: string, resource: string, id?: string) => `/unified/${encodeURIComponent(model)}/${encodeURIComponent(resource)}${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;

  return {
    unifiedApi: {
      list<T = Unified>(model: string, resource: string, query: UnifiedQuery): ListCursor<T> {
        return new ListCursor<T>((cursor) => request<ListResult<T>>('GET', path(model, resource), cursor ? { ...query, next_cursor: cursor } : query));
      },
      get<T = Unified>(model: string, resource: string, id: string, query: UnifiedQuery): Promise<T> {
        return request<T>('GET', path(model, resource, id), query);
      },
      create<T = Unified>(model: string, resource: string, body: unknown, query: UnifiedQuery, options: { idempotencyKey?: string } = {}): Promise<T> {
        return request<T>('POST', path(model, resource), query, body, options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {});
      },
      update<T = Unified>(model: string, resource: string, id: string, body: unknown, query: UnifiedQuery, options: { idempotencyKey?: string } = {}): Promise<T> {
        return request<T>('PATCH', path(model, resource, id), query, body, options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {});
      },
      delete(model: string, resource: string, id: string, query: UnifiedQuery): Promise<{ id: string }> {
        return request<{ id: string }>('DELETE', path(model, resource, id), query);
      },
      /** A custom method: `POST /unified/:model/:resource/:method`. */
      custom<T = unknown>(model: string, resource: string, method: string, body: unknown, query: UnifiedQuery): Promise<T> {
        return request<T>('POST', `${path(model, resource)}/${encodeURIComponent(method)}`, query, body);
      },
    },
  };
}

export type UnimapClient = ReturnType<typeof createClient>;
