/**
 * The JumpCloud sandbox emulator: the v1 REST API (`/api/systemusers`, `/api/systems`,
 * `/api/organizations`) and the v2 System Insights `apps` table (`/api/v2/systeminsights/apps`)
 * in miniature, as `mappings/jumpcloud.yaml` calls them.
 *
 * Wire format, after JumpCloud's OpenAPI specs and the fixtures in `mappings/jumpcloud/`:
 * - auth: the admin's key in `x-api-key`; anything else is a 401.
 * - multi-tenant (MSP) admin: the demo key belongs to an MSP admin, so every data route needs
 *   `x-org-id` (401 without it, 400 when malformed, 404 for an unknown organization) and acts on
 *   that organization only; `GET /organizations` refuses the header (403) and
 *   `GET /organizations/{id}` requires it to match the path (400 otherwise).
 * - v1 lists: `limit` (default 10, at most 100) and `skip`, answered `{"totalCount", "results"}`;
 *   filters `filter=<field>:$<op>:<value>`, several ANDed as `filter[0]=…&filter[1]=…`
 *   (`filter[or][0]=…` ORs), operators `$eq $ne $gt $gte $lt $lte`, case-sensitive.
 * - v2 System Insights: a bare array, `limit` (default 10) and `skip`, filters
 *   `filter=<field>:eq:<value>` or `<field>:in:<a>|<b>` on `system_id` and `bundle_name`.
 * - writes: create answers 200 with the `systemuserreturn`, update (partial PUT) 200 with the
 *   record, delete 200 with the deleted record; a user who manages others cannot be deleted (409).
 * - errors: `Error` `{"code", "message", "status"}`; 400s on system users are `ErrorDetails`
 *   (the same plus `details`, google.rpc `BadRequest` field violations).
 *
 * No Node built-ins; all state lives in the closure of one `createJumpCloudEmulator()` call.
 */
import { clone, json, readBody, Table, type Emulator } from './emulator.js';

type Doc = Record<string, unknown>;

const origin = 'https://console.jumpcloud.com';
const apiKey = 'sandbox-api-key';
const providerId = '5c1d2e3f4a5b6c7d8e9f0a1b';

/** The managed organizations of the demo MSP admin; the first is the demo account's. */
const orgExample = '5a0b1c2d3e4f5a6b7c8d9e0f';
const orgAcme = '5a0b1c2d3e4f5a6b7c8d9e10';
const orgGlobex = '5a0b1c2d3e4f5a6b7c8d9e11';

const objectId = /^[0-9a-f]{24}$/;

// ---------------------------------------------------------------------------------------------
// Errors

/** JumpCloud's `Error`. */
function error(code: number, message: string, status: string): Response {
  return json({ code, message, status }, code);
}

interface FieldViolation {
  field: string;
  description: string;
}

/** JumpCloud's `ErrorDetails` (400s on system users): `Error` plus google.rpc details. */
function errorDetails(message: string, violations: FieldViolation[], withDetails = true): Response {
  const details = withDetails && violations.length ? [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolationsList: violations }] : [];
  return json({ code: 400, message, status: 'INVALID_ARGUMENT', details }, 400);
}

const notFound = (message = 'Not Found') => error(404, message, 'NOT_FOUND');
const methodNotAllowed = () => error(405, 'Method Not Allowed', 'UNIMPLEMENTED');

// ---------------------------------------------------------------------------------------------
// Seed data

const userDefaults: Doc = {
  username: '',
  email: '',
  firstname: '',
  middlename: '',
  lastname: '',
  displayname: '',
  state: 'STAGED',
  activated: false,
  suspended: false,
  account_locked: false,
  account_locked_date: null,
  password_expired: false,
  password_never_expires: false,
  totp_enabled: false,
  mfa: { configured: false, exclusion: false },
  mfaEnrollment: { overallStatus: 'NOT_ENROLLED', totpStatus: 'NOT_ENROLLED', webAuthnStatus: 'NOT_ENROLLED', pushStatus: 'NOT_ENROLLED' },
  enable_managed_uid: false,
  enable_user_portal_multifactor: false,
  externally_managed: false,
  ldap_binding_user: false,
  samba_service_user: false,
  sudo: false,
  passwordless_sudo: false,
  allow_public_key: true,
  public_key: '',
  ssh_keys: [],
  company: '',
  department: '',
  jobTitle: '',
  employeeIdentifier: null,
  employeeType: '',
  costCenter: '',
  location: '',
  description: '',
  phoneNumbers: [],
  addresses: [],
  attributes: [],
  tags: [],
  badLoginAttempts: 0,
  creationSource: 'admin',
};

function systemUser(fields: Doc): Doc {
  return { _id: fields._id, ...clone(userDefaults), ...fields };
}

