import { UnimapError } from '../errors.js';
import { evaluatePickedSync, evaluateSlot, evaluateSlotSync, NEEDS_ASYNC, slotLocation, type CompiledSlot } from '../expressions/evaluate.js';
import { pickBindings } from '../definitions/slots.js';
import { isPlainObject, mergeInto, shallowCopy } from '../expressions/plain.js';
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

/** One page being mapped (see finishRecord). */
interface Page {
  account: CompiledSlot | undefined;
  ignoreRemoteData: boolean;
  what: string;
  out: UnifiedRecord[];
  raws: unknown[];
}

/**
 * A mapped record's last touches: the account layer merged over it, then `remote_data`. A
 * module function rather than a closure per page, which optimized code would hold on to.
 */
function finishRecord(page: Page, mapped: UnifiedRecord, raw: unknown, extra: unknown): void {
  const { account } = page;
  if (account) mergeInto(mapped, expectRecord(extra, account, `the account override of ${page.what}`));
  if (page.ignoreRemoteData) delete mapped.remote_data;
  // Object.hasOwn, not `mapped.remote_data === undefined`: records come in many shapes, and a
  // missing-property read across them is a megamorphic miss that cost a fifth of a page.
  else if (raw !== undefined && !Object.hasOwn(mapped, 'remote_data')) mapped.remote_data = raw;
  page.out.push(mapped);
  page.raws.push(raw);
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
  // Records are shared below their top level (see toPlainShared): later steps only add or
  // delete top-level keys, and excludeFields copies nested objects before deleting in them.
  // One bindings object for the page; `response` changes per record (evaluation copies what it needs).
  const bindings: Record<string, unknown> = { query: input.query, rawQuery: input.rawQuery, context: input.context, headers, body: input.body, response: undefined };
  const what = `response_mapping of ${resolved.integration.name} ${resolved.operation}`;
  const page: Page = { account, ignoreRemoteData: input.ignoreRemoteData, what, out: [], raws: [] };
  // Sequential on purpose: evaluations never run concurrently. The fast path answers
  // synchronously, so a page awaits nothing per record unless stock jsonata is needed.
  const accountOutput = async (raw: unknown): Promise<unknown> => {
    if (!account) return undefined;
    bindings.response = raw;
    const sync = evaluateSlotSync(account, bindings, true);
    return sync === NEEDS_ASYNC ? await evaluateSlot(account, bindings, true) : sync;
  };

  if (!slot) {
    for (const raw of records) if (isPlainObject(raw)) finishRecord(page, shallowCopy(raw), raw, account ? await accountOutput(raw) : undefined);
    return { records: page.out, raw: page.raws };
  }
  if ((resolved.config.response_mapping_method ?? 'item') === 'array') {
    bindings.response = records;
    const mapped = await evaluateSlot(slot, bindings, true);
    const list = mapped === undefined || mapped === null ? [] : Array.isArray(mapped) ? mapped : [mapped];
    // remote_data can be paired with its record only when the mapping kept the order and count.
    const paired = list.length === records.length;
    for (const [i, item] of list.entries()) {
      const record = expectRecord(item, slot, what);
      const raw = paired ? records[i] : undefined;
      // Items sit below the result's top level, so they may be the vendor's own records
      // (`response` returned as is): each gets its own top level before keys are added.
      if (record) finishRecord(page, shallowCopy(record), raw, account ? await accountOutput(raw) : undefined);
    }
    return { records: page.out, raw: page.raws };
  }
  // The slot's own bindings, picked once for the page: only `response` changes per record.
  const picked = pickBindings(slot.origin.slot, bindings);
  // An index loop: in this async function, for…of allocated an iterator result per record.
  for (let i = 0; i < records.length; i++) {
    const raw = records[i];
    picked.response = raw;
    let value = evaluatePickedSync(slot, picked, true);
    if (value === NEEDS_ASYNC) value = await evaluateSlot(slot, picked, true);
    const record = expectRecord(value, slot, what);
    if (record) finishRecord(page, record, raw, account ? await accountOutput(raw) : undefined);
  }
  return { records: page.out, raw: page.raws };
}
