import { UnimapError, type Location, type Problem } from '../errors.js';
import { ExpressionCache } from '../expressions/compile.js';
import type jsonata from 'jsonata';
import type { CompiledSlot } from '../expressions/evaluate.js';
import type { ModelRegistry } from '../models/registry.js';
import { isStandardMethod } from '../models/registry.js';
import integrationSchema from '../../schemas/integration.schema.json' with { type: 'json' };
import { describeAjvErrors, formatPath } from './ajv.js';
import type { Validators } from './validators.js';
import type { IntegrationDefinition, NameOrExpression } from './definition-types.js';
import { findExpressions, type SlotSpec } from './slots.js';
import { unknownBindings } from './lint-bindings.js';
import { astFromJson, astToJson, type AstJson } from '../expressions/ast-json.js';
import { parseTrees } from '../expressions/parse-trees.js';
import { isJsonSafe, type ParseCache } from './parse-cache.js';
import { parseYamlWithPositions, type JsonPath, type ParsedYaml, type YamlLimits } from './source-map.js';

/**
 * A definition to load: YAML text with its file name, or an already-parsed object. An object may
 * bring its expressions' syntax trees (`astToJson` form, keyed by expression source) from the
 * parse that produced it, as `unimap build-worker` bundles them: then jsonata parses only what
 * the fast path cannot run. They must come from those exact sources; a missing one is parsed.
 * `checked: true` says the object already passed a strict load by this engine version (as
 * `unimap build-worker` bundles it), so the schema validation, the reference checks and the
 * binding lint are not run again; expressions are still compiled, and a syntax error still fails.
 */
export type DefinitionSource =
  | { file: string; text: string }
  | { file?: string; definition: unknown; asts?: Record<string, AstJson>; checked?: boolean };

export interface LoadedIntegration {
  name: string;
  file: string;
  definition: IntegrationDefinition;
  /** Compiled expressions, keyed by their JSON path in the definition (`unified.mdm.users.list.response_mapping`). */
  slots: ReadonlyMap<string, CompiledSlot>;
  /** Line and column of a JSON path in the source, when it came from YAML. */
  locate(path: JsonPath): Location;
}

/** A unified method's compiled slots, keyed by their path inside the method config (`response_mapping`, `before.0.run_if`). */
export function methodSlots(integration: LoadedIntegration, model: string, resource: string, method: string): Map<string, CompiledSlot> {
  const prefix = `unified.${model}.${resource}.${method}.`;
  const slots = new Map<string, CompiledSlot>();
  for (const [key, slot] of integration.slots) {
    if (key.startsWith(prefix)) slots.set(key.slice(prefix.length), slot);
  }
  return slots;
}

export interface LoadOptions {
  cache: ExpressionCache;
  models: ModelRegistry;
  validators: Validators;
  yamlLimits?: YamlLimits;
  /** Parses of earlier loads, keyed by file text (see parse-cache.ts). */
  parseCache?: ParseCache;
}

export interface LoadResult {
  integrations: Map<string, LoadedIntegration>;
  /** Integrations skipped for errors: name → file. */
  failed: Map<string, string>;
  problems: Problem[];
}

const schemaId = (integrationSchema as { $id: string }).$id;

