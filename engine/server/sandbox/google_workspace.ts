/**
 * The Google Workspace sandbox emulator: the Admin SDK Directory API v1 in miniature
 * (https://developers.google.com/admin-sdk/directory/reference/rest), as
 * `mappings/google_workspace.yaml` calls it.
 *
 * - Users: `GET/POST /users` (`customer=my_customer` or `domain=`; `query` search with
 *   `email=`, `email:`, `givenName`, `familyName`, `name`, `isAdmin`, `isSuspended`,
 *   `orgUnitPath=`; `orderBy`/`sortOrder`; `showDeleted`), `GET/PUT/PATCH/DELETE /users/{userKey}`
 *   (the key is the id, the primary address or an alias; PUT has patch semantics).
 * - ChromeOS devices: `GET /customer/{customerId}/devices/chromeos[/{deviceId}]` with
 *   `projection` (BASIC, FULL), `query` (`id:` partial serial, `asset_id:`, `status:`, `user:`,
 *   `location:`, `note:`, `wifi_mac:`, `ethernet_mac:`, free text), `orgUnitPath` (a path or an
 *   `id:` unit id), `includeChildOrgunits`, `orderBy`/`sortOrder`.
 * - Organizational units: `GET/POST /customer/{customerId}/orgunits` (`type` children, all,
 *   allIncludingParent; `orgUnitPath`; never paged) and `GET/PUT/PATCH
 *   /customer/{customerId}/orgunits/{orgUnitPath or id:…}`. Renaming or moving a unit moves the
 *   paths below it, and the users and devices in them.
 * - Lists page with `maxResults` and `pageToken` in, `nextPageToken` out (users 1 to 500,
 *   devices 1 to 300, default 100); an empty page leaves the array out, as Google does.
 * - Auth: `Authorization: Bearer sandbox-token`; anything else is Google's 401 (`required` or
 *   `authError`). Errors are `{"error": {"code", "message", "errors": [{"message", "domain",
 *   "reason"}]}}`; an unknown URL is Google's HTML 404 page.
 */
import { bearer, clone, empty, json, readBody, Table, type Emulator } from './emulator.js';

const ORIGIN = 'https://admin.googleapis.com';
const BASE_PATH = '/admin/directory/v1';
const ACCESS_TOKEN = 'sandbox-token';
const CUSTOMER_ID = 'C03az79cb';
const DOMAINS = ['example.com'];
const ROOT_ID = 'id:03ph8a2z0root01';

type Json = Record<string, unknown>;

interface UserName {
  givenName?: string;
  familyName?: string;
  fullName?: string;
}

interface UserEmail {
  address?: string;
  type?: string;
  customType?: string;
  primary?: boolean;
}

interface User extends Json {
  kind: string;
  id: string;
  etag: string;
  primaryEmail: string;
  name: UserName;
  emails?: UserEmail[];
  aliases?: string[];
  orgUnitPath: string;
  suspended?: boolean;
  archived?: boolean;
  creationTime: string;
}

interface OrgUnit extends Json {
  kind: string;
  etag: string;
  name: string;
  description?: string;
  orgUnitPath: string;
  orgUnitId: string;
  parentOrgUnitPath?: string;
  parentOrgUnitId?: string;
  blockInheritance?: boolean;
}

interface ChromeOsDevice extends Json {
  kind: string;
  etag: string;
  deviceId: string;
  serialNumber: string;
  status: string;
  orgUnitPath: string;
  orgUnitId: string;
}

// ---------------------------------------------------------------------------------------------
// Seed data: one Workspace account (customer C03az79cb, domain example.com).

const seedUnits: OrgUnit[] = [
  {
    kind: 'admin#directory#orgUnit',
    etag: '"oU-1"',
    name: 'Students',
    description: 'All students',
    orgUnitPath: '/Students',
    orgUnitId: 'id:03ph8a2z2students',
    parentOrgUnitPath: '/',
    parentOrgUnitId: ROOT_ID,
    blockInheritance: false,
  },
  {
    kind: 'admin#directory#orgUnit',
    etag: '"oU-2"',
    name: 'Grade 9',
    description: '',
    orgUnitPath: '/Students/Grade 9',
    orgUnitId: 'id:03ph8a2z1s3ovsg',
    parentOrgUnitPath: '/Students',
    parentOrgUnitId: 'id:03ph8a2z2students',
    blockInheritance: false,
  },
  {
    kind: 'admin#directory#orgUnit',
    etag: '"oU-3"',
    name: 'Engineering',
    description: 'Product engineering',
    orgUnitPath: '/Engineering',
    orgUnitId: 'id:03ph8a2z3eng0001',
    parentOrgUnitPath: '/',
    parentOrgUnitId: ROOT_ID,
    blockInheritance: false,
  },
  {
    kind: 'admin#directory#orgUnit',
    etag: '"oU-4"',
    name: 'Sales',
    description: 'Sales and account management',
    orgUnitPath: '/Sales',
    orgUnitId: 'id:03ph8a2z1sales01',
    parentOrgUnitPath: '/',
    parentOrgUnitId: ROOT_ID,
    blockInheritance: false,
  },
  {
    kind: 'admin#directory#orgUnit',
    etag: '"oU-5"',
    name: 'Former staff',
    description: 'Archived accounts of people who left',
    orgUnitPath: '/Former staff',
    orgUnitId: 'id:03ph8a2z4former1',
    parentOrgUnitPath: '/',
    parentOrgUnitId: ROOT_ID,
    blockInheritance: false,
  },
];

