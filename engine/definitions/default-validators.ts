import type { ValidateFunction } from 'ajv';
import { validatorsByRef } from './generated/bundled-validators.js';
import { bundledSchemaRefs } from './bundled-schemas.js';
import { BundledValidators, type Validators } from './validators.js';

/** An engine's validators unless it is given others: the bundled schemas precompiled, ajv for the rest. */
// ajv types its standalone output loosely (no schema/schemaEnv); the functions are what ajv compiles.
export function defaultValidators(): Validators {
  return new BundledValidators(validatorsByRef as unknown as Record<string, ValidateFunction>, new Set(bundledSchemaRefs().schemas));
}