function seedUsers(): Doc[] {
  return [
    systemUser({
      _id: '5f1b2c3d4e5f6a7b8c9d0e1f',
      username: 'jdoe',
      email: 'jane.doe@example.com',
      alternateEmail: 'jane@personal.example.com',
      firstname: 'Jane',
      lastname: 'Doe',
      displayname: 'Jane Doe',
      state: 'ACTIVATED',
      activated: true,
      totp_enabled: true,
      mfa: { configured: true, exclusion: false },
      organization: orgExample,
      created: '2023-04-05T10:11:12.000Z',
      company: 'Example Corp',
      jobTitle: 'Engineering Manager',
      department: 'IT',
      employeeIdentifier: 'E-1001',
      unix_uid: 5001,
      unix_guid: 5001,
      phoneNumbers: [{ id: '64a0b1c2d3e4f5a6b7c8d9e1', type: 'work', number: '+1 555 0100' }],
    }),
    systemUser({
      _id: '5f1b2c3d4e5f6a7b8c9d0e20',
      username: 'asmith',
      email: 'alex.smith@example.com',
      firstname: 'Alex',
      lastname: 'Smith',
      state: 'SUSPENDED',
      activated: true,
      suspended: true,
      organization: orgExample,
      created: '2024-01-15T08:00:00.000Z',
      company: 'Example Corp',
      jobTitle: 'Engineer',
      department: 'IT',
      employeeIdentifier: 'E-1042',
      manager: '5f1b2c3d4e5f6a7b8c9d0e1f',
      unix_uid: 5002,
      unix_guid: 5002,
    }),
    systemUser({
      _id: '5f1b2c3d4e5f6a7b8c9d0e21',
      username: 'kchen',
      email: 'kai.chen@example.com',
      state: 'STAGED',
      organization: orgExample,
      created: '2024-06-01T12:30:00.000Z',
      creationSource: 'api',
      unix_uid: 5003,
      unix_guid: 5003,
    }),
    systemUser({
      _id: '5f1b2c3d4e5f6a7b8c9d0e22',
      username: 'ppatel',
      email: 'priya.patel@example.com',
      firstname: 'Priya',
      lastname: 'Patel',
      displayname: 'Priya Patel',
      state: 'ACTIVATED',
      activated: true,
      organization: orgExample,
      created: '2024-09-02T09:45:00.000Z',
      company: 'Example Corp',
      jobTitle: 'Designer',
      department: 'Product',
      manager: '5f1b2c3d4e5f6a7b8c9d0e1f',
      location: 'Berlin',
      unix_uid: 5004,
      unix_guid: 5004,
    }),
    systemUser({
      _id: '5f1b2c3d4e5f6a7b8c9d0e30',
      username: 'slee',
      email: 'sam.lee@acme.example.com',
      firstname: 'Sam',
      lastname: 'Lee',
      displayname: 'Sam Lee',
      state: 'ACTIVATED',
      activated: true,
      organization: orgAcme,
      created: '2021-07-20T10:00:00.000Z',
      company: 'Acme Retail',
      jobTitle: 'IT Lead',
      unix_uid: 5001,
      unix_guid: 5001,
    }),
    systemUser({
      _id: '5f1b2c3d4e5f6a7b8c9d0e31',
      username: 'mgarcia',
      email: 'maria.garcia@acme.example.com',
      firstname: 'Maria',
      lastname: 'Garcia',
      displayname: 'Maria Garcia',
      state: 'ACTIVATED',
      activated: true,
      organization: orgAcme,
      created: '2022-03-14T15:20:00.000Z',
      company: 'Acme Retail',
      jobTitle: 'Store Manager',
      manager: '5f1b2c3d4e5f6a7b8c9d0e30',
      unix_uid: 5002,
      unix_guid: 5002,
    }),
    systemUser({
      _id: '5f1b2c3d4e5f6a7b8c9d0e40',
      username: 'tbecker',
      email: 'tom.becker@globex.example.com',
      firstname: 'Tom',
      lastname: 'Becker',
      displayname: 'Tom Becker',
      state: 'ACTIVATED',
      activated: true,
      organization: orgGlobex,
      created: '2023-11-30T11:00:00.000Z',
      company: 'Globex Labs',
      unix_uid: 5001,
      unix_guid: 5001,
    }),
  ];
}

const systemDefaults: Doc = {
  allowMultiFactorAuthentication: false,
  allowPublicKeyAuthentication: true,
  allowSshPasswordAuthentication: false,
  allowSshRootLogin: false,
  modifySSHDConfig: false,
  tags: [],
};

function system(fields: Doc): Doc {
  return { _id: fields._id, ...clone(systemDefaults), ...fields };
}

function nic(name: string, address: string, family: 'IPv4' | 'IPv6', internal = false): Doc {
  return { name, address, family, internal };
}