const seedUsers: User[] = [
  {
    kind: 'admin#directory#user',
    id: '104857392018475620193',
    etag: '"b1Xk2Qz9-user-1"',
    primaryEmail: 'liz@example.com',
    name: { givenName: 'Elizabeth', familyName: 'Smith', fullName: 'Elizabeth Smith' },
    isAdmin: false,
    isDelegatedAdmin: false,
    lastLoginTime: '2024-02-01T09:30:00.000Z',
    creationTime: '2023-05-01T12:00:00.000Z',
    agreedToTerms: true,
    suspended: false,
    archived: false,
    changePasswordAtNextLogin: false,
    ipWhitelisted: false,
    emails: [{ address: 'liz@example.com', primary: true }, { address: 'liz.smith@example.com' }, { address: 'liz.smith@home.example.net', type: 'home' }],
    aliases: ['liz.smith@example.com'],
    phones: [{ value: '+1 555 0100', type: 'work' }],
    customerId: CUSTOMER_ID,
    orgUnitPath: '/Sales',
    isMailboxSetup: true,
    isEnrolledIn2Sv: true,
    isEnforcedIn2Sv: false,
    includeInGlobalAddressList: true,
    thumbnailPhotoUrl: 'https://lh3.googleusercontent.com/a/liz-photo',
    thumbnailPhotoEtag: '"b1Xk2Qz9-photo-1"',
  },
  {
    kind: 'admin#directory#user',
    id: '118230948572039485721',
    etag: '"b1Xk2Qz9-user-2"',
    primaryEmail: 'omar@example.com',
    name: { givenName: 'Omar', familyName: 'Haddad', fullName: 'Omar Haddad' },
    isAdmin: true,
    isDelegatedAdmin: false,
    lastLoginTime: '1970-01-01T00:00:00.000Z',
    creationTime: '2022-11-15T08:45:10.000Z',
    agreedToTerms: true,
    suspended: true,
    suspensionReason: 'ADMIN',
    archived: false,
    changePasswordAtNextLogin: false,
    ipWhitelisted: false,
    emails: [{ address: 'omar@example.com', primary: true }, { address: 'omar.h@partner.example.org', type: 'custom', customType: 'partner' }],
    customerId: CUSTOMER_ID,
    orgUnitPath: '/Engineering',
    isMailboxSetup: true,
    isEnrolledIn2Sv: false,
    isEnforcedIn2Sv: false,
    includeInGlobalAddressList: true,
  },
  {
    kind: 'admin#directory#user',
    id: '109384756102938475610',
    etag: '"b1Xk2Qz9-user-3"',
    primaryEmail: 'kai@example.com',
    name: { givenName: 'Kai', familyName: 'Chen', fullName: 'Kai Chen' },
    isAdmin: false,
    isDelegatedAdmin: false,
    lastLoginTime: '2023-12-20T17:05:00.000Z',
    creationTime: '2021-03-09T16:20:00.000Z',
    agreedToTerms: true,
    suspended: false,
    archived: true,
    changePasswordAtNextLogin: false,
    ipWhitelisted: false,
    emails: [{ address: 'kai@example.com', primary: true }],
    customerId: CUSTOMER_ID,
    orgUnitPath: '/Former staff',
    isMailboxSetup: true,
    isEnrolledIn2Sv: false,
    isEnforcedIn2Sv: false,
    includeInGlobalAddressList: false,
  },
  {
    kind: 'admin#directory#user',
    id: '112509874361029384756',
    etag: '"b1Xk2Qz9-user-4"',
    primaryEmail: 'priya@example.com',
    name: { givenName: 'Priya', familyName: 'Raman', fullName: 'Priya Raman' },
    isAdmin: false,
    isDelegatedAdmin: true,
    lastLoginTime: '2024-05-29T07:41:12.000Z',
    creationTime: '2023-08-14T09:00:00.000Z',
    agreedToTerms: true,
    suspended: false,
    archived: false,
    changePasswordAtNextLogin: false,
    ipWhitelisted: false,
    emails: [{ address: 'priya@example.com', primary: true }, { address: 'p.raman@example.com' }],
    aliases: ['p.raman@example.com'],
    customerId: CUSTOMER_ID,
    orgUnitPath: '/Engineering',
    isMailboxSetup: true,
    isEnrolledIn2Sv: true,
    isEnforcedIn2Sv: true,
    includeInGlobalAddressList: true,
    thumbnailPhotoUrl: 'https://lh3.googleusercontent.com/a/priya-photo',
    thumbnailPhotoEtag: '"b1Xk2Qz9-photo-4"',
  },
  {
    kind: 'admin#directory#user',
    id: '103948576120394857612',
    etag: '"b1Xk2Qz9-user-5"',
    primaryEmail: 'student1@example.com',
    name: { givenName: 'Sam', familyName: 'Rivera', fullName: 'Sam Rivera' },
    isAdmin: false,
    isDelegatedAdmin: false,
    lastLoginTime: '2024-05-30T08:10:02.000Z',
    creationTime: '2023-08-28T13:30:00.000Z',
    agreedToTerms: true,
    suspended: false,
    archived: false,
    changePasswordAtNextLogin: false,
    ipWhitelisted: false,
    emails: [{ address: 'student1@example.com', primary: true }],
    customerId: CUSTOMER_ID,
    orgUnitPath: '/Students/Grade 9',
    isMailboxSetup: true,
    isEnrolledIn2Sv: false,
    isEnforcedIn2Sv: false,
    includeInGlobalAddressList: true,
  },
];

