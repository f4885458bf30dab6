// The mapping studio page: pick an integration's method, edit its JSONata slots and the call's
// inputs, and watch the whole pipeline re-run live against the studio server.
import type { EditorView } from '@codemirror/view';
import {
  api,
  ApiError,
  operationName,
  parseOperation,
  type CoverageResponse,
  type Fixture,
  type FixtureOutcome,
  type Inputs,
  type IntegrationsResponse,
  type MethodResponse,
  type Problem,
  type RunResponse,
  type Selection,
  type SlotError,
  type Step,
} from './api.js';
import { coverageLegend, coverageTable } from './coverage.js';
import { append, byId, clear, h } from './dom.js';
import { configEditor, jsonEditor, replaceText, showError, slotEditor } from './editors.js';
import { diffView, jsonView } from './json-view.js';

type InputKey = 'body' | 'query' | 'context' | 'response';
const jsonInputs: InputKey[] = ['body', 'query', 'context', 'response'];
const RUN_DEBOUNCE_MS = 300;

interface Loaded {
  selection: Selection;
  method: MethodResponse;
  config: EditorView;
  slots: Map<string, { view: EditorView; error: HTMLElement }>;
  /** The slot sources as last loaded or saved: edits differ from these. */
  saved: Record<string, string>;
}

const state = {
  integrations: undefined as IntegrationsResponse | undefined,
  loaded: undefined as Loaded | undefined,
  inputs: new Map<InputKey, EditorView>(),
  /** Unsaved slot edits of methods the author navigated away from, by `jamf/mdm/users.create`. */
  drafts: new Map<string, Record<string, string>>(),
  /** Only the newest /api/run answer is shown; older ones arriving late are dropped. */
  runSeq: 0,
  loadSeq: 0,
  runTimer: undefined as ReturnType<typeof setTimeout> | undefined,
  /** Set while the page itself fills editors, so that does not count as an edit. */
  filling: false,
  /** Which step sections the author opened or closed, kept across re-runs. */
  openSections: new Map<string, boolean>(),
  coverage: undefined as CoverageResponse | undefined,
};

const el = {
  integration: byId<HTMLSelectElement>('integration'),
  operation: byId<HTMLSelectElement>('operation'),
  tabMapping: byId<HTMLButtonElement>('tab-mapping'),
  tabCoverage: byId<HTMLButtonElement>('tab-coverage'),
  mappingView: byId('mapping-view'),
  coverageView: byId('coverage-view'),
  coverage: byId('coverage'),
  file: byId('file'),
  notice: byId('notice'),
  loadProblems: byId('load-problems'),
  runStatus: byId('run-status'),
  config: byId('config-yaml'),
  slots: byId('slots'),
  save: byId<HTMLButtonElement>('save'),
  saveStatus: byId('save-status'),
  fixturePicker: byId<HTMLSelectElement>('fixture-picker'),
  idInput: byId<HTMLInputElement>('input-id'),
  fixtureName: byId<HTMLInputElement>('fixture-name'),
  saveFixture: byId<HTMLButtonElement>('save-fixture'),
  fixtureStatus: byId('fixture-status'),
  runFixtures: byId<HTMLButtonElement>('run-fixtures'),
  fixtureResults: byId('fixture-results'),
  problems: byId('problems'),
  pipeline: byId('pipeline'),
  steps: byId('steps'),
  remoteRequest: byId('remote-request'),
  unifiedError: byId('unified-error'),
  unifiedResult: byId('unified-result'),
  violations: byId('violations'),
};

const selectionKey = (s: Selection): string => `${s.integration}/${operationName(s)}`;
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function setStatus(target: HTMLElement, text: string, kind: 'ok' | 'error' | 'busy' | '' = ''): void {
  target.textContent = text;
  target.className = `status ${kind}`;
  target.title = text;
}

function formatProblem(problem: Problem): string {
  const where = problem.location ? `${problem.location.file}:${problem.location.line}:${problem.location.column} ` : '';
  return `${where}${problem.severity} ${problem.code}: ${problem.message}`;
}

