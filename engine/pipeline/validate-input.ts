import { formatPath } from '../definitions/ajv.js';
import { UnimapError } from '../errors.js';
import { getPath, isForbiddenKey, isPlainObject } from '../expressions/plain.js';
import { controlParameters, type UnifiedCall } from './call.js';
import { decodeCursor } from '../pagination/cursor.js';
import { writtenBodyFields } from '../models/mapping-analysis.js';
import { checkDepth } from '../transport/send.js';
import type { ResolvedMethod } from './resolve.js';
import type { IntegrationDefinition } from '../definitions/definition-types.js';
import type { EngineCore } from './engine-core.js';

export type ResponseFormat = 'unified' | 'raw' | 'normalized' | 'stream' | 'debug';

/** The call's input, checked and split into what mappings see and what steers Unimap. */
export interface CallInput {
  /** The unified query without Unimap's control parameters: the `query` binding. */
  query: Record<string, unknown>;
  /** The query exactly as the caller sent it: the `rawQuery` binding. */
  rawQuery: Record<string, unknown>;
  body: unknown;
  context: Record<string, unknown>;
  id: string | undefined;
  /** `remote_query[...]`: passed to the remote API untransformed. */
  remoteQuery: Record<string, unknown>;
  excludeFields: string[];
  ignoreRemoteData: boolean;
  /** `truto_key_by`: the list's `result` becomes an object keyed by this field (lists only). */
  keyBy: string | undefined;
  responseFormat: ResponseFormat;
  limit: number | undefined;
  nextCursor: string | undefined;
}

const responseFormats: readonly ResponseFormat[] = ['unified', 'raw', 'normalized', 'stream', 'debug'];

/** A boolean control parameter: `true`/`false`, `1`/`0`, or present with no value (true). Anything else is refused, not read as false. */
function flag(rawQuery: Record<string, unknown>, name: string): boolean {
  const value = rawQuery[name];
  if (value === undefined || value === false || value === 'false' || value === '0') return false;
  if (value === true || value === 'true' || value === '1' || value === '') return true;
  throw badQuery(`${name} must be true or false`, { [name]: typeof value === 'string' ? value : typeof value });
}

/** `truto_key_by` and `truto_ignore_limit` shape a list's pages: on any other method, or where there is no `result` array to key, they are refused rather than ignored. */
function listOnly(rawQuery: Record<string, unknown>, method: string, format: unknown): { keyBy: string | undefined; ignoreLimit: boolean } {
  const ignoreLimit = flag(rawQuery, 'truto_ignore_limit');
  const keyByValue = rawQuery.truto_key_by;
  if (keyByValue !== undefined && (typeof keyByValue !== 'string' || keyByValue.trim() === '')) throw badQuery('truto_key_by must name a field of the records, such as `id`');
  const keyBy = typeof keyByValue === 'string' ? keyByValue.trim() : undefined;
  const used = keyBy !== undefined ? 'truto_key_by' : ignoreLimit ? 'truto_ignore_limit' : undefined;
  if (used && method !== 'list') throw badQuery(`${used} applies to list only, not to ${method}`, { [used]: rawQuery[used] });
  if (keyBy !== undefined && (format === 'raw' || format === 'stream')) {
    throw badQuery(`truto_key_by cannot apply to truto_response_format=${String(format)}: it keys the unified list's \`result\``, { truto_key_by: keyBy });
  }
  return { keyBy, ignoreLimit };
}

function asStringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((v) => typeof v === 'string' || typeof v === 'number')) throw badQuery('truto_exclude_fields must be a list of field names');
  // Accept both `truto_exclude_fields[]=a&…` and the comma form `truto_exclude_fields=a,b`.
  return list.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
}

function badQuery(message: string, details?: unknown): UnimapError {
  return new UnimapError('invalid_query', message, { statusCode: 400, details });
}

