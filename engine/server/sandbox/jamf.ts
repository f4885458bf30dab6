/**
 * The Jamf Pro sandbox emulator: the Jamf Pro API (JSON, `/api/v1`, `/api/v2`, `/api/v3`) in
 * miniature, as `mappings/jamf.yaml` calls it.
 *
 * - Auth: `Authorization: Bearer <token>` on every call. The demo token (`sandbox-token`) and
 *   tokens issued by the emulated token endpoints are accepted; anything else gets Jamf's 401
 *   ApiError. Token endpoints: OAuth2 client credentials (`POST /api/oauth/token`, also
 *   `/api/v1/oauth/token`, form-encoded; RFC 6749 error bodies) and the user-account token
 *   (`POST /api/v1/auth/token` with HTTP Basic, `{token, expires}`), plus `keep-alive` and
 *   `invalidate-token`.
 * - Users: `/api/v1/users` list (page, page-size, sort, RSQL filter; `{totalCount, results}`),
 *   get, create (201 HrefResponse), update (PUT, the fields sent replace the stored ones), delete (204).
 * - Computers: `/api/v3/computers-inventory` (list, with `section`, paging, sort, RSQL filter)
 *   and `/api/v3/computers-inventory/{id}` (one record, `section`).
 * - Mobile devices: `/api/v2/mobile-devices/detail` (sectioned inventory records, list) and
 *   `/api/v2/mobile-devices/{id}/detail` (one device in the flat `{id, name, type, ios{...}}` shape).
 * - Errors: Jamf's ApiError `{httpStatus, errors: [{code, field, description, id}]}`.
 *
 * Web-standard only (no Node built-ins); each `createJamfEmulator()` has its own state.
 */
import { Table, bearer, clone, empty, json, readBody, type Emulator } from './emulator.js';

type Json = Record<string, unknown>;

const origin = 'https://sandbox.jamfcloud.com';

/** Demo credentials: the bearer token, the API client, and a Jamf Pro user account (Basic, for /v1/auth/token). */
const demo = {
  accessToken: 'sandbox-token',
  clientId: 'sandbox-client-id',
  clientSecret: 'sandbox-client-secret',
  username: 'sandbox-admin',
  password: 'sandbox-password',
  /** Seconds a token from a token endpoint lives. */
  tokenLifetime: 1800,
};

const sites: Record<string, string> = { '-1': 'None', '1': 'Headquarters', '2': 'Eau Claire' };

// ---------------------------------------------------------------------------------------------
// Errors

interface ErrorCause {
  code: string | null;
  field: string | null;
  description: string;
  id: string | null;
}

/** Jamf Pro API's ApiError body. */
function apiError(status: number, ...errors: ErrorCause[]): Response {
  return json({ httpStatus: status, errors }, status);
}

function unauthorized(): Response {
  const response = apiError(401, { code: 'INVALID_TOKEN', field: null, description: 'Unauthorized', id: '0' });
  response.headers.set('www-authenticate', 'Bearer');
  return response;
}

function notFound(kind: string, id: string): Response {
  return apiError(404, { code: 'INVALID_ID', field: 'id', description: `${kind} with id ${id} not found`, id });
}

function badRequest(code: string | null, field: string | null, description: string): Response {
  return apiError(400, { code, field, description, id: '0' });
}

function methodNotAllowed(allowed: string[]): Response {
  const response = apiError(405, { code: 'METHOD_NOT_ALLOWED', field: null, description: `Request method not supported; use ${allowed.join(', ')}`, id: '0' });
  response.headers.set('allow', allowed.join(', '));
  return response;
}

/** RFC 6749 §5.2 token endpoint error (Jamf's OAuthTokenEndpointErrorResponse). */
function oauthError(status: number, error: string, description: string): Response {
  return json({ error, error_description: description, error_uri: 'https://datatracker.ietf.org/doc/html/rfc6749#section-5.2' }, status, {
    'cache-control': 'no-store',
  });
}

