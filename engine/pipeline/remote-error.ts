import { UnimapError, type RemoteResponseSummary } from '../errors.js';
import { evaluateSlot } from '../expressions/evaluate.js';
import { getPath, isPlainObject } from '../expressions/plain.js';
import type { RemoteResponse } from './call.js';
import type { ResolvedMethod } from './resolve.js';
import type { RemoteTarget } from './resource-method.js';
import type { CallInput } from './validate-input.js';

/** Step: is this remote response an error? Non-2xx, or a truthy `error_expression` (the endpoint's, else the integration's). */
export async function isRemoteError(resolved: ResolvedMethod, target: RemoteTarget, response: RemoteResponse): Promise<boolean> {
  if (response.status < 200 || response.status >= 300) return true;
  const key = target.endpoint.error_expression ? `resources.${target.resource}.${target.method}.error_expression` : 'error_expression';
  const slot = resolved.integration.slots.get(key);
  if (!slot) return false;
  const result = await evaluateSlot(slot, { response: response.body, data: response.body, headers: response.headers ?? {}, status: response.status });
  return Boolean(result) && !(Array.isArray(result) && result.length === 0);
}

const messagePaths = ['message', 'error.message', 'error_description', 'detail', 'error', 'errors.0.description', 'errors.0.message', 'errors.0.reason', 'title'];

/** A message a person can act on, from the common vendor error shapes. */
export function remoteMessage(body: unknown, status: number): string {
  if (typeof body === 'string' && body.trim()) {
    const text = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    if (text) return text.slice(0, 2000);
  }
  for (const path of messagePaths) {
    const value = getPath(body, path);
    if (typeof value === 'string' && value.trim()) return value.slice(0, 2000);
  }
  return `the remote API answered with status ${status}`;
}

export function remoteSummary(response: RemoteResponse): RemoteResponseSummary {
  return { status: response.status, headers: response.headers ?? {}, body: response.body };
}

/** Step: the unified error for a remote error, through `error_mapping` when the method has one. */
export async function mapRemoteError(resolved: ResolvedMethod, input: CallInput, response: RemoteResponse, before?: unknown): Promise<UnimapError> {
  const status = response.status;
  let statusCode = status >= 400 && status <= 599 ? status : 502;
  let message = `${resolved.integration.name} ${resolved.operation}: ${remoteMessage(response.body, status)}`;
  let details: unknown;
  const slot = resolved.slots.get('error_mapping');
  if (slot) {
    const mapped = await evaluateSlot(slot, {
      headers: response.headers ?? {},
      error: response.body,
      status,
      body: input.body,
      query: input.query,
      rawQuery: input.rawQuery,
      context: input.context,
      before,
      id: input.id,
    });
    if (isPlainObject(mapped)) {
      const code = Number(mapped.statusCode ?? mapped.status);
      if (Number.isInteger(code) && code >= 400 && code <= 599) statusCode = code;
      if (typeof mapped.message === 'string' && mapped.message) message = mapped.message;
      if (mapped.details !== undefined) details = mapped.details;
    } else if (typeof mapped === 'string' && mapped) message = mapped;
  }
  const init: ConstructorParameters<typeof UnimapError>[2] = { statusCode, remote: remoteSummary(response) };
  if (details !== undefined) init.details = details;
  return new UnimapError('remote_error', message, init);
}
