/**
 * Property-based hardening (fast-check): random unified bodies and queries generated from the
 * unified schemas, hostile inputs, and random remote responses never crash the engine. Every
 * outcome is a result or a typed `UnimapError`, Object.prototype is never polluted, and nothing
 * hangs.
 *
 * Reproduce a failure with the seed fast-check prints: `FC_SEED=<seed> npx vitest run test/hardening/property.test.ts`.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { Engine, UnimapError, loadEngine, parseQueryString, type ExecuteCall, type LoadedIntegration, type RemoteRequest, type RemoteResponse, type UnifiedCall, type UnifiedMethod } from '../../engine/index.js';
import { findFixtureFiles, readFixture } from '../../engine/fixtures/read.js';
import { controlParameters } from '../../engine/pipeline/call.js';
import { bodyReads } from '../../engine/models/mapping-analysis.js';
import {
  arbitraryFromSchema,
  cloneJson,
  hostileJson,
  hostileObject,
  hostileString,
  matchesSchema,
  mutatedJson,
  objectFromEntries,
  type JsonSchema,
  type SchemaObject,
} from '../support/arbitrary.js';
import { startServer, type TestServer } from '../support/http-server.js';

// ---------------------------------------------------------------------------------------------
// Run counts (per unified method where noted). Chosen to keep the file well under 60 s on 2 cores.
// ---------------------------------------------------------------------------------------------
/**
 * Every run of every property in this file: 76 unified methods × (50 + 50 + 50), 300 query
 * strings, 200 HTTP exchanges and 12 `$defs` schemas × 30. The first test checks it against the
 * configuration, so a new unified method or a changed count updates it here.
 */
export const PROPERTY_RUNS = 12_260;
/** Valid generated bodies and queries → mapRequest, per unified method. */
export const VALID_REQUEST_RUNS = 50;
/** Hostile bodies, queries and ids → mapRequest, per unified method. */
export const HOSTILE_REQUEST_RUNS = 50;
/** Random remote responses → mapResponse, per unified method. */
export const RESPONSE_RUNS = 50;
/** Random HTTP replies from a real server → execute. */
export const HTTP_RUNS = 200;
/** Self-check of the generator: values of each `$defs` schema pass the engine's own validator. */
export const SCHEMA_RUNS = 30;
/** Random query strings → parseQueryString → mapRequest. */
export const QUERY_STRING_RUNS = 300;
/** Per-run timeout: a run that takes longer is a hang. */
const RUN_TIMEOUT_MS = 5_000;
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const assertOptions = (numRuns: number): { numRuns: number; seed?: number } => ({ numRuns, ...(seed !== undefined ? { seed } : {}) });

// ---------------------------------------------------------------------------------------------
// The bundled integrations and every unified method they serve
// ---------------------------------------------------------------------------------------------
const engine = await loadEngine({ definitions: 'mappings' });

interface Target {
  integration: LoadedIntegration;
  model: string;
  resource: string;
  method: string;
  /** `jamf mdm/users.create` */
  label: string;
  context: Record<string, string>;
  /** Hosts a request may go to: the base URL's (and any endpoint's own base URL), filled from the context. */
  hosts: Set<string>;
  /** The unified resource schema (the `$defs` root). */
  schema: SchemaObject | undefined;
}

/** Placeholder values for a definition's context fields; host-like fields get example.com hosts. */
function placeholderContext(definition: LoadedIntegration['definition']): Record<string, string> {
  const context: Record<string, string> = {};
  for (const field of Object.keys(definition.context ?? {})) {
    if (/subdomain/i.test(field)) context[field] = 'acme';
    else if (/host|domain/i.test(field)) context[field] = `${field.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example.com`;
    else if (/url/i.test(field)) context[field] = 'https://example.com';
    else context[field] = `placeholder-${field}`;
  }
  return context;
}

function hostOf(template: string, context: Record<string, string>): string | undefined {
  const filled = template.replace(/\{\{\s*context\.([^{}\s]+)\s*\}\}/g, (_m, name: string) => context[name] ?? '\u0000');
  if (filled.includes('\u0000') || filled.includes('{{')) return undefined;
  try {
    return new URL(filled).host;
  } catch {
    return undefined;
  }
}

function expectedHosts(definition: LoadedIntegration['definition'], context: Record<string, string>): Set<string> {
  const hosts = new Set<string>();
  const add = (template: string | undefined) => {
    const host = template === undefined ? undefined : hostOf(template, context);
    if (host) hosts.add(host);
  };
  add(definition.base_url);
  for (const methods of Object.values(definition.resources)) for (const endpoint of Object.values(methods)) add(endpoint.base_url);
  return hosts;
}

