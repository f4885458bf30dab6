/**
 * Unimap: a declarative unified-API engine. YAML integration definitions hold JSONata
 * expressions; the engine turns unified calls into remote requests and remote responses back
 * into unified results, validated against JSON Schema.
 */
import type { DefinitionSource } from './definitions/load.js';
import { Engine, type EngineOptions } from './engine.js';
import { folderParseCache } from './definitions/disk-parse-cache.js';
import { readDefinitionFolder, readSchemaFolder } from './definitions/read-folder.js';

export { Engine, type EngineOptions } from './engine.js';
export type { DefinitionSource, LoadedIntegration } from './definitions/load.js';
export { memoryParseCache, type ParseCache, type CachedParse } from './definitions/parse-cache.js';
export { astToJson, type AstJson } from './expressions/ast-json.js';
export type { IntegrationDefinition, UnifiedMethod, ResourceMethod, Pagination, Auth } from './definitions/definition-types.js';
export { UnimapError, isUnimapError, formatLocation, formatProblem, reasonPhrase } from './errors.js';
export type { ErrorCode, Location, Problem, UnifiedErrorBody, RemoteResponseSummary } from './errors.js';
export type { UnifiedCall, UnifiedOverrides, RemoteRequest, RemoteResponse, ListResult } from './pipeline/call.js';
export type { MappedResponse } from './pipeline/response.js';
export type { ExecuteCall, ExecuteResult } from './pipeline/execute.js';
export type { Account, ExecuteOptions, ExecuteHooks, FetchLike, RemoteCallEvent, StepEvent, TransportLimits } from './transport/types.js';
export { REDACTED } from './transport/redact.js';
export type { ExpressionLimits } from './expressions/compile.js';
export { helperFunctions } from './expressions/functions.js';
export { slotBindings } from './definitions/slots.js';
export { parseQueryString, buildQueryString } from './pipeline/query-string.js';
export { renderCodeFrame } from './definitions/source-map.js';
export type * from './models/mdm-types.js';
export { computeCoverage } from './models/coverage.js';
export type { FieldCoverage, MethodCoverage, ResourceCoverage } from './models/coverage.js';
export { runFixture } from './fixtures/run.js';
export type { Fixture, FixtureOutcome, FixtureFailure } from './fixtures/run.js';

export interface LoadEngineOptions extends Omit<EngineOptions, 'definitions' | 'schemas'> {
  /** A folder of `*.yaml` definitions (read with Node's fs), or in-memory sources. */
  definitions: string | readonly DefinitionSource[];
  /** A folder of unified model schemas (`*.json`, searched recursively), or the schemas themselves. Default: the bundled MDM models. */
  schemas?: string | readonly object[];
  /**
   * Where a definitions folder's parses are cached between processes, or `false` for no cache.
   * Default: `node_modules/.cache/unimap` of the nearest folder above the definitions that has a
   * `node_modules`; none, no cache. Only used when `definitions` is a folder.
   */
  cacheDir?: string | false;
}

/**
 * Loads, validates and compiles every definition. Problems are collected in `engine.problems`
 * (broken definitions are skipped) unless `strict` is set, which throws them all at once.
 */
export async function loadEngine(options: LoadEngineOptions): Promise<Engine> {
  const { definitions, schemas, cacheDir, ...rest } = options;
  const engineOptions: EngineOptions = { ...rest, definitions: [] };
  if (typeof definitions === 'string' || typeof schemas === 'string') {
    // Only folder loading touches the file system, through Node's built-ins got at run time
    // (node-builtins.ts), so the core stays portable.
    engineOptions.definitions = typeof definitions === 'string' ? await readDefinitionFolder(definitions) : definitions;
    if (typeof definitions === 'string' && cacheDir !== false && !rest.parseCache) {
      const cache = folderParseCache(definitions, cacheDir);
      if (cache) engineOptions.parseCache = cache;
    }
    if (schemas !== undefined) engineOptions.schemas = typeof schemas === 'string' ? await readSchemaFolder(schemas) : schemas;
  } else {
    engineOptions.definitions = definitions;
    if (schemas !== undefined) engineOptions.schemas = schemas;
  }
  return new Engine(engineOptions);
}
