import type { UnifiedMethod } from '../definitions/definition-types.js';
import { methodSlots, type LoadedIntegration } from '../definitions/load.js';
import { findExpressions } from '../definitions/slots.js';
import { formatPath } from '../definitions/ajv.js';
import { UnimapError } from '../errors.js';
import type { CompiledSlot } from '../expressions/evaluate.js';
import { isForbiddenKey } from '../expressions/plain.js';
import type { UnifiedResource } from '../models/registry.js';
import type { UnifiedCall, UnifiedOverrides } from './call.js';
import type { EngineCore } from './engine-core.js';

/** The config of one unified method for one call, with the override layers applied. */
export interface ResolvedMethod {
  integration: LoadedIntegration;
  model: string;
  resource: string;
  method: string;
  /** `mdm/users.create` */
  operation: string;
  config: UnifiedMethod;
  /** The unified resource schema, when the model is known. */
  unified: UnifiedResource | undefined;
  /** Effective compiled slots by their path inside the method config (`response_mapping`, `method.expression`, `before.0.run_if`, `side_load.groups.id`). */
  slots: ReadonlyMap<string, CompiledSlot>;
  /** The account layer's `response_mapping`: evaluated on the same records, its output merged over the base output. */
  accountResponseMapping?: CompiledSlot;
}

function overrideFor(overrides: UnifiedOverrides | undefined, call: UnifiedCall): Record<string, unknown> | undefined {
  const value = overrides?.[call.model]?.[call.resource]?.[call.method];
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

export function resolveMethod(core: EngineCore, call: UnifiedCall): ResolvedMethod {
  for (const field of ['integration', 'model', 'resource', 'method'] as const) {
    if (typeof call[field] !== 'string' || call[field] === '') {
      throw new UnimapError('invalid_call', `the call needs \`${field}\``, { statusCode: 400 });
    }
  }
  const integration = core.integrations.get(call.integration);
  if (!integration) {
    const failed = core.failedIntegrations.get(call.integration);
    throw new UnimapError(
      'integration_not_found',
      failed
        ? `integration \`${call.integration}\` did not load: its definition in ${failed} has problems (run \`unimap validate\`)`
        : `no integration named \`${call.integration}\`; loaded: ${[...core.integrations.keys()].sort().join(', ') || 'none'}`,
      { statusCode: 404 },
    );
  }
  const operation = `${call.model}/${call.resource}.${call.method}`;
  const base = integration.definition.unified?.[call.model]?.[call.resource]?.[call.method];
  if (!base) {
    throw new UnimapError('method_not_supported', `${operation} is not supported by ${call.integration}`, {
      statusCode: 501,
      location: { integration: call.integration, operation },
    });
  }
  const environment = overrideFor(call.overrides?.environment, call);
  const account = overrideFor(call.overrides?.account, call);
  if (!environment && !account) {
    // The common case: no overrides, so the resolution can be shared by every call.
    return core.memo(operation + '\u0000' + call.integration, () => ({
      integration,
      model: call.model,
      resource: call.resource,
      method: call.method,
      operation,
      config: base,
      unified: core.models.get(call.model, call.resource),
      slots: methodSlots(integration, call.model, call.resource, call.method),
    }));
  }
  const config: Record<string, unknown> = { ...base };
  const slots = methodSlots(integration, call.model, call.resource, call.method);
  let accountResponseMapping: CompiledSlot | undefined;
  for (const [layer, override] of [['environment', environment], ['account', account]] as const) {
    if (!override) continue;
    core.checkOverride(override, layer, operation);
    const compiled = compileOverride(core, override, layer, call, operation);
    for (const key of Object.keys(override)) {
      if (isForbiddenKey(key)) continue;
      if (layer === 'account' && key === 'response_mapping') continue;
      config[key] = override[key];
      // The key is replaced whole, so are the expressions below it (e.g. every `before` step).
      for (const existing of [...slots.keys()]) if (existing === key || existing.startsWith(`${key}.`)) slots.delete(existing);
    }
    for (const [path, value] of compiled) {
      if (layer === 'account' && path === 'response_mapping') accountResponseMapping = value;
      else slots.set(path, value);
    }
  }
  const resolved: ResolvedMethod = {
    integration,
    model: call.model,
    resource: call.resource,
    method: call.method,
    operation,
    config: config as unknown as UnifiedMethod,
    unified: core.models.get(call.model, call.resource),
    slots,
  };
  if (accountResponseMapping) resolved.accountResponseMapping = accountResponseMapping;
  return resolved;
}

function compileOverride(
  core: EngineCore,
  override: Record<string, unknown>,
  layer: 'environment' | 'account',
  call: UnifiedCall,
  operation: string,
): Map<string, CompiledSlot> {
  const out = new Map<string, CompiledSlot>();
  const prefix = ['unified', call.model, call.resource, call.method];
  for (const found of findExpressions(override, prefix)) {
    const path = `overrides.${layer}.${formatPath(found.path.slice(1))}`;
    const result = core.cache.tryCompile(found.source);
    if ('error' in result) {
      throw new UnimapError('invalid_override', `the ${layer} override of ${found.spec.slot} has a JSONata syntax error at character ${result.error.index + 1}: ${result.error.code} ${result.error.message}`, {
        statusCode: 400,
        location: { integration: call.integration, operation, path, slot: found.spec.slot, ...lineColumn(found.source, result.error.index) },
        details: { jsonata_code: result.error.code, position: result.error.index },
      });
    }
    const compiled: CompiledSlot = {
      origin: { slot: found.spec.slot, integration: call.integration, operation, path, layer },
      source: found.source,
      expression: result.expression,
      limits: core.cache.limits,
    };
    const expression = result.expression;
    compiled.makeFast = () => core.cache.fast(expression);
    out.set(found.path.slice(prefix.length).join('.'), compiled);
  }
  return out;
}

/** 1-based line and column of a character inside an expression (overrides have no YAML file). */
function lineColumn(source: string, index: number): { line: number; column: number } {
  const before = source.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}
