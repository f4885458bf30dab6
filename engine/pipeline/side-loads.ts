import { UnimapError } from '../errors.js';
import { evaluateSlot } from '../expressions/evaluate.js';
import { getPath, isPlainObject, mergeInto } from '../expressions/plain.js';
import { endpointRequest } from './request.js';
import { stepTarget, type StepRunner } from './steps.js';

/**
 * Enriches each unified record with its side loads. Requests run in a bounded pool (each side
 * load's `concurrency`); each worker handles its records one after another.
 */
export async function runSideLoads(runner: StepRunner, records: Record<string, unknown>[], raw: readonly unknown[]): Promise<void> {
  const { resolved, input } = runner;
  for (const [name, sideLoad] of Object.entries(resolved.config.side_load ?? {})) {
    const what = `side load \`${name}\` of ${resolved.integration.name} ${resolved.operation}`;
    const target = stepTarget(resolved, sideLoad.resource, sideLoad.method, what);
    const idSlot = resolved.slots.get(`side_load.${name}.id`);
    const querySlot = resolved.slots.get(`side_load.${name}.query`);
    const mapping = resolved.slots.get(`side_load.${name}.response_mapping`);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < records.length) {
        const index = next++;
        const record = records[index]!;
        const bindings = { record, response: raw[index], query: input.query, body: input.body, context: input.context };
        try {
          const id = idSlot ? await evaluateSlot(idSlot, bindings) : undefined;
          if (id === undefined || id === null || id === '') continue;
          const query = querySlot ? await evaluateSlot(querySlot, bindings) : undefined;
          const parts: Parameters<typeof endpointRequest>[3] = { id };
          if (isPlainObject(query)) parts.query = query;
          const response = await runner.send(await endpointRequest(resolved, target, input, parts), target, `side_load.${name}`);
          if (await runner.isError(target, response)) {
            throw new UnimapError('step_failed', `${what} failed with status ${response.status} for record ${String(record.id ?? index)}`, {
              statusCode: response.status >= 400 ? response.status : 502,
              remote: { status: response.status, headers: response.headers ?? {}, body: response.body },
            });
          }
          const value = getPath(response.body, target.endpoint.response_path);
          const extra = mapping ? await evaluateSlot(mapping, { response: value, query: input.query, rawQuery: input.rawQuery, body: input.body, record }) : { [name]: value };
          if (isPlainObject(extra)) mergeInto(record, extra);
        } catch (error) {
          if (!sideLoad.ignore_errors) throw error;
        }
      }
    };
    const size = Math.min(sideLoad.concurrency ?? 4, Math.max(1, records.length));
    // A bounded pool, not one promise per record: at most `size` requests and evaluations at once.
    const workers = Array.from({ length: size }, worker);
    const outcomes = await Promise.allSettled(workers);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