const seedDevices: ChromeOsDevice[] = [
  {
    kind: 'admin#directory#chromeosdevice',
    etag: '"cR0s-device-1"',
    deviceId: '4f1a9c2e-7b3d-4e8f-9a01-23456789abcd',
    serialNumber: '5CD1234XYZ',
    status: 'ACTIVE',
    lastSync: '2024-05-30T08:12:44.325Z',
    annotatedUser: 'Sam Rivera',
    annotatedLocation: 'Building 2, 3rd floor',
    annotatedAssetId: 'ASSET-00042',
    model: 'HP Chromebook 14 G7',
    osVersion: '124.0.6367.225',
    platformVersion: '15823.51.0 (Official Build) stable-channel dedede',
    firmwareVersion: 'Google_Drawcia.13606.459.0',
    macAddress: '0c7a15e3d2f1',
    ethernetMacAddress: '0c7a15e3d2f2',
    bootMode: 'Verified',
    firstEnrollmentTime: '2023-01-10T14:00:00.000Z',
    lastEnrollmentTime: '2023-09-01T09:30:00.000Z',
    supportEndDate: '2029-06-01T00:00:00.000Z',
    orgUnitPath: '/Students/Grade 9',
    orgUnitId: 'id:03ph8a2z1s3ovsg',
    recentUsers: [{ type: 'USER_TYPE_MANAGED', email: 'student1@example.com' }],
    lastKnownNetwork: [{ ipAddress: '192.168.1.23', wanIpAddress: '203.0.113.7' }],
  },
  {
    kind: 'admin#directory#chromeosdevice',
    etag: '"cR0s-device-2"',
    deviceId: '9b8c7d6e-5f4a-4321-8765-fedcba987654',
    serialNumber: 'NXHQEAA0011223344',
    status: 'DEPROVISIONED',
    lastSync: '2022-12-01T17:45:00.000Z',
    model: 'Acer Chromebook 311',
    osVersion: '108.0.5359.111',
    platformVersion: '15183.69.0 (Official Build) stable-channel jacuzzi',
    macAddress: '38d57a0b9c11',
    bootMode: 'Verified',
    lastEnrollmentTime: '2021-08-20T10:00:00.000Z',
    supportEndDate: '2026-06-01T00:00:00.000Z',
    orgUnitPath: '/',
    orgUnitId: ROOT_ID,
  },
  {
    kind: 'admin#directory#chromeosdevice',
    etag: '"cR0s-device-3"',
    deviceId: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    serialNumber: '5CD1234XYZ2',
    status: 'INACTIVE',
    lastSync: '2024-04-02T07:00:00.000Z',
    annotatedAssetId: '',
    model: 'HP Chromebook 14 G7',
    osVersion: '123.0.6312.132',
    platformVersion: '15786.48.0 (Official Build) stable-channel dedede',
    macAddress: '0c7a15e3d2aa',
    bootMode: 'Verified',
    firstEnrollmentTime: '2023-01-10T14:05:00.000Z',
    lastEnrollmentTime: '2023-01-10T14:05:00.000Z',
    orgUnitPath: '/Students',
    orgUnitId: 'id:03ph8a2z2students',
    recentUsers: [{ type: 'USER_TYPE_MANAGED', email: 'student1@example.com' }],
    lastKnownNetwork: [{ ipAddress: '10.0.4.17', wanIpAddress: '198.51.100.20' }, { ipAddress: '10.0.4.18' }],
  },
  {
    kind: 'admin#directory#chromeosdevice',
    etag: '"cR0s-device-4"',
    deviceId: 'c7e2d1f0-3a4b-4c5d-9e8f-0123456789ef',
    serialNumber: 'PF3XK2L9',
    status: 'ACTIVE',
    lastSync: '2024-05-29T07:45:30.118Z',
    annotatedUser: 'priya@example.com',
    annotatedLocation: 'HQ, engineering floor',
    annotatedAssetId: 'ENG-0117',
    notes: 'Loaner for on-call',
    model: 'Lenovo ThinkPad C14 Gen 1 Chromebook',
    osVersion: '124.0.6367.225',
    platformVersion: '15823.51.0 (Official Build) stable-channel brya',
    firmwareVersion: 'Google_Brya.14505.273.0',
    macAddress: '7c2a31b4e5d6',
    ethernetMacAddress: '7c2a31b4e5d7',
    bootMode: 'Verified',
    firstEnrollmentTime: '2023-08-15T10:00:00.000Z',
    lastEnrollmentTime: '2023-08-15T10:00:00.000Z',
    supportEndDate: '2032-06-01T00:00:00.000Z',
    orgUnitPath: '/Engineering',
    orgUnitId: 'id:03ph8a2z3eng0001',
    recentUsers: [
      { type: 'USER_TYPE_MANAGED', email: 'priya@example.com' },
      { type: 'USER_TYPE_MANAGED', email: 'omar@example.com' },
    ],
    lastKnownNetwork: [{ ipAddress: '172.16.8.40', wanIpAddress: '203.0.113.44' }],
  },
  {
    kind: 'admin#directory#chromeosdevice',
    etag: '"cR0s-device-5"',
    deviceId: 'e5d4c3b2-a190-4f8e-8d7c-6b5a49382716',
    serialNumber: 'R9WN30DLC7A',
    status: 'DISABLED',
    lastSync: '2024-03-18T15:20:00.000Z',
    annotatedUser: 'liz@example.com',
    annotatedLocation: 'Sales, London office',
    annotatedAssetId: 'SAL-0009',
    notes: 'Reported lost 2024-03-18',
    model: 'Samsung Galaxy Chromebook 2',
    osVersion: '122.0.6261.132',
    platformVersion: '15753.50.0 (Official Build) stable-channel hatch',
    macAddress: 'a4c3f0851b22',
    bootMode: 'Verified',
    firstEnrollmentTime: '2022-02-01T09:00:00.000Z',
    lastEnrollmentTime: '2022-02-01T09:00:00.000Z',
    supportEndDate: '2028-06-01T00:00:00.000Z',
    orgUnitPath: '/Sales',
    orgUnitId: 'id:03ph8a2z1sales01',
    recentUsers: [{ type: 'USER_TYPE_MANAGED', email: 'liz@example.com' }],
    lastKnownNetwork: [{ ipAddress: '10.20.0.15' }],
  },
];

/** Fields a BASIC projection leaves out of a ChromeOS device. */
const fullOnlyDeviceFields = [
  'recentUsers',
  'activeTimeRanges',
  'lastKnownNetwork',
  'cpuStatusReports',
  'diskVolumeReports',
  'systemRamFreeReports',
  'tpmVersionInfo',
  'cpuInfo',
  'screenshotFiles',
  'deviceFiles',
  'osUpdateStatus',
  'backlightInfo',
  'fanInfo',
  'diskSpaceUsage',
];

/** The User fields an insert or update may set (others are read-only and ignored). */
const writableUserFields = [
  'suspended',
  'archived',
  'changePasswordAtNextLogin',
  'ipWhitelisted',
  'includeInGlobalAddressList',
  'phones',
  'addresses',
  'organizations',
  'externalIds',
  'relations',
  'ims',
  'websites',
  'locations',
  'keywords',
  'languages',
  'gender',
  'posixAccounts',
  'sshPublicKeys',
  'notes',
  'recoveryEmail',
  'recoveryPhone',
  'customSchemas',
];

// ---------------------------------------------------------------------------------------------
// Google's wire helpers.

interface ErrorOptions {
  itemMessage?: string;
  location?: string;
  locationType?: string;
  status?: string;
  headers?: Record<string, string>;
}

/** Google's JSON error: `{"error": {"code", "message", "errors": [{"message", "domain", "reason"}]}}`. */
function googleError(code: number, message: string, reason: string, options: ErrorOptions = {}): Response {
  const item: Json = { message: options.itemMessage ?? message, domain: 'global', reason };
  if (options.location) {
    item.location = options.location;
    item.locationType = options.locationType ?? 'parameter';
  }
  const error: Json = { code, message, errors: [item] };
  if (options.status) error.status = options.status;
  return json({ error }, code, options.headers ?? {});
}

function invalid(message: string): Response {
  return googleError(400, message, 'invalid');
}

function invalidParameter(name: string, message: string): Response {
  return googleError(400, message, 'invalid', { location: name, status: 'INVALID_ARGUMENT' });
}

