/**
 * The `microsoft_intune` sandbox emulator: Microsoft Graph v1.0 (Entra ID users, Intune managed
 * devices, Intune's app catalogue, the tenant organization) and the Microsoft identity platform's
 * v2.0 token endpoint (OAuth2 client credentials), in miniature.
 *
 * Wire format as Graph documents it: OData collections `{"@odata.context", "@odata.nextLink"?,
 * "value"}` paged with `$top` and a `$skiptoken` inside a full next link (on the public origin),
 * `$select`, the `$filter` clauses the definition sends (eq, and, or, startswith, in, any, …),
 * errors as `{"error": {"code", "message", "innerError"}}` (Intune's with its JSON-in-a-string
 * message), 201/204/200 as each endpoint answers writes, and 401 `InvalidAuthenticationToken`
 * without a token the emulator issued. The token endpoint answers Entra ID's AADSTS errors.
 */
import { bearer, clone, empty, json, readBody, Table, type Emulator } from './emulator.js';

type Row = Record<string, unknown>;

const GRAPH_ORIGIN = 'https://graph.microsoft.com';
const LOGIN_ORIGIN = 'https://login.microsoftonline.com';
const TENANT_ALIAS = 'sandbox-tenant';
const TENANT_ID = '84841066-274d-4ec0-a5c1-276be684bdd3';
const TENANT_NAME = 'Contoso';
const VERIFIED_DOMAINS = ['contoso.com', 'contoso.onmicrosoft.com'];
const CLIENT_ID = '5f2ad3b1-7c1e-4c8b-9d0a-2b6f8e1c4a77';
const CLIENT_SECRET = 'sandbox-client-secret';
const SERVICE_PRINCIPAL_ID = '1b7e3c55-8a0d-4f2e-9c61-3d5a7e9b1c24';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const TOKEN_LIFETIME_SECONDS = 3599;
const APP_ROLES = ['User.ReadWrite.All', 'DeviceManagementManagedDevices.ReadWrite.All', 'DeviceManagementApps.ReadWrite.All', 'Organization.Read.All'];
const GRAPH_CONTENT_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

// ---------------------------------------------------------------------------------------------
// Small helpers (web-standard only: TextEncoder, btoa/atob, crypto.randomUUID).

function uuid(): string {
  return crypto.randomUUID();
}

/** `2024-05-02T09:14:27Z`: Graph's timestamps have no fraction. */
function isoNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function base64url(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): string | undefined {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lower(value: unknown): string {
  return String(value ?? '').toLowerCase();
}

/** A query value in a next link the way Graph writes it: `$select=id,displayName`, spaces as %20. */
function odataValue(value: string): string {
  return encodeURIComponent(value).replace(/%2C/gi, ',').replace(/%24/g, '$').replace(/%3A/gi, ':');
}

// ---------------------------------------------------------------------------------------------
// Errors.

interface RequestContext {
  origin: string;
  requestId: string;
  clientRequestId: string;
  date: string;
}

/** A Graph error, thrown anywhere in a request and answered as `{"error": {...}}`. */
class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: { details?: Row[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

function badRequest(message: string, code = 'BadRequest', details?: Row[]): GraphError {
  return new GraphError(400, code, message, details ? { details } : {});
}

/** Intune's services answer errors with a JSON document serialised into `message`. */
function intuneError(ctx: RequestContext, status: number, code: string, service: string, path: string): GraphError {
  const inner = {
    _version: 3,
    Message: `An error has occurred - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: ${ctx.requestId} - Url: https://fef.msub05.manage.microsoft.com/${service}/${path}?api-version=2024-05-06`,
    CustomApiErrorPhrase: '',
    RetryAfter: null,
    ErrorSourceService: '',
    HttpHeaders: '{}',
  };
  return new GraphError(status, code, JSON.stringify(inner, null, 2).replace(/\n/g, '\r\n'));
}

function notFound(id: string): GraphError {
  return new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function unknownProperty(property: string, type: string): GraphError {
  return badRequest(`Could not find a property named '${property}' on type '${type}'.`);
}

function graphHeaders(ctx: RequestContext, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': GRAPH_CONTENT_TYPE,
    'request-id': ctx.requestId,
    'client-request-id': ctx.clientRequestId,
    'x-ms-ags-diagnostic': '{"ServerInfo":{"DataCenter":"West Europe","Slice":"E","Ring":"5","ScaleUnit":"003","RoleInstance":"AM2PEPF0000SBX1"}}',
    'cache-control': 'no-cache',
    ...extra,
  };
}

function graphJson(ctx: RequestContext, body: unknown, status = 200, extra: Record<string, string> = {}): Response {
  return json(body, status, graphHeaders(ctx, extra));
}

function graphNoContent(ctx: RequestContext): Response {
  const response = empty(204);
  const headers = graphHeaders(ctx);
  delete headers['content-type'];
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

function graphErrorResponse(ctx: RequestContext, error: GraphError): Response {
  const body: Row = { code: error.code, message: error.message };
  if (error.extra.details) body.details = error.extra.details;
  body.innerError = { date: ctx.date, 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId };
  return graphJson(ctx, { error: body }, error.status, error.extra.headers ?? {});
}

// ---------------------------------------------------------------------------------------------
// OData $filter: a parser for the clauses Graph accepts, evaluated against stored records.

type Literal = string | number | boolean | null;
type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: CompareOp; property: string; value: Literal }
  | { kind: 'in'; property: string; values: Literal[] }
  | { kind: 'function'; name: 'startswith' | 'endswith' | 'contains'; property: string; value: string }
  | { kind: 'any'; property: string; op: CompareOp; value: Literal };

interface Token {
  type: 'ident' | 'string' | 'literal' | 'punct';
  text: string;
  at: number;
}

const compareOps = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const functionNames = new Set(['startswith', 'endswith', 'contains']);

function parseFilter(text: string): FilterNode {
  const syntax = (at: number) => badRequest(`Invalid filter clause: Syntax error at position ${at} in '${text}'.`);
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if ('(),:/'.includes(c)) {
      tokens.push({ type: 'punct', text: c, at: i });
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let out = '';
      for (;;) {
        if (j >= text.length) throw syntax(i);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            out += "'";
            j += 2;
            continue;
          }
          break;
        }
        out += text[j++];
      }
      tokens.push({ type: 'string', text: out, at: i });
      i = j + 1;
      continue;
    }
    const rest = text.slice(i);
    const literal = /^-?\d[\w\-:.+]*/.exec(rest);
    if (literal) {
      tokens.push({ type: 'literal', text: literal[0], at: i });
      i += literal[0].length;
      continue;
    }
    const ident = /^[A-Za-z_$@][\w.$@]*/.exec(rest);
    if (ident) {
      tokens.push({ type: 'ident', text: ident[0], at: i });
      i += ident[0].length;
      continue;
    }
    throw syntax(i);
  }

  let pos = 0;
  const peek = () => tokens[pos];
  const end = () => text.length;
  const isWord = (token: Token | undefined, word: string) => token?.type === 'ident' && token.text.toLowerCase() === word;
  const expectPunct = (p: string) => {
    const token = tokens[pos];
    if (token?.type !== 'punct' || token.text !== p) throw syntax(token?.at ?? end());
    pos++;
  };
  const identifier = (): string => {
    const token = tokens[pos];
    if (token?.type !== 'ident') throw syntax(token?.at ?? end());
    pos++;
    return token.text;
  };
  const value = (): Literal => {
    const token = tokens[pos];
    if (!token) throw syntax(end());
    pos++;
    if (token.type === 'string') return token.text;
    if (token.type === 'literal') return /^-?\d+(\.\d+)?$/.test(token.text) ? Number(token.text) : token.text;
    if (token.type === 'ident') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw syntax(token.at);
  };
  const compareOp = (): CompareOp => {
    const token = tokens[pos];
    if (token?.type !== 'ident' || !compareOps.has(token.text.toLowerCase())) throw syntax(token?.at ?? end());
    pos++;
    return token.text.toLowerCase() as CompareOp;
  };

  const primary = (): FilterNode => {
    const token = peek();
    if (!token) throw syntax(end());
    if (token.type === 'punct' && token.text === '(') {
      pos++;
      const inner = or();
      expectPunct(')');
      return inner;
    }
    if (isWord(token, 'not')) {
      pos++;
      return { kind: 'not', operand: primary() };
    }
    if (token.type === 'ident' && functionNames.has(token.text.toLowerCase()) && tokens[pos + 1]?.text === '(') {
      pos += 2;
      const property = identifier();
      expectPunct(',');
      const argument = value();
      expectPunct(')');
      if (typeof argument !== 'string') throw syntax(token.at);
      return { kind: 'function', name: token.text.toLowerCase() as 'startswith' | 'endswith' | 'contains', property, value: argument };
    }
    const segments = [identifier()];
    while (peek()?.type === 'punct' && peek()!.text === '/') {
      pos++;
      if (isWord(peek(), 'any') && tokens[pos + 1]?.text === '(') {
        pos += 2;
        const variable = identifier();
        expectPunct(':');
        if (identifier() !== variable) throw syntax(tokens[pos - 1]!.at);
        const op = compareOp();
        const operand = value();
        expectPunct(')');
        return { kind: 'any', property: segments.join('/'), op, value: operand };
      }
      segments.push(identifier());
    }
    const property = segments.join('/');
    if (isWord(peek(), 'in')) {
      pos++;
      expectPunct('(');
      const values = [value()];
      while (peek()?.text === ',') {
        pos++;
        values.push(value());
      }
      expectPunct(')');
      return { kind: 'in', property, values };
    }
    return { kind: 'compare', op: compareOp(), property, value: value() };
  };
  const and = (): FilterNode => {
    let left = primary();
    while (isWord(peek(), 'and')) {
      pos++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): FilterNode => {
    let left = and();
    while (isWord(peek(), 'or')) {
      pos++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };

  if (!tokens.length) throw syntax(0);
  const node = or();
  if (pos < tokens.length) throw syntax(tokens[pos]!.at);
  return node;
}

/** Every (property, operator) a filter uses, for the resource's own rules. */
function filterUses(node: FilterNode, out: { property: string; op: string }[] = []): { property: string; op: string }[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      filterUses(node.left, out);
      filterUses(node.right, out);
      break;
    case 'not':
      out.push({ property: '', op: 'not' });
      filterUses(node.operand, out);
      break;
    case 'compare':
      out.push({ property: node.property, op: node.op });
      break;
    case 'in':
      out.push({ property: node.property, op: 'in' });
      break;
    case 'function':
      out.push({ property: node.property, op: node.name });
      break;
    case 'any':
      out.push({ property: node.property, op: 'any' });
      break;
  }
  return out;
}

function propertyValue(row: Row, path: string): unknown {
  let current: unknown = row;
  for (const segment of path.split('/')) current = isObject(current) ? current[segment] : undefined;
  return current;
}

function compare(actual: unknown, op: CompareOp, expected: Literal): boolean {
  if (expected === null) return op === 'eq' ? actual == null : op === 'ne' ? actual != null : false;
  if (actual === null || actual === undefined) return op === 'ne';
  let order: number;
  if (typeof expected === 'boolean') {
    if (op === 'eq') return actual === expected;
    if (op === 'ne') return actual !== expected;
    return false;
  }
  if (typeof expected === 'number') {
    const n = Number(actual);
    order = n === expected ? 0 : n < expected ? -1 : 1;
  } else {
    const a = lower(actual);
    const b = expected.toLowerCase();
    const da = Date.parse(String(actual));
    const db = Date.parse(expected);
    if (op !== 'eq' && op !== 'ne' && /^\d{4}-\d{2}-\d{2}/.test(expected) && Number.isFinite(da) && Number.isFinite(db)) order = da === db ? 0 : da < db ? -1 : 1;
    else order = a === b ? 0 : a < b ? -1 : 1;
  }
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
  }
}

