// The studio server's JSON API, as the page sees it. Only types come from the engine (erased
// from the bundle); the page depends on no engine code.
export type { SlotError } from '../session.js';
export type { FixtureFailure } from '../../fixtures/run.js';
import type { SlotError } from '../session.js';
import type { FixtureFailure } from '../../fixtures/run.js';

// Problems are the engine's own, as JSON.
export type { Location, Problem } from '../../errors.js';
import type { Problem } from '../../errors.js';

export interface MethodRef {
  model: string;
  resource: string;
  method: string;
}

export interface Selection extends MethodRef {
  integration: string;
}

export interface IntegrationsResponse {
  integrations: { name: string; file: string; methods: MethodRef[] }[];
  failed: { name: string; file: string }[];
  problems: Problem[];
}

export interface Slot {
  key: string;
  slot: string;
  bindings: string[];
  source: string;
  /** 1-based line of the definition file where the expression text starts. */
  line: number;
  /** Set when the expression runs on stock jsonata rather than the fast path: why. */
  stock?: string;
}

export interface FixtureResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface Fixture {
  file: string;
  name: string;
  call: { id?: string; query?: unknown; body?: unknown; context?: unknown; [key: string]: unknown };
  response?: FixtureResponse;
  /** The fixture's call and response as the page's inputs. */
  inputs: Inputs;
}

export interface Inputs {
  body?: unknown;
  query?: unknown;
  id?: string;
  context?: unknown;
  response?: unknown;
}

export interface MethodResponse extends Selection {
  file: string;
  configYaml: string;
  slots: Slot[];
  fixtures: Fixture[];
  inputs: Inputs;
}

// A run's answer is the session's own RunResult, as JSON.
export type { Step } from '../session.js';
import type { RunResult } from '../session.js';
export type RunResponse = RunResult;
export type Violation = RunResult['violations'][number];

export type SaveResponse = { ok: true; file: string } | { ok: false; slotErrors: SlotError[]; problems: Problem[] };

export interface FixtureSaved {
  ok: true;
  file: string;
  fixture: unknown;
}

export interface FixtureOutcome {
  name: string;
  file: string;
  passed: boolean;
  failures: FixtureFailure[];
}

export interface CoverageRow {
  resource: string;
  method: string;
  field: string;
  kind: 'request' | 'response' | 'query';
  supported: string[];
  required: string[];
}

export interface CoverageResponse {
  model: string;
  integrations: string[];
  rows: CoverageRow[];
}

/** A failed API call: the server's `{ error: { code, message } }`, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, body === undefined
      ? { headers: { accept: 'application/json' } }
      : { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, 'network', `the studio server did not answer (${String(error)})`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(response.status, 'invalid_response', `${path} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? 'http_' + response.status, error?.message ?? `${path} answered ${response.status}`);
  }
  return parsed as T;
}

const query = (s: Selection): string =>
  new URLSearchParams({ integration: s.integration, model: s.model, resource: s.resource, method: s.method }).toString();

const ref = (s: Selection): Selection => ({ integration: s.integration, model: s.model, resource: s.resource, method: s.method });

export const api = {
  integrations: () => call<IntegrationsResponse>('/api/integrations'),
  method: (s: Selection) => call<MethodResponse>(`/api/method?${query(s)}`),
  run: (s: Selection, slots: Record<string, string>, inputs: Inputs) => call<RunResponse>('/api/run', { ...ref(s), slots, inputs }),
  save: (s: Selection, slots: Record<string, string>) => call<SaveResponse>('/api/save', { ...ref(s), slots }),
  saveFixture: (s: Selection, name: string, inputs: Inputs) => call<FixtureSaved>('/api/fixture', { ...ref(s), name, inputs }),
  runFixtures: (s: Selection) => call<{ outcomes: FixtureOutcome[] }>('/api/fixtures/run', ref(s)),
  coverage: () => call<CoverageResponse>('/api/coverage'),
};

/** `mdm/users.create`: the operation's name in selects, hashes and coverage cells. */
export const operationName = (m: MethodRef): string => `${m.model}/${m.resource}.${m.method}`;

export function parseOperation(text: string): MethodRef | undefined {
  const match = /^([^/]+)\/([^.]+)\.(.+)$/.exec(text);
  return match ? { model: match[1], resource: match[2], method: match[3] } : undefined;
}
