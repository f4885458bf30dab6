import { resolve } from 'node:path';
import { one, parseArgs } from './args.js';
import { UsageError } from './output.js';

export const studioHelp = `Usage: unimap studio [--port N] [mappings folder]

Serves the mapping studio, a local web page (http://127.0.0.1:N/, offline: every asset ships
with the package): pick an integration and a method, edit its JSONata slots with the inputs
prefilled from its fixtures, and watch every pipeline step, the remote request and the unified
result (schema violations marked) update as you type. Save writes the slots back to the YAML
(comments and layout kept); "Save as fixture" records the current inputs and output; "Run
fixtures" runs the method's fixtures; the coverage view shows the field matrix.

  --port N     port (default 4321; 0 picks a free one)
  mappings     the definitions folder (default: mappings)
Stops with Ctrl-C.`;

export async function studioCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['port'], []);
  if (args.positional.length > 1) throw new UsageError(`unexpected argument ${args.positional[1]}`);
  const port = Number(one(args, 'port') ?? 4321);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number');
  const { startStudio } = await import('../studio/server.js');
  const studio = await startStudio({ port, mappings: resolve(args.positional[0] ?? 'mappings') });
  process.stdout.write(`unimap studio: ${studio.url}\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await studio.close();
  return 0;
}
