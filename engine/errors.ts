/** Where a problem is: in a YAML file, in a JSON document, or in a mapping slot. */
export interface Location {
  file?: string;
  line?: number;
  column?: number;
  /** JSON path inside the definition or document, e.g. `unified.mdm.users.create.response_mapping`. */
  path?: string;
  /** The mapping slot, e.g. `response_mapping`. */
  slot?: string;
  integration?: string;
  /** `model/resource.method`, e.g. `mdm/users.create`. */
  operation?: string;
}

/** Stable error codes. Callers may switch on these; messages may change. */
export type ErrorCode =
  // loading definitions
  | 'yaml_syntax'
  | 'yaml_limit'
  | 'file_unreadable'
  | 'schema_violation'
  | 'jsonata_syntax'
  | 'unknown_binding'
  | 'duplicate_integration'
  | 'unknown_remote_method'
  | 'invalid_unified_schema'
  | 'unknown_model'
  | 'definitions_invalid'
  // handling a call
  | 'integration_not_found'
  | 'method_not_supported'
  | 'invalid_call'
  | 'invalid_body'
  | 'missing_required_body_fields'
  | 'invalid_query'
  | 'missing_required_query_parameters'
  | 'invalid_override'
  | 'missing_context'
  | 'unresolved_placeholder'
  | 'invalid_header'
  | 'mapping_error'
  | 'mapping_limit'
  | 'invalid_mapping_result'
  | 'invalid_cursor'
  | 'invalid_remote_response'
  | 'remote_error'
  | 'remote_unreachable'
  | 'remote_timeout'
  | 'rate_limited'
  | 'auth_failed'
  | 'pagination_limit'
  | 'step_failed'
  | 'aborted'
  // serving
  | 'unauthorized'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'account_not_found'
  | 'idempotency_conflict'
  | 'payload_too_large'
  | 'request_timeout'
  | 'internal_error'
  // the mapping studio
  | 'fixture_exists';

const reasons: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function reasonPhrase(status: number): string {
  return reasons[status] ?? (status >= 500 ? 'Server Error' : status >= 400 ? 'Client Error' : 'Error');
}

export interface RemoteResponseSummary {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** The unified error envelope, as callers see it (Truto's `{statusCode, error, message, details}` plus `code`, `location`, `remote`). */
export interface UnifiedErrorBody {
  statusCode: number;
  error: string;
  code: ErrorCode;
  message: string;
  location?: Location;
  details?: unknown;
  remote?: RemoteResponseSummary;
}

export interface UnimapErrorInit {
  statusCode?: number;
  location?: Location;
  details?: unknown;
  remote?: RemoteResponseSummary;
}

/** Every error Unimap raises: a value with a stable `code`, a message a person can act on, and where it happened. */
export class UnimapError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly location?: Location;
  readonly details?: unknown;
  readonly remote?: RemoteResponseSummary;

  constructor(code: ErrorCode, message: string, init: UnimapErrorInit = {}) {
    super(message);
    this.name = 'UnimapError';
    this.code = code;
    this.statusCode = init.statusCode ?? 500;
    if (init.location) this.location = init.location;
    if (init.details !== undefined) this.details = init.details;
    if (init.remote) this.remote = init.remote;
  }

  /** The envelope without the stack: what a caller or a log may see. */
  toJSON(): UnifiedErrorBody {
    const body: UnifiedErrorBody = {
      statusCode: this.statusCode,
      error: reasonPhrase(this.statusCode),
      code: this.code,
      message: this.message,
    };
    if (this.location) body.location = this.location;
    if (this.details !== undefined) body.details = this.details;
    if (this.remote) body.remote = this.remote;
    return body;
  }
}

export function isUnimapError(value: unknown): value is UnimapError {
  return value instanceof UnimapError;
}

/** A problem found while loading definitions. Loading collects these instead of stopping at the first. */
export interface Problem {
  code: ErrorCode;
  message: string;
  location: Location;
  /** `error` problems skip the integration; `warning` ones do not. */
  severity: 'error' | 'warning';
}

/** `file:line:col` for people, e.g. `mappings/jamf.yaml:12:7`. */
export function formatLocation(location: Location): string {
  let text = location.file ?? '<definition>';
  if (location.line !== undefined) text += `:${location.line}`;
  if (location.line !== undefined && location.column !== undefined) text += `:${location.column}`;
  return text;
}

export function formatProblem(problem: Problem): string {
  const where = [problem.location.path, problem.location.slot && `slot ${problem.location.slot}`].filter(Boolean).join(', ');
  return `${formatLocation(problem.location)}  ${problem.code}  ${problem.message}${where ? ` (${where})` : ''}`;
}