const targets: Target[] = [];
for (const integration of [...engine.integrations.values()].sort((a, b) => a.name.localeCompare(b.name))) {
  const context = placeholderContext(integration.definition);
  const hosts = expectedHosts(integration.definition, context);
  for (const [model, resources] of Object.entries(integration.definition.unified ?? {})) {
    for (const [resource, methods] of Object.entries(resources)) {
      for (const method of Object.keys(methods)) {
        const schema = engine.models.get(model, resource)?.schema as SchemaObject | undefined;
        targets.push({ integration, model, resource, method, label: `${integration.name} ${model}/${resource}.${method}`, context, hosts, schema });
      }
    }
  }
}

/** `$defs` schemas the generator is self-checked on. */
const defSchemas: { label: string; root: SchemaObject; name: string }[] = [];
for (const resource of engine.models.list()) {
  const root = resource.schema as SchemaObject;
  for (const name of ['create', 'update', 'list_query']) if (resource.definition(name)) defSchemas.push({ label: `${resource.model}/${resource.resource}#/$defs/${name}`, root, name });
}

/** The runs the properties below are configured for (PROPERTY_RUNS records it). */
const configuredRuns = targets.length * (VALID_REQUEST_RUNS + HOSTILE_REQUEST_RUNS + RESPONSE_RUNS) + QUERY_STRING_RUNS + HTTP_RUNS + defSchemas.length * SCHEMA_RUNS;

// ---------------------------------------------------------------------------------------------
// Outcomes and invariants
// ---------------------------------------------------------------------------------------------
const objectPrototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
const arrayPrototypeKeys = Object.getOwnPropertyNames(Array.prototype).sort();

