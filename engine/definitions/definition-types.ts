// Generated from schemas/integration.schema.json by engine/models/generate-definition-types.ts. Do not edit.

/**
 * Unimap integration definition
 *
 * One YAML file per integration: the remote API in its own terms (`resources`) and the unified mappings (`unified`). String values marked as JSONata are compiled once at load time; each receives the bindings listed in its `x-bindings`, passed as the input document (write `response.id`, not `$response.id`; the `$`-prefixed variables are set too).
 */
export interface IntegrationDefinition {
  /** The integration's slug, as accounts and calls name it (`jamf`, `kandji`). Lower case, digits and underscores. */
  name: string;
  /** Human-readable name (`Jamf Pro`). */
  label?: string;
  /** What this definition covers, for people reading it. */
  description?: string;
  /** The vendor's API reference. */
  documentation_url?: string;
  /** Base URL of the remote API. `{{context.x}}` placeholders are filled from the integrated account's context, e.g. `https://{{context.instance_host}}/api`. */
  base_url: string;
  /** Headers sent with every request. `{{placeholders}}` are allowed; `null` removes a header set at a lower level. */
  headers?: Headers;
  /** Query parameters sent with every request. */
  query?: QueryDefaults;
  query_array_format?: QueryArrayFormat;
  /** The account context this integration needs: instance settings and credentials. Fields marked `secret` are redacted from errors, logs, traces and recorded fixtures. */
  context?: { [key: string]: ContextField };
  auth?: Auth;
  /** Default pagination for every remote `list` method; a method's own `pagination` replaces it, and `pagination: null` on a method disables it there. */
  pagination?: Pagination;
  error_expression?: ErrorExpression;
  rate_limit?: RateLimit;
  /** Per-request timeout in milliseconds for this integration (default: the engine's, 30 s). A request that takes longer fails with a 504-style `remote_timeout`. */
  timeout_ms?: number;
  /** The remote API in the integration's own terms: `resources.<resource>.<method>`. Standard method names are list, get, create, update and delete; any other name is a custom method. */
  resources: { [key: string]: { [key: string]: ResourceMethod } };
  /** The unified mappings: `unified.<model>.<resource>.<method>` maps one unified method onto a remote resource method. */
  unified?: { [key: string]: { [key: string]: { [key: string]: UnifiedMethod } } };
}

export type Identifier = string;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Headers {
  [key: string]: string | null;
}

export interface QueryDefaults {
  [key: string]: string | number | boolean | null | (string | number | boolean)[];
}

/**
 * How array query values are written: `repeat` (`a=1&a=2`), `comma` (`a=1,2`), `brackets` (`a[]=1&a[]=2`), `indices` (`a[0]=1&a[1]=2`).
 * @default "repeat"
 */
export type QueryArrayFormat = 'repeat' | 'comma' | 'brackets' | 'indices';

export interface ContextField {
  description?: string;
  /**
   * The account must supply it: a call on an account without it (missing, null or empty, after defaults) is refused with `missing_context` 400, naming every such field, before anything is sent. Mapping alone (`mapRequest`, `mapResponse`) does not check.
   * @default false
   */
  required?: boolean;
  /**
   * A credential: never shown in errors, logs, debug traces or fixtures.
   * @default false
   */
  secret?: boolean;
  example?: string | number | boolean;
  /** The value used when the account's context has none for this field (missing, null or an empty string), e.g. the US host of a vendor with regional hosts. Not allowed on a `secret` field. */
  default?: string | number | boolean;
}

/** A string with `{{path}}` placeholders (not JSONata), filled from `id`, `context`, `query` and `body`. */
export type Template = string;

/** How requests are authenticated. Declared here; credentials come only from the account `context` through `{{context.x}}` placeholders. */
export type Auth =
  /** Bearer token */
  | {
      type: 'bearer';
      /** The token, e.g. `{{context.api_token}}`. */
      token: Template;
    }
  /** HTTP Basic */
  | {
      type: 'basic';
      username: Template;
      password: Template;
    }
  /** API key in a header or the query */
  | {
      type: 'api_key';
      in: 'header' | 'query';
      /** Header or query parameter name, e.g. `x-api-key`. */
      name: string;
      value: Template;
    }
  /** OAuth2 client credentials */
  | {
      type: 'oauth2_client_credentials';
      token_url: Template;
      client_id: Template;
      client_secret: Template;
      scope?: Template;
      /**
       * Send the client credentials in the form body or as HTTP Basic.
       * @default "body"
       */
      client_auth?: 'body' | 'basic';
    }
  /** JSONata expression returning headers */
  | {
      type: 'expression';
      /** Returns an object of headers to add to each request. */
      expression: string;
    }
  /** No authentication */
  | {
      type: 'none';
    };

