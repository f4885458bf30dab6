import type { Auth } from '../definitions/definition-types.js';
import { UnimapError } from '../errors.js';
import { evaluateSlot, type CompiledSlot } from '../expressions/evaluate.js';
import { getPath, isPlainObject } from '../expressions/plain.js';
import type { RemoteRequest } from '../pipeline/call.js';
import { checkHeaders } from '../pipeline/headers.js';
import { fillBaseUrl, fillTemplate } from '../pipeline/placeholders.js';
import { passStops, type Deadline } from './deadline.js';
import type { Redactor } from './redact.js';
import { base64 } from './base64.js';
import { schemaKey } from '../definitions/validators.js';
import { send } from './send.js';
import type { FetchLike, RemoteCallEvent } from './types.js';

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** OAuth2 access tokens, per engine: fetched once, reused until shortly before they expire. */
export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string, fetchToken: () => Promise<{ token: string; expiresInSeconds: number }>): Promise<string> {
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return cached.token;
    // Concurrent calls for the same account share one token request.
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const request = fetchToken()
      .then(({ token, expiresInSeconds }) => {
        // Refresh 30 s early so a token does not expire in flight.
        this.tokens.set(key, { token, expiresAt: this.now() + Math.max(0, expiresInSeconds - 30) * 1000 });
        return token;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, request);
    return request;
  }

  invalidate(key: string): void {
    this.tokens.delete(key);
  }
}

export interface AuthEnvironment {
  context: Record<string, unknown>;
  tokens: TokenCache;
  fetch: FetchLike;
  timeoutMs: number;
  maxBytes: number;
  signal?: AbortSignal;
  deadline?: Deadline;
  redactor: Redactor;
  what: string;
  integration: string;
  expression?: CompiledSlot;
  onRemoteCall?: (event: RemoteCallEvent) => void;
}

/** The token cache key: one token per token URL, client and scope. */
export function tokenKey(auth: Extract<Auth, { type: 'oauth2_client_credentials' }>, env: AuthEnvironment): string {
  const scope = { context: env.context };
  // The secret is part of the key (hashed), so a rotated secret fetches a new token at once.
  const secret = schemaKey({ s: fillTemplate(auth.client_secret, scope, 'the OAuth2 client_secret') });
  return [fillTemplate(auth.token_url, scope, 'the OAuth2 token_url'), fillTemplate(auth.client_id, scope, 'the OAuth2 client_id'), auth.scope ? fillTemplate(auth.scope, scope, 'the OAuth2 scope') : '', secret].join('\u0000');
}

async function fetchToken(auth: Extract<Auth, { type: 'oauth2_client_credentials' }>, env: AuthEnvironment): Promise<{ token: string; expiresInSeconds: number }> {
  const scope = { context: env.context };
  const url = fillBaseUrl(auth.token_url, scope, `the OAuth2 token_url of ${env.integration}`);
  const clientId = fillTemplate(auth.client_id, scope, `the OAuth2 client_id of ${env.integration}`);
  const clientSecret = fillTemplate(auth.client_secret, scope, `the OAuth2 client_secret of ${env.integration}`);
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (auth.client_auth === 'basic') headers.authorization = `Basic ${base64(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`)}`;
  else {
    form.set('client_id', clientId);
    form.set('client_secret', clientSecret);
  }
  if (auth.scope) form.set('scope', fillTemplate(auth.scope, scope, `the OAuth2 scope of ${env.integration}`));
  const request: RemoteRequest = { method: 'POST', url, headers, body: form.toString() };
  const started = Date.now();
  const sendInput: Parameters<typeof send>[0] = { request, responseFormat: 'auto', timeoutMs: env.timeoutMs, maxBytes: env.maxBytes, fetch: env.fetch, redactor: env.redactor, what: `${env.what} (OAuth2 token)` };
  passStops(sendInput, env.signal, env.deadline);
  let response;
  try {
    response = await send(sendInput);
  } catch (error) {
    env.onRemoteCall?.({ purpose: 'oauth2_token', attempt: 1, request: redactRequest(request, env.redactor), error: errorSummary(error), durationMs: Date.now() - started });
    throw error;
  }
  const token = getPath(response.body, 'access_token');
  if (typeof token === 'string' && token) env.redactor.add(token);
  env.onRemoteCall?.({
    purpose: 'oauth2_token',
    attempt: 1,
    request: redactRequest(request, env.redactor),
    response: { status: response.status, headers: env.redactor.headers(response.headers ?? {}), body: env.redactor.value(response.body) },
    durationMs: Date.now() - started,
  });
  if (response.status < 200 || response.status >= 300 || typeof token !== 'string' || !token) {
    const reason = [getPath(response.body, 'error'), getPath(response.body, 'error_description')].filter((v) => typeof v === 'string').join(': ');
    throw new UnimapError('auth_failed', `${env.what}: the OAuth2 token request to ${new URL(url).origin} failed (${response.status}${reason ? ` ${reason}` : ''}); check the account's client credentials`, {
      statusCode: 401,
      remote: { status: response.status, headers: env.redactor.headers(response.headers ?? {}), body: env.redactor.value(response.body) },
    });
  }
  const expires = Number(getPath(response.body, 'expires_in'));
  return { token, expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : 3600 };
}

