import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { loadEngine } from '../index.js';
import { isUnimapError } from '../errors.js';
import { isPlainObject } from '../expressions/plain.js';
import { runFixture, type Fixture } from '../fixtures/run.js';
import { parseQueryString } from '../pipeline/query-string.js';
import type { ExecuteCall } from '../pipeline/execute.js';
import { accountSecrets, Redactor, REDACTED } from '../transport/redact.js';
import type { FetchLike } from '../transport/types.js';
import { jsonArg, one, operationArg, parseArgs } from './args.js';
import { colors, UsageError } from './output.js';

export const recordHelp = `Usage: unimap record <integration> <model>/<resource>.<method> --account @file [options]

Performs the call against the live API and writes a fixture with every request and response
exchanged (mode: execute). Secrets of the account (context fields marked secret, or named like
token/secret/password/key), OAuth2 tokens and credential headers are redacted, and so are the
personal fields you name with --redact. The expected result is computed by replaying the
redacted exchanges, so the fixture replays green with \`unimap test\`; review it before committing.

  --account JSON|@file    {integration?, context, overrides?} of the account to call with
  --body JSON|@file       the unified body
  --query QS|JSON|@file   the unified query
  --id ID                 the record id
  --redact FIELDS         comma-separated field names to redact in bodies (e.g. email,phone)
  --name TEXT             the fixture's name
  --out FILE              where to write (default mappings/<integration>/recorded.<resource>.<method>.yaml)
  --definitions DIR       where the definitions are (default: mappings)`;

function parseBody(text: string, contentType: string): unknown {
  if (text === '') return undefined;
  if (/json/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Replaces the values of named personal fields, anywhere in a value. */
function redactFields(value: unknown, fields: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => redactFields(v, fields));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) out[key] = fields.has(key) && (typeof child === 'string' || typeof child === 'number') ? REDACTED : redactFields(child, fields);
  return out;
}

