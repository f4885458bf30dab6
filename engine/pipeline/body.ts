import { UnimapError } from '../errors.js';
import { evaluateSlot, slotLocation } from '../expressions/evaluate.js';
import { deepMerge, isPlainObject } from '../expressions/plain.js';
import { fillValue } from './placeholders.js';
import type { ResolvedMethod } from './resolve.js';
import type { CallInput } from './validate-input.js';

/**
 * Step: the remote body. The method's default `body`, then `request_body_mapping`'s result
 * deep-merged over it, then the unified body's `remote_data` merged over that untransformed,
 * so a caller can always set or override a vendor field.
 */
export async function buildRemoteBody(resolved: ResolvedMethod, input: CallInput, before: unknown): Promise<unknown> {
  const what = `the body of ${resolved.integration.name} ${resolved.operation}`;
  const unified = isPlainObject(input.body) ? input.body : undefined;
  let body: unknown = resolved.config.body
    ? fillValue(resolved.config.body, { id: input.id, context: input.context, query: input.query, body: input.body }, what)
    : undefined;
  const slot = resolved.slots.get('request_body_mapping');
  if (slot) {
    const mapped = await evaluateSlot(slot, {
      body: input.body ?? {},
      context: input.context,
      query: input.query,
      rawQuery: input.rawQuery,
      before,
      id: input.id,
    });
    if (mapped !== undefined) body = body === undefined ? mapped : deepMerge(body, mapped);
  }
  const remoteData = unified?.remote_data;
  if (remoteData !== undefined) {
    if (!isPlainObject(remoteData)) {
      throw new UnimapError('invalid_body', '`remote_data` must be an object of vendor fields', { statusCode: 400, details: { invalid_body_fields: [{ field: 'remote_data', message: 'must be of type object' }] } });
    }
    if (body !== undefined && !isPlainObject(body)) {
      throw new UnimapError('invalid_mapping_result', `request_body_mapping of ${resolved.integration.name} ${resolved.operation} returned a non-object, so remote_data cannot be merged into it`, {
        statusCode: 500,
        ...(slot ? { location: slotLocation(slot.origin) } : {}),
      });
    }
    if (Object.keys(remoteData).length) body = deepMerge(body ?? {}, remoteData);
  }
  return body;
}
