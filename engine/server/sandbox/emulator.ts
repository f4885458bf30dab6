/**
 * A sandbox emulator: a vendor's API in miniature, speaking its documented wire format
 * (paths, pagination, errors, auth), seeded with demo records and keeping writes in memory.
 * Emulators are web-standard handlers with no Node built-ins, so they run anywhere.
 */
export interface Emulator {
  /** The integration it emulates (`jamf`). */
  integration: string;
  /** The public origins it answers for, as the definition's URLs name them (`https://sandbox.jamfcloud.com`). */
  origins: string[];
  /** The demo account's context: what `sandbox-<integration>` uses. Credentials are demo values. */
  context: Record<string, unknown>;
  /** Answers one request; `request.url` carries the public origin. */
  handle(request: Request): Promise<Response>;
}

/** A JSON response. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

/** A response with no body (204). */
export function empty(status = 204): Response {
  return new Response(null, { status });
}

/** Reads a request body as JSON, or form fields, or undefined. */
export async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text) return undefined;
  const type = request.headers.get('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** `Bearer <token>` of a request, if any. */
export function bearer(request: Request): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '');
  return match?.[1];
}

/** A deep copy, so stored records never share objects with responses. */
export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** A tiny in-memory table keyed by id, in insertion order. */
export class Table<T extends Record<string, unknown>> {
  private readonly rows = new Map<string, T>();
  private next: number;

  constructor(seed: T[], private readonly idKey = 'id', firstNewId = 1000) {
    for (const row of seed) this.rows.set(String(row[idKey]), clone(row));
    this.next = firstNewId;
  }

  all(): T[] {
    return [...this.rows.values()].map(clone);
  }

  // The lookups below test the stored rows and copy only what they return: a duplicate check on
  // every create would otherwise copy the whole table. Tests must only read the row.

  /** Copies of the rows that pass `test`. */
  filter(test: (row: T) => boolean): T[] {
    const out: T[] = [];
    for (const row of this.rows.values()) if (test(row)) out.push(clone(row));
    return out;
  }

  /** A copy of the first row that passes `test`. */
  find(test: (row: T) => boolean): T | undefined {
    for (const row of this.rows.values()) if (test(row)) return clone(row);
    return undefined;
  }

  /** Whether any row passes `test`. */
  some(test: (row: T) => boolean): boolean {
    for (const row of this.rows.values()) if (test(row)) return true;
    return false;
  }

  /** How many rows pass `test`. */
  count(test: (row: T) => boolean): number {
    let n = 0;
    for (const row of this.rows.values()) if (test(row)) n++;
    return n;
  }

  /** Whether a row has this id. */
  has(id: string): boolean {
    return this.rows.has(id);
  }

  get(id: string): T | undefined {
    const row = this.rows.get(id);
    return row ? clone(row) : undefined;
  }

  /** Inserts a row; `makeId` gets a fresh number (use it as a string or a number as the vendor does). */
  insert(make: (id: number) => T): T {
    const row = make(this.next++);
    this.rows.set(String(row[this.idKey]), clone(row));
    return clone(row);
  }

  update(id: string, patch: Partial<T>): T | undefined {
    const row = this.rows.get(id);
    if (!row) return undefined;
    const merged = { ...row, ...clone(patch) };
    this.rows.set(id, merged);
    return clone(merged);
  }

  replace(id: string, row: T): T | undefined {
    if (!this.rows.has(id)) return undefined;
    this.rows.set(id, clone(row));
    return clone(row);
  }

  delete(id: string): boolean {
    return this.rows.delete(id);
  }
}