/** A request the emulator refuses; thrown from deep helpers and turned into its response by `handle`. */
class Refusal extends Error {
  constructor(readonly response: Response) {
    super('refused');
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function getPath(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function obj(value: unknown): Json {
  return isObject(value) ? value : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

// ---------------------------------------------------------------------------------------------
// RSQL (Jamf's `filter`): `;` / ` and ` bind tighter than `,` / ` or `; `==`, `!=`, `<`, `<=`,
// `>`, `>=`, `=lt=`, `=le=`, `=gt=`, `=ge=`, `=in=`, `=out=`; "quoted" or bare values; `*` is a wildcard.

type Rsql = { kind: 'and' | 'or'; nodes: Rsql[] } | { kind: 'compare'; field: string; op: string; values: string[] };

const operators: Record<string, string> = {
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
  '=lt=': 'lt',
  '=le=': 'le',
  '=gt=': 'gt',
  '=ge=': 'ge',
  '=in=': 'in',
  '=out=': 'out',
};

function invalidFilter(description: string): Refusal {
  return new Refusal(badRequest('INVALID_RSQL_FILTER', 'filter', description));
}

function parseRsql(text: string): Rsql {
  let i = 0;
  const skipSpace = (): number => {
    const start = i;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    return i - start;
  };
  const keyword = (word: string): boolean => {
    const match = new RegExp(`^${word}\\s+`, 'i').exec(text.slice(i));
    if (!match) return false;
    i += match[0].length;
    return true;
  };
  const value = (): string => {
    skipSpace();
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      let out = '';
      i++;
      while (i < text.length && text[i] !== quote) {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        out += text[i];
        i++;
      }
      if (text[i] !== quote) throw invalidFilter(`Invalid RSQL filter: unterminated string in [${text}]`);
      i++;
      return out;
    }
    const match = /^[^\s"'();,]+/.exec(text.slice(i));
    if (!match) throw invalidFilter(`Invalid RSQL filter: a value is missing at position ${i} of [${text}]`);
    i += match[0].length;
    return match[0];
  };
  const comparison = (): Rsql => {
    skipSpace();
    if (text[i] === '(') {
      i++;
      const inner = disjunction();
      skipSpace();
      if (text[i] !== ')') throw invalidFilter(`Invalid RSQL filter: missing ")" in [${text}]`);
      i++;
      return inner;
    }
    const selector = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(text.slice(i));
    if (!selector) throw invalidFilter(`Invalid RSQL filter: a field name is expected at position ${i} of [${text}]`);
    i += selector[0].length;
    skipSpace();
    const opMatch = /^(==|!=|<=|>=|<|>|=[a-z]+=)/i.exec(text.slice(i));
    const op = opMatch ? operators[opMatch[0].toLowerCase()] : undefined;
    if (!opMatch || !op) throw invalidFilter(`Invalid RSQL filter: unknown operator after [${selector[0]}] in [${text}]`);
    i += opMatch[0].length;
    skipSpace();
    const values: string[] = [];
    if (text[i] === '(') {
      i++;
      for (;;) {
        values.push(value());
        skipSpace();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ')') {
          i++;
          break;
        }
        throw invalidFilter(`Invalid RSQL filter: missing ")" in [${text}]`);
      }
    } else values.push(value());
    if (op !== 'in' && op !== 'out' && values.length !== 1) throw invalidFilter(`Invalid RSQL filter: [${selector[0]}] takes one value`);
    return { kind: 'compare', field: selector[0], op, values };
  };
  const conjunction = (): Rsql => {
    const nodes = [comparison()];
    for (;;) {
      const save = i;
      const spaced = skipSpace() > 0;
      if (text[i] === ';') {
        i++;
        nodes.push(comparison());
      } else if (spaced && keyword('and')) nodes.push(comparison());
      else {
        i = save;
        break;
      }
    }
    return nodes.length === 1 ? nodes[0]! : { kind: 'and', nodes };
  };
  function disjunction(): Rsql {
    const nodes = [conjunction()];
    for (;;) {
      const save = i;
      const spaced = skipSpace() > 0;
      if (text[i] === ',') {
        i++;
        nodes.push(conjunction());
      } else if (spaced && keyword('or')) nodes.push(conjunction());
      else {
        i = save;
        break;
      }
    }
    return nodes.length === 1 ? nodes[0]! : { kind: 'or', nodes };
  }
  const tree = disjunction();
  skipSpace();
  if (i < text.length) throw invalidFilter(`Invalid RSQL filter: unexpected [${text.slice(i)}] in [${text}]`);
  return tree;
}

function rsqlFields(node: Rsql): string[] {
  return node.kind === 'compare' ? [node.field] : node.nodes.flatMap(rsqlFields);
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function compareScalars(a: unknown, b: unknown): number {
  const left = scalarText(a);
  const right = scalarText(b);
  const numeric = /^-?\d+(\.\d+)?$/;
  if (numeric.test(left) && numeric.test(right)) return Number(left) - Number(right);
  const dateLike = /^\d{4}-\d{2}-\d{2}/;
  if (dateLike.test(left) && dateLike.test(right)) return Date.parse(left) - Date.parse(right);
  return left.localeCompare(right, 'en', { sensitivity: 'base' });
}

function wildcardMatch(actual: unknown, pattern: string): boolean {
  const text = scalarText(actual);
  if (!pattern.includes('*')) return text.toLowerCase() === pattern.toLowerCase();
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'is').test(text);
}

function rsqlMatches(node: Rsql, read: (field: string) => unknown): boolean {
  if (node.kind !== 'compare') return node.kind === 'and' ? node.nodes.every((n) => rsqlMatches(n, read)) : node.nodes.some((n) => rsqlMatches(n, read));
  const actual = read(node.field);
  const first = node.values[0] ?? '';
  switch (node.op) {
    case 'eq':
      return wildcardMatch(actual, first);
    case 'ne':
      return !wildcardMatch(actual, first);
    case 'in':
      return node.values.some((v) => wildcardMatch(actual, v));
    case 'out':
      return !node.values.some((v) => wildcardMatch(actual, v));
    case 'lt':
      return actual !== null && actual !== undefined && compareScalars(actual, first) < 0;
    case 'le':
      return actual !== null && actual !== undefined && compareScalars(actual, first) <= 0;
    case 'gt':
      return actual !== null && actual !== undefined && compareScalars(actual, first) > 0;
    case 'ge':
      return actual !== null && actual !== undefined && compareScalars(actual, first) >= 0;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Collections: paging, sorting, filtering and sections, as the Jamf Pro API does them

interface Collection {
  /** RSQL filter field → path in the stored record. */
  filterFields: Record<string, string>;
  /** Sort field → path in the stored record. */
  sortFields: Record<string, string>;
  defaultSort: string;
}

function readSort(url: URL, collection: Collection): Array<{ path: string; desc: boolean }> {
  const raw = url.searchParams.getAll('sort').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const criteria = raw.length ? raw : [collection.defaultSort];
  return criteria.map((criterion) => {
    const [field = '', direction = 'asc', ...rest] = criterion.split(':');
    const path = collection.sortFields[field];
    if (!path) {
      throw new Refusal(
        badRequest(null, 'sort', `Cannot sort by field [${field}]. Fields that can be used in sorting results of this endpoint: [${Object.keys(collection.sortFields).join(', ')}]`),
      );
    }
    const dir = direction.toLowerCase();
    if (rest.length || (dir !== 'asc' && dir !== 'desc')) throw new Refusal(badRequest(null, 'sort', `Invalid sort criterion [${criterion}]; use property:asc or property:desc`));
    return { path, desc: dir === 'desc' };
  });
}

function readFilter(url: URL, collection: Collection): Rsql | undefined {
  const text = (url.searchParams.get('filter') ?? '').trim();
  if (!text) return undefined;
  const tree = parseRsql(text);
  for (const field of rsqlFields(tree)) {
    if (!(field in collection.filterFields)) {
      throw new Refusal(
        badRequest(null, 'filter', `Cannot filter by field [${field}]. Fields that can be used in filtering results of this endpoint: [${Object.keys(collection.filterFields).join(', ')}]`),
      );
    }
  }
  return tree;
}

function readInteger(url: URL, name: string, fallback: number, min: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim()) || Number(raw) < min) {
    throw new Refusal(badRequest('INVALID_FIELD', name, `${name} must be an integer greater than or equal to ${min}, got [${raw}]`));
  }
  return Number(raw);
}

/** `{totalCount, results}` for one page of the filtered, sorted rows. */
function searchResults(url: URL, rows: Json[], collection: Collection, present: (row: Json) => Json): Response {
  const page = readInteger(url, 'page', 0, 0);
  const pageSize = readInteger(url, 'page-size', 100, 1);
  const sort = readSort(url, collection);
  const filter = readFilter(url, collection);
  const matching = filter ? rows.filter((row) => rsqlMatches(filter, (field) => getPath(row, collection.filterFields[field]!))) : rows;
  const sorted = [...matching].sort((a, b) => {
    for (const { path, desc } of sort) {
      const order = compareScalars(getPath(a, path), getPath(b, path));
      if (order !== 0) return desc ? -order : order;
    }
    return 0;
  });
  const results = sorted.slice(page * pageSize, page * pageSize + pageSize).map(present);
  return json({ totalCount: matching.length, results });
}

/** Section name (`section=GENERAL`) → property of the record, and the empty value of a section without data. */
type Sections = Record<string, { key: string; empty: [] | null }>;

function readSections(url: URL, sections: Sections): string[] {
  const requested = url.searchParams.getAll('section').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const names = requested.length ? requested : ['GENERAL'];
  for (const name of names) {
    if (!sections[name]) {
      throw new Refusal(badRequest('INVALID_FIELD', 'section', `Invalid section [${name}]. Allowed sections: [${Object.keys(sections).join(', ')}]`));
    }
  }
  return [...new Set(names)];
}

function project(record: Json, always: string[], sections: Sections, names: string[]): Json {
  const out: Json = {};
  for (const key of always) out[key] = record[key] ?? null;
  for (const name of names) {
    const { key, empty: none } = sections[name]!;
    out[key] = record[key] === undefined ? none : clone(record[key]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Users (/api/v1/users)

type JamfUser = {
  id: string;
  username: string;
  realname: string;
  email: string;
  phone: string | null;
  position: string | null;
  enableCustomPhotoUrl: boolean;
  customPhotoUrl: string | null;
  managedAppleId: string | null;
};

const userFieldNames = ['id', 'username', 'realname', 'email', 'phone', 'position'];
const userCollection: Collection = {
  filterFields: Object.fromEntries(userFieldNames.map((f) => [f, f])),
  sortFields: Object.fromEntries(userFieldNames.map((f) => [f, f])),
  defaultSort: 'id:asc',
};

const seedUsers: JamfUser[] = [
  { id: '1', username: 'jdoe', realname: 'Jane Doe', email: 'jane.doe@example.com', phone: null, position: 'Engineer', enableCustomPhotoUrl: false, customPhotoUrl: null, managedAppleId: null },
  {
    id: '2',
    username: 'asmith',
    realname: 'Alex Smith',
    email: 'alex.smith@example.com',
    phone: '555-0101',
    position: 'Teacher',
    enableCustomPhotoUrl: true,
    customPhotoUrl: 'https://img.example.com/asmith.png',
    managedAppleId: 'asmith@appleid.example.com',
  },
  { id: '3', username: 'kchen', realname: 'Kai Chen', email: 'kai.chen@example.com', phone: '555-0102', position: 'Science Teacher', enableCustomPhotoUrl: false, customPhotoUrl: null, managedAppleId: null },
  { id: '4', username: 'mlopez', realname: 'Maria Lopez', email: 'maria.lopez@example.com', phone: null, position: 'Controller', enableCustomPhotoUrl: false, customPhotoUrl: null, managedAppleId: null },
  { id: '5', username: 'rpatel', realname: 'Ravi Patel', email: 'ravi.patel@example.com', phone: '555-0104', position: 'IT Administrator', enableCustomPhotoUrl: false, customPhotoUrl: null, managedAppleId: 'rpatel@appleid.example.com' },
];

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The writable fields of a User body, checked as the Jamf Pro API's User schema types them. */
function userWrite(body: unknown, creating: boolean): Partial<JamfUser> {
  if (!isObject(body)) throw new Refusal(badRequest('INVALID_FIELD', null, 'The request body must be a JSON User object'));
  const out: Partial<JamfUser> = {};
  const text = (field: 'username' | 'realname' | 'email', nullable: boolean) => {
    if (!(field in body)) return;
    const value = body[field];
    if (value === null && nullable) out[field] = '';
    else if (typeof value === 'string') out[field] = value;
    else throw new Refusal(badRequest('INVALID_FIELD', field, `${field} must be a string`));
  };
  const nullableText = (field: 'phone' | 'position' | 'customPhotoUrl' | 'managedAppleId') => {
    if (!(field in body)) return;
    const value = body[field];
    if (value === null || typeof value === 'string') out[field] = value;
    else throw new Refusal(badRequest('INVALID_FIELD', field, `${field} must be a string or null`));
  };
  text('username', false);
  text('realname', true);
  text('email', true);
  nullableText('phone');
  nullableText('position');
  nullableText('customPhotoUrl');
  nullableText('managedAppleId');
  if ('enableCustomPhotoUrl' in body) {
    if (typeof body.enableCustomPhotoUrl !== 'boolean') throw new Refusal(badRequest('INVALID_FIELD', 'enableCustomPhotoUrl', 'enableCustomPhotoUrl must be a boolean'));
    out.enableCustomPhotoUrl = body.enableCustomPhotoUrl;
  }
  if ((creating || out.username !== undefined) && !(out.username ?? '').trim()) {
    throw new Refusal(badRequest('INVALID_FIELD', 'username', 'username must not be blank'));
  }
  if (out.email && !emailPattern.test(out.email)) throw new Refusal(badRequest('INVALID_FIELD', 'email', `email [${out.email}] is not a valid email address`));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Computers (/api/v3/computers-inventory): ComputerInventoryV3 records with every section

const computerSections: Sections = {
  GENERAL: { key: 'general', empty: null },
  DISK_ENCRYPTION: { key: 'diskEncryption', empty: null },
  PURCHASING: { key: 'purchasing', empty: null },
  APPLICATIONS: { key: 'applications', empty: [] },
  STORAGE: { key: 'storage', empty: null },
  USER_AND_LOCATION: { key: 'userAndLocation', empty: null },
  CONFIGURATION_PROFILES: { key: 'configurationProfiles', empty: [] },
  PRINTERS: { key: 'printers', empty: [] },
  SERVICES: { key: 'services', empty: [] },
  HARDWARE: { key: 'hardware', empty: null },
  LOCAL_USER_ACCOUNTS: { key: 'localUserAccounts', empty: [] },
  CERTIFICATES: { key: 'certificates', empty: [] },
  ATTACHMENTS: { key: 'attachments', empty: [] },
  PACKAGE_RECEIPTS: { key: 'packageReceipts', empty: null },
  SECURITY: { key: 'security', empty: null },
  OPERATING_SYSTEM: { key: 'operatingSystem', empty: null },
  LICENSED_SOFTWARE: { key: 'licensedSoftware', empty: [] },
  IBEACONS: { key: 'ibeacons', empty: [] },
  SOFTWARE_UPDATES: { key: 'softwareUpdates', empty: [] },
  EXTENSION_ATTRIBUTES: { key: 'extensionAttributes', empty: [] },
  CONTENT_CACHING: { key: 'contentCaching', empty: null },
  GROUP_MEMBERSHIPS: { key: 'groupMemberships', empty: [] },
};

// Fields the v3 computer inventory documents for `filter` and `sort` (ComputersInventoryV3.yaml).
const computerFilterFields = [
  'general.name', 'udid', 'id', 'general.assetTag', 'general.barcode1', 'general.barcode2', 'general.enrolledViaAutomatedDeviceEnrollment',
  'general.lastIpAddress', 'general.itunesStoreAccountActive', 'general.jamfBinaryVersion', 'general.lastContactTime', 'general.lastEnrolledDate',
  'general.lastCloudBackupDate', 'general.reportDate', 'general.lastReportedIp', 'general.lastReportedIpV4', 'general.lastReportedIpV6',
  'general.managementId', 'general.remoteManagement.managed', 'general.mdmCapable.capable', 'general.mdmCertificateExpiration', 'general.platform',
  'general.supervised', 'general.userApprovedMdm', 'general.declarativeDeviceManagementEnabled', 'general.lastLoggedInUsernameSelfService',
  'general.lastLoggedInUsernameSelfServiceTimestamp', 'general.lastLoggedInUsernameBinary', 'general.lastLoggedInUsernameBinaryTimestamp',
  'hardware.bleCapable', 'hardware.macAddress', 'hardware.make', 'hardware.model', 'hardware.modelIdentifier', 'hardware.serialNumber',
  'hardware.supportsIosAppInstalls', 'hardware.appleSilicon', 'operatingSystem.activeDirectoryStatus', 'operatingSystem.fileVault2Status',
  'operatingSystem.build', 'operatingSystem.supplementalBuildVersion', 'operatingSystem.rapidSecurityResponse', 'operatingSystem.name',
  'operatingSystem.version', 'security.activationLockEnabled', 'security.recoveryLockEnabled', 'security.firewallEnabled', 'userAndLocation.buildingId',
  'userAndLocation.departmentId', 'userAndLocation.email', 'userAndLocation.realname', 'userAndLocation.phone', 'userAndLocation.position',
  'userAndLocation.room', 'userAndLocation.username', 'diskEncryption.fileVault2Enabled', 'purchasing.appleCareId', 'purchasing.lifeExpectancy',
  'purchasing.purchased', 'purchasing.leased', 'purchasing.vendor', 'purchasing.warrantyDate',
];
const computerSortFields = [
  'general.name', 'udid', 'id', 'general.assetTag', 'general.jamfBinaryVersion', 'general.lastContactTime', 'general.lastEnrolledDate',
  'general.lastCloudBackupDate', 'general.reportDate', 'general.mdmCertificateExpiration', 'general.platform', 'general.lastLoggedInUsernameSelfService',
  'general.lastLoggedInUsernameSelfServiceTimestamp', 'general.lastLoggedInUsernameBinary', 'general.lastLoggedInUsernameBinaryTimestamp',
  'hardware.make', 'hardware.model', 'operatingSystem.build', 'operatingSystem.supplementalBuildVersion', 'operatingSystem.rapidSecurityResponse',
  'operatingSystem.name', 'operatingSystem.version', 'userAndLocation.realname', 'purchasing.lifeExpectancy', 'purchasing.warrantyDate',
];
const computerCollection: Collection = {
  filterFields: Object.fromEntries(computerFilterFields.map((f) => [f, f])),
  sortFields: Object.fromEntries(computerSortFields.map((f) => [f, f])),
  defaultSort: 'general.name:asc',
};

function macApp(name: string, bundleId: string, version: string, shortVersion: string, sizeMegabytes: number, macAppStore = false): Json {
  return {
    name: `${name}.app`,
    path: `/Applications/${name}.app`,
    version: shortVersion,
    macAppStore,
    sizeMegabytes,
    bundleId,
    updateAvailable: false,
    externalVersionId: macAppStore ? '1450874784' : null,
    cfBundleShortVersionString: shortVersion,
    cfBundleVersion: version,
  };
}

function location(user: JamfUser | undefined, extra: { departmentId?: string; buildingId?: string; room?: string } = {}): Json {
  return {
    username: user?.username ?? '',
    realname: user?.realname ?? '',
    email: user?.email ?? '',
    position: user?.position ?? '',
    phone: user?.phone ?? '',
    departmentId: extra.departmentId ?? '-1',
    buildingId: extra.buildingId ?? '-1',
    room: extra.room ?? '',
    extensionAttributes: [],
  };
}

const [jdoe, asmith, kchen, mlopez] = seedUsers;

const seedComputers: Json[] = [
  {
    id: '1',
    udid: '9F5A4C0E-3B1D-4E7A-8C2F-1D2E3F4A5B6C',
    general: {
      name: "Jane's MacBook Pro",
      lastIpAddress: '203.0.113.17',
      lastReportedIp: '10.0.4.21',
      lastReportedIpV4: '10.0.4.21',
      lastReportedIpV6: '',
      jamfBinaryVersion: '11.10.0-t1712345678',
      platform: 'Mac',
      barcode1: null,
      barcode2: null,
      assetTag: '304822',
      remoteManagement: { managed: true },
      supervised: true,
      mdmCapable: { capable: true, userManagementInfo: [] },
      reportDate: '2024-05-02T09:15:00Z',
      lastContactTime: '2024-05-02T11:45:12Z',
      lastCloudBackupDate: null,
      lastEnrolledDate: '2023-09-12T14:03:27Z',
      mdmProfileExpiration: '2025-09-12T14:03:27Z',
      initialEntryDate: '2023-09-12',
      distributionPoint: null,
      enrollmentMethod: { id: '3', objectName: 'Automated Enrollment', objectType: 'Automated Device Enrollment' },
      site: { id: '-1', name: 'None' },
      itunesStoreAccountActive: false,
      enrolledViaAutomatedDeviceEnrollment: true,
      userApprovedMdm: true,
      declarativeDeviceManagementEnabled: true,
      extensionAttributes: [],
      managementId: '73226fb6-61df-4c10-9552-eb9bc353d507',
    },
    hardware: {
      make: 'Apple',
      model: 'MacBook Pro (14-inch, 2023)',
      modelIdentifier: 'Mac14,9',
      serialNumber: 'C02ZC2QYLVDL',
      processorType: 'Apple M2 Pro',
      processorArchitecture: 'arm64',
      macAddress: '6A:2C:4B:B7:65:B5',
      altMacAddress: '82:45:58:44:DC:01',
      totalRamMegabytes: 16384,
      bleCapable: true,
      supportsIosAppInstalls: true,
      appleSilicon: true,
      extensionAttributes: [],
    },
    operatingSystem: {
      name: 'macOS',
      version: '14.4.1',
      build: '23E224',
      supplementalBuildVersion: null,
      rapidSecurityResponse: null,
      activeDirectoryStatus: 'Not Bound',
      fileVault2Status: 'ALL_ENCRYPTED',
      softwareUpdateDeviceId: 'J414sAP',
      extensionAttributes: [],
    },
    diskEncryption: {
      fileVault2Enabled: true,
      individualRecoveryKeyValidityStatus: 'VALID',
      institutionalRecoveryKeyPresent: false,
      diskEncryptionConfigurationName: 'FileVault',
      fileVault2EnabledUserNames: ['jdoe'],
    },
    security: {
      sipStatus: 'ENABLED',
      gatekeeperStatus: 'APP_STORE_AND_IDENTIFIED_DEVELOPERS',
      xprotectVersion: '2192',
      autoLoginDisabled: true,
      remoteDesktopEnabled: false,
      activationLockEnabled: false,
      recoveryLockEnabled: false,
      firewallEnabled: true,
      secureBootLevel: 'FULL_SECURITY',
      externalBootLevel: 'NOT_SUPPORTED',
      bootstrapTokenAllowed: true,
    },
    userAndLocation: location(jdoe, { departmentId: '1', buildingId: '1', room: '4.12' }),
    purchasing: { leased: false, purchased: true, poNumber: 'PO-2023-118', poDate: '2023-08-30', vendor: 'Apple', warrantyDate: '2026-08-30', appleCareId: '', leaseDate: null, purchasePrice: '2499', lifeExpectancy: 4, purchasingAccount: '', purchasingContact: '', extensionAttributes: [] },
    applications: [
      macApp('Google Chrome', 'com.google.Chrome', '124.0.6367.119', '124.0.6367.119', 1180),
      macApp('Slack', 'com.tinyspeck.slackmacgap', '4.38.121', '4.38.121', 512, true),
      macApp('Xcode', 'com.apple.dt.Xcode', '22720', '15.3', 11960, true),
    ],
  },
  {
    id: '2',
    udid: '5D2E1A3B-7C4F-4B8E-9A1D-2C3B4D5E6F70',
    general: {
      name: 'Lab iMac 07',
      lastIpAddress: '203.0.113.44',
      lastReportedIp: '10.0.9.7',
      lastReportedIpV4: '10.0.9.7',
      lastReportedIpV6: '',
      jamfBinaryVersion: null,
      platform: 'Mac',
      assetTag: '',
      remoteManagement: { managed: false },
      supervised: false,
      mdmCapable: { capable: false, userManagementInfo: [] },
      reportDate: '2024-04-28T16:20:05Z',
      lastContactTime: null,
      lastEnrolledDate: null,
      initialEntryDate: '2021-02-01',
      site: { id: '2', name: 'Eau Claire' },
      enrolledViaAutomatedDeviceEnrollment: false,
      userApprovedMdm: false,
      declarativeDeviceManagementEnabled: false,
      extensionAttributes: [],
      managementId: '0e3f2d1c-5b6a-4c7d-8e9f-a0b1c2d3e4f5',
    },
    hardware: {
      make: 'Apple',
      model: 'iMac (24-inch, M1, 2021)',
      modelIdentifier: 'iMac21,1',
      serialNumber: 'C02F7XYZQ6X3',
      processorType: 'Apple M1',
      processorArchitecture: 'arm64',
      macAddress: '3C:22:FB:10:AA:07',
      altMacAddress: null,
      totalRamMegabytes: 8192,
      appleSilicon: true,
      extensionAttributes: [],
    },
    operatingSystem: { name: 'macOS', version: '13.6.6', build: '22G630', supplementalBuildVersion: null, rapidSecurityResponse: '(a)', activeDirectoryStatus: 'Not Bound', fileVault2Status: 'NOT_ENCRYPTED', extensionAttributes: [] },
    diskEncryption: { fileVault2Enabled: false, individualRecoveryKeyValidityStatus: 'NOT_APPLICABLE', institutionalRecoveryKeyPresent: false, fileVault2EnabledUserNames: [] },
    security: { sipStatus: 'ENABLED', gatekeeperStatus: 'APP_STORE', firewallEnabled: false, activationLockEnabled: false, recoveryLockEnabled: false },
    userAndLocation: location(undefined, { buildingId: '2', room: 'Lab 3' }),
    applications: [macApp('Safari', 'com.apple.Safari', '18618.1.15.111.8', '17.4.1', 14), macApp('GarageBand', 'com.apple.garageband10', '7013.0.1', '10.4.11', 1830, true)],
  },
  {
    id: '3',
    udid: '45436EDF-864E-4364-982A-330B01D39E65',
    general: {
      name: 'Finance MacBook Air',
      lastIpAddress: '198.51.100.23',
      lastReportedIp: '192.168.1.40',
      lastReportedIpV4: '192.168.1.40',
      lastReportedIpV6: '2001:db8:85a3::8a2e:370:7335',
      jamfBinaryVersion: '11.9.1-t1709999999',
      platform: 'Mac',
      assetTag: 'FIN-0042',
      remoteManagement: { managed: true },
      supervised: true,
      mdmCapable: { capable: true, userManagementInfo: [{ capableUser: 'mlopez', managementId: '123e4567-e89b-42d3-a456-426614174000' }] },
      reportDate: '2024-03-30T18:04:13Z',
      lastContactTime: '2024-04-01T07:59:01Z',
      lastEnrolledDate: '2024-01-08T09:30:00Z',
      initialEntryDate: '2024-01-08',
      enrollmentMethod: { id: '2', objectName: 'Finance PreStage', objectType: 'Automated Device Enrollment' },
      site: { id: '1', name: 'Headquarters' },
      enrolledViaAutomatedDeviceEnrollment: true,
      userApprovedMdm: true,
      declarativeDeviceManagementEnabled: true,
      extensionAttributes: [{ definitionId: '23', name: 'Cost Center', enabled: true, multiValue: false, values: ['CC-410'], dataType: 'STRING', options: [], inputType: 'TEXT', description: null }],
      managementId: '2c1a0f5e-0b7d-4a61-9f0e-6b5d7f8e9a10',
    },
    hardware: {
      make: 'Apple',
      model: 'MacBook Air (13-inch, M3, 2024)',
      modelIdentifier: 'Mac15,12',
      serialNumber: 'FVFXK3ABQ6L4',
      processorType: 'Apple M3',
      processorArchitecture: 'arm64',
      macAddress: 'F0:2F:4B:01:22:33',
      altMacAddress: null,
      totalRamMegabytes: 16384,
      appleSilicon: true,
      extensionAttributes: [],
    },
    operatingSystem: { name: 'macOS', version: '14.4.1', build: '23E224', supplementalBuildVersion: null, rapidSecurityResponse: null, activeDirectoryStatus: 'Not Bound', fileVault2Status: 'ALL_ENCRYPTED', extensionAttributes: [] },
    diskEncryption: { fileVault2Enabled: true, individualRecoveryKeyValidityStatus: 'VALID', institutionalRecoveryKeyPresent: true, diskEncryptionConfigurationName: 'FileVault', fileVault2EnabledUserNames: ['mlopez'] },
    security: { sipStatus: 'ENABLED', gatekeeperStatus: 'APP_STORE', firewallEnabled: false, activationLockEnabled: false, recoveryLockEnabled: true },
    userAndLocation: location(mlopez, { departmentId: '4', buildingId: '1', room: '2.07' }),
    applications: [
      macApp('Microsoft Word', 'com.microsoft.Word', '16.84.24041420', '16.84', 2210),
      macApp('Microsoft Excel', 'com.microsoft.Excel', '16.84.24041420', '16.84', 2050),
      macApp('Safari', 'com.apple.Safari', '18618.1.15.111.8', '17.4.1', 14),
    ],
  },
  {
    id: '4',
    udid: '1B2C3D4E-5F60-4718-9A0B-C1D2E3F4A5B6',
    general: {
      name: 'Build Server',
      lastIpAddress: '203.0.113.90',
      lastReportedIp: '10.0.1.5',
      lastReportedIpV4: '10.0.1.5',
      lastReportedIpV6: '',
      jamfBinaryVersion: '11.10.0-t1712345678',
      platform: 'Mac',
      assetTag: 'IT-0091',
      remoteManagement: { managed: true },
      supervised: false,
      mdmCapable: { capable: true, userManagementInfo: [] },
      reportDate: '2024-05-01T22:00:00.000Z',
      lastContactTime: '2024-05-02T06:30:00.000Z',
      lastEnrolledDate: '2022-01-10T08:00:00Z',
      initialEntryDate: '2022-01-10',
      enrollmentMethod: { id: '1', objectName: 'User-initiated enrollment', objectType: 'User-initiated - no invitation' },
      site: { id: '1', name: 'Headquarters' },
      enrolledViaAutomatedDeviceEnrollment: false,
      userApprovedMdm: true,
      declarativeDeviceManagementEnabled: false,
      extensionAttributes: [],
      managementId: '5f0d7a36-1c2b-4f3e-9a8d-7c6b5a4f3e2d',
    },
    hardware: { make: 'Apple', model: 'Mac mini (2023)', modelIdentifier: 'Mac14,3', serialNumber: 'H2WDX1ABQ6NY', macAddress: 'A0:78:17:6E:11:02', altMacAddress: null, appleSilicon: true, extensionAttributes: [] },
    operatingSystem: { name: 'macOS', version: '14.4.1', build: '23E224', supplementalBuildVersion: null, rapidSecurityResponse: null, fileVault2Status: 'BOOT_ENCRYPTED', extensionAttributes: [] },
    diskEncryption: { fileVault2Enabled: true, individualRecoveryKeyValidityStatus: 'VALID', institutionalRecoveryKeyPresent: true },
    security: { sipStatus: 'ENABLED', gatekeeperStatus: 'APP_STORE_AND_IDENTIFIED_DEVELOPERS', firewallEnabled: true, activationLockEnabled: false, recoveryLockEnabled: false },
    userAndLocation: location(undefined, { buildingId: '1', room: 'Server room' }),
    applications: [macApp('Xcode', 'com.apple.dt.Xcode', '22720', '15.3', 11960, true), macApp('Docker', 'com.docker.docker', '143150', '4.29.0', 1740)],
  },
];

// ---------------------------------------------------------------------------------------------
// Mobile devices (/api/v2/mobile-devices/detail and /api/v2/mobile-devices/{id}/detail)

/** A mobile device as stored: its inventory record (every section) and the details only the `{id}/detail` shape carries. */
type MobileRecord = {
  id: string;
  inventory: Json;
  details: { initialEntryTimestamp: string; enrollmentMethod: string; groups: Json[] };
};

const mobileSections: Sections = {
  GENERAL: { key: 'general', empty: null },
  HARDWARE: { key: 'hardware', empty: null },
  USER_AND_LOCATION: { key: 'userAndLocation', empty: null },
  PURCHASING: { key: 'purchasing', empty: null },
  SECURITY: { key: 'security', empty: null },
  APPLICATIONS: { key: 'applications', empty: [] },
  EBOOKS: { key: 'ebooks', empty: [] },
  NETWORK: { key: 'network', empty: null },
  SERVICE_SUBSCRIPTIONS: { key: 'serviceSubscriptions', empty: [] },
  CERTIFICATES: { key: 'certificates', empty: [] },
  PROFILES: { key: 'profiles', empty: [] },
  USER_PROFILES: { key: 'userProfiles', empty: [] },
  EXTENSION_ATTRIBUTES: { key: 'extensionAttributes', empty: [] },
};

// The inventory's filter and sort names are flat (`displayName`, `serialNumber`); each reads a section field.
const mobileFieldPaths: Record<string, string> = {
  mobileDeviceId: 'mobileDeviceId',
  deviceType: 'deviceType',
  udid: 'general.udid',
  displayName: 'general.displayName',
  assetTag: 'general.assetTag',
  siteId: 'general.siteId',
  lastInventoryUpdateDate: 'general.lastInventoryUpdateDate',
  osVersion: 'general.osVersion',
  osBuild: 'general.osBuild',
  osRapidSecurityResponse: 'general.osRapidSecurityResponse',
  osSupplementalBuildVersion: 'general.osSupplementalBuildVersion',
  softwareUpdateDeviceId: 'general.softwareUpdateDeviceId',
  ipAddress: 'general.ipAddress',
  managed: 'general.managed',
  supervised: 'general.supervised',
  lastEnrolledDate: 'general.lastEnrolledDate',
  timeZone: 'general.timeZone',
  managementId: 'general.managementId',
  declarativeDeviceManagementEnabled: 'general.declarativeDeviceManagementEnabled',
  serialNumber: 'hardware.serialNumber',
  wifiMacAddress: 'hardware.wifiMacAddress',
  bluetoothMacAddress: 'hardware.bluetoothMacAddress',
  model: 'hardware.model',
  modelIdentifier: 'hardware.modelIdentifier',
  modelNumber: 'hardware.modelNumber',
  capacityMb: 'hardware.capacityMb',
  batteryLevel: 'hardware.batteryLevel',
  deviceId: 'hardware.deviceId',
  username: 'userAndLocation.username',
  realName: 'userAndLocation.realName',
  emailAddress: 'userAndLocation.emailAddress',
  position: 'userAndLocation.position',
  userPhoneNumber: 'userAndLocation.phoneNumber',
  departmentId: 'userAndLocation.departmentId',
  buildingId: 'userAndLocation.buildingId',
  room: 'userAndLocation.room',
  building: 'userAndLocation.building',
  department: 'userAndLocation.department',
  dataProtected: 'security.dataProtected',
  passcodePresent: 'security.passcodePresent',
  passcodeCompliant: 'security.passcodeCompliant',
  activationLockEnabled: 'security.activationLockEnabled',
  jailBreakDetected: 'security.jailBreakDetected',
  lostModeEnabled: 'security.lostModeEnabled',
};
// The inventory record as stored nests the row under `inventory`.
const mobileCollection: Collection = {
  filterFields: Object.fromEntries(Object.entries(mobileFieldPaths).map(([f, p]) => [f, `inventory.${p}`])),
  sortFields: Object.fromEntries(Object.entries(mobileFieldPaths).map(([f, p]) => [f, `inventory.${p}`])),
  defaultSort: 'displayName:asc',
};

function iosApp(name: string, identifier: string, version: string, shortVersion: string, managed: boolean, bundleSize: string): Json {
  return { identifier, name, version, shortVersion, managementStatus: managed ? 'Managed' : 'Unmanaged', validationStatus: true, bundleSize, dynamicSize: '1423' };
}

function mobileLocation(user: JamfUser | undefined, extra: { building?: string; department?: string; room?: string } = {}): Json {
  return {
    username: user?.username ?? '',
    realName: user?.realname ?? '',
    emailAddress: user?.email ?? '',
    position: user?.position ?? '',
    phoneNumber: user?.phone ?? '',
    departmentId: extra.department ? '1' : '-1',
    buildingId: extra.building ? '1' : '-1',
    room: extra.room ?? '',
    building: extra.building ?? '',
    department: extra.department ?? '',
    extensionAttributes: [],
  };
}

const seedMobileDevices: MobileRecord[] = [
  {
    id: '1',
    inventory: {
      mobileDeviceId: '1',
      deviceType: 'iOS',
      general: {
        udid: '0dad565fb40b010a9e490440188063a378721069',
        displayName: "Kai's iPad",
        assetTag: '8675309',
        siteId: '2',
        lastInventoryUpdateDate: '2024-05-02T07:48:56.307Z',
        osVersion: '17.4',
        osRapidSecurityResponse: null,
        osBuild: '21E219',
        osSupplementalBuildVersion: null,
        softwareUpdateDeviceId: 'J171AP',
        ipAddress: '10.0.20.14',
        managed: true,
        supervised: true,
        deviceOwnershipType: 'Institutional',
        enrollmentMethodPrestage: { mobileDevicePrestageId: '5', profileName: 'All Mobiles' },
        enrollmentSessionTokenValid: false,
        lastEnrolledDate: '2023-08-21T10:02:11.120Z',
        mdmProfileExpirationDate: '2025-08-21T10:02:11.120Z',
        timeZone: 'America/Chicago',
        declarativeDeviceManagementEnabled: true,
        managementId: '9932fad3-29e9-4b71-bc7c-77dcefce819d',
        extensionAttributes: [],
        sharedIpad: false,
      },
      hardware: {
        capacityMb: 61035,
        availableSpaceMb: 41004,
        usedSpacePercentage: 33,
        batteryLevel: 84,
        batteryHealth: 'NORMAL',
        serialNumber: 'DMQVGC0DHLA0',
        wifiMacAddress: 'C4:84:66:92:78:00',
        bluetoothMacAddress: 'C4:84:66:92:78:01',
        modemFirmwareVersion: null,
        model: 'iPad 9th Generation (Wi-Fi)',
        modelIdentifier: 'iPad12,1',
        modelNumber: 'MK2K3LL',
        bluetoothLowEnergyCapable: true,
        deviceId: 'c6a49c6d-8c09-4d71-a37d-2f6a9dfbb69b',
        extensionAttributes: [],
      },
      userAndLocation: mobileLocation(kchen, { building: 'Main', department: 'Science', room: '12' }),
      security: {
        dataProtected: true,
        blockLevelEncryptionCapable: true,
        fileLevelEncryptionCapable: true,
        passcodePresent: true,
        passcodeCompliant: true,
        passcodeCompliantWithProfile: true,
        hardwareEncryption: 3,
        activationLockEnabled: false,
        jailBreakDetected: false,
        lostModeEnabled: false,
      },
      applications: [
        iosApp('Keynote', 'com.apple.Keynote', '7315.0.108', '14.0', true, '786432'),
        iosApp('Google Classroom', 'com.google.Classroom', '8.0.1', '8.0.1', true, '262144'),
        iosApp('AirPort Utility', 'com.apple.airport.mobileairportutility', '135.24', '7.0', false, '1024'),
      ],
    },
    details: { initialEntryTimestamp: '2023-08-21T10:01:40.552Z', enrollmentMethod: 'Prestage enrollment: All Mobiles', groups: [{ groupId: '1', groupName: 'Classroom iPads', groupDescription: 'Shared science iPads', smart: false }] },
  },
  {
    id: '2',
    inventory: {
      mobileDeviceId: '2',
      deviceType: 'iOS',
      general: {
        udid: '8f1e9d3c2b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e',
        displayName: "Alex's iPhone",
        assetTag: '',
        siteId: '-1',
        lastInventoryUpdateDate: '2024-05-01T19:02:00Z',
        osVersion: '17.4',
        osRapidSecurityResponse: null,
        osBuild: '21E219',
        osSupplementalBuildVersion: null,
        softwareUpdateDeviceId: 'D83AP',
        ipAddress: '10.0.20.51',
        managed: true,
        supervised: false,
        deviceOwnershipType: 'AccountDrivenUserEnrollment',
        enrollmentSessionTokenValid: true,
        lastEnrolledDate: '2024-02-14T12:00:00Z',
        mdmProfileExpirationDate: '2026-02-14T12:00:00Z',
        timeZone: 'America/Chicago',
        declarativeDeviceManagementEnabled: true,
        managementId: '4b0c8d2e-6f1a-4e3b-9c5d-7a8b9c0d1e2f',
        extensionAttributes: [],
      },
      hardware: {
        capacityMb: 122070,
        availableSpaceMb: 80210,
        usedSpacePercentage: 34,
        batteryLevel: 71,
        batteryHealth: 'NORMAL',
        serialNumber: 'F17XK2ABCDEF',
        wifiMacAddress: '3C:06:30:AA:10:15',
        bluetoothMacAddress: '3C:06:30:AA:10:16',
        model: 'iPhone 15',
        modelIdentifier: 'iPhone15,4',
        modelNumber: 'MTLX3LL',
        extensionAttributes: [],
      },
      userAndLocation: mobileLocation(asmith, { building: 'Main', department: 'Mathematics', room: '21' }),
      security: { dataProtected: true, blockLevelEncryptionCapable: true, fileLevelEncryptionCapable: true, passcodePresent: true, passcodeCompliant: true, activationLockEnabled: true, jailBreakDetected: false, lostModeEnabled: false },
      applications: [iosApp('Microsoft Outlook', 'com.microsoft.Office.Outlook', '4.2415.0', '4.2415.0', true, '524288'), iosApp('Slack', 'com.tinyspeck.chatlyio', '24.04.10', '24.04.10', true, '393216')],
    },
    details: { initialEntryTimestamp: '2024-02-14T11:58:12.004Z', enrollmentMethod: 'Account-driven User Enrollment', groups: [] },
  },
  {
    id: '3',
    inventory: {
      mobileDeviceId: '3',
      deviceType: 'iOS',
      general: {
        udid: '2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d',
        displayName: "Jane's iPhone",
        assetTag: 'MOB-0017',
        siteId: '1',
        lastInventoryUpdateDate: '2024-04-15T16:39:56Z',
        osVersion: '17.4.1',
        osRapidSecurityResponse: null,
        osBuild: '21E236',
        osSupplementalBuildVersion: null,
        softwareUpdateDeviceId: 'D73AP',
        ipAddress: '10.0.4.77',
        managed: true,
        supervised: true,
        deviceOwnershipType: 'Institutional',
        enrollmentSessionTokenValid: false,
        lastEnrolledDate: '2023-10-15T16:39:56.307Z',
        mdmProfileExpirationDate: '2025-10-15T16:39:56.307Z',
        timeZone: 'Europe/Warsaw',
        declarativeDeviceManagementEnabled: true,
        managementId: '73226fb6-61df-4c10-9552-eb9bc353d508',
        extensionAttributes: [],
      },
      hardware: {
        capacityMb: 244140,
        availableSpaceMb: 190200,
        usedSpacePercentage: 22,
        batteryLevel: 100,
        batteryHealth: 'NORMAL',
        serialNumber: 'G6TXQ2ABN7PQ',
        wifiMacAddress: 'EE:00:7C:F0:E5:FF',
        bluetoothMacAddress: 'EE:00:7C:F0:E5:AA',
        model: 'iPhone 14 Pro',
        modelIdentifier: 'iPhone15,2',
        modelNumber: 'MQ0D3LL',
        extensionAttributes: [],
      },
      userAndLocation: mobileLocation(jdoe, { building: 'Headquarters', department: 'Engineering', room: '4.12' }),
      security: { dataProtected: false, blockLevelEncryptionCapable: true, fileLevelEncryptionCapable: true, passcodePresent: false, passcodeCompliant: true, activationLockEnabled: false, jailBreakDetected: false, lostModeEnabled: false },
      applications: [iosApp('Jamf Self Service', 'com.jamfsoftware.selfservice', '11.4.0', '11.4.0', true, '131072'), iosApp('Authenticator', 'com.microsoft.azureauthenticator', '6.8.7', '6.8.7', true, '327680')],
    },
    details: { initialEntryTimestamp: '2022-10-15T16:39:56.307Z', enrollmentMethod: 'User-initiated - no invitation', groups: [{ groupId: '2', groupName: 'Staff iPhones', groupDescription: 'Corporate-owned phones', smart: true }] },
  },
  {
    id: '4',
    inventory: {
      mobileDeviceId: '4',
      deviceType: 'tvOS',
      general: {
        udid: '00008110-001A2B3C4D5E6F70',
        displayName: 'Lobby Apple TV',
        assetTag: 'AV-0003',
        siteId: '1',
        lastInventoryUpdateDate: '2024-04-30T08:00:00Z',
        osVersion: '17.4',
        osRapidSecurityResponse: null,
        osBuild: '21L227',
        osSupplementalBuildVersion: null,
        softwareUpdateDeviceId: 'J305AP',
        ipAddress: '10.0.1.40',
        managed: true,
        supervised: true,
        deviceOwnershipType: 'Institutional',
        enrollmentSessionTokenValid: false,
        lastEnrolledDate: '2023-03-02T15:20:00Z',
        mdmProfileExpirationDate: '2025-03-02T15:20:00Z',
        timeZone: 'America/Chicago',
        declarativeDeviceManagementEnabled: false,
        managementId: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
        extensionAttributes: [],
      },
      hardware: { capacityMb: 61035, availableSpaceMb: 52000, usedSpacePercentage: 15, serialNumber: 'DY3XJ1ABQ0F5', wifiMacAddress: 'A8:51:AB:12:34:56', bluetoothMacAddress: 'A8:51:AB:12:34:57', model: 'Apple TV 4K (3rd generation)', modelIdentifier: 'AppleTV14,1', modelNumber: 'MN893LL', extensionAttributes: [] },
      userAndLocation: mobileLocation(undefined, { building: 'Headquarters', room: 'Lobby' }),
      security: { dataProtected: false, passcodePresent: false, passcodeCompliant: true, activationLockEnabled: false, jailBreakDetected: false, lostModeEnabled: false },
      applications: [iosApp('YouTube', 'com.google.ios.youtube', '19.16.3', '19.16.3', true, '204800')],
    },
    details: { initialEntryTimestamp: '2023-03-02T15:18:31.000Z', enrollmentMethod: 'Prestage enrollment: Apple TVs', groups: [] },
  },
];

const ownershipLevels: Record<string, string> = {
  institutional: 'institutional',
  accountdrivendeviceenrollment: 'institutional',
  userenrollment: 'personal',
  accountdrivenuserenrollment: 'personal',
};

/** `/v2/mobile-devices/{id}/detail` (MobileDeviceDetailsGetV2): flat general fields, `location`, and `ios` / `tvos` / `watchos` by `type`. */
function mobileDetail(record: MobileRecord): Json {
  const inv = record.inventory;
  const g = obj(inv.general);
  const hw = obj(inv.hardware);
  const ul = obj(inv.userAndLocation);
  const sec = obj(inv.security);
  const type = String(inv.deviceType ?? 'unknown').toLowerCase();
  const siteId = String(g.siteId ?? '-1');
  const specific: Json = {
    model: hw.model ?? null,
    modelIdentifier: hw.modelIdentifier ?? null,
    modelNumber: hw.modelNumber ?? null,
    supervised: g.supervised ?? false,
    batteryLevel: hw.batteryLevel ?? null,
    batteryHealth: hw.batteryHealth ?? 'UNKNOWN',
    capacityMb: hw.capacityMb ?? null,
    availableMb: hw.availableSpaceMb ?? null,
    percentageUsed: hw.usedSpacePercentage ?? null,
    shared: g.sharedIpad ?? false,
    security: {
      dataProtected: sec.dataProtected ?? false,
      blockLevelEncryptionCapable: sec.blockLevelEncryptionCapable ?? false,
      fileLevelEncryptionCapable: sec.fileLevelEncryptionCapable ?? false,
      passcodePresent: sec.passcodePresent ?? false,
      passcodeCompliant: sec.passcodeCompliant ?? false,
      activationLockEnabled: sec.activationLockEnabled ?? false,
      jailBreakDetected: sec.jailBreakDetected ?? false,
    },
    applications: list(inv.applications).map((a) => ({ identifier: a.identifier, name: a.name, version: a.version, shortVersion: a.shortVersion })),
  };
  return {
    id: record.id,
    name: g.displayName ?? '',
    enforceName: false,
    assetTag: g.assetTag ?? '',
    lastInventoryUpdateTimestamp: g.lastInventoryUpdateDate ?? null,
    osVersion: g.osVersion ?? null,
    osBuild: g.osBuild ?? null,
    osSupplementalBuildVersion: g.osSupplementalBuildVersion ?? null,
    osRapidSecurityResponse: g.osRapidSecurityResponse ?? null,
    softwareUpdateDeviceId: g.softwareUpdateDeviceId ?? null,
    serialNumber: hw.serialNumber ?? null,
    udid: g.udid ?? null,
    ipAddress: g.ipAddress ?? null,
    wifiMacAddress: hw.wifiMacAddress ?? null,
    bluetoothMacAddress: hw.bluetoothMacAddress ?? null,
    managed: g.managed ?? false,
    timeZone: g.timeZone ?? null,
    initialEntryTimestamp: record.details.initialEntryTimestamp,
    lastEnrollmentTimestamp: g.lastEnrolledDate ?? null,
    mdmProfileExpirationTimestamp: g.mdmProfileExpirationDate ?? null,
    deviceOwnershipLevel: ownershipLevels[String(g.deviceOwnershipType ?? '').toLowerCase()] ?? 'unknown',
    enrollmentMethod: record.details.enrollmentMethod,
    enrollmentSessionTokenValid: g.enrollmentSessionTokenValid ?? false,
    declarativeDeviceManagementEnabled: g.declarativeDeviceManagementEnabled ?? false,
    site: { id: siteId, name: sites[siteId] ?? 'None' },
    extensionAttributes: list(g.extensionAttributes),
    location: {
      username: ul.username ?? '',
      realName: ul.realName ?? '',
      emailAddress: ul.emailAddress ?? '',
      position: ul.position ?? '',
      phoneNumber: ul.phoneNumber ?? '',
      departmentId: ul.departmentId ?? '-1',
      buildingId: ul.buildingId ?? '-1',
      room: ul.room ?? '',
    },
    type,
    [type]: specific,
    managementId: g.managementId ?? null,
    groups: clone(record.details.groups),
  };
}

// ---------------------------------------------------------------------------------------------
// The emulator

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function basicCredentials(request: Request): { user: string; password: string } | undefined {
  const match = /^Basic\s+(.+)$/i.exec(request.headers.get('authorization') ?? '');
  if (!match) return undefined;
  let decoded: string;
  try {
    decoded = atob(match[1]!.trim());
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decodeSegment(decoded.slice(0, colon)), password: decodeSegment(decoded.slice(colon + 1)) };
}

/** A fresh Jamf Pro emulator: its own users, computers, mobile devices and issued tokens. */
export function createJamfEmulator(): Emulator {
  const users = new Table<JamfUser>(seedUsers, 'id', 6);
  const computers = new Table<Json>(seedComputers, 'id');
  const mobileDevices = new Table<MobileRecord>(seedMobileDevices, 'id');
  /** Issued token → expiry (epoch ms). The demo token never expires. */
  const tokens = new Map<string, number>();
  let issued = 0;

  function issueToken(prefix: string): { token: string; expiresAt: number } {
    issued += 1;
    const token = `${prefix}-${issued}-${crypto.randomUUID()}`;
    const expiresAt = Date.now() + demo.tokenLifetime * 1000;
    tokens.set(token, expiresAt);
    return { token, expiresAt };
  }

  function validToken(request: Request): string | undefined {
    const token = bearer(request)?.trim();
    if (!token) return undefined;
    if (token === demo.accessToken) return token;
    const expiresAt = tokens.get(token);
    if (expiresAt === undefined) return undefined;
    if (expiresAt <= Date.now()) {
      tokens.delete(token);
      return undefined;
    }
    return token;
  }

  async function oauthToken(request: Request): Promise<Response> {
    const body = await readBody(request);
    const form: Record<string, string> = {};
    if (isObject(body)) for (const [k, v] of Object.entries(body)) if (typeof v === 'string') form[k] = v;
    const basic = basicCredentials(request);
    const clientId = form.client_id ?? basic?.user;
    const clientSecret = form.client_secret ?? basic?.password;
    if (!form.grant_type) return oauthError(400, 'invalid_request', 'OAuth 2.0 Parameter: grant_type');
    if (form.grant_type !== 'client_credentials') return oauthError(400, 'unsupported_grant_type', `OAuth 2.0 Parameter: grant_type (${form.grant_type} is not supported; use client_credentials)`);
    if (!clientId || !clientSecret) return oauthError(400, 'invalid_request', `OAuth 2.0 Parameter: ${clientId ? 'client_secret' : 'client_id'}`);
    if (clientId !== demo.clientId || clientSecret !== demo.clientSecret) return oauthError(401, 'invalid_client', 'Client authentication failed');
    if (form.scope && form.scope.split(/\s+/).some((s) => s && s !== 'api-role:1')) return oauthError(400, 'invalid_scope', `OAuth 2.0 Parameter: scope (${form.scope})`);
    const { token } = issueToken('sandbox-oauth');
    return json({ access_token: token, scope: 'api-role:1', token_type: 'Bearer', expires_in: demo.tokenLifetime }, 200, { 'cache-control': 'no-store' });
  }

  function authToken(request: Request): Response {
    const credentials = basicCredentials(request);
    if (!credentials || credentials.user !== demo.username || credentials.password !== demo.password) {
      return apiError(401, { code: 'INVALID_CREDENTIALS', field: null, description: 'Unauthorized', id: '0' });
    }
    const { token, expiresAt } = issueToken('sandbox-session');
    return json({ token, expires: new Date(expiresAt).toISOString() });
  }

  // --- users

  function findUser(id: string): JamfUser | undefined {
    return users.get(id);
  }

  function assertUniqueUsername(username: string | undefined, except?: string): void {
    if (username === undefined) return;
    const clash = users.find((u) => u.id !== except && u.username.toLowerCase() === username.toLowerCase());
    if (clash) throw new Refusal(apiError(400, { code: 'DUPLICATE_FIELD', field: 'username', description: `A user with username [${username}] already exists`, id: clash.id }));
  }

  async function usersCollection(request: Request, url: URL): Promise<Response> {
    if (request.method === 'GET') return searchResults(url, users.all(), userCollection, (row) => row);
    if (request.method === 'POST') {
      const fields = userWrite(await readBody(request), true);
      assertUniqueUsername(fields.username);
      const created = users.insert((n) => ({
        id: String(n),
        username: fields.username!,
        realname: fields.realname ?? '',
        email: fields.email ?? '',
        phone: fields.phone ?? null,
        position: fields.position ?? null,
        enableCustomPhotoUrl: fields.enableCustomPhotoUrl ?? false,
        customPhotoUrl: fields.customPhotoUrl ?? null,
        managedAppleId: fields.managedAppleId ?? null,
      }));
      return json({ id: created.id, href: `${url.origin}/api/v1/users/${created.id}` }, 201);
    }
    return methodNotAllowed(['GET', 'POST']);
  }

  async function userItem(request: Request, id: string): Promise<Response> {
    if (!['GET', 'PUT', 'DELETE'].includes(request.method)) return methodNotAllowed(['GET', 'PUT', 'DELETE']);
    const user = findUser(id);
    if (!user) return notFound('User', id);
    if (request.method === 'GET') return json(user);
    if (request.method === 'DELETE') {
      users.delete(id);
      return empty(204);
    }
    const fields = userWrite(await readBody(request), false);
    assertUniqueUsername(fields.username, id);
    return json(users.update(id, fields));
  }

  // --- computers

  function computersCollection(request: Request, url: URL): Response {
    if (request.method !== 'GET') return methodNotAllowed(['GET']);
    const sections = readSections(url, computerSections);
    return searchResults(url, computers.all(), computerCollection, (row) => project(row, ['id', 'udid'], computerSections, sections));
  }

  function computerItem(request: Request, url: URL, id: string): Response {
    if (request.method !== 'GET') return methodNotAllowed(['GET']);
    const sections = readSections(url, computerSections);
    const computer = computers.get(id);
    if (!computer) return notFound('Computer', id);
    return json(project(computer, ['id', 'udid'], computerSections, sections));
  }

  // --- mobile devices

  function mobileInventory(request: Request, url: URL): Response {
    if (request.method !== 'GET') return methodNotAllowed(['GET']);
    const sections = readSections(url, mobileSections);
    return searchResults(url, mobileDevices.all(), mobileCollection, (row) => project(obj(row.inventory), ['mobileDeviceId', 'deviceType'], mobileSections, sections));
  }

  function mobileItemDetail(request: Request, id: string): Response {
    if (request.method !== 'GET') return methodNotAllowed(['GET']);
    const device = mobileDevices.get(id);
    if (!device) return notFound('Mobile device', id);
    return json(mobileDetail(device));
  }

  async function route(request: Request, url: URL): Promise<Response> {
    const path = url.pathname.replace(/\/+$/, '');
    const method = request.method.toUpperCase();

    // Token endpoints authenticate with their own credentials.
    if (path === '/api/oauth/token' || path === '/api/v1/oauth/token') return method === 'POST' ? oauthToken(request) : methodNotAllowed(['POST']);
    if (path === '/api/v1/auth/token') return method === 'POST' ? authToken(request) : methodNotAllowed(['POST']);

    const token = validToken(request);
    if (!token) return unauthorized();

    if (path === '/api/v1/auth/keep-alive') {
      if (method !== 'POST') return methodNotAllowed(['POST']);
      if (token !== demo.accessToken) tokens.delete(token);
      const fresh = issueToken('sandbox-session');
      return json({ token: fresh.token, expires: new Date(fresh.expiresAt).toISOString() });
    }
    if (path === '/api/v1/auth/invalidate-token') {
      if (method !== 'POST') return methodNotAllowed(['POST']);
      // The demo token stands for a long-lived credential: it stays valid so the sandbox keeps working.
      if (token !== demo.accessToken) tokens.delete(token);
      return empty(204);
    }

    const segments = path.split('/').slice(1).map(decodeSegment);
    const [api, version, resource, id, tail, ...more] = segments;
    if (api === 'api' && more.length === 0) {
      if (version === 'v1' && resource === 'users') {
        if (id === undefined) return usersCollection(request, url);
        if (tail === undefined) return userItem(request, id);
      }
      if (version === 'v3' && resource === 'computers-inventory') {
        if (id === undefined) return computersCollection(request, url);
        if (tail === undefined) return computerItem(request, url, id);
      }
      if (version === 'v2' && resource === 'mobile-devices') {
        if (id === 'detail' && tail === undefined) return mobileInventory(request, url);
        if (id !== undefined && tail === 'detail') return mobileItemDetail(request, id);
      }
    }
    return apiError(404, { code: 'NOT_FOUND', field: null, description: `No endpoint ${method} ${path || '/'}`, id: '0' });
  }

  return {
    integration: 'jamf',
    origins: [origin],
    context: {
      instance_host: new URL(origin).host,
      access_token: demo.accessToken,
      // Not used by the definition's bearer auth: the demo API client (POST /api/oauth/token) and
      // user account (POST /api/v1/auth/token, Basic) that mint further tokens.
      client_id: demo.clientId,
      client_secret: demo.clientSecret,
      username: demo.username,
      password: demo.password,
    },
    async handle(request: Request): Promise<Response> {
      try {
        return await route(request, new URL(request.url));
      } catch (error) {
        if (error instanceof Refusal) return error.response;
        throw error;
      }
    },
  };
}