/** Fails (and repairs the damage, so later tests stay meaningful) when a prototype gained keys. */
function expectNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  const addedObject = Object.getOwnPropertyNames(Object.prototype).filter((k) => !objectPrototypeKeys.includes(k));
  const addedArray = Object.getOwnPropertyNames(Array.prototype).filter((k) => !arrayPrototypeKeys.includes(k));
  const polluted = probe.polluted;
  for (const key of addedObject) delete (Object.prototype as Record<string, unknown>)[key];
  for (const key of addedArray) delete (Array.prototype as unknown as Record<string, unknown>)[key];
  expect(polluted, 'Object.prototype.polluted').toBeUndefined();
  expect(addedObject, 'new keys on Object.prototype').toEqual([]);
  expect(addedArray, 'new keys on Array.prototype').toEqual([]);
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ''}`.slice(0, 2_000);
  return `a thrown non-Error: ${String(error).slice(0, 200)}`;
}

class NotUnimapError extends Error {
  constructor(cause: unknown) {
    super(`expected a result or a UnimapError, got ${describeError(cause)}`);
    this.name = 'NotUnimapError';
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: UnimapError };

/** Runs `work` with a deadline; a result or a UnimapError is an outcome, anything else fails the run. */
async function outcomeOf<T>(work: () => Promise<T>, timeoutMs = RUN_TIMEOUT_MS): Promise<Outcome<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: no outcome within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const value = await Promise.race([work(), deadline]);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof UnimapError) return { ok: false, error };
    if (error instanceof Error && error.message.startsWith('hang:')) throw error;
    throw new NotUnimapError(error);
  } finally {
    clearTimeout(timer);
  }
}

function expectTypedError(error: UnimapError): void {
  expect(error.statusCode, `${error.code}: ${error.message}`).toBeGreaterThanOrEqual(400);
  expect(error.statusCode, `${error.code}: ${error.message}`).toBeLessThanOrEqual(599);
  expect(typeof error.code).toBe('string');
  // The envelope a caller sees must serialise (no cycles, no BigInt) and carry no stack.
  const json = JSON.stringify(error.toJSON());
  expect(json).not.toContain('    at ');
}

const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A request mapRequest returned: to an expected host, with headers fetch would accept. */
function expectSendableRequest(request: RemoteRequest, target: Target): void {
  const url = new URL(request.url);
  expect(target.hosts.has(url.host), `request to ${url.host}, expected one of ${[...target.hosts].join(', ')}`).toBe(true);
  expect(typeof request.method).toBe('string');
  for (const [name, value] of Object.entries(request.headers)) {
    expect(headerName.test(name), `header name ${JSON.stringify(name)}`).toBe(true);
    expect(typeof value, `header ${name}`).toBe('string');
    // The engine's own rule (pipeline/headers.ts): single-line visible ASCII, so fetch cannot refuse it.
    expect(/^[\t\x20-\x7e]*$/.test(value), `header ${name} is not single-line ASCII: ${JSON.stringify(value.slice(0, 80))}`).toBe(true);
  }
}

/** Parsed query data: strings, arrays and plain objects only (never a function or an inherited member). */
function expectPlainData(value: unknown, path: string): void {
  if (typeof value === 'string') return;
  if (Array.isArray(value)) return value.forEach((item, i) => expectPlainData(item, `${path}[${i}]`));
  expect(value !== null && typeof value === 'object', `${path} is ${typeof value}`).toBe(true);
  expect(Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null, `${path} is a plain object`).toBe(true);
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) expectPlainData(item, `${path}.${key}`);
}

afterEach(() => expectNoPollution());

// ---------------------------------------------------------------------------------------------
// Generators for calls
// ---------------------------------------------------------------------------------------------
function defOf(target: Target, name: string): SchemaObject | undefined {
  const defs = target.schema?.$defs as Record<string, SchemaObject> | undefined;
  return defs?.[name];
}

const validId = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/),
  fc.uuid(),
  fc.integer({ min: 1, max: 1_000_000 }).map(String),
  fc.string({ minLength: 1, maxLength: 16, unit: 'grapheme' }),
);

function methodConfig(target: Target): UnifiedMethod | undefined {
  return target.integration.definition.unified?.[target.model]?.[target.resource]?.[target.method];
}

function withLimit(target: Target, query: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const limit = target.method === 'list' ? fc.option(fc.integer({ min: 1, max: 500 }).map(String), { nil: undefined }) : fc.constant(undefined);
  return fc.tuple(query, limit).map(([q, l]) => (l === undefined ? q : { ...q, limit: l }));
}

/** A query valid against the unified `<method>_query` schema. */
function unifiedQuery(target: Target): fc.Arbitrary<Record<string, unknown>> {
  const schema = defOf(target, `${target.method}_query`);
  const base = schema && target.schema ? (arbitraryFromSchema(schema, target.schema) as fc.Arbitrary<Record<string, unknown>>) : fc.constant({});
  return withLimit(target, base);
}

/**
 * A query valid against the unified schema that this integration also supports: only the
 * parameters of its `query_schema` (with their own enums), its required ones always present.
 */
function fittedQuery(target: Target): fc.Arbitrary<Record<string, unknown>> {
  const own = methodConfig(target)?.query_schema as SchemaObject | undefined;
  const unified = defOf(target, `${target.method}_query`);
  const unifiedProps = (unified?.properties as Record<string, JsonSchema> | undefined) ?? {};
  const ownProps = (own?.properties as Record<string, SchemaObject> | undefined) ?? {};
  const required = new Set((own?.required as string[] | undefined) ?? []);
  const entries: fc.Arbitrary<readonly [string, unknown] | undefined>[] = [];
  for (const [name, schema] of Object.entries(ownProps)) {
    const unifiedProp = unifiedProps[name];
    // Required parameters must not be empty: `''` counts as missing.
    const fitted: SchemaObject = required.has(name) && schema.type === 'string' && schema.enum === undefined ? { ...schema, minLength: 1 } : schema;
    const value = arbitraryFromSchema(fitted, own!).filter((v) => unifiedProp === undefined || matchesSchema(v, unifiedProp, target.schema));
    entries.push(required.has(name) ? value.map((v) => [name, v] as const) : fc.option(value.map((v) => [name, v] as const), { nil: undefined, freq: 2 }));
  }
  return withLimit(target, fc.tuple(...entries).map((list) => objectFromEntries(list.filter((e): e is readonly [string, unknown] => e !== undefined))));
}

/** Top-level body fields the method's request mapping reads (the others are refused as unsupported). */
function writableFields(target: Target): Set<string> | undefined {
  const slot = target.integration.slots.get(`unified.${target.model}.${target.resource}.${target.method}.request_body_mapping`);
  if (!slot) return undefined;
  const fields = new Set([...bodyReads(slot.expression.ast())].map((f) => f.split('.')[0]!));
  fields.add('remote_data');
  return fields;
}

/** The unified body schema narrowed to what this integration writes and requires (`required`, dotted paths included). */
function fittedBodySchema(target: Target, schema: SchemaObject): SchemaObject {
  const writable = writableFields(target);
  const properties: Record<string, JsonSchema> = {};
  for (const [name, sub] of Object.entries((schema.properties as Record<string, JsonSchema> | undefined) ?? {})) if (!writable || writable.has(name)) properties[name] = sub;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  for (const path of methodConfig(target)?.required ?? []) {
    const [head, ...rest] = path.split('.');
    if (!head || !(head in properties)) continue;
    required.add(head);
    let node = properties[head]!;
    if (rest.length === 0) {
      if (typeof node === 'object' && node.type === 'string') properties[head] = { ...node, minLength: 1 };
      continue;
    }
    // `remote_data.password`: the nested value must be present and non-empty.
    let leaf: SchemaObject = { type: 'string', minLength: 1 };
    for (const key of [...rest].reverse()) leaf = { type: 'object', properties: { [key]: leaf }, required: [key] };
    node = typeof node === 'object' ? { ...node, ...leaf, properties: { ...((node.properties as object | undefined) ?? {}), ...(leaf.properties as object) } } : leaf;
    properties[head] = node;
  }
  return { ...schema, properties, required: [...required] };
}

function unifiedBody(target: Target): fc.Arbitrary<unknown> {
  const schema = defOf(target, target.method);
  if (!(target.method === 'create' || target.method === 'update') || !schema || !target.schema) return fc.constant(undefined);
  return arbitraryFromSchema(schema, target.schema);
}

function fittedBody(target: Target): fc.Arbitrary<unknown> {
  const schema = defOf(target, target.method);
  if (!(target.method === 'create' || target.method === 'update') || !schema || !target.schema) return fc.constant(undefined);
  const fitted = fittedBodySchema(target, schema);
  // Still valid against the unified schema: the narrowing only removes optional fields and adds required ones.
  return arbitraryFromSchema(fitted, target.schema).filter((v) => matchesSchema(v, schema, target.schema));
}

function needsId(method: string): boolean {
  return method === 'get' || method === 'update' || method === 'delete';
}

/**
 * Valid unified calls: mostly fitted to what the integration supports (so mappings run), the rest
 * any value the unified schemas allow (the integration may refuse those with a UnimapError).
 */
function validCall(target: Target): fc.Arbitrary<UnifiedCall> {
  const parts = fc.oneof(
    { arbitrary: fc.record({ query: fittedQuery(target), body: fittedBody(target) }), weight: 3 },
    { arbitrary: fc.record({ query: unifiedQuery(target), body: unifiedBody(target) }), weight: 1 },
  );
  return fc.tuple(parts, needsId(target.method) ? validId : fc.constant(undefined)).map(([{ query, body }, id]) => {
    const call: UnifiedCall = { integration: target.integration.name, model: target.model, resource: target.resource, method: target.method, query, context: { ...target.context } };
    if (body !== undefined) call.body = body;
    if (id !== undefined) call.id = id;
    return call;
  });
}

function fieldNames(target: Target): string[] {
  const names = new Set<string>(['limit', ...controlParameters]);
  for (const name of ['create', 'update', 'list_query', `${target.method}_query`]) {
    for (const key of Object.keys((defOf(target, name)?.properties as Record<string, unknown> | undefined) ?? {})) names.add(key);
  }
  for (const key of Object.keys(((methodConfig(target)?.query_schema as SchemaObject | undefined)?.properties as Record<string, unknown> | undefined) ?? {})) names.add(key);
  return [...names];
}

function hostileCall(target: Target): fc.Arbitrary<UnifiedCall> {
  const keys = fieldNames(target);
  // Mostly objects (the shape a caller must send), sometimes any value at all.
  const container = fc.oneof({ arbitrary: hostileObject({ keys }), weight: 4 }, { arbitrary: hostileJson({ keys }), weight: 1 });
  // A valid value with one field made hostile reaches deeper than noise does.
  const patched = (valid: fc.Arbitrary<unknown>) =>
    fc.tuple(valid, fc.constantFrom(...keys), hostileJson({ keys, maxDepth: 2 })).map(([value, key, bad]) => {
      const base = value !== null && typeof value === 'object' && !Array.isArray(value) ? cloneJson(value as Record<string, unknown>) : {};
      return objectFromEntries([...Object.entries(base), [key, bad]]);
    });
  const query = fc.oneof(container, patched(fittedQuery(target)), fittedQuery(target));
  const body = fc.oneof(container, patched(fittedBody(target)), fc.constant(undefined));
  const id = fc.oneof(validId, hostileString({ maxStringLength: 2_000 }), hostileJson({ maxDepth: 1 }), fc.constant(undefined));
  return fc.record({ query, body, id }).map(({ query: q, body: b, id: i }) => {
    const call = { integration: target.integration.name, model: target.model, resource: target.resource, method: target.method, context: { ...target.context } } as UnifiedCall;
    // Deliberately the wrong types: the engine must refuse them with a UnimapError, not crash.
    (call as unknown as Record<string, unknown>).query = q;
    if (b !== undefined) call.body = b;
    if (i !== undefined) (call as unknown as Record<string, unknown>).id = i;
    return call;
  });
}

// ---------------------------------------------------------------------------------------------
// Base calls and recorded remote shapes (from the fixtures) for mapResponse
// ---------------------------------------------------------------------------------------------
const fixtureCalls = new Map<string, UnifiedCall[]>();
const fixtureBodies = new Map<string, unknown[]>();
for (const file of await findFixtureFiles(['mappings'])) {
  const { fixture } = await readFixture(file);
  if (!fixture) continue;
  const { call } = fixture;
  const key = `${call.integration} ${call.model}/${call.resource}.${call.method}`;
  if (fixture.mode !== 'execute' && !fixture.expect.error) fixtureCalls.set(key, [...(fixtureCalls.get(key) ?? []), call]);
  const bodies = (fixture.exchanges ?? []).map((e) => e.response?.body).filter((b) => b !== undefined);
  fixtureBodies.set(key, [...(fixtureBodies.get(key) ?? []), ...bodies]);
}

async function accepted(call: UnifiedCall): Promise<boolean> {
  try {
    await engine.mapRequest(call);
    return true;
  } catch {
    return false;
  }
}

/** Up to three calls mapRequest accepts: the fixtures' own, else generated valid ones. */
async function baseCalls(target: Target): Promise<UnifiedCall[]> {
  const found: UnifiedCall[] = [];
  for (const call of fixtureCalls.get(target.label) ?? []) if (found.length < 3 && (await accepted(call))) found.push(call);
  if (found.length < 3) {
    for (const call of fc.sample(validCall(target), { numRuns: 60, seed: 7 })) {
      if (found.length >= 3) break;
      if (await accepted(call)) found.push(call);
    }
  }
  return found;
}

/** Remote-looking shapes for a target: recorded bodies, else unified records in common envelopes. */
function recordShapes(target: Target): unknown[] {
  const recorded = fixtureBodies.get(target.label) ?? [];
  if (recorded.length) return recorded;
  if (!target.schema) return [{ id: '1' }];
  const records = fc.sample(arbitraryFromSchema(target.schema, target.schema, { maxItems: 2 }), { numRuns: 2, seed: 11 });
  return [{ results: records, totalCount: 2 }, { data: records }, { value: records }, records, records[0]];
}

const statuses = [200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 503] as const;
const headerNames = ['content-type', 'link', 'retry-after', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-total-count', 'location', 'etag', 'set-cookie', '__proto__', 'constructor'];
const headerValue = fc.oneof(
  fc.constantFrom(
    'application/json', 'application/json; charset=utf-8', 'text/html', 'application/xml', 'text/plain', '',
    '<https://evil.example/next?page=2>; rel="next"', '<?page=2>; rel="next"', '<>; rel=next', 'rel="next"', '0', '-1', '1e9', 'Wed, 21 Oct 2015 07:28:00 GMT', 'NaN',
  ),
  hostileString({ maxStringLength: 5_000 }),
);
const responseHeaders = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...headerNames), fc.string({ maxLength: 12 })), headerValue), { maxLength: 5 })
  .map((entries) => objectFromEntries(entries) as Record<string, string>);

function remoteResponse(target: Target): fc.Arbitrary<RemoteResponse> {
  const keys = fieldNames(target);
  const shapes = recordShapes(target);
  const body = fc.oneof(
    { arbitrary: hostileJson({ keys: [...keys, 'results', 'data', 'value', 'totalCount', 'nextPageToken'] }), weight: 2 },
    ...shapes.map((shape) => ({ arbitrary: mutatedJson(shape, { keys }), weight: Math.max(1, Math.floor(6 / shapes.length)) })),
    { arbitrary: fc.constantFrom(undefined, '', null, '<html><body>Bad Gateway</body></html>'), weight: 1 },
  );
  return fc.record({ status: fc.constantFrom(...statuses), headers: responseHeaders, body }).map(({ status, headers, body: b }) => (b === undefined ? { status, headers } : { status, headers, body: b }));
}

function expectListEnvelope(target: Target, value: unknown, keyed = false): void {
  if (target.method !== 'list') return;
  const envelope = value as { result?: unknown; result_count?: unknown; next_cursor?: unknown };
  // truto_key_by: an object of records, one key per record.
  const records = keyed && envelope.result !== null && typeof envelope.result === 'object' && !Array.isArray(envelope.result) ? Object.keys(envelope.result) : envelope.result;
  expect(Array.isArray(records), keyed ? 'a keyed list result is an object' : 'a list result is an array').toBe(true);
  expect(envelope.result_count).toBe((records as unknown[]).length);
  expect(envelope.next_cursor === null || typeof envelope.next_cursor === 'string', 'next_cursor is a string or null').toBe(true);
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------
describe(`property-based hardening (${PROPERTY_RUNS} runs in all)`, () => {
  test('every bundled integration loaded and serves unified methods; PROPERTY_RUNS is the configured total', () => {
    expect(configuredRuns, 'update PROPERTY_RUNS at the top of this file').toBe(PROPERTY_RUNS);
    expect(engine.failedIntegrations.size).toBe(0);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(target.hosts.size, `${target.label} has a host`).toBeGreaterThan(0);
  });

  describe('the generator produces values the unified schemas accept', () => {
    for (const { label, root, name } of defSchemas) {
      test(`${label} (${SCHEMA_RUNS} runs)`, () => {
        const resource = engine.models.list().find((r) => r.schema === root)!;
        fc.assert(
          fc.property(arbitraryFromSchema((root.$defs as Record<string, JsonSchema>)[name]!, root), (value) => {
            expect(resource.check(name, value)).toEqual([]);
            expect(matchesSchema(value, (root.$defs as Record<string, JsonSchema>)[name]!, root)).toBe(true);
          }),
          assertOptions(SCHEMA_RUNS),
        );
      });
    }
  });

  for (const target of targets) {
    describe(target.label, () => {
      test(`valid bodies and queries → a request to ${[...target.hosts].join(' / ')} or a UnimapError (${VALID_REQUEST_RUNS} runs)`, async () => {
        await fc.assert(
          fc.asyncProperty(validCall(target), async (call) => {
            const outcome = await outcomeOf(() => engine.mapRequest(call));
            if (outcome.ok) expectSendableRequest(outcome.value, target);
            else expectTypedError(outcome.error);
            expectNoPollution();
          }),
          assertOptions(VALID_REQUEST_RUNS),
        );
      }, 60_000);

      test(`hostile bodies, queries and ids → a request to the expected host or a 4xx/5xx UnimapError (${HOSTILE_REQUEST_RUNS} runs)`, async () => {
        await fc.assert(
          fc.asyncProperty(hostileCall(target), async (call) => {
            const outcome = await outcomeOf(() => engine.mapRequest(call));
            if (outcome.ok) expectSendableRequest(outcome.value, target);
            else expectTypedError(outcome.error);
            expectNoPollution();
          }),
          assertOptions(HOSTILE_REQUEST_RUNS),
        );
      }, 60_000);

      test(`random remote responses → a result or a UnimapError, within ${RUN_TIMEOUT_MS} ms (${RESPONSE_RUNS} runs)`, async () => {
        const calls = await baseCalls(target);
        expect(calls.length, `a call mapRequest accepts for ${target.label}`).toBeGreaterThan(0);
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(...calls), remoteResponse(target), async (call, response) => {
            const outcome = await outcomeOf(() => engine.mapResponse(call, response));
            if (outcome.ok) expectListEnvelope(target, outcome.value, call.query?.truto_key_by !== undefined);
            else expectTypedError(outcome.error);
            expectNoPollution();
          }),
          assertOptions(RESPONSE_RUNS),
        );
      }, 60_000);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Query strings, as the server receives them
  // -------------------------------------------------------------------------------------------
  test(`random query strings → parseQueryString gives plain data, and mapRequest a result or a UnimapError (${QUERY_STRING_RUNS} runs)`, async () => {
    const names = [...new Set(targets.flatMap((t) => fieldNames(t)))];
    const segment = fc.oneof(
      fc.constantFrom(...names, '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then', '', '0', '1', 'a'),
      fc.string({ maxLength: 6 }),
    );
    const raw = fc.oneof(
      fc.constantFrom('%ED%A0%80', '%F0%9F%98%80', '%', '%zz', '%00', '+', '%26', '%3D', '%5B', '%5D', '[', ']', '=', 'null', 'true', '-1', '0', '1e308', 'NaN', '%E2%80%AE'),
      fc.string({ maxLength: 8 }).map((t) => t.replace(/[&=#]/g, '')),
    );
    const pair = fc.tuple(segment, fc.array(segment, { maxLength: 4 }), fc.array(raw, { maxLength: 3 }), fc.boolean()).map(([head, brackets, value, hasValue]) => `${head}${brackets.map((b) => `[${b}]`).join('')}${hasValue ? `=${value.join('')}` : ''}`);
    const text = fc.array(pair, { maxLength: 6 }).map((pairs) => pairs.join('&'));
    await fc.assert(
      fc.asyncProperty(text, fc.constantFrom(...targets.map((t) => t.label)), async (queryString, label) => {
        const target = targets.find((t) => t.label === label)!;
        const parsed = await outcomeOf(async () => parseQueryString(queryString));
        if (!parsed.ok) return expectTypedError(parsed.error);
        expectPlainData(parsed.value, 'query');
        const call: UnifiedCall = { integration: target.integration.name, model: target.model, resource: target.resource, method: target.method, query: parsed.value, context: { ...target.context } };
        if (needsId(target.method)) call.id = 'id-1';
        const outcome = await outcomeOf(() => engine.mapRequest(call));
        if (outcome.ok) expectSendableRequest(outcome.value, target);
        else expectTypedError(outcome.error);
        expectNoPollution();
      }),
      assertOptions(QUERY_STRING_RUNS),
    );
  }, 60_000);

  // -------------------------------------------------------------------------------------------
  // Over real HTTP
  // -------------------------------------------------------------------------------------------
  describe('engine.execute against a real server answering at random', () => {
    type Mode = 'normal' | 'cut' | 'reset' | 'stall';
    interface Plan {
      status: number;
      contentType: string | undefined;
      headers: Record<string, string>;
      body: string;
      mode: Mode;
    }
    let plan: Plan = { status: 200, contentType: 'application/json', headers: {}, body: '{}', mode: 'normal' };
    let server: TestServer;
    let httpEngine: Engine;

    beforeAll(async () => {
      server = await startServer((_request, { req, res }) => {
        const { status, contentType, headers, body, mode } = plan;
        if (mode === 'reset') {
          req.socket.destroy();
          return 'handled';
        }
        const all: Record<string, string> = { ...headers };
        if (contentType !== undefined) all['content-type'] = contentType;
        try {
          res.writeHead(status, all);
        } catch {
          res.writeHead(status);
        }
        if (mode === 'cut') {
          res.write(body.slice(0, Math.floor(body.length / 2)));
          setTimeout(() => req.socket.destroy(), 5);
        } else if (mode === 'stall') {
          res.write(body.slice(0, 10));
        } else res.end(body);
        return 'handled';
      });
      httpEngine = new Engine({
        definitions: [{ file: 'fuzz.yaml', text: fuzzDefinition }],
        strict: true,
        transport: { timeoutMs: 2000, maxRetries: 0, maxRateLimitRetries: 0 },
      });
    });
    afterAll(() => server?.close());

    const records = [{ id: 1, name: 'Ada', email: 'ada@example.com', created: '2024-01-01T00:00:00Z' }, { id: '2', name: 'Bob' }];
    const shapes: unknown[] = [{ data: records, next: 'abc' }, { data: records }, records, records[0], { error: { message: 'nope', code: 'E1' } }];

    const jsonText = fc.oneof(hostileJson(), ...shapes.map((s) => mutatedJson(s))).map((v) => JSON.stringify(v) ?? 'undefined');
    const body = fc.oneof(
      { arbitrary: jsonText, weight: 6 },
      { arbitrary: fc.tuple(jsonText, fc.nat()).map(([text, n]) => text.slice(0, text.length ? n % text.length : 0)), weight: 2 },
      { arbitrary: fc.constantFrom('<!doctype html><html><head><title>502</title></head><body><h1>Bad Gateway</h1></body></html>', '<html>', ''), weight: 2 },
      {
        arbitrary: fc.constantFrom(
          '<?xml version="1.0"?><users><user><id>1</id><name>A</name></user></users>',
          '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><users>&lol2;</users>',
          '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><a>&xxe;</a>',
          '<a><b>',
        ),
        weight: 1,
      },
      { arbitrary: fc.constantFrom('NaN', '{"a":1e999}', '[1,2,', '{"data":[{"id":1}],"next":"abc"}\n{"x":1}', '\uFEFF{"data":[]}', 'null', 'true', '"str"'), weight: 2 },
      { arbitrary: fc.integer({ min: 1, max: 3 }).map((mb) => JSON.stringify({ data: Array.from({ length: mb * 6_000 }, (_, i) => ({ id: i, name: 'x'.repeat(150) })) })), weight: 1 },
      { arbitrary: hostileString({ maxStringLength: 100_000 }), weight: 1 },
    );
    const latin1Header = (value: string) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value);
    const plans: fc.Arbitrary<Plan> = fc.record({
      status: fc.constantFrom(200, 201, 202, 204, 301, 302, 400, 401, 403, 404, 409, 410, 422, 429, 500, 502, 503, 504),
      contentType: fc.constantFrom(undefined, 'application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', 'application/xml', 'application/x-ndjson', 'application/octet-stream', 'application/problem+json', 'json'),
      headers: fc
        .array(
          fc.oneof(
            fc.constantFrom<[string, string]>(['retry-after', '0'], ['retry-after', '-1'], ['retry-after', 'soon'], ['retry-after', '99999999'], ['retry-after', 'Wed, 21 Oct 2015 07:28:00 GMT']),
            fc.constantFrom<[string, string]>(['link', '<http://127.0.0.1:1/next>; rel="next"'], ['link', '<?page=2>; rel="next"'], ['link', 'garbage'], ['link', '<>; rel="next"']),
            fc.constantFrom<[string, string]>(['location', '/users'], ['location', 'http://127.0.0.1:1/x'], ['location', 'not a url']),
            fc.tuple(fc.constantFrom('x-ratelimit-remaining', 'x-total-count', 'x-custom'), hostileString({ maxStringLength: 2_000 }).filter(latin1Header)),
          ),
          { maxLength: 3 },
        )
        .map((entries) => Object.fromEntries(entries) as Record<string, string>),
      body,
      mode: fc.oneof({ arbitrary: fc.constant<Mode>('normal'), weight: 40 }, { arbitrary: fc.constant<Mode>('cut'), weight: 4 }, { arbitrary: fc.constant<Mode>('reset'), weight: 3 }, { arbitrary: fc.constant<Mode>('stall'), weight: 1 }),
    });

    const calls = fc.record({
      resource: fc.constantFrom('users', 'devices'),
      method: fc.constantFrom('list', 'get', 'create', 'delete'),
      format: fc.constantFrom(undefined, 'unified', 'raw', 'normalized', 'debug', 'stream'),
      id: validId,
      name: fc.string({ maxLength: 20 }),
    });

    test(`random status, content type and body → a result or a UnimapError, within ${RUN_TIMEOUT_MS} ms (${HTTP_RUNS} runs)`, async () => {
      await fc.assert(
        fc.asyncProperty(plans, calls, async (p, c) => {
          plan = p;
          const method = c.resource === 'devices' ? 'list' : c.method;
          const call: ExecuteCall = {
            model: 'mdm',
            resource: c.resource,
            method,
            query: c.format ? { truto_response_format: c.format } : {},
            account: { id: 'acct-1', integration: 'fuzz', context: { host: server.host, api_token: 'secret-token-123' } },
          };
          if (method === 'get' || method === 'delete') call.id = c.id;
          if (method === 'create') call.body = { name: c.name };
          const outcome = await outcomeOf(async () => {
            const result = await httpEngine.execute(call);
            // A stream is consumed to the end: its pages are fetched as it is read.
            if (c.format === 'stream' && result.body && typeof result.body === 'object' && Symbol.asyncIterator in result.body) {
              let n = 0;
              for await (const _record of result.body as AsyncIterable<unknown>) if (++n > 100_000) break;
            }
            return result;
          });
          if (outcome.ok) {
            expect(outcome.value.status).toBeGreaterThanOrEqual(100);
          } else {
            expectTypedError(outcome.error);
            expect(JSON.stringify(outcome.error.toJSON())).not.toContain('secret-token-123');
          }
          expectNoPollution();
        }),
        assertOptions(HTTP_RUNS),
      );
    }, 120_000);
  });
});

const fuzzDefinition = `name: fuzz
base_url: "http://{{context.host}}"
context:
  host: { required: true }
  api_token: { required: true, secret: true }
auth:
  type: bearer
  token: "{{context.api_token}}"
rate_limit:
  is_rate_limited: 'status = 429 or response.error.code = "RATE"'
resources:
  users:
    list:
      path: /users
      response_path: data
      pagination: { type: cursor, cursor_path: next, cursor_param: cursor, limit_param: limit, default_limit: 2 }
    get: { path: "/users/{{id}}" }
    create: { method: POST, path: /users }
    delete: { method: DELETE, path: "/users/{{id}}" }
  devices:
    list:
      path: /devices
      pagination: { type: link_header, limit_param: per_page, default_limit: 2 }
unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: '{ "id": $string(response.id), "name": response.name, "emails": response.email ? [{ "email": response.email }], "created_at": response.created }'
        error_mapping: '{ "message": error.error.message, "details": error }'
      get:
        resource: users
        method: get
        response_mapping: '{ "id": $string(response.id), "name": response.name }'
      create:
        resource: users
        method: create
        request_body_mapping: '{ "name": body.name }'
        response_mapping: '{ "id": $string(response.id), "name": response.name }'
      delete:
        resource: users
        method: delete
    devices:
      list:
        resource: devices
        method: list
        response_mapping: '{ "id": $string(response.id), "name": response.name }'
`;
