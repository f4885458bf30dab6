/**
 * The NinjaOne sandbox emulator: the NinjaOne Public API v2 in miniature, as
 * `mappings/ninjaone.yaml` calls it.
 *
 * - OAuth2 client credentials on `POST /ws/oauth/token` (form body); every `/v2/...` call needs
 *   `Authorization: Bearer <access token>`, else 401 `{"error":"not_authenticated",…}`.
 * - `GET /v2/users` (one unpaged array of User, `userType` filter).
 * - `GET /v2/devices-detailed` and `GET /v2/organizations`: bare arrays paged by `pageSize` and
 *   `after` (the last id of the previous page), no token and no total; devices take the device
 *   filter `df` (`org = 12 AND class in (MAC, MAC_SERVER)`).
 * - `GET`/`PATCH /v2/device/{id}`, `GET`/`PATCH /v2/organization/{id}`, `POST /v2/organizations`:
 *   the PATCHes answer 204 with no body.
 * - `GET /v2/queries/software`: the software inventory report `{cursor, results}`, paged by a
 *   named server cursor (`cursor=<cursor.name>`), filtered by `df`.
 * - Errors: `{"resultCode":"FAILURE","errorMessage":"HTTP 404 Not Found","incidentId":"…"}`.
 *
 * No Node built-ins: it runs in Workers too. Every `createNinjaOneEmulator()` has its own state.
 */
import { bearer, clone, empty, json, readBody, Table, type Emulator } from './emulator.js';

const ORIGIN = 'https://app.ninjarmm.com';
const CLIENT_ID = 'sandbox-client-id';
const CLIENT_SECRET = 'sandbox-client-secret';
const SCOPES = ['monitoring', 'management', 'control'];
const TOKEN_SECONDS = 3600;
const CURSOR_SECONDS = 3600;

type Obj = Record<string, unknown>;

type NinjaUser = {
  id: number;
  uid: string;
  firstName: string;
  lastName: string;
  email: string;
  phone?: string;
  enabled: boolean;
  administrator: boolean;
  permitAllClients: boolean;
  notifyAllClients: boolean;
  mustChangePw: boolean;
  mfaConfigured: boolean;
  userType: 'TECHNICIAN' | 'END_USER';
  invitationStatus: 'REGISTERED' | 'PENDING' | 'EXPIRED';
  organizationId?: number;
  /** Devices the end user may access. */
  deviceIds: number[];
  roles: string[];
};

type Location = { id: number; name: string; address?: string; description?: string; userData: Obj };
type PolicyMapping = { nodeRoleId: number; policyId: number };

/** Stored as OrganizationDetailed; the list answers the brief Organization. */
type NinjaOrganization = {
  id: number;
  name: string;
  description?: string;
  userData: Obj;
  nodeApprovalMode: 'AUTOMATIC' | 'MANUAL' | 'REJECT';
  tags?: string[];
  fields?: Obj;
  locations: Location[];
  policies: PolicyMapping[];
  settings?: Obj;
};

type NinjaPolicy = { id: number; name: string; nodeClass: string; nodeClassDefault: boolean };

/** A Device (AgentDevice for computers): the `/v2/devices-detailed` item; the GET adds `references`. */
type NinjaDevice = {
  id: number;
  uid: string;
  assignedOwnerUid?: string;
  organizationId: number;
  locationId: number;
  nodeClass: string;
  nodeRoleId: number;
  rolePolicyId?: number;
  policyId?: number | null;
  approvalStatus: 'PENDING' | 'STAGED' | 'APPROVED' | 'DECOMMISSIONED';
  offline: boolean;
  displayName?: string;
  systemName?: string;
  dnsName?: string;
  netbiosName?: string;
  created: number;
  lastContact?: number;
  lastUpdate?: number;
  userData?: Obj;
  tags?: string[];
  [field: string]: unknown;
};

/** Application (installed software) of one device; the report adds `deviceId` and `timestamp`. */
type Application = {
  name: string;
  publisher?: string;
  version?: string;
  installDate?: string;
  location?: string;
  size?: number;
  productCode?: string;
  isSystemComponent?: boolean;
};

const NODE_CLASSES = new Set([
  'WINDOWS_SERVER', 'WINDOWS_WORKSTATION', 'LINUX_WORKSTATION', 'MAC', 'ANDROID', 'APPLE_IOS', 'APPLE_IPADOS', 'VMWARE_VM_HOST', 'VMWARE_VM_GUEST', 'HYPERV_VMM_HOST',
  'HYPERV_VMM_GUEST', 'LINUX_SERVER', 'MAC_SERVER', 'CLOUD_MONITOR_TARGET', 'NMS_SWITCH', 'NMS_ROUTER', 'NMS_FIREWALL', 'NMS_PRIVATE_NETWORK_GATEWAY', 'NMS_PRINTER',
  'NMS_SCANNER', 'NMS_DIAL_MANAGER', 'NMS_WAP', 'NMS_IPSLA', 'NMS_COMPUTER', 'NMS_VM_HOST', 'NMS_APPLIANCE', 'NMS_OTHER', 'NMS_SERVER', 'NMS_PHONE',
  'NMS_VIRTUAL_MACHINE', 'NMS_NETWORK_MANAGEMENT_AGENT', 'UNMANAGED_DEVICE', 'MANAGED_DEVICE',
]);
const APPROVAL_STATUSES = new Set(['PENDING', 'STAGED', 'APPROVED', 'DECOMMISSIONED']);
const APPROVAL_MODES = new Set(['AUTOMATIC', 'MANUAL', 'REJECT']);
/** Device roles (nodeRoleId) of the demo instance. */
const NODE_ROLES: Record<number, string> = { 4: 'WINDOWS_WORKSTATION', 5: 'WINDOWS_SERVER', 6: 'LINUX_SERVER', 7: 'MAC', 9: 'APPLE_IPADOS', 10: 'APPLE_IOS', 11: 'ANDROID' };