/** Returns truthy when a remote response is an error even though its status is 2xx (a 200 can carry an error). `response` and `data` are the parsed remote body. */
export type ErrorExpression = string;

/** How the remote API pages a list. The unified `next_cursor` is opaque: it encodes whatever the strategy needs, and passing it back fetches the next page. */
export type Pagination =
  /** Cursor in the response body */
  | {
      type: 'cursor';
      /** Dotted path of the next cursor in the response body, e.g. `nextPageToken`. */
      cursor_path: string;
      /** Query parameter that carries the cursor on the next request, e.g. `pageToken`. */
      cursor_param: string;
      limit_param?: string;
      default_limit?: number;
      max_limit?: number;
      max_pages?: number;
    }
  /** Next-page URL in the response body */
  | {
      type: 'next_url';
      /** Dotted path of the next page's full URL, e.g. `@odata.nextLink` (write keys with dots in backticks: `` `@odata.nextLink` ``). */
      next_url_path: string;
      limit_param?: string;
      default_limit?: number;
      max_limit?: number;
      max_pages?: number;
    }
  /** Next-page URL in a Link header (RFC 8288 rel="next") */
  | {
      type: 'link_header';
      limit_param?: string;
      default_limit?: number;
      max_limit?: number;
      max_pages?: number;
    }
  /** Page number */
  | {
      type: 'page';
      page_param: string;
      limit_param?: string;
      /** @default 1 */
      first_page?: number;
      /** Dotted path of the total record count, e.g. `totalCount`. Without it, paging stops at the first short page. */
      total_path?: string;
      default_limit?: number;
      max_limit?: number;
      max_pages?: number;
    }
  /** Offset and limit */
  | {
      type: 'offset';
      offset_param: string;
      limit_param?: string;
      total_path?: string;
      default_limit?: number;
      max_limit?: number;
      max_pages?: number;
    }
  /** Dynamic (JSONata) */
  | {
      type: 'dynamic';
      /** Returns the query parameters of the first page (merged into the remote query). */
      initial_expression?: string;
      /** Returns the query parameters of the next page, or null/undefined when there is none. `previous` is what the last page was fetched with. */
      next_expression: string;
      max_pages?: number;
    };

/** One remote endpoint. */
export interface ResourceMethod {
  /** @default "GET" */
  method?: HttpMethod;
  /** Path below `base_url`. `{{id}}` and other placeholders are URL-encoded as one path segment each, so `../` or `?` in an id cannot change the path. */
  path: Template;
  /** Replaces the integration's `base_url` for this endpoint. */
  base_url?: Template;
  headers?: Headers;
  query?: QueryDefaults;
  query_array_format?: QueryArrayFormat;
  /**
   * How the remote request body is written.
   * @default "json"
   */
  body_format?: 'json' | 'form' | 'xml' | 'raw';
  /** With `body_format: xml`, the root element that wraps the body (Jamf Classic: `user`). */
  xml_root?: string;
  /**
   * How the remote response body is parsed; `auto` follows its Content-Type.
   * @default "auto"
   */
  response_format?: 'auto' | 'json' | 'xml' | 'text';
  /** Dotted path of the records in the response body (`results`, `users.user`); the body itself when absent. Keys with dots or dashes go in backticks. */
  response_path?: string;
  /** This endpoint's pagination; `null` disables the integration default. */
  pagination?: Pagination | null;
  error_expression?: ErrorExpression;
  description?: string;
  documentation_url?: string;
  /** Per-request timeout in milliseconds for this endpoint. */
  timeout_ms?: number;
}

export type NameOrExpression =
  | Identifier
  | {
      /** Picks the name at run time; the result must be one of `allowed`. */
      expression: string;
      allowed: Identifier[];
    };