export function redactRequest(request: RemoteRequest, redactor: Redactor): RemoteCallEvent['request'] {
  const out: RemoteCallEvent['request'] = { method: request.method, url: redactor.text(request.url), headers: redactor.headers(request.headers) };
  if (request.body !== undefined) out.body = redactor.value(request.body);
  return out;
}

export function errorSummary(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown };
  return { code: typeof e?.code === 'string' ? e.code : 'error', message: typeof e?.message === 'string' ? e.message : String(error) };
}

/**
 * Applies the definition's auth to a request, last, so neither a mapping nor `remote_query`
 * can replace a credential. Credentials come only from the account context.
 */
export async function applyAuth(request: RemoteRequest, auth: Auth | undefined, env: AuthEnvironment): Promise<RemoteRequest> {
  if (!auth || auth.type === 'none') return request;
  const scope = { context: env.context };
  const headers = { ...request.headers };
  let url = request.url;
  switch (auth.type) {
    case 'bearer':
      headers.authorization = `Bearer ${fillTemplate(auth.token, scope, `the bearer token of ${env.integration}`)}`;
      break;
    case 'basic': {
      const user = fillTemplate(auth.username, scope, `the basic-auth username of ${env.integration}`);
      const password = fillTemplate(auth.password, scope, `the basic-auth password of ${env.integration}`);
      headers.authorization = `Basic ${base64(`${user}:${password}`)}`;
      break;
    }
    case 'api_key': {
      const value = fillTemplate(auth.value, scope, `the API key of ${env.integration}`);
      if (auth.in === 'header') headers[auth.name.toLowerCase()] = value;
      else {
        const parsed = new URL(url);
        parsed.searchParams.set(auth.name, value); // set, not append: remote_query cannot smuggle another
        url = parsed.toString();
      }
      break;
    }
    case 'oauth2_client_credentials': {
      const token = await env.tokens.get(tokenKey(auth, env), () => fetchToken(auth, env));
      env.redactor.add(token);
      headers.authorization = `Bearer ${token}`;
      break;
    }
    case 'expression': {
      if (!env.expression) break;
      const added = await evaluateSlot(env.expression, { url, requestOptions: { method: request.method, headers, body: request.body }, context: env.context });
      if (added !== undefined && added !== null && !isPlainObject(added)) {
        throw new UnimapError('invalid_mapping_result', `auth.expression of ${env.integration} must return an object of headers`, { statusCode: 500 });
      }
      const lowered: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(added ?? {})) lowered[name.toLowerCase()] = value;
      Object.assign(headers, checkHeaders(lowered, `auth.expression of ${env.integration}`, env.expression.origin));
      break;
    }
  }
  // A credential with CR/LF or non-ASCII is refused here, as a 400, rather than by fetch as a network error.
  return { ...request, url, headers: checkHeaders(headers, `the auth of ${env.integration}`) };
}
