import type { ValidateFunction } from 'ajv';
import { describeAjvErrors, formatPath, type SchemaIssue } from '../definitions/ajv.js';
import { AjvValidators, type Validators } from '../definitions/validators.js';
import type { Problem } from '../errors.js';

interface UnimapAnnotation {
  model: string;
  resource: string;
  methods: string[];
}

type JsonObject = Record<string, unknown>;

export const standardMethods = ['list', 'get', 'create', 'update', 'delete'] as const;
export type StandardMethod = (typeof standardMethods)[number];

export function isStandardMethod(method: string): method is StandardMethod {
  return (standardMethods as readonly string[]).includes(method);
}

/** One unified resource (e.g. `mdm/users`): its record schema and the validators derived from it. */
export class UnifiedResource {
  private readonly validators = new Map<string, ValidateFunction | null>();

  constructor(
    private readonly compiled: Validators,
    readonly model: string,
    readonly resource: string,
    readonly methods: readonly string[],
    readonly schema: JsonObject,
  ) {}

  get id(): string {
    return String(this.schema.$id);
  }

  /** `$defs` entry of the resource schema (`create`, `update`, `list_query`, …). */
  definition(name: string): JsonObject | undefined {
    const defs = this.schema.$defs as Record<string, JsonObject> | undefined;
    return defs?.[name];
  }

  private validator(name: string): ValidateFunction | null {
    if (!this.validators.has(name)) {
      const ref = name === 'record' ? this.id : `${this.id}#/$defs/${name}`;
      const exists = name === 'record' || this.definition(name) !== undefined;
      this.validators.set(name, exists ? (this.compiled.ref(ref) ?? null) : null);
    }
    return this.validators.get(name) ?? null;
  }

  /** Validates a unified record, a request body (`create`, `update`) or a query (`list_query`). Empty when valid or when there is no schema. */
  check(name: 'record' | string, value: unknown): SchemaIssue[] {
    const validate = this.validator(name);
    if (!validate || validate(value)) return [];
    return describeAjvErrors(validate.errors ?? []);
  }

  /** Top-level property names of a body/query schema, or of the record. */
  fields(name: 'record' | string): string[] {
    const schema = name === 'record' ? this.schema : this.definition(name);
    return Object.keys((schema?.properties as JsonObject | undefined) ?? {});
  }
}

/** The unified models an engine knows: built from JSON Schemas carrying an `x-unimap` annotation. */
export class ModelRegistry {
  readonly problems: Problem[] = [];
  private readonly resources = new Map<string, UnifiedResource>();

  constructor(schemas: readonly object[], readonly validators: Validators = new AjvValidators()) {
    for (const schema of schemas) this.add(schema as JsonObject);
  }

  private add(schema: JsonObject): void {
    const annotation = schema['x-unimap'] as UnimapAnnotation | undefined;
    const id = typeof schema.$id === 'string' ? schema.$id : undefined;
    const fail = (message: string) =>
      this.problems.push({ code: 'invalid_unified_schema', message, severity: 'error', location: { file: id ?? '<unified schema>' } });
    if (!id || !annotation?.model || !annotation.resource || !Array.isArray(annotation.methods)) {
      fail('a unified model schema needs `$id` and `x-unimap: {model, resource, methods}`');
      return;
    }
    try {
      this.validators.add(schema);
    } catch (error) {
      fail(`the schema does not compile: ${(error as Error).message}`);
      return;
    }
    this.resources.set(`${annotation.model}/${annotation.resource}`, new UnifiedResource(this.validators, annotation.model, annotation.resource, annotation.methods, schema));
  }

  get(model: string, resource: string): UnifiedResource | undefined {
    return this.resources.get(`${model}/${resource}`);
  }

  models(): string[] {
    return [...new Set([...this.resources.values()].map((r) => r.model))].sort();
  }

  list(model?: string): UnifiedResource[] {
    return [...this.resources.values()].filter((r) => !model || r.model === model);
  }
}

export { formatPath };
