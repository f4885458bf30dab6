/**
 * A cache of what parsing a definition produced: its YAML as data and its expressions' syntax
 * trees, keyed by the file's exact text. With it, a restart skips parsing; locations for
 * problems are still exact, because the YAML is parsed again whenever a location is asked for.
 * The engine only reads and writes through this interface; `disk-parse-cache.ts` keeps it on disk.
 */
import type { AstJson } from '../expressions/ast-json.js';

export interface ParseCache {
  /** What was cached for exactly this text, if anything. */
  get(text: string): CachedParse | undefined;
  set(text: string, entry: CachedParse): void;
}

export interface CachedParse {
  /** The YAML document as data. */
  data: unknown;
  /** Expression source → its syntax tree in `astToJson` form. Expressions missing here are parsed. */
  asts: Record<string, AstJson>;
  /**
   * The text had no problem at all when it was cached, so a load skips its schema validation and
   * binding lint. Valid only for the integration schema and lint it was checked with: a cache
   * kept across engine versions must be keyed by version, as the disk cache is.
   */
  checked?: boolean;
}

/** Plain JSON that survives a JSON round trip unchanged (no -0, NaN, Infinity or undefined). */
export function isJsonSafe(value: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every((item) => isJsonSafe(item, depth + 1));
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every((item) => isJsonSafe(item, depth + 1));
}

/** A cache in memory, for tests and for hosts that keep engines' parses themselves. */
export function memoryParseCache(): ParseCache & { entries: Map<string, CachedParse> } {
  const entries = new Map<string, CachedParse>();
  return {
    entries,
    get: (text) => {
      const entry = entries.get(text);
      // A copy, as a disk cache would give: nothing outside may share the engine's data.
      return entry && (JSON.parse(JSON.stringify(entry)) as CachedParse);
    },
    set: (text, entry) => void entries.set(text, JSON.parse(JSON.stringify(entry)) as CachedParse),
  };
}
