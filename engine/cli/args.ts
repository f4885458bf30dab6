import { readFile } from 'node:fs/promises';
import { UsageError } from './output.js';

export interface ParsedArgs {
  positional: string[];
  options: Map<string, string[]>;
  flags: Set<string>;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag`s. Only the names in `valued` and
 * `booleans` are accepted; anything else is a usage error (exit 2).
 */
export function parseArgs(args: string[], valued: readonly string[], booleans: readonly string[]): ParsedArgs {
  const parsed: ParsedArgs = { positional: [], options: new Map(), flags: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (booleans.includes(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      parsed.flags.add(name);
    } else if (valued.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      parsed.options.set(name, [...(parsed.options.get(name) ?? []), value]);
    } else throw new UsageError(`unknown option --${name}`);
  }
  return parsed;
}

export function one(args: ParsedArgs, name: string): string | undefined {
  const values = args.options.get(name);
  if (values && values.length > 1) throw new UsageError(`--${name} may be given once`);
  return values?.[0];
}

/** A JSON argument given inline or as `@file` (JSON or YAML). */
export async function jsonArg(value: string | undefined, name: string): Promise<unknown> {
  if (value === undefined) return undefined;
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = await readFile(value.slice(1), 'utf8');
    } catch {
      throw new UsageError(`--${name}: cannot read ${value.slice(1)}`);
    }
    if (/\.ya?ml$/i.test(value)) {
      const { parse } = await import('yaml');
      return parse(text) as unknown;
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new UsageError(`--${name} must be JSON (or @file)`);
  }
}

/** `mdm/users.create` → its parts. */
export function operationArg(value: string | undefined): { model: string; resource: string; method: string } {
  const match = value ? /^([a-z][a-z0-9_]*)\/([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)$/.exec(value) : null;
  if (!match) throw new UsageError('the operation must look like <model>/<resource>.<method>, e.g. mdm/users.create');
  return { model: match[1]!, resource: match[2]!, method: match[3]! };
}