function problemList(problems: Problem[]): HTMLElement {
  return h('ul', { class: 'problem-list' }, ...problems.map((p) => h('li', { class: `problem ${p.severity}` }, formatProblem(p))));
}

// ---------------------------------------------------------------- navigation

function parseHash(): { view: 'mapping' | 'coverage'; integration?: string; operation?: string } {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ''));
  if (hash === 'coverage') return { view: 'coverage' };
  const [integration, ...rest] = hash.split('/');
  return { view: 'mapping', integration: integration || undefined, operation: rest.join('/') || undefined };
}

function navigate(hash: string): void {
  if (location.hash === hash) void route();
  else location.hash = hash;
}

async function route(): Promise<void> {
  const target = parseHash();
  showView(target.view);
  if (target.view === 'coverage') {
    await showCoverage();
    return;
  }
  const integrations = state.integrations?.integrations ?? [];
  const integration = integrations.find((i) => i.name === target.integration) ?? integrations[0];
  if (!integration) {
    showNotice(state.integrations?.failed.length ? 'No integration loaded: every definition failed (see the problems above).' : 'No integrations in this mappings folder.');
    return;
  }
  const method = integration.methods.find((m) => operationName(m) === target.operation);
  if (!method) {
    if (target.operation) {
      fillSelects(integration.name, undefined);
      showNotice(`${integration.name} does not implement ${target.operation}.`);
      unload();
      return;
    }
    const first = integration.methods[0];
    if (!first) {
      fillSelects(integration.name, undefined);
      showNotice(`${integration.name} has no unified methods.`);
      unload();
      return;
    }
    // Make the URL say what is shown, without an extra history entry.
    history.replaceState(null, '', `#${integration.name}/${operationName(first)}`);
    return route();
  }
  showNotice('');
  fillSelects(integration.name, operationName(method));
  const selection: Selection = { integration: integration.name, ...method };
  if (state.loaded && selectionKey(state.loaded.selection) === selectionKey(selection)) return;
  await loadMethod(selection);
}

function showView(view: 'mapping' | 'coverage'): void {
  el.mappingView.hidden = view !== 'mapping';
  el.coverageView.hidden = view !== 'coverage';
  el.tabMapping.classList.toggle('active', view === 'mapping');
  el.tabCoverage.classList.toggle('active', view === 'coverage');
  el.tabMapping.setAttribute('aria-selected', String(view === 'mapping'));
  el.tabCoverage.setAttribute('aria-selected', String(view === 'coverage'));
  el.operation.disabled = view === 'coverage';
}

function showNotice(text: string): void {
  el.notice.textContent = text;
  el.notice.hidden = !text;
}

function fillSelects(integrationName: string, operation: string | undefined): void {
  const data = state.integrations;
  if (!data) return;
  clear(el.integration);
  for (const integration of data.integrations) el.integration.appendChild(h('option', { value: integration.name }, integration.name));
  for (const failed of data.failed) el.integration.appendChild(h('option', { value: failed.name, disabled: true }, `${failed.name} (failed to load)`));
  el.integration.value = integrationName;

  clear(el.operation);
  const integration = data.integrations.find((i) => i.name === integrationName);
  const byResource = new Map<string, HTMLOptGroupElement>();
  for (const method of integration?.methods ?? []) {
    const label = `${method.model}/${method.resource}`;
    let group = byResource.get(label);
    if (!group) {
      group = h('optgroup', { label });
      byResource.set(label, group);
      el.operation.appendChild(group);
    }
    group.appendChild(h('option', { value: operationName(method) }, operationName(method)));
  }
  if (operation) el.operation.value = operation;
  el.file.textContent = integration?.file ?? '';
}

el.integration.addEventListener('change', () => {
  const integration = state.integrations?.integrations.find((i) => i.name === el.integration.value);
  // Keep the operation when the other integration has it too: comparing vendors is common.
  const same = integration?.methods.find((m) => operationName(m) === el.operation.value);
  navigate(`#${el.integration.value}${same ? `/${operationName(same)}` : ''}`);
});
el.operation.addEventListener('change', () => navigate(`#${el.integration.value}/${el.operation.value}`));
el.tabMapping.addEventListener('click', () => {
  const loaded = state.loaded?.selection;
  navigate(loaded ? `#${selectionKey(loaded)}` : `#${el.integration.value}`);
});
el.tabCoverage.addEventListener('click', () => navigate('#coverage'));
window.addEventListener('hashchange', () => void route());