/** Checks the unified query and body against the unified schema and the integration's `required` and `query_schema`, before any mapping runs. */
export function validateInput(call: UnifiedCall, resolved: ResolvedMethod, core: EngineCore): CallInput {
  const rawQuery = call.query ?? {};
  if (!isPlainObject(rawQuery)) throw badQuery('the query must be an object');
  const query: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rawQuery)) {
    // A `__proto__` key (from a JSON-parsed query) assigned here would set the copy's prototype:
    // a filter the query_schema never sees. Dropped, as the query-string parser drops it.
    if (!isForbiddenKey(key) && !(controlParameters as readonly string[]).includes(key)) query[key] = value;
  }
  const format = rawQuery.truto_response_format ?? 'unified';
  if (!responseFormats.includes(format as ResponseFormat)) {
    throw badQuery(`truto_response_format must be one of ${responseFormats.join(', ')}`, { truto_response_format: format });
  }
  const remoteQuery = rawQuery.remote_query ?? {};
  if (!isPlainObject(remoteQuery)) throw badQuery('remote_query must be an object: remote_query[name]=value');
  const ignoreRemoteData = flag(rawQuery, 'truto_ignore_remote_data');
  const { keyBy, ignoreLimit } = listOnly(rawQuery, resolved.method, format);
  // The vendor's own page size instead of the caller's `limit`.
  if (ignoreLimit) delete query.limit;
  let limit: number | undefined;
  if (query.limit !== undefined && query.limit !== '') {
    if (typeof query.limit !== 'string' && typeof query.limit !== 'number') throw badQuery('limit must be a positive integer', { limit: typeof query.limit });
    limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1) throw badQuery('limit must be a positive integer', { limit: query.limit });
  }
  const nextCursor = rawQuery.next_cursor;
  if (nextCursor !== undefined && typeof nextCursor !== 'string') throw badQuery('next_cursor must be a string');

  // A later page continues the first page's filters, so `query` means the same in every mapping.
  if (typeof nextCursor === 'string' && nextCursor && Object.keys(query).every((key) => key === 'limit')) {
    const filters = decodeCursor(nextCursor, `${resolved.integration.name}/${resolved.operation}`).filters;
    if (filters) Object.assign(query, filters, { ...(query.limit !== undefined ? { limit: query.limit } : {}) });
  }
  checkQuery(query, resolved, core);
  const body = call.body;
  checkDepth(body, `the body of ${resolved.operation}`, 400);
  checkBody(body, resolved);
  const excludeFields = asStringList(rawQuery.truto_exclude_fields);
  if (keyBy !== undefined && excludeFields.some((field) => keyBy === field || keyBy.startsWith(`${field}.`))) {
    throw badQuery(`truto_key_by names \`${keyBy}\`, which truto_exclude_fields removes: there would be nothing to key by`, { truto_key_by: keyBy });
  }
  const input: CallInput = {
    query,
    rawQuery,
    body,
    context: withContextDefaults(resolved.integration.definition, call.context ?? {}),
    id: idOf(call.id),
    remoteQuery,
    excludeFields,
    ignoreRemoteData,
    keyBy,
    responseFormat: format as ResponseFormat,
    limit,
    nextCursor: nextCursor || undefined,
  };
  if (['get', 'update', 'delete'].includes(resolved.method) && !input.id) {
    throw new UnimapError('invalid_call', `${resolved.operation} needs an \`id\``, { statusCode: 400 });
  }
  return input;
}

function idOf(id: unknown): string | undefined {
  if (id === undefined || id === null || id === '') return undefined;
  if (typeof id === 'string' || typeof id === 'number') return String(id);
  throw new UnimapError('invalid_call', 'the id must be a string', { statusCode: 400 });
}

