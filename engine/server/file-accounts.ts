import { readFile, writeFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { UnimapError } from '../errors.js';
import { isPlainObject } from '../expressions/plain.js';
import type { Account } from '../transport/types.js';
import { isSecretName } from '../transport/redact.js';
import type { AccountStore } from './accounts.js';

/**
 * Integrated accounts in a YAML or JSON file:
 *
 *   accounts:
 *     - id: acme-jamf
 *       integration: jamf
 *       context:
 *         instance_host: acme.jamfcloud.com
 *         access_token: { env: ACME_JAMF_TOKEN }   # a secret: read from the environment
 *
 * A value `{ env: NAME }` is read from the environment at each lookup. Secrets live only there:
 * `put` refuses a plain value for a field that names a secret, and writes env references back.
 */
export class FileAccountStore implements AccountStore {
  private raw: Record<string, unknown>[] = [];

  private constructor(
    readonly file: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  static async open(file: string, env: Record<string, string | undefined> = process.env): Promise<FileAccountStore> {
    const store = new FileAccountStore(file, env);
    await store.reload();
    return store;
  }

  async reload(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      throw new UnimapError('invalid_call', `cannot read the accounts file ${this.file}`, { statusCode: 500 });
    }
    const data = /\.json$/i.test(this.file) ? (JSON.parse(text) as unknown) : (parse(text) as unknown);
    const list = isPlainObject(data) && Array.isArray(data.accounts) ? data.accounts : Array.isArray(data) ? data : undefined;
    if (!list) throw new UnimapError('invalid_call', `${this.file}: expected \`accounts: [ {id, integration, context} ]\``, { statusCode: 500 });
    for (const [i, entry] of list.entries()) {
      if (!isPlainObject(entry) || typeof entry.id !== 'string' || typeof entry.integration !== 'string') {
        throw new UnimapError('invalid_call', `${this.file}: accounts[${i}] needs \`id\` and \`integration\``, { statusCode: 500 });
      }
    }
    this.raw = list as Record<string, unknown>[];
  }

  private resolve(value: unknown): unknown {
    if (isPlainObject(value) && typeof value.env === 'string' && Object.keys(value).length === 1) return this.env[value.env];
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
    return value;
  }

  async get(id: string): Promise<Account | undefined> {
    const entry = this.raw.find((a) => a.id === id);
    if (!entry) return undefined;
    const account: Account = { id, integration: String(entry.integration), context: (this.resolve(entry.context ?? {}) as Record<string, unknown>) ?? {} };
    if (isPlainObject(entry.overrides)) account.overrides = entry.overrides as Account['overrides'] & object;
    return account;
  }

  ids(): string[] {
    return this.raw.map((a) => String(a.id));
  }

  /** Adds or replaces an account. Secret-named context fields must be `{ env: NAME }` references. */
  async put(account: { id: string; integration: string; context: Record<string, unknown>; overrides?: unknown }): Promise<void> {
    for (const [key, value] of Object.entries(account.context)) {
      if (isSecretName(key) && !(isPlainObject(value) && typeof value.env === 'string')) {
        throw new UnimapError('invalid_call', `context.${key} is a secret: store it as { env: NAME } and put the value in the environment`, { statusCode: 400 });
      }
    }
    this.raw = [...this.raw.filter((a) => a.id !== account.id), account as unknown as Record<string, unknown>];
    const data = { accounts: this.raw };
    await writeFile(this.file, /\.json$/i.test(this.file) ? `${JSON.stringify(data, null, 2)}\n` : stringify(data));
  }
}
