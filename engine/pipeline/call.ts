import type { UnifiedMethod } from '../definitions/definition-types.js';

/** Per-method config overrides in Truto's shape: `{ <model>: { <resource>: { <method>: partial config } } }`. */
export type UnifiedOverrides = Record<string, Record<string, Record<string, Partial<UnifiedMethod>>>>;

/** One unified call, as the pure mapping API takes it. */
export interface UnifiedCall {
  integration: string;
  model: string;
  resource: string;
  /** `list`, `get`, `create`, `update`, `delete`, or a custom method. */
  method: string;
  id?: string;
  /** The unified query, already parsed (qs bracket notation gives nested objects and arrays). */
  query?: Record<string, unknown>;
  body?: unknown;
  /** The integrated account's context: instance settings and credentials. */
  context?: Record<string, unknown>;
  overrides?: {
    /** Environment layer: replaces slots of the base config, whole. */
    environment?: UnifiedOverrides;
    /** Integrated-account layer: replaces slots whole, except `response_mapping`, whose output is merged over the base output. */
    account?: UnifiedOverrides;
  };
}

/** The remote HTTP request a unified call becomes. */
export interface RemoteRequest {
  method: string;
  /** Absolute URL including the query string. */
  url: string;
  headers: Record<string, string>;
  /** JSON data for `json` bodies; a string for `form`, `xml` and `raw`; undefined when there is none. */
  body?: unknown;
}

/** A remote HTTP response, with its body already parsed (JSON, XML as objects, or text). */
export interface RemoteResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** The list envelope (Truto's). */
export interface ListResult<T = Record<string, unknown>> {
  result: T[];
  next_cursor: string | null;
  prev_cursor: string | null;
  result_count: number;
}

/** Query parameters that steer Unimap itself and never reach a mapping's `query`. */
export const controlParameters = [
  'integrated_account_id',
  'truto_response_format',
  'truto_ignore_remote_data',
  'truto_exclude_fields',
  'truto_key_by',
  'truto_ignore_limit',
  'remote_query',
  'next_cursor',
] as const;
