/**
 * The Kandji (Iru) sandbox emulator: the Kandji Enterprise API v1 in miniature, as
 * `mappings/kandji.yaml` calls it. Sources: Kandji's Postman collection (via the OpenAPI document
 * generated from it), Kandji's support scripts, and /work/shared/reference/mdm-vendors.md §3.
 *
 * - Auth: `Authorization: Bearer <API token>`; anything else is a DRF 401 `{"detail": ...}`.
 * - Directory users: `GET /api/v1/users` (DRF cursor pagination: `{next, previous, results}`,
 *   `next`/`previous` full URLs carrying `cursor`, filters `email` (contains), `id`,
 *   `integration_id`, `archived`), `GET` and `DELETE /api/v1/users/{id}` (204; 400 while the
 *   user is still assigned to a device). Users come from directory integrations: no create or
 *   update (405).
 * - Devices: `GET /api/v1/devices` (a bare JSON array; `limit` (default and hard maximum 300) and
 *   `offset`; `ordering`; Kandji's filters), `GET`, `PATCH` (`blueprint_id`, `user`, `asset_tag`,
 *   `tags`) and `DELETE /api/v1/devices/{id}` (204).
 * - Installed apps: `GET /api/v1/devices/{id}/apps` → `{"device_id", "apps": [...]}`, one response.
 *
 * Errors are Django REST framework bodies: `{"detail": "..."}` (401, 404, 405, 415, and the 400
 * of a user still assigned to devices) or `{"<field>": ["..."]}` for a refused field (400).
 */
import { bearer, clone, empty, json, readBody, Table, type Emulator } from './emulator.js';

const ORIGIN = 'https://sandbox.api.kandji.io';
const API_TOKEN = 'sandbox-token';

/**
 * Kandji documents "a maximum of 300 records per page" for users, with no page-size parameter.
 * The sandbox tenant is small, so it pages its users two at a time (within that documented
 * maximum): otherwise no sandbox list would ever reach Kandji's `next` link and the mapping's
 * cursor handling would go unexercised.
 */
const USERS_PAGE_SIZE = 2;
/** `limit` of the device list: the default when absent, and Kandji's hard upper limit. */
const DEVICES_MAX_LIMIT = 300;

// ---------------------------------------------------------------------------------------------
// Records, in Kandji's shapes
// ---------------------------------------------------------------------------------------------

type Integration = { id: number; name: string; type: string; uuid: string };

/** A directory user as stored; `device_count` is computed from the devices when answering. */
type StoredUser = {
  id: string;
  name: string;
  email: string | null;
  active: boolean;
  archived: boolean;
  department: string | null;
  job_title: string | null;
  deprecated_user_id: string;
  integration: Integration;
  created_at: string;
  updated_at: string;
};

/** A device as stored: the assigned user and blueprint by id; `user` and `blueprint_name` are filled in when answering. */
type StoredDevice = {
  device_id: string;
  device_name: string;
  model: string;
  platform: string;
  os_version: string;
  serial_number: string;
  asset_tag: string;
  blueprint_id: string;
  user_id: string | null;
  agent_installed: boolean;
  agent_version: string;
  first_enrollment: string;
  last_enrollment: string;
  last_check_in: string;
  is_missing: boolean;
  is_removed: boolean;
  mdm_enabled: boolean;
  lost_mode_status: string;
  supplemental_build_version: string;
  supplemental_os_version_extra: string;
  tags: string[];
};

type KandjiApp = {
  app_id: string;
  app_name: string;
  app_store_vendable: string;
  bundle_id: string;
  bundle_size: string;
  creation_date: string;
  device_based_vpp: string;
  modification_date: string;
  path: string;
  process: string;
  signature: string;
  source: string;
  version: string;
};

// ---------------------------------------------------------------------------------------------
// Seed: a small tenant ("sandbox") with two directory integrations, four blueprints, six users,
// six devices and their installed apps. Module-level constants are never mutated: every
// emulator copies them into its own tables.
// ---------------------------------------------------------------------------------------------

const ENTRA: Integration = { id: 634, name: 'accuhive', type: 'office365', uuid: 'f7461096-4ef9-43aa-88e9-ca1967ba0b38' };
const GOOGLE: Integration = { id: 702, name: 'accuhive-google', type: 'gsuite', uuid: '2b8e5c1d-9f3a-4e6b-8c7d-1a2b3c4d5e6f' };

