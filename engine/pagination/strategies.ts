import { UnimapError } from '../errors.js';
import type { Pagination, IntegrationDefinition, ResourceMethod } from '../definitions/definition-types.js';
import { getPath } from '../expressions/plain.js';
import type { PageState } from './cursor.js';

export const defaultMaxPages = 1000;

/** The pagination of a remote list endpoint: its own, else the integration's; `null` disables it. */
export function paginationOf(definition: IntegrationDefinition, endpoint: ResourceMethod, remoteMethod: string): Pagination | undefined {
  if (endpoint.pagination === null) return undefined;
  if (endpoint.pagination) return endpoint.pagination;
  return remoteMethod === 'list' ? definition.pagination : undefined;
}

/** The page size to ask for: the caller's `limit`, capped by `max_limit`, else `default_limit`. */
export function pageSize(strategy: Pagination, limit: number | undefined): number | undefined {
  const defaults = strategy as { default_limit?: number; max_limit?: number };
  const size = limit ?? defaults.default_limit;
  if (size === undefined) return undefined;
  return defaults.max_limit ? Math.min(size, defaults.max_limit) : size;
}

/** Query parameters for the page described by `state` (the first page when undefined). */
export function pageQuery(strategy: Pagination, state: PageState | undefined, limit: number | undefined): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  const size = pageSize(strategy, state?.limit ?? limit);
  const limitParam = (strategy as { limit_param?: string }).limit_param;
  if (limitParam && size !== undefined) query[limitParam] = size;
  switch (strategy.type) {
    case 'page':
      query[strategy.page_param] = state?.page ?? strategy.first_page ?? 1;
      break;
    case 'offset':
      if (state?.offset !== undefined) query[strategy.offset_param] = state.offset;
      else query[strategy.offset_param] = 0;
      break;
    case 'cursor':
      if (state?.cursor !== undefined) query[strategy.cursor_param] = state.cursor;
      break;
    case 'dynamic':
      if (limitParam) delete query[limitParam];
      Object.assign(query, state?.params ?? {});
      break;
    default:
      break;
  }
  return query;
}

/** Parses an RFC 8288 Link header and returns the `rel="next"` target. */
export function nextLink(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match && /(?:^|;)\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(match[2]!)) return match[1];
  }
  return undefined;
}

export interface PageOutcome {
  body: unknown;
  headers: Record<string, string>;
  /** Records on this page (after `response_path`). */
  records: number;
}

/**
 * The state of the next page, or undefined when this was the last. A strategy that would
 * fetch the same page again is a loop and is refused.
 */
export function nextPageState(
  strategy: Pagination,
  state: PageState | undefined,
  outcome: PageOutcome,
  limit: number | undefined,
  operation: string,
): PageState | undefined {
  const n = (state?.n ?? 0) + 1;
  const size = pageSize(strategy, state?.limit ?? limit);
  const base: PageState = { n };
  // Keep the caller's limit for every later page; without one, the strategy's default applies again.
  if (size !== undefined && (limit !== undefined || state?.limit !== undefined)) base.limit = size;
  const loop = (what: string) =>
    new UnimapError('remote_error', `pagination of ${operation} stopped: the remote API returned the same ${what} again`, {
      statusCode: 502,
      details: { pagination_loop: true },
    });
  switch (strategy.type) {
    case 'page': {
      const first = strategy.first_page ?? 1;
      const page = state?.page ?? first;
      if (outcome.records === 0) return undefined;
      const total = strategy.total_path ? Number(getPath(outcome.body, strategy.total_path)) : NaN;
      if (Number.isFinite(total) && size !== undefined) {
        if ((page - first + 1) * size >= total) return undefined;
      } else if (size !== undefined && outcome.records < size) return undefined;
      return { ...base, page: page + 1 };
    }
    case 'offset': {
      const offset = state?.offset ?? 0;
      if (outcome.records === 0) return undefined;
      const total = strategy.total_path ? Number(getPath(outcome.body, strategy.total_path)) : NaN;
      const nextOffset = offset + outcome.records;
      if (Number.isFinite(total) && nextOffset >= total) return undefined;
      if (!Number.isFinite(total) && size !== undefined && outcome.records < size) return undefined;
      return { ...base, offset: nextOffset };
    }
    case 'cursor': {
      const cursor = getPath(outcome.body, strategy.cursor_path);
      if (cursor === undefined || cursor === null || cursor === '') return undefined;
      const text = String(cursor);
      if (text === state?.cursor) throw loop('cursor');
      return { ...base, cursor: text };
    }
    case 'next_url': {
      const url = getPath(outcome.body, strategy.next_url_path);
      if (typeof url !== 'string' || url === '') return undefined;
      if (url === state?.url) throw loop('next-page URL');
      return { ...base, url };
    }
    case 'link_header': {
      const url = nextLink(outcome.headers['link'] ?? outcome.headers['Link']);
      if (!url) return undefined;
      if (url === state?.url) throw loop('next-page URL');
      return { ...base, url };
    }
    default:
      return undefined;
  }
}
