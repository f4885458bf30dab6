import { loadEngine } from '../index.js';
import { formatProblem } from '../errors.js';
import { MemoryAccountStore, type AccountStore } from '../server/accounts.js';
import { FileAccountStore } from '../server/file-accounts.js';
import { createHandler, type AccessLogLine } from '../server/handler.js';
import { serveHandler } from '../server/node-adapter.js';
import type { FetchLike } from '../transport/types.js';
import { createNodeFetch } from '../transport/node-fetch.js';
import { one, parseArgs } from './args.js';
import { colors, UsageError } from './output.js';

export const serveHelp = `Usage: unimap serve [--port N] [--host H] [--accounts FILE] [--sandbox] [--token T] [--definitions DIR] [--quiet]

Serves the unified API: GET/POST /unified/:model/:resource, GET/PATCH/DELETE
/unified/:model/:resource/:id and POST /unified/:model/:resource/:method, with Truto's query
parameters (integrated_account_id, truto_response_format, truto_ignore_remote_data,
truto_exclude_fields[], truto_key_by, truto_ignore_limit, remote_query[...], limit, next_cursor).

  --port N          port (default 8787; 0 picks a free one)
  --host H          interface (default 127.0.0.1)
  --accounts FILE   integrated accounts (YAML or JSON; secrets as { env: NAME })
  --sandbox         start loopback emulators of the bundled vendors, with demo accounts
                    sandbox-<integration> (e.g. sandbox-jamf) and the API token "sandbox"
  --token T         an accepted API token (repeatable; also UNIMAP_API_TOKENS, comma-separated)
  --quiet           no access log lines on stderr
Every request needs Authorization: Bearer <token>. One JSON access log line per request on
stderr (method, path, status, duration, account id; never tokens or bodies).`;

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['port', 'host', 'accounts', 'token', 'definitions'], ['sandbox', 'quiet']);
  if (args.positional.length) throw new UsageError(`unexpected argument ${args.positional[0]}`);
  const port = Number(one(args, 'port') ?? 8787);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number');
  const sandbox = args.flags.has('sandbox');
  const tokens = [...(args.options.get('token') ?? []), ...(process.env.UNIMAP_API_TOKENS ?? '').split(',').map((t) => t.trim()).filter(Boolean)];
  if (sandbox && tokens.length === 0) tokens.push('sandbox');
  if (tokens.length === 0) throw new UsageError('configure at least one API token (--token or UNIMAP_API_TOKENS), or use --sandbox');

  const engine = await loadEngine({ definitions: one(args, 'definitions') ?? 'mappings' });
  const c = colors(process.stderr);
  for (const problem of engine.problems.filter((p) => p.severity === 'error')) process.stderr.write(`${c.yellow('skipped')} ${formatProblem(problem)}\n`);

  let accounts: AccountStore;
  // Remote calls over node:http with keep-alive (Node's fetch costs more per request).
  const nodeFetch = createNodeFetch();
  let fetch: FetchLike = nodeFetch.fetch;
  const closers: (() => Promise<void>)[] = [async () => nodeFetch.close()];
  const accountsFile = one(args, 'accounts');
  if (sandbox) {
    const { createEmulators, sandboxAccounts } = await import('../server/sandbox/index.js');
    const { startSandboxHub } = await import('../server/sandbox/hub.js');
    const hub = await startSandboxHub(createEmulators(), nodeFetch.fetch);
    closers.push(hub.close);
    fetch = hub.fetch;
    const store = new MemoryAccountStore(sandboxAccounts(hub.emulators));
    if (accountsFile) {
      const file = await FileAccountStore.open(accountsFile);
      accounts = { get: async (id) => (await store.get(id)) ?? file.get(id) };
    } else accounts = store;
  } else if (accountsFile) accounts = await FileAccountStore.open(accountsFile);
  else throw new UsageError('give --accounts FILE (or --sandbox)');

  const quiet = args.flags.has('quiet');
  const handlerOptions: Parameters<typeof createHandler>[0] = {
    engine,
    accounts,
    tokens,
    log: (line: AccessLogLine) => {
      if (!quiet) process.stderr.write(`${JSON.stringify(line)}\n`);
    },
  };
  handlerOptions.fetch = fetch;
  const served = await serveHandler(createHandler(handlerOptions), port, one(args, 'host') ?? '127.0.0.1');
  closers.push(served.close);
  process.stdout.write(`Unimap listening on ${served.url}\n`);
  if (sandbox) {
    process.stdout.write(`sandbox: API token "${tokens[0] === 'sandbox' ? 'sandbox' : '(yours)'}", accounts ${[...engine.integrations.keys()].map((n) => `sandbox-${n}`).join(', ')}\n`);
    process.stdout.write(`try: curl -X POST '${served.url}/unified/mdm/users?integrated_account_id=sandbox-jamf' -H 'Authorization: Bearer sandbox' -H 'Content-Type: application/json' -d '{"name": "your_name", "emails": [], "remote_data": {}}'\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  for (const close of closers.reverse()) await close();
  return 0;
}
