import { UnimapError } from '../errors.js';
import { evaluateSlot, slotLocation } from '../expressions/evaluate.js';
import { getPath, isPlainObject } from '../expressions/plain.js';
import { encodeCursor, type PageState } from '../pagination/cursor.js';
import { nextPageState } from '../pagination/strategies.js';
import type { ListResult, RemoteResponse } from './call.js';
import { excludeFields } from './format.js';
import { isRemoteError, mapRemoteError } from './remote-error.js';
import { dynamicSlotKey, type PreparedRequest } from './request.js';
import type { ResolvedMethod } from './resolve.js';
import { mapRecords } from './response-mapping.js';
import type { CallInput } from './validate-input.js';

export interface MappedResponse {
  /** The unified result in its envelope: list `{result, next_cursor, …}`, get/create/update the object, delete `{id}`, custom `{result}`. */
  body: unknown;
  /** Headers for the caller, from `response_header_mapping`. */
  headers: Record<string, string>;
  /** The unified records before the envelope (lists and items alike). */
  records: Record<string, unknown>[];
  /** The raw remote record behind each unified record (same order). */
  raw: unknown[];
}

function lowerHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = String(value);
  return out;
}

/** Step: where the records sit (`response_path`). Lists always yield an array. */
export function extractRecords(body: unknown, path: string | undefined, list: boolean): unknown[] {
  const value = getPath(body, path);
  if (value === undefined || value === null || value === '') return [];
  if (Array.isArray(value)) return list ? value : value.slice(0, 1);
  return [value];
}

