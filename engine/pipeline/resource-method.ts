import type { NameOrExpression, ResourceMethod } from '../definitions/definition-types.js';
import { UnimapError } from '../errors.js';
import { evaluateSlot, slotLocation } from '../expressions/evaluate.js';
import type { ResolvedMethod } from './resolve.js';
import type { CallInput } from './validate-input.js';

export interface RemoteTarget {
  resource: string;
  method: string;
  endpoint: ResourceMethod;
}

async function pick(kind: 'resource' | 'method', value: NameOrExpression, resolved: ResolvedMethod, input: CallInput): Promise<string> {
  if (typeof value === 'string') return value;
  const slot = resolved.slots.get(`${kind}.expression`);
  if (!slot) throw new UnimapError('mapping_error', `${kind}.expression of ${resolved.operation} is not compiled`, { statusCode: 500 });
  const chosen = await evaluateSlot(slot, { query: input.query, rawQuery: input.rawQuery, body: input.body, context: input.context });
  if (typeof chosen !== 'string' || !value.allowed.includes(chosen)) {
    throw new UnimapError('invalid_mapping_result', `${kind}.expression of ${resolved.integration.name} ${resolved.operation} returned ${JSON.stringify(chosen) ?? 'nothing'}; it must return one of ${value.allowed.join(', ')}`, {
      statusCode: 500,
      location: slotLocation(slot.origin),
    });
  }
  return chosen;
}

/** Step: which remote resource and method this call goes to (static names, or `{expression, allowed}`). */
export async function resolveRemoteTarget(resolved: ResolvedMethod, input: CallInput): Promise<RemoteTarget> {
  const resource = await pick('resource', resolved.config.resource, resolved, input);
  const method = await pick('method', resolved.config.method, resolved, input);
  const endpoint = resolved.integration.definition.resources[resource]?.[method];
  if (!endpoint) {
    throw new UnimapError('method_not_supported', `${resolved.integration.name} has no remote method resources.${resource}.${method} (chosen for ${resolved.operation})`, {
      statusCode: 501,
    });
  }
  return { resource, method, endpoint };
}