export async function recordCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['account', 'body', 'query', 'id', 'redact', 'name', 'out', 'definitions'], []);
  const [integration, operation, ...extra] = args.positional;
  if (!integration) throw new UsageError('name the integration, e.g. `unimap record jamf mdm/users.list --account @account.json`');
  if (extra.length) throw new UsageError(`unexpected argument ${extra[0]}`);
  const { model, resource, method } = operationArg(operation);
  const accountArg = await jsonArg(one(args, 'account'), 'account');
  if (!isPlainObject(accountArg) || !isPlainObject(accountArg.context)) throw new UsageError('--account must be an object with a `context`');
  const context = accountArg.context;
  const engine = await loadEngine({ definitions: one(args, 'definitions') ?? 'mappings' });
  const loaded = engine.integrations.get(integration);
  if (!loaded) throw new UsageError(`no loaded integration named ${integration}`);

  const call: ExecuteCall = { model, resource, method, account: { id: String(accountArg.id ?? 'recording'), integration, context } };
  if (isPlainObject(accountArg.overrides)) call.account.overrides = accountArg.overrides as ExecuteCall['account']['overrides'] & object;
  const body = await jsonArg(one(args, 'body'), 'body');
  if (body !== undefined) call.body = body;
  const queryArg = one(args, 'query');
  if (queryArg !== undefined) {
    const q = queryArg.trim().startsWith('{') || queryArg.startsWith('@') ? await jsonArg(queryArg, 'query') : parseQueryString(queryArg);
    if (!isPlainObject(q)) throw new UsageError('--query must be an object');
    call.query = q;
  }
  const id = one(args, 'id');
  if (id !== undefined) call.id = id;

  // Record every exchange as it happens on the wire.
  const exchanges: NonNullable<Fixture['exchanges']> = [];
  const live = globalThis.fetch as FetchLike;
  const recording: FetchLike = async (url, init) => {
    const response = await live(url, init);
    const copy = response.clone();
    const requestHeaders: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      requestHeaders[k] = v;
    });
    const responseHeaders: Record<string, string> = {};
    copy.headers.forEach((v, k) => {
      responseHeaders[k] = v;
    });
    const text = await copy.text();
    const request: NonNullable<Fixture['exchanges']>[number]['request'] = { method: (init?.method ?? 'GET').toUpperCase(), url, headers: requestHeaders };
    if (typeof init?.body === 'string') request.body = parseBody(init.body, requestHeaders['content-type'] ?? '');
    exchanges.push({ request, response: { status: response.status, headers: responseHeaders, body: parseBody(text, responseHeaders['content-type'] ?? '') } });
    return response;
  };

  const c = colors(process.stdout);
  let liveError: unknown;
  try {
    const result = await engine.execute(call, { fetch: recording });
    if (result.body && typeof result.body === 'object' && Symbol.asyncIterator in result.body) for await (const _ of result.body as AsyncIterable<unknown>) void _;
  } catch (error) {
    if (!isUnimapError(error)) throw error;
    liveError = error;
  }

  // Redact: the account's secrets, tokens learned on the way, credential headers, personal fields.
  const redactor = new Redactor(accountSecrets(loaded.definition, context), loaded.definition.auth?.type === 'api_key' && loaded.definition.auth.in === 'header' ? [loaded.definition.auth.name] : []);
  for (const exchange of exchanges) {
    const token = isPlainObject(exchange.response?.body) ? exchange.response.body.access_token : undefined;
    if (typeof token === 'string') redactor.add(token);
  }
  const personal = new Set((one(args, 'redact') ?? '').split(',').map((f) => f.trim()).filter(Boolean));
  const safe = exchanges.map((e) => {
    const request = { ...e.request, url: redactor.text(e.request.url), headers: redactor.headers(e.request.headers ?? {}) };
    if ('body' in e.request) (request as typeof e.request).body = redactFields(redactor.value(e.request.body), personal);
    const response = e.response ? { status: e.response.status, headers: redactor.headers(e.response.headers ?? {}), body: redactFields(redactor.value(e.response.body), personal) } : undefined;
    return response ? { request, response } : { request };
  });
  const secrets = new Set(accountSecrets(loaded.definition, context));
  const safeContext = Object.fromEntries(Object.entries(context).map(([k, v]) => [k, typeof v === 'string' && secrets.has(v) ? REDACTED : redactor.value(v)]));

  const fixture: Fixture = {
    name: one(args, 'name') ?? `${integration} ${model}/${resource}.${method} (recorded)`,
    description: `Recorded with \`unimap record\` on ${new Date().toISOString().slice(0, 10)}; secrets${personal.size ? ` and ${[...personal].join(', ')}` : ''} redacted.`,
    mode: 'execute',
    call: { integration, model, resource, method, context: safeContext },
    exchanges: safe,
    expect: { result: null },
  };
  if (call.query) fixture.call.query = redactFields(call.query, personal) as Record<string, unknown>;
  if (call.body !== undefined) fixture.call.body = redactFields(call.body, personal);
  if (call.id !== undefined) fixture.call.id = call.id;
  if (call.account.overrides) fixture.call.overrides = { account: call.account.overrides };

  // The expectation is what the engine makes of the redacted exchanges, offline.
  const replayed = await runFixture(engine, fixture);
  if (replayed.actual.error) fixture.expect = { error: { code: replayed.actual.error.code, statusCode: replayed.actual.error.statusCode, message: replayed.actual.error.message } };
  else fixture.expect = { result: replayed.actual.result };

  const out = one(args, 'out') ?? join('mappings', integration, `recorded.${resource}.${method}.yaml`);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `# yaml-language-server: $schema=../../schemas/fixture.schema.json\n${stringify(fixture, { lineWidth: 0 })}`);
  process.stdout.write(`${liveError ? c.yellow('recorded an error') : c.green('recorded')} ${exchanges.length} exchange(s) → ${out}\n`);
  if (liveError && isUnimapError(liveError)) process.stdout.write(`${redactor.text(liveError.message)}\n`);
  return 0;
}
