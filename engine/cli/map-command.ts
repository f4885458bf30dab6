import { loadEngine } from '../index.js';
import { isUnimapError } from '../errors.js';
import { isPlainObject } from '../expressions/plain.js';
import { parseQueryString } from '../pipeline/query-string.js';
import type { RemoteResponse, UnifiedCall } from '../pipeline/call.js';
import { jsonArg, one, operationArg, parseArgs } from './args.js';
import { UsageError } from './output.js';

export const mapHelp = `Usage: unimap map <integration> <model>/<resource>.<method> [options]

The quickest way to try a mapping. Without --response it prints the remote request the call
becomes; with --response it prints the unified result (or the unified error).

  --body JSON|@file       the unified request body
  --query QS|JSON|@file   the unified query: a query string (email=a%40b.c&remote_query[x]=1) or JSON
  --id ID                 the record id (get, update, delete)
  --context JSON|@file    the account context (instance host, credentials)
  --response JSON|@file   a remote response {status, headers?, body}, or just a body (status 200)
  --definitions DIR       where the definitions are (default: mappings)
Exit status: 0 ok, 1 the call failed (the error is printed as JSON), 2 bad usage.`;

export async function mapCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['body', 'query', 'id', 'context', 'response', 'definitions'], []);
  const [integration, operation, ...extra] = args.positional;
  if (!integration) throw new UsageError('name the integration, e.g. `unimap map jamf mdm/users.create`');
  if (extra.length) throw new UsageError(`unexpected argument ${extra[0]}`);
  const { model, resource, method } = operationArg(operation);
  const call: UnifiedCall = { integration, model, resource, method };
  const body = await jsonArg(one(args, 'body'), 'body');
  if (body !== undefined) call.body = body;
  const queryArg = one(args, 'query');
  if (queryArg !== undefined) {
    const trimmed = queryArg.trim();
    const query = trimmed.startsWith('{') || trimmed.startsWith('@') ? await jsonArg(queryArg, 'query') : parseQueryString(queryArg);
    if (!isPlainObject(query)) throw new UsageError('--query must be an object');
    call.query = query;
  }
  const id = one(args, 'id');
  if (id !== undefined) call.id = id;
  const context = await jsonArg(one(args, 'context'), 'context');
  if (context !== undefined) {
    if (!isPlainObject(context)) throw new UsageError('--context must be a JSON object');
    call.context = context;
  }
  const responseArg = await jsonArg(one(args, 'response'), 'response');
  const engine = await loadEngine({ definitions: one(args, 'definitions') ?? 'mappings' });
  try {
    let output: unknown;
    if (responseArg === undefined) output = await engine.mapRequest(call);
    else {
      const response: RemoteResponse = isPlainObject(responseArg) && typeof responseArg.status === 'number' ? (responseArg as unknown as RemoteResponse) : { status: 200, body: responseArg };
      output = await engine.mapResponse(call, response);
    }
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!isUnimapError(error)) throw error;
    process.stdout.write(`${JSON.stringify(error.toJSON(), null, 2)}\n`);
    return 1;
  }
}