// ---------------------------------------------------------------- loading a method

function currentSlots(): Record<string, string> {
  const slots: Record<string, string> = {};
  for (const [key, { view }] of state.loaded?.slots ?? []) slots[key] = view.state.doc.toString();
  return slots;
}

/**
 * The slots that differ from the file: runs and saves send only these, so an untouched slot
 * (a YAML alias like `*jamf_error` included) is never rewritten.
 */
function editedSlots(): Record<string, string> {
  const saved = state.loaded?.saved ?? {};
  return Object.fromEntries(Object.entries(currentSlots()).filter(([key, source]) => source !== saved[key]));
}

function isDirty(): boolean {
  const loaded = state.loaded;
  if (!loaded) return false;
  const slots = currentSlots();
  return Object.keys(slots).some((key) => slots[key] !== loaded.saved[key]);
}

function updateDirty(): void {
  const dirty = isDirty();
  el.save.classList.toggle('dirty', dirty);
  el.save.title = dirty ? 'Save the edited slots into the YAML file (Ctrl+S)' : 'Nothing to save';
  el.fixtureStatus.dataset.hint = dirty ? 'Fixtures record and run with the saved mapping: save first to include your edits.' : '';
}

function unload(): void {
  const loaded = state.loaded;
  if (!loaded) return;
  if (isDirty()) state.drafts.set(selectionKey(loaded.selection), currentSlots());
  else state.drafts.delete(selectionKey(loaded.selection));
  loaded.config.destroy();
  for (const { view } of loaded.slots.values()) view.destroy();
  state.loaded = undefined;
  clear(el.slots);
  clearPipeline();
  updateDirty();
}

async function loadMethod(selection: Selection): Promise<void> {
  const seq = ++state.loadSeq;
  setStatus(el.runStatus, 'loading…', 'busy');
  let method: MethodResponse;
  try {
    method = await api.method(selection);
  } catch (error) {
    if (seq !== state.loadSeq) return;
    unload();
    showNotice(`Could not open ${selectionKey(selection)}: ${message(error)}`);
    setStatus(el.runStatus, 'error', 'error');
    return;
  }
  if (seq !== state.loadSeq) return;
  unload();
  state.filling = true;
  try {
    const draft = state.drafts.get(selectionKey(selection));
    const slots = new Map<string, { view: EditorView; error: HTMLElement }>();
    clear(el.config);
    const config = configEditor(el.config, method.configYaml);
    for (const slot of method.slots) {
      const error = h('div', { class: 'slot-error', 'data-testid': `slot-error-${slot.key}`, role: 'alert' });
      const host = h('div', { class: 'slot-editor', 'data-testid': `slot-editor-${slot.key}` });
      const section = h('section', { class: 'slot', 'data-slot': slot.key },
        h('div', { class: 'slot-head' },
          h('span', { class: 'slot-name' }, slot.key),
          slot.slot !== slot.key ? h('span', { class: 'slot-kind' }, slot.slot) : null,
          yamlLink(method.configYaml, slot.key),
          h('span', { class: 'bindings', title: 'what this slot receives, as fields and as $variables' },
            ...slot.bindings.map((binding) => h('code', { class: 'binding' }, binding))),
          h('span', { class: 'spacer' }),
          slot.stock
            ? h('span', { class: 'slot-stock', 'data-testid': `slot-stock-${slot.key}`, title: `Runs on stock jsonata, not the fast path (same results, slower): ${slot.stock}` }, 'stock jsonata')
            : null,
          h('span', { class: 'slot-line', title: 'where the expression starts in the definition file' }, `${fileName(method.file)}:${slot.line}`),
        ),
        host,
        error,
      );
      el.slots.appendChild(section);
      const view = slotEditor(host, draft?.[slot.key] ?? slot.source, slot.bindings, slotEdited);
      slots.set(slot.key, { view, error });
    }
    if (!method.slots.length) el.slots.appendChild(h('p', { class: 'hint' }, 'This method has no JSONata slots: it runs on its static config alone.'));
    state.loaded = {
      selection,
      method,
      config,
      slots,
      saved: Object.fromEntries(method.slots.map((slot) => [slot.key, slot.source])),
    };
    state.drafts.delete(selectionKey(selection));
    // The server prefills the inputs from the first fixture with a response (else the first).
    const prefilled = method.fixtures.findIndex((f) => f.response !== undefined);
    fillFixturePicker(method.fixtures, prefilled >= 0 ? prefilled : method.fixtures.length ? 0 : -1);
    fillInputs(method.inputs);
    setStatus(el.saveStatus, draft ? 'Unsaved edits restored' : '', draft ? 'busy' : '');
    setStatus(el.fixtureStatus, '');
    clear(el.fixtureResults);
    el.file.textContent = method.file;
    document.title = `${selectionKey(selection)} · Unimap studio`;
  } finally {
    state.filling = false;
  }
  updateDirty();
  await runNow();
}

