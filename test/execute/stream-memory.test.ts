import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Engine, type ExecuteCall } from '../../engine/index.js';
import { parse, startServer, type TestServer } from '../support/http-server.js';

// `truto_response_format=stream` over 100 pages of 1,000 records from a local server that
// generates them on the fly: the engine must hold one page at a time, not the whole list.

const PAGES = 100;
const PAGE_SIZE = 1_000;
const TOTAL = PAGES * PAGE_SIZE;
const BOUND_MIB = 64;
// Each remote record carries ~1 KiB, so keeping all 100,000 (they come back as `remote_data`)
// would take well over 100 MiB: far above the bound.
const PADDING = 'x'.repeat(1_000);

/** A full garbage collection: `global.gc` when exposed (--expose-gc), else enabled at run time; undefined when neither works. */
function findGc(): (() => void) | undefined {
  if (typeof globalThis.gc === 'function') return () => globalThis.gc?.();
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? () => (gc as () => void)() : undefined;
  } catch {
    return undefined;
  }
}

function page(n: number): string {
  const records: string[] = [];
  for (let i = 0; i < PAGE_SIZE; i++) {
    const id = n * PAGE_SIZE + i + 1;
    records.push(JSON.stringify({ id, name: `User ${id}`, email: `user${id}@example.com`, bio: `${id}${PADDING}` }));
  }
  const next = n + 1 < PAGES ? `,"next":"${n + 1}"` : '';
  return `{"users":[${records.join(',')}]${next}}`;
}

let server: TestServer;

beforeAll(async () => {
  server = await startServer((request) => {
    const n = Number(parse(request).query.page ?? 0);
    return { headers: { 'content-type': 'application/json' }, body: page(n) };
  });
});

afterAll(() => server.close());

const definition = `name: bulk
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  api_token: { secret: true }
auth: { type: bearer, token: "{{context.api_token}}" }
resources:
  users:
    list:
      path: /users
      response_path: users
      pagination: { type: cursor, cursor_path: next, cursor_param: page, limit_param: per_page, default_limit: ${PAGE_SIZE} }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: '{ "id": response.id, "name": response.name }'
`;

test(`streaming ${TOTAL.toLocaleString('en')} records over ${PAGES} pages keeps heap growth under ${BOUND_MIB} MiB`, { timeout: 60_000 }, async () => {
  const engine = new Engine({ definitions: [{ file: 'bulk.yaml', text: definition }], strict: true });
  const call: ExecuteCall = {
    model: 'mdm',
    resource: 'users',
    method: 'list',
    query: { truto_response_format: 'stream' },
    account: { id: 'acct-1', integration: 'bulk', context: { host: server.host, api_token: 'sk-live-SECRET-123' } },
  };
  const gc = findGc();
  gc?.();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  };

  const result = await engine.execute(call);
  expect(result.headers['content-type']).toBe('application/x-ndjson');
  let count = 0;
  let lastId = 0;
  for await (const record of result.body as AsyncIterable<{ id: number; remote_data?: { bio?: string } }>) {
    count++;
    // The records arrive in order, each with its remote record (the payload that would add up).
    if (record.id !== lastId + 1) throw new Error(`record ${record.id} after ${lastId}`);
    if (record.remote_data?.bio?.length !== PADDING.length + String(record.id).length) throw new Error(`record ${record.id} lacks its remote_data`);
    lastId = record.id;
    if (gc) {
      // With a collector: the live heap, every ten pages (a collection per page would double the run time).
      if (count % (PAGE_SIZE * 10) === 0) {
        gc();
        sample();
      }
    } else if (count % 100 === 0) sample(); // without one: the most ever in use, garbage included
  }
  gc?.();
  sample();
  const growthMiB = (peak - baseline) / 1024 / 1024;

  expect(count).toBe(TOTAL);
  expect(lastId).toBe(TOTAL);
  expect(server.requests).toHaveLength(PAGES);
  expect(server.requests.map((r) => parse(r).query.page ?? '0')).toEqual(Array.from({ length: PAGES }, (_, i) => String(i)));
  expect(growthMiB, `peak heap growth ${growthMiB.toFixed(1)} MiB (collector ${gc ? 'on' : 'off'})`).toBeLessThan(BOUND_MIB);
});
