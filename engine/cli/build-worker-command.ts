import { buildWorker } from '../worker/build.js';
import { one, parseArgs } from './args.js';
import { UsageError } from './output.js';

export const buildWorkerHelp = `Usage: unimap build-worker [--out dist/worker] [--definitions mappings]

Builds the Cloudflare Workers bundle (worker.js): the unified API handler with the bundled
definitions as data, each expression's syntax tree (so the first request does not run jsonata's
parser), and every JSON Schema validator precompiled by ajv's standalone mode, since workerd
forbids generating code at run time; yaml's parser and ajv's compiler are left out. Run it
again after changing a definition.
Try it locally with miniflare, or deploy worker.js with wrangler.`;

export async function buildWorkerCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['out', 'definitions'], []);
  if (args.positional.length) throw new UsageError(`unexpected argument ${args.positional[0]}`);
  const bundle = await buildWorker(one(args, 'definitions') ?? 'mappings', one(args, 'out') ?? 'dist/worker');
  process.stdout.write(`wrote ${bundle}\n`);
  return 0;
}
