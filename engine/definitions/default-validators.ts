import type { ValidateFunction } from 'ajv';
import * as generated from './generated/bundled-validators.js';
import { bundledSchemaRefs } from './bundled-schemas.js';
import { BundledValidators, type Validators } from './validators.js';

/** An engine's validators unless it is given others: the bundled schemas precompiled, ajv for the rest. */
export function defaultValidators(): Validators {
  const exports = generated as unknown as Record<string, ValidateFunction>;
  const byRef = Object.fromEntries(Object.entries(generated.bundledRefs as Record<string, string>).map(([name, ref]) => [ref, exports[name]!]));
  return new BundledValidators(byRef, new Set(bundledSchemaRefs().schemas));
}