function seedSystems(): Doc[] {
  return [
    system({
      _id: '63c1d2e3f4a5b6c7d8e9f001',
      displayName: "Jane's MacBook Pro",
      hostname: 'janes-mbp.local',
      os: 'Mac OS X',
      osFamily: 'darwin',
      version: '14.4.1',
      arch: 'arm64',
      serialNumber: 'C02XK1ABJGH5',
      agentVersion: '1.160.0',
      active: true,
      created: '2023-05-01T09:00:00.000Z',
      lastContact: '2025-03-09T17:45:12.000Z',
      organization: orgExample,
      remoteIP: '203.0.113.10',
      systemTimezone: -300,
      fde: { active: true, keyPresent: true },
      osVersionDetail: { osName: 'macOS', major: '14', minor: '4', patch: '1', releaseName: 'Sonoma' },
      networkInterfaces: [nic('lo0', '127.0.0.1', 'IPv4', true), nic('en0', '192.168.1.23', 'IPv4'), nic('en0', 'fe80::1c2b:3a4d:5e6f:7081', 'IPv6')],
      systemInsights: { state: 'enabled' },
    }),
    system({
      _id: '63c1d2e3f4a5b6c7d8e9f002',
      displayName: 'DESKTOP-7Q2LM9',
      hostname: 'DESKTOP-7Q2LM9',
      os: 'Windows',
      osFamily: 'windows',
      version: '10.0.22631',
      arch: 'x86_64',
      serialNumber: '5CG1234XYZ',
      agentVersion: '1.160.0',
      active: false,
      created: '2024-02-20T14:30:00.000Z',
      lastContact: '2025-02-28T08:00:00.000Z',
      organization: orgExample,
      remoteIP: '203.0.113.11',
      systemTimezone: -300,
      fde: { active: false, keyPresent: false },
      osVersionDetail: { osName: 'Windows 11 Pro', major: '10', minor: '0', patch: '22631', releaseName: '23H2' },
      networkInterfaces: [nic('Ethernet', '10.0.0.15', 'IPv4')],
      systemInsights: { state: 'enabled' },
    }),
    system({
      _id: '63c1d2e3f4a5b6c7d8e9f003',
      displayName: "Kai's iPad",
      os: 'iPadOS',
      version: '17.3',
      serialNumber: 'DMPXK2ABCD12',
      active: true,
      created: '2024-09-12T10:00:00.000Z',
      lastContact: '2025-03-10T07:00:00.000Z',
      organization: orgExample,
      mdm: { vendor: 'internal', enrollmentType: 'automated device', dep: true, userApproved: true },
    }),
    system({
      _id: '63c1d2e3f4a5b6c7d8e9f004',
      displayName: 'build-runner-01',
      hostname: 'build-runner-01',
      os: 'Ubuntu',
      osFamily: 'linux',
      version: '22.04',
      arch: 'x86_64',
      serialNumber: 'VMW-42-1c-7a-9e',
      agentVersion: '1.158.2',
      active: true,
      created: '2022-11-03T16:20:00.000Z',
      lastContact: '2025-03-10T08:59:59.000Z',
      organization: orgExample,
      remoteIP: '198.51.100.7',
      systemTimezone: 0,
      fde: { active: false, keyPresent: false },
      networkInterfaces: [nic('lo', '127.0.0.1', 'IPv4', true), nic('eth0', '172.16.4.20', 'IPv4')],
      sshRootEnabled: false,
    }),
    system({
      _id: '63c1d2e3f4a5b6c7d8e9f005',
      displayName: "Priya's MacBook Air",
      hostname: 'priyas-mba.local',
      os: 'Mac OS X',
      osFamily: 'darwin',
      version: '15.3.1',
      arch: 'arm64',
      serialNumber: 'FVFHJ3K4Q6L8',
      agentVersion: '1.160.0',
      active: true,
      created: '2024-09-03T08:15:00.000Z',
      lastContact: '2025-03-10T09:12:00.000Z',
      organization: orgExample,
      remoteIP: '203.0.113.42',
      systemTimezone: 60,
      fde: { active: true, keyPresent: true },
      osVersionDetail: { osName: 'macOS', major: '15', minor: '3', patch: '1', releaseName: 'Sequoia' },
      networkInterfaces: [nic('lo0', '127.0.0.1', 'IPv4', true), nic('en0', '192.168.178.31', 'IPv4')],
      systemInsights: { state: 'enabled' },
    }),
    system({
      _id: '63c1d2e3f4a5b6c7d8e9f010',
      displayName: 'ACME-POS-01',
      hostname: 'ACME-POS-01',
      os: 'Windows',
      osFamily: 'windows',
      version: '10.0.19045',
      arch: 'x86_64',
      serialNumber: 'PF3ABCD1',
      agentVersion: '1.159.1',
      active: true,
      created: '2021-08-02T12:00:00.000Z',
      lastContact: '2025-03-10T06:30:00.000Z',
      organization: orgAcme,
      fde: { active: true, keyPresent: true },
      networkInterfaces: [nic('Ethernet', '10.20.0.11', 'IPv4')],
    }),
    system({
      _id: '63c1d2e3f4a5b6c7d8e9f011',
      displayName: "Sam's MacBook Pro",
      hostname: 'sams-mbp.local',
      os: 'Mac OS X',
      osFamily: 'darwin',
      version: '14.7',
      arch: 'arm64',
      serialNumber: 'C02ZL9XYMD6R',
      agentVersion: '1.160.0',
      active: true,
      created: '2021-07-21T09:30:00.000Z',
      lastContact: '2025-03-09T22:10:00.000Z',
      organization: orgAcme,
      fde: { active: true, keyPresent: true },
      osVersionDetail: { osName: 'macOS', major: '14', minor: '7', patch: '0', releaseName: 'Sonoma' },
      networkInterfaces: [nic('en0', '10.20.0.52', 'IPv4')],
      systemInsights: { state: 'enabled' },
    }),
    system({
      _id: '63c1d2e3f4a5b6c7d8e9f020',
      displayName: 'gx-web-01',
      hostname: 'gx-web-01',
      os: 'Debian',
      osFamily: 'linux',
      version: '12',
      arch: 'x86_64',
      agentVersion: '1.158.2',
      active: true,
      created: '2023-12-01T10:00:00.000Z',
      lastContact: '2025-03-10T09:00:00.000Z',
      organization: orgGlobex,
      networkInterfaces: [nic('eth0', '10.1.0.5', 'IPv4')],
    }),
  ];
}