/**
 * A slot written as a YAML anchor (`&user_body`) is shared with the methods that alias it, and
 * an alias (`*jamf_error`) is someone else's text: the author should know before saving.
 */
function yamlLink(configYaml: string, key: string): HTMLElement | null {
  // Nested slots (`resource.expression`) sit under another key: only top-level ones are checked.
  if (!/^\w+$/.test(key)) return null;
  const match = new RegExp(`^${key}:\\s*([&*])([\\w-]+)`, 'm').exec(configYaml);
  if (!match) return null;
  return match[1] === '&'
    ? h('span', { class: 'yaml-link', title: `A YAML anchor: methods that use *${match[2]} share this text, so saving changes them too.` }, `&${match[2]} shared`)
    : h('span', { class: 'yaml-link', title: `A YAML alias of &${match[2]}: an edit here gives this method its own copy of the text.` }, `*${match[2]}`);
}

const fileName = (file: string): string => file.split(/[\\/]/).pop() ?? file;

function fillInputs(inputs: Inputs): void {
  const wasFilling = state.filling;
  state.filling = true;
  for (const key of jsonInputs) {
    const value = inputs[key];
    replaceText(state.inputs.get(key)!, value === undefined ? '' : JSON.stringify(value, null, 2));
  }
  el.idInput.value = inputs.id === undefined ? '' : String(inputs.id);
  state.filling = wasFilling;
}

function fillFixturePicker(fixtures: Fixture[], selected: number): void {
  clear(el.fixturePicker);
  el.fixturePicker.appendChild(h('option', { value: '' }, fixtures.length ? '— custom inputs —' : '(no fixtures yet)'));
  fixtures.forEach((fixture, index) => el.fixturePicker.appendChild(h('option', { value: String(index), title: fixture.file }, fixture.name)));
  el.fixturePicker.value = selected >= 0 ? String(selected) : '';
}

el.fixturePicker.addEventListener('change', () => {
  const fixture = state.loaded?.method.fixtures[Number(el.fixturePicker.value)];
  if (!fixture || el.fixturePicker.value === '') return;
  fillInputs(fixture.inputs);
  void runNow();
});

// ---------------------------------------------------------------- live runs

function slotEdited(): void {
  if (state.filling) return;
  updateDirty();
  scheduleRun();
}

function inputEdited(): void {
  if (state.filling) return;
  el.fixturePicker.value = '';
  scheduleRun();
}

function scheduleRun(): void {
  clearTimeout(state.runTimer);
  setStatus(el.runStatus, 'editing…', 'busy');
  state.runTimer = setTimeout(() => void runNow(), RUN_DEBOUNCE_MS);
}