const BLUEPRINTS: ReadonlyArray<{ id: string; name: string }> = [
  { id: '97e4e175-1631-43f6-a02b-33fd1c748ab8', name: 'Engineering Macs' },
  { id: 'be1a4d67-91d8-4d19-a927-c8be6e77b6b2', name: 'Front Desk' },
  { id: 'dccade80-bddd-43ac-a9b7-e322b17cd7d9', name: 'Mobile Devices' },
  { id: '5e6f7081-92a3-4b4c-8d5e-6f708192a3b4', name: 'Lobby Displays' },
];

const USERS: readonly StoredUser[] = [
  {
    id: '69c009ca-1f78-4bdf-bb93-08d6d39041db',
    name: 'Ann Lee',
    email: 'ann@accuhive.io',
    active: true,
    archived: false,
    department: 'Engineering',
    job_title: 'Software Engineer',
    deprecated_user_id: '29360',
    integration: ENTRA,
    created_at: '2024-09-06T21:00:04.304248Z',
    updated_at: '2024-09-06T21:00:04.304280Z',
  },
  {
    id: '5344c996-8823-4b37-8d6e-8515fc7c3a0a',
    name: 'Marcus Ortiz',
    email: 'marcus.ortiz@accuhive.io',
    active: true,
    archived: false,
    department: 'IT',
    job_title: 'IT Administrator',
    deprecated_user_id: '29359',
    integration: ENTRA,
    created_at: '2024-09-06T20:58:41.117002Z',
    updated_at: '2024-10-01T08:12:09.551930Z',
  },
  {
    id: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
    name: 'Priya Raman',
    email: 'priya.raman@accuhive.io',
    active: true,
    archived: false,
    department: 'Sales',
    job_title: 'Account Executive',
    deprecated_user_id: '29350',
    integration: GOOGLE,
    created_at: '2024-09-07T08:30:00.000000Z',
    updated_at: '2024-09-08T08:30:00.000000Z',
  },
  {
    id: 'adacf177-fbc2-4485-be26-05d8d965a8a6',
    name: 'Jonas Berg',
    email: 'jonas.berg@accuhive.io',
    active: true,
    archived: true,
    department: 'Sales',
    job_title: 'Sales Development Representative',
    deprecated_user_id: '29341',
    integration: ENTRA,
    created_at: '2024-09-06T17:00:04.503800Z',
    updated_at: '2025-01-15T17:00:04.503814Z',
  },
  {
    id: '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    name: 'Jo Ann Baker',
    email: 'joann@accuhive.io',
    active: true,
    archived: false,
    department: null,
    job_title: null,
    deprecated_user_id: '29212',
    integration: GOOGLE,
    created_at: '2024-09-06T21:00:04.304248Z',
    updated_at: '2024-09-06T21:00:04.304280Z',
  },
  {
    id: '0f5b3c1e-6a2d-4c8e-9b7f-2d1e4a5b6c7d',
    name: 'Conference Room 4',
    email: null,
    active: false,
    archived: false,
    department: null,
    job_title: null,
    deprecated_user_id: '29012',
    integration: ENTRA,
    created_at: '2024-08-30T09:12:44.100200Z',
    updated_at: '2024-09-01T10:00:00.000000Z',
  },
];

