import type { ResponseFormat as BodyFormat } from '../transport/send.js';
import { UnimapError } from '../errors.js';
import { decodeCursor } from '../pagination/cursor.js';
import { normalize } from '../models/normalize.js';
import { applyAuth, tokenKey, type TokenCache } from '../transport/auth.js';
import { checkBudget, deadlineIn, passStops, type Deadline } from '../transport/deadline.js';
import { defaultSleep, exchange } from '../transport/exchange.js';
import { createRedactor, type Redactor } from '../transport/redact.js';
import type { Account, ExecuteOptions, FetchLike, TransportLimits } from '../transport/types.js';
import type { ListResult, RemoteRequest, RemoteResponse, UnifiedCall, UnifiedOverrides } from './call.js';
import type { EngineCore } from './engine-core.js';
import { excludeFields, keyListBy } from './format.js';
import { isRemoteError } from './remote-error.js';
import { prepareRequest } from './request.js';
import { resolveMethod, type ResolvedMethod } from './resolve.js';
import type { RemoteTarget } from './resource-method.js';
import { mapRemoteResponse, type MappedResponse } from './response.js';
import { runSideLoads } from './side-loads.js';
import { runSteps, type StepRunner } from './steps.js';
import { Trace } from './trace.js';
import { checkRequiredContext, validateInput, type CallInput } from './validate-input.js';

/** A unified call made for real: the account supplies the integration, context and account overrides. */
export interface ExecuteCall extends Omit<UnifiedCall, 'integration' | 'context' | 'overrides'> {
  account: Account;
  /** Must match `account.integration` when given. */
  integration?: string;
  /** The environment override layer (the account layer comes from `account.overrides`). */
  overrides?: { environment?: UnifiedOverrides };
}

/** What Truto would return: a status, headers, and the body in the requested format. For `stream`, `body` is an async iterable of unified records. */
export interface ExecuteResult {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface ExecutionCore extends EngineCore {
  readonly tokens: TokenCache;
  readonly transport: TransportLimits;
  readonly environment: UnifiedOverrides | undefined;
}

interface Run extends StepRunner {
  core: ExecutionCore;
  redactor: Redactor;
  trace: Trace;
  fetch: FetchLike;
  options: ExecuteOptions;
  /** From `options.timeoutMs`; cleared once a stream body is handed out. */
  deadline: Deadline | undefined;
}

function toUnifiedCall(core: ExecutionCore, call: ExecuteCall): UnifiedCall {
  const { account } = call;
  if (!account || typeof account.integration !== 'string') throw new UnimapError('invalid_call', 'the call needs an `account` with `integration` and `context`', { statusCode: 400 });
  if (call.integration && call.integration !== account.integration) {
    throw new UnimapError('invalid_call', `the call names integration \`${call.integration}\` but the account uses \`${account.integration}\``, { statusCode: 400 });
  }
  // Field by field: an object rest-spread is a slow runtime call in V8, once per request.
  const unified: UnifiedCall = { integration: account.integration, model: call.model, resource: call.resource, method: call.method, context: account.context ?? {} };
  if (call.id !== undefined) unified.id = call.id;
  if (call.query !== undefined) unified.query = call.query;
  if (call.body !== undefined) unified.body = call.body;
  const environment = call.overrides?.environment ?? core.environment;
  if (environment || account.overrides) {
    unified.overrides = {};
    if (environment) unified.overrides.environment = environment;
    if (account.overrides) unified.overrides.account = account.overrides;
  }
  return unified;
}

function statusFor(method: string): number {
  return method === 'create' ? 201 : 200;
}

/**
 * static response → before steps → resource/method → query → body → path → headers → auth →
 * call and pagination → error detection and error_mapping → response_mapping → response
 * headers → side loads → after steps → formatting.
 */
export async function executeCall(core: ExecutionCore, call: ExecuteCall, options: ExecuteOptions = {}): Promise<ExecuteResult> {
  const unified = toUnifiedCall(core, call);
  const resolved = resolveMethod(core, unified);
  const input = validateInput(unified, resolved, core);
  checkRequiredContext(resolved.integration.definition, input.context);
  // The context with its defaults filled in: what the call uses is what is redacted.
  const redactor = createRedactor(resolved.integration.definition, input.context);
  const trace = new Trace(redactor, options.hooks, input.responseFormat === 'debug');
  const run = createRun(core, resolved, input, redactor, trace, options);
  try {
    return await executeResolved(run);
  } catch (error) {
    throw redactError(error, redactor);
  }
}

function createRun(core: ExecutionCore, resolved: ResolvedMethod, input: CallInput, redactor: Redactor, trace: Trace, options: ExecuteOptions): Run {
  const fetchImpl = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (!fetchImpl) throw new UnimapError('invalid_call', 'no fetch: pass `fetch` in the options on a runtime without a global fetch', { statusCode: 500 });
  const { timeoutMs } = options;
  if (timeoutMs !== undefined) checkBudget(timeoutMs, 'timeoutMs');
  const run: Run = {
    deadline: timeoutMs === undefined ? undefined : deadlineIn(timeoutMs),
    core,
    resolved,
    input,
    redactor,
    trace,
    fetch: fetchImpl,
    options,
    send: (request, target, purpose) => sendRemote(run, request, target, purpose),
    isError: (target, response) => isRemoteError(resolved, target, response),
  };
  return run;
}

async function executeResolved(run: Run): Promise<ExecuteResult> {
  const { resolved, input, trace } = run;
  const format = input.responseFormat;
  const staticResponse = resolved.config.static_response;
  if (staticResponse !== undefined && (resolved.method === 'list' || resolved.method === 'get')) {
    const body = await trace.step('static_response', undefined, () => staticBody(run, staticResponse));
    if (format === 'stream') {
      const records = resolved.method === 'list' ? (body as ListResult).result : [body as Record<string, unknown>];
      return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, body: staticStream(records) };
    }
    const keyed = keyListBy(body, input.keyBy);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: format === 'debug' ? { result: keyed, debug: null } : keyed };
  }

  const before = await trace.step('before', undefined, () => runSteps('before', run, {}));

  if (format === 'stream') {
    // The budget covers execute(), not the consumer's pace through the stream.
    run.deadline = undefined;
    return { status: 200, headers: { 'content-type': 'application/x-ndjson' }, body: redactingStream(streamRecords(run, before), run.redactor) };
  }

  const page = await fetchPage(run, before);
  if (format === 'raw') return { status: page.response.status, headers: page.response.headers ?? {}, body: page.response.body };

  const mapped = page.mapped!;
  if (mapped.records.length && resolved.config.side_load) {
    await trace.step('side_loads', undefined, () => runSideLoads(run, mapped.records, mapped.raw));
    for (const record of mapped.records) excludeFields(record, input.excludeFields);
  }
  await trace.step('after', undefined, () => runSteps('after', run, before, mapped.body));

  let body = mapped.body;
  if (format === 'normalized') body = await trace.step('normalize', undefined, () => normalizeBody(run, body));
  body = keyListBy(body, input.keyBy);
  const headers = { 'content-type': 'application/json', ...mapped.headers };
  if (format === 'debug') body = { result: body, debug: trace.debug() };
  return { status: statusFor(resolved.method), headers, body };
}

