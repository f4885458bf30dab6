import type { IntegrationDefinition } from '../definitions/definition-types.js';
import { isPlainObject } from '../expressions/plain.js';
import { base64 } from './base64.js';

export const REDACTED = '[REDACTED]';

// A key names a secret when its last word does: `access_token`, `client-secret`, `apiKey`, `password`
// (but not `token_type` or `monkey`).
const secretWord = /(^|[-_ .])(token|secret|password|passwd|passphrase|api[-_]?key|apikey|key|credentials?|signature|session|cookie|private[-_]?key)$/i;
const secretCamel = /[a-z0-9](Token|Secret|Password|Passphrase|Key|Credentials?|Signature|Session|Cookie)$/;
/** Whether a field name says it holds a secret. */
export function isSecretName(name: string): boolean {
  return secretWord.test(name) || secretCamel.test(name);
}
const secretName = { test: isSecretName };
const secretHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-auth-token']);

const unencoded = /^[A-Za-z0-9*._-]*$/;

/** A secret as it may appear in text: as is, URL-encoded, and form-encoded (`+` for space, `~!'()` escaped). */
function encodings(secret: string): string[] {
  // Most tokens use only characters both encodings leave alone: skip building the encoded forms.
  if (unencoded.test(secret)) return [secret];
  const forms = [secret];
  try {
    forms.push(encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2));
  } catch {
    // Not valid Unicode (a lone surrogate): it can only appear as is.
  }
  return [...new Set(forms)];
}

/** Replaces every secret (and its URL-encoded and Base64 forms) in strings, everywhere in a value. */
export class Redactor {
  private readonly secrets: string[];
  private readonly headerNames: Set<string>;

  constructor(secrets: Iterable<string>, extraHeaderNames: Iterable<string> = []) {
    const all = new Set<string>();
    for (const secret of secrets) {
      // Very short values would redact ordinary text; they are not credentials anyway.
      if (secret.length < 4) continue;
      for (const form of encodings(secret)) all.add(form);
      all.add(base64(secret));
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...all].sort((a, b) => b.length - a.length);
    this.headerNames = new Set([...secretHeaders, ...[...extraHeaderNames].map((h) => h.toLowerCase())]);
  }

  /** Adds a secret learned at run time (an OAuth2 access token). */
  add(secret: string): void {
    if (secret.length >= 4 && !this.secrets.includes(secret)) {
      this.secrets.push(...encodings(secret));
      this.secrets.sort((a, b) => b.length - a.length);
    }
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  headers(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) out[name] = this.headerNames.has(name.toLowerCase()) ? REDACTED : this.text(value);
    return out;
  }

  value<T>(value: T): T {
    return this.deep(value, 0) as T;
  }

  private deep(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') return value;
    // Data this deep is refused on the way in (checkDepth); never hand it out unredacted.
    if (depth > 300) return REDACTED;
    if (Array.isArray(value)) return value.map((v) => this.deep(v, depth + 1));
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      // Keys are redacted too: a secret can be used as a key.
      out[this.text(key)] = secretName.test(key) && typeof child === 'string' && child ? REDACTED : this.deep(child, depth + 1);
    }
    return out;
  }
}

/** The secrets of an account: context fields the definition marks `secret`, and any whose name says so. */
export function accountSecrets(definition: IntegrationDefinition, context: Record<string, unknown>): string[] {
  const secrets: string[] = [];
  const declared = definition.context ?? {};
  const visit = (value: unknown, name: string, marked: boolean): void => {
    if (typeof value === 'string' || typeof value === 'number') {
      if (marked || secretName.test(name)) secrets.push(String(value));
    } else if (isPlainObject(value)) {
      for (const [key, child] of Object.entries(value)) visit(child, key, marked || secretName.test(key));
    }
  };
  for (const [key, value] of Object.entries(context)) visit(value, key, declared[key]?.secret === true);
  const auth = definition.auth;
  if (auth?.type === 'basic') {
    const user = lookupTemplate(auth.username, context);
    const password = lookupTemplate(auth.password, context);
    if (user !== undefined && password !== undefined) secrets.push(`${user}:${password}`);
  }
  if (auth?.type === 'oauth2_client_credentials') {
    const id = lookupTemplate(auth.client_id, context);
    const secret = lookupTemplate(auth.client_secret, context);
    if (id !== undefined && secret !== undefined) secrets.push(`${id}:${secret}`);
  }
  return secrets;
}

function lookupTemplate(template: string, context: Record<string, unknown>): string | undefined {
  const match = /^\{\{\s*context\.([\w.]+)\s*\}\}$/.exec(template);
  if (!match) return undefined;
  const value = context[match[1]!];
  return value === undefined || value === null ? undefined : String(value);
}

export function createRedactor(definition: IntegrationDefinition, context: Record<string, unknown>): Redactor {
  const extra: string[] = [];
  if (definition.auth?.type === 'api_key' && definition.auth.in === 'header') extra.push(definition.auth.name);
  return new Redactor(accountSecrets(definition, context), extra);
}
