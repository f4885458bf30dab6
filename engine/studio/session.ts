/**
 * What the mapping studio's page asks for, answered with the engine's own functions: loading
 * definitions, mapRequest / mapResponseDetailed (with every slot evaluation observed), the
 * fixture runner and the coverage matrix. The studio has no mapping logic of its own.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import YAML, { isAlias, isScalar } from 'yaml';
import { Engine } from '../engine.js';
import { isUnimapError, UnimapError, type Problem, type UnifiedErrorBody } from '../errors.js';
import { findExpressions, slotBindings } from '../definitions/slots.js';
import { slotFallback } from '../expressions/fast/explain.js';
import { readDefinitionFolder } from '../definitions/read-folder.js';
import { formatPath } from '../definitions/ajv.js';
import type { DefinitionSource, LoadedIntegration } from '../definitions/load.js';
import type { CompiledSlot, SlotEvaluation } from '../expressions/evaluate.js';
import { ExpressionCache } from '../expressions/compile.js';
import { isPlainObject } from '../expressions/plain.js';
import { resultRecords, runFixture, type Fixture } from '../fixtures/run.js';
import { findFixtureFiles, readFixture } from '../fixtures/read.js';
import { computeCoverage } from '../models/coverage.js';
import type { RemoteRequest, RemoteResponse, UnifiedCall } from '../pipeline/call.js';
import { createRedactor, REDACTED, type Redactor } from '../transport/redact.js';


export interface Operation {
  integration: string;
  model: string;
  resource: string;
  method: string;
}

export interface Inputs {
  body?: unknown;
  query?: Record<string, unknown>;
  id?: string;
  context?: Record<string, unknown>;
  response?: RemoteResponse;
}

export interface SlotError {
  key: string;
  code: string;
  message: string;
  /** 1-based, within the slot's own text. */
  line: number;
  column: number;
}

export interface Step {
  step: string;
  title: string;
  bindings?: unknown;
  output?: unknown;
  error?: { code: string; message: string };
}

export interface RunResult {
  ok: boolean;
  slotErrors: SlotError[];
  problems: Problem[];
  steps: Step[];
  request?: RemoteRequest;
  result?: unknown;
  error?: UnifiedErrorBody;
  violations: { path: string; message: string }[];
}

/** Evaluations recorded per slot (a list page maps every record; the first few show the shape). */
const EVALUATIONS_PER_SLOT = 3;

function operationOf(value: Record<string, unknown>): Operation {
  const op = {} as Operation;
  for (const key of ['integration', 'model', 'resource', 'method'] as const) {
    const v = value[key];
    if (typeof v !== 'string' || !/^[\w.-]+$/.test(v)) throw new UnimapError('invalid_call', `\`${key}\` must be a name`, { statusCode: 400 });
    op[key] = v;
  }
  return op;
}

