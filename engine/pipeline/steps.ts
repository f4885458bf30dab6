import type { UnifiedMethod } from '../definitions/definition-types.js';
import { UnimapError } from '../errors.js';
import { evaluateSlot } from '../expressions/evaluate.js';
import { getPath, isPlainObject } from '../expressions/plain.js';
import type { RemoteResponse } from './call.js';
import { endpointRequest } from './request.js';
import type { ResolvedMethod } from './resolve.js';
import type { RemoteTarget } from './resource-method.js';
import type { CallInput } from './validate-input.js';

export type Step = NonNullable<UnifiedMethod['before']>[number];

/** What steps need from the call that runs them: how to send a request. */
export interface StepRunner {
  resolved: ResolvedMethod;
  input: CallInput;
  send(request: Awaited<ReturnType<typeof endpointRequest>>, target: RemoteTarget, purpose: string): Promise<RemoteResponse>;
  isError(target: RemoteTarget, response: RemoteResponse): Promise<boolean>;
}

export function stepTarget(resolved: ResolvedMethod, resource: string, method: string, what: string): RemoteTarget {
  const endpoint = resolved.integration.definition.resources[resource]?.[method];
  if (!endpoint) {
    throw new UnimapError('method_not_supported', `${what}: ${resolved.integration.name} has no remote method resources.${resource}.${method}`, { statusCode: 501 });
  }
  return { resource, method, endpoint };
}

/**
 * Runs `before` or `after` steps in order. Each result is stored under the step's name and passed
 * to the next step as `step`; a failing step fails the call unless it sets `ignore_errors`.
 */
export async function runSteps(
  kind: 'before' | 'after',
  runner: StepRunner,
  before: Record<string, unknown>,
  data?: unknown,
): Promise<Record<string, unknown>> {
  const { resolved, input } = runner;
  const steps = resolved.config[kind] ?? [];
  const results: Record<string, unknown> = {};
  let previous: unknown;
  for (const [index, step] of steps.entries()) {
    const slot = (name: string) => resolved.slots.get(`${kind}.${index}.${name}`);
    const bindings = () => ({ id: input.id, query: input.query, body: input.body, context: input.context, before: kind === 'before' ? results : before, step: previous, data });
    const runIf = slot('run_if');
    if (runIf && !(await evaluateSlot(runIf, bindings()))) continue;
    const what = `${kind} step \`${step.name}\` of ${resolved.integration.name} ${resolved.operation}`;
    const target = stepTarget(resolved, step.resource, step.method, what);
    const idSlot = slot('id');
    const querySlot = slot('query');
    const bodySlot = slot('body');
    const id = idSlot ? await evaluateSlot(idSlot, bindings()) : undefined;
    const query = querySlot ? await evaluateSlot(querySlot, bindings()) : undefined;
    const body = bodySlot ? await evaluateSlot(bodySlot, bindings()) : undefined;
    let result: unknown = null;
    try {
      const parts: Parameters<typeof endpointRequest>[3] = { body };
      if (id !== undefined && id !== null) parts.id = id;
      if (isPlainObject(query)) parts.query = query;
      const request = await endpointRequest(resolved, target, input, parts);
      const response = await runner.send(request, target, `${kind}.${step.name}`);
      if (await runner.isError(target, response)) {
        throw new UnimapError('step_failed', `${what} failed with status ${response.status}`, {
          statusCode: response.status >= 400 ? response.status : 502,
          remote: { status: response.status, headers: response.headers ?? {}, body: response.body },
        });
      }
      const value = getPath(response.body, target.endpoint.response_path);
      const mapping = slot('response_mapping');
      result = mapping ? await evaluateSlot(mapping, { ...bindings(), response: value }) : value;
    } catch (error) {
      if (!step.ignore_errors) throw error;
      result = null;
    }
    results[step.name] = result ?? null;
    previous = result;
  }
  return results;
}
