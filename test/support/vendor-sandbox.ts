import { afterAll, beforeAll, expect } from 'vitest';
import { loadEngine, type Engine, type ExecuteCall, type ExecuteResult, type ListResult, type UnimapError } from '../../engine/index.js';
import type { Emulator } from '../../engine/server/sandbox/emulator.js';
import { startSandboxHub, type SandboxHub } from '../../engine/server/sandbox/hub.js';
import { failure } from './failure.js';

type Json = Record<string, unknown>;
/** A unified mdm call without its account (the sandbox's demo account, or one on another context). */
export type SandboxCall = Omit<ExecuteCall, 'account' | 'model'>;

/** One vendor's emulator behind its own real HTTP hub, called through the engine and the bundled mapping. */
export interface VendorSandbox {
  emulator: Emulator;
  hub: SandboxHub;
  /** The demo account (or one on `context`). */
  account(context?: Json): ExecuteCall['account'];
  /** Executes a unified mdm call on the demo account (or on `context`). */
  run(call: SandboxCall, context?: Json): Promise<ExecuteResult>;
  /** The UnimapError a unified call fails with. */
  fail(call: SandboxCall, context?: Json): Promise<UnimapError>;
  /** Every record of a list, streamed page after page by `engine.records`. */
  all(resource: string, query?: Json): Promise<Json[]>;
  /** A list followed page after page through `next_cursor` (each a 200; at most `maxPages`). */
  pages(resource: string, query?: Json, maxPages?: number): Promise<ListResult[]>;
}

/**
 * For one vendor's test file: loads the engine once, and makes a fresh emulator (fresh data)
 * behind its own hub for each test that asks, so no test depends on another's order. Every hub
 * is closed after the file.
 */
export function vendorSandboxes(integration: string, createEmulator: () => Emulator): { readonly engine: Engine; sandbox(): Promise<VendorSandbox> } {
  let engine: Engine | undefined;
  const hubs: SandboxHub[] = [];
  beforeAll(async () => {
    engine = await loadEngine({ definitions: 'mappings' });
  });
  afterAll(async () => {
    await Promise.all(hubs.map((hub) => hub.close()));
  });
  const loaded = (): Engine => {
    if (!engine) throw new Error('the engine is loaded in beforeAll');
    return engine;
  };
  return {
    get engine() {
      return loaded();
    },
    async sandbox() {
      const emulator = createEmulator();
      const hub = await startSandboxHub([emulator]);
      hubs.push(hub);
      const account = (context: Json = emulator.context) => ({ id: `sandbox-${integration}`, integration, context });
      const run: VendorSandbox['run'] = (call, context) => loaded().execute({ model: 'mdm', ...call, account: account(context) } as ExecuteCall, { fetch: hub.fetch });
      return {
        emulator,
        hub,
        account,
        run,
        fail: (call, context) => failure(run(call, context)),
        async all(resource, query = {}) {
          const out: Json[] = [];
          for await (const record of loaded().records({ model: 'mdm', resource, method: 'list', query, account: account() }, { fetch: hub.fetch })) out.push(record);
          return out;
        },
        async pages(resource, query = {}, maxPages = 30) {
          const out: ListResult[] = [];
          let cursor: string | null = null;
          do {
            const { status, body } = await run({ resource, method: 'list', query: cursor ? { ...query, next_cursor: cursor } : query });
            expect(status).toBe(200);
            const page = body as ListResult;
            out.push(page);
            cursor = page.next_cursor;
            expect(out.length).toBeLessThan(maxPages);
          } while (cursor);
          return out;
        },
      };
    },
  };
}
