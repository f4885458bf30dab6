import { loadEngine } from '../../engine/index.js';
import { createHandler, MemoryAccountStore } from '../../engine/server/index.js';
import { serveHandler } from '../../engine/node.js';
import { createEmulators, sandboxAccounts } from '../../engine/server/sandbox/index.js';
import { startSandboxHub } from '../../engine/server/sandbox/hub.js';
import { serverSuite } from './suite.js';

// `serveHandler` serves a createHandler handler without web objects (its `plain` form). Any other
// web handler takes the Request/Response lane: the same suite, through that lane, in process.
serverSuite('node adapter, web Request/Response lane', async () => {
  const engine = await loadEngine({ definitions: 'mappings' });
  const hub = await startSandboxHub(createEmulators());
  const logLines: string[] = [];
  const handler = createHandler({ engine, accounts: new MemoryAccountStore(sandboxAccounts(hub.emulators)), tokens: ['sandbox'], fetch: hub.fetch, log: (line) => logLines.push(JSON.stringify(line)) });
  const served = await serveHandler((request: Request) => handler(request), 0);
  return {
    base: served.url,
    logLines,
    stop: async () => {
      await served.close();
      await hub.close();
    },
  };
});