/** Google's HTML page for a URL no API method answers. */
function notFoundPage(path: string): Response {
  const html = `<!DOCTYPE html>
<html lang=en>
  <meta charset=utf-8>
  <meta name=viewport content="initial-scale=1, minimum-scale=1, width=device-width">
  <title>Error 404 (Not Found)!!1</title>
  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>
  <p><b>404.</b> <ins>That’s an error.</ins>
  <p>The requested URL <code>${path.replace(/[<>&"]/g, '')}</code> was not found on this server.  <ins>That’s all we know.</ins>
`;
  return new Response(html, { status: 404, headers: { 'content-type': 'text/html; charset=UTF-8' } });
}

const authHelp = 'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

/** 401 unless the request carries the demo OAuth 2 access token as a Bearer token. */
function checkAuth(request: Request): Response | undefined {
  const token = bearer(request);
  if (token === ACCESS_TOKEN) return undefined;
  if (token === undefined) {
    return googleError(401, `Request is missing required authentication credential. ${authHelp}`, 'required', {
      itemMessage: 'Login Required.',
      location: 'Authorization',
      locationType: 'header',
      status: 'UNAUTHENTICATED',
      headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' },
    });
  }
  return googleError(401, `Request had invalid authentication credentials. ${authHelp}`, 'authError', {
    itemMessage: 'Invalid Credentials',
    location: 'Authorization',
    locationType: 'header',
    status: 'UNAUTHENTICATED',
    headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
  });
}

/** A short stable hash (FNV-1a), for etags. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

function etagOf(value: Json): string {
  const { etag: _etag, ...rest } = value;
  const text = JSON.stringify(rest);
  return `"${hash(text)}${hash(text.split('').reverse().join(''))}/${hash(`sandbox:${text.length}`)}"`;
}

function listEtag(kind: string, items: Json[], token: string | undefined): string {
  return `"${hash(`${kind}|${token ?? ''}|${items.map((i) => String(i.etag)).join(',')}`)}"`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function now(): string {
  return new Date().toISOString();
}

// Page tokens are opaque to clients: the offset of the next page, base64url-encoded.
function encodePageToken(offset: number): string {
  return btoa(`sandbox-page:${offset}`).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodePageToken(token: string): number | undefined {
  try {
    const text = atob(token.replace(/-/g, '+').replace(/_/g, '/'));
    const match = /^sandbox-page:(\d+)$/.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** `maxResults` (1 to `max`, default 100) and `pageToken` over `rows`, or Google's 400. */
function paginate<T>(rows: T[], params: URLSearchParams, max: number): Page<T> | Response {
  const rawSize = params.get('maxResults');
  let size = 100;
  if (rawSize !== null) {
    size = Number(rawSize);
    if (!/^\d+$/.test(rawSize.trim()) || size < 1 || size > max) {
      return invalidParameter('maxResults', `Invalid value '${rawSize}'. Values must be within the range: [1, ${max}]`);
    }
  }
  const token = params.get('pageToken');
  let offset = 0;
  if (token) {
    const decoded = decodePageToken(token);
    if (decoded === undefined) return invalidParameter('pageToken', 'Invalid Input: pageToken');
    offset = decoded;
  }
  const items = rows.slice(offset, offset + size);
  const page: Page<T> = { items };
  if (offset + size < rows.length) page.nextPageToken = encodePageToken(offset + size);
  return page;
}

function enumParameter(params: URLSearchParams, name: string, allowed: string[], fallback: string): string | Response {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const found = allowed.find((value) => value.toLowerCase() === raw.toLowerCase());
  return found ?? invalidParameter(name, `Invalid value at '${name}' (${allowed.join(', ')}), "${raw}"`);
}

function booleanParameter(params: URLSearchParams, name: string): boolean | Response {
  const raw = params.get(name);
  if (raw === null || raw === '') return false;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return invalidParameter(name, `Invalid value '${raw}'. Values must be true or false`);
}

/** A search query's terms: `field:value`, `field=value` (values may be quoted) or free text. */
interface Term {
  field?: string;
  op?: ':' | '=';
  value: string;
}

function parseSearch(query: string): Term[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of query) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (/\s/.test(char)) {
      if (current) words.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  if (current) words.push(current);
  return words.map((word) => {
    const match = /^([A-Za-z_.]+)([:=])(.*)$/.exec(word);
    return match ? { field: match[1], op: match[2] as ':' | '=', value: match[3] } : { value: word };
  });
}

/** Google's string match: `=` exact, `:` exact unless the value ends with `*` (a prefix). Case-insensitive. */
function textMatches(candidate: unknown, term: Term, contains = false): boolean {
  if (typeof candidate !== 'string') return false;
  const text = candidate.toLowerCase();
  const value = term.value.toLowerCase();
  if (value.endsWith('*')) return text.startsWith(value.slice(0, -1));
  if (term.op === '=' || !contains) return text === value;
  return text.includes(value);
}

function isUnder(path: string, ancestor: string): boolean {
  return ancestor === '/' || path === ancestor || path.startsWith(`${ancestor}/`);
}

function compareBy<T extends Json>(read: (row: T) => unknown, descending: boolean): (a: T, b: T) => number {
  return (a, b) => {
    const x = String(read(a) ?? '').toLowerCase();
    const y = String(read(b) ?? '').toLowerCase();
    const order = x < y ? -1 : x > y ? 1 : 0;
    return descending ? -order : order;
  };
}

// ---------------------------------------------------------------------------------------------