function uuid(n: number): string {
  return `5a1b0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function seedPolicies(): NinjaPolicy[] {
  return [
    { id: 17, name: 'Windows Workstations - Default', nodeClass: 'WINDOWS_WORKSTATION', nodeClassDefault: true },
    { id: 19, name: 'macOS - Design team', nodeClass: 'MAC', nodeClassDefault: false },
    { id: 20, name: 'macOS - Default', nodeClass: 'MAC', nodeClassDefault: true },
    { id: 21, name: 'iPadOS - Default', nodeClass: 'APPLE_IPADOS', nodeClassDefault: true },
    { id: 22, name: 'iPadOS - Front desk kiosk', nodeClass: 'APPLE_IPADOS', nodeClassDefault: false },
    { id: 25, name: 'Windows Workstations - Logistics', nodeClass: 'WINDOWS_WORKSTATION', nodeClassDefault: false },
    { id: 30, name: 'Linux Servers - Default', nodeClass: 'LINUX_SERVER', nodeClassDefault: true },
    { id: 33, name: 'Windows Servers - Default', nodeClass: 'WINDOWS_SERVER', nodeClassDefault: true },
    { id: 36, name: 'iOS - Default', nodeClass: 'APPLE_IOS', nodeClassDefault: true },
  ];
}

function seedOrganizations(): NinjaOrganization[] {
  return [
    {
      id: 12,
      name: 'Acme Dental',
      description: 'Three clinics, managed since 2023',
      userData: {},
      nodeApprovalMode: 'MANUAL',
      locations: [
        { id: 31, name: 'Main clinic', address: '1 Example Street, Springfield', description: '', userData: {} },
        { id: 32, name: 'North clinic', address: '48 Harbor Road, Springfield', description: 'Opened 2024', userData: {} },
      ],
      policies: [
        { nodeRoleId: 4, policyId: 17 },
        { nodeRoleId: 7, policyId: 20 },
        { nodeRoleId: 9, policyId: 21 },
        { nodeRoleId: 6, policyId: 30 },
      ],
      settings: { trayicon: { enabled: true, targets: [], options: {} } },
    },
    {
      id: 14,
      name: 'Globex Logistics',
      userData: {},
      nodeApprovalMode: 'AUTOMATIC',
      locations: [{ id: 40, name: 'Warehouse', address: '200 Depot Avenue, Shelbyville', description: '', userData: {} }],
      policies: [
        { nodeRoleId: 4, policyId: 25 },
        { nodeRoleId: 5, policyId: 33 },
        { nodeRoleId: 6, policyId: 30 },
      ],
      settings: { trayicon: { enabled: false, targets: [], options: {} } },
    },
    {
      id: 16,
      name: 'Stark Architecture',
      description: 'Design studio, Mac fleet',
      userData: { accountManager: 'Alex Smith' },
      nodeApprovalMode: 'AUTOMATIC',
      locations: [{ id: 45, name: 'Studio', address: '9 Canal Street, Capital City', description: '', userData: {} }],
      policies: [
        { nodeRoleId: 4, policyId: 17 },
        { nodeRoleId: 7, policyId: 20 },
        { nodeRoleId: 10, policyId: 36 },
      ],
      settings: { trayicon: { enabled: true, targets: [], options: {} } },
    },
  ];
}

function seedUsers(): NinjaUser[] {
  const base = { permitAllClients: false, notifyAllClients: false, mustChangePw: false, administrator: false };
  return [
    { ...base, id: 7, uid: uuid(7), firstName: 'Alex', lastName: 'Smith', email: 'alex.smith@msp.example.com', phone: '+1 555 0101', enabled: true, administrator: true, permitAllClients: true, mfaConfigured: true, userType: 'TECHNICIAN', invitationStatus: 'REGISTERED', deviceIds: [], roles: ['System Administrator'] },
    { ...base, id: 8, uid: uuid(8), firstName: 'Priya', lastName: 'Natarajan', email: 'priya.natarajan@msp.example.com', phone: '+1 555 0102', enabled: true, mfaConfigured: true, notifyAllClients: true, userType: 'TECHNICIAN', invitationStatus: 'REGISTERED', deviceIds: [], roles: ['Helpdesk'] },
    { ...base, id: 88, uid: '0b9f3c2a-6d1e-4f7a-8c55-9e2d1a4b7c33', firstName: 'Jane', lastName: 'Doe', email: 'jane.doe@example.com', phone: '+1 555 0100', enabled: true, mfaConfigured: false, userType: 'END_USER', invitationStatus: 'REGISTERED', organizationId: 12, deviceIds: [1042, 1043], roles: [] },
    { ...base, id: 90, uid: uuid(90), firstName: 'Marcus', lastName: 'Lee', email: 'marcus.lee@globex.example.com', enabled: false, mfaConfigured: false, userType: 'END_USER', invitationStatus: 'PENDING', organizationId: 14, deviceIds: [], roles: [] },
    { ...base, id: 91, uid: uuid(91), firstName: 'Sofia', lastName: 'Rossi', email: 'sofia.rossi@stark.example.com', phone: '+1 555 0144', enabled: true, mfaConfigured: true, userType: 'END_USER', invitationStatus: 'REGISTERED', organizationId: 16, deviceIds: [1044], roles: [] },
    { ...base, id: 92, uid: uuid(92), firstName: 'Tom', lastName: 'Becker', email: 'tom.becker@stark.example.com', enabled: true, mfaConfigured: false, mustChangePw: true, userType: 'END_USER', invitationStatus: 'REGISTERED', organizationId: 16, deviceIds: [1052], roles: [] },
  ];
}

function seedDevices(): NinjaDevice[] {
  return [
    {
      id: 1042,
      uid: '7c0e5a8e-3f6b-4d0e-9a61-2b7d4c9e1f10',
      assignedOwnerUid: '0b9f3c2a-6d1e-4f7a-8c55-9e2d1a4b7c33',
      organizationId: 12,
      locationId: 31,
      nodeClass: 'WINDOWS_WORKSTATION',
      nodeRoleId: 4,
      rolePolicyId: 17,
      approvalStatus: 'APPROVED',
      offline: false,
      displayName: 'Finance laptop 07',
      systemName: 'FIN-LT-07',
      dnsName: 'fin-lt-07.corp.example.com',
      netbiosName: 'FIN-LT-07',
      created: 1709823341.512,
      lastContact: 1732790402.07,
      lastUpdate: 1732790398.9,
      userData: {},
      tags: ['finance', 'loaner'],
      maintenance: { status: 'PENDING', start: 1732838400.0, end: 1732842000.0 },
      ipAddresses: ['10.20.4.57'],
      macAddresses: ['3C:52:82:1A:9F:04'],
      publicIP: '203.0.113.24',
      notes: [{ text: 'Loaner pool' }],
      deviceType: 'AgentDevice',
      os: { manufacturer: 'Microsoft Corporation', name: 'Windows 11 Pro', architecture: '64-bit', lastBootTime: 1732700011.0, buildNumber: '22631', releaseId: '23H2', needsReboot: false },
      system: { name: 'FIN-LT-07', manufacturer: 'Dell Inc.', model: 'Latitude 5440', biosSerialNumber: '7XK2QZ3', serialNumber: '7XK2QZ3', domain: 'corp.example.com', virtualMachine: false, chassisType: 'LAPTOP' },
      memory: { capacity: 17179869184 },
      lastLoggedInUser: 'CORP\\jdoe',
    },
    {
      id: 1043,
      uid: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      organizationId: 12,
      locationId: 31,
      nodeClass: 'APPLE_IPADOS',
      nodeRoleId: 9,
      rolePolicyId: 21,
      policyId: 22,
      approvalStatus: 'PENDING',
      offline: true,
      displayName: '',
      systemName: 'Front desk iPad',
      created: 1718000000,
      lastContact: 1732780000,
      tags: [],
      ipAddresses: [],
      macAddresses: [],
      deviceType: 'MdmDevice',
      system: { name: 'Front desk iPad', manufacturer: 'Apple', model: 'iPad (10th generation)', serialNumber: 'F9FXK2ABCD' },
    },
    {
      id: 1044,
      uid: uuid(1044),
      assignedOwnerUid: uuid(91),
      organizationId: 16,
      locationId: 45,
      nodeClass: 'MAC',
      nodeRoleId: 7,
      rolePolicyId: 20,
      policyId: 19,
      approvalStatus: 'APPROVED',
      offline: false,
      displayName: 'Design MacBook 03',
      systemName: 'DESIGN-MB-03',
      dnsName: 'design-mb-03.stark.example.com',
      created: 1712150400.25,
      lastContact: 1732791000.5,
      lastUpdate: 1732790950.0,
      userData: {},
      tags: ['design'],
      ipAddresses: ['10.30.1.23', 'fe80::1c2b:3aff:fe4d:5e6f'],
      macAddresses: ['A4:83:E7:10:22:33'],
      publicIP: '198.51.100.7',
      deviceType: 'AgentDevice',
      os: { manufacturer: 'Apple Inc.', name: 'macOS Sonoma', architecture: 'arm64', buildNumber: '23H222', needsReboot: false },
      system: { name: 'DESIGN-MB-03', manufacturer: 'Apple Inc.', model: 'MacBookPro18,3', serialNumber: 'C02XK1ABMD6T', virtualMachine: false, chassisType: 'LAPTOP' },
      memory: { capacity: 34359738368 },
      lastLoggedInUser: 'srossi',
    },
    {
      id: 1050,
      uid: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
      organizationId: 14,
      locationId: 40,
      nodeClass: 'LINUX_SERVER',
      nodeRoleId: 6,
      rolePolicyId: 30,
      approvalStatus: 'DECOMMISSIONED',
      offline: true,
      displayName: 'build-01',
      systemName: 'build-01',
      dnsName: 'build-01.lab.example.net',
      created: 1709823341.512,
      lastContact: 1732790402.07,
      deviceType: 'AgentDevice',
      os: { manufacturer: 'Ubuntu', name: 'Ubuntu 22.04.4 LTS', architecture: 'x86_64' },
      system: { manufacturer: 'QEMU', model: 'Standard PC (Q35 + ICH9, 2009)', biosSerialNumber: 'QM-5550-01', virtualMachine: true },
    },
    {
      id: 1051,
      uid: uuid(1051),
      organizationId: 14,
      locationId: 40,
      nodeClass: 'WINDOWS_SERVER',
      nodeRoleId: 5,
      rolePolicyId: 33,
      approvalStatus: 'APPROVED',
      offline: false,
      displayName: 'Warehouse DC',
      systemName: 'GLX-DC-01',
      dnsName: 'glx-dc-01.globex.example.com',
      netbiosName: 'GLX-DC-01',
      created: 1700000000.0,
      lastContact: 1732791200.75,
      lastUpdate: 1732791100.0,
      userData: { rack: 'B2' },
      tags: ['critical'],
      ipAddresses: ['10.40.0.10'],
      macAddresses: ['00:15:5D:01:02:03'],
      publicIP: '192.0.2.44',
      deviceType: 'AgentDevice',
      os: { manufacturer: 'Microsoft Corporation', name: 'Windows Server 2022 Standard', architecture: '64-bit', buildNumber: '20348', releaseId: '21H2', needsReboot: true },
      system: { name: 'GLX-DC-01', manufacturer: 'HPE', model: 'ProLiant DL360 Gen10', serialNumber: 'CZJ1234ABC', domain: 'globex.example.com', virtualMachine: false, chassisType: 'RACK_MOUNT' },
      memory: { capacity: 68719476736 },
      lastLoggedInUser: 'GLOBEX\\administrator',
    },
    {
      id: 1052,
      uid: uuid(1052),
      assignedOwnerUid: uuid(92),
      organizationId: 16,
      locationId: 45,
      nodeClass: 'APPLE_IOS',
      nodeRoleId: 10,
      rolePolicyId: 36,
      approvalStatus: 'APPROVED',
      offline: false,
      displayName: "Tom's iPhone",
      systemName: 'iPhone',
      created: 1720000000.0,
      lastContact: 1732785000.0,
      tags: ['byod'],
      ipAddresses: [],
      macAddresses: ['F0:18:98:AA:BB:CC'],
      deviceType: 'MdmDevice',
      system: { name: 'iPhone', manufacturer: 'Apple', model: 'iPhone 15', serialNumber: 'G6TZK9ABCD' },
    },
  ];
}

function seedSoftware(): Map<number, Application[]> {
  return new Map<number, Application[]>([
    [
      1042,
      [
        { name: 'Google Chrome', publisher: 'Google LLC', version: '131.0.6778.86', installDate: '2024-11-20T00:00:00Z', location: 'C:\\Program Files\\Google\\Chrome\\Application', size: 412316860, productCode: '{6C5E1F0A-6B0E-3F43-9E0F-5F6C3B0B3D8A}', isSystemComponent: false },
        { name: 'Microsoft Visual C++ 2015-2022 Redistributable (x64)', publisher: 'Microsoft Corporation', version: '14.40.33810.0', installDate: '2024-06-03T00:00:00Z', isSystemComponent: true },
      ],
    ],
    [
      1044,
      [
        { name: 'Slack', publisher: 'Slack Technologies, LLC', version: '4.41.105', installDate: '2024-10-02T09:15:00Z', location: '/Applications/Slack.app', size: 389021696 },
        { name: 'Figma', publisher: 'Figma, Inc.', version: '124.6.5', installDate: '2024-11-12T16:40:00Z', location: '/Applications/Figma.app', size: 512753664 },
      ],
    ],
    [
      1050,
      [{ name: 'docker-ce', publisher: 'Docker Inc.', version: '5:27.3.1-1~ubuntu.22.04~jammy', installDate: '2024-10-15T08:00:00Z', size: 101187584 }],
    ],
    [
      1051,
      [
        { name: '7-Zip 23.01 (x64)', publisher: 'Igor Pavlov', version: '23.01', installDate: '2024-02-11T00:00:00Z', location: 'C:\\Program Files\\7-Zip\\', size: 5767168, isSystemComponent: false },
        { name: 'Microsoft Edge', publisher: 'Microsoft Corporation', version: '131.0.2903.70', installDate: '2024-11-22T00:00:00Z', location: 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application', size: 689963008, isSystemComponent: false },
      ],
    ],
  ]);
}

/** A parsed device filter (`df`): a predicate, or the reason it is not valid. */
type DeviceFilter = { ok: true; test: (device: NinjaDevice) => boolean } | { ok: false; reason: string };

const FILTER_FIELDS: Record<string, { key: keyof NinjaDevice; numeric: boolean }> = {
  org: { key: 'organizationId', numeric: true },
  loc: { key: 'locationId', numeric: true },
  role: { key: 'nodeRoleId', numeric: true },
  id: { key: 'id', numeric: true },
  class: { key: 'nodeClass', numeric: false },
  status: { key: 'approvalStatus', numeric: false },
};

/**
 * The device filter as clients use it: clauses joined with ` AND `: `org = 1`, `org in (1, 2)`,
 * `org nin (…)`, `org != 1`, the same for `loc`, `role`, `id`, `class` and `status`, the words
 * `online` and `offline`, and `created after|before <date>`.
 */
function parseDeviceFilter(df: string): DeviceFilter {
  const tests: ((device: NinjaDevice) => boolean)[] = [];
  for (const raw of df.trim().split(/\s+AND\s+/i)) {
    const clause = raw.trim();
    if (/^online$/i.test(clause)) {
      tests.push((d) => !d.offline);
      continue;
    }
    if (/^offline$/i.test(clause)) {
      tests.push((d) => d.offline);
      continue;
    }
    const created = /^created\s+(after|before)\s+(\S+)$/i.exec(clause);
    if (created) {
      const at = Date.parse(created[2]!);
      if (Number.isNaN(at)) return { ok: false, reason: `Invalid date in device filter: ${created[2]}` };
      const after = created[1]!.toLowerCase() === 'after';
      tests.push((d) => (after ? d.created * 1000 > at : d.created * 1000 < at));
      continue;
    }
    const match = /^([a-z]+)\s*(!=|=|nin\b|in\b)\s*(.+)$/i.exec(clause);
    const field = match ? FILTER_FIELDS[match[1]!.toLowerCase()] : undefined;
    if (!match || !field) return { ok: false, reason: `Invalid device filter: ${clause}` };
    const op = match[2]!.toLowerCase();
    const text = match[3]!.trim();
    let values: string[];
    if (op === 'in' || op === 'nin') {
      const list = /^\((.*)\)$/.exec(text);
      if (!list) return { ok: false, reason: `Invalid device filter: ${clause}` };
      values = list[1]!.split(',').map((v) => v.trim());
    } else values = [text];
    for (const value of values) {
      if (field.numeric ? !/^\d+$/.test(value) : !(field.key === 'nodeClass' ? NODE_CLASSES : APPROVAL_STATUSES).has(value)) {
        return { ok: false, reason: `Invalid value in device filter: ${value}` };
      }
    }
    const wanted = new Set(values);
    const negate = op === '!=' || op === 'nin';
    tests.push((d) => wanted.has(String(d[field.key])) !== negate);
  }
  return { ok: true, test: (device) => tests.every((t) => t(device)) };
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function omitUndefined<T extends Obj>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A server-side report cursor: the rows it was opened on and where the next page starts. */
type ReportCursor = { rows: Obj[]; next: number; expires: number };

export function createNinjaOneEmulator(): Emulator {
  const users = new Table<NinjaUser>(seedUsers(), 'id', 100);
  const organizations = new Table<NinjaOrganization>(seedOrganizations(), 'id', 27);
  const devices = new Table<NinjaDevice>(seedDevices(), 'id', 1100);
  const policies = new Map(seedPolicies().map((p) => [p.id, p]));
  const software = seedSoftware();
  const tokens = new Map<string, { scopes: string[]; expiresAt: number }>();
  const cursors = new Map<string, ReportCursor>();
  let nextLocationId = 58;
  let tokenCount = 0;
  let incidentCount = 0;
  let cursorCount = 0;

  const now = () => Date.now() / 1000;

  function incidentId(): string {
    let n = ++incidentCount * 7919;
    let letters = '';
    for (let i = 0; i < 8; i++) {
      letters += String.fromCharCode(65 + (n % 26));
      n = Math.floor(n / 26) + i * 3;
    }
    return `WEB_MGMT_SERVICE-1a-${Math.floor(now())}-${letters}`;
  }

  /** NinjaOne's error body. */
  function failure(status: number, errorMessage: string): Response {
    return json({ resultCode: 'FAILURE', errorMessage, incidentId: incidentId() }, status);
  }
  const notFound = () => failure(404, 'HTTP 404 Not Found');
  const badRequest = (message: string) => failure(400, message);

  // ---- auth -------------------------------------------------------------------------------

  async function token(request: Request): Promise<Response> {
    if (request.method !== 'POST') return failure(405, 'HTTP 405 Method Not Allowed');
    if (!(request.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded')) {
      return json({ error: 'invalid_request', error_description: 'Content-Type must be application/x-www-form-urlencoded' }, 400);
    }
    const form = new URLSearchParams(await request.text());
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    const basic = /^Basic\s+(.+)$/i.exec(request.headers.get('authorization') ?? '');
    if (basic && !clientId) {
      const decoded = atob(basic[1]!);
      const colon = decoded.indexOf(':');
      clientId = decodeURIComponent(decoded.slice(0, colon));
      clientSecret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (form.get('grant_type') !== 'client_credentials') return json({ error: 'unsupported_grant_type' }, 400);
    if (clientId !== CLIENT_ID) return json({ resultCode: 'Client app not exist' }, 401);
    if (clientSecret !== CLIENT_SECRET) return json({ error: 'invalid_client', error_description: 'Bad client credentials' }, 401);
    const scopes = (form.get('scope') ?? 'monitoring').split(/\s+/).filter(Boolean);
    if (!scopes.length || scopes.some((s) => !SCOPES.includes(s))) return json({ error: 'invalid_scope', error_description: `Invalid scope: ${form.get('scope') ?? ''}` }, 400);
    const accessToken = `sandbox-token-${++tokenCount}-${Math.floor(now()).toString(36)}`;
    tokens.set(accessToken, { scopes, expiresAt: now() + TOKEN_SECONDS });
    return json({ access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_SECONDS, scope: scopes.join(' ') });
  }

  /** The scopes of a valid bearer token, or undefined. */
  function authorize(request: Request): string[] | undefined {
    const value = bearer(request);
    const grant = value ? tokens.get(value) : undefined;
    if (!grant || grant.expiresAt <= now()) return undefined;
    return grant.scopes;
  }

  const unauthenticated = () => json({ error: 'not_authenticated', error_description: 'Invalid credentials', error_code: 10 }, 401);

  // ---- records as the API answers them ------------------------------------------------------

  function userOut(user: NinjaUser, includeRoles: boolean): Obj {
    const { roles, ...rest } = user;
    const assignedDeviceIds = devices.filter((d) => d.assignedOwnerUid === user.uid).map((d) => d.id);
    return omitUndefined({ ...rest, deviceIds: user.deviceIds.filter((id) => devices.has(String(id))), assignedDeviceIds, roles: includeRoles ? roles : undefined });
  }

  function organizationBrief(org: NinjaOrganization): Obj {
    return omitUndefined({ id: org.id, name: org.name, description: org.description, userData: org.userData, nodeApprovalMode: org.nodeApprovalMode, tags: org.tags, fields: org.fields });
  }

  function policyOut(id: number | null | undefined): Obj | undefined {
    const policy = id === null || id === undefined ? undefined : policies.get(id);
    return policy ? { ...policy } : undefined;
  }

  /** `GET /v2/device/{id}`: the Device with its expanded references. */
  function deviceDetailed(device: NinjaDevice): Obj {
    const org = organizations.get(String(device.organizationId));
    const location = org?.locations.find((l) => l.id === device.locationId);
    const owner = device.assignedOwnerUid ? users.find((u) => u.uid === device.assignedOwnerUid) : undefined;
    const references = omitUndefined({
      organization: org ? organizationBrief(org) : undefined,
      location: location ? omitUndefined({ id: location.id, name: location.name, address: location.address, description: location.description }) : undefined,
      policy: policyOut(device.policyId),
      rolePolicy: policyOut(device.rolePolicyId),
      assignedOwner: owner ? userOut(owner, false) : undefined,
    });
    return { ...device, references };
  }

  function rolePolicyOf(orgId: number, nodeRoleId: number): number | undefined {
    return organizations.get(String(orgId))?.policies.find((p) => p.nodeRoleId === nodeRoleId)?.policyId;
  }

  // ---- paging helpers -----------------------------------------------------------------------

  /** `pageSize` and `after` of an after-id list, or the 400 for bad values. */
  function afterIdPage<T extends { id: number }>(url: URL, rows: T[]): T[] | Response {
    const pageSizeText = url.searchParams.get('pageSize');
    const afterText = url.searchParams.get('after');
    if (pageSizeText !== null && !/^\d+$/.test(pageSizeText)) return badRequest(`Invalid pageSize: ${pageSizeText}`);
    if (afterText !== null && afterText !== '' && !/^\d+$/.test(afterText)) return badRequest(`Invalid after: ${afterText}`);
    const pageSize = pageSizeText === null ? undefined : Number(pageSizeText);
    if (pageSize !== undefined && pageSize < 1) return badRequest('pageSize must be at least 1');
    const after = afterText ? Number(afterText) : undefined;
    const sorted = rows.sort((a, b) => a.id - b.id).filter((row) => after === undefined || row.id > after);
    return pageSize === undefined ? sorted : sorted.slice(0, pageSize);
  }

  function cursorName(): string {
    const n = ++cursorCount;
    const hex = ((n * 2654435761) >>> 0).toString(16).padStart(8, '0');
    return `${hex}-software-${String(n).padStart(4, '0')}`;
  }

  // ---- handlers -----------------------------------------------------------------------------

  function listUsers(url: URL): Response {
    const userType = url.searchParams.get('userType');
    if (userType !== null && userType !== 'TECHNICIAN' && userType !== 'END_USER') return badRequest(`Invalid userType: ${userType}`);
    const includeRoles = url.searchParams.get('includeRoles') === 'true';
    return json(users.filter((u) => !userType || u.userType === userType).sort((a, b) => a.id - b.id).map((u) => userOut(u, includeRoles)));
  }

  function listDevices(url: URL): Response {
    const df = url.searchParams.get('df');
    let rows = devices.all();
    if (df) {
      const filter = parseDeviceFilter(df);
      if (!filter.ok) return badRequest(filter.reason);
      rows = rows.filter(filter.test);
    }
    const page = afterIdPage(url, rows);
    return page instanceof Response ? page : json(page);
  }

  function listOrganizations(url: URL): Response {
    const page = afterIdPage(url, organizations.all());
    return page instanceof Response ? page : json(page.map(organizationBrief));
  }

  /** `GET /v2/queries/software`: the report, one named cursor per page. */
  function softwareReport(url: URL): Response {
    const pageSizeText = url.searchParams.get('pageSize');
    if (pageSizeText !== null && (!/^\d+$/.test(pageSizeText) || Number(pageSizeText) < 1)) return badRequest(`Invalid pageSize: ${pageSizeText}`);
    const pageSize = pageSizeText === null ? 1000 : Number(pageSizeText);
    const name = url.searchParams.get('cursor');
    let state: ReportCursor;
    if (name) {
      const found = cursors.get(name);
      if (!found || found.expires <= now()) return failure(404, `Cursor not found or expired: ${name}`);
      state = found;
    } else {
      let selected = devices.all().sort((a, b) => a.id - b.id);
      const df = url.searchParams.get('df');
      if (df) {
        const filter = parseDeviceFilter(df);
        if (!filter.ok) return badRequest(filter.reason);
        selected = selected.filter(filter.test);
      }
      const before = url.searchParams.get('installedBefore');
      const after = url.searchParams.get('installedAfter');
      const beforeAt = before ? Date.parse(before) : undefined;
      const afterAt = after ? Date.parse(after) : undefined;
      if (Number.isNaN(beforeAt) || Number.isNaN(afterAt)) return badRequest('Invalid installedBefore or installedAfter date');
      const rows: Obj[] = [];
      for (const device of selected) {
        for (const app of software.get(device.id) ?? []) {
          const installed = app.installDate ? Date.parse(app.installDate) : undefined;
          if (beforeAt !== undefined && (installed === undefined || installed >= beforeAt)) continue;
          if (afterAt !== undefined && (installed === undefined || installed <= afterAt)) continue;
          rows.push({ ...clone(app), deviceId: device.id, timestamp: device.lastUpdate ?? device.lastContact ?? device.created });
        }
      }
      state = { rows, next: 0, expires: now() + CURSOR_SECONDS };
    }
    const results = state.rows.slice(state.next, state.next + pageSize);
    // Every page names a fresh cursor for the rest of the report, so a page can be read again
    // with the cursor that led to it.
    const next = cursorName();
    cursors.set(next, { rows: state.rows, next: state.next + results.length, expires: state.expires });
    return json({ cursor: { name: next, offset: state.next, count: results.length, expires: state.expires }, results: clone(results) });
  }

  async function jsonBody(request: Request): Promise<Obj | Response> {
    if (!(request.headers.get('content-type') ?? '').includes('application/json')) return failure(415, 'HTTP 415 Unsupported Media Type');
    const body = await readBody(request);
    if (!isObject(body)) return badRequest('Request body must be a JSON object');
    return body;
  }

  /** `PATCH /v2/device/{id}` with DeviceMutableProperties: 204. */
  async function patchDevice(request: Request, id: string): Promise<Response> {
    const device = devices.get(id);
    if (!device) return notFound();
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const allowed = new Set(['displayName', 'userData', 'nodeRoleId', 'policyId', 'organizationId', 'locationId', 'warranty']);
    const unknown = Object.keys(body).filter((k) => !allowed.has(k));
    if (unknown.length) return badRequest(`Unrecognized field(s): ${unknown.join(', ')}`);
    const patch: Partial<NinjaDevice> = { lastUpdate: now() };
    if (body.displayName !== undefined) {
      if (typeof body.displayName !== 'string' || body.displayName.length > 255) return badRequest('displayName must be a string of at most 255 characters');
      patch.displayName = body.displayName;
    }
    if (body.userData !== undefined) {
      if (!isObject(body.userData)) return badRequest('userData must be an object');
      patch.userData = body.userData;
    }
    if (body.nodeRoleId !== undefined) {
      if (!isInt(body.nodeRoleId) || NODE_ROLES[body.nodeRoleId] === undefined) return badRequest(`Invalid nodeRoleId: ${String(body.nodeRoleId)}`);
      if (NODE_ROLES[body.nodeRoleId] !== device.nodeClass) return badRequest(`Role ${body.nodeRoleId} does not match node class ${device.nodeClass}`);
      patch.nodeRoleId = body.nodeRoleId;
    }
    if (body.policyId !== undefined) {
      if (body.policyId !== null && (!isInt(body.policyId) || !policies.has(body.policyId))) return badRequest(`Invalid policyId: ${String(body.policyId)}`);
      patch.policyId = body.policyId;
    }
    let orgId = device.organizationId;
    if (body.organizationId !== undefined) {
      if (!isInt(body.organizationId) || !organizations.get(String(body.organizationId))) return badRequest(`Invalid organizationId: ${String(body.organizationId)}`);
      orgId = body.organizationId;
      patch.organizationId = orgId;
    }
    const org = organizations.get(String(orgId))!;
    if (body.locationId !== undefined) {
      if (!isInt(body.locationId) || !org.locations.some((l) => l.id === body.locationId)) return badRequest(`Invalid locationId: ${String(body.locationId)} is not a location of organization ${orgId}`);
      patch.locationId = body.locationId;
    } else if (orgId !== device.organizationId) {
      // Moving a device without a location puts it in the first location of its new organization.
      if (!org.locations.length) return badRequest(`Organization ${orgId} has no location`);
      patch.locationId = org.locations[0]!.id;
    }
    if (body.warranty !== undefined) {
      const warranty = body.warranty;
      if (!isObject(warranty) || Object.entries(warranty).some(([k, v]) => !['startDate', 'endDate', 'manufacturerFulfillmentDate'].includes(k) || (v !== null && typeof v !== 'number'))) {
        return badRequest('warranty must be {startDate, endDate, manufacturerFulfillmentDate} in epoch seconds');
      }
      patch.warranty = warranty;
    }
    // The role policy follows the organization's policy mapping for the device's role.
    const rolePolicyId = rolePolicyOf(orgId, patch.nodeRoleId ?? device.nodeRoleId);
    const updated: NinjaDevice = { ...device, ...patch };
    if (rolePolicyId === undefined) delete updated.rolePolicyId;
    else updated.rolePolicyId = rolePolicyId;
    devices.replace(id, updated);
    return empty(204);
  }

  function checkOrganizationFields(body: Obj, allowed: Set<string>): Response | undefined {
    const unknown = Object.keys(body).filter((k) => !allowed.has(k));
    if (unknown.length) return badRequest(`Unrecognized field(s): ${unknown.join(', ')}`);
    if (body.name !== undefined && (typeof body.name !== 'string' || !body.name.trim() || body.name.length > 200)) return badRequest('name must be a non-empty string of at most 200 characters');
    if (body.description !== undefined && body.description !== null && typeof body.description !== 'string') return badRequest('description must be a string');
    if (body.userData !== undefined && !isObject(body.userData)) return badRequest('userData must be an object');
    if (body.nodeApprovalMode !== undefined && !APPROVAL_MODES.has(String(body.nodeApprovalMode))) return badRequest(`Invalid nodeApprovalMode: ${String(body.nodeApprovalMode)}; one of AUTOMATIC, MANUAL, REJECT`);
    if (body.tags !== undefined && (!Array.isArray(body.tags) || body.tags.some((t) => typeof t !== 'string'))) return badRequest('tags must be an array of strings');
    if (body.fields !== undefined && !isObject(body.fields)) return badRequest('fields must be an object');
    return undefined;
  }

  /** `POST /v2/organizations` with OrganizationWithLocationsAndPolicyAssignmentsModel: OrganizationDetailed. */
  async function createOrganization(request: Request, url: URL): Promise<Response> {
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const invalid = checkOrganizationFields(body, new Set(['name', 'description', 'userData', 'nodeApprovalMode', 'tags', 'fields', 'locations', 'policies']));
    if (invalid) return invalid;
    if (typeof body.name !== 'string') return badRequest('name is required');
    const templateText = url.searchParams.get('templateOrganizationId');
    let template: NinjaOrganization | undefined;
    if (templateText !== null) {
      template = /^\d+$/.test(templateText) ? organizations.get(templateText) : undefined;
      if (!template) return badRequest(`Template organization not found: ${templateText}`);
    }
    const locationsIn = body.locations ?? [];
    if (!Array.isArray(locationsIn) || locationsIn.some((l) => !isObject(l) || typeof l.name !== 'string' || !l.name.trim())) return badRequest('locations must be an array of {name, address, description, userData}');
    const policiesIn = body.policies ?? template?.policies ?? [];
    if (!Array.isArray(policiesIn) || policiesIn.some((p) => !isObject(p) || !isInt(p.nodeRoleId) || NODE_ROLES[p.nodeRoleId] === undefined || !isInt(p.policyId) || !policies.has(p.policyId))) {
      return badRequest('policies must be an array of {nodeRoleId, policyId} naming existing roles and policies');
    }
    const locations: Location[] = (locationsIn as Obj[]).map((l) =>
      omitUndefined({ id: nextLocationId++, name: String(l.name), address: typeof l.address === 'string' ? l.address : undefined, description: typeof l.description === 'string' ? l.description : undefined, userData: isObject(l.userData) ? l.userData : {} }),
    );
    const created = organizations.insert((id) =>
      omitUndefined({
        id,
        name: body.name as string,
        description: typeof body.description === 'string' ? body.description : undefined,
        userData: isObject(body.userData) ? body.userData : {},
        nodeApprovalMode: (body.nodeApprovalMode as NinjaOrganization['nodeApprovalMode'] | undefined) ?? template?.nodeApprovalMode ?? 'AUTOMATIC',
        tags: body.tags as string[] | undefined,
        fields: body.fields as Obj | undefined,
        locations,
        policies: (policiesIn as PolicyMapping[]).map((p) => ({ nodeRoleId: p.nodeRoleId, policyId: p.policyId })),
        settings: template?.settings ? clone(template.settings) : undefined,
      }),
    );
    return json(created);
  }

  /** `PATCH /v2/organization/{id}` with OrganizationModel: 204. */
  async function patchOrganization(request: Request, id: string): Promise<Response> {
    const org = organizations.get(id);
    if (!org) return notFound();
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const invalid = checkOrganizationFields(body, new Set(['name', 'description', 'userData', 'nodeApprovalMode', 'tags', 'fields']));
    if (invalid) return invalid;
    const patch: Partial<NinjaOrganization> = {};
    for (const key of ['name', 'description', 'userData', 'nodeApprovalMode', 'tags', 'fields'] as const) {
      if (body[key] !== undefined) (patch as Obj)[key] = body[key] === null ? undefined : body[key];
    }
    organizations.replace(id, omitUndefined({ ...org, ...patch }));
    return empty(204);
  }

  async function route(request: Request, url: URL, scopes: string[]): Promise<Response> {
    const path = url.pathname.replace(/\/+$/, '');
    const method = request.method.toUpperCase();
    const write = method !== 'GET' && method !== 'HEAD';
    const needs = write ? 'management' : 'monitoring';
    const allowed = (methods: string[]): Response | undefined => {
      if (!methods.includes(method)) return failure(405, 'HTTP 405 Method Not Allowed');
      if (!scopes.includes(needs)) return failure(403, 'HTTP 403 Forbidden');
      return undefined;
    };
    let m: RegExpExecArray | null;
    if (path === '/v2/users') return allowed(['GET']) ?? listUsers(url);
    if (path === '/v2/devices-detailed') return allowed(['GET']) ?? listDevices(url);
    if (path === '/v2/queries/software') return allowed(['GET']) ?? softwareReport(url);
    if (path === '/v2/organizations') {
      const refused = allowed(['GET', 'POST']);
      if (refused) return refused;
      return method === 'GET' ? listOrganizations(url) : createOrganization(request, url);
    }
    if ((m = /^\/v2\/device\/([^/]+)$/.exec(path))) {
      const refused = allowed(['GET', 'PATCH']);
      if (refused) return refused;
      const id = m[1]!;
      if (!/^\d+$/.test(id)) return notFound();
      if (method === 'PATCH') return patchDevice(request, id);
      const device = devices.get(id);
      return device ? json(deviceDetailed(device)) : notFound();
    }
    if ((m = /^\/v2\/organization\/([^/]+)$/.exec(path))) {
      const refused = allowed(['GET', 'PATCH']);
      if (refused) return refused;
      const id = m[1]!;
      if (!/^\d+$/.test(id)) return notFound();
      if (method === 'PATCH') return patchOrganization(request, id);
      const org = organizations.get(id);
      return org ? json(org) : notFound();
    }
    return notFound();
  }

  return {
    integration: 'ninjaone',
    origins: [ORIGIN],
    context: { region_host: 'app.ninjarmm.com', client_id: CLIENT_ID, client_secret: CLIENT_SECRET },
    async handle(request: Request): Promise<Response> {
      const url = new URL(request.url);
      if (url.pathname === '/ws/oauth/token') return token(request);
      if (!url.pathname.startsWith('/v2/')) return notFound();
      const scopes = authorize(request);
      if (!scopes) return unauthenticated();
      return route(request, url, scopes);
    },
  };
}