function matches(node: FilterNode, row: Row): boolean {
  switch (node.kind) {
    case 'and':
      return matches(node.left, row) && matches(node.right, row);
    case 'or':
      return matches(node.left, row) || matches(node.right, row);
    case 'not':
      return !matches(node.operand, row);
    case 'compare':
      return compare(propertyValue(row, node.property), node.op, node.value);
    case 'in': {
      const actual = propertyValue(row, node.property);
      return node.values.some((v) => compare(actual, 'eq', v));
    }
    case 'function': {
      const actual = propertyValue(row, node.property);
      if (typeof actual !== 'string') return false;
      const a = actual.toLowerCase();
      const b = node.value.toLowerCase();
      return node.name === 'startswith' ? a.startsWith(b) : node.name === 'endswith' ? a.endsWith(b) : a.includes(b);
    }
    case 'any': {
      const items = propertyValue(row, node.property);
      return Array.isArray(items) && items.some((item) => compare(item, node.op, node.value));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Users (Entra ID directory objects).

type PropertyType = 'string' | 'boolean' | 'strings' | 'passwordProfile';

const USER_PROPERTIES: Record<string, PropertyType> = {
  id: 'string',
  displayName: 'string',
  givenName: 'string',
  surname: 'string',
  mail: 'string',
  otherMails: 'strings',
  userPrincipalName: 'string',
  accountEnabled: 'boolean',
  createdDateTime: 'string',
  jobTitle: 'string',
  mobilePhone: 'string',
  businessPhones: 'strings',
  officeLocation: 'string',
  preferredLanguage: 'string',
  mailNickname: 'string',
  usageLocation: 'string',
  department: 'string',
  companyName: 'string',
  employeeId: 'string',
  city: 'string',
  state: 'string',
  country: 'string',
  streetAddress: 'string',
  postalCode: 'string',
  userType: 'string',
  creationType: 'string',
  deletedDateTime: 'string',
  passwordPolicies: 'string',
  passwordProfile: 'passwordProfile',
  proxyAddresses: 'strings',
};
const USER_READ_ONLY = new Set(['id', 'createdDateTime', 'creationType', 'deletedDateTime', 'proxyAddresses']);
/** What Graph returns for a user without `$select`. */
const USER_DEFAULT_SELECT = ['businessPhones', 'displayName', 'givenName', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName', 'id'];
/** Properties whose filters need the advanced-query parameters (ConsistencyLevel: eventual and $count=true). */
const USER_ADVANCED_OPS = new Set(['ne', 'not', 'endswith']);
const USER_TYPE = 'microsoft.graph.user';

function user(fields: Row & { id: string; displayName: string; userPrincipalName: string }): Row {
  const upn = fields.userPrincipalName;
  return {
    givenName: null,
    surname: null,
    mail: null,
    otherMails: [],
    accountEnabled: true,
    createdDateTime: '2021-08-02T10:36:12Z',
    jobTitle: null,
    mobilePhone: null,
    businessPhones: [],
    officeLocation: null,
    preferredLanguage: 'en-US',
    mailNickname: upn.slice(0, upn.indexOf('@')).replace(/#EXT#$/, ''),
    usageLocation: 'US',
    department: null,
    companyName: null,
    employeeId: null,
    city: null,
    state: null,
    country: null,
    streetAddress: null,
    postalCode: null,
    userType: 'Member',
    creationType: null,
    deletedDateTime: null,
    passwordPolicies: null,
    passwordProfile: null,
    proxyAddresses: [],
    ...fields,
  };
}

function seedUsers(): Row[] {
  return [
    user({
      id: '6ea91a8d-e32e-41a1-b7bd-d2d185eed0e0',
      displayName: 'Conf Room Adams',
      mail: 'Adams@contoso.com',
      userPrincipalName: 'Adams@contoso.com',
      createdDateTime: '2021-08-02T10:36:12Z',
      preferredLanguage: null,
      proxyAddresses: ['SMTP:Adams@contoso.com'],
    }),
    user({
      id: '87d349ed-44d7-43e1-9a83-5f2406dee5bd',
      displayName: 'Adele Vance',
      givenName: 'Adele',
      surname: 'Vance',
      mail: 'AdeleV@contoso.com',
      otherMails: ['adele.vance@fabrikam.com'],
      userPrincipalName: 'AdeleV@contoso.onmicrosoft.com',
      createdDateTime: '2022-03-14T08:05:41Z',
      jobTitle: 'Product Marketing Manager',
      mobilePhone: '+1 425 555 0109',
      businessPhones: ['+1 425 555 0100'],
      officeLocation: '18/2111',
      department: 'Retail',
      city: 'Bellevue',
      state: 'WA',
      country: 'United States',
      proxyAddresses: ['SMTP:AdeleV@contoso.com'],
    }),
    user({
      id: '4562bcc8-c436-4f95-b7c0-4f8ce89dca5e',
      displayName: 'MOD Administrator',
      givenName: 'MOD',
      surname: 'Administrator',
      mail: 'admin@contoso.com',
      otherMails: ['admin@contoso.com', 'mod.admin@fabrikam.com'],
      userPrincipalName: 'admin@contoso.com',
      createdDateTime: '2020-11-05T16:22:03Z',
      mobilePhone: '425-555-0101',
      businessPhones: ['425-555-0100'],
      proxyAddresses: ['SMTP:admin@contoso.com'],
    }),
    user({
      id: '0c3a3f8e-5b7d-4e4b-9d0e-1f3a6c2b8e41',
      displayName: "Sean O'Brien",
      givenName: 'Sean',
      surname: "O'Brien",
      mail: "o'brien@contoso.com",
      userPrincipalName: "o'brien@contoso.com",
      createdDateTime: '2023-01-17T12:00:45Z',
      jobTitle: 'Field Engineer',
      department: 'Operations',
      mailNickname: 'obrien',
      proxyAddresses: ["SMTP:o'brien@contoso.com"],
    }),
    user({
      id: '5c7e9a1b-3d5f-4b7d-9f1b-3d5f7b9d1f3b',
      displayName: 'Megan Bowen',
      givenName: 'Megan',
      surname: 'Bowen',
      mail: 'MeganB@contoso.com',
      userPrincipalName: 'MeganB@contoso.onmicrosoft.com',
      createdDateTime: '2022-03-14T08:06:02Z',
      jobTitle: 'Marketing Manager',
      mobilePhone: '+1 412 555 0109',
      businessPhones: ['+1 412 555 0109'],
      officeLocation: '12/1110',
      department: 'Marketing',
      proxyAddresses: ['SMTP:MeganB@contoso.com'],
    }),
    user({
      id: 'a1c3e5f7-9b2d-4f6a-8c0e-1d3f5b7a9c2e',
      displayName: 'Alex Wilber',
      givenName: 'Alex',
      surname: 'Wilber',
      mail: 'AlexW@contoso.com',
      userPrincipalName: 'AlexW@contoso.onmicrosoft.com',
      accountEnabled: false,
      createdDateTime: '2022-03-14T08:06:19Z',
      jobTitle: 'Marketing Assistant',
      officeLocation: '131/1104',
      department: 'Marketing',
      proxyAddresses: ['SMTP:AlexW@contoso.com'],
    }),
    user({
      id: 'e2f4a6c8-0b1d-4e3f-a5c7-9e1b3d5f7a90',
      displayName: 'Pradeep Gupta',
      givenName: 'Pradeep',
      surname: 'Gupta',
      mail: 'pradeep.gupta@fabrikam.com',
      otherMails: ['pradeep.gupta@fabrikam.com'],
      userPrincipalName: 'pradeep.gupta_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      createdDateTime: '2023-09-04T15:31:20Z',
      userType: 'Guest',
      creationType: 'Invitation',
      usageLocation: null,
      preferredLanguage: null,
      proxyAddresses: ['SMTP:pradeep.gupta@fabrikam.com'],
    }),
  ];
}

/** A user with only the given properties, in their order (the password is never returned). */
function projectUser(row: Row, select: string[]): Row {
  const out: Row = {};
  for (const name of select) out[name] = name === 'passwordProfile' ? null : (row[name] ?? (USER_PROPERTIES[name] === 'strings' ? [] : null));
  return out;
}

function passwordComplexEnough(password: string): boolean {
  if (password.length < 8 || password.length > 256) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return classes >= 3;
}

function invalidUserValue(property: string): GraphError {
  return badRequest(`Invalid value specified for property '${property}' of resource 'User'.`, 'Request_BadRequest', [{ code: 'InvalidValue', target: property }]);
}

// ---------------------------------------------------------------------------------------------
// Intune managed devices.

const DEVICE_TYPE = 'microsoft.graph.managedDevice';
const DEVICE_SERVICE = 'DeviceFE/StatelessDeviceFEService';
const DEVICE_WRITABLE = new Set(['managedDeviceOwnerType', 'notes']);
const OWNER_TYPES = ['unknown', 'company', 'personal'];

function device(owner: Row | undefined, fields: Row & { id: string; deviceName: string; operatingSystem: string }): Row {
  const { id, deviceName, operatingSystem, ...rest } = fields;
  return {
    id,
    userId: owner ? owner.id : '',
    deviceName,
    managedDeviceOwnerType: 'company',
    enrolledDateTime: '2023-01-09T14:02:11Z',
    lastSyncDateTime: '2024-05-01T09:15:49Z',
    operatingSystem,
    complianceState: 'compliant',
    jailBroken: 'Unknown',
    managementAgent: 'mdm',
    osVersion: '',
    easActivated: false,
    easDeviceId: '',
    easActivationDateTime: '0001-01-01T00:00:00Z',
    azureADRegistered: true,
    deviceEnrollmentType: 'userEnrollment',
    activationLockBypassCode: null,
    emailAddress: owner ? (owner.mail ?? '') : '',
    azureADDeviceId: '',
    deviceRegistrationState: 'registered',
    deviceCategoryDisplayName: 'Unknown',
    isSupervised: false,
    exchangeLastSuccessfulSyncDateTime: '0001-01-01T00:00:00Z',
    exchangeAccessState: 'none',
    exchangeAccessStateReason: 'none',
    remoteAssistanceSessionUrl: null,
    remoteAssistanceSessionErrorDetails: null,
    isEncrypted: true,
    userPrincipalName: owner ? owner.userPrincipalName : '',
    model: '',
    manufacturer: '',
    imei: '',
    complianceGracePeriodExpirationDateTime: '9999-12-31T23:59:59Z',
    serialNumber: '',
    phoneNumber: '',
    androidSecurityPatchLevel: '',
    userDisplayName: owner ? owner.displayName : '',
    configurationManagerClientEnabledFeatures: null,
    wiFiMacAddress: '',
    deviceHealthAttestationState: null,
    subscriberCarrier: '',
    meid: '',
    totalStorageSpaceInBytes: 0,
    freeStorageSpaceInBytes: 0,
    managedDeviceName: '',
    partnerReportedThreatState: 'unknown',
    requireUserEnrollmentApproval: null,
    managementCertificateExpirationDate: '2025-01-09T14:02:11Z',
    iccid: null,
    udid: null,
    notes: null,
    ethernetMacAddress: null,
    physicalMemoryInBytes: 0,
    enrollmentProfileName: null,
    deviceActionResults: [],
    ...rest,
  };
}

function seedDevices(users: Row[]): Row[] {
  const byId = new Map(users.map((u) => [String(u.id), u]));
  const adele = byId.get('87d349ed-44d7-43e1-9a83-5f2406dee5bd');
  const admin = byId.get('4562bcc8-c436-4f95-b7c0-4f8ce89dca5e');
  const megan = byId.get('5c7e9a1b-3d5f-4b7d-9f1b-3d5f7b9d1f3b');
  const alex = byId.get('a1c3e5f7-9b2d-4f6a-8c0e-1d3f5b7a9c2e');
  const sean = byId.get('0c3a3f8e-5b7d-4e4b-9d0e-1f3a6c2b8e41');
  return [
    device(adele, {
      id: '705c034c-034c-705c-4c03-5c704c035c70',
      deviceName: 'ADELE-LAPTOP',
      enrolledDateTime: '2023-01-09T22:02:11Z',
      lastSyncDateTime: '2024-05-01T09:15:49Z',
      operatingSystem: 'Windows',
      osVersion: '10.0.22631.3447',
      deviceEnrollmentType: 'windowsAzureADJoin',
      azureADDeviceId: '1c2e4f6a-8b0d-4e2f-a4c6-e8f0a2c4e6b8',
      model: 'Surface Laptop 5',
      manufacturer: 'Microsoft Corporation',
      serialNumber: '0F3C9A21B7',
      wiFiMacAddress: '5C5F67A1B2C3',
      ethernetMacAddress: '5C5F67A1B2C4',
      totalStorageSpaceInBytes: 255060983808,
      freeStorageSpaceInBytes: 143881404416,
      physicalMemoryInBytes: 17179869184,
      managedDeviceName: 'AdeleV_Windows_1/9/2023_10:02 PM',
    }),
    device(adele, {
      id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      deviceName: "Adele's iPhone",
      enrolledDateTime: '2023-03-01T10:00:00Z',
      lastSyncDateTime: '2024-05-02T06:30:12Z',
      operatingSystem: 'iOS',
      jailBroken: 'False',
      osVersion: '17.4.1',
      azureADRegistered: false,
      deviceEnrollmentType: 'appleBulkWithUser',
      isSupervised: true,
      model: 'iPhone 15',
      manufacturer: 'Apple',
      imei: '35 209900 176148 1',
      serialNumber: 'F2LXK9Q0PLJM',
      phoneNumber: '+14255550199',
      subscriberCarrier: 'Contoso Mobile',
      wiFiMacAddress: 'f0:18:98:aa:bb:cc',
      ethernetMacAddress: 'f0:18:98:aa:bb:cd',
      totalStorageSpaceInBytes: 128000000000,
      freeStorageSpaceInBytes: 64000000000,
      physicalMemoryInBytes: 6000000000,
      managedDeviceName: 'AdeleV_iPhone_3/1/2023_10:00 AM',
      udid: '00008110-000A1B2C3D4E5F60',
    }),
    device(adele, {
      id: 'c7a1e3f5-2b4d-4c6e-8f0a-1b3d5f7a9c2e',
      deviceName: "Adele's MacBook Pro",
      enrolledDateTime: '2023-06-12T16:45:10Z',
      lastSyncDateTime: '2024-05-01T07:02:33Z',
      operatingSystem: 'macOS',
      osVersion: '14.4.1 (23E224)',
      deviceEnrollmentType: 'appleBulkWithUser',
      isSupervised: true,
      model: 'MacBook Pro (14-inch, 2023)',
      manufacturer: 'Apple',
      serialNumber: 'C02XK1ZZJG5J',
      wiFiMacAddress: '3c:22:fb:11:22:33',
      totalStorageSpaceInBytes: 494384795648,
      freeStorageSpaceInBytes: 310284795648,
      physicalMemoryInBytes: 17179869184,
      managedDeviceName: 'AdeleV_MacOS_6/12/2023_4:45 PM',
    }),
    device(undefined, {
      id: '2b4d6f80-1a3c-4e5f-8a9b-0c1d2e3f4a5b',
      deviceName: 'Front Desk iPad',
      managedDeviceOwnerType: 'personal',
      enrolledDateTime: '2022-11-20T08:00:00Z',
      lastSyncDateTime: '2024-04-30T22:41:03Z',
      operatingSystem: 'iPadOS',
      complianceState: 'noncompliant',
      jailBroken: 'False',
      osVersion: '17.4.1',
      azureADRegistered: false,
      deviceEnrollmentType: 'appleBulkWithoutUser',
      deviceRegistrationState: 'approvalPending',
      isSupervised: true,
      model: 'iPad (10th generation)',
      manufacturer: 'Apple',
      serialNumber: 'DMPXK2Q1LMNP',
      wiFiMacAddress: 'a0:78:17:2b:3c:4d',
      totalStorageSpaceInBytes: 64000000000,
      freeStorageSpaceInBytes: 51000000000,
      managedDeviceName: 'FrontDesk_iPadOS_11/20/2022_8:00 AM',
    }),
    device(admin, {
      id: '9e8d7c6b-5a49-4382-b1c0-d9e8f7a6b5c4',
      deviceName: 'Pixel 8',
      managedDeviceOwnerType: 'unknown',
      enrolledDateTime: '2024-02-02T12:30:00Z',
      lastSyncDateTime: '2024-05-02T05:12:40Z',
      operatingSystem: 'Android',
      jailBroken: 'False',
      osVersion: '14',
      azureADRegistered: false,
      deviceEnrollmentType: 'androidEnterpriseFullyManaged',
      isEncrypted: false,
      model: 'Pixel 8',
      manufacturer: 'Google',
      serialNumber: '3A281FDH20013K',
      androidSecurityPatchLevel: '2024-04-05',
      wiFiMacAddress: 'd4:3a:2c:10:20:30',
      totalStorageSpaceInBytes: 128000000000,
      freeStorageSpaceInBytes: 92000000000,
      managedDeviceName: 'admin_AndroidEnterprise_2/2/2024_12:30 PM',
    }),
    device(megan, {
      id: '3d5f7b9d-1f3b-4d5f-8b9d-1f3b5d7f9b1d',
      deviceName: 'MEGANB-DESKTOP',
      enrolledDateTime: '2023-04-03T09:20:00Z',
      lastSyncDateTime: '2024-05-01T18:44:10Z',
      operatingSystem: 'Windows',
      complianceState: 'inGracePeriod',
      osVersion: '10.0.19045.4291',
      deviceEnrollmentType: 'windowsAzureADJoin',
      azureADDeviceId: '6a8c0e2a-4c6e-4a8c-8e0a-2c4e6a8c0e2a',
      model: 'OptiPlex 7010',
      manufacturer: 'Dell Inc.',
      serialNumber: '7HKQ2Z3',
      wiFiMacAddress: '',
      ethernetMacAddress: 'b0:7b:25:01:02:03',
      totalStorageSpaceInBytes: 511101108224,
      freeStorageSpaceInBytes: 301101108224,
      physicalMemoryInBytes: 34359738368,
      managedDeviceName: 'MeganB_Windows_4/3/2023_9:20 AM',
    }),
    device(alex, {
      id: '8f0a2c4e-6a8c-4e0a-9c4e-6a8c0e2a4c6e',
      deviceName: 'alexw-ubuntu',
      enrolledDateTime: '2023-10-10T07:15:00Z',
      lastSyncDateTime: '2024-03-28T11:05:00Z',
      operatingSystem: 'Linux',
      complianceState: 'noncompliant',
      osVersion: '22.04',
      azureADRegistered: false,
      deviceEnrollmentType: 'unknown',
      model: 'ThinkPad X1 Carbon Gen 11',
      manufacturer: 'LENOVO',
      serialNumber: 'PF3ABCDE',
      wiFiMacAddress: '8c:8d:28:44:55:66',
      managedDeviceName: 'AlexW_Linux_10/10/2023_7:15 AM',
    }),
    device(sean, {
      id: '4e6a8c0e-2a4c-4e6a-8c0e-2a4c6e8a0c2f',
      deviceName: 'Galaxy Tab S9',
      managedDeviceOwnerType: 'personal',
      enrolledDateTime: '2024-01-22T13:40:00Z',
      lastSyncDateTime: '2024-05-02T08:01:20Z',
      operatingSystem: 'Android',
      jailBroken: 'False',
      osVersion: '14',
      azureADRegistered: false,
      deviceEnrollmentType: 'androidEnterpriseWorkProfile',
      deviceRegistrationState: 'notRegisteredPendingEnrollment',
      model: 'SM-X710',
      manufacturer: 'samsung',
      serialNumber: 'R52W30ABCDE',
      androidSecurityPatchLevel: '2024-03-01',
      wiFiMacAddress: '48:27:ea:77:88:99',
      managedDeviceName: 'obrien_AndroidForWork_1/22/2024_1:40 PM',
    }),
  ];
}

/** A device as Graph lists it: some properties are only filled on get. */
function listedDevice(row: Row): Row {
  return { '@odata.type': `#${DEVICE_TYPE}`, ...row, ethernetMacAddress: null, physicalMemoryInBytes: 0 };
}

// ---------------------------------------------------------------------------------------------
// Intune catalogue apps (mobileApp and its derived types).

const APP_TYPE = 'microsoft.graph.mobileApp';
const APP_SERVICE = 'AppMetadata/StatelessAppMetadataFEService';

function app(type: string, fields: Row & { id: string; displayName: string }): Row {
  const { id, displayName, ...rest } = fields;
  return {
    '@odata.type': `#microsoft.graph.${type}`,
    id,
    displayName,
    description: null,
    publisher: null,
    largeIcon: null,
    createdDateTime: '2023-01-01T00:00:00Z',
    lastModifiedDateTime: '2023-01-01T00:00:00Z',
    isFeatured: false,
    privacyInformationUrl: null,
    informationUrl: null,
    owner: '',
    developer: '',
    notes: '',
    publishingState: 'published',
    ...rest,
  };
}

function seedApps(): Row[] {
  return [
    app('iosStoreApp', {
      id: '0177548a-548a-0177-8a54-77018a547701',
      displayName: 'Microsoft Teams',
      description: 'Chat, meetings and calls.',
      publisher: 'Microsoft Corporation',
      createdDateTime: '2023-02-10T09:12:44.1234567Z',
      lastModifiedDateTime: '2024-03-05T17:40:02.7654321Z',
      bundleId: 'com.microsoft.skype.teams',
      appStoreUrl: 'https://apps.apple.com/us/app/microsoft-teams/id1113153706',
      applicableDeviceType: { iPad: true, iPhoneAndIPod: true },
      minimumSupportedOperatingSystem: { v8_0: false, v9_0: false, v10_0: false, v11_0: false, v12_0: false, v13_0: false, v14_0: false },
    }),
    app('win32LobApp', {
      id: '5a7c9e1b-3d5f-4a7b-9c1d-3e5f7a9b1c3d',
      displayName: '7-Zip',
      description: 'File archiver.',
      publisher: 'Igor Pavlov',
      createdDateTime: '2023-08-21T13:00:00Z',
      lastModifiedDateTime: '2023-08-21T13:05:00Z',
      committedContentVersion: '1',
      fileName: '7z2301-x64.intunewin',
      size: 1605632,
      installCommandLine: 'msiexec /i "7z2301-x64.msi" /qn',
      uninstallCommandLine: 'msiexec /x "{23170F69-40C1-2702-2301-000001000000}" /qn',
      applicableArchitectures: 'x64',
      msiInformation: {
        productCode: '{23170F69-40C1-2702-2301-000001000000}',
        productVersion: '23.01.00.0',
        upgradeCode: '{23170F69-40C1-2702-0000-000004000000}',
        requiresReboot: false,
        packageType: 'perMachine',
        productName: '7-Zip 23.01 (x64 edition)',
        publisher: 'Igor Pavlov',
      },
      setupFilePath: '7z2301-x64.msi',
      minimumSupportedWindowsRelease: '1607',
    }),
    app('macOSLobApp', {
      id: '8c0e2a4c-6e8a-4c0e-a2c4-6e8a0c2e4a6c',
      displayName: 'Contoso VPN',
      description: 'Always-on VPN client.',
      publisher: 'Contoso',
      createdDateTime: '2024-01-15T08:30:00Z',
      lastModifiedDateTime: '2024-01-16T08:30:00Z',
      committedContentVersion: '1',
      fileName: 'ContosoVPN.pkg',
      size: 48234496,
      bundleId: 'com.contoso.vpn',
      buildNumber: '4.2',
      versionNumber: '4.2.1087',
      ignoreVersionDetection: false,
      installAsManaged: false,
    }),
    app('androidLobApp', {
      id: '1d3f5b7d-9f1b-4d3f-b5d7-9f1b3d5f7b9d',
      displayName: 'Contoso Field Service',
      publisher: 'Contoso',
      createdDateTime: '2023-11-02T10:00:00Z',
      lastModifiedDateTime: '2023-11-02T10:00:00Z',
      committedContentVersion: '1',
      fileName: 'fieldservice.apk',
      size: 20971520,
      packageId: 'com.contoso.fieldservice',
      versionName: '3.8.0',
      versionCode: '380',
    }),
    app('webApp', {
      id: '6e8a0c2e-4a6c-4e8a-8c0e-2a4c6e8a0c2e',
      displayName: 'Contoso Intranet',
      publisher: 'Contoso IT',
      createdDateTime: '2022-05-05T05:05:05Z',
      lastModifiedDateTime: '2022-05-05T05:05:05Z',
      appUrl: 'https://intranet.contoso.com',
      useManagedBrowser: true,
    }),
    app('windowsMobileMSI', {
      id: '3e5f7a9b-1c3d-4e5f-9a1b-5c7d9e1f3a5b',
      displayName: 'Contoso Timesheets',
      description: 'Time tracking client.',
      publisher: 'Contoso',
      createdDateTime: '2021-09-30T12:00:00Z',
      lastModifiedDateTime: '2023-04-18T15:22:10Z',
      isFeatured: true,
      informationUrl: 'https://contoso.com/timesheets',
      owner: 'IT',
      developer: 'Contoso',
      committedContentVersion: '2',
      fileName: 'timesheets.msi',
      size: 7340032,
      commandLine: '/qn',
      productCode: '{8F2C1A3B-4D5E-4F60-8172-93A4B5C6D7E8}',
      productVersion: '2.3.0',
      ignoreVersionDetection: false,
    }),
    app('androidStoreApp', {
      id: '7f9b1d3f-5b7d-4f9b-8d3f-5b7d9f1b3d5f',
      displayName: 'Microsoft Authenticator',
      description: 'Multi-factor authentication.',
      publisher: 'Microsoft Corporation',
      createdDateTime: '2023-02-10T09:20:00Z',
      lastModifiedDateTime: '2023-02-10T09:20:00Z',
      packageId: 'com.azure.authenticator',
      appStoreUrl: 'https://play.google.com/store/apps/details?id=com.azure.authenticator',
      minimumSupportedOperatingSystem: { v4_0: false, v4_0_3: false, v4_1: false, v4_2: false, v4_3: false, v4_4: false, v5_0: false, v5_1: false, v6_0: false, v7_0: false, v7_1: false, v8_0: true },
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// The organization (one per tenant).

function seedOrganization(): Row {
  return {
    id: TENANT_ID,
    deletedDateTime: null,
    businessPhones: ['425-555-0100'],
    city: 'Redmond',
    country: null,
    countryLetterCode: 'US',
    createdDateTime: '2020-11-05T16:20:11Z',
    defaultUsageLocation: 'US',
    displayName: TENANT_NAME,
    marketingNotificationEmails: [],
    onPremisesLastSyncDateTime: null,
    onPremisesSyncEnabled: null,
    postalCode: '98052',
    preferredLanguage: 'en',
    privacyProfile: null,
    securityComplianceNotificationMails: [],
    securityComplianceNotificationPhones: [],
    state: 'WA',
    street: 'One Microsoft Way',
    technicalNotificationMails: ['admin@contoso.com'],
    tenantType: 'AAD',
    directorySizeQuota: { used: 412, total: 50000 },
    assignedPlans: [
      { assignedDateTime: '2020-11-05T16:25:00Z', capabilityStatus: 'Enabled', service: 'SCO', servicePlanId: 'c1ec4a95-1f05-45b3-a911-aa3fa01094f5' },
      { assignedDateTime: '2020-11-05T16:25:00Z', capabilityStatus: 'Enabled', service: 'AADPremiumService', servicePlanId: '41781fb2-bc02-4b7c-bd55-b576c07bb09d' },
    ],
    provisionedPlans: [{ capabilityStatus: 'Enabled', provisioningStatus: 'Success', service: 'exchange' }],
    verifiedDomains: [
      { capabilities: 'Email, OfficeCommunicationsOnline', isDefault: true, isInitial: false, name: 'contoso.com', type: 'Managed' },
      { capabilities: 'Email, OfficeCommunicationsOnline', isDefault: false, isInitial: true, name: 'contoso.onmicrosoft.com', type: 'Managed' },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Storage: a Table in insertion order, plus each id's position so a page token stays valid
// when the record it names is deleted between pages.

class Collection {
  readonly table: Table<Row>;
  private readonly positions = new Map<string, number>();
  private nextPosition = 0;

  constructor(seed: Row[]) {
    this.table = new Table<Row>(seed);
    for (const row of seed) this.positions.set(String(row.id), this.nextPosition++);
  }

  insert(row: Row): Row {
    const stored = this.table.insert(() => row);
    this.positions.set(String(row.id), this.nextPosition++);
    return stored;
  }

  position(id: string): number | undefined {
    return this.positions.get(id);
  }
}

// ---------------------------------------------------------------------------------------------
// Query options shared by the collections.

function option(url: URL, name: string): string | null {
  // Graph v1.0 accepts system query options with or without the `$`.
  return url.searchParams.get(`$${name}`) ?? url.searchParams.get(name);
}

function parseSelect(url: URL, known: (name: string) => boolean, type: string): string[] | undefined {
  const raw = option(url, 'select');
  if (raw === null) return undefined;
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) if (!known(name)) throw unknownProperty(name, type);
  return names.length ? names : undefined;
}

function parseTop(url: URL, fallback: number, max: number, strict: boolean): number {
  const raw = option(url, 'top');
  if (raw === null) return fallback;
  if (!/^\d+$/.test(raw.trim())) throw badRequest(`Invalid value '${raw}' for $top query option found.`);
  const top = Number(raw);
  if (strict && (top < 1 || top > max)) throw badRequest(`Invalid page size specified: '${raw}'. Must be between 1 and ${max} inclusive.`, 'Request_UnsupportedQuery');
  return Math.min(Math.max(top, 1), max);
}

function wantsCount(url: URL): boolean {
  return lower(option(url, 'count')) === 'true';
}

/** The next-page link, on the public origin: the same query with the new `$skiptoken`. */
function nextLinkFor(url: URL, skiptoken: string): string {
  const parts: string[] = [];
  for (const [key, value] of url.searchParams) {
    if (/^\$?skiptoken$/i.test(key)) continue;
    parts.push(`${key}=${odataValue(value)}`);
  }
  parts.push(`$skiptoken=${encodeURIComponent(skiptoken).replace(/'/g, '%27')}`);
  return `${url.origin}${url.pathname}?${parts.join('&')}`;
}

function metadata(ctx: RequestContext, path: string): string {
  return `${ctx.origin}/v1.0/$metadata#${path}`;
}

// ---------------------------------------------------------------------------------------------
// The emulator.

export function createMicrosoftIntuneEmulator(): Emulator {
  const users = new Collection(seedUsers());
  const devices = new Collection(seedDevices(users.table.all()));
  const apps = new Collection(seedApps());
  const organization = seedOrganization();
  /** Access tokens issued by the token endpoint, and when each expires (ms). */
  const issued = new Map<string, number>();
  let tokenSerial = 0;

  // ---- token endpoint (login.microsoftonline.com) ----

  function aadError(status: number, error: string, code: number, description: string): Response {
    const traceId = uuid();
    const correlationId = uuid();
    const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
    return json(
      {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
        error_codes: [code],
        timestamp,
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `${LOGIN_ORIGIN}/error?code=${code}`,
      },
      status,
      { 'cache-control': 'no-store, no-cache', pragma: 'no-cache', 'x-ms-request-id': traceId },
    );
  }

  function issueToken(): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid: 'sandbox-signing-key' };
    const claims = {
      aud: GRAPH_ORIGIN,
      iss: `https://sts.windows.net/${TENANT_ID}/`,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_SECONDS,
      app_displayname: 'Unimap sandbox',
      appid: CLIENT_ID,
      appidacr: '1',
      idp: `https://sts.windows.net/${TENANT_ID}/`,
      idtyp: 'app',
      oid: SERVICE_PRINCIPAL_ID,
      roles: APP_ROLES,
      sub: SERVICE_PRINCIPAL_ID,
      tid: TENANT_ID,
      uti: `sandbox${++tokenSerial}`,
      ver: '1.0',
    };
    const token = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}.${base64url(`sandbox-signature-${tokenSerial}-${uuid()}`)}`;
    issued.set(token, Date.now() + TOKEN_LIFETIME_SECONDS * 1000);
    return token;
  }

  async function tokenEndpoint(request: Request, url: URL): Promise<Response> {
    const match = /^\/([^/]+)\/oauth2\/v2\.0\/token\/?$/i.exec(url.pathname);
    if (!match) return new Response('<!DOCTYPE html><html><body>Not Found</body></html>', { status: 404, headers: { 'content-type': 'text/html; charset=utf-8' } });
    if (request.method !== 'POST') return aadError(400, 'invalid_request', 900561, `The endpoint only accepts POST, OPTIONS requests. Received a ${request.method} request.`);
    const tenant = decodeURIComponent(match[1]!);
    const knownTenant = [TENANT_ALIAS, TENANT_ID, ...VERIFIED_DOMAINS].some((t) => t.toLowerCase() === tenant.toLowerCase());
    if (!knownTenant) {
      return aadError(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    }
    const isForm = (request.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded');
    const parsed = isForm ? await readBody(request) : undefined;
    const form: Record<string, string> = {};
    if (isObject(parsed)) for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') form[key] = value;
    // client_secret_basic is accepted as well as client_secret_post.
    const basic = /^Basic\s+(.+)$/i.exec(request.headers.get('authorization') ?? '');
    if (basic) {
      const decoded = fromBase64url(basic[1]!.trim());
      const colon = decoded?.indexOf(':') ?? -1;
      if (decoded && colon > 0) {
        form.client_id ??= decodeURIComponent(decoded.slice(0, colon));
        form.client_secret ??= decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    const missing = (name: string) => aadError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`);
    if (!form.grant_type) return missing('grant_type');
    if (form.grant_type !== 'client_credentials') return aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${form.grant_type}'.`);
    if (!form.client_id) return missing('client_id');
    if (form.client_id !== CLIENT_ID) {
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${form.client_id}' was not found in the directory '${TENANT_NAME}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    if (!form.scope) return missing('scope');
    const scopes = form.scope.split(/\s+/).filter(Boolean);
    if (scopes.length !== 1 || !scopes[0]!.endsWith('/.default')) {
      return aadError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${form.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const resource = scopes[0]!.slice(0, -'/.default'.length).replace(/\/+$/, '');
    if (resource !== GRAPH_ORIGIN && resource !== GRAPH_APP_ID) {
      return aadError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${resource} was not found in the tenant named ${TENANT_NAME}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    if (!form.client_secret) return aadError(401, 'invalid_client', 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
    if (form.client_secret !== CLIENT_SECRET) {
      return aadError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT_ID}'.`,
      );
    }
    return json(
      { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: issueToken() },
      200,
      { 'cache-control': 'no-store, no-cache', pragma: 'no-cache', 'x-ms-request-id': uuid() },
    );
  }

  // ---- Graph (graph.microsoft.com) ----

  function authenticate(request: Request): GraphError | undefined {
    const headers = { 'www-authenticate': `Bearer realm="", authorization_uri="${LOGIN_ORIGIN}/common/oauth2/authorize", client_id="${GRAPH_APP_ID}"` };
    const fail = (message: string) => new GraphError(401, 'InvalidAuthenticationToken', message, { headers });
    const token = bearer(request);
    if (!token) return fail('Access token is empty.');
    if (!token.includes('.')) {
      return fail(
        "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.",
      );
    }
    const expiresAt = issued.get(token);
    if (expiresAt === undefined) return fail('Access token validation failure. Invalid audience.');
    if (expiresAt <= Date.now()) return fail('Lifetime validation failed, the token is expired.');
    return undefined;
  }

  /** The JSON object of a POST or PATCH, as Graph reads it. */
  async function writeBody(request: Request): Promise<Row> {
    const type = request.headers.get('content-type');
    if (!type) throw badRequest('Write requests (excluding DELETE) must contain the Content-Type header declaration.');
    const body = type.includes('json') ? await readBody(request) : undefined;
    if (!isObject(body)) throw badRequest('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    return body;
  }

  // users

  function findUser(idOrUpn: string): Row | undefined {
    return users.table.get(idOrUpn) ?? users.table.find((u) => lower(u.userPrincipalName) === idOrUpn.toLowerCase());
  }

  function checkUserWrite(body: Row, existingId: string | undefined): void {
    for (const [key, value] of Object.entries(body)) {
      if (key.startsWith('@odata.')) continue;
      const type = USER_PROPERTIES[key];
      if (!type) throw badRequest(`Property '${key}' does not exist as a declared property or extension property.`, 'Request_BadRequest');
      if (USER_READ_ONLY.has(key)) throw badRequest(`Property '${key}' is read-only and cannot be set.`, 'Request_BadRequest');
      if (value === null) {
        if (['displayName', 'userPrincipalName', 'mailNickname', 'accountEnabled', 'passwordProfile'].includes(key)) throw invalidUserValue(key);
        continue;
      }
      const ok =
        type === 'string'
          ? typeof value === 'string'
          : type === 'boolean'
            ? typeof value === 'boolean'
            : type === 'strings'
              ? Array.isArray(value) && value.every((v) => typeof v === 'string')
              : isObject(value);
      if (!ok) throw invalidUserValue(key);
    }
    if ('displayName' in body && (!String(body.displayName).trim() || String(body.displayName).length > 256)) throw invalidUserValue('displayName');
    if ('mailNickname' in body && !/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.]{1,64}$/.test(String(body.mailNickname))) throw invalidUserValue('mailNickname');
    if ('mail' in body && body.mail !== null && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(body.mail))) throw invalidUserValue('mail');
    if (Array.isArray(body.otherMails) && body.otherMails.some((m) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(String(m)))) throw invalidUserValue('otherMails');
    if ('userPrincipalName' in body) {
      const upn = String(body.userPrincipalName);
      const at = upn.lastIndexOf('@');
      if (at < 1 || /\s/.test(upn)) throw invalidUserValue('userPrincipalName');
      const domain = upn.slice(at + 1).toLowerCase();
      if (!VERIFIED_DOMAINS.includes(domain)) {
        throw badRequest('The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.', 'Request_BadRequest', [
          { code: 'InvalidValue', target: 'userPrincipalName' },
        ]);
      }
      const clash = users.table.find((u) => lower(u.userPrincipalName) === upn.toLowerCase() && u.id !== existingId);
      if (clash) {
        throw badRequest('Another object with the same value for property userPrincipalName already exists.', 'Request_BadRequest', [{ code: 'ObjectConflict', target: 'userPrincipalName' }]);
      }
    }
    if (isObject(body.passwordProfile)) {
      const password = body.passwordProfile.password;
      const force = body.passwordProfile.forceChangePasswordNextSignIn;
      if (force !== undefined && typeof force !== 'boolean') throw invalidUserValue('passwordProfile');
      if (password !== undefined) {
        if (typeof password !== 'string') throw invalidUserValue('passwordProfile');
        if (!passwordComplexEnough(password)) {
          throw badRequest('The specified password does not comply with password complexity requirements. Please provide a different password.', 'Request_BadRequest', [
            { code: 'InvalidValue', target: 'passwordProfile.password' },
          ]);
        }
      }
    }
  }

  function listUsers(request: Request, url: URL, ctx: RequestContext): Response {
    const select = parseSelect(url, (name) => name in USER_PROPERTIES, USER_TYPE);
    const top = parseTop(url, 100, 999, true);
    const eventual = lower(request.headers.get('consistencylevel')) === 'eventual';
    const count = wantsCount(url);
    if (count && !eventual) throw badRequest('$count is not currently supported.', 'Request_BadRequest');
    let rows = users.table.all();
    const filter = option(url, 'filter');
    if (filter !== null) {
      const node = parseFilter(filter);
      for (const use of filterUses(node)) {
        if (USER_ADVANCED_OPS.has(use.op) && !(eventual && count)) {
          const op = use.op === 'endswith' ? 'endsWith' : use.op;
          throw badRequest(
            `Operator '${op}' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
            'Request_UnsupportedQuery',
          );
        }
        if (!use.property) continue;
        const base = use.property.split('/')[0]!;
        const type = USER_PROPERTIES[base];
        if (!type) throw unknownProperty(base, USER_TYPE);
        if (base === 'passwordProfile' || (type === 'strings') !== (use.op === 'any') || use.property.includes('/')) {
          throw badRequest(`Unsupported or invalid query filter clause specified for property '${base}' of resource 'User'.`, 'Request_UnsupportedQuery');
        }
      }
      rows = rows.filter((row) => matches(node, row));
    }
    const total = rows.length;
    const skiptoken = option(url, 'skiptoken');
    if (skiptoken !== null) {
      // A token names the last user of the previous page (Graph's are opaque; this one is too).
      const decoded = fromBase64url(skiptoken);
      const id = decoded ? /User_([0-9a-f-]{36})$/.exec(decoded)?.[1] : undefined;
      const after = id ? users.position(id) : undefined;
      if (after === undefined) throw badRequest('The specified page token value has expired and can no longer be included in your request.', 'Directory_ExpiredPageToken');
      rows = rows.filter((row) => (users.position(String(row.id)) ?? -1) > after);
    }
    const page = rows.slice(0, top);
    const body: Row = { '@odata.context': metadata(ctx, select ? `users(${select.join(',')})` : 'users') };
    if (count) body['@odata.count'] = total;
    if (rows.length > top) {
      const last = page[page.length - 1]!;
      const upn = String(last.userPrincipalName);
      const key = `User_${String(last.id)}`;
      const token = base64url(`DSpt\u0002\u0000\u0001\u0000\u0000\u0000${String.fromCharCode(upn.length)}${upn}${String.fromCharCode(key.length)}${key}`);
      body['@odata.nextLink'] = nextLinkFor(url, token);
    }
    body.value = page.map((row) => projectUser(row, select ?? USER_DEFAULT_SELECT));
    return graphJson(ctx, body);
  }

  function getUser(url: URL, ctx: RequestContext, id: string): Response {
    const select = parseSelect(url, (name) => name in USER_PROPERTIES, USER_TYPE);
    const row = findUser(id);
    if (!row) throw notFound(id);
    return graphJson(ctx, { '@odata.context': metadata(ctx, select ? `users(${select.join(',')})/$entity` : 'users/$entity'), ...projectUser(row, select ?? USER_DEFAULT_SELECT) });
  }

  async function createUser(request: Request, ctx: RequestContext): Promise<Response> {
    const body = await writeBody(request);
    checkUserWrite(body, undefined);
    for (const required of ['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName']) {
      if (body[required] === undefined) throw invalidUserValue(required);
    }
    if (!isObject(body.passwordProfile) || typeof body.passwordProfile.password !== 'string') {
      throw badRequest('A password must be specified to create a new user.', 'Request_BadRequest', [{ code: 'PropertyRequired', target: 'passwordProfile' }]);
    }
    const fields: Row = {};
    for (const [key, value] of Object.entries(body)) if (!key.startsWith('@odata.')) fields[key] = value;
    const row = users.insert(
      user({
        ...fields,
        id: uuid(),
        displayName: String(body.displayName),
        userPrincipalName: String(body.userPrincipalName),
        createdDateTime: isoNow(),
        preferredLanguage: (body.preferredLanguage as string | undefined) ?? null,
        usageLocation: (body.usageLocation as string | undefined) ?? null,
        passwordProfile: { forceChangePasswordNextSignIn: body.passwordProfile.forceChangePasswordNextSignIn ?? true, password: body.passwordProfile.password },
      }),
    );
    return graphJson(ctx, { '@odata.context': metadata(ctx, 'users/$entity'), ...projectUser(row, USER_DEFAULT_SELECT) }, 201, {
      location: `${ctx.origin}/v2/${TENANT_ID}/directoryObjects/${String(row.id)}/Microsoft.DirectoryServices.User`,
    });
  }

  async function updateUser(request: Request, ctx: RequestContext, id: string): Promise<Response> {
    const row = findUser(id);
    if (!row) throw notFound(id);
    const body = await writeBody(request);
    checkUserWrite(body, String(row.id));
    const patch: Row = {};
    for (const [key, value] of Object.entries(body)) {
      if (key.startsWith('@odata.')) continue;
      patch[key] = key === 'passwordProfile' && isObject(value) ? { ...(isObject(row.passwordProfile) ? row.passwordProfile : {}), ...value } : value;
    }
    const updated = users.table.update(String(row.id), patch)!;
    syncDeviceOwners(String(row.id), updated);
    return graphNoContent(ctx);
  }

  /** Intune copies the primary user's name and addresses onto each device; keep them in step (and clear them when the user is deleted). */
  function syncDeviceOwners(userId: string, owner: Row | undefined): void {
    for (const row of devices.table.all()) {
      if (row.userId !== userId) continue;
      devices.table.update(String(row.id), {
        userId: owner ? userId : '',
        userDisplayName: owner ? owner.displayName : '',
        emailAddress: owner ? (owner.mail ?? '') : '',
        userPrincipalName: owner ? owner.userPrincipalName : '',
      });
    }
  }

  function deleteUser(ctx: RequestContext, id: string): Response {
    const row = findUser(id);
    if (!row) throw notFound(id);
    users.table.delete(String(row.id));
    syncDeviceOwners(String(row.id), undefined);
    return graphNoContent(ctx);
  }

  // managed devices

  const deviceProperties = new Set(Object.keys(device(undefined, { id: '', deviceName: '', operatingSystem: '' })));
  const deviceOrder = (a: Row, b: Row): number => {
    const an = lower(a.deviceName);
    const bn = lower(b.deviceName);
    if (an !== bn) return an < bn ? -1 : 1;
    return String(a.id) < String(b.id) ? -1 : String(a.id) > String(b.id) ? 1 : 0;
  };

  function checkIntuneFilter(node: FilterNode, known: (name: string) => boolean, type: string): void {
    for (const use of filterUses(node)) {
      if (!use.property) continue;
      if (use.op === 'any' || use.property.includes('/') || !known(use.property)) throw unknownProperty(use.property, type);
    }
  }

  function project(row: Row, select: string[] | undefined): Row {
    if (!select) return row;
    const out: Row = {};
    if (row['@odata.type'] !== undefined) out['@odata.type'] = row['@odata.type'];
    for (const name of select) out[name] = row[name] ?? null;
    return out;
  }

  function listDevices(url: URL, ctx: RequestContext): Response {
    const select = parseSelect(url, (name) => deviceProperties.has(name), DEVICE_TYPE);
    const top = parseTop(url, 1000, 1000, false);
    let rows = devices.table.all().sort(deviceOrder);
    const filter = option(url, 'filter');
    if (filter !== null) {
      const node = parseFilter(filter);
      checkIntuneFilter(node, (name) => deviceProperties.has(name), DEVICE_TYPE);
      rows = rows.filter((row) => matches(node, row));
    }
    const skiptoken = option(url, 'skiptoken');
    if (skiptoken !== null) {
      // Intune's device tokens name the last device of the previous page: LastDeviceName='…',LastDeviceId='…'.
      const match = /^LastDeviceName='((?:[^']|'')*)',LastDeviceId='([^']*)'$/.exec(skiptoken);
      if (!match) throw intuneError(ctx, 400, 'BadRequest', DEVICE_SERVICE, 'deviceManagement/managedDevices');
      const last = { deviceName: match[1]!.replace(/''/g, "'"), id: match[2]! };
      rows = rows.filter((row) => deviceOrder(row, last) > 0);
    }
    const page = rows.slice(0, top);
    // Intune reports @odata.count for the records of this page.
    const body: Row = { '@odata.context': metadata(ctx, 'deviceManagement/managedDevices'), '@odata.count': page.length };
    if (rows.length > top) {
      const last = page[page.length - 1]!;
      body['@odata.nextLink'] = nextLinkFor(url, `LastDeviceName='${String(last.deviceName).replace(/'/g, "''")}',LastDeviceId='${String(last.id)}'`);
    }
    body.value = page.map((row) => project(listedDevice(row), select));
    return graphJson(ctx, body);
  }

  function findDevice(ctx: RequestContext, id: string): Row {
    const row = devices.table.get(id);
    if (!row) throw intuneError(ctx, 404, 'ResourceNotFound', DEVICE_SERVICE, `deviceManagement/managedDevices('${id}')`);
    return row;
  }

  function getDevice(url: URL, ctx: RequestContext, id: string): Response {
    const select = parseSelect(url, (name) => deviceProperties.has(name), DEVICE_TYPE);
    const row = findDevice(ctx, id);
    return graphJson(ctx, { '@odata.context': metadata(ctx, 'deviceManagement/managedDevices/$entity'), ...project({ '@odata.type': `#${DEVICE_TYPE}`, ...row }, select) });
  }

  async function updateDevice(request: Request, ctx: RequestContext, id: string): Promise<Response> {
    const row = findDevice(ctx, id);
    const body = await writeBody(request);
    const patch: Row = {};
    for (const [key, value] of Object.entries(body)) {
      if (key.startsWith('@odata.')) continue;
      if (!deviceProperties.has(key)) {
        throw badRequest(`The property '${key}' does not exist on type '${DEVICE_TYPE}'. Make sure to only use property names that are defined by the type or mark the type as open type.`);
      }
      if (!DEVICE_WRITABLE.has(key)) throw intuneError(ctx, 400, 'BadRequest', DEVICE_SERVICE, `deviceManagement/managedDevices('${id}')`);
      if (key === 'managedDeviceOwnerType' && !OWNER_TYPES.includes(String(value))) {
        throw badRequest(`Cannot convert the literal '${String(value)}' to the expected type 'microsoft.graph.managedDeviceOwnerType'.`);
      }
      if (key === 'notes' && value !== null && typeof value !== 'string') throw badRequest(`Cannot convert the literal '${String(value)}' to the expected type 'Edm.String'.`);
      patch[key] = value;
    }
    const updated = devices.table.update(String(row.id), patch)!;
    return graphJson(ctx, { '@odata.type': `#${DEVICE_TYPE}`, ...updated });
  }

  function deleteDevice(ctx: RequestContext, id: string): Response {
    findDevice(ctx, id);
    devices.table.delete(id);
    return graphNoContent(ctx);
  }

  // mobile apps

  const appProperties = new Set(seedApps().flatMap((row) => Object.keys(row)));

  function listApps(url: URL, ctx: RequestContext): Response {
    const select = parseSelect(url, (name) => appProperties.has(name), APP_TYPE);
    const top = parseTop(url, 1000, 1000, false);
    let rows = apps.table.all();
    const filter = option(url, 'filter');
    if (filter !== null) {
      const node = parseFilter(filter);
      checkIntuneFilter(node, (name) => appProperties.has(name), APP_TYPE);
      rows = rows.filter((row) => matches(node, row));
    }
    const skiptoken = option(url, 'skiptoken');
    if (skiptoken !== null) {
      const id = /^LastAppId='([^']*)'$/.exec(fromBase64url(skiptoken) ?? '')?.[1];
      const after = id ? apps.position(id) : undefined;
      if (after === undefined) throw intuneError(ctx, 400, 'BadRequest', APP_SERVICE, 'deviceAppManagement/mobileApps');
      rows = rows.filter((row) => (apps.position(String(row.id)) ?? -1) > after);
    }
    const page = rows.slice(0, top);
    const body: Row = { '@odata.context': metadata(ctx, 'deviceAppManagement/mobileApps') };
    if (wantsCount(url)) body['@odata.count'] = rows.length;
    if (rows.length > top) body['@odata.nextLink'] = nextLinkFor(url, base64url(`LastAppId='${String(page[page.length - 1]!.id)}'`));
    body.value = page.map((row) => project(row, select));
    return graphJson(ctx, body);
  }

  function findApp(ctx: RequestContext, id: string): Row {
    const row = apps.table.get(id);
    if (!row) throw intuneError(ctx, 404, 'ResourceNotFound', APP_SERVICE, `deviceAppManagement/mobileApps('${id}')`);
    return row;
  }

  function getApp(url: URL, ctx: RequestContext, id: string): Response {
    const select = parseSelect(url, (name) => appProperties.has(name), APP_TYPE);
    return graphJson(ctx, { '@odata.context': metadata(ctx, 'deviceAppManagement/mobileApps/$entity'), ...project(findApp(ctx, id), select) });
  }

  function deleteApp(ctx: RequestContext, id: string): Response {
    findApp(ctx, id);
    apps.table.delete(id);
    return graphNoContent(ctx);
  }

  // organization

  const organizationProperties = new Set(Object.keys(organization));

  function listOrganization(url: URL, ctx: RequestContext): Response {
    const select = parseSelect(url, (name) => organizationProperties.has(name), 'microsoft.graph.organization');
    // One organization per tenant: the collection is never paged.
    return graphJson(ctx, {
      '@odata.context': metadata(ctx, select ? `organization(${select.join(',')})` : 'organization'),
      value: [project(clone(organization), select)],
    });
  }

  function getOrganization(url: URL, ctx: RequestContext, id: string): Response {
    const select = parseSelect(url, (name) => organizationProperties.has(name), 'microsoft.graph.organization');
    if (id.toLowerCase() !== TENANT_ID) throw notFound(id);
    return graphJson(ctx, { '@odata.context': metadata(ctx, select ? `organization(${select.join(',')})/$entity` : 'organization/$entity'), ...project(clone(organization), select) });
  }

  // routing

  const methodNotAllowed = () => new GraphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');

  async function route(request: Request, url: URL, ctx: RequestContext): Promise<Response> {
    let segments: string[];
    try {
      segments = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
    } catch {
      throw badRequest('Invalid request URL.');
    }
    const [version, ...path] = segments;
    if (version !== 'v1.0') throw badRequest(`Invalid version: ${version ?? ''}`);
    const method = request.method.toUpperCase();
    const names = path.map((s) => s.toLowerCase());
    const unknownSegment = (segment: string) => badRequest(`Resource not found for the segment '${segment}'.`);
    if (!names.length) throw unknownSegment('');

    if (names[0] === 'users') {
      if (path.length === 1) {
        if (method === 'GET') return listUsers(request, url, ctx);
        if (method === 'POST') return createUser(request, ctx);
        throw methodNotAllowed();
      }
      if (path.length === 2) {
        if (method === 'GET') return getUser(url, ctx, path[1]!);
        if (method === 'PATCH') return updateUser(request, ctx, path[1]!);
        if (method === 'DELETE') return deleteUser(ctx, path[1]!);
        throw methodNotAllowed();
      }
      throw unknownSegment(path[2]!);
    }
    if (names[0] === 'devicemanagement') {
      if (names[1] !== 'manageddevices') throw unknownSegment(path[1] ?? '');
      if (path.length === 2) {
        if (method === 'GET') return listDevices(url, ctx);
        throw methodNotAllowed();
      }
      if (path.length === 3) {
        if (method === 'GET') return getDevice(url, ctx, path[2]!);
        if (method === 'PATCH') return updateDevice(request, ctx, path[2]!);
        if (method === 'DELETE') return deleteDevice(ctx, path[2]!);
        throw methodNotAllowed();
      }
      throw unknownSegment(path[3]!);
    }
    if (names[0] === 'deviceappmanagement') {
      if (names[1] !== 'mobileapps') throw unknownSegment(path[1] ?? '');
      if (path.length === 2) {
        if (method === 'GET') return listApps(url, ctx);
        throw methodNotAllowed();
      }
      if (path.length === 3) {
        if (method === 'GET') return getApp(url, ctx, path[2]!);
        if (method === 'DELETE') return deleteApp(ctx, path[2]!);
        throw methodNotAllowed();
      }
      throw unknownSegment(path[3]!);
    }
    if (names[0] === 'organization') {
      if (path.length === 1) {
        if (method === 'GET') return listOrganization(url, ctx);
        throw methodNotAllowed();
      }
      if (path.length === 2) {
        if (method === 'GET') return getOrganization(url, ctx, path[1]!);
        throw methodNotAllowed();
      }
      throw unknownSegment(path[2]!);
    }
    throw unknownSegment(path[0]!);
  }

  async function graph(request: Request, url: URL): Promise<Response> {
    const requestId = uuid();
    const ctx: RequestContext = {
      origin: url.origin,
      requestId,
      clientRequestId: request.headers.get('client-request-id') ?? requestId,
      date: isoNow().replace(/Z$/, ''),
    };
    try {
      const denied = authenticate(request);
      if (denied) throw denied;
      return await route(request, url, ctx);
    } catch (error) {
      if (error instanceof GraphError) return graphErrorResponse(ctx, error);
      throw error;
    }
  }

  return {
    integration: 'microsoft_intune',
    origins: [GRAPH_ORIGIN, LOGIN_ORIGIN],
    context: { tenant_id: TENANT_ALIAS, client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    async handle(request: Request): Promise<Response> {
      const url = new URL(request.url);
      if (url.origin === LOGIN_ORIGIN) return tokenEndpoint(request, url);
      if (url.origin === GRAPH_ORIGIN) return graph(request, url);
      return new Response(`no such host: ${url.origin}`, { status: 404, headers: { 'content-type': 'text/plain' } });
    },
  };
}