export function createGoogleWorkspaceEmulator(): Emulator {
  const root: OrgUnit = {
    kind: 'admin#directory#orgUnit',
    etag: '"oU-root"',
    name: 'Example Org',
    description: 'Example Org',
    orgUnitPath: '/',
    orgUnitId: ROOT_ID,
    blockInheritance: false,
  };
  const units = new Table<OrgUnit>(seedUnits, 'orgUnitId');
  const users = new Table<User>(seedUsers, 'id');
  const devices = new Table<ChromeOsDevice>(seedDevices, 'deviceId');
  /** Deleted users, for `showDeleted=true` (Google keeps them for 20 days). */
  const deletedUsers: User[] = [];
  /** Passwords are write-only: kept here, never returned. */
  const passwords = new Map<string, string>();

  // ----- lookups -----

  function findUnit(ref: string): OrgUnit | undefined {
    const trimmed = ref.trim();
    if (trimmed.startsWith('id:')) return trimmed === ROOT_ID ? clone(root) : units.get(trimmed);
    let path = trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
    if (path.length > 1) path = path.replace(/\/+$/, '');
    if (path === '/') return clone(root);
    return units.find((unit) => unit.orgUnitPath.toLowerCase() === path.toLowerCase());
  }

  function addresses(user: User): string[] {
    return [user.primaryEmail, ...(user.aliases ?? []), ...((user.nonEditableAliases as string[] | undefined) ?? [])].map((a) => a.toLowerCase());
  }

  function findUser(key: string): User | undefined {
    const byId = users.get(key);
    if (byId) return byId;
    const address = key.toLowerCase();
    return users.find((user) => addresses(user).includes(address));
  }

  function addressTaken(address: string, exceptId?: string): boolean {
    const lower = address.toLowerCase();
    return users.some((user) => user.id !== exceptId && addresses(user).includes(lower));
  }

  const userNotFound = () => googleError(404, 'Resource Not Found: userKey', 'notFound');
  const unitNotFound = () => googleError(404, 'Org unit not found', 'notFound');

  function checkCustomer(customer: string): Response | undefined {
    if (customer === 'my_customer' || customer === CUSTOMER_ID) return undefined;
    return googleError(403, 'Not Authorized to access this resource/api', 'forbidden');
  }

  async function readObject(request: Request): Promise<Json | Response> {
    const body = await readBody(request);
    if (body === undefined) return {};
    if (!isObject(body)) return googleError(400, 'Parse Error', 'parseError');
    return body;
  }

  // ----- users -----

  function listUsers(params: URLSearchParams): Response {
    const customer = params.get('customer');
    const domain = params.get('domain');
    if (!customer && !domain) return googleError(400, 'Bad Request', 'badRequest');
    if (customer) {
      const denied = checkCustomer(customer);
      if (denied) return denied;
    }
    if (domain && !DOMAINS.includes(domain.toLowerCase())) return googleError(403, 'Not Authorized to access this resource/api', 'forbidden');
    for (const [name, allowed] of [
      ['projection', ['basic', 'custom', 'full']],
      ['viewType', ['admin_view', 'domain_public']],
    ] as const) {
      const checked = enumParameter(params, name, [...allowed], allowed[0]);
      if (checked instanceof Response) return checked;
    }
    const orderBy = enumParameter(params, 'orderBy', ['email', 'familyName', 'givenName'], '');
    if (orderBy instanceof Response) return orderBy;
    const sortOrder = enumParameter(params, 'sortOrder', ['ASCENDING', 'DESCENDING'], 'ASCENDING');
    if (sortOrder instanceof Response) return sortOrder;
    const showDeleted = booleanParameter(params, 'showDeleted');
    if (showDeleted instanceof Response) return showDeleted;

    let rows = showDeleted ? deletedUsers.map((user) => clone(user)) : users.all();
    if (domain) rows = rows.filter((user) => user.primaryEmail.toLowerCase().endsWith(`@${domain.toLowerCase()}`));
    const search = params.get('query');
    if (search) {
      const terms = parseSearch(search);
      for (const term of terms) {
        const matcher = userMatcher(term);
        if (!matcher) return invalid(`Invalid Input: ${search}`);
        rows = rows.filter(matcher);
      }
    }
    if (orderBy) {
      const read = orderBy === 'email' ? (u: User) => u.primaryEmail : orderBy === 'givenName' ? (u: User) => u.name.givenName : (u: User) => u.name.familyName;
      rows.sort(compareBy(read, sortOrder === 'DESCENDING'));
    }
    const page = paginate(rows, params, 500);
    if (page instanceof Response) return page;
    const body: Json = { kind: 'admin#directory#users', etag: listEtag('users', page.items, params.get('pageToken') ?? undefined) };
    if (page.items.length) body.users = page.items;
    if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
    return json(body);
  }

  function userMatcher(term: Term): ((user: User) => boolean) | undefined {
    const field = term.field?.toLowerCase();
    if (!field) {
      return (user) =>
        [user.name.fullName, user.name.givenName, user.name.familyName, ...addresses(user)].some((value) => textMatches(value, { op: ':', value: `${term.value.replace(/\*$/, '')}*` }));
    }
    switch (field) {
      case 'email':
        return (user) => addresses(user).some((address) => textMatches(address, term));
      case 'givenname':
        return (user) => textMatches(user.name.givenName, term, true);
      case 'familyname':
        return (user) => textMatches(user.name.familyName, term, true);
      case 'name':
        return (user) => textMatches(user.name.fullName, term, true);
      case 'isadmin':
        return (user) => String(user.isAdmin === true) === term.value.toLowerCase();
      case 'isdelegatedadmin':
        return (user) => String(user.isDelegatedAdmin === true) === term.value.toLowerCase();
      case 'issuspended':
        return (user) => String(user.suspended === true) === term.value.toLowerCase();
      case 'isarchived':
        return (user) => String(user.archived === true) === term.value.toLowerCase();
      case 'orgunitpath': {
        const unit = findUnit(term.value);
        return (user) => unit !== undefined && isUnder(user.orgUnitPath, unit.orgUnitPath);
      }
      default:
        return undefined;
    }
  }

  function getUser(key: string): Response {
    const user = findUser(key);
    return user ? json(user) : userNotFound();
  }

  function validPassword(value: unknown): boolean {
    return typeof value === 'string' && value.length >= 8 && value.length <= 100 && /^[\x20-\x7e]+$/.test(value);
  }

  /** Checks and normalizes `emails` (secondary addresses); a Response for invalid input. */
  function readEmails(value: unknown): UserEmail[] | Response {
    if (!Array.isArray(value)) return invalid('Invalid Input: emails');
    const out: UserEmail[] = [];
    for (const entry of value) {
      if (!isObject(entry) || typeof entry.address !== 'string' || !emailPattern.test(entry.address)) return invalid('Invalid Input: emails');
      const email: UserEmail = { address: entry.address };
      if (entry.type !== undefined) {
        if (!['custom', 'home', 'other', 'work'].includes(String(entry.type))) return invalid(`Invalid Input: email type ${String(entry.type)}`);
        email.type = String(entry.type);
      }
      if (email.type === 'custom') {
        if (!nonEmptyString(entry.customType)) return invalid('Invalid Input: custom_type');
        email.customType = entry.customType;
      }
      out.push(email);
    }
    return out;
  }

  /** Validates a new primary address (format, owned domain, not taken); a Response when invalid. */
  function checkPrimary(address: unknown, exceptId?: string): Response | undefined {
    if (typeof address !== 'string' || !emailPattern.test(address)) return invalid('Invalid Input: primary_user_email');
    const domain = address.split('@')[1]!.toLowerCase();
    if (!DOMAINS.includes(domain)) return googleError(400, 'Domain not found.', 'notFound');
    if (addressTaken(address, exceptId)) return googleError(409, 'Entity already exists.', 'duplicate');
    return undefined;
  }

  function fullName(name: UserName): string {
    return [name.givenName, name.familyName].filter(Boolean).join(' ');
  }

  async function insertUser(request: Request): Promise<Response> {
    const body = await readObject(request);
    if (body instanceof Response) return body;
    const name = isObject(body.name) ? body.name : {};
    if (!nonEmptyString(body.primaryEmail)) return invalid('Invalid Input: primary_user_email');
    const primaryEmail = body.primaryEmail;
    const primaryProblem = checkPrimary(primaryEmail);
    if (primaryProblem) return primaryProblem;
    if (!nonEmptyString(name.givenName)) return invalid('Invalid Given/Family Name: GivenName');
    if (!nonEmptyString(name.familyName)) return invalid('Invalid Given/Family Name: FamilyName');
    if (!validPassword(body.password)) return invalid('Invalid Password');
    let orgUnitPath = '/';
    if (body.orgUnitPath !== undefined) {
      const unit = typeof body.orgUnitPath === 'string' ? findUnit(body.orgUnitPath) : undefined;
      if (!unit) return invalid('Invalid Input: INVALID_OU_ID');
      orgUnitPath = unit.orgUnitPath;
    }
    let secondary: UserEmail[] = [];
    if (body.emails !== undefined) {
      const emails = readEmails(body.emails);
      if (emails instanceof Response) return emails;
      secondary = emails.filter((email) => email.address!.toLowerCase() !== primaryEmail.toLowerCase());
    }
    const created = users.insert((n) => {
      const user: User = {
        kind: 'admin#directory#user',
        id: `1170000000000000${String(n).padStart(5, '0')}`,
        etag: '',
        primaryEmail,
        name: { givenName: String(name.givenName).trim(), familyName: String(name.familyName).trim() },
        isAdmin: false,
        isDelegatedAdmin: false,
        lastLoginTime: '1970-01-01T00:00:00.000Z',
        creationTime: now(),
        agreedToTerms: false,
        suspended: false,
        archived: false,
        changePasswordAtNextLogin: false,
        ipWhitelisted: false,
        emails: [...secondary, { address: primaryEmail, primary: true }],
        customerId: CUSTOMER_ID,
        orgUnitPath,
        isMailboxSetup: false,
        isEnrolledIn2Sv: false,
        isEnforcedIn2Sv: false,
        includeInGlobalAddressList: true,
      };
      for (const field of writableUserFields) if (body[field] !== undefined) user[field] = clone(body[field]);
      if (user.suspended === true) user.suspensionReason = 'ADMIN';
      user.name.fullName = fullName(user.name);
      user.etag = etagOf(user);
      return user;
    });
    passwords.set(created.id, String(body.password));
    // Google's insert answer leaves out what it computes later (fullName, lastLoginTime, …).
    const { lastLoginTime: _login, agreedToTerms: _terms, ...answer } = created;
    answer.name = { givenName: created.name.givenName, familyName: created.name.familyName };
    return json(answer);
  }

  async function updateUser(key: string, request: Request): Promise<Response> {
    const current = findUser(key);
    if (!current) return userNotFound();
    const body = await readObject(request);
    if (body instanceof Response) return body;
    const user = clone(current);
    if (body.primaryEmail !== undefined && String(body.primaryEmail).toLowerCase() !== user.primaryEmail.toLowerCase()) {
      const problem = checkPrimary(body.primaryEmail, user.id);
      if (problem) return problem;
      // A renamed user keeps the old address as an alias.
      const old = user.primaryEmail;
      user.primaryEmail = String(body.primaryEmail);
      user.aliases = [...(user.aliases ?? []).filter((a) => a.toLowerCase() !== user.primaryEmail.toLowerCase()), old];
      user.emails = (user.emails ?? []).map((email) => (email.primary ? { address: user.primaryEmail, primary: true } : email));
      user.emails.push({ address: old });
    }
    if (body.name !== undefined) {
      if (!isObject(body.name)) return invalid('Invalid Input: name');
      for (const part of ['givenName', 'familyName'] as const) {
        const value = body.name[part];
        if (value === undefined) continue;
        if (!nonEmptyString(value)) return invalid(`Invalid Given/Family Name: ${part === 'givenName' ? 'GivenName' : 'FamilyName'}`);
        user.name[part] = value.trim();
      }
      user.name.fullName = fullName(user.name);
    }
    if (body.emails !== undefined) {
      const emails = readEmails(body.emails);
      if (emails instanceof Response) return emails;
      const primary = user.primaryEmail.toLowerCase();
      user.emails = [...emails.filter((email) => email.address!.toLowerCase() !== primary), { address: user.primaryEmail, primary: true }];
    }
    if (body.password !== undefined && !validPassword(body.password)) return invalid('Invalid Password');
    if (body.orgUnitPath !== undefined) {
      const unit = typeof body.orgUnitPath === 'string' ? findUnit(body.orgUnitPath) : undefined;
      if (!unit) return invalid('Invalid Input: INVALID_OU_ID');
      user.orgUnitPath = unit.orgUnitPath;
    }
    for (const field of writableUserFields) if (body[field] !== undefined) user[field] = clone(body[field]);
    if (body.suspended === true && !user.suspensionReason) user.suspensionReason = 'ADMIN';
    if (body.suspended === false) delete user.suspensionReason;
    user.etag = etagOf(user);
    users.replace(user.id, user);
    if (body.password !== undefined) passwords.set(user.id, String(body.password));
    return json(user);
  }

  function deleteUser(key: string): Response {
    const user = findUser(key);
    if (!user) return userNotFound();
    users.delete(user.id);
    passwords.delete(user.id);
    deletedUsers.push({ ...user, deletionTime: now() });
    return empty(204);
  }

  // ----- ChromeOS devices -----

  function deviceView(device: ChromeOsDevice, projection: string): ChromeOsDevice {
    if (projection === 'FULL') return device;
    const basic = clone(device);
    for (const field of fullOnlyDeviceFields) delete basic[field];
    return basic;
  }

  function deviceMatcher(term: Term): ((device: ChromeOsDevice) => boolean) | undefined {
    const contains = (value: unknown) => typeof value === 'string' && value.toLowerCase().includes(term.value.replace(/\*$/, '').toLowerCase());
    const mac = (value: unknown) => typeof value === 'string' && value.replace(/[:-]/g, '').toLowerCase() === term.value.replace(/[:-]/g, '').toLowerCase();
    switch (term.field?.toLowerCase()) {
      case undefined:
        return (d) => [d.serialNumber, d.model, d.annotatedUser, d.annotatedLocation, d.annotatedAssetId, d.notes, d.macAddress].some(contains);
      case 'id':
        return (d) => contains(d.serialNumber);
      case 'asset_id':
        return (d) => contains(d.annotatedAssetId);
      case 'status':
        return (d) => d.status.toLowerCase() === term.value.toLowerCase();
      case 'user':
        return (d) => contains(d.annotatedUser) || ((d.recentUsers as { email?: string }[] | undefined) ?? []).some((u) => contains(u.email));
      case 'location':
        return (d) => contains(d.annotatedLocation);
      case 'note':
        return (d) => contains(d.notes);
      case 'wifi_mac':
        return (d) => mac(d.macAddress);
      case 'ethernet_mac':
        return (d) => mac(d.ethernetMacAddress);
      default:
        return undefined;
    }
  }

  function listDevices(params: URLSearchParams): Response {
    const projection = enumParameter(params, 'projection', ['BASIC', 'FULL'], 'FULL');
    if (projection instanceof Response) return projection;
    const orderBy = enumParameter(params, 'orderBy', ['annotatedLocation', 'annotatedUser', 'lastSync', 'notes', 'serialNumber', 'status', 'supportEndDate'], '');
    if (orderBy instanceof Response) return orderBy;
    const sortOrder = enumParameter(params, 'sortOrder', ['ASCENDING', 'DESCENDING'], 'ASCENDING');
    if (sortOrder instanceof Response) return sortOrder;
    const includeChildren = booleanParameter(params, 'includeChildOrgunits');
    if (includeChildren instanceof Response) return includeChildren;

    let rows = devices.all();
    const unitRef = params.get('orgUnitPath');
    if (unitRef) {
      const unit = findUnit(unitRef);
      if (!unit) return invalid('Invalid Input: INVALID_OU_ID');
      rows = rows.filter((device) => (includeChildren ? isUnder(device.orgUnitPath, unit.orgUnitPath) : device.orgUnitId === unit.orgUnitId));
    } else if (includeChildren) {
      return invalidParameter('orgUnitPath', 'Invalid Input: orgUnitPath is required with includeChildOrgunits');
    }
    const search = params.get('query');
    if (search) {
      for (const term of parseSearch(search)) {
        const matcher = deviceMatcher(term);
        if (!matcher) return invalid(`Invalid Input: ${search}`);
        rows = rows.filter(matcher);
      }
    }
    if (orderBy) rows.sort(compareBy((d: ChromeOsDevice) => d[orderBy], sortOrder === 'DESCENDING'));
    const page = paginate(rows, params, 300);
    if (page instanceof Response) return page;
    const items = page.items.map((device) => deviceView(device, projection));
    const body: Json = { kind: 'admin#directory#chromeosdevices', etag: listEtag('chromeosdevices', items, params.get('pageToken') ?? undefined) };
    if (items.length) body.chromeosdevices = items;
    if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
    return json(body);
  }

  function getDevice(deviceId: string, params: URLSearchParams): Response {
    const projection = enumParameter(params, 'projection', ['BASIC', 'FULL'], 'FULL');
    if (projection instanceof Response) return projection;
    const device = devices.get(deviceId);
    if (!device) return googleError(404, `Resource Not Found: ${deviceId}`, 'notFound');
    return json(deviceView(device, projection));
  }

  // ----- organizational units -----

  function listUnits(params: URLSearchParams): Response {
    const type = enumParameter(params, 'type', ['all', 'children', 'allIncludingParent'], 'children');
    if (type instanceof Response) return type;
    const parent = findUnit(params.get('orgUnitPath') || '/');
    if (!parent) return unitNotFound();
    const below = units.filter((unit) => unit.orgUnitPath !== parent.orgUnitPath && isUnder(unit.orgUnitPath, parent.orgUnitPath));
    let rows = type === 'children' ? below.filter((unit) => unit.parentOrgUnitId === parent.orgUnitId) : below;
    if (type === 'allIncludingParent') rows = [parent, ...rows];
    const body: Json = { kind: 'admin#directory#orgUnits', etag: listEtag('orgUnits', rows, undefined) };
    if (rows.length) body.organizationUnits = rows;
    return json(body);
  }

  /** The parent a body names (`parentOrgUnitId` and/or `parentOrgUnitPath`), or Google's 400. */
  function parentFrom(body: Json, required: boolean): OrgUnit | undefined | Response {
    const byId = body.parentOrgUnitId;
    const byPath = body.parentOrgUnitPath;
    if (byId === undefined && byPath === undefined) return required ? invalid('Invalid Parent Orgunit Id') : undefined;
    const fromId = byId !== undefined ? (typeof byId === 'string' ? findUnit(byId.startsWith('id:') ? byId : `id:${byId}`) : undefined) : undefined;
    const fromPath = byPath !== undefined ? (typeof byPath === 'string' && byPath !== '' ? findUnit(byPath) : undefined) : undefined;
    if ((byId !== undefined && !fromId) || (byPath !== undefined && !fromPath)) return invalid('Invalid Parent Orgunit Id');
    if (fromId && fromPath && fromId.orgUnitId !== fromPath.orgUnitId) return invalid('Invalid Input: Inconsistent Orgunit id and path in request');
    return fromId ?? fromPath;
  }

  function validUnitName(value: unknown): value is string {
    return nonEmptyString(value) && !value.includes('/');
  }

  function siblingNamed(parentId: string, name: string, exceptId?: string): boolean {
    return units.some((unit) => unit.parentOrgUnitId === parentId && unit.orgUnitId !== exceptId && unit.name.toLowerCase() === name.trim().toLowerCase());
  }

  function childPath(parent: OrgUnit, name: string): string {
    return parent.orgUnitPath === '/' ? `/${name}` : `${parent.orgUnitPath}/${name}`;
  }

  async function insertUnit(request: Request): Promise<Response> {
    const body = await readObject(request);
    if (body instanceof Response) return body;
    if (!validUnitName(body.name)) return invalid('Invalid Ou Id');
    const parent = parentFrom(body, true);
    if (parent instanceof Response) return parent;
    if (!parent) return invalid('Invalid Parent Orgunit Id');
    const name = body.name.trim();
    if (siblingNamed(parent.orgUnitId, name)) return googleError(409, 'Invalid Ou Id', 'duplicate');
    const created = units.insert((n) => {
      // Google's field order: name, description, then the paths and ids.
      const unit: OrgUnit = {
        kind: 'admin#directory#orgUnit',
        etag: '',
        name,
        ...(typeof body.description === 'string' ? { description: body.description } : {}),
        orgUnitPath: childPath(parent, name),
        orgUnitId: `id:03ph8a2z${n.toString(36).padStart(7, '0')}`,
        parentOrgUnitPath: parent.orgUnitPath,
        parentOrgUnitId: parent.orgUnitId,
        blockInheritance: body.blockInheritance === true,
      };
      unit.etag = etagOf(unit);
      return unit;
    });
    return json(created);
  }

  /** After a unit's path changes: the paths of the units, users and devices below it. */
  function movePaths(oldPath: string, newPath: string): void {
    const rebase = (path: string) => (path === oldPath ? newPath : `${newPath}${path.slice(oldPath.length)}`);
    for (const unit of units.all()) {
      if (unit.orgUnitPath === oldPath || !isUnder(unit.orgUnitPath, oldPath)) continue;
      const moved = { ...unit, orgUnitPath: rebase(unit.orgUnitPath), parentOrgUnitPath: rebase(unit.parentOrgUnitPath ?? '/') };
      moved.etag = etagOf(moved);
      units.replace(unit.orgUnitId, moved);
    }
    for (const user of users.all()) {
      if (user.orgUnitPath === oldPath || user.orgUnitPath.startsWith(`${oldPath}/`)) {
        const moved = { ...user, orgUnitPath: rebase(user.orgUnitPath) };
        moved.etag = etagOf(moved);
        users.replace(user.id, moved);
      }
    }
    for (const device of devices.all()) {
      if (device.orgUnitPath === oldPath || device.orgUnitPath.startsWith(`${oldPath}/`)) {
        const moved = { ...device, orgUnitPath: rebase(device.orgUnitPath) };
        moved.etag = etagOf(moved);
        devices.replace(device.deviceId, moved);
      }
    }
  }

  async function updateUnit(ref: string, request: Request): Promise<Response> {
    const current = findUnit(ref);
    if (!current) return unitNotFound();
    const body = await readObject(request);
    if (body instanceof Response) return body;
    if (current.orgUnitId === ROOT_ID) return invalid('Invalid Input: the top-level organizational unit cannot be changed');
    const unit = clone(current);
    if (body.name !== undefined) {
      if (!validUnitName(body.name)) return invalid('Invalid Ou Id');
      unit.name = body.name.trim();
    }
    const parent = parentFrom(body, false);
    if (parent instanceof Response) return parent;
    const newParent = parent ?? findUnit(unit.parentOrgUnitId ?? ROOT_ID)!;
    if (isUnder(newParent.orgUnitPath, current.orgUnitPath) && current.orgUnitPath !== '/') return invalid('Invalid Parent Orgunit Id');
    if (siblingNamed(newParent.orgUnitId, unit.name, unit.orgUnitId)) return googleError(409, 'Invalid Ou Id', 'duplicate');
    if (body.description !== undefined) unit.description = String(body.description);
    if (body.blockInheritance !== undefined) unit.blockInheritance = body.blockInheritance === true;
    unit.parentOrgUnitId = newParent.orgUnitId;
    unit.parentOrgUnitPath = newParent.orgUnitPath;
    unit.orgUnitPath = childPath(newParent, unit.name);
    unit.etag = etagOf(unit);
    units.replace(unit.orgUnitId, unit);
    if (unit.orgUnitPath !== current.orgUnitPath) movePaths(current.orgUnitPath, unit.orgUnitPath);
    return json(units.get(unit.orgUnitId));
  }

  // ----- routing -----

  type Handler = () => Response | Promise<Response>;

  function route(method: string, segments: string[], params: URLSearchParams, request: Request): Handler | undefined {
    const [first, second, third, fourth, fifth] = segments;
    if (first === 'users' && segments.length === 1) {
      if (method === 'GET') return () => listUsers(params);
      if (method === 'POST') return () => insertUser(request);
      return undefined;
    }
    if (first === 'users' && segments.length === 2 && second) {
      if (method === 'GET') return () => getUser(second);
      if (method === 'PUT' || method === 'PATCH') return () => updateUser(second, request);
      if (method === 'DELETE') return () => deleteUser(second);
      return undefined;
    }
    if (first !== 'customer' || !second) return undefined;
    const withCustomer = (handler: Handler): Handler => () => checkCustomer(second) ?? handler();
    if (third === 'devices' && fourth === 'chromeos' && method === 'GET') {
      if (segments.length === 4) return withCustomer(() => listDevices(params));
      if (segments.length === 5 && fifth) return withCustomer(() => getDevice(fifth, params));
      return undefined;
    }
    if (third === 'orgunits') {
      const path = segments.slice(3).filter((s) => s !== '');
      if (path.length === 0) {
        if (method === 'GET') return withCustomer(() => listUnits(params));
        if (method === 'POST') return withCustomer(() => insertUnit(request));
        return undefined;
      }
      const ref = path.length === 1 && path[0]!.startsWith('id:') ? path[0]! : path.join('/');
      if (method === 'GET') return withCustomer(() => (findUnit(ref) ? json(findUnit(ref)) : unitNotFound()));
      if (method === 'PUT' || method === 'PATCH') return withCustomer(() => updateUnit(ref, request));
      return undefined;
    }
    return undefined;
  }

  return {
    integration: 'google_workspace',
    origins: [ORIGIN],
    context: { access_token: ACCESS_TOKEN },
    async handle(request: Request): Promise<Response> {
      const url = new URL(request.url);
      if (url.origin !== ORIGIN || !url.pathname.startsWith(`${BASE_PATH}/`)) return notFoundPage(url.pathname);
      let segments: string[];
      try {
        segments = url.pathname.slice(BASE_PATH.length + 1).split('/').map((segment) => decodeURIComponent(segment));
      } catch {
        return notFoundPage(url.pathname);
      }
      const handler = route(request.method.toUpperCase(), segments, url.searchParams, request);
      if (!handler) return notFoundPage(url.pathname);
      return checkAuth(request) ?? (await handler());
    },
  };
}
