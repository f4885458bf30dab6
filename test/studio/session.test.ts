import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { replaceScalar, StudioSession, type RunResult } from '../../engine/studio/session.js';

// The studio's API without a browser: the same calls the page makes.
const root = join(import.meta.dirname, '..', '..');
const op = { integration: 'jamf', model: 'mdm', resource: 'users', method: 'create' };
let dir: string;
let session: StudioSession;

interface MethodView {
  file: string;
  slots: { key: string; source: string; bindings: string[]; line: number; stock?: string }[];
  fixtures: { name: string }[];
  inputs: { body?: unknown; context?: Record<string, unknown>; response?: unknown };
  configYaml: string;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unimap-studio-'));
  await cp(join(root, 'mappings'), join(dir, 'mappings'), { recursive: true });
  session = new StudioSession(join(dir, 'mappings'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('replaceScalar: edits one expression and nothing else', () => {
  const text = ['a:', '  # keep me', '  b: &x |', '    line1', '    line2', '  c: plain # trailing', '  d: [x, y]   # spacing kept', ''].join('\n');
  test('a block keeps its header and indentation; the rest is byte for byte', () => {
    const out = replaceScalar(text, ['a', 'b'], 'new1\nnew2\n');
    expect(out).toBe(text.replace('line1\n    line2', 'new1\n    new2'));
  });
  test('an alias is replaced by the text in place; its anchor keeps its own', () => {
    const shared = ['a:', '  b: &x |', '    one', '  c: *x   # shared', '  d: [x, y]', ''].join('\n');
    const out = replaceScalar(shared, ['a', 'c'], 'two\nlines');
    expect(YAML.parse(out).a).toEqual({ b: 'one\n', c: 'two\nlines', d: ['x', 'y'] });
    expect(out).toContain('c: |-   # shared');
    expect(out).toContain('d: [x, y]');
    expect(replaceScalar(shared, ['a', 'c'], 'single')).toBe(shared.replace('*x', '"single"'));
  });
  test('a plain scalar becomes a quoted one, or a block when it gains lines', () => {
    expect(replaceScalar(text, ['a', 'c'], 'x.y')).toBe(text.replace('c: plain', 'c: "x.y"'));
    const multi = replaceScalar(text, ['a', 'c'], '(\n  1\n)');
    expect(YAML.parse(multi).a.c).toBe('(\n  1\n)');
    expect(multi).toContain('# keep me');
    expect(multi).toContain('d: [x, y]   # spacing kept');
  });
});

describe('the studio session', () => {
  test('lists the integrations and opens a method with its slots, fixtures and prefilled inputs', async () => {
    const list = (await session.integrations()) as { integrations: { name: string; methods: unknown[] }[] };
    expect(list.integrations.map((i) => i.name)).toContain('jamf');
    const view = (await session.method(op)) as MethodView;
    expect(view.slots.map((s) => s.key)).toEqual(expect.arrayContaining(['request_body_mapping', 'response_mapping']));
    expect(view.slots.find((s) => s.key === 'request_body_mapping')!.bindings).toContain('body');
    expect(view.fixtures.length).toBeGreaterThan(0);
    expect(view.inputs.body).toBeDefined();
    expect(view.configYaml).toMatch(/^resource: users/);
  });

  test('marks a slot whose expression runs on stock jsonata rather than the fast path, with the reason', async () => {
    const view = (await session.method(op)) as MethodView;
    expect(view.slots.filter((s) => s.stock !== undefined)).toEqual([]);
    const original = view.slots.find((s) => s.key === 'response_mapping')!.source;
    const slow = '{ "id": $string(response.id), "name": $join($sort(["b", "a"], function($x, $y) { $x > $y }), "") }';
    expect(await session.save({ ...op, slots: { response_mapping: slow } })).toMatchObject({ ok: true });
    try {
      const edited = (await session.method(op)) as MethodView;
      expect(edited.slots.find((s) => s.key === 'response_mapping')!.stock).toBe('it calls `$sort`, which the fast path does not implement');
      expect(edited.slots.find((s) => s.key === 'request_body_mapping')!.stock).toBeUndefined();
    } finally {
      expect(await session.save({ ...op, slots: { response_mapping: original } })).toMatchObject({ ok: true });
    }
  });

  test('run: every step, the remote request and the unified result; secrets redacted', async () => {
    const view = (await session.method(op)) as MethodView;
    const body = { name: 'Studio Tester', emails: [{ email: 'studio@example.com', is_primary: true }] };
    const run = (await session.run({ ...op, slots: {}, inputs: { ...view.inputs, body } })) as RunResult;
    expect(run.ok).toBe(true);
    expect(run.steps.map((s) => s.step)).toEqual(['validate_input', 'request_body_mapping', 'remote_request', 'remote_response', 'response_mapping', 'result']);
    expect(run.request?.body).toMatchObject({ username: 'Studio Tester' });
    expect(JSON.stringify(run)).not.toContain(String(view.inputs.context?.access_token));
    expect(run.violations).toEqual([]);
  });

  test('a JSONata syntax error is reported at its line and column within the slot', async () => {
    const view = (await session.method(op)) as MethodView;
    const source = view.slots.find((s) => s.key === 'request_body_mapping')!.source;
    const lines = source.split('\n');
    lines[2] = `${lines[2]} @@`;
    const run = await session.run({ ...op, slots: { request_body_mapping: lines.join('\n') }, inputs: view.inputs });
    expect(run.ok).toBe(false);
    expect(run.slotErrors[0]).toMatchObject({ key: 'request_body_mapping', line: 3 });
  });

  test('a result that breaks the unified schema is listed with the field path', async () => {
    const view = (await session.method(op)) as MethodView;
    const run = await session.run({ ...op, slots: { response_mapping: '{ "id": 42, "name": response.id }' }, inputs: view.inputs });
    expect(run.violations.map((v) => v.path)).toContain('id');
  });

  test('save keeps every comment; a slot that does not compile is not written', async () => {
    const file = join(dir, 'mappings', 'jamf.yaml');
    const before = await readFile(file, 'utf8');
    const view = (await session.method(op)) as MethodView;
    const source = view.slots.find((s) => s.key === 'response_mapping')!.source;
    expect(await session.save({ ...op, slots: { response_mapping: 'response.(' } })).toMatchObject({ ok: false });
    expect(await readFile(file, 'utf8')).toBe(before);
    const edited = source.replace(/^\(/, '(\n  /* edited in the studio */');
    expect(await session.save({ ...op, slots: { response_mapping: edited } })).toMatchObject({ ok: true });
    const after = await readFile(file, 'utf8');
    expect(after).toContain('/* edited in the studio */');
    for (const line of before.split('\n').filter((l) => l.trim().startsWith('#'))) expect(after).toContain(line);
    expect(after.split('\n').length - before.split('\n').length).toBe(1);
  });

  test('save as fixture writes a fixture without secrets that `unimap test` passes', async () => {
    const view = (await session.method(op)) as MethodView;
    const saved = (await session.saveFixture({ ...op, name: 'Saved from the studio', inputs: view.inputs })) as { file: string };
    const text = await readFile(join(dir, saved.file), 'utf8');
    expect(text).not.toContain(String(view.inputs.context?.access_token));
    await expect(session.saveFixture({ ...op, name: 'Saved from the studio', inputs: view.inputs })).rejects.toThrow(/exists/);
    const run = await promisify(execFile)(process.execPath, [join(root, 'engine/cli/unimap.js'), 'test', join(dir, saved.file), '--definitions', join(dir, 'mappings')], { cwd: root });
    expect(run.stdout).toMatch(/1 passed, 0 failed/);
    const outcomes = (await session.runFixtures(op)) as { outcomes: { name: string; passed: boolean }[] };
    expect(outcomes.outcomes.find((o) => o.name === 'Saved from the studio')?.passed).toBe(true);
  }, 30_000);

  test('coverage rows name the integrations that support each field', async () => {
    const coverage = (await session.coverage()) as { integrations: string[]; rows: { resource: string; method: string; field: string; supported: string[] }[] };
    expect(coverage.integrations).toContain('jamf');
    const row = coverage.rows.find((r) => r.resource === 'users' && r.method === 'create' && r.field === 'name');
    expect(row?.supported).toContain('jamf');
  });
});
