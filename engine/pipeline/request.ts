import { UnimapError } from '../errors.js';
import { isPlainObject } from '../expressions/plain.js';
import { decodeCursor, type PageState } from '../pagination/cursor.js';
import { pageQuery, paginationOf } from '../pagination/strategies.js';
import type { Pagination } from '../definitions/definition-types.js';
import { buildRemoteBody } from './body.js';
import type { RemoteRequest } from './call.js';
import { buildRemoteHeaders, defaultHeaders } from './headers.js';
import { buildRemotePath } from './path.js';
import { encodePathSegment, fillBaseUrl, fillTemplate, fillValue } from './placeholders.js';
import { loadXml, xmlSupport } from '../transport/xml-support.js';
import { buildQueryString } from './query-string.js';
import { buildRemoteQuery } from './query.js';
import type { ResolvedMethod } from './resolve.js';
import { resolveRemoteTarget, type RemoteTarget } from './resource-method.js';
import type { CallInput } from './validate-input.js';
import { evaluateSlot } from '../expressions/evaluate.js';

/** Everything the request half worked out; the response half and the transport read it. */
export interface PreparedRequest {
  request: RemoteRequest;
  target: RemoteTarget;
  baseUrl: string;
  pagination: Pagination | undefined;
  /** The page this request fetches (undefined: the first). */
  page: PageState | undefined;
  /** The mapped remote body before serialisation. */
  remoteBody: unknown;
  /** The remote query without paging parameters (carried in `next_cursor`). */
  listQuery: Record<string, unknown>;
  /** The paging parameters of this request (dynamic pagination's `previous`). */
  pageParams: Record<string, unknown>;
}

export function serializeBody(body: unknown, format: string, what: string, xmlRoot?: string): { body: unknown; contentType?: string } {
  if (body === undefined) return { body };
  switch (format) {
    case 'form': {
      if (!isPlainObject(body)) throw new UnimapError('invalid_mapping_result', `${what}: a form body must be an object`, { statusCode: 500 });
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(body)) {
        if (value === undefined || value === null) continue;
        for (const item of Array.isArray(value) ? value : [value]) params.append(key, typeof item === 'object' ? JSON.stringify(item) : String(item));
      }
      return { body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
    }
    case 'raw':
      return { body: typeof body === 'string' ? body : JSON.stringify(body) };
    case 'xml':
      if (!xmlRoot && !(isPlainObject(body) && Object.keys(body).length === 1)) {
        throw new UnimapError('invalid_mapping_result', `${what}: an XML body needs the endpoint's \`xml_root\`, or a mapping that returns one root element`, { statusCode: 500 });
      }
      return xmlRoot
        ? { body: xmlSupport().toXml(body, xmlRoot), contentType: 'application/xml' }
        : { body: xmlSupport().toXml(Object.values(body as Record<string, unknown>)[0], Object.keys(body as Record<string, unknown>)[0]!), contentType: 'application/xml' };
    default:
      return { body, contentType: 'application/json' };
  }
}

/** serializeBody by the endpoint's `body_format` and `xml_root`, XML support loaded first where it sends XML. */
async function serializeEndpointBody(body: unknown, target: RemoteTarget, what: string): Promise<{ body: unknown; contentType?: string }> {
  const format = target.endpoint.body_format ?? 'json';
  if (format === 'xml') await loadXml();
  return serializeBody(body, format, `the body of ${what}`, target.endpoint.xml_root);
}

