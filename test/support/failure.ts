import { expect } from 'vitest';
import { UnimapError } from '../../engine/index.js';

/** The UnimapError a call fails with; the test fails if it succeeds (saying with what) or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<UnimapError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    expect(error, `expected a UnimapError, got ${String(error)}`).toBeInstanceOf(UnimapError);
    return error as UnimapError;
  }
  throw new Error(`expected the call to fail, but it succeeded with ${JSON.stringify(outcome)?.slice(0, 300)}`);
}
