import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { DefinitionSource } from './load.js';

const definitionFile = /\.ya?ml$/i;

/** The integration definitions in a folder (or one file): `mappings/*.yaml`. Fixture folders beside them are not definitions. */
export async function readDefinitionFolder(path: string): Promise<DefinitionSource[]> {
  const info = await stat(path);
  const files = info.isDirectory()
    ? (await readdir(path)).filter((f) => definitionFile.test(f)).sort().map((f) => join(path, f))
    : [path];
  const cwd = process.cwd();
  return Promise.all(
    files.map(async (file) => ({ file: relative(cwd, file) || file, text: await readFile(file, 'utf8') })),
  );
}

/** Unified model schemas (`*.json`) in a folder, searched recursively. */
export async function readSchemaFolder(path: string): Promise<object[]> {
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