async function* staticStream(records: Record<string, unknown>[]): AsyncGenerator<Record<string, unknown>> {
  yield* records;
}

async function staticBody(run: Run, value: unknown): Promise<unknown> {
  if (run.resolved.method !== 'list') return value;
  const records = Array.isArray(value) ? value : [value];
  const envelope: ListResult = { result: records as Record<string, unknown>[], next_cursor: null, prev_cursor: null, result_count: records.length };
  return envelope;
}

function normalizeBody(run: Run, body: unknown): unknown {
  const schema = run.resolved.unified?.schema;
  if (!schema) return body;
  if (run.resolved.method === 'list') {
    const list = body as ListResult;
    const result = list.result.map((record) => normalize(record, schema)).filter((r): r is Record<string, unknown> => r !== undefined);
    return { ...list, result, result_count: result.length };
  }
  if (run.resolved.method === 'delete') return body;
  return normalize(body, schema) ?? {};
}

interface FetchedPage {
  response: RemoteResponse;
  mapped?: MappedResponse;
}

/** One remote page: request mapping, auth, the exchange with its retries, then error and response mapping. */
async function fetchPage(run: Run, before: Record<string, unknown>, input: CallInput = run.input): Promise<FetchedPage> {
  const { resolved, trace } = run;
  const prepared = await trace.step('request', { query: input.query, body: input.body, id: input.id, next_cursor: input.nextCursor }, () => prepareRequest(resolved, input, before));
  const maxPages = (prepared.pagination as { max_pages?: number } | undefined)?.max_pages ?? run.core.transport.maxPages;
  if (prepared.page && prepared.page.n >= maxPages) {
    throw new UnimapError('pagination_limit', `${resolved.integration.name} ${resolved.operation}: more than ${maxPages} pages; stopped instead of paging on`, {
      statusCode: 502,
      details: { max_pages: maxPages },
    });
  }
  const response = await sendRemote(run, prepared.request, prepared.target, 'main');
  if (input.responseFormat === 'raw') return { response };
  const mapped = await trace.step('response', { status: response.status }, () => mapRemoteResponse(resolved, input, prepared, response, before));
  return { response, mapped };
}