/** 1-based line and column of a character index in a text. */
function lineColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(index, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

function methodPath(op: Operation): string[] {
  return ['unified', op.model, op.resource, op.method];
}

function plainProblem(problem: Problem): Problem {
  return JSON.parse(JSON.stringify(problem)) as Problem;
}

export class StudioSession {
  readonly folder: string;

  constructor(folder: string) {
    this.folder = resolve(folder);
  }

  /** A file as the page shows it: relative to the mappings folder's parent (`mappings/jamf.yaml`). */
  private display(file: string): string {
    return relative(dirname(this.folder), resolve(file));
  }

  private async sources(): Promise<DefinitionSource[]> {
    return readDefinitionFolder(this.folder);
  }

  private async engine(sources?: readonly DefinitionSource[]): Promise<Engine> {
    return new Engine({ definitions: sources ?? (await this.sources()) });
  }

  /** Each file's text and the definition `name` in it, so a run (every keystroke) parses no file it has not seen change. */
  private readonly names = new Map<string, { text: string; name: unknown }>();

  /** The definition file of an integration and its text (a definition is named by its `name`). */
  private async source(integration: string): Promise<{ file: string; text: string; absolute: string }> {
    for (const source of await this.sources()) {
      if (!('text' in source)) continue;
      let known = this.names.get(source.file);
      if (known?.text !== source.text) {
        known = { text: source.text, name: (YAML.parse(source.text, { uniqueKeys: false }) as { name?: unknown } | null)?.name };
        this.names.set(source.file, known);
      }
      if (known.name === integration) return { file: source.file, text: source.text, absolute: resolve(source.file) };
    }
    throw new UnimapError('integration_not_found', `no definition named ${integration} in ${relative(process.cwd(), this.folder) || '.'}`, { statusCode: 404 });
  }

  async integrations(): Promise<unknown> {
    const engine = await this.engine();
    const integrations = [...engine.integrations.values()].map((i) => ({
      name: i.name,
      file: i.file,
      methods: Object.entries(i.definition.unified ?? {}).flatMap(([model, resources]) =>
        Object.entries(resources).flatMap(([resource, methods]) => Object.keys(methods).map((method) => ({ model, resource, method }))),
      ),
    }));
    return {
      integrations,
      failed: [...engine.failedIntegrations].map(([name, file]) => ({ name, file })),
      problems: engine.problems.map(plainProblem),
    };
  }

  /** The fixtures of one method: those under the integration's folder whose call names it. */
  private async fixtures(op: Operation): Promise<{ file: string; fixture: Fixture }[]> {
    const dir = join(this.folder, op.integration);
    try {
      if (!(await stat(dir)).isDirectory()) return [];
    } catch {
      return [];
    }
    const out: { file: string; fixture: Fixture }[] = [];
    for (const file of await findFixtureFiles([dir])) {
      const read = await readFixture(file);
      const call = read.fixture?.call;
      if (read.fixture && call && call.integration === op.integration && call.model === op.model && call.resource === op.resource && call.method === op.method) {
        out.push({ file: this.display(read.file), fixture: read.fixture });
      }
    }
    return out;
  }

  async method(params: Record<string, unknown>): Promise<unknown> {
    const op = operationOf(params);
    const { file, text } = await this.source(op.integration);
    const doc = YAML.parseDocument(text);
    const node = doc.getIn(methodPath(op), true) as { range?: [number, number, number] } | undefined;
    const methodData = methodPath(op).reduce<unknown>((v, k) => (isPlainObject(v) ? v[k] : undefined), doc.toJS());
    if (!node || !isPlainObject(methodData)) {
      throw new UnimapError('method_not_supported', `${op.integration} does not define ${op.model}/${op.resource}.${op.method}`, { statusCode: 404 });
    }
    const engine = await this.engine([{ file, text }]);
    const loaded = engine.integrations.get(op.integration);
    const slots = findExpressions(methodData, methodPath(op)).map((found) => {
      const compiled = loaded?.slots.get(found.path.join('.'));
      const stock = compiled ? slotFallback(compiled) : undefined;
      return {
        key: found.path.slice(4).join('.'),
        slot: found.spec.slot,
        bindings: slotBindings[found.spec.slot] ?? [],
        source: found.source,
        line: loaded?.locate(found.path).line ?? 0,
        ...(stock ? { stock } : {}),
      };
    });
    const fixtures = (await this.fixtures(op)).map(({ file: f, fixture }) => {
      const response = fixture.exchanges?.[0]?.response;
      return { file: f, name: fixture.name, call: fixture.call, ...(response ? { response } : {}), inputs: fixtureInputs(fixture.call, response) };
    });
    // Prefilled from the first fixture with a remote response (else the first).
    const inputs = (fixtures.find((f) => f.response) ?? fixtures[0])?.inputs ?? {};
    return { ...op, file: this.display(file), configYaml: methodText(text, node.range), slots, fixtures, inputs };
  }

  /**
   * The definition text with the page's slot edits applied: each expression's text is replaced
   * in place (its block's header and indentation kept), so the rest of the file, comments and
   * layout, stays byte for byte. yaml's Document API locates the nodes.
   */
  private applyEdits(text: string, op: Operation, slots: Record<string, unknown>): { text: string; slotErrors: SlotError[] } {
    const slotErrors: SlotError[] = [];
    const cache = new ExpressionCache();
    let out = text;
    for (const [key, source] of Object.entries(slots)) {
      if (typeof source !== 'string') throw new UnimapError('invalid_call', `slot ${key} must be a string`, { statusCode: 400 });
      const path = [...methodPath(op), ...key.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part))];
      const compiled = cache.tryCompile(source);
      if ('error' in compiled) {
        const at = lineColumn(source, compiled.error.index);
        slotErrors.push({ key, code: compiled.error.code, message: compiled.error.message, ...at });
      }
      out = replaceScalar(out, path, source);
    }
    return { text: out, slotErrors };
  }

  async run(body: Record<string, unknown>): Promise<RunResult> {
    const op = operationOf(body);
    const { file, text } = await this.source(op.integration);
    const edited = this.applyEdits(text, op, isPlainObject(body.slots) ? body.slots : {});
    const out: RunResult = { ok: false, slotErrors: edited.slotErrors, problems: [], steps: [], violations: [] };
    if (edited.slotErrors.length) return out;
    const engine = await this.engine([{ file, text: edited.text }]);
    out.problems = engine.problems.filter((p) => p.severity === 'error').map(plainProblem);
    const integration = engine.integrations.get(op.integration);
    if (!integration) return out;
    const inputs = (isPlainObject(body.inputs) ? body.inputs : {}) as Inputs;
    const call = unifiedCall(op, inputs);
    const redactor = createRedactor(integration.definition, call.context ?? {});
    await this.pipeline(engine, integration, call, inputs.response, redactor, out);
    out.ok = !out.error && out.violations.length === 0;
    return out;
  }

  /** mapRequest, then (with a response) mapResponseDetailed; each slot evaluation becomes a step. */
  private async pipeline(engine: Engine, integration: LoadedIntegration, call: UnifiedCall, response: RemoteResponse | undefined, redactor: Redactor, out: RunResult): Promise<void> {
    const prefix = `unified.${call.model}.${call.resource}.${call.method}.`;
    const counts = new Map<string, number>();
    let requestSide = new Set<string>();
    let phase: 'request' | 'response' = 'request';
    const observe = (event: SlotEvaluation): void => {
      const key = event.origin.path.startsWith(prefix) ? event.origin.path.slice(prefix.length) : event.origin.path;
      if (phase === 'response' && requestSide.has(key)) return; // mapResponse re-runs the request side
      if (phase === 'request') requestSide.add(key);
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      if (n > EVALUATIONS_PER_SLOT) return;
      const step: Step = { step: key, title: `${key}${n > 1 || key.endsWith('response_mapping') ? ` (record ${n})` : ''}`, bindings: redactor.value(event.bindings) };
      if (event.error === undefined) step.output = redactor.value(event.output);
      else {
        const error = isUnimapError(event.error) ? event.error : undefined;
        step.error = { code: error?.code ?? 'mapping_error', message: redactor.text(error?.message ?? String(event.error)) };
        if (error?.details && typeof (error.details as { position?: unknown }).position === 'number') {
          const source = (integration.slots.get(event.origin.path) as CompiledSlot | undefined)?.source ?? '';
          const at = lineColumn(source, (error.details as { position: number }).position);
          out.slotErrors.push({ key, code: String((error.details as { jsonata_code?: unknown }).jsonata_code ?? error.code), message: step.error.message, ...at });
        }
      }
      out.steps.push(step);
    };
    for (const slot of integration.slots.values()) slot.observe = observe;

    out.steps.push({ step: 'validate_input', title: 'unified call', bindings: redactor.value({ body: call.body, query: call.query, id: call.id }) });
    try {
      const request = await engine.mapRequest(call);
      out.request = redactedRequest(request, redactor);
      out.steps.push({ step: 'remote_request', title: 'remote request', output: out.request });
      if (!response) return;
      phase = 'response';
      requestSide = new Set(requestSide);
      out.steps.push({ step: 'remote_response', title: 'remote response', output: redactor.value(response) });
      const mapped = await engine.mapResponseDetailed(call, response);
      out.result = redactor.value(mapped.body);
      out.steps.push({ step: 'result', title: 'unified result', output: out.result });
      out.violations = violations(engine, call, mapped.body);
    } catch (error) {
      if (!isUnimapError(error)) throw error;
      out.error = redactor.value(error.toJSON()) as UnifiedErrorBody;
      out.steps.push({ step: 'error', title: 'unified error', error: { code: error.code, message: redactor.text(error.message) } });
    }
  }

  async save(body: Record<string, unknown>): Promise<unknown> {
    const op = operationOf(body);
    const { file, text, absolute } = await this.source(op.integration);
    const edited = this.applyEdits(text, op, isPlainObject(body.slots) ? body.slots : {});
    if (edited.slotErrors.length) return { ok: false, file: this.display(file), slotErrors: edited.slotErrors, problems: [] };
    const engine = await this.engine([{ file, text: edited.text }]);
    const problems = engine.problems.filter((p) => p.severity === 'error').map(plainProblem);
    if (problems.length) return { ok: false, file: this.display(file), slotErrors: [], problems };
    if (edited.text !== text) await writeFile(absolute, edited.text);
    return { ok: true, file: this.display(file) };
  }

  /** Writes the current inputs, and what the pipeline makes of them, as a fixture beside the definition. */
  async saveFixture(body: Record<string, unknown>): Promise<unknown> {
    const op = operationOf(body);
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    if (!name) throw new UnimapError('invalid_call', 'give the fixture a name', { statusCode: 400 });
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
    if (!slug) throw new UnimapError('invalid_call', 'the fixture name needs letters or digits', { statusCode: 400 });
    const inputs = (isPlainObject(body.inputs) ? body.inputs : {}) as Inputs;
    const { file, text } = await this.source(op.integration);
    const engine = await this.engine([{ file, text }]);
    const integration = engine.integrations.get(op.integration);
    if (!integration) throw new UnimapError('definitions_invalid', `${file} does not load; fix it before saving a fixture`, { statusCode: 409 });
    // The fixture holds no secret: the context's secrets are replaced, and the expectations are
    // computed with that same context, so the fixture replays green as written.
    const context = inputs.context ?? {};
    const redactor = createRedactor(integration.definition, context);
    const safeContext = redactor.value(context) as Record<string, unknown>;
    const call = unifiedCall(op, { ...inputs, context: safeContext });
    const fixture: Record<string, unknown> = { name, call: withoutUndefined({ ...call }) };
    const expect: Record<string, unknown> = {};
    try {
      const request = await engine.mapRequest(call);
      const exchange: Record<string, unknown> = { request: withoutUndefined({ method: request.method, url: request.url, body: request.body }) };
      if (inputs.response) {
        exchange.response = inputs.response;
        const mapped = await engine.mapResponseDetailed(call, inputs.response);
        expect.result = mapped.body;
      }
      fixture.exchanges = [exchange];
    } catch (error) {
      if (!isUnimapError(error)) throw error;
      expect.error = { code: error.code, statusCode: error.statusCode };
    }
    if (!expect.error && !inputs.response) throw new UnimapError('invalid_call', 'a fixture that expects a result needs a remote response', { statusCode: 400 });
    fixture.expect = expect;
    const dir = join(this.folder, op.integration);
    await mkdir(dir, { recursive: true });
    const target = join(dir, `${op.resource}.${op.method}.${slug}.yaml`);
    if (await exists(target)) throw new UnimapError('fixture_exists', `${this.display(target)} exists; pick another name`, { statusCode: 409 });
    const doc = new YAML.Document(fixture, { aliasDuplicateObjects: false });
    doc.commentBefore = ' yaml-language-server: $schema=../../schemas/fixture.schema.json';
    await writeFile(target, `${doc.toString({ lineWidth: 0 })}`);
    return { ok: true, file: this.display(target), fixture };
  }

  async runFixtures(body: Record<string, unknown>): Promise<unknown> {
    const op = operationOf(body);
    const engine = await this.engine();
    const outcomes = [];
    for (const { file, fixture } of await this.fixtures(op)) {
      const outcome = await runFixture(engine, fixture);
      outcomes.push({ name: outcome.name, file, passed: outcome.passed, failures: outcome.failures });
    }
    return { outcomes };
  }

  async coverage(): Promise<unknown> {
    const engine = await this.engine();
    const rows: { resource: string; method: string; field: string; kind: string; supported: string[]; required: string[] }[] = [];
    for (const resource of computeCoverage(engine)) {
      for (const method of resource.methods) {
        for (const kind of ['request', 'response', 'query'] as const) {
          for (const field of method[kind]) {
            rows.push({ resource: resource.resource, method: method.method, field: field.field, kind, supported: field.supported, required: field.required });
          }
        }
      }
    }
    return { model: 'mdm', integrations: [...engine.integrations.keys()].sort(), rows };
  }
}

