import { UnimapError } from '../errors.js';
import { evaluateSlot, slotLocation } from '../expressions/evaluate.js';
import { isPlainObject, mergeInto } from '../expressions/plain.js';
import { fillValue } from './placeholders.js';
import type { ResolvedMethod } from './resolve.js';
import type { RemoteTarget } from './resource-method.js';
import type { CallInput } from './validate-input.js';

/**
 * Step: the remote query. Layers, lowest first: integration `query`, endpoint `query`, the
 * method's default `query`, `query_mapping`'s result, pagination, then `remote_query` as is.
 */
export async function buildRemoteQuery(
  resolved: ResolvedMethod,
  target: RemoteTarget,
  input: CallInput,
  pagination: Record<string, unknown>,
  before: unknown,
): Promise<Record<string, unknown>> {
  const scope = { id: input.id, context: input.context, query: input.query, body: input.body };
  const what = `the query of ${resolved.integration.name} ${resolved.operation}`;
  const query: Record<string, unknown> = {};
  mergeInto(query, fillValue(resolved.integration.definition.query ?? {}, scope, what) as Record<string, unknown>, true);
  mergeInto(query, fillValue(target.endpoint.query ?? {}, scope, what) as Record<string, unknown>, true);
  mergeInto(query, fillValue(resolved.config.query ?? {}, scope, what) as Record<string, unknown>, true);
  const slot = resolved.slots.get('query_mapping');
  if (slot) {
    const mapped = await evaluateSlot(slot, { query: input.query, body: input.body, context: input.context, before, id: input.id });
    if (mapped !== undefined && mapped !== null && !isPlainObject(mapped)) {
      throw new UnimapError('invalid_mapping_result', `query_mapping of ${resolved.integration.name} ${resolved.operation} must return an object, not ${Array.isArray(mapped) ? 'an array' : typeof mapped}`, {
        statusCode: 500,
        location: slotLocation(slot.origin),
      });
    }
    mergeInto(query, mapped as Record<string, unknown> | undefined, true);
  }
  mergeInto(query, pagination);
  mergeInto(query, input.remoteQuery);
  return query;
}
