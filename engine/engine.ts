import { describeAjvErrors, formatPath, type SchemaIssue } from './definitions/ajv.js';
import type { Validators } from './definitions/validators.js';
import { defaultValidators } from './definitions/default-validators.js';
import { definitionsError, loadDefinitions, type DefinitionSource, type LoadedIntegration } from './definitions/load.js';
import type { YamlLimits } from './definitions/source-map.js';
import type { ParseCache } from './definitions/parse-cache.js';
import { UnimapError, type Problem, type UnifiedErrorBody } from './errors.js';
import { ExpressionCache, defaultExpressionLimits, type ExpressionLimits } from './expressions/compile.js';
import { bundledModelSchemas } from './models/bundled.js';
import { ModelRegistry } from './models/registry.js';
import type { RemoteRequest, RemoteResponse, UnifiedCall, UnifiedOverrides } from './pipeline/call.js';
import { executeCall, type ExecuteCall, type ExecuteResult, type ExecutionCore } from './pipeline/execute.js';
import { TokenCache } from './transport/auth.js';
import { defaultTransportLimits, type ExecuteOptions, type TransportLimits } from './transport/types.js';
import { mapRemoteError } from './pipeline/remote-error.js';
import { prepareRequest, type PreparedRequest } from './pipeline/request.js';
import { resolveMethod, type ResolvedMethod } from './pipeline/resolve.js';
import { mapRemoteResponse, type MappedResponse } from './pipeline/response.js';
import { keyListBy } from './pipeline/format.js';
import { validateInput, type CallInput } from './pipeline/validate-input.js';

export interface EngineOptions {
  /** Loaded definitions (from YAML text or objects). */
  definitions: readonly DefinitionSource[];
  /** Unified model schemas; the bundled MDM models when absent. */
  schemas?: readonly object[];
  /** Throw `definitions_invalid` instead of skipping broken definitions. */
  strict?: boolean;
  /** Guardrails for every JSONata evaluation. */
  limits?: Partial<ExpressionLimits>;
  yamlLimits?: YamlLimits;
  /** Parses kept from earlier loads, so a restart does not parse unchanged definitions again. */
  parseCache?: ParseCache;
  /** Run expressions on the closure-compiled fast path where possible (default true). */
  fastPath?: boolean;
  /** Precompiled validators (Workers); by default ajv compiles them on first use. */
  validators?: Validators;
  /** Timeouts, retries, paging and size limits for `execute`. */
  transport?: Partial<TransportLimits>;
  /** The environment override layer applied to every executed call (a call's own `overrides.environment` wins). */
  environment?: UnifiedOverrides;
}

export { overrideSchema, overrideSchemaId } from './definitions/override-schema.js';
import { overrideSchema, overrideSchemaId } from './definitions/override-schema.js';

/**
 * A Unimap engine: the loaded integration definitions and unified models, with the pure mapping
 * API. It holds no global state; two engines in one process do not interfere.
 */
export class Engine implements ExecutionCore {
  readonly integrations: ReadonlyMap<string, LoadedIntegration>;
  readonly failedIntegrations: ReadonlyMap<string, string>;
  /** Every problem found while loading (errors skip their integration; warnings do not). */
  readonly problems: readonly Problem[];
  readonly models: ModelRegistry;
  readonly cache: ExpressionCache;
  readonly tokens = new TokenCache();
  readonly transport: TransportLimits;
  readonly environment: UnifiedOverrides | undefined;
  readonly validators: Validators;
  private readonly memos = new Map<string, unknown>();

  constructor(options: EngineOptions) {
    this.validators = options.validators ?? defaultValidators();
    this.transport = { ...defaultTransportLimits, ...options.transport };
    this.environment = options.environment;
    this.cache = new ExpressionCache({ ...defaultExpressionLimits, ...options.limits }, 5000, options.fastPath ?? true);
    this.models = new ModelRegistry(options.schemas ?? bundledModelSchemas, this.validators);
    const loaded = loadDefinitions(options.definitions, { cache: this.cache, models: this.models, validators: this.validators, ...(options.yamlLimits ? { yamlLimits: options.yamlLimits } : {}), ...(options.parseCache ? { parseCache: options.parseCache } : {}) });
    this.integrations = loaded.integrations;
    this.problems = [...this.models.problems, ...loaded.problems];
    this.failedIntegrations = loaded.failed;
    this.validators.add(overrideSchema());
    if (options.strict && this.problems.some((p) => p.severity === 'error')) throw definitionsError(this.problems);
  }