/** A fixture's call and response as the page's inputs (the reverse of unifiedCall). */
function fixtureInputs(call: UnifiedCall, response: RemoteResponse | undefined): Inputs {
  const inputs: Inputs = {};
  if (call.body !== undefined) inputs.body = call.body;
  if (call.query) inputs.query = call.query;
  if (call.id !== undefined) inputs.id = String(call.id);
  if (call.context) inputs.context = call.context;
  if (response) inputs.response = response;
  return inputs;
}

function unifiedCall(op: Operation, inputs: Inputs): UnifiedCall {
  const call: UnifiedCall = { ...op };
  if (inputs.body !== undefined) call.body = inputs.body;
  if (isPlainObject(inputs.query)) call.query = inputs.query;
  if (typeof inputs.id === 'string' && inputs.id !== '') call.id = inputs.id;
  if (isPlainObject(inputs.context)) call.context = inputs.context;
  return call;
}

function redactedRequest(request: RemoteRequest, redactor: Redactor): RemoteRequest {
  const out: RemoteRequest = { method: request.method, url: redactor.text(request.url), headers: redactor.headers(request.headers ?? {}) };
  if (request.body !== undefined) out.body = redactor.value(request.body);
  return out;
}

/** Schema violations of the unified records, with dotted paths relative to each record (lists: `result[i].…`). */
function violations(engine: Engine, call: UnifiedCall, result: unknown): { path: string; message: string }[] {
  const found = resultRecords(engine, call, result);
  if (!found) return [];
  const { unified, records } = found;
  const list = call.method === 'list';
  const out: { path: string; message: string }[] = [];
  records.forEach((record, i) => {
    for (const issue of unified.check('record', record)) {
      const inner = issue.path.length ? formatPath(issue.path) : '';
      out.push({ path: list ? `result[${i}]${inner ? (inner.startsWith('[') ? inner : `.${inner}`) : ''}` : inner, message: issue.message });
    }
  });
  return out;
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** The text with the scalar at `path` set to `value`, touching nothing else in the file. */
export function replaceScalar(text: string, path: (string | number)[], value: string): string {
  const doc = YAML.parseDocument(text);
  const node = doc.getIn(path, true);
  if (isScalar(node) && node.range && node.value === value) return text;
  let out: string | undefined;
  // An alias (`*shared`) is replaced in place by the text, like a plain scalar: the anchored
  // original, and every other alias of it, keep their text.
  if ((isScalar(node) || isAlias(node)) && node.range) {
    const [start, end] = node.range;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const keyIndent = text.slice(lineStart).length - text.slice(lineStart).trimStart().length;
    let replacement: string;
    if (!value.includes('\n') && (isAlias(node) || node.type === 'PLAIN' || node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) {
      replacement = JSON.stringify(value);
    } else {
      // A literal block: keep the indentation of the existing block's content when there is one.
      const isBlock = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
      const firstContent = isBlock ? text.slice(text.indexOf('\n', start) + 1, end).split('\n').find((l) => l.trim()) : undefined;
      const indent = firstContent ? firstContent.length - firstContent.trimStart().length : keyIndent + 2;
      const trailing = value.match(/\n*$/)![0].length;
      const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
      const body = value.replace(/\n+$/, '').split('\n').map((line) => (line ? ' '.repeat(indent) + line : ''));
      const content = `${body.join('\n')}\n${trailing > 1 ? '\n'.repeat(trailing - 1) : ''}`;
      if (isBlock) replacement = `|${chomp}\n${content}`;
      else {
        // A plain or quoted scalar ends before its line's comment: the header takes its place,
        // the comment stays on that line, the content follows it.
        const lineEnd = text.indexOf('\n', end);
        const rest = lineEnd < 0 ? `${text.slice(end)}\n` : text.slice(end, lineEnd + 1);
        out = `${text.slice(0, start)}|${chomp}${rest}${content}${lineEnd < 0 ? '' : text.slice(lineEnd + 1)}`;
        replacement = '';
      }
    }
    if (out === undefined) out = text.slice(0, start) + replacement + text.slice(end);
    // Only keep a splice that yaml reads back as exactly the new value.
    if (YAML.parseDocument(out).getIn(path) !== value) out = undefined;
  }
  if (out === undefined) {
    doc.setIn(path, value);
    out = doc.toString({ lineWidth: 0 });
  }
  return out;
}

/** The method's YAML as written in the file (from the start of its line), dedented. */
function methodText(text: string, range: [number, number, number] | undefined): string {
  if (!range) return '';
  const start = text.lastIndexOf('\n', range[0] - 1) + 1;
  const lines = text.slice(start, range[2]).replace(/\s+$/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

export { REDACTED };