const DEVICES: readonly StoredDevice[] = [
  {
    device_id: '1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7081',
    device_name: "Ann's MacBook Pro",
    model: 'MacBook Pro (14-inch, M3, Nov 2023)',
    platform: 'Mac',
    os_version: '14.4.1',
    serial_number: 'J8L0MN3PQ5RS',
    asset_tag: '1040',
    blueprint_id: '97e4e175-1631-43f6-a02b-33fd1c748ab8',
    user_id: '69c009ca-1f78-4bdf-bb93-08d6d39041db',
    agent_installed: true,
    agent_version: '4.1.3 (3795)',
    first_enrollment: '2024-03-01 11:00:00.000000+00:00',
    last_enrollment: '2024-03-01 11:00:00.000000+00:00',
    last_check_in: '2024-04-02T09:15:00.000000Z',
    is_missing: false,
    is_removed: false,
    mdm_enabled: true,
    lost_mode_status: '',
    supplemental_build_version: '23E224',
    supplemental_os_version_extra: '',
    tags: ['engineering'],
  },
  {
    device_id: '2c3d4e5f-6071-4829-8b3c-4d5e6f708192',
    device_name: "Ann's iPhone",
    model: 'iPhone 15 Pro',
    platform: 'iPhone',
    os_version: '17.4.1',
    serial_number: 'F2LZK7QXN9PM',
    asset_tag: '',
    blueprint_id: 'dccade80-bddd-43ac-a9b7-e322b17cd7d9',
    user_id: '69c009ca-1f78-4bdf-bb93-08d6d39041db',
    agent_installed: false,
    agent_version: '',
    first_enrollment: '2024-03-04 15:22:10.481200+00:00',
    last_enrollment: '2024-03-04 15:22:10.481200+00:00',
    last_check_in: '2024-04-02T10:01:44.120000Z',
    is_missing: false,
    is_removed: false,
    mdm_enabled: true,
    lost_mode_status: '',
    supplemental_build_version: '21E237',
    supplemental_os_version_extra: '',
    tags: [],
  },
  {
    device_id: '3d4e5f60-7182-493a-9c4d-5e6f708192a3',
    device_name: 'reception-mini',
    model: 'Mac mini (M2, 2023)',
    platform: 'Mac',
    os_version: '14.4',
    serial_number: 'K9M1NP4QR6ST',
    asset_tag: '',
    blueprint_id: 'be1a4d67-91d8-4d19-a927-c8be6e77b6b2',
    user_id: '5344c996-8823-4b37-8d6e-8515fc7c3a0a',
    agent_installed: true,
    agent_version: '4.1.3 (3795)',
    first_enrollment: '2023-05-02 14:20:10.000000+00:00',
    last_enrollment: '2023-05-02 14:20:10.000000+00:00',
    last_check_in: '2024-04-02T07:00:00.000000Z',
    is_missing: false,
    is_removed: false,
    mdm_enabled: true,
    lost_mode_status: '',
    supplemental_build_version: '23E214',
    supplemental_os_version_extra: '',
    tags: ['front-desk'],
  },
  {
    device_id: '4820db3b-dec7-40b2-9c8f-eb771ac1a250',
    device_name: "Priya's iPad",
    model: 'iPad Air (5th generation) (Wi-Fi)',
    platform: 'iPad',
    os_version: '17.4',
    serial_number: 'GG7FF8QSQ1GH',
    asset_tag: '2077',
    blueprint_id: 'dccade80-bddd-43ac-a9b7-e322b17cd7d9',
    user_id: '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7',
    agent_installed: false,
    agent_version: '',
    first_enrollment: '2022-12-13 19:14:20.455640+00:00',
    last_enrollment: '2022-12-13 19:14:20.455640+00:00',
    last_check_in: '2024-03-18T21:46:26.879113Z',
    is_missing: true,
    is_removed: false,
    mdm_enabled: true,
    lost_mode_status: '',
    supplemental_build_version: '21E219',
    supplemental_os_version_extra: '',
    tags: ['sales'],
  },
  {
    device_id: 'bd4eb679-d679-4071-a395-5855807b6829',
    device_name: 'it-imac',
    model: 'iMac (24-inch, M3, 2023)',
    platform: 'Mac',
    os_version: '14.4.1',
    serial_number: 'C02FL5YXQ6LC',
    asset_tag: '1041',
    blueprint_id: '97e4e175-1631-43f6-a02b-33fd1c748ab8',
    user_id: '5344c996-8823-4b37-8d6e-8515fc7c3a0a',
    agent_installed: true,
    agent_version: '4.1.3 (3795)',
    first_enrollment: '2022-07-21 15:00:06.470889+00:00',
    last_enrollment: '2024-03-13 17:29:41.167646+00:00',
    last_check_in: '2024-04-01T00:45:18.674561Z',
    is_missing: false,
    is_removed: false,
    mdm_enabled: true,
    lost_mode_status: '',
    supplemental_build_version: '23E224',
    supplemental_os_version_extra: '(a)',
    tags: ['it', 'loaner'],
  },
  {
    device_id: 'e5f60718-293a-4b4c-9d5e-6f708192a3b4',
    device_name: 'Lobby Apple TV',
    model: 'Apple TV 4K (3rd generation)',
    platform: 'AppleTV',
    os_version: '17.4',
    serial_number: 'M2N4PQ6RS8TV',
    asset_tag: '',
    blueprint_id: '5e6f7081-92a3-4b4c-8d5e-6f708192a3b4',
    user_id: null,
    agent_installed: false,
    agent_version: '',
    first_enrollment: '2023-11-20 16:45:00.000000+00:00',
    last_enrollment: '2023-11-20 16:45:00.000000+00:00',
    last_check_in: '',
    is_missing: false,
    is_removed: true,
    mdm_enabled: false,
    lost_mode_status: '',
    supplemental_build_version: '21L227',
    supplemental_os_version_extra: '',
    tags: [],
  },
];