/** Error detection → records → response_mapping → response headers → pagination → envelope. */
export async function mapRemoteResponse(
  resolved: ResolvedMethod,
  input: CallInput,
  prepared: PreparedRequest,
  response: RemoteResponse,
  before?: unknown,
): Promise<MappedResponse> {
  const remote = { ...response, headers: lowerHeaders(response.headers) };
  if (await isRemoteError(resolved, prepared.target, remote)) throw await mapRemoteError(resolved, input, remote, before);

  if (input.responseFormat === 'raw') return { body: remote.body, headers: {}, records: [], raw: [] };

  const isList = resolved.method === 'list';
  if ((isList || resolved.method === 'get') && typeof remote.body === 'string' && (prepared.target.endpoint.response_format ?? 'auto') !== 'text') {
    // Text where records were expected (a plain-text error, binary garbage) is not "no records".
    throw new UnimapError('invalid_remote_response', `${resolved.integration.name} ${resolved.operation}: the remote API answered ${remote.status} with text instead of data: ${remote.body.slice(0, 200).replace(/\s+/g, ' ')}`, {
      statusCode: 502,
      details: { content_type: remote.headers['content-type'] ?? '' },
    });
  }
  const records = extractRecords(remote.body, prepared.target.endpoint.response_path, isList);
  let mapped: Record<string, unknown>[] = [];
  let raw: unknown[] = [];
  if (resolved.method !== 'delete' || resolved.slots.has('response_mapping')) {
    ({ records: mapped, raw } = await mapRecords(resolved, input, records, remote.headers));
  }
  for (const record of mapped) excludeFields(record, input.excludeFields);

  const headers = await mapResponseHeaders(resolved, input, remote);

  let body: unknown;
  if (isList) {
    const envelope: ListResult = { result: mapped, next_cursor: null, prev_cursor: input.nextCursor ?? null, result_count: mapped.length };
    if (prepared.pagination) {
      const operation = `${resolved.integration.name}/${resolved.operation}`;
      const next =
        prepared.pagination.type === 'dynamic'
          ? await nextDynamicPage(resolved, input, prepared, remote, operation)
          : nextPageState(prepared.pagination, prepared.page, { body: remote.body, headers: remote.headers, records: records.length }, input.limit, operation);
      if (next) {
        if (next.url) next.url = withoutAuthParameter(next.url, resolved);
        if (Object.keys(prepared.listQuery).length && !next.url) next.query = prepared.listQuery;
        const filters = Object.fromEntries(Object.entries(input.query).filter(([key]) => key !== 'limit'));
        if (Object.keys(filters).length) next.filters = filters;
        envelope.next_cursor = encodeCursor(next, operation);
      }
    }
    body = envelope;
  } else if (resolved.method === 'delete') {
    body = { id: mapped[0]?.id ?? input.id, ...(mapped[0] && !input.ignoreRemoteData && mapped[0].remote_data !== undefined ? { remote_data: mapped[0].remote_data } : {}) };
  } else if (resolved.method === 'update' && records.length === 0 && input.id) {
    // An update answered with no body (204): the record is not sent back, only its id is known.
    body = { id: input.id };
    mapped = [body as Record<string, unknown>];
  } else if (['get', 'create', 'update'].includes(resolved.method)) {
    if (!mapped[0]) {
      throw new UnimapError('invalid_remote_response', `${resolved.integration.name} ${resolved.operation}: the remote response holds no record${prepared.target.endpoint.response_path ? ` at \`${prepared.target.endpoint.response_path}\`` : ''}`, {
        statusCode: 502,
        remote: { status: remote.status, headers: remote.headers, body: remote.body },
      });
    }
    body = mapped[0];
  } else {
    // Custom methods: `{result}`, an array when the remote returned one.
    const value = getPath(remote.body, prepared.target.endpoint.response_path);
    body = { result: Array.isArray(value) ? mapped : (mapped[0] ?? null) };
  }
  return { body, headers, records: mapped, raw };
}

/** A next-page URL may echo the API key; the cursor handed to the caller must not carry it (auth adds it back). */
function withoutAuthParameter(url: string, resolved: ResolvedMethod): string {
  const auth = resolved.integration.definition.auth;
  if (auth?.type !== 'api_key' || auth.in !== 'query') return url;
  try {
    const parsed = new URL(url);
    parsed.searchParams.delete(auth.name);
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Dynamic pagination: `next_expression` returns the next page's query parameters, or nothing at the end. */
async function nextDynamicPage(
  resolved: ResolvedMethod,
  input: CallInput,
  prepared: PreparedRequest,
  remote: RemoteResponse & { headers: Record<string, string> },
  operation: string,
): Promise<PageState | undefined> {
  const own = prepared.pagination === prepared.target.endpoint.pagination;
  const slot = resolved.integration.slots.get(dynamicSlotKey(prepared.target, 'next_expression', own));
  if (!slot) return undefined;
  const previous = prepared.pageParams;
  const next = await evaluateSlot(slot, {
    response: remote.body,
    headers: remote.headers,
    status: remote.status,
    query: input.query,
    previous,
    limit: input.limit,
    context: input.context,
  });
  if (!isPlainObject(next) || Object.keys(next).length === 0) return undefined;
  if (JSON.stringify(next) === JSON.stringify(previous)) {
    throw new UnimapError('remote_error', `pagination of ${operation} stopped: next_expression returned the same page again`, { statusCode: 502, details: { pagination_loop: true } });
  }
  return { n: (prepared.page?.n ?? 0) + 1, params: next };
}

async function mapResponseHeaders(resolved: ResolvedMethod, input: CallInput, remote: RemoteResponse & { headers: Record<string, string> }): Promise<Record<string, string>> {
  const slot = resolved.slots.get('response_header_mapping');
  if (!slot) return {};
  const mapped = await evaluateSlot(slot, {
    headers: remote.headers,
    body: input.body,
    query: input.query,
    rawQuery: input.rawQuery,
    context: input.context,
    response: remote.body,
  });
  if (mapped === undefined || mapped === null) return {};
  if (!isPlainObject(mapped)) {
    throw new UnimapError('invalid_mapping_result', `response_header_mapping of ${resolved.integration.name} ${resolved.operation} must return an object of headers`, {
      statusCode: 500,
      location: slotLocation(slot.origin),
    });
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(mapped)) if (value !== undefined && value !== null) out[name.toLowerCase()] = String(value);
  return out;
}
