import type { LoadedIntegration } from '../definitions/load.js';
import type { ExpressionCache } from '../expressions/compile.js';
import type { ModelRegistry } from '../models/registry.js';
import type { SchemaIssue } from '../definitions/ajv.js';

/** What the pipeline steps need from the engine that runs them. */
export interface EngineCore {
  readonly integrations: ReadonlyMap<string, LoadedIntegration>;
  /** Integrations whose definition failed to load, with the file that holds it. */
  readonly failedIntegrations: ReadonlyMap<string, string>;
  readonly models: ModelRegistry;
  readonly cache: ExpressionCache;
  /** Per-engine memo for work that depends only on the definitions. */
  memo<T>(key: string, make: () => T): T;
  /** Validates a value against a JSON Schema from a definition (e.g. `query_schema`), compiled once. */
  checkSchema(schema: object, value: unknown): SchemaIssue[];
  /** Throws `invalid_override` when an override layer does not fit the definition schema. */
  checkOverride(override: Record<string, unknown>, layer: 'environment' | 'account', operation: string): void;
}
