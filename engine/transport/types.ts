import type { UnifiedOverrides } from '../pipeline/call.js';

/** Any fetch-compatible function (the global `fetch`, undici's, a Workers binding, a test double). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** An integrated account: which integration it uses, its context (settings and credentials), and its overrides. */
export interface Account {
  id: string;
  integration: string;
  context: Record<string, unknown>;
  /** The integrated-account override layer, in Truto's shape. */
  overrides?: UnifiedOverrides;
}

/** Transport settings; every one has a default. */
export interface TransportLimits {
  /** Per-request timeout (default 30 000 ms); a definition's `timeout_ms` wins. */
  timeoutMs: number;
  /** Retries after a 5xx or a network error, idempotent methods only (default 2). */
  maxRetries: number;
  /** Retries after a rate limit (default 3). */
  maxRateLimitRetries: number;
  /** First backoff delay; doubles each retry, with jitter (default 250 ms). */
  backoffMs: number;
  /** The longest wait a Retry-After may ask for; a longer one fails at once with `rate_limited` (default 60 000 ms). */
  maxRetryAfterMs: number;
  /** Pages a stream may follow (default 1000); a definition's `max_pages` wins. */
  maxPages: number;
  /** Largest remote response body read (default 50 MiB). */
  maxResponseBytes: number;
}

export const defaultTransportLimits: TransportLimits = Object.freeze({
  timeoutMs: 30_000,
  maxRetries: 2,
  maxRateLimitRetries: 3,
  backoffMs: 250,
  maxRetryAfterMs: 60_000,
  maxPages: 1000,
  maxResponseBytes: 50 * 1024 * 1024,
});

/** One step of a call, as hooks and the debug trace see it (secrets redacted). */
export interface StepEvent {
  step: string;
  durationMs: number;
  input?: unknown;
  output?: unknown;
  error?: { code: string; message: string };
}

/** One remote HTTP exchange (secrets redacted). */
export interface RemoteCallEvent {
  purpose: string;
  attempt: number;
  request: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  response?: { status: number; headers: Record<string, string>; body?: unknown };
  error?: { code: string; message: string };
  durationMs: number;
}

/** Observability: called for every step and every remote call. Nothing is logged by default. */
export interface ExecuteHooks {
  onStep?(event: StepEvent): void;
  onRemoteCall?(event: RemoteCallEvent): void;
}

export interface ExecuteOptions {
  fetch?: FetchLike;
  signal?: AbortSignal;
  /**
   * A time budget for the whole call, in milliseconds: every remote call, retry and wait must end
   * within it, else the call fails with `request_timeout` (504). A retry whose wait would outlast
   * it fails at once rather than waiting. Each remote call keeps its own `timeout_ms` too. For a
   * `stream` result it covers the call until the body is returned; the stream's pages then have
   * only their own timeouts. `unimap serve` sets it from `requestTimeoutMs`.
   */
  timeoutMs?: number;
  hooks?: ExecuteHooks;
  /** Replaces `setTimeout`-based waiting (tests; schedulers). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}