/** A Mac app as Kandji reports it (path, bundle size and dates filled in). */
function macApp(app_id: string, app_name: string, bundle_id: string, version: string, bundle_size: string, created: string, modified: string, source = 'Kandji'): KandjiApp {
  return {
    app_id,
    app_name,
    app_store_vendable: 'False',
    bundle_id,
    bundle_size,
    creation_date: created,
    device_based_vpp: 'False',
    modification_date: modified,
    path: `/Applications/${app_name}.app`,
    process: app_name,
    signature: 'Developer ID Application',
    source,
    version,
  };
}

/** An iPhone/iPad/Apple TV app as Kandji reports it (no path, process or dates). */
function mobileApp(app_id: string, app_name: string, bundle_id: string, version: string, bundle_size: string, vpp: boolean): KandjiApp {
  return {
    app_id,
    app_name,
    app_store_vendable: vpp ? 'True' : 'False',
    bundle_id,
    bundle_size,
    creation_date: '',
    device_based_vpp: vpp ? 'True' : 'False',
    modification_date: '',
    path: '',
    process: '',
    signature: '',
    source: '',
    version,
  };
}

const APPS: Readonly<Record<string, readonly KandjiApp[]>> = {
  '1b2c3d4e-5f60-4718-9a2b-3c4d5e6f7081': [
    macApp('c1a2b3c4-0001-4d5e-8f60-718293a4b5c6', 'Slack', 'com.tinyspeck.slackmacgap', '4.37.101', '312459264', '2024-03-02T09:14:03Z', '2024-03-28T17:40:12Z', 'App Store'),
    macApp('c1a2b3c4-0002-4d5e-8f60-718293a4b5c6', 'Google Chrome', 'com.google.Chrome', '123.0.6312.86', '1283457024', '2024-03-01T11:20:45Z', '2024-03-27T08:02:19Z'),
    macApp('c1a2b3c4-0003-4d5e-8f60-718293a4b5c6', 'Visual Studio Code', 'com.microsoft.VSCode', '1.87.2', '598734848', '2024-03-01T11:25:10Z', '2024-03-14T16:33:51Z'),
    macApp('c1a2b3c4-0004-4d5e-8f60-718293a4b5c6', 'Kandji Self Service', 'io.kandji.Kandji', '4.1.3', '48328704', '2024-03-01T11:01:02Z', '2024-03-20T02:11:40Z'),
  ],
  '2c3d4e5f-6071-4829-8b3c-4d5e6f708192': [
    mobileApp('c2a2b3c4-0001-4d5e-8f60-718293a4b5c6', 'Okta Verify', 'com.okta.mobile', '9.8.0', '68390912', true),
    mobileApp('c2a2b3c4-0002-4d5e-8f60-718293a4b5c6', 'Slack', 'com.tinyspeck.chatlyio', '24.03.10', '', true),
    mobileApp('c2a2b3c4-0003-4d5e-8f60-718293a4b5c6', 'Microsoft Outlook', 'com.microsoft.Office.Outlook', '4.2411.0', '291504128', true),
  ],
  '3d4e5f60-7182-493a-9c4d-5e6f708192a3': [
    macApp('c3a2b3c4-0001-4d5e-8f60-718293a4b5c6', 'Zoom', 'us.zoom.xos', '5.17.11', '265289728', '2023-05-02T14:40:00Z', '2024-03-30T07:12:00Z'),
    macApp('c3a2b3c4-0002-4d5e-8f60-718293a4b5c6', 'Google Chrome', 'com.google.Chrome', '123.0.6312.86', '1283457024', '2023-05-02T14:35:12Z', '2024-03-27T08:05:44Z'),
    macApp('c3a2b3c4-0003-4d5e-8f60-718293a4b5c6', 'Kandji Self Service', 'io.kandji.Kandji', '4.1.3', '48328704', '2023-05-02T14:21:30Z', '2024-03-20T02:11:40Z'),
  ],
  '4820db3b-dec7-40b2-9c8f-eb771ac1a250': [
    mobileApp('c4a2b3c4-0001-4d5e-8f60-718293a4b5c6', 'Okta Verify', 'com.okta.mobile', '9.8.0', '68390912', true),
    mobileApp('c4a2b3c4-0002-4d5e-8f60-718293a4b5c6', 'Salesforce', 'com.salesforce.chatter', '250.020', '187695104', true),
    mobileApp('c4a2b3c4-0003-4d5e-8f60-718293a4b5c6', 'Keynote', 'com.apple.Keynote', '14.0', '', false),
  ],
  'bd4eb679-d679-4071-a395-5855807b6829': [
    macApp('c5a2b3c4-0001-4d5e-8f60-718293a4b5c6', '1Password', 'com.1password.1password', '8.10.28', '412811264', '2022-07-21T15:30:00Z', '2024-03-25T12:00:00Z'),
    macApp('c5a2b3c4-0002-4d5e-8f60-718293a4b5c6', 'Microsoft Teams', 'com.microsoft.teams2', '24046.2813.2770.1094', '989855744', '2023-10-04T10:10:10Z', '2024-03-29T06:45:31Z'),
    macApp('c5a2b3c4-0003-4d5e-8f60-718293a4b5c6', 'Kandji Self Service', 'io.kandji.Kandji', '4.1.3', '48328704', '2022-07-21T15:01:40Z', '2024-03-20T02:11:40Z'),
  ],
  'e5f60718-293a-4b4c-9d5e-6f708192a3b4': [
    mobileApp('c6a2b3c4-0001-4d5e-8f60-718293a4b5c6', 'YouTube', 'com.google.ios.youtube', '2.03.02', '', false),
    mobileApp('c6a2b3c4-0002-4d5e-8f60-718293a4b5c6', 'Zoom Rooms', 'us.zoom.zpcontroller', '5.17.5', '120324096', true),
    mobileApp('c6a2b3c4-0003-4d5e-8f60-718293a4b5c6', 'Apple TV Remote Display', 'com.accuhive.lobbydisplay', '1.4', '20971520', false),
  ],
};

