import { UnimapError } from '../errors.js';
import { evaluateSlot, slotLocation, type CompiledSlot } from '../expressions/evaluate.js';
import { isPlainObject, mergeInto } from '../expressions/plain.js';
import type { ResolvedMethod } from './resolve.js';
import type { CallInput } from './validate-input.js';

type UnifiedRecord = Record<string, unknown>;

function expectRecord(value: unknown, slot: CompiledSlot, what: string): UnifiedRecord | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw new UnimapError('invalid_mapping_result', `${what} must return an object (or null to drop the record), not ${Array.isArray(value) ? 'an array' : typeof value}`, {
      statusCode: 500,
      location: slotLocation(slot.origin),
    });
  }
  return value;
}

/**
 * Step: `response_mapping` over the remote records. Records mapped to null are dropped; each
 * unified record carries its raw remote record as `remote_data`; the account layer's mapping is
 * evaluated on the same record and its output merged over the base output.
 */
export async function mapRecords(
  resolved: ResolvedMethod,
  input: CallInput,
  records: readonly unknown[],
  headers: Record<string, string>,
): Promise<{ records: UnifiedRecord[]; raw: unknown[] }> {
  const slot = resolved.slots.get('response_mapping');
  const account = resolved.accountResponseMapping;
  const bindings = { query: input.query, rawQuery: input.rawQuery, context: input.context, headers, body: input.body };
  const what = `response_mapping of ${resolved.integration.name} ${resolved.operation}`;
  const out: UnifiedRecord[] = [];
  const raws: unknown[] = [];
  const finish = async (mapped: UnifiedRecord, raw: unknown): Promise<void> => {
    if (account) {
      // Sequential on purpose: evaluations never run concurrently.
      const extra = expectRecord(await evaluateSlot(account, { ...bindings, response: raw }), account, `the account override of ${what}`);
      mergeInto(mapped, extra);
    }
    if (input.ignoreRemoteData) delete mapped.remote_data;
    else if (mapped.remote_data === undefined && raw !== undefined) mapped.remote_data = raw;
    out.push(mapped);
    raws.push(raw);
  };

  if (!slot) {
    for (const raw of records) if (isPlainObject(raw)) await finish({ ...raw }, raw);
    return { records: out, raw: raws };
  }
  if ((resolved.config.response_mapping_method ?? 'item') === 'array') {
    const mapped = await evaluateSlot(slot, { ...bindings, response: records });
    const list = mapped === undefined || mapped === null ? [] : Array.isArray(mapped) ? mapped : [mapped];
    // remote_data can be paired with its record only when the mapping kept the order and count.
    const paired = list.length === records.length;
    for (const [i, item] of list.entries()) {
      const record = expectRecord(item, slot, what);
      if (record) await finish(record, paired ? records[i] : undefined);
    }
    return { records: out, raw: raws };
  }
  for (const raw of records) {
    const record = expectRecord(await evaluateSlot(slot, { ...bindings, response: raw }), slot, what);
    if (record) await finish(record, raw);
  }
  return { records: out, raw: raws };
}
