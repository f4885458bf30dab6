import { UnimapError } from '../errors.js';

/**
 * A whole call's time budget (`ExecuteOptions.timeoutMs`): every remote call, retry and wait of
 * one `execute` must end by `at`. It is a timestamp, not an AbortController: on Node 20 each
 * controller is a native transferable object that survives young-generation GC, and a server
 * makes one per request.
 */
export interface Deadline {
  /** `Date.now()` value by which the call must be done. */
  at: number;
  /** The budget it was made from, for messages. */
  ms: number;
}

/** Refuses a budget setTimeout cannot keep: not a number above 0, or over 2^31 - 1 ms. */
export function checkBudget(ms: unknown, name: string): void {
  if (!(typeof ms === 'number' && ms > 0 && ms <= 2_147_483_647)) {
    throw new UnimapError('invalid_call', `\`${name}\` must be a number of milliseconds above 0 (and at most 2^31 - 1, as setTimeout allows)`, { statusCode: 500 });
  }
}

export function deadlineIn(ms: number, now = Date.now()): Deadline {
  return { at: now + ms, ms };
}

/** Milliseconds left; Infinity without a deadline. */
export function timeLeft(deadline: Deadline | undefined, now = Date.now()): number {
  return deadline ? deadline.at - now : Infinity;
}

export function requestTimeout(deadline: Deadline, why?: string): UnimapError {
  return new UnimapError('request_timeout', `the request took longer than its ${deadline.ms} ms limit${why ? ` (${why})` : ''}`, {
    statusCode: 504,
    details: { timeout_ms: deadline.ms },
  });
}

/** What can end a remote call early: the caller's abort signal and the whole call's deadline. */
export interface Stops {
  signal?: AbortSignal;
  deadline?: Deadline;
}

/** Passes the signal and the deadline a layer has on to the next one (leaving unset what is unset). */
export function passStops(to: Stops, signal: AbortSignal | undefined, deadline: Deadline | undefined): void {
  if (signal) to.signal = signal;
  if (deadline) to.deadline = deadline;
}