/** How one unified method (for example `mdm.users.create`) maps onto the remote API. Slot names follow Truto's. */
export interface UnifiedMethod {
  /** The remote resource to call (a key of `resources`), or `{expression, allowed}`. */
  resource: NameOrExpression;
  /** The remote method to call (a key of `resources.<resource>`), or `{expression, allowed}`. */
  method: NameOrExpression;
  description?: string;
  /** Integration-specific notes for the generated docs ("N notes"). */
  notes?: string;
  /** Unified body fields this integration requires (dotted paths allowed). Missing ones are refused before any mapping runs, with `missing_required_body_fields`. */
  required?: string[];
  /** Default remote query parameters, always applied (`{{placeholders}}` allowed). */
  query?: QueryDefaults;
  /** JSON Schema of the unified query parameters this integration supports; its `required` feeds `missing_required_query_parameters`. */
  query_schema?: { [key: string]: unknown };
  /** Maps the unified query to the remote query. Its result is the remote query (merged over the defaults). */
  query_mapping?: string;
  /** Default remote body, merged under the result of `request_body_mapping` (`{{placeholders}}` allowed in strings). */
  body?: { [key: string]: unknown };
  /** Maps the unified body to the remote body. `remote_data` from the unified body is merged over the result afterwards, untransformed. */
  request_body_mapping?: string;
  /** Returns headers merged over the defaults (`headers`); `requestBody` is the mapped remote body, so a signature can be computed from it. */
  request_header_mapping?: string;
  /** Returns the remote path, replacing the resource method's `path`. */
  path_mapping?: string;
  /** Maps the remote response to the unified record. In `item` mode `response` is one remote record; in `array` mode it is the whole value at `response_path`. Returning null drops the record. */
  response_mapping?: string;
  /**
   * `item`: `response_mapping` runs once per remote record. `array`: once over all of them, returning the array of unified records.
   * @default "item"
   */
  response_mapping_method?: 'item' | 'array';
  /** Returns the response headers the caller sees (for example rate-limit headers). */
  response_header_mapping?: string;
  /** Maps a remote error to the unified error: returns any of `statusCode`, `message`, `details`. `error` is the parsed remote error body and `status` its HTTP status. */
  error_mapping?: string;
  /** For `list` and `get`: returned as is, with no remote call (for list, an array of unified records, wrapped in the list envelope). */
  static_response?: unknown;
  /** Requests run before the main call; their results are the `before` binding. */
  before?: Step[];
  /** Requests run after the main call and its response mapping (`data` is the unified result), for follow-up writes. Their results appear in the debug trace. */
  after?: Step[];
  /** Per-record enrichment requests, by name. */
  side_load?: { [key: string]: SideLoad };
}

/** How this API signals rate limiting beyond a 429. A rate-limited response is retried after the wait it asks for (capped by the engine's `maxRetryAfterMs`). */
export interface RateLimit {
  /** Returns truthy when a response means "slow down" (some APIs answer 200 or 403 with a quota error). */
  is_rate_limited?: string;
  /** Returns the seconds to wait before retrying. Without it, the `Retry-After` header (seconds or an HTTP date) is used. */
  retry_after?: string;
}

/** A remote request run before the main call (`before`) or after it (`after`). Steps run in order; each one's result is available to later steps as `step` and, for before steps, to the method's slots as `before.<name>`. */
export interface Step {
  /** The step's name: its result is `before.<name>`. */
  name: Identifier;
  /** @default "request" */
  type?: 'request';
  description?: string;
  /** The step runs only when this returns truthy. `data` is the unified result (after steps only); `step` the previous step's result. */
  run_if?: string;
  /** The remote resource to call (a key of `resources`). */
  resource: Identifier;
  /** The remote method to call. */
  method: Identifier;
  /** Returns the id for the endpoint's `{{id}}` placeholder. */
  id?: string;
  /** Returns the remote query of the step's request. */
  query?: string;
  /** Returns the remote body of the step's request. */
  body?: string;
  /** Maps the step's response (the value at the endpoint's `response_path`) to its result; the response itself when absent. */
  response_mapping?: string;
  /**
   * A failing step gives the result `null` instead of failing the call.
   * @default false
   */
  ignore_errors?: boolean;
}

/** Enriches each unified record with another remote request (for example each user's group). Requests run with bounded concurrency; the mapped output is merged into the record. */
export interface SideLoad {
  resource: Identifier;
  method: Identifier;
  /** Per record: returns the id to fetch, or null to skip the record. `record` is the unified record, `response` its raw remote record. */
  id: string;
  /** Per record: returns the remote query of the side-load request. */
  query?: string;
  /** Per record: maps the side-load response to an object merged into the unified record. */
  response_mapping?: string;
  /**
   * How many side-load requests may be in flight at once.
   * @default 4
   */
  concurrency?: number;
  /**
   * A failing side load leaves the record as it is instead of failing the call.
   * @default false
   */
  ignore_errors?: boolean;
}