/** Reads the input editors; an input that is not JSON shows its error and stops the run. */
function readInputs(): Inputs | undefined {
  const inputs: Inputs = {};
  let ok = true;
  for (const key of jsonInputs) {
    const view = state.inputs.get(key)!;
    const text = view.state.doc.toString();
    const error = byId(`input-error-${key}`);
    if (!text.trim()) {
      error.textContent = '';
      showError(view, undefined);
      continue;
    }
    try {
      inputs[key] = JSON.parse(text);
      error.textContent = '';
      showError(view, undefined);
    } catch (e) {
      ok = false;
      const position = jsonErrorPosition(text, message(e));
      error.textContent = `line ${position.line}, column ${position.column}: ${message(e)}`;
      showError(view, { ...position, message: message(e) });
    }
  }
  const id = el.idInput.value.trim();
  if (id) inputs.id = id;
  return ok ? inputs : undefined;
}

/** V8 says "… in JSON at position 12 (line 2 column 3)" or "… at position 12". */
function jsonErrorPosition(text: string, error: string): { line: number; column: number } {
  const lineColumn = /line (\d+) column (\d+)/.exec(error);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const at = /position (\d+)/.exec(error);
  const offset = at ? Number(at[1]) : text.length;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

async function runNow(): Promise<void> {
  clearTimeout(state.runTimer);
  const loaded = state.loaded;
  if (!loaded) return;
  const inputs = readInputs();
  const seq = ++state.runSeq;
  if (!inputs) {
    setStatus(el.runStatus, 'input is not JSON', 'error');
    return;
  }
  setStatus(el.runStatus, 'running…', 'busy');
  const started = performance.now();
  let result: RunResponse;
  try {
    result = await api.run(loaded.selection, editedSlots(), inputs);
  } catch (error) {
    if (seq !== state.runSeq) return;
    setStatus(el.runStatus, `run failed: ${message(error)}`, 'error');
    return;
  }
  // A newer edit started another run, or the author moved to another method.
  if (seq !== state.runSeq || state.loaded !== loaded) return;
  const ms = Math.round(performance.now() - started);
  renderRun(result);
  const failed = result.slotErrors.length || result.error || result.violations.length || !result.ok;
  setStatus(el.runStatus, failed ? `${summary(result)} · ${ms} ms` : `ok · ${ms} ms`, failed ? 'error' : 'ok');
}

function summary(result: RunResponse): string {
  if (result.slotErrors.length) return `${result.slotErrors.length} slot error${result.slotErrors.length === 1 ? '' : 's'}`;
  if (result.error) return `${result.error.statusCode} ${result.error.code}`;
  if (result.violations.length) return `${result.violations.length} schema violation${result.violations.length === 1 ? '' : 's'}`;
  return 'failed';
}

function showSlotErrors(errors: SlotError[]): void {
  const loaded = state.loaded;
  if (!loaded) return;
  for (const [key, { view, error }] of loaded.slots) {
    const slotError = errors.find((e) => e.key === key);
    const line = loaded.method.slots.find((s) => s.key === key)?.line;
    const where = [slotError?.code, line && slotError ? `${fileName(loaded.method.file)}:${line + slotError.line - 1}` : undefined].filter(Boolean);
    error.textContent = slotError ? `line ${slotError.line}, column ${slotError.column}: ${slotError.message}${where.length ? ` (${where.join(' · ')})` : ''}` : '';
    error.hidden = !slotError;
    showError(view, slotError);
  }
}

function clearPipeline(): void {
  el.pipeline.classList.remove('stale');
  el.pipeline.classList.add('empty');
  clear(el.problems);
  clear(el.steps);
  clear(el.remoteRequest);
  clear(el.unifiedResult);
  clear(el.violations);
  el.unifiedError.textContent = '';
  el.unifiedError.hidden = true;
}

function renderRun(result: RunResponse): void {
  showSlotErrors(result.slotErrors);
  // A slot that does not compile stops the run before any step: keep the last run's pipeline
  // in view, dimmed, so the author still sees what the mapping did a keystroke ago.
  const stale = result.slotErrors.length > 0 && !result.steps.length && el.steps.childElementCount > 0 && !el.pipeline.classList.contains('empty');
  el.pipeline.classList.toggle('stale', stale);
  if (stale) return;
  clearPipeline();
  el.pipeline.classList.toggle('empty', !result.steps.length);
  if (result.problems.length) el.problems.appendChild(problemList(result.problems));

  for (const step of result.steps) el.steps.appendChild(renderStep(step, result.violations.length));
  if (!result.steps.length) el.steps.appendChild(h('li', { class: 'hint' }, 'No steps ran.'));

  if (result.request) {
    const request = result.request;
    append(el.remoteRequest,
      h('div', { class: 'request-line' }, h('b', {}, request.method), ' ', h('span', { class: 'url' }, request.url)),
      h('div', { class: 'headers' }, ...Object.entries(request.headers).map(([name, value]) => h('div', {}, h('span', { class: 'header-name' }, `${name}: `), value))),
      request.body === undefined ? h('div', { class: 'hint' }, 'no body') : jsonView(request.body),
    );
  } else el.remoteRequest.appendChild(h('div', { class: 'hint' }, result.slotErrors.length ? 'Fix the slot errors to see the request.' : 'No remote request.'));

  if (result.error) {
    el.unifiedError.hidden = false;
    append(el.unifiedError, h('b', {}, `${result.error.statusCode} ${result.error.code}`), ': ', result.error.message);
  }
  if (result.result !== undefined) el.unifiedResult.appendChild(jsonView(result.result, result.violations));
  else {
    const why = result.slotErrors.length ? 'Fix the slot errors to run the pipeline.' : result.error ? 'The call failed: no unified result.' : 'Add a remote response (inputs) to run the response side.';
    el.unifiedResult.appendChild(h('div', { class: 'hint' }, why));
  }
  for (const violation of result.violations) {
    el.violations.appendChild(h('li', { class: 'violation-item' }, h('code', {}, violation.path || '(record)'), ' ', violation.message));
  }
}

function renderStep(step: Step, violations: number): HTMLElement {
  const section = (name: 'bindings' | 'output', value: unknown, defaultOpen: boolean): HTMLElement => {
    const key = `${step.step}:${name}`;
    const details = h('details', { class: `step-${name}` },
      h('summary', {}, name === 'bindings' ? `bindings (${Object.keys(value as object).join(', ') || 'none'})` : 'output'),
      jsonView(value),
    );
    details.open = state.openSections.get(key) ?? defaultOpen;
    details.addEventListener('toggle', () => state.openSections.set(key, details.open));
    return details;
  };
  const isSlot = state.loaded?.slots.has(step.step) ?? false;
  const status = step.error ? 'failed' : step.step === 'result' && violations ? 'warn' : 'ok';
  return h('li', { class: `step ${status}`, 'data-testid': 'step', 'data-step': step.step, title: status === 'warn' ? `${violations} schema violation${violations === 1 ? '' : 's'}` : undefined },
    h('div', { class: 'step-head' },
      h('span', { class: 'step-dot' }),
      h('span', { class: 'step-title' }, step.title),
      isSlot
        ? h('button', { class: 'link step-key', title: `go to ${step.step}`, onclick: () => focusSlot(step.step) }, step.step)
        : h('span', { class: 'step-key', title: step.step }, step.step),
    ),
    step.error ? h('div', { class: 'step-error' }, h('b', {}, step.error.code), ': ', step.error.message) : null,
    step.bindings ? section('bindings', step.bindings, false) : null,
    'output' in step && step.output !== undefined ? section('output', step.output, isSlot) : null,
  );
}

function focusSlot(key: string): void {
  const slot = state.loaded?.slots.get(key);
  if (!slot) return;
  slot.view.dom.scrollIntoView({ block: 'nearest' });
  slot.view.focus();
}

// ---------------------------------------------------------------- save and fixtures

async function save(): Promise<void> {
  const loaded = state.loaded;
  if (!loaded) return;
  el.save.disabled = true;
  setStatus(el.saveStatus, 'Saving…', 'busy');
  const slots = currentSlots();
  if (!Object.keys(editedSlots()).length) {
    setStatus(el.saveStatus, 'No changes to save', '');
    el.save.disabled = false;
    return;
  }
  try {
    const saved = await api.save(loaded.selection, editedSlots());
    if (state.loaded !== loaded) return;
    if (!saved.ok) {
      showSlotErrors(saved.slotErrors);
      const count = saved.slotErrors.length + saved.problems.filter((p) => p.severity === 'error').length;
      setStatus(el.saveStatus, `Not saved: ${count} error${count === 1 ? '' : 's'} (nothing written)`, 'error');
      if (saved.problems.length) {
        clear(el.problems);
        el.problems.appendChild(problemList(saved.problems));
      }
      return;
    }
    loaded.saved = slots;
    setStatus(el.saveStatus, `Saved ${saved.file}`, 'ok');
    updateDirty();
    await refreshMethod(loaded);
  } catch (error) {
    setStatus(el.saveStatus, `Not saved: ${message(error)}`, 'error');
  } finally {
    el.save.disabled = false;
  }
}

/** Re-reads the method after a write: the config text, slot lines and fixture list changed. */
async function refreshMethod(loaded: Loaded): Promise<void> {
  const method = await api.method(loaded.selection);
  if (state.loaded !== loaded) return;
  const picked = el.fixturePicker.value === '' ? undefined : loaded.method.fixtures[Number(el.fixturePicker.value)]?.file;
  loaded.method = method;
  replaceText(loaded.config, method.configYaml);
  for (const slot of method.slots) {
    const head = el.slots.querySelector(`[data-slot="${CSS.escape(slot.key)}"] .slot-line`);
    if (head) head.textContent = `${fileName(method.file)}:${slot.line}`;
  }
  fillFixturePicker(method.fixtures, picked ? method.fixtures.findIndex((f) => f.file === picked) : -1);
}

el.save.addEventListener('click', () => void save());
window.addEventListener('keydown', (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === 's') {
    event.preventDefault();
    void save();
  }
});
window.addEventListener('beforeunload', (event) => {
  if (isDirty() || state.drafts.size) event.preventDefault();
});