function app(systemId: string, fields: Doc): Doc {
  return { system_id: systemId, collection_time: '2025-03-10T08:00:00.000Z', ...fields };
}

function seedApps(): Doc[] {
  const janesMac = '63c1d2e3f4a5b6c7d8e9f001';
  const priyasMac = '63c1d2e3f4a5b6c7d8e9f005';
  const samsMac = '63c1d2e3f4a5b6c7d8e9f011';
  const chrome = (systemId: string) =>
    app(systemId, {
      name: 'Google Chrome.app',
      display_name: 'Google Chrome',
      bundle_name: 'Chrome',
      bundle_identifier: 'com.google.Chrome',
      bundle_executable: 'Google Chrome',
      bundle_package_type: 'APPL',
      bundle_short_version: '122.0.6261.129',
      bundle_version: '6261.129',
      category: 'public.app-category.productivity',
      path: '/Applications/Google Chrome.app',
      minimum_system_version: '10.15',
      last_opened_time: 1710000000.0,
    });
  return [
    chrome(janesMac),
    app(janesMac, {
      name: 'Calculator.app',
      display_name: '',
      bundle_name: 'Calculator',
      bundle_identifier: 'com.apple.calculator',
      bundle_package_type: 'APPL',
      bundle_short_version: '11.0',
      bundle_version: '210',
      path: '/System/Applications/Calculator.app',
      last_opened_time: -1.0,
    }),
    app(janesMac, {
      name: 'Slack.app',
      bundle_name: 'Slack',
      bundle_identifier: 'com.tinyspeck.slackmacgap',
      bundle_package_type: 'APPL',
      bundle_short_version: '4.36.140',
      bundle_version: '436140',
      category: 'public.app-category.business',
      path: '/Applications/Slack.app',
      last_opened_time: 1709990000.0,
    }),
    app(priyasMac, {
      name: 'Safari.app',
      display_name: 'Safari',
      bundle_name: 'Safari',
      bundle_identifier: 'com.apple.Safari',
      bundle_package_type: 'APPL',
      bundle_short_version: '18.3',
      bundle_version: '20620.2.4.11.5',
      category: 'public.app-category.productivity',
      path: '/Applications/Safari.app',
      last_opened_time: 1710001000.0,
    }),
    app(priyasMac, {
      name: 'zoom.us.app',
      display_name: 'zoom.us',
      bundle_name: 'zoom.us',
      bundle_identifier: 'us.zoom.xos',
      bundle_package_type: 'APPL',
      bundle_short_version: '6.3.11',
      bundle_version: '6.3.11 (49952)',
      path: '/Applications/zoom.us.app',
      last_opened_time: 1709800000.0,
    }),
    app(priyasMac, {
      name: 'Figma.app',
      display_name: 'Figma',
      bundle_name: 'Figma',
      bundle_identifier: 'com.figma.Desktop',
      bundle_package_type: 'APPL',
      bundle_short_version: '124.7.4',
      bundle_version: '124.7.4',
      category: 'public.app-category.graphics-design',
      path: '/Applications/Figma.app',
      last_opened_time: 1710002000.0,
    }),
    chrome(samsMac),
    app(samsMac, {
      name: 'Numbers.app',
      display_name: 'Numbers',
      bundle_name: 'Numbers',
      bundle_identifier: 'com.apple.iWork.Numbers',
      bundle_package_type: 'APPL',
      bundle_short_version: '14.3',
      bundle_version: '7038.0.88',
      category: 'public.app-category.productivity',
      path: '/Applications/Numbers.app',
      last_opened_time: 1709500000.0,
    }),
  ];
}

