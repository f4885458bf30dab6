import { UnimapError } from '../errors.js';
import { evaluateSlot, slotLocation } from '../expressions/evaluate.js';
import { encodePathSegment, fillTemplate } from './placeholders.js';
import type { ResolvedMethod } from './resolve.js';
import type { RemoteTarget } from './resource-method.js';
import type { CallInput } from './validate-input.js';

/**
 * Step: the remote path. `path_mapping`'s result when there is one, else the endpoint's `path`
 * template, each placeholder value encoded as exactly one path segment.
 */
export async function buildRemotePath(
  resolved: ResolvedMethod,
  target: RemoteTarget,
  input: CallInput,
  headers: Record<string, string>,
  before: unknown,
): Promise<string> {
  const slot = resolved.slots.get('path_mapping');
  if (slot) {
    const mapped = await evaluateSlot(slot, {
      headers,
      body: input.body,
      query: input.query,
      rawQuery: input.rawQuery,
      context: input.context,
      before,
      id: input.id,
    });
    const dotSegment = typeof mapped === 'string' && mapped.split('?')[0]!.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
    if (typeof mapped !== 'string' || !mapped.startsWith('/') || mapped.startsWith('//') || /[\r\n#]/.test(mapped) || dotSegment) {
      throw new UnimapError('invalid_mapping_result', `path_mapping of ${resolved.integration.name} ${resolved.operation} must return a path starting with "/" (no "//", "#", line breaks, or "." / ".." segments), not ${JSON.stringify(mapped) ?? 'nothing'}`, {
        statusCode: 500,
        location: slotLocation(slot.origin),
      });
    }
    return mapped;
  }
  return fillTemplate(
    target.endpoint.path,
    { id: input.id, context: input.context, query: input.query, body: input.body },
    `the path of ${resolved.integration.name} resources.${target.resource}.${target.method}`,
    encodePathSegment,
  );
}