async function saveFixture(): Promise<void> {
  const loaded = state.loaded;
  if (!loaded) return;
  const name = el.fixtureName.value.trim();
  if (!name) {
    setStatus(el.fixtureStatus, 'Name the fixture first (it becomes part of the file name).', 'error');
    el.fixtureName.focus();
    return;
  }
  const inputs = readInputs();
  if (!inputs) {
    setStatus(el.fixtureStatus, 'An input is not JSON.', 'error');
    return;
  }
  el.saveFixture.disabled = true;
  setStatus(el.fixtureStatus, 'Recording…', 'busy');
  try {
    const saved = await api.saveFixture(loaded.selection, name, inputs);
    if (state.loaded !== loaded) return;
    await refreshMethod(loaded);
    const index = loaded.method.fixtures.findIndex((f) => f.file === saved.file || saved.file.endsWith(f.file) || f.file.endsWith(saved.file));
    if (index >= 0) el.fixturePicker.value = String(index);
    // The status last: once it shows, the picker already lists the new fixture.
    setStatus(el.fixtureStatus, `Saved fixture ${saved.file}${isDirty() ? ' (with the saved mapping, not your unsaved edits)' : ''}`, 'ok');
  } catch (error) {
    setStatus(el.fixtureStatus, `Not saved: ${message(error)}`, 'error');
  } finally {
    el.saveFixture.disabled = false;
  }
}

