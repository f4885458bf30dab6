import { UnimapError } from '../errors.js';
import { evaluateSlot, slotLocation } from '../expressions/evaluate.js';
import { isPlainObject, mergeInto } from '../expressions/plain.js';
import { fillValue } from './placeholders.js';
import type { ResolvedMethod } from './resolve.js';
import type { RemoteTarget } from './resource-method.js';
import type { CallInput } from './validate-input.js';

const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Visible ASCII and spaces/tabs only: CR/LF would split the request, non-ASCII is not portable.
const headerValue = /^[\t\x20-\x7e]*$/;

/** Default headers of the integration and the endpoint, with placeholders filled; `null` removes one. */
export function defaultHeaders(resolved: ResolvedMethod, target: RemoteTarget, input: CallInput): Record<string, string> {
  const scope = { id: input.id, context: input.context, query: input.query, body: input.body };
  const what = `the headers of ${resolved.integration.name} ${resolved.operation}`;
  const headers: Record<string, unknown> = {};
  mergeInto(headers, fillValue(resolved.integration.definition.headers ?? {}, scope, what) as Record<string, unknown>, true);
  mergeInto(headers, fillValue(target.endpoint.headers ?? {}, scope, what) as Record<string, unknown>, true);
  return checkHeaders(headers, what);
}

export function checkHeaders(headers: Record<string, unknown>, what: string, slotOrigin?: Parameters<typeof slotLocation>[0]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || value === null) continue;
    const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    if (!headerName.test(name) || text === undefined || !headerValue.test(text)) {
      throw new UnimapError('invalid_header', `${what}: header \`${name.slice(0, 64)}\` is refused (header values must be single-line ASCII text)`, {
        statusCode: slotOrigin ? 500 : 400,
        ...(slotOrigin ? { location: slotLocation(slotOrigin) } : {}),
      });
    }
    out[name.toLowerCase()] = text;
  }
  return out;
}

/** Step: `request_header_mapping` over the defaults; it sees the mapped remote body as `requestBody`. */
export async function buildRemoteHeaders(
  resolved: ResolvedMethod,
  input: CallInput,
  defaults: Record<string, string>,
  requestBody: unknown,
): Promise<Record<string, string>> {
  const slot = resolved.slots.get('request_header_mapping');
  if (!slot) return defaults;
  const mapped = await evaluateSlot(slot, {
    headers: defaults,
    body: input.body,
    query: input.query,
    rawQuery: input.rawQuery,
    context: input.context,
    requestBody,
  });
  if (mapped === undefined || mapped === null) return defaults;
  const what = `request_header_mapping of ${resolved.integration.name} ${resolved.operation}`;
  if (!isPlainObject(mapped)) {
    throw new UnimapError('invalid_mapping_result', `${what} must return an object of headers`, { statusCode: 500, location: slotLocation(slot.origin) });
  }
  const lowered: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(mapped)) lowered[name.toLowerCase()] = value;
  return checkHeaders(mergeInto({ ...defaults }, lowered, true), what, slot.origin);
}