  memo<T>(key: string, make: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, make());
    return this.memos.get(key) as T;
  }

  checkSchema(schema: object, value: unknown): SchemaIssue[] {
    const validate = this.validators.schema(schema);
    return validate(value) ? [] : describeAjvErrors(validate.errors ?? []);
  }

  checkOverride(override: Record<string, unknown>, layer: 'environment' | 'account', operation: string): void {
    const validate = this.validators.ref(overrideSchemaId)!;
    if (validate(override)) return;
    const issues = describeAjvErrors(validate.errors ?? []);
    throw new UnimapError('invalid_override', `the ${layer} override of ${operation} is invalid: ${issues.map((i) => `${formatPath(i.path) || 'override'} ${i.message}`).join('; ')}`, {
      statusCode: 400,
      details: issues.map((i) => ({ path: `overrides.${layer}.${operation}${i.path.length ? '.' + formatPath(i.path) : ''}`, message: i.message })),
    });
  }

  private async begin(call: UnifiedCall): Promise<{ resolved: ResolvedMethod; input: CallInput; prepared: PreparedRequest }> {
    const resolved = resolveMethod(this, call);
    const input = validateInput(call, resolved, this);
    const prepared = await prepareRequest(resolved, input);
    return { resolved, input, prepared };
  }

  /** The remote HTTP request a unified call becomes (no network). */
  async mapRequest(call: UnifiedCall): Promise<RemoteRequest> {
    return (await this.begin(call)).prepared.request;
  }

  /** The unified result for a remote response, in Truto's envelopes. A remote error is thrown as a `UnimapError` with code `remote_error`. */
  async mapResponse(call: UnifiedCall, response: RemoteResponse): Promise<unknown> {
    return (await this.mapResponseDetailed(call, response)).body;
  }

  /** Like `mapResponse`, with the mapped response headers and the records before the envelope. */
  async mapResponseDetailed(call: UnifiedCall, response: RemoteResponse): Promise<MappedResponse> {
    const { resolved, input, prepared } = await this.begin(call);
    const mapped = await mapRemoteResponse(resolved, input, prepared, response);
    return input.keyBy === undefined ? mapped : { ...mapped, body: keyListBy(mapped.body, input.keyBy) };
  }

  /** The unified error envelope for a remote error response, through `error_mapping`. */
  async mapError(call: UnifiedCall, response: RemoteResponse): Promise<UnifiedErrorBody> {
    const resolved = resolveMethod(this, call);
    const input = validateInput(call, resolved, this);
    return (await mapRemoteError(resolved, input, response)).toJSON();
  }

  /**
   * Performs a unified call against the remote API and returns what Truto would: the result in
   * the requested `truto_response_format` (unified, raw, normalized, stream, debug).
   */
  async execute(call: ExecuteCall, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    return executeCall(this, call, options);
  }

  /** Every unified record of a list, page after page, with memory bounded by one page. */
  async *records(call: ExecuteCall, options: ExecuteOptions = {}): AsyncGenerator<Record<string, unknown>> {
    const query = { ...(call.query ?? {}), truto_response_format: 'stream' };
    const result = await executeCall(this, { ...call, query }, options);
    yield* result.body as AsyncIterable<Record<string, unknown>>;
  }

  /** Which unified methods an integration serves: `{ mdm: { users: ['list', …] } }`. */
  capabilities(integration: string): Record<string, Record<string, string[]>> {
    const unified = this.integrations.get(integration)?.definition.unified ?? {};
    const out: Record<string, Record<string, string[]>> = {};
    for (const [model, resources] of Object.entries(unified)) {
      out[model] = {};
      for (const [resource, methods] of Object.entries(resources)) out[model][resource] = Object.keys(methods);
    }
    return out;
  }
}