async function runFixtures(): Promise<void> {
  const loaded = state.loaded;
  if (!loaded) return;
  el.runFixtures.disabled = true;
  clear(el.fixtureResults);
  el.fixtureResults.appendChild(h('div', { class: 'hint' }, 'Running…'));
  try {
    const { outcomes } = await api.runFixtures(loaded.selection);
    if (state.loaded !== loaded) return;
    clear(el.fixtureResults);
    const passed = outcomes.filter((o) => o.passed).length;
    el.fixtureResults.appendChild(h('div', { class: `fixture-summary ${passed === outcomes.length ? 'passed' : 'failed'}` },
      outcomes.length ? `${passed} passed, ${outcomes.length - passed} failed` : 'This method has no fixtures.',
      isDirty() ? h('span', { class: 'hint' }, ' · ran with the saved mapping') : null,
    ));
    for (const outcome of outcomes) el.fixtureResults.appendChild(renderOutcome(outcome));
    el.fixtureResults.scrollIntoView({ block: 'start' });
  } catch (error) {
    clear(el.fixtureResults);
    el.fixtureResults.appendChild(h('div', { class: 'status error' }, `Could not run the fixtures: ${message(error)}`));
  } finally {
    el.runFixtures.disabled = false;
  }
}

function renderOutcome(outcome: FixtureOutcome): HTMLElement {
  const fixture = state.loaded?.method.fixtures.find((f) => f.file === outcome.file);
  return h('div', { class: `fixture-result ${outcome.passed ? 'passed' : 'failed'}`, 'data-testid': 'fixture-result', 'data-file': outcome.file },
    h('div', { class: 'fr-head' },
      h('span', { class: 'badge' }, outcome.passed ? 'pass' : 'fail'),
      h('span', { class: 'fr-name' }, outcome.name),
      h('span', { class: 'spacer' }),
      fixture ? h('button', { class: 'link', title: 'load this fixture\'s inputs', onclick: () => loadFixture(fixture) }, 'load') : null,
    ),
    h('div', { class: 'fr-file', title: outcome.file }, fileName(outcome.file)),
    ...outcome.failures.map((failure) => h('div', { class: 'failure' },
      h('div', {}, h('b', {}, failure.what), ': ', failure.message),
      h('div', { class: 'diff-legend' }, h('span', { class: 'd-del' }, '- expected'), ' ', h('span', { class: 'd-add' }, '+ actual')),
      diffView(failure.expected, failure.actual),
    )),
  );
}

