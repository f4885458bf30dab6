import { expect } from 'vitest';
import { UnimapError } from '../../engine/index.js';

/** The UnimapError a call fails with; the test fails if it succeeds or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<UnimapError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UnimapError);
    return error as UnimapError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