// ---------------------------------------------------------------------------------------------
// Django REST framework conventions
// ---------------------------------------------------------------------------------------------

const detail = (text: string, status: number, headers: Record<string, string> = {}) => json({ detail: text }, status, headers);
const notFound = () => detail('Not found.', 404);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** DRF's query-string boolean: true/True/1 and false/False/0; anything else is no filter. */
function queryBoolean(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  if (['true', 'True', '1'].includes(value)) return true;
  if (['false', 'False', '0'].includes(value)) return false;
  return undefined;
}

/** DRF's LimitOffsetPagination reading of a positive (or, for offset, non-negative) integer; invalid values give the default. */
function queryInteger(value: string | null, fallback: number, strictlyPositive: boolean): number {
  if (value === null || !/^\d+$/.test(value.trim())) return fallback;
  const n = Number(value.trim());
  if (strictlyPositive && n === 0) return fallback;
  return n;
}

/** The request URL with one query parameter replaced and the parameters sorted, as DRF builds `next`/`previous`. */
function withQueryParam(url: URL, name: string, value: string): string {
  const params = new URLSearchParams(url.search);
  params.set(name, value);
  const sorted = [...params.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${url.origin}${url.pathname}?${new URLSearchParams(sorted).toString()}`;
}

/** DRF's cursor: base64 of a query string `p=<position>`, with `r=1` for a reverse (previous-page) cursor. */
function encodeCursor(position: number, reverse: boolean): string {
  return btoa(reverse ? `r=1&p=${position}` : `p=${position}`);
}

function decodeCursor(text: string): { position: number; reverse: boolean } | undefined {
  let decoded: string;
  try {
    decoded = atob(text);
  } catch {
    return undefined;
  }
  const params = new URLSearchParams(decoded);
  const position = params.get('p');
  if (position === null || !/^\d+$/.test(position)) return undefined;
  const reverse = params.get('r');
  if (reverse !== null && reverse !== '1' && reverse !== '0') return undefined;
  return { position: Number(position), reverse: reverse === '1' };
}

const contains = (value: unknown, needle: string) => typeof value === 'string' && value.toLowerCase().includes(needle.toLowerCase());

// ---------------------------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------------------------

export function createKandjiEmulator(): Emulator {
  const users = new Table<StoredUser>([...USERS]);
  const devices = new Table<StoredDevice>([...DEVICES], 'device_id');
  const blueprints = new Map(BLUEPRINTS.map((b) => [b.id, b.name]));
  const apps = new Map<string, KandjiApp[]>(Object.entries(APPS).map(([id, list]) => [id, clone([...list])]));

  const deviceCount = (userId: string) => devices.count((d) => d.user_id === userId);

  function presentUser(user: StoredUser): Record<string, unknown> {
    return {
      active: user.active,
      archived: user.archived,
      created_at: user.created_at,
      department: user.department,
      deprecated_user_id: user.deprecated_user_id,
      device_count: deviceCount(user.id),
      email: user.email,
      id: user.id,
      integration: clone(user.integration),
      job_title: user.job_title,
      name: user.name,
      updated_at: user.updated_at,
    };
  }

  /** A device in Kandji's shape: `user` is `""` when no user is assigned, else `{email, id, is_archived, name}`. */
  function presentDevice(device: StoredDevice): Record<string, unknown> {
    const user = device.user_id ? users.get(device.user_id) : undefined;
    const { user_id: _userId, ...fields } = device;
    return {
      ...fields,
      blueprint_name: blueprints.get(device.blueprint_id) ?? '',
      user: user ? { email: user.email ?? '', id: user.id, is_archived: user.archived, name: user.name } : '',
    };
  }

  // -- users --------------------------------------------------------------------------------

  function listUsers(url: URL): Response {
    const q = url.searchParams;
    const errors: Record<string, string[]> = {};
    const id = q.get('id');
    if (id !== null && id !== '' && !UUID.test(id)) errors.id = ['Enter a valid UUID.'];
    const integrationId = q.get('integration_id');
    if (integrationId !== null && integrationId !== '' && !UUID.test(integrationId)) errors.integration_id = ['Enter a valid UUID.'];
    if (Object.keys(errors).length) return json(errors, 400);

    const email = q.get('email');
    const archived = queryBoolean(q.get('archived'));
    // DRF's CursorPagination orders by a stable field: here the newest directory user first.
    const matching = users
      .all()
      .filter((u) => !email || contains(u.email, email))
      .filter((u) => !id || u.id.toLowerCase() === id.toLowerCase())
      .filter((u) => !integrationId || u.integration.uuid.toLowerCase() === integrationId.toLowerCase())
      .filter((u) => archived === undefined || u.archived === archived)
      .sort((a, b) => Number(b.deprecated_user_id) - Number(a.deprecated_user_id));
    const position = (u: StoredUser) => Number(u.deprecated_user_id);

    const cursorText = q.get('cursor');
    let page: StoredUser[];
    if (cursorText === null || cursorText === '') {
      page = matching.slice(0, USERS_PAGE_SIZE);
    } else {
      const cursor = decodeCursor(cursorText);
      if (!cursor) return detail('Invalid cursor', 404);
      if (cursor.reverse) {
        const before = matching.filter((u) => position(u) > cursor.position);
        page = before.slice(Math.max(0, before.length - USERS_PAGE_SIZE));
      } else {
        page = matching.filter((u) => position(u) < cursor.position).slice(0, USERS_PAGE_SIZE);
      }
    }
    const first = page[0];
    const last = page[page.length - 1];
    const hasNext = last !== undefined && matching.some((u) => position(u) < position(last));
    const hasPrevious = first !== undefined && matching.some((u) => position(u) > position(first));
    return json({
      next: hasNext ? withQueryParam(url, 'cursor', encodeCursor(position(last), false)) : null,
      previous: hasPrevious ? withQueryParam(url, 'cursor', encodeCursor(position(first), true)) : null,
      results: page.map(presentUser),
    });
  }

  function getUser(id: string): Response {
    const user = users.get(id);
    return user ? json(presentUser(user)) : notFound();
  }

  function deleteUser(id: string): Response {
    if (!users.get(id)) return notFound();
    if (deviceCount(id) > 0) return detail('User still assigned to one or more devices.', 400);
    users.delete(id);
    return empty(204);
  }

  // -- devices ------------------------------------------------------------------------------

  const orderable: Record<string, (d: StoredDevice) => string> = {
    asset_tag: (d) => d.asset_tag,
    blueprint_id: (d) => d.blueprint_id,
    device_id: (d) => d.device_id,
    device_name: (d) => d.device_name,
    last_check_in: (d) => d.last_check_in,
    model: (d) => d.model,
    platform: (d) => d.platform,
    os_version: (d) => d.os_version,
    serial_number: (d) => d.serial_number,
    user: (d) => (d.user_id ? (users.get(d.user_id)?.name ?? '') : ''),
  };

  function listDevices(url: URL): Response {
    const q = url.searchParams;
    const text = (name: string) => {
      const value = q.get(name);
      return value === null || value === '' ? undefined : value;
    };
    const userOf = (d: StoredDevice) => (d.user_id ? users.get(d.user_id) : undefined);
    const filters: Array<[string | undefined, (d: StoredDevice, value: string) => boolean]> = [
      [text('asset_tag'), (d, v) => d.asset_tag === v],
      [text('blueprint_id'), (d, v) => contains(d.blueprint_id, v)],
      [text('device_id'), (d, v) => d.device_id.toLowerCase() === v.toLowerCase()],
      [text('device_name'), (d, v) => contains(d.device_name, v)],
      [text('model'), (d, v) => contains(d.model, v)],
      [text('os_version'), (d, v) => contains(d.os_version, v)],
      [text('platform'), (d, v) => d.platform.toLowerCase() === v.toLowerCase()],
      [text('serial_number'), (d, v) => contains(d.serial_number, v)],
      [text('tag_name'), (d, v) => d.tags.includes(v)],
      [text('tag_name_in'), (d, v) => v.split(',').some((t) => d.tags.includes(t.trim()))],
      [text('user'), (d, v) => contains(userOf(d)?.name, v)],
      [text('user_name'), (d, v) => contains(userOf(d)?.name, v)],
      [text('user_email'), (d, v) => contains(userOf(d)?.email, v)],
      [text('user_email_exact'), (d, v) => (userOf(d)?.email ?? '').toLowerCase() === v.toLowerCase()],
      [text('user_id'), (d, v) => (d.user_id ?? '').toLowerCase() === v.toLowerCase()],
    ];
    let matching = devices.filter((d) => filters.every(([value, test]) => value === undefined || test(d, value)));

    const ordering = (text('ordering') ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter((f) => orderable[f.replace(/^-/, '')]);
    if (ordering.length) {
      matching = matching.sort((a, b) => {
        for (const field of ordering) {
          const key = orderable[field.replace(/^-/, '')]!;
          const [x, y] = [key(a), key(b)];
          if (x === y) continue;
          const order = x < y ? -1 : 1;
          return field.startsWith('-') ? -order : order;
        }
        return 0;
      });
    }

    const limit = Math.min(queryInteger(q.get('limit'), DEVICES_MAX_LIMIT, true), DEVICES_MAX_LIMIT);
    const offset = queryInteger(q.get('offset'), 0, false);
    return json(matching.slice(offset, offset + limit).map(presentDevice));
  }

  function getDevice(id: string): Response {
    const device = devices.get(id);
    return device ? json(presentDevice(device)) : notFound();
  }

  async function updateDevice(id: string, request: Request): Promise<Response> {
    const device = devices.get(id);
    if (!device) return notFound();
    const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const body = await readBody(request);
    if (body !== undefined && type !== 'application/json' && type !== 'application/x-www-form-urlencoded') {
      return detail(`Unsupported media type "${type}" in request.`, 415);
    }
    if (type === 'application/json' && typeof body === 'string') return detail('JSON parse error - Expecting value: line 1 column 1 (char 0)', 400);
    if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
      const got = Array.isArray(body) ? 'list' : body === null ? 'NoneType' : typeof body === 'string' ? 'str' : typeof body === 'number' ? 'int' : typeof body;
      return json({ non_field_errors: [`Invalid data. Expected a dictionary, but got ${got}.`] }, 400);
    }
    const fields = (body ?? {}) as Record<string, unknown>;
    const errors: Record<string, string[]> = {};
    const patch: Partial<StoredDevice> = {};

    if ('blueprint_id' in fields) {
      const value = fields.blueprint_id;
      if (value === null) errors.blueprint_id = ['This field may not be null.'];
      else if (typeof value !== 'string' || !UUID.test(value)) errors.blueprint_id = ['Must be a valid UUID.'];
      else if (!blueprints.has(value)) errors.blueprint_id = [`Invalid pk "${value}" - object does not exist.`];
      else patch.blueprint_id = value;
    }
    if ('user' in fields) {
      const value = fields.user;
      if (value === null || value === '') patch.user_id = null;
      else if (typeof value !== 'string') errors.user = [`Incorrect type. Expected pk value, received ${typeof value === 'number' ? 'int' : typeof value}.`];
      else if (!users.get(value)) errors.user = [`Invalid pk "${value}" - object does not exist.`];
      else patch.user_id = value;
    }
    if ('asset_tag' in fields) {
      const value = fields.asset_tag;
      if (value === null) patch.asset_tag = '';
      else if (typeof value === 'string' || typeof value === 'number') patch.asset_tag = String(value);
      else errors.asset_tag = ['Not a valid string.'];
    }
    if ('tags' in fields) {
      const value = fields.tags;
      if (value === null) errors.tags = ['This field may not be null.'];
      else if (!Array.isArray(value)) errors.tags = [`Expected a list of items but got type "${typeof value === 'string' ? 'str' : typeof value}".`];
      else if (value.some((t) => typeof t !== 'string' || t.trim() === '')) errors.tags = ['Not a valid string.'];
      else patch.tags = [...new Set((value as string[]).map((t) => t.trim()))];
    }
    if (Object.keys(errors).length) return json(errors, 400);
    const updated = devices.update(id, patch)!;
    return json(presentDevice(updated));
  }

  function deleteDevice(id: string): Response {
    if (!devices.delete(id)) return notFound();
    apps.delete(id);
    return empty(204);
  }

  function deviceApps(id: string): Response {
    if (!devices.get(id)) return notFound();
    return json({ apps: clone(apps.get(id) ?? []), device_id: id });
  }

  // -- routing ------------------------------------------------------------------------------

  type Route = { methods: Record<string, () => Response | Promise<Response>> };

  function route(path: string, request: Request, url: URL): Route | undefined {
    let match: RegExpExecArray | null;
    if (/^\/api\/v1\/users\/?$/.test(path)) return { methods: { GET: () => listUsers(url) } };
    if ((match = /^\/api\/v1\/users\/([^/]+)\/?$/.exec(path))) {
      const id = decodeURIComponent(match[1]!);
      return { methods: { GET: () => getUser(id), DELETE: () => deleteUser(id) } };
    }
    if (/^\/api\/v1\/devices\/?$/.test(path)) return { methods: { GET: () => listDevices(url) } };
    if ((match = /^\/api\/v1\/devices\/([^/]+)\/apps\/?$/.exec(path))) {
      const id = decodeURIComponent(match[1]!);
      return { methods: { GET: () => deviceApps(id) } };
    }
    if ((match = /^\/api\/v1\/devices\/([^/]+)\/?$/.exec(path))) {
      const id = decodeURIComponent(match[1]!);
      return { methods: { GET: () => getDevice(id), PATCH: () => updateDevice(id, request), DELETE: () => deleteDevice(id) } };
    }
    return undefined;
  }

  return {
    integration: 'kandji',
    origins: [ORIGIN],
    context: { subdomain: 'sandbox', api_host: 'api.kandji.io', api_token: API_TOKEN },
    async handle(request: Request): Promise<Response> {
      const url = new URL(request.url);
      const found = route(url.pathname, request, url);
      if (!found) return notFound();
      // DRF authenticates before it looks for the method's handler.
      const authenticate = { 'www-authenticate': 'Bearer realm="api"' };
      if (!request.headers.get('authorization')) return detail('Authentication credentials were not provided.', 401, authenticate);
      if (bearer(request) !== API_TOKEN) return detail('Incorrect authentication credentials.', 401, authenticate);
      const handler = found.methods[request.method.toUpperCase()];
      if (!handler) {
        return detail(`Method "${request.method.toUpperCase()}" not allowed.`, 405, { allow: [...Object.keys(found.methods), 'HEAD', 'OPTIONS'].join(', ') });
      }
      return handler();
    },
  };
}