/** Steps resource/method → query → body → path → headers, then the URL. `before` holds the before steps' results. */
export async function prepareRequest(resolved: ResolvedMethod, input: CallInput, before?: unknown): Promise<PreparedRequest> {
  const target = await resolveRemoteTarget(resolved, input);
  const { definition } = resolved.integration;
  const what = `${resolved.integration.name} ${resolved.operation}`;
  const baseUrl = fillBaseUrl(target.endpoint.base_url ?? definition.base_url, { context: input.context }, `the base_url of ${resolved.integration.name}`).replace(/\/+$/, '');

  const pagination = paginationOf(definition, target.endpoint, target.method);
  const page = input.nextCursor ? decodeCursor(input.nextCursor, `${resolved.integration.name}/${resolved.operation}`) : undefined;
  if (input.nextCursor && !pagination) {
    throw new UnimapError('invalid_cursor', `${what} does not paginate, so next_cursor cannot be used`, { statusCode: 400 });
  }
  let pageParams: Record<string, unknown> = {};
  if (pagination) {
    pageParams = pageQuery(pagination, page, input.limit);
    if (pagination.type === 'dynamic' && !page) {
      const slot = resolved.integration.slots.get(dynamicSlotKey(target, 'initial_expression', pagination === target.endpoint.pagination));
      if (slot) {
        const initial = await evaluateSlot(slot, { query: input.query, limit: input.limit, context: input.context });
        if (isPlainObject(initial)) pageParams = { ...pageParams, ...initial };
      }
    }
  }

  // A later page repeats the first page's remote query, so `next_cursor` alone continues the same list.
  const query = page?.query ? { ...page.query, ...pageParams } : await buildRemoteQuery(resolved, target, input, pageParams, before);
  const remoteBody = await buildRemoteBody(resolved, input, before);
  const defaults = defaultHeaders(resolved, target, input);
  const path = await buildRemotePath(resolved, target, input, defaults, before);
  const serialized = await serializeEndpointBody(remoteBody, target, what);
  const withType = withContentHeaders(defaults, serialized.contentType, target);
  const headers = await buildRemoteHeaders(resolved, input, withType, remoteBody);

  let url: string;
  if (page?.url) {
    url = sameOriginUrl(page.url, baseUrl, what);
  } else {
    const search = buildQueryString(query, target.endpoint.query_array_format ?? definition.query_array_format ?? 'repeat');
    url = `${baseUrl}${path}${search ? `?${search}` : ''}`;
  }
  const request: RemoteRequest = { method: target.endpoint.method ?? 'GET', url, headers };
  if (serialized.body !== undefined && request.method !== 'GET') request.body = serialized.body;
  const listQuery = { ...query };
  for (const key of Object.keys(pageParams)) delete listQuery[key];
  return { request, target, baseUrl, pagination, page, remoteBody, listQuery, pageParams };
}

/** Content-Type for the body written, and an Accept that matches the endpoint's response format. */
export function withContentHeaders(headers: Record<string, string>, contentType: string | undefined, target: RemoteTarget): Record<string, string> {
  const out = { ...headers };
  if (contentType && !out['content-type']) out['content-type'] = contentType;
  if (!out.accept) {
    const format = target.endpoint.response_format ?? 'auto';
    out.accept = format === 'xml' || (format === 'auto' && target.endpoint.body_format === 'xml') ? 'application/xml' : 'application/json';
  }
  return out;
}

/**
 * A request to a remote endpoint outside the main mapping (before/after steps, side loads):
 * the endpoint's path with `id`, its default query and headers, and an optional body.
 */
export async function endpointRequest(
  resolved: ResolvedMethod,
  target: RemoteTarget,
  input: CallInput,
  parts: { id?: unknown; query?: Record<string, unknown>; body?: unknown },
): Promise<RemoteRequest> {
  const { definition } = resolved.integration;
  const what = `${resolved.integration.name} resources.${target.resource}.${target.method}`;
  const scope = { id: parts.id ?? input.id, context: input.context, query: input.query, body: input.body };
  const baseUrl = fillBaseUrl(target.endpoint.base_url ?? definition.base_url, { context: input.context }, `the base_url of ${resolved.integration.name}`).replace(/\/+$/, '');
  const path = fillTemplate(target.endpoint.path, scope, `the path of ${what}`, encodePathSegment);
  const query = { ...(fillValue(definition.query ?? {}, scope, what) as Record<string, unknown>), ...(fillValue(target.endpoint.query ?? {}, scope, what) as Record<string, unknown>), ...(parts.query ?? {}) };
  const search = buildQueryString(query, target.endpoint.query_array_format ?? definition.query_array_format ?? 'repeat');
  const serialized = await serializeEndpointBody(parts.body, target, what);
  const headers = withContentHeaders(defaultHeaders(resolved, target, input), serialized.contentType, target);
  const request: RemoteRequest = { method: target.endpoint.method ?? 'GET', url: `${baseUrl}${path}${search ? `?${search}` : ''}`, headers };
  if (serialized.body !== undefined && request.method !== 'GET') request.body = serialized.body;
  return request;
}

export function dynamicSlotKey(target: RemoteTarget, name: 'initial_expression' | 'next_expression', ownPagination: boolean): string {
  return ownPagination ? `resources.${target.resource}.${target.method}.pagination.${name}` : `pagination.${name}`;
}

/** A next-page URL from the remote is followed only on the base URL's origin: a response must not redirect credentials elsewhere. */
export function sameOriginUrl(url: string, baseUrl: string, what: string): string {
  let next: URL;
  try {
    next = new URL(url, baseUrl + '/');
  } catch {
    throw new UnimapError('invalid_cursor', `${what}: the next-page URL is not a URL`, { statusCode: 400 });
  }
  if (next.origin !== new URL(baseUrl).origin) {
    throw new UnimapError('invalid_remote_response', `${what}: the remote API sent a next-page URL on another origin (${next.origin}); it is not followed`, { statusCode: 502 });
  }
  return next.toString();
}