function loadFixture(fixture: Fixture): void {
  const index = state.loaded?.method.fixtures.indexOf(fixture) ?? -1;
  el.fixturePicker.value = index >= 0 ? String(index) : '';
  fillInputs(fixture.inputs);
  void runNow();
}

el.saveFixture.addEventListener('click', () => void saveFixture());
el.fixtureName.addEventListener('keydown', (event) => {
  if (event.key === 'Enter') void saveFixture();
});
el.runFixtures.addEventListener('click', () => void runFixtures());

// ---------------------------------------------------------------- coverage

async function showCoverage(): Promise<void> {
  clear(el.coverage);
  el.coverage.appendChild(h('div', { class: 'hint' }, 'Loading coverage…'));
  try {
    // Fetched each time: a save can change what an integration maps.
    const coverage = await api.coverage();
    state.coverage = coverage;
    const implemented = new Map((state.integrations?.integrations ?? []).map((i) => [i.name, new Set(i.methods.map(operationName))]));
    clear(el.coverage);
    append(el.coverage,
      coverageLegend(),
      coverageTable(coverage, {
        implemented,
        open: (integration, operation) => navigate(`#${integration}/${operation}`),
      }),
    );
  } catch (error) {
    clear(el.coverage);
    el.coverage.appendChild(h('div', { class: 'status error' }, `Could not load the coverage: ${message(error)}`));
  }
}

// ---------------------------------------------------------------- start

async function start(): Promise<void> {
  for (const key of jsonInputs) state.inputs.set(key, jsonEditor(byId(`input-${key}`), '', inputEdited));
  el.idInput.addEventListener('input', inputEdited);
  try {
    state.integrations = await api.integrations();
  } catch (error) {
    showNotice(`The studio server did not answer: ${message(error)}`);
    return;
  }
  const { problems, failed } = state.integrations;
  if (problems.length || failed.length) {
    el.loadProblems.hidden = false;
    const errors = problems.filter((p) => p.severity === 'error').length;
    append(el.loadProblems,
      h('details', {},
        h('summary', {}, `${failed.length ? `${failed.length} definition${failed.length === 1 ? '' : 's'} failed to load · ` : ''}${errors} error${errors === 1 ? '' : 's'}, ${problems.length - errors} warning${problems.length - errors === 1 ? '' : 's'}`),
        problemList(problems),
      ),
    );
  }
  await route();
}

void start().catch((error: unknown) => {
  showNotice(`The studio failed: ${message(error)}`);
  if (error instanceof ApiError) console.error(error.code, error.message);
  else console.error(error);
});
