/** A stored response, replayed for a repeated Idempotency-Key. */
export interface StoredResponse {
  /** Fingerprint of the request that produced it (method, path, query, body). */
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Where idempotency keys live. Implement it over a shared store (Redis, a database) when running several instances. */
export interface IdempotencyStore {
  get(key: string): Promise<StoredResponse | 'pending' | undefined>;
  /** Marks a key as in flight; false when it already exists. */
  begin(key: string, fingerprint: string): Promise<boolean>;
  finish(key: string, response: StoredResponse): Promise<void>;
  /** Forgets an in-flight key whose request failed before a response worth keeping. */
  abandon(key: string): Promise<void>;
}

/**
 * The default store: in memory, per process. A key is kept for `retentionMs` (24 hours by
 * default) after its response, and at most `maxEntries` keys (oldest dropped first).
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, { value: StoredResponse | 'pending'; fingerprint: string; at: number }>();

  constructor(
    readonly retentionMs = 24 * 60 * 60 * 1000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  private sweep(): void {
    const cutoff = this.now() - this.retentionMs;
    for (const [key, entry] of this.entries) {
      if (entry.at >= cutoff && this.entries.size <= this.maxEntries) break;
      if (entry.value !== 'pending' || entry.at < cutoff) this.entries.delete(key);
    }
  }

  async get(key: string): Promise<StoredResponse | 'pending' | undefined> {
    this.sweep();
    return this.entries.get(key)?.value;
  }

  async begin(key: string, fingerprint: string): Promise<boolean> {
    this.sweep();
    if (this.entries.has(key)) return false;
    this.entries.set(key, { value: 'pending', fingerprint, at: this.now() });
    return true;
  }

  async finish(key: string, response: StoredResponse): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { value: response, fingerprint: response.fingerprint, at: this.now() });
  }

  async abandon(key: string): Promise<void> {
    this.entries.delete(key);
  }
}