/** Loads every definition, collecting all problems in all files; a broken definition is skipped, the others load. */
export function loadDefinitions(sources: readonly DefinitionSource[], options: LoadOptions): LoadResult {
  options.validators.add(integrationSchema);
  const validate = options.validators.ref(schemaId)!;
  const integrations = new Map<string, LoadedIntegration>();
  const problems: Problem[] = [];
  const failed = new Map<string, string>();
  // A YAML alias repeats an expression (the same source, so the same compiled tree): lint each
  // tree once per slot.
  const lints = new Map<jsonata.ExprNode, Map<SlotSpec, ReturnType<typeof unknownBindings>>>();
  const lint = (ast: jsonata.ExprNode, spec: SlotSpec): ReturnType<typeof unknownBindings> => {
    let bySlot = lints.get(ast);
    if (!bySlot) lints.set(ast, (bySlot = new Map()));
    let issues = bySlot.get(spec);
    if (!issues) bySlot.set(spec, (issues = unknownBindings(ast, spec.slot, spec.bindings)));
    return issues;
  };

  sources.forEach((source, index) => {
    const file = source.file ?? `<definition ${index + 1}>`;
    const fileProblems: Problem[] = [];
    const text = 'text' in source ? source.text : undefined;
    // A cache entry stands for a parse with no YAML problems under the default limits.
    const cache = text !== undefined && !options.yamlLimits ? options.parseCache : undefined;
    const cached = text !== undefined ? cache?.get(text) : undefined;
    let parsedYaml: ParsedYaml | undefined;
    // With a cache hit the YAML is parsed only if a location is asked for (a problem, an error).
    const yaml = (): ParsedYaml | undefined => (text === undefined ? undefined : (parsedYaml ??= parseYamlWithPositions(text, options.yamlLimits)));
    let data: unknown;
    if (cached) data = cached.data;
    else if (text !== undefined) {
      const parsed = yaml()!;
      for (const p of parsed.problems) {
        fileProblems.push({ code: p.code, message: p.message, severity: 'error', location: { file, line: p.position.line, column: p.position.column } });
      }
      data = parsed.data;
    } else data = (source as { definition: unknown }).definition;
    const cacheable = cache !== undefined && !cached && fileProblems.length === 0 && isJsonSafe(data);
    const asts: Record<string, AstJson> = {};
    // Syntax trees from an earlier parse: the cache's, or those an object source brings.
    const knownAsts = cached ? cached.asts : 'definition' in source ? source.asts : undefined;
    // Checked at build time by a strict load: the checks that only report are not run again.
    const prechecked = 'definition' in source && source.checked === true;
    // A cached parse of this exact text that had no problem at all (the disk cache is keyed by the
    // integration schema too): its schema validation and binding lint are not run again. The
    // reference checks still run: they depend on the unified models, which the key does not cover.
    const checked = prechecked || cached?.checked === true;

    const locate = (path: JsonPath, part: 'key' | 'value' = 'value'): Location => {
      const location: Location = { file, path: formatPath(path) };
      const parsed = yaml();
      if (parsed) {
        const at = parsed.locate(path, part);
        location.line = at.line;
        location.column = at.column;
      }
      return location;
    };
    const locateInScalar = (path: JsonPath, index: number): Pick<Location, 'line' | 'column'> => {
      const at = yaml()?.locateInScalar(path, index);
      return at ? { line: at.line, column: at.column } : {};
    };

    if (fileProblems.length === 0 && !checked) {
      if (!validate(data)) {
        for (const issue of describeAjvErrors(validate.errors ?? [])) {
          fileProblems.push({ code: 'schema_violation', message: issue.message, severity: 'error', location: locate(issue.path, issue.part) });
        }
      }
    }

    // Expressions are compiled even when the schema found problems elsewhere, so one pass reports everything.
    const slots = new Map<string, CompiledSlot>();
    const name = isObject(data) && typeof data.name === 'string' ? data.name : file;
    if (isObject(data)) {
      const expressions = findExpressions(data);
      // The sources no earlier parse has a tree for, in one run of jsonata's parser (parse-trees.ts).
      const parsed = options.cache.fastPath
        ? parseTrees(expressions.filter((f) => knownAsts?.[f.source] === undefined && !options.cache.has(f.source)).map((f) => f.source))
        : undefined;
      for (const found of expressions) {
        const key = found.path.join('.');
        const operation = operationOf(found.path);
        const cachedAst = knownAsts?.[found.source];
        const result = options.cache.tryCompile(found.source, cachedAst === undefined ? parsed?.get(found.source) : astFromJson(cachedAst));
        if ('error' in result) {
          const location: Location = { ...locate(found.path), slot: found.spec.slot, ...locateInScalar(found.path, result.error.index) };
          if (operation) location.operation = operation;
          fileProblems.push({
            code: 'jsonata_syntax',
            message: `${result.error.code}: ${result.error.message}`,
            severity: 'error',
            location,
          });
          continue;
        }
        const path = found.path;
        const ast = result.expression.ast();
        if (cacheable) {
          const json = astToJson(ast);
          if (json !== undefined) asts[found.source] = json;
        }
        for (const issue of checked ? [] : lint(ast, found.spec)) {
          const location: Location = { ...locate(found.path), slot: found.spec.slot, ...locateInScalar(found.path, issue.index) };
          if (operation) location.operation = operation;
          fileProblems.push({ code: 'unknown_binding', message: issue.message, severity: 'warning', location });
        }
        const origin: CompiledSlot['origin'] = { slot: found.spec.slot, integration: name, path: formatPath(path), file, layer: 'base' };
        if (operation) origin.operation = operation;
        if (text !== undefined) origin.locate = (i: number) => yaml()?.locateInScalar(path, i);
        const compiled: CompiledSlot = { origin, source: found.source, expression: result.expression, limits: options.cache.limits };
        const expression = result.expression;
        compiled.makeFast = () => options.cache.fast(expression);
        slots.set(key, compiled);
      }
    }

    if (isObject(data)) {
      if (!prechecked) {
        try {
          fileProblems.push(...checkReferences(data as unknown as IntegrationDefinition, options.models, (path, part) => locate(path, part)));
        } catch {
          // The schema problems already reported explain a shape these checks cannot read.
        }
      }
      for (const [model, resources] of Object.entries((data as { unified?: Record<string, Record<string, Record<string, { query_schema?: object }>>> }).unified ?? {})) {
        for (const [resource, methods] of Object.entries(resources ?? {})) {
          for (const [method, config] of Object.entries(methods ?? {})) {
            if (!config?.query_schema) continue;
            try {
              options.validators.schema(config.query_schema);
            } catch (error) {
              fileProblems.push({ code: 'schema_violation', message: `query_schema is not a valid JSON Schema: ${(error as Error).message}`, severity: 'error', location: locate(['unified', model, resource, method, 'query_schema']) });
            }
          }
        }
      }
    }
    if (fileProblems.length === 0 && integrations.has(name)) {
      fileProblems.push({
        code: 'duplicate_integration',
        message: `integration \`${name}\` is already defined in ${integrations.get(name)!.file}`,
        severity: 'error',
        location: locate(['name']),
      });
    }
    if (cacheable) cache.set(text!, fileProblems.length === 0 ? { data, asts, checked: true } : { data, asts });
    fileProblems.sort((a, b) => (a.location.line ?? 0) - (b.location.line ?? 0) || (a.location.column ?? 0) - (b.location.column ?? 0));
    problems.push(...fileProblems);
    if (fileProblems.some((p) => p.severity === 'error')) {
      if (!integrations.has(name)) failed.set(name, file);
      return;
    }
    integrations.set(name, { name, file, definition: data as IntegrationDefinition, slots, locate: (path) => locate(path) });
  });
  return { integrations, failed, problems };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `unified.mdm.users.create.…` → `mdm/users.create`. */
export function operationOf(path: readonly (string | number)[]): string | undefined {
  if (path[0] !== 'unified' || path.length < 4) return undefined;
  return `${path[1]}/${path[2]}.${path[3]}`;
}

function staticNames(value: NameOrExpression): string[] {
  return typeof value === 'string' ? [value] : value.allowed;
}

/** Checks what the schema cannot: unified mappings point at real remote methods and known unified models. */
function checkReferences(
  definition: IntegrationDefinition,
  models: ModelRegistry,
  locate: (path: JsonPath, part?: 'key' | 'value') => Location,
): Problem[] {
  const problems: Problem[] = [];
  const add = (code: Problem['code'], message: string, path: JsonPath, part: 'key' | 'value' = 'value', severity: Problem['severity'] = 'error') =>
    problems.push({ code, message, severity, location: locate(path, part) });
  // A credential in the definition itself would be shared by every account, and shown to anyone reading it.
  for (const [name, field] of Object.entries(definition.context ?? {})) {
    if (field.secret && field.default !== undefined) add('schema_violation', `context field \`${name}\` is a secret and cannot have a default: credentials come only from the account's context`, ['context', name, 'default'], 'key');
  }
  const known = models.models();
  for (const [model, resources] of Object.entries(definition.unified ?? {})) {
    if (!known.includes(model)) {
      add('unknown_model', `unknown unified model \`${model}\`; known models: ${known.join(', ') || 'none'}`, ['unified', model], 'key');
      continue;
    }
    for (const [resource, methods] of Object.entries(resources)) {
      const unified = models.get(model, resource);
      if (!unified) {
        const names = models.list(model).map((r) => r.resource);
        add('unknown_model', `model \`${model}\` has no resource \`${resource}\`; it has: ${names.join(', ')}`, ['unified', model, resource], 'key');
        continue;
      }
      for (const [method, config] of Object.entries(methods)) {
        const base = ['unified', model, resource, method];
        if (isStandardMethod(method) && !unified.methods.includes(method)) {
          add('unknown_model', `unified ${model}/${resource} has no \`${method}\` method; it has: ${unified.methods.join(', ')}`, base, 'key');
        }
        const remoteResources = staticNames(config.resource);
        for (const r of remoteResources) {
          if (!definition.resources[r]) {
            add('unknown_remote_method', `\`resources.${r}\` is not defined in this integration`, [...base, 'resource']);
            continue;
          }
          const remoteMethods = staticNames(config.method);
          if (!remoteMethods.some((m) => definition.resources[r]?.[m])) {
            add('unknown_remote_method', `\`resources.${r}\` has none of the methods ${remoteMethods.map((m) => `\`${m}\``).join(', ')}`, [...base, 'method']);
          }
        }
        const remoteRefs: [string, string, (string | number)[]][] = [];
        for (const kind of ['before', 'after'] as const) {
          (config[kind] ?? []).forEach((step, i) => remoteRefs.push([step.resource, step.method, [...base, kind, i]]));
        }
        for (const [name, sideLoad] of Object.entries(config.side_load ?? {})) remoteRefs.push([sideLoad.resource, sideLoad.method, [...base, 'side_load', name]]);
        for (const [r, m, path] of remoteRefs) {
          if (!definition.resources[r]?.[m]) add('unknown_remote_method', `\`resources.${r}.${m}\` is not defined in this integration`, path);
        }
        const bodyFields = unified.fields(method);
        for (const [i, field] of (config.required ?? []).entries()) {
          const top = field.split('.')[0]!;
          if (bodyFields.length > 0 && !bodyFields.includes(top)) {
            add('schema_violation', `required field \`${field}\` is not a field of the unified ${model}/${resource} ${method} body (${bodyFields.join(', ')})`, [...base, 'required', i]);
          }
        }
      }
    }
  }
  return problems;
}

/** Thrown by strict loading: every problem, in one error. */
export function definitionsError(problems: readonly Problem[]): UnimapError {
  const errors = problems.filter((p) => p.severity === 'error');
  return new UnimapError('definitions_invalid', `${errors.length} problem(s) in the integration definitions`, { statusCode: 500, details: errors });
}
