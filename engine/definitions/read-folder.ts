import type { DefinitionSource } from './load.js';
import { nodeBuiltins } from '../node-builtins.js';

const definitionFile = /\.ya?ml$/i;

/**
 * The integration definitions in a folder (or one file): `mappings/*.yaml`. Fixture folders
 * beside them are not definitions. Read synchronously: it runs once, at start-up, for a few small
 * files, and fs/promises' round trips through the thread pool cost a cold start 3–8 ms more.
 */
export async function readDefinitionFolder(path: string): Promise<DefinitionSource[]> {
  const { fs: { readdirSync, readFileSync, statSync }, path: { join, relative } } = await nodeBuiltins();
  const files = statSync(path).isDirectory()
    ? readdirSync(path).filter((f) => definitionFile.test(f)).sort().map((f) => join(path, f))
    : [path];
  const cwd = process.cwd();
  return files.map((file) => ({ file: relative(cwd, file) || file, text: readFileSync(file, 'utf8') }));
}

/** Unified model schemas (`*.json`) in a folder, searched recursively. */
export async function readSchemaFolder(path: string): Promise<object[]> {
  const { fs: { promises: { readdir, readFile } }, path: { join } } = await nodeBuiltins();
  const out: object[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.json')) {
        const schema = JSON.parse(await readFile(full, 'utf8')) as Record<string, unknown>;
        if (schema['x-unimap']) out.push(schema);
      }
    }
  };
  await walk(path);
  return out;
}
