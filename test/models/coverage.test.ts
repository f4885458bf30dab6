import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import jsonata from 'jsonata';
import { loadEngine } from '../../engine/index.js';
import { findFixtureFiles, readFixture } from '../../engine/fixtures/read.js';
import { resultRecords, runFixture, type Fixture } from '../../engine/fixtures/run.js';
import { computeCoverage, responseFields } from '../../engine/models/coverage.js';
import { bodyReads, outputFields } from '../../engine/models/mapping-analysis.js';
import { renderModelDocs } from '../../engine/docs/write-model-docs.js';
import { isPlainObject } from '../../engine/expressions/plain.js';

const engine = await loadEngine({ definitions: 'mappings' });

/** Dotted paths present in a unified record (`emails.email`); `remote_data` is not descended into. */
function presentFields(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) presentFields(item, prefix, out);
    return out;
  }
  if (!isPlainObject(value)) return out;
  for (const [key, child] of Object.entries(value)) {
    const field = prefix ? `${prefix}.${key}` : key;
    out.add(field);
    if (key !== 'remote_data' || prefix) presentFields(child, field, out);
  }
  return out;
}

describe('static analysis of mappings', () => {
  test('outputFields follows blocks, variables, conditions, arrays and nested objects', () => {
    const ast = jsonata('($o := { "id": o.id }; x ? { "id": "1", "emails": [{ "email": e, "type": "work" }], "organization": $o } : { "name": n })').ast();
    expect([...outputFields(ast)].sort()).toEqual(['emails', 'emails.email', 'emails.type', 'id', 'name', 'organization', 'organization.id']);
  });

  test('bodyReads follows body paths, predicates and variables bound to them', () => {
    const ast = jsonata('($p := body.emails[is_primary = true][0]; { "mail": $p ? $p.email : body.emails[0].email, "n": $splitName(body.name).first_name, "x": context.body.nope })').ast();
    expect([...bodyReads(ast)].sort()).toEqual(['emails', 'emails.email', 'emails.is_primary', 'name']);
  });
});

describe('field coverage', () => {
  const coverage = computeCoverage(engine, 'mdm');
  const users = coverage.find((r) => r.resource === 'users')!;

  test('is computed for every unified resource and method', () => {
    expect(coverage.map((r) => r.resource).sort()).toEqual(['apps', 'devices', 'organizations', 'users']);
    for (const resource of coverage) for (const method of resource.methods) for (const name of method.integrations) expect(engine.integrations.has(name)).toBe(true);
  });

  test("users.create gives the seed's notation: who supports and who requires each body field", () => {
    const create = users.methods.find((m) => m.method === 'create')!;
    const name = create.request.find((f) => f.field === 'name')!;
    const emails = create.request.find((f) => f.field === 'emails')!;
    const creators = create.integrations;
    expect(creators).toContain('jamf');
    // Every integration that creates users reads the name and requires it.
    expect(name.supported).toEqual(creators);
    expect(name.required.length).toBeGreaterThan(0);
    expect(emails.supported.length).toBeGreaterThan(0);
    const remoteData = create.request.find((f) => f.field === 'remote_data')!;
    expect(remoteData.supported).toEqual(creators);
  });

  test('the generated model docs are current (npm run docs)', async () => {
    for (const [path, content] of await renderModelDocs()) {
      expect(existsSync(path), `${path} exists`).toBe(true);
      expect(readFileSync(path, 'utf8'), `${path} is current`).toBe(content);
    }
  });
});

describe('coverage against the fixtures', async () => {
  const fixtures: Fixture[] = [];
  for (const file of await findFixtureFiles(['mappings'])) {
    const { fixture } = await readFixture(file);
    if (fixture && fixture.expect.result !== undefined && !fixture.call.overrides && fixture.call.query?.truto_exclude_fields === undefined && fixture.call.query?.truto_response_format === undefined) fixtures.push(fixture);
  }
  const observed = new Map<string, Set<string>>();
  for (const fixture of fixtures) {
    const outcome = await runFixture(engine, fixture);
    if (!outcome.passed) continue; // reported by the fixture tests themselves
    const { integration, model, resource, method } = fixture.call;
    const key = `${integration} ${model}/${resource}.${method}`;
    // A list's records (keyed ones too), or the one result.
    const records = resultRecords(engine, fixture.call, outcome.actual.result)?.records ?? [outcome.actual.result];
    const set = observed.get(key) ?? new Set<string>();
    for (const record of records) presentFields(record, '', set);
    observed.set(key, set);
  }

  test('every field a fixture returns is one the static analysis predicts', () => {
    for (const [key, fields] of observed) {
      const [integration, op] = key.split(' ') as [string, string];
      const [model, rest] = op.split('/') as [string, string];
      const [resource, method] = rest.split('.') as [string, string];
      const predicted = responseFields(engine, integration, model, engine.models.get(model, resource)!, method);
      const unexpected = [...fields].filter((f) => !predicted.has(f));
      expect(unexpected, `${key}: fields not predicted by the static analysis`).toEqual([]);
    }
  });

  test('the users coverage table matches what the fixtures exercise', () => {
    // Per integration: every field its users mappings produce is shown by at least one of its fixtures.
    const predicted = new Map<string, Set<string>>();
    const shown = new Map<string, Set<string>>();
    for (const [key, fields] of observed) {
      if (!key.includes(' mdm/users.')) continue;
      const [integration, op] = key.split(' ') as [string, string];
      const method = op.split('.')[1]!;
      const p = predicted.get(integration) ?? new Set<string>();
      for (const f of responseFields(engine, integration, 'mdm', engine.models.get('mdm', 'users')!, method)) p.add(f);
      predicted.set(integration, p);
      const s = shown.get(integration) ?? new Set<string>();
      for (const f of fields) s.add(f);
      shown.set(integration, s);
    }
    const gaps = [...predicted].map(([integration, fields]) => [integration, [...fields].filter((f) => !shown.get(integration)!.has(f))] as const).filter(([, missing]) => missing.length);
    expect(gaps.map(([i, m]) => `${i}: ${m.join(', ')}`), 'mapped fields that no fixture shows').toEqual([]);
    // And every integration that serves users has fixtures for it.
    for (const integration of engine.integrations.keys()) {
      if (engine.integrations.get(integration)!.definition.unified?.mdm?.users) expect(predicted.has(integration), `${integration} users fixtures`).toBe(true);
    }
  });
});