/** Filters a caller may pass: the integration's `query_schema`; anything else is refused rather than silently ignored. */
function checkQuery(query: Record<string, unknown>, resolved: ResolvedMethod, core: EngineCore): void {
  const schema = (resolved.config.query_schema ?? {}) as { properties?: Record<string, unknown>; required?: string[] };
  const supported = new Set(['limit', ...Object.keys(schema.properties ?? {})]);
  const unsupported = Object.keys(query).filter((key) => !supported.has(key));
  if (unsupported.length) {
    throw new UnimapError(
      'invalid_query',
      `${resolved.integration.name} does not support the query parameter${unsupported.length > 1 ? 's' : ''} ${unsupported.map((k) => `\`${k}\``).join(', ')} on ${resolved.operation}${
        supported.size > 1 ? `; it supports ${[...supported].filter((k) => k !== 'limit').map((k) => `\`${k}\``).join(', ')}` : ''
      }. Use remote_query[...] to pass vendor parameters as they are.`,
      { statusCode: 400, details: { unsupported_query_parameters: unsupported } },
    );
  }
  const missing = (schema.required ?? []).filter((key) => query[key] === undefined || query[key] === '');
  if (missing.length) {
    throw new UnimapError('missing_required_query_parameters', `${resolved.integration.name} requires the query parameter${missing.length > 1 ? 's' : ''} ${missing.map((k) => `\`${k}\``).join(', ')} for ${resolved.operation}`, {
      statusCode: 400,
      details: { missing_required_query_parameters: missing },
    });
  }
  const issues = [...(resolved.unified?.check(`${resolved.method}_query`, query) ?? [])];
  if (resolved.config.query_schema) {
    const own = core.checkSchema(resolved.config.query_schema, query).filter((i) => !(i.message.startsWith('missing required') || i.path[0] === 'limit'));
    for (const issue of own) if (!issues.some((i) => i.path.join('.') === issue.path.join('.'))) issues.push(issue);
  }
  if (issues.length) {
    throw badQuery(`the query does not fit the unified ${resolved.model}/${resolved.resource} ${resolved.method} query: ${issues.map((i) => `${formatPath(i.path) || 'query'} ${i.message}`).join('; ')}`, {
      invalid_query_parameters: issues.map((i) => ({ field: formatPath(i.path), message: i.message })),
    });
  }
}

function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

interface ContextSpec {
  /** Fields with a `default`, and the default. */
  defaults: [string, unknown][];
  /** Fields marked `required`. */
  required: string[];
}

const contextSpecs = new WeakMap<IntegrationDefinition, ContextSpec>();

/** What a definition says of its context fields, read once per definition (this runs on every call). */
function contextSpec(definition: IntegrationDefinition): ContextSpec {
  let spec = contextSpecs.get(definition);
  if (!spec) {
    const fields = Object.entries(definition.context ?? {});
    spec = {
      defaults: fields.flatMap(([name, field]): [string, unknown][] => (field.default === undefined ? [] : [[name, field.default]])),
      required: fields.filter(([, field]) => field.required === true).map(([name]) => name),
    };
    contextSpecs.set(definition, spec);
  }
  return spec;
}

/**
 * Before a remote call: every context field the definition marks `required` has a value, or
 * the call is refused at once with all of them named (not at the first placeholder that needs
 * one, and not silently when only JSONata reads it). Mapping alone (`mapRequest`/`mapResponse`)
 * does not ask for credentials it does not use.
 */
export function checkRequiredContext(definition: IntegrationDefinition, context: Record<string, unknown>): void {
  const { required } = contextSpec(definition);
  if (required.every((name) => !isMissing(context[name]))) return;
  const missing = required.filter((name) => isMissing(context[name]));
  throw new UnimapError('missing_context', `the account context has no ${missing.map((name) => `\`${name}\``).join(', ')}, which ${definition.name} requires`, {
    statusCode: 400,
    details: { missing_context_fields: missing },
  });
}

/**
 * The account context with the definition's `default`s filled in where it has no value (missing,
 * null or an empty string). The account's own object is left as it is: a copy is made only when
 * a default applies.
 */
export function withContextDefaults(definition: IntegrationDefinition, context: Record<string, unknown>): Record<string, unknown> {
  let out = context;
  for (const [name, value] of contextSpec(definition).defaults) {
    if (!isMissing(context[name])) continue;
    if (out === context) out = { ...context };
    out[name] = value;
  }
  return out;
}

function checkBody(body: unknown, resolved: ResolvedMethod): void {
  const writes = resolved.method === 'create' || resolved.method === 'update';
  if (!writes && body === undefined) return;
  if (writes && body !== undefined && !isPlainObject(body)) {
    throw new UnimapError('invalid_body', `the body of ${resolved.operation} must be a JSON object`, { statusCode: 400 });
  }
  if (writes && isPlainObject(body) && resolved.unified) {
    // A unified field this integration cannot write is refused, not silently dropped.
    const known = new Set(resolved.unified.fields(resolved.method));
    const writable = writtenBodyFields(resolved.slots);
    const unsupported = Object.keys(body).filter((key) => known.has(key) && !writable.has(key) && body[key] !== undefined);
    if (unsupported.length) {
      throw new UnimapError(
        'invalid_body',
        `${resolved.integration.name} cannot write ${unsupported.map((f) => `\`${f}\``).join(', ')} on ${resolved.operation}; it writes ${[...writable].filter((f) => f !== 'remote_data').map((f) => `\`${f}\``).join(', ') || 'no unified fields'}. Vendor fields go in \`remote_data\`.`,
        { statusCode: 400, details: { unsupported_body_fields: unsupported } },
      );
    }
  }
  const missing = (resolved.config.required ?? []).filter((field) => isMissing(getPath(body ?? {}, field)));
  const issues = resolved.unified?.check(resolved.method, body ?? {}) ?? [];
  if (!missing.length && !issues.length) return;
  const invalid = issues.map((i) => ({
    field: formatPath(i.path),
    message: i.path.length === 1 && i.part === 'key' ? `${i.message} Put vendor-specific fields in \`remote_data\`.` : i.message,
  }));
  const parts: string[] = [];
  if (missing.length) parts.push(`${resolved.integration.name} requires ${missing.map((f) => `\`${f}\``).join(', ')}`);
  if (invalid.length) parts.push(invalid.map((i) => (i.field && !i.message.includes(`\`${i.field.split('.').pop()}\``) ? `\`${i.field}\` ${i.message}` : i.message)).join('; '));
  const details: Record<string, unknown> = {};
  if (missing.length) details.missing_required_body_fields = missing;
  if (invalid.length) details.invalid_body_fields = invalid;
  throw new UnimapError(invalid.length ? 'invalid_body' : 'missing_required_body_fields', `the body of ${resolved.operation} was refused: ${parts.join('; ')}`, {
    statusCode: 400,
    details,
  });
}