function seedOrganizations(): Doc[] {
  const settings = (name: string, contactName: string, contactEmail: string): Doc => ({
    name,
    contactName,
    contactEmail,
    newSystemUserStateDefaults: { manualEntry: 'ACTIVATED', csvImport: 'STAGED', applicationImport: 'STAGED' },
    passwordPolicy: { minLength: 8 },
  });
  return [
    {
      _id: orgExample,
      displayName: 'Example Corp',
      created: '2019-02-11T09:00:00.000Z',
      logoUrl: 'https://cdn.example.com/logos/example.png',
      provider: providerId,
      hasCreditCard: true,
      settings: settings('Example Corp', 'Jane Doe', 'it@example.com'),
    },
    {
      _id: orgAcme,
      displayName: 'Acme Retail',
      created: '2021-07-19T13:45:00.000Z',
      logoUrl: '',
      provider: providerId,
      hasCreditCard: false,
      settings: settings('Acme Retail', 'Sam Lee', 'it@acme.example.com'),
    },
    {
      _id: orgGlobex,
      displayName: 'Globex Labs',
      created: '2023-11-29T08:30:00.000Z',
      logoUrl: '',
      provider: providerId,
      hasCreditCard: false,
      settings: settings('Globex Labs', 'Tom Becker', 'ops@globex.example.com'),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Lists: paging and filters

interface Page {
  limit: number;
  skip: number;
}

/** `limit` (default 10, capped) and `skip` (default 0); a 400 when either is not a whole number. */
function paging(params: URLSearchParams, maxLimit: number): Page | Response {
  const read = (name: string, fallback: number): number | undefined => {
    const raw = params.get(name);
    if (raw === null || raw === '') return fallback;
    return /^\d+$/.test(raw) ? Number(raw) : undefined;
  };
  const limit = read('limit', 10);
  const skip = read('skip', 0);
  if (limit === undefined) return error(400, 'limit: must be a non-negative integer', 'INVALID_ARGUMENT');
  if (skip === undefined) return error(400, 'skip: must be a non-negative integer', 'INVALID_ARGUMENT');
  return { limit: Math.min(limit === 0 ? 10 : limit, maxLimit), skip };
}

function getPath(record: Doc, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Doc)[part];
  }
  return value;
}

type Predicate = (record: Doc) => boolean;

function compare(actual: unknown, expected: string): number | undefined {
  if (actual === undefined || actual === null) return undefined;
  if (typeof actual === 'number' && expected.trim() !== '' && !Number.isNaN(Number(expected))) return actual - Number(expected);
  const text = String(actual);
  return text < expected ? -1 : text > expected ? 1 : 0;
}

/** One v1 filter, `<field>:$<op>:<value>` (the value may hold colons). */
function v1Filter(text: string): Predicate | string {
  const match = /^([^:]+):(\$[a-z]+):(.*)$/s.exec(text);
  if (!match) return `invalid filter "${text}": expected <field>:<operator>:<value>`;
  const [, field, op, value] = match as unknown as [string, string, string, string];
  const test: Record<string, (c: number | undefined) => boolean> = {
    $eq: (c) => c === 0,
    $ne: (c) => c !== 0,
    $gt: (c) => c !== undefined && c > 0,
    $gte: (c) => c !== undefined && c >= 0,
    $lt: (c) => c !== undefined && c < 0,
    $lte: (c) => c !== undefined && c <= 0,
  };
  const check = test[op];
  if (!check) return `invalid filter operator "${op}"`;
  return (record) => check(compare(getPath(record, field), value));
}

/** v1 filters: `filter` (repeatable) and `filter[N]` are ANDed, `filter[or][N]` ORed. */
function v1Filters(params: URLSearchParams): Predicate | Response {
  const all: Predicate[] = [];
  const any: Predicate[] = [];
  for (const [key, value] of params) {
    const and = key === 'filter' || /^filter\[(and\]\[)?\d*\]$/.test(key);
    const or = /^filter\[or\]\[\d*\]$/.test(key);
    if (!and && !or) continue;
    const predicate = v1Filter(value);
    if (typeof predicate === 'string') return error(400, predicate, 'INVALID_ARGUMENT');
    (or ? any : all).push(predicate);
  }
  return (record) => all.every((p) => p(record)) && (any.length === 0 || any.some((p) => p(record)));
}

/** v2 System Insights filters: `<field>:eq:<value>` or `<field>:in:<a>|<b>`, on the fields the table documents. */
function v2Filters(params: URLSearchParams, fields: readonly string[]): Predicate | Response {
  const all: Predicate[] = [];
  for (const [key, value] of params) {
    if (key !== 'filter' && !/^filter\[\d*\]$/.test(key)) continue;
    const match = /^([^:]+):(eq|in):(.*)$/s.exec(value);
    if (!match) return error(400, `invalid filter "${value}": expected <field>:eq:<value> or <field>:in:<value>|<value>`, 'INVALID_ARGUMENT');
    const [, field, op, operand] = match as unknown as [string, string, string, string];
    if (!fields.includes(field)) return error(400, `invalid filter field "${field}": valid fields are ${fields.join(', ')}`, 'INVALID_ARGUMENT');
    const values = op === 'in' ? operand.split('|') : [operand];
    all.push((record) => values.includes(String(record[field] ?? '')));
  }
  return (record) => all.every((p) => p(record));
}

// ---------------------------------------------------------------------------------------------
// System user writes

const stringFields = [
  'username', 'email', 'firstname', 'middlename', 'lastname', 'displayname', 'password', 'state', 'company', 'department',
  'jobTitle', 'employeeIdentifier', 'employeeType', 'costCenter', 'location', 'manager', 'alternateEmail', 'managedAppleId',
  'description', 'public_key', 'external_dn', 'external_source_type', 'password_expiration_date',
] as const;
const booleanFields = [
  'activated', 'suspended', 'account_locked', 'sudo', 'passwordless_sudo', 'enable_managed_uid', 'enable_user_portal_multifactor',
  'externally_managed', 'ldap_binding_user', 'samba_service_user', 'password_never_expires', 'allow_public_key',
  'disableDeviceMaxLoginAttempts',
] as const;
const arrayFields = ['phoneNumbers', 'addresses', 'attributes', 'tags', 'ssh_keys', 'relationships'] as const;
const objectFields = ['mfa', 'recoveryEmail'] as const;
const integerFields = ['unix_uid', 'unix_guid'] as const;
const userStates = ['STAGED', 'ACTIVATED', 'SUSPENDED'];

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const usernamePattern = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** The writable `systemuserputpost` fields of a body, type-checked; unknown fields are dropped. */
function userFields(body: Doc, violations: FieldViolation[]): Doc {
  const out: Doc = {};
  const take = (names: readonly string[], ok: (value: unknown) => boolean, expected: string) => {
    for (const name of names) {
      if (!(name in body)) continue;
      const value = body[name];
      if (ok(value)) out[name] = clone(value);
      else violations.push({ field: name, description: `must be ${expected}` });
    }
  };
  take(stringFields, (v) => typeof v === 'string' || v === null, 'a string');
  take(booleanFields, (v) => typeof v === 'boolean', 'a boolean');
  take(arrayFields, (v) => Array.isArray(v), 'an array');
  take(objectFields, (v) => v !== null && typeof v === 'object' && !Array.isArray(v), 'an object');
  take(integerFields, (v) => Number.isInteger(v), 'an integer');
  return out;
}

// ---------------------------------------------------------------------------------------------
// The emulator

export function createJumpCloudEmulator(): Emulator {
  const users = new Table<Doc>(seedUsers(), '_id');
  const systems = new Table<Doc>(seedSystems(), '_id');
  const organizations = new Table<Doc>(seedOrganizations(), '_id');
  const state = { apps: seedApps() };
  // Fresh ObjectIds for created users: a fixed prefix and the table's counter.
  const newId = (n: number) => `66f0a1b2c3d4e5f6a7b8${n.toString(16).padStart(4, '0')}`;
  let nextUid = 5100;

  /** The organization an MSP admin acts on, from `x-org-id` (required on every data route). */
  function tenant(request: Request): string | Response {
    const header = request.headers.get('x-org-id');
    if (header === null || header === '') return json({ message: 'Unauthorized: no organization selected' }, 401);
    if (!objectId.test(header)) return error(400, 'x-org-id: Malformed ID', 'INVALID_ARGUMENT');
    if (!organizations.get(header)) return error(404, 'Organization ID Not Found', 'NOT_FOUND');
    return header;
  }

  function inOrg(table: Table<Doc>, id: string, org: string): Doc | undefined {
    const row = table.get(id);
    return row && row.organization === org ? row : undefined;
  }

  function list(records: Doc[], params: URLSearchParams, filter: Predicate | Response): Response {
    if (filter instanceof Response) return filter;
    const page = paging(params, 100);
    if (page instanceof Response) return page;
    const matching = records.filter(filter);
    return json({ totalCount: matching.length, results: matching.slice(page.skip, page.skip + page.limit) });
  }

  /** Uniqueness and format checks shared by create and update. */
  function checkUser(fields: Doc, org: string, selfId: string | undefined, violations: FieldViolation[]): Response | undefined {
    const peers = users.filter((u) => u.organization === org && u._id !== selfId);
    if (typeof fields.username === 'string' && !usernamePattern.test(fields.username)) {
      violations.push({ field: 'username', description: 'must start with a letter and hold no spaces or @' });
    }
    for (const name of ['email', 'alternateEmail'] as const) {
      const value = fields[name];
      if (typeof value === 'string' && value !== '' && !emailPattern.test(value)) violations.push({ field: name, description: 'must be a valid email address' });
    }
    if (typeof fields.state === 'string' && !userStates.includes(fields.state)) {
      violations.push({ field: 'state', description: `must be one of ${userStates.join(', ')}` });
    }
    if (typeof fields.manager === 'string' && fields.manager !== '' && !peers.some((u) => u._id === fields.manager)) {
      violations.push({ field: 'manager', description: 'must be the id of a user of the organization' });
    }
    if (violations.length) return errorDetails('Bad Request', violations);
    const username = typeof fields.username === 'string' ? fields.username.toLowerCase() : undefined;
    const email = typeof fields.email === 'string' ? fields.email.toLowerCase() : undefined;
    if (username && peers.some((u) => String(u.username).toLowerCase() === username)) {
      return errorDetails('User already exists', [{ field: 'username', description: 'unique' }]);
    }
    if (email && peers.some((u) => String(u.email).toLowerCase() === email)) {
      return errorDetails('User already exists', [{ field: 'email', description: 'unique' }]);
    }
    return undefined;
  }

  /** Password policy of the organization (minimum length); details only with `fullValidationDetails=password`. */
  function checkPassword(fields: Doc, org: string, params: URLSearchParams): Response | undefined {
    if (typeof fields.password !== 'string') return undefined;
    const policy = (organizations.get(org)?.settings as Doc | undefined)?.passwordPolicy as Doc | undefined;
    const minLength = Number(policy?.minLength ?? 8);
    if (fields.password.length >= minLength) return undefined;
    return errorDetails('Password validation fail', [{ field: 'password', description: 'minLength' }], params.get('fullValidationDetails') === 'password');
  }

  async function jsonBody(request: Request): Promise<Doc | Response> {
    const body = await readBody(request);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return errorDetails('Bad Request', [{ field: 'body', description: 'must be a JSON object' }]);
    }
    return body as Doc;
  }

  async function createUser(request: Request, org: string, params: URLSearchParams): Promise<Response> {
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const violations: FieldViolation[] = [];
    const fields = userFields(body, violations);
    for (const required of ['username', 'email'] as const) {
      if (typeof fields[required] !== 'string' || fields[required] === '') violations.push({ field: required, description: 'required' });
    }
    const refused = checkUser(fields, org, undefined, violations) ?? checkPassword(fields, org, params);
    if (refused) return refused;
    const hasPassword = typeof fields.password === 'string';
    delete fields.password;
    const userState = typeof fields.state === 'string' ? fields.state : fields.suspended === true ? 'SUSPENDED' : hasPassword ? 'ACTIVATED' : 'STAGED';
    const uid = nextUid++;
    const created = users.insert((n) =>
      systemUser({
        _id: newId(n),
        unix_uid: uid,
        unix_guid: uid,
        ...fields,
        state: userState,
        activated: hasPassword || userState === 'ACTIVATED',
        suspended: userState === 'SUSPENDED',
        organization: org,
        created: new Date().toISOString(),
        creationSource: 'api',
      }),
    );
    return json(created);
  }

  async function updateUser(request: Request, current: Doc, org: string, params: URLSearchParams): Promise<Response> {
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const violations: FieldViolation[] = [];
    const fields = userFields(body, violations);
    for (const required of ['username', 'email'] as const) {
      if (required in fields && (typeof fields[required] !== 'string' || fields[required] === '')) violations.push({ field: required, description: 'must not be empty' });
    }
    if (fields.manager === current._id) violations.push({ field: 'manager', description: 'a user cannot manage themselves' });
    const id = String(current._id);
    const refused = checkUser(fields, org, id, violations) ?? checkPassword(fields, org, params);
    if (refused) return refused;
    const patch: Doc = { ...fields };
    if (typeof patch.password === 'string') {
      delete patch.password;
      patch.activated = true;
      patch.password_expired = false;
      if (current.state === 'STAGED' && fields.state === undefined) patch.state = 'ACTIVATED';
    }
    if (typeof fields.state === 'string') patch.suspended = fields.state === 'SUSPENDED';
    else if (typeof fields.suspended === 'boolean') patch.state = fields.suspended ? 'SUSPENDED' : current.activated || patch.activated ? 'ACTIVATED' : 'STAGED';
    return json(users.update(id, patch));
  }

  async function systemUsers(request: Request, id: string | undefined, params: URLSearchParams): Promise<Response> {
    const org = tenant(request);
    if (org instanceof Response) return org;
    if (id === undefined) {
      if (request.method === 'GET') return list(users.filter((u) => u.organization === org), params, v1Filters(params));
      if (request.method === 'POST') return createUser(request, org, params);
      return methodNotAllowed();
    }
    const current = inOrg(users, id, org);
    if (!current) return notFound('User not found');
    switch (request.method) {
      case 'GET':
        return json(current);
      case 'PUT':
        return updateUser(request, current, org, params);
      case 'DELETE':
        if (users.some((u) => u.manager === id)) return error(409, 'User is a manager of other users', 'ALREADY_EXISTS');
        users.delete(id);
        return json(current);
      default:
        return methodNotAllowed();
    }
  }

  const systemPutFields: Record<string, (value: unknown) => boolean> = {
    displayName: (v) => typeof v === 'string' && v.trim() !== '',
    allowSshPasswordAuthentication: (v) => typeof v === 'boolean',
    allowSshRootLogin: (v) => typeof v === 'boolean',
    allowMultiFactorAuthentication: (v) => typeof v === 'boolean',
    allowPublicKeyAuthentication: (v) => typeof v === 'boolean',
    agentBoundMessages: (v) => Array.isArray(v),
    tags: (v) => Array.isArray(v) && v.every((t) => typeof t === 'string'),
  };

  async function systemsRoute(request: Request, id: string | undefined, params: URLSearchParams): Promise<Response> {
    const org = tenant(request);
    if (org instanceof Response) return org;
    if (id === undefined) {
      if (request.method === 'GET') return list(systems.filter((s) => s.organization === org), params, v1Filters(params));
      return methodNotAllowed();
    }
    const current = inOrg(systems, id, org);
    if (!current) return notFound('System not found');
    switch (request.method) {
      case 'GET':
        return json(current);
      case 'PUT': {
        const body = await readBody(request);
        if (body === null || typeof body !== 'object' || Array.isArray(body)) return error(400, 'Bad Request: the body must be a JSON object', 'INVALID_ARGUMENT');
        const patch: Doc = {};
        for (const [name, value] of Object.entries(body as Doc)) {
          const ok = systemPutFields[name];
          if (!ok) continue; // not a `systemput` field: ignored
          if (!ok(value)) return error(400, `Bad Request: invalid value for ${name}`, 'INVALID_ARGUMENT');
          patch[name] = value;
        }
        return json(systems.update(id, patch));
      }
      case 'DELETE':
        systems.delete(id);
        // The agent uninstalls itself; System Insights forgets the system.
        state.apps = state.apps.filter((a) => a.system_id !== id);
        return json(current);
      default:
        return methodNotAllowed();
    }
  }

  function organizationsRoute(request: Request, id: string | undefined, params: URLSearchParams): Response {
    if (request.method !== 'GET') return methodNotAllowed();
    const header = request.headers.get('x-org-id');
    if (id === undefined) {
      if (header) return error(403, 'ID included on unsupported route', 'PERMISSION_DENIED');
      const records = organizations.all().map((o) => ({ _id: o._id, displayName: o.displayName, logoUrl: o.logoUrl }));
      return list(records, params, v1Filters(params));
    }
    if (!header) return json({ message: 'Unauthorized: no organization selected' }, 401);
    if (!objectId.test(header)) return error(400, 'x-org-id: Malformed ID', 'INVALID_ARGUMENT');
    if (header !== id) return error(400, 'x-org-id and Organization path ID do not match', 'INVALID_ARGUMENT');
    const organization = organizations.get(id);
    return organization ? json(organization) : error(404, 'Organization ID Not Found', 'NOT_FOUND');
  }

  function insightsApps(request: Request, systemId: string | undefined, params: URLSearchParams): Response {
    if (request.method !== 'GET') return methodNotAllowed();
    const org = tenant(request);
    if (org instanceof Response) return org;
    const filter = v2Filters(params, ['system_id', 'bundle_name']);
    if (filter instanceof Response) return filter;
    const page = paging(params, 10000);
    if (page instanceof Response) return page;
    if (systemId !== undefined && !inOrg(systems, systemId, org)) return notFound('System not found');
    const ours = new Set(systems.filter((s) => s.organization === org).map((s) => String(s._id)));
    const rows = state.apps.filter((a) => ours.has(String(a.system_id)) && (systemId === undefined || a.system_id === systemId)).filter(filter);
    return json(clone(rows.slice(page.skip, page.skip + page.limit)));
  }

  return {
    integration: 'jumpcloud',
    origins: [origin],
    context: {
      api_host: 'console.jumpcloud.com',
      api_key: apiKey,
      org_id: orgExample,
    },
    async handle(request: Request): Promise<Response> {
      const url = new URL(request.url);
      const path = url.pathname.replace(/\/+$/, '');
      if (path !== '/api' && !path.startsWith('/api/')) return notFound();
      const key = request.headers.get('x-api-key');
      if (!key) return json({ error: 'Unauthorized', message: 'Unauthorized: no api key' }, 401);
      if (key !== apiKey) return json({ error: 'Unauthorized', message: 'Unauthorized: api key user not found' }, 401);
      let parts: string[];
      try {
        parts = path.slice('/api/'.length).split('/').map((p) => decodeURIComponent(p));
      } catch {
        return notFound();
      }
      const params = url.searchParams;
      const [first, second, third, fourth] = parts;
      if (parts.length <= 2) {
        if (first === 'systemusers') return systemUsers(request, second, params);
        if (first === 'systems') return systemsRoute(request, second, params);
        if (first === 'organizations') return organizationsRoute(request, second, params);
      }
      if (first === 'v2' && second === 'systeminsights') {
        if (parts.length === 3 && third === 'apps') return insightsApps(request, undefined, params);
        if (parts.length === 4 && fourth === 'apps' && third) return insightsApps(request, third, params);
      }
      return notFound();
    },
  };
}