/** Auth, then the exchange; an OAuth2 401 fetches a fresh token once. */
async function sendRemote(run: Run, request: RemoteRequest, target: RemoteTarget, purpose: string): Promise<RemoteResponse> {
  const { resolved, input, core, redactor, trace } = run;
  const definition = resolved.integration.definition;
  const what = `${resolved.integration.name} ${resolved.operation}`;
  const timeoutMs = target.endpoint.timeout_ms ?? definition.timeout_ms ?? core.transport.timeoutMs;
  const authEnv: Parameters<typeof applyAuth>[2] = {
    context: input.context,
    tokens: core.tokens,
    fetch: run.fetch,
    timeoutMs,
    maxBytes: core.transport.maxResponseBytes,
    redactor,
    what,
    integration: resolved.integration.name,
  };
  // Only when someone listens: each event is a redacted copy of the request and the whole response body.
  if (trace.remoteCallsWanted) authEnv.onRemoteCall = trace.remoteCall;
  passStops(authEnv, run.options.signal, run.deadline);
  const expression = resolved.integration.slots.get('auth.expression');
  if (expression) authEnv.expression = expression;
  const auth = definition.auth;
  const authed = await applyAuth(request, auth, authEnv);
  const exchangeInput: Parameters<typeof exchange>[0] = {
    request: authed,
    purpose,
    responseFormat: (target.endpoint.response_format ?? 'auto') as BodyFormat,
    timeoutMs,
    limits: core.transport,
    fetch: run.fetch,
    redactor,
    what,
    sleep: run.options.sleep ?? defaultSleep,
  };
  if (trace.remoteCallsWanted) exchangeInput.onRemoteCall = trace.remoteCall;
  passStops(exchangeInput, run.options.signal, run.deadline);
  const rateLimit: NonNullable<Parameters<typeof exchange>[0]['rateLimit']> = {};
  const isRateLimited = resolved.integration.slots.get('rate_limit.is_rate_limited');
  const retryAfter = resolved.integration.slots.get('rate_limit.retry_after');
  if (isRateLimited) rateLimit.isRateLimited = isRateLimited;
  if (retryAfter) rateLimit.retryAfter = retryAfter;
  exchangeInput.rateLimit = rateLimit;
  if (auth?.type === 'oauth2_client_credentials') {
    exchangeInput.reauthenticate = async () => {
      core.tokens.invalidate(tokenKey(auth, authEnv));
      return applyAuth(request, auth, authEnv);
    };
  }
  return exchange(exchangeInput);
}

/** `truto_response_format=stream`: every record of every page, one page in memory at a time. */
async function* streamRecords(run: Run, before: Record<string, unknown>): AsyncGenerator<Record<string, unknown>> {
  const { resolved } = run;
  if (resolved.method !== 'list') {
    const page = await fetchPage(run, before, { ...run.input, responseFormat: 'unified' });
    const mapped = page.mapped!;
    if (mapped.records.length && resolved.config.side_load) await runSideLoads(run, mapped.records, mapped.raw);
    yield* mapped.records;
    return;
  }
  let cursor = run.input.nextCursor;
  const seen = new Set<string>();
  for (;;) {
    const input: CallInput = { ...run.input, responseFormat: 'unified', nextCursor: cursor };
    const page = await fetchPage(run, before, input);
    const mapped = page.mapped!;
    if (mapped.records.length && resolved.config.side_load) {
      await runSideLoads(run, mapped.records, mapped.raw);
      for (const record of mapped.records) excludeFields(record, input.excludeFields);
    }
    yield* mapped.records;
    const next = (mapped.body as ListResult).next_cursor;
    if (!next) return;
    // The strategies refuse a repeated cursor; this also catches a cycle longer than one page.
    const position = JSON.stringify({ ...decodeCursor(next, `${resolved.integration.name}/${resolved.operation}`), n: 0 });
    if (seen.has(position)) {
      throw new UnimapError('remote_error', `pagination of ${resolved.integration.name} ${resolved.operation} stopped: the remote API led back to a page already read`, {
        statusCode: 502,
        details: { pagination_loop: true },
      });
    }
    seen.add(position);
    cursor = next;
  }
}

async function* redactingStream<T>(source: AsyncGenerator<T>, redactor: Redactor): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    throw redactError(error, redactor);
  }
}

/** Errors leave the engine with every secret of the account redacted (messages, remote bodies, headers). */
function redactError(error: unknown, redactor: Redactor): unknown {
  if (!(error instanceof UnimapError)) return error;
  const init: ConstructorParameters<typeof UnimapError>[2] = { statusCode: error.statusCode };
  if (error.location) init.location = error.location;
  if (error.details !== undefined) init.details = redactor.value(error.details);
  if (error.remote) init.remote = { status: error.remote.status, headers: redactor.headers(error.remote.headers), body: redactor.value(error.remote.body) };
  return new UnimapError(error.code, redactor.text(error.message), init);
}
