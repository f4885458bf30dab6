import type { ValidateFunction } from 'ajv';
import { createAjv, type AjvInstance } from './ajv.js';

/**
 * Where JSON Schema validators come from. On Node, ajv compiles them on first use; on runtimes
 * that forbid code generation (Cloudflare Workers) they are precompiled at build time
 * (`unimap build-worker`) and looked up here instead.
 */
export interface Validators {
  /** Registers a schema with an `$id`, so `ref` finds it and its `$defs`. */
  add(schema: object): void;
  /** The validator of a registered schema, or of a pointer inside one (`…users.json#/$defs/create`). */
  ref(ref: string): ValidateFunction | undefined;
  /** The validator of an anonymous schema (a definition's `query_schema`), compiled once. */
  schema(schema: object): ValidateFunction;
}

/** A stable key for an anonymous schema: its JSON, hashed (FNV-1a, 2×32 bits). */
export function schemaKey(schema: object): string {
  const text = JSON.stringify(schema);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x811c9dc5) >>> 0;
  }
  return `urn:unimap:schema:${a.toString(16)}${b.toString(16)}`;
}

/** Validators compiled by ajv on first use (Node, Deno, browsers). */
export class AjvValidators implements Validators {
  private readonly anonymous = new WeakMap<object, ValidateFunction>();

  constructor(readonly ajv: AjvInstance = createAjv()) {}

  add(schema: object): void {
    const id = (schema as { $id?: string }).$id;
    if (id && this.ajv.getSchema(id)) return;
    this.ajv.addSchema(schema);
    if (id) this.ajv.getSchema(id); // compile now, so a broken schema fails at load
  }

  ref(ref: string): ValidateFunction | undefined {
    return this.ajv.getSchema(ref);
  }

  schema(schema: object): ValidateFunction {
    let validate = this.anonymous.get(schema);
    if (!validate) {
      const key = schemaKey(schema);
      validate = this.ajv.getSchema(key) ?? (this.ajv.addSchema({ ...schema, $id: key }), this.ajv.getSchema(key)!);
      this.anonymous.set(schema, validate);
    }
    return validate;
  }
}

/** Validators generated ahead of time by ajv's standalone mode: no code generation at run time. */
export class PrecompiledValidators implements Validators {
  constructor(private readonly byKey: Readonly<Record<string, ValidateFunction>>) {}

  add(): void {
    // Precompiled: every schema was registered at build time.
  }

  ref(ref: string): ValidateFunction | undefined {
    return this.byKey[ref];
  }

  schema(schema: object): ValidateFunction {
    const validate = this.byKey[schemaKey(schema)];
    if (!validate) throw new Error('a schema was not precompiled; rebuild with `unimap build-worker`');
    return validate;
  }
}

/**
 * The default: the bundled schemas' validators precompiled (generated/bundled-validators.ts, no
 * ajv compilation at start-up), and ajv, created on first need, for everything else: a
 * definition's query_schema, custom model schemas, or a bundled `$id` given a different schema.
 */
export class BundledValidators implements Validators {
  private fallback: AjvValidators | undefined;
  /** `$id`s handed to ajv: their refs must not resolve to the precompiled (bundled) version. */
  private readonly replaced = new Set<string>();

  constructor(
    private readonly precompiled: Readonly<Record<string, ValidateFunction>>,
    /** The schema objects the precompiled validators were generated from (compared by identity). */
    private readonly bundled: ReadonlySet<object>,
  ) {}

  private ajv(): AjvValidators {
    if (!this.fallback) {
      this.fallback = new AjvValidators();
      // Custom schemas may $ref the bundled ones; ajv compiles those only if referenced.
      for (const schema of this.bundled) {
        const id = (schema as { $id?: string }).$id;
        if (id && !this.replaced.has(id)) this.fallback.ajv.addSchema(schema);
      }
    }
    return this.fallback;
  }

  add(schema: object): void {
    if (this.bundled.has(schema)) return;
    const id = (schema as { $id?: string }).$id;
    if (id && this.precompiled[id]) {
      this.replaced.add(id);
      const ajv = this.ajv().ajv;
      if (ajv.getSchema(id)) ajv.removeSchema(id);
    }
    this.ajv().add(schema);
  }

  ref(ref: string): ValidateFunction | undefined {
    const id = ref.split('#')[0]!;
    if (!this.replaced.has(id)) {
      const validate = this.precompiled[ref];
      if (validate) return validate;
    }
    return this.ajv().ref(ref);
  }

  schema(schema: object): ValidateFunction {
    return this.precompiled[schemaKey(schema)] ?? this.ajv().schema(schema);
  }
}
