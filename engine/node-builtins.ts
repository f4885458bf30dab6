/**
 * Node's built-in modules and `require`, got at run time, so that no module of the core imports a
 * Node built-in: the core must also load on Workers, Deno and in browsers.
 *
 * - Built-ins, for the two places the core touches the file system (reading a definitions
 *   folder, the parse cache on disk): `process.getBuiltinModule` (Node 20.16+) hands them over
 *   synchronously; before it, `nodeBuiltins()` imports them. (`loadEngine` used to `import()`
 *   two modules on its first folder load, and the first `import()` of a file in a Node process
 *   costs about 10 ms.)
 * - `require`, for CommonJS libraries: Node 20 imports CommonJS into an ES module only after
 *   scanning its whole source for export names (cjs-module-lexer, itself cold at start-up) and,
 *   in a package without a `"type"`, compiling it once more to detect its format; `require` does
 *   neither, and can wait until a library is needed, where an `import` cannot without making the
 *   caller async. Where there is no `require`, the library modules import as usual.
 */
import type * as Crypto from 'node:crypto';
import type * as Fs from 'node:fs';
import type * as Module from 'node:module';
import type * as Path from 'node:path';

export interface NodeBuiltins {
  crypto: typeof Crypto;
  fs: typeof Fs;
  module: typeof Module;
  path: typeof Path;
}

/** `process.getBuiltinModule(id)`, or undefined where there is none. */
function builtin<T>(id: string): T | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  return typeof get === 'function' ? (get(id) as T | undefined) : undefined;
}

let imported: NodeBuiltins | undefined;

function fromProcess(): NodeBuiltins | undefined {
  const fs = builtin<typeof Fs>('node:fs');
  if (!fs) return undefined;
  return { crypto: builtin<typeof Crypto>('node:crypto')!, fs, module: builtin<typeof Module>('node:module')!, path: builtin<typeof Path>('node:path')! };
}

/** The built-ins, imported if this Node has no `process.getBuiltinModule`. Rejects outside Node. */
export async function nodeBuiltins(): Promise<NodeBuiltins> {
  const found = imported ?? fromProcess();
  if (found) return (imported = found);
  // Specifiers in a variable: a bundler (the Worker's esbuild, a browser build) leaves them be.
  const load = (id: string) => import(id) as Promise<unknown>;
  const [crypto, fs, module, path] = await Promise.all(['node:crypto', 'node:fs', 'node:module', 'node:path'].map(load));
  return (imported = { crypto: crypto as typeof Crypto, fs: fs as typeof Fs, module: module as typeof Module, path: path as typeof Path });
}

/** The built-ins now: from `process.getBuiltinModule`, or from an earlier `nodeBuiltins()`. */
export function nodeBuiltinsNow(): NodeBuiltins {
  const found = imported ?? fromProcess();
  if (!found) throw new Error('Node built-in modules are not loaded: await nodeBuiltins() first (reading definitions from disk needs Node)');
  return (imported = found);
}

type Require = ((id: string) => unknown) & { resolve(id: string): string };

let nodeRequire: Require | undefined;

/** Node's `require`, from `process.getBuiltinModule`'s `node:module` or one `nodeBuiltins()` imported. */
function requireFunction(): Require | undefined {
  if (nodeRequire) return nodeRequire;
  try {
    nodeRequire = (imported?.module ?? builtin<typeof Module>('node:module'))?.createRequire(import.meta.url);
  } catch {
    // not Node after all: no require
  }
  return nodeRequire;
}

/** Whether `requireFromNode(id)` will find the library: Node with a `require`, and `id` resolves from here. */
export function canRequireFromNode(id: string): boolean {
  const require = requireFunction();
  if (!require) return false;
  try {
    require.resolve(id);
    return true;
  } catch {
    return false;
  }
}

/** The library `require(id)` gives, or undefined where there is no Node `require` or it cannot find it. */
export function requireFromNode<T>(id: string): T | undefined {
  const require = requireFunction();
  if (!require) return undefined;
  try {
    return require(id) as T;
  } catch {
    return undefined;
  }
}

/** `require(id)` for a library `canRequireFromNode(id)` found: a failure now is a broken install, said plainly. */
export function requireInstalled<T>(id: string): T {
  const library = requireFromNode<T>(id);
  if (library === undefined) throw new Error(`${id} resolves but could not be loaded with require: reinstall the dependencies (npm ci)`);
  return library;
}
