import { UnimapError } from '../errors.js';
import { evaluateSlot, type CompiledSlot } from '../expressions/evaluate.js';
import type { RemoteRequest, RemoteResponse } from '../pipeline/call.js';
import { errorSummary, redactRequest } from './auth.js';
import { passStops, requestTimeout, timeLeft, type Deadline } from './deadline.js';
import type { Redactor } from './redact.js';
import { send, type ResponseFormat } from './send.js';
import type { FetchLike, RemoteCallEvent, TransportLimits } from './types.js';

export interface ExchangeInput {
  request: RemoteRequest;
  purpose: string;
  responseFormat: ResponseFormat;
  timeoutMs: number;
  limits: TransportLimits;
  fetch: FetchLike;
  signal?: AbortSignal;
  deadline?: Deadline;
  redactor: Redactor;
  what: string;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  rateLimit?: { isRateLimited?: CompiledSlot; retryAfter?: CompiledSlot };
  /** Re-authenticates after a 401 (OAuth2: a fresh token); called at most once. */
  reauthenticate?: (request: RemoteRequest) => Promise<RemoteRequest | undefined>;
  onRemoteCall?: (event: RemoteCallEvent) => void;
}

const idempotentMethods = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

export function isIdempotent(method: string): boolean {
  return idempotentMethods.has(method.toUpperCase());
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new UnimapError('aborted', 'the call was cancelled', { statusCode: 499 }));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new UnimapError('aborted', 'the call was cancelled', { statusCode: 499 }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function backoff(attempt: number, base: number): number {
  // Exponential with full jitter: spreads retries from many callers.
  return Math.round(base * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
}

/**
 * One remote request with its retries: a rate limit waits for Retry-After (capped) and retries;
 * a 5xx or a network error retries with backoff for idempotent methods only; a 401 re-authenticates
 * once. Every attempt is reported to `onRemoteCall`, redacted.
 */
export async function exchange(input: ExchangeInput): Promise<RemoteResponse> {
  let request = input.request;
  const idempotent = isIdempotent(request.method);
  let failures = 0;
  let rateLimited = 0;
  let reauthenticated = false;
  for (let attempt = 1; ; attempt++) {
    const started = Date.now();
    let response: RemoteResponse;
    try {
      const sendInput: Parameters<typeof send>[0] = {
        request,
        responseFormat: input.responseFormat,
        timeoutMs: input.timeoutMs,
        maxBytes: input.limits.maxResponseBytes,
        fetch: input.fetch,
        redactor: input.redactor,
        what: input.what,
      };
      passStops(sendInput, input.signal, input.deadline);
      response = await send(sendInput);
    } catch (error) {
      input.onRemoteCall?.({ purpose: input.purpose, attempt, request: redactRequest(request, input.redactor), error: errorSummary(error), durationMs: Date.now() - started });
      // Timeouts are not retried: a server that hangs once tends to hang again, and the caller waits.
      if (error instanceof UnimapError && error.code === 'remote_unreachable' && idempotent && failures < input.limits.maxRetries) {
        failures++;
        await waitToRetry(input, backoff(failures, input.limits.backoffMs));
        continue;
      }
      throw error;
    }
    const headers = response.headers ?? {};
    input.onRemoteCall?.({
      purpose: input.purpose,
      attempt,
      request: redactRequest(request, input.redactor),
      response: { status: response.status, headers: input.redactor.headers(headers), body: input.redactor.value(response.body) },
      durationMs: Date.now() - started,
    });

    if (await isRateLimited(input, response)) {
      const wait = (await retryAfterFromDefinition(input, response)) ?? retryAfterMs(headers['retry-after']) ?? backoff(rateLimited + 1, input.limits.backoffMs);
      const seconds = Math.ceil(wait / 1000);
      if (wait > input.limits.maxRetryAfterMs || rateLimited >= input.limits.maxRateLimitRetries) {
        throw new UnimapError('rate_limited', `${input.what}: the remote API is rate limiting this account${wait > input.limits.maxRetryAfterMs ? ` and asks to wait ${seconds} s` : ` (still limited after ${rateLimited} retries)`}`, {
          statusCode: 429,
          details: { retry_after_seconds: seconds },
          remote: { status: response.status, headers: input.redactor.headers(headers), body: input.redactor.value(response.body) },
        });
      }
      rateLimited++;
      await waitToRetry(input, wait);
      continue;
    }
    if (response.status === 401 && input.reauthenticate && !reauthenticated) {
      reauthenticated = true;
      const fresh = await input.reauthenticate(request);
      if (fresh) {
        request = fresh;
        continue;
      }
    }
    if (response.status >= 500 && idempotent && failures < input.limits.maxRetries) {
      failures++;
      await waitToRetry(input, backoff(failures, input.limits.backoffMs));
      continue;
    }
    return response;
  }
}

/** Waits before a retry, unless the wait would outlast the call's budget: then it fails at once. */
function waitToRetry(input: ExchangeInput, ms: number): Promise<void> {
  if (input.deadline && ms >= timeLeft(input.deadline)) {
    return Promise.reject(requestTimeout(input.deadline, `${input.what}: a retry would have to wait ${Math.ceil(ms / 1000)} s`));
  }
  return input.sleep(ms, input.signal);
}

async function isRateLimited(input: ExchangeInput, response: RemoteResponse): Promise<boolean> {
  if (response.status === 429) return true;
  const slot = input.rateLimit?.isRateLimited;
  if (!slot) return false;
  return Boolean(await evaluateSlot(slot, { status: response.status, headers: response.headers ?? {}, response: response.body }));
}

async function retryAfterFromDefinition(input: ExchangeInput, response: RemoteResponse): Promise<number | undefined> {
  const slot = input.rateLimit?.retryAfter;
  if (!slot) return undefined;
  const seconds = Number(await evaluateSlot(slot, { status: response.status, headers: response.headers ?? {}, response: response.body }));
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : undefined;
}
