/**
 * Node's built-in modules for the two places the core touches the file system (reading a
 * definitions folder, the parse cache on disk), without importing them at the top of a module:
 * the core must also load on Workers, Deno and in browsers. `process.getBuiltinModule` (Node
 * 20.16+) hands them over synchronously; before it, they are imported once by `nodeBuiltins()`.
 * `loadEngine` used to import these two modules on its first folder load, and the first
 * `import()` of a file in a Node process costs about 10 ms.
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

type GetBuiltin = (id: string) => unknown;

let imported: NodeBuiltins | undefined;

function fromProcess(): NodeBuiltins | undefined {
  const get = (globalThis as { process?: { getBuiltinModule?: GetBuiltin } }).process?.getBuiltinModule;
  if (typeof get !== 'function') return undefined;
  return {
    crypto: get('node:crypto') as typeof Crypto,
    fs: get('node:fs') as typeof Fs,
    module: get('node:module') as typeof Module,
    path: get('node:path') as typeof Path,
  };
}

/** The built-ins, imported if this Node has no `process.getBuiltinModule`. Rejects outside Node. */
export async function nodeBuiltins(): Promise<NodeBuiltins> {
  const found = imported ?? fromProcess();
  if (found) return (imported = found);
  const [crypto, fs, module, path] = await Promise.all([import('node:crypto'), import('node:fs'), import('node:module'), import('node:path')]);
  return (imported = { crypto, fs, module, path });
}

/** The built-ins now: from `process.getBuiltinModule`, or from an earlier `nodeBuiltins()`. */
export function nodeBuiltinsNow(): NodeBuiltins {
  const found = imported ?? fromProcess();
  if (!found) throw new Error('Node built-in modules are not loaded: await nodeBuiltins() first (reading definitions from disk needs Node)');
  return (imported = found);
}
