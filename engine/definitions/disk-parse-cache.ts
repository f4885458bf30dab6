/**
 * The parse cache on disk (Node only): one JSON file per definition text, named by a SHA-256 of
 * the text, the engine's cache format, jsonata's version and the integration schema, so a
 * changed file, a new engine, a new jsonata or a new schema never reads a stale entry. Best
 * effort: an unreadable, corrupt or unwritable cache is ignored and the definitions are parsed
 * as if there were none.
 */
import type { CachedParse, ParseCache } from './parse-cache.js';
import { nodeBuiltinsNow, requireFromNode } from '../node-builtins.js';
import integrationSchema from '../../schemas/integration.schema.json' with { type: 'json' };

// Bump when the cached shape or what the engine derives from it changes (the binding lint included).
const FORMAT = 'unimap-parse-cache/2';

let salt: string | undefined;

/**
 * What every key is salted with: the format, jsonata's version, and the integration schema (an
 * entry marked `checked` was validated against it, so a changed schema is a new key).
 */
function cacheSalt(): string {
  if (salt !== undefined) return salt;
  const { crypto } = nodeBuiltinsNow();
  const jsonataPackage = requireFromNode<{ version?: unknown }>('jsonata/package.json');
  // Not resolvable from here: every version shares 'unknown'.
  const jsonataVersion = jsonataPackage ? String(jsonataPackage.version) : 'unknown';
  const schemaHash = crypto.createHash('sha256').update(JSON.stringify(integrationSchema)).digest('hex');
  return (salt = `${FORMAT}\0${jsonataVersion}\0${schemaHash}\0`);
}

/** Entries kept at most: each edited definition adds one, so older ones are dropped (least recently written first). */
export const MAX_ENTRIES = 256;

function prune(dir: string, keep: number): void {
  const { fs: { readdirSync, rmSync, statSync }, path: { join } } = nodeBuiltinsNow();
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  if (files.length <= keep) return;
  const dated = files.map((f) => {
    try {
      return { f, t: statSync(join(dir, f)).mtimeMs };
    } catch {
      return { f, t: 0 };
    }
  });
  dated.sort((a, b) => a.t - b.t);
  for (const { f } of dated.slice(0, dated.length - keep)) rmSync(join(dir, f), { force: true });
}

/** Needs Node's built-ins: call it on Node 20.16+, or after `nodeBuiltins()` (reading the folder does that). */
export function diskParseCache(dir: string, maxEntries = MAX_ENTRIES): ParseCache {
  const { crypto: { createHash }, fs: { mkdirSync, readFileSync, renameSync, writeFileSync }, path: { join } } = nodeBuiltinsNow();
  const salted = cacheSalt();
  const fileFor = (text: string) => join(dir, `${createHash('sha256').update(salted).update(text).digest('hex')}.json`);
  return {
    get(text) {
      try {
        const entry = JSON.parse(readFileSync(fileFor(text), 'utf8')) as Partial<CachedParse>;
        if (entry && typeof entry === 'object' && 'data' in entry && entry.asts && typeof entry.asts === 'object') return entry as CachedParse;
      } catch {
        // missing or unreadable: parse
      }
      return undefined;
    },
    set(text, entry) {
      try {
        mkdirSync(dir, { recursive: true });
        const file = fileFor(text);
        // Written beside and renamed, so a concurrent reader never sees half a file.
        const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        writeFileSync(temp, JSON.stringify(entry));
        renameSync(temp, file);
        prune(dir, maxEntries);
      } catch {
        // read-only or full disk: no cache
      }
    },
  };
}

/** The parse cache for a definitions folder: in `dir`, else the default place (undefined: none). */
export function folderParseCache(definitions: string, dir?: string): ParseCache | undefined {
  const where = dir ?? defaultParseCacheDir(definitions);
  return where ? diskParseCache(where) : undefined;
}

/**
 * Where a definitions folder's cache goes by default: `node_modules/.cache/unimap` of the nearest
 * folder above it that has a `node_modules` (as Babel, ESLint and Vite do), so it is as trusted
 * as the installed code. Undefined when there is none: then nothing is cached.
 */
export function defaultParseCacheDir(definitions: string): string | undefined {
  const { fs: { existsSync, statSync }, path: { dirname, join, resolve } } = nodeBuiltinsNow();
  let dir = resolve(definitions);
  try {
    if (!statSync(dir).isDirectory()) dir = dirname(dir);
  } catch {
    return undefined;
  }
  for (;;) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'unimap');
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
