import type { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import { ajvLibrary } from './ajv-library.js';

export type AjvInstance = Ajv2020;

/** One ajv per engine: no shared global validator state between engines. `code` is for standalone (precompiled) builds. */
export function createAjv(code?: ConstructorParameters<typeof Ajv2020>[0] extends infer O ? (O extends { code?: infer C } ? C : never) : never): AjvInstance {
  const { Ajv2020: Ajv, addFormats } = ajvLibrary();
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, discriminator: true, allowUnionTypes: true, ...(code ? { code } : {}) });
  addFormats(ajv);
  // Unimap's annotations in the schemas: documentation and tooling data, not assertions.
  for (const keyword of ['x-jsonata', 'x-slot', 'x-bindings', 'x-unimap']) ajv.addKeyword({ keyword });
  return ajv;
}

export type { ErrorObject };

/** A JSON pointer (`/a/b~1c`) as path segments. */
export function pointerToPath(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `['unified','mdm','users','create']` → `unified.mdm.users.create` (indices as `[0]`). */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number' || /^\d+$/.test(String(part))) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The closest candidate, if it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export interface SchemaIssue {
  /** Path of the node the problem is about. */
  path: string[];
  /** Point at the key rather than the value (unknown properties). */
  part: 'key' | 'value';
  message: string;
}

/**
 * Turns ajv's errors into one readable issue per real problem. For `oneOf`/`anyOf` it keeps only
 * the branches whose type matched the data, so a string-or-object slot does not report both.
 */
export function describeAjvErrors(errors: readonly ErrorObject[]): SchemaIssue[] {
  // A oneOf/anyOf failure is explained by its branches' errors. Branches whose type did not match
  // the data are noise (a string-or-object slot should not report "must be string"), and so is
  // the oneOf summary when a branch says what is actually wrong. ($ref'd branches report schema
  // paths relative to their own definition, so errors are matched by instance path.)
  const dropped = new Set<ErrorObject>();
  for (const error of errors) {
    if (error.keyword !== 'oneOf' && error.keyword !== 'anyOf') continue;
    const at = error.instancePath;
    const related = errors.filter((e) => e !== error && (e.instancePath === at || e.instancePath.startsWith(at + '/')));
    const mismatches = related.filter((e) => e.instancePath === at && e.keyword === 'type');
    const specific = related.filter((e) => !mismatches.includes(e) && e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
    for (const e of mismatches) dropped.add(e);
    if (specific.length > 0) dropped.add(error);
  }
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (dropped.has(error)) continue;
    const issue = describeOne(error);
    const key = issue.path.join('\u0000') + '|' + issue.message;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function describeOne(error: ErrorObject): SchemaIssue {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const parentSchema = error.parentSchema as { properties?: Record<string, unknown> } | undefined;
      const known = Object.keys(parentSchema?.properties ?? {});
      const guess = didYouMean(name, known);
      const hint = guess ? ` Did you mean \`${guess}\`?` : known.length ? ` Expected one of: ${known.join(', ')}.` : '';
      return { path: [...path, name], part: 'key', message: `unknown property \`${name}\`.${hint}` };
    }
    case 'required':
      return { path, part: 'key', message: `missing required property \`${String(params.missingProperty)}\`` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path, part: 'value', message: `must be one of ${allowed}` };
    }
    case 'const':
      return { path, part: 'value', message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'type':
      return { path, part: 'value', message: `must be of type ${String(params.type).replace(/,/g, ' or ')}` };
    case 'pattern': {
      return { path, part: path.length && error.propertyName ? 'key' : 'value', message: `must match the pattern ${String(params.pattern)}` };
    }
    case 'propertyNames':
      return { path: [...path, String(params.propertyName)], part: 'key', message: `invalid name \`${String(params.propertyName)}\`: ${error.message ?? ''}` };
    case 'discriminator': {
      const tag = String(params.tag);
      if (params.error === 'mapping') {
        const branches = (error.parentSchema as { oneOf?: { properties?: Record<string, { const?: unknown }> }[] } | undefined)?.oneOf ?? [];
        const values = branches.map((b) => b.properties?.[tag]?.const).filter((v) => v !== undefined);
        return { path: [...path, tag], part: 'value', message: `unknown \`${tag}\`; expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` };
      }
      return { path, part: 'value', message: `missing \`${tag}\`` };
    }
    default:
      return { path, part: 'value', message: error.message ?? `fails ${error.keyword}` };
  }
}
