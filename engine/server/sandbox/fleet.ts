/**
 * The Fleet (fleetdm) sandbox emulator: a miniature of the Fleet REST API
 * (https://fleetdm.com/docs/rest-api/rest-api) as `mappings/fleet.yaml` uses it.
 *
 * - Base path `/api/v1/fleet`; `Authorization: Bearer <API token>`; anything else is Fleet's 401.
 * - Lists page with `page` (0-based) and `per_page`: no paging parameters return everything, a
 *   `page` alone pages by 20 (Fleet's default). Users, hosts and teams answer `{"users"|"hosts"|"teams": [...]}`
 *   with no total; software versions add `count`, `counts_updated_at` and `meta.has_next_results`.
 *   `order_key` / `order_direction` and the `query` keyword search are honoured, as are `team_id`
 *   (users, hosts) and `status` (hosts).
 * - Errors are Fleet's `{"message", "errors": [{"name", "reason"}], "uuid"}`: 400 Bad request,
 *   401 Authentication failed, 404 Resource Not Found, 409 Resource Already Exists, 422 Validation
 *   Failed (and a role error as Fleet's `{"message", "code"}` 422).
 * - Writes stay in memory: users (POST /users/admin, PATCH, DELETE), hosts (DELETE) and teams
 *   (POST, PATCH). Counts (`user_count`, `host_count`, `hosts_count`) and team names on users
 *   and hosts are computed from the tables, so they follow every write.
 */
import { bearer, clone, empty, json, readBody, Table, type Emulator } from './emulator.js';

const ORIGIN = 'https://sandbox.fleetdm.com';
const BASE_PATH = '/api/v1/fleet';
const DEMO_TOKEN = 'sandbox-token';
/** Fleet's page size when `page` is given without `per_page` (server/service/transport.go defaultPerPage). */
const DEFAULT_PER_PAGE = 20;
/** Fleet serializes missing timestamps as Go's zero time. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

type Json = Record<string, unknown>;

interface TeamRole {
  id: number;
  role: string;
}

type TeamRow = {
  id: number;
  created_at: string;
  name: string;
  description: string;
  agent_options: Json;
  webhook_settings: Json;
  integrations: Json;
  mdm: Json;
};

type UserRow = {
  id: number;
  created_at: string;
  updated_at: string;
  name: string;
  email: string;
  force_password_reset: boolean;
  gravatar_url: string;
  sso_enabled: boolean;
  global_role: string | null;
  api_only: boolean;
  position?: string;
  /** Stored as `{id, role}`; rendered with the team's name and description. */
  teams: TeamRole[];
};

type HostRow = {
  id: number;
  team_id: number | null;
  [field: string]: unknown;
};

type SoftwareRow = {
  id: number;
  name: string;
  version: string;
  source: string;
  [field: string]: unknown;
};

const GLOBAL_ROLES = ['admin', 'maintainer', 'observer', 'observer_plus', 'gitops'];
const TEAM_ROLES = ['admin', 'maintainer', 'observer', 'observer_plus', 'gitops'];
const RESERVED_TEAM_NAMES = ['all teams', 'no team'];
/** Fields only the host details carry (the list omits them). */
const HOST_DETAIL_ONLY = ['labels', 'software', 'disk_encryption_enabled', 'packs', 'policies', 'batteries'];
const SOFTWARE_ORDER_KEYS = ['name', 'hosts_count', 'cve_published', 'cvss_score', 'epss_probability', 'cisa_known_exploit'];

// ---------------------------------------------------------------------------------------------
// Seed data (built per emulator, so every create…() call starts fresh)

function agentOptions(): Json {
  return {
    config: {
      options: { pack_delimiter: '/', logger_tls_period: 10, distributed_plugin: 'tls', disable_distributed: false, logger_tls_endpoint: '/api/v1/osquery/log', distributed_interval: 10, distributed_tls_max_attempts: 3 },
      decorators: { load: ['SELECT uuid AS host_uuid FROM system_info;', 'SELECT hostname AS hostname FROM system_info;'] },
    },
    overrides: {},
    command_line_flags: {},
  };
}

function webhookSettings(): Json {
  return {
    failing_policies_webhook: { enable_failing_policies_webhook: false, destination_url: '', policy_ids: null, host_batch_size: 0 },
    host_status_webhook: { enable_host_status_webhook: false, destination_url: '', host_percentage: 0, days_count: 0 },
  };
}

function teamMdm(minimumMacos = ''): Json {
  return {
    enable_disk_encryption: minimumMacos !== '',
    macos_updates: { minimum_version: minimumMacos, deadline: minimumMacos ? '2025-01-15' : '' },
    windows_updates: { deadline_days: null, grace_period_days: null },
    macos_settings: { custom_settings: [] },
    windows_settings: { custom_settings: [] },
    macos_setup: { bootstrap_package: '', enable_end_user_authentication: false, macos_setup_assistant: '' },
  };
}

function team(id: number, name: string, description: string, createdAt: string, minimumMacos = ''): TeamRow {
  return { id, created_at: createdAt, name, description, agent_options: agentOptions(), webhook_settings: webhookSettings(), integrations: { jira: null, zendesk: null, google_calendar: null }, mdm: teamMdm(minimumMacos) };
}

function seedTeams(): TeamRow[] {
  return [
    team(1, 'Workstations', 'Employee laptops and desktops', '2023-01-10T16:02:11Z', '14.4'),
    team(2, 'Servers', 'Production and build servers', '2023-01-10T16:03:40Z'),
    team(3, 'Mobile', 'Company iPhones and iPads', '2023-06-21T09:15:00Z'),
    team(4, 'Contractors', 'Devices issued to contractors', '2024-02-05T13:45:27Z', '14.2'),
  ];
}

function user(id: number, name: string, email: string, createdAt: string, updatedAt: string, role: { global?: string; teams?: TeamRole[] }, extra: Partial<UserRow> = {}): UserRow {
  return {
    id,
    created_at: createdAt,
    updated_at: updatedAt,
    name,
    email,
    force_password_reset: false,
    gravatar_url: '',
    sso_enabled: false,
    global_role: role.global ?? null,
    api_only: false,
    teams: role.teams ?? [],
    ...extra,
  };
}

function seedUsers(): UserRow[] {
  return [
    user(1, 'Morgan Reyes', 'morgan.reyes@sandbox.example.com', '2023-01-10T15:58:02Z', '2024-03-02T10:11:45Z', { global: 'admin' }, { position: 'IT Director', gravatar_url: 'https://www.gravatar.com/avatar/5d1e2c8f9a7b6c4d3e2f1a0b9c8d7e6f' }),
    user(2, 'Priya Natarajan', 'priya.natarajan@sandbox.example.com', '2023-02-14T09:30:00Z', '2023-02-14T09:30:00Z', { teams: [{ id: 1, role: 'maintainer' }] }, { position: 'Client Platform Engineer' }),
    user(3, 'Alex Kim', 'alex.kim@sandbox.example.com', '2023-03-01T10:00:00Z', '2024-01-18T08:20:31Z', { teams: [{ id: 1, role: 'observer' }, { id: 2, role: 'maintainer' }] }),
    user(4, 'Sam Okafor', 'sam.okafor@sandbox.example.com', '2023-05-09T14:22:10Z', '2023-05-09T14:22:10Z', { global: 'observer_plus' }, { sso_enabled: true }),
    user(5, 'Deploy Bot', 'deploy-bot@sandbox.example.com', '2023-07-30T18:00:00Z', '2023-07-30T18:00:00Z', { global: 'gitops' }, { api_only: true }),
    user(6, 'Lena Fischer', 'lena.fischer@sandbox.example.com', '2024-02-06T11:05:09Z', '2024-04-12T16:40:00Z', { teams: [{ id: 3, role: 'maintainer' }, { id: 4, role: 'observer' }] }, { force_password_reset: true }),
  ];
}

const LABEL_CREATED = '2023-01-10T15:58:00Z';
function label(id: number, name: string, description: string, platform: string): Json {
  return { created_at: LABEL_CREATED, updated_at: LABEL_CREATED, id, name, description, query: platform ? `SELECT 1 FROM os_version WHERE platform = '${platform}';` : 'SELECT 1;', platform, label_type: 'builtin', label_membership_type: 'dynamic' };
}
const ALL_HOSTS = label(6, 'All Hosts', 'All hosts which have enrolled in Fleet', '');
const LABELS: Record<string, Json> = {
  darwin: label(7, 'macOS', 'All macOS hosts', 'darwin'),
  ubuntu: label(8, 'Ubuntu Linux', 'All Ubuntu hosts', 'ubuntu'),
  centos: label(9, 'CentOS Linux', 'All CentOS hosts', 'centos'),
  windows: label(10, 'MS Windows', 'Windows hosts', 'windows'),
  ios: label(11, 'iOS', 'All iOS hosts', 'ios'),
};

interface HostSeed {
  id: number;
  team_id: number | null;
  created_at: string;
  seen_time: string;
  last_enrolled_at: string;
  hostname: string;
  computer_name: string;
  uuid: string;
  platform: string;
  platform_like: string;
  os_version: string;
  build: string;
  osquery_version: string;
  orbit_version: string | null;
  hardware_vendor: string;
  hardware_model: string;
  hardware_serial: string;
  primary_ip: string;
  primary_mac: string;
  public_ip: string;
  status: string;
  cpu_brand: string;
  memory: number;
  gigs_disk_space_available: number;
  percent_disk_space_available: number;
  gigs_total_disk_space: number;
  disk_encryption_enabled: boolean | null;
  mdm: Json;
}

function host(seed: HostSeed): HostRow {
  const display = seed.computer_name || seed.hostname;
  return {
    created_at: seed.created_at,
    updated_at: seed.seen_time,
    id: seed.id,
    detail_updated_at: seed.seen_time,
    label_updated_at: seed.seen_time,
    policy_updated_at: seed.seen_time,
    last_enrolled_at: seed.last_enrolled_at,
    seen_time: seed.seen_time,
    refetch_requested: false,
    hostname: seed.hostname,
    uuid: seed.uuid,
    platform: seed.platform,
    osquery_version: seed.osquery_version,
    orbit_version: seed.orbit_version,
    fleet_desktop_version: seed.orbit_version,
    scripts_enabled: seed.orbit_version !== null,
    os_version: seed.os_version,
    build: seed.build,
    platform_like: seed.platform_like,
    code_name: '',
    uptime: 0,
    memory: seed.memory,
    cpu_type: seed.platform === 'ios' ? '' : 'x86_64',
    cpu_subtype: '',
    cpu_brand: seed.cpu_brand,
    cpu_physical_cores: seed.memory ? 8 : 0,
    cpu_logical_cores: seed.memory ? 16 : 0,
    hardware_vendor: seed.hardware_vendor,
    hardware_model: seed.hardware_model,
    hardware_version: '',
    hardware_serial: seed.hardware_serial,
    computer_name: seed.computer_name,
    display_name: display,
    display_text: seed.hostname || display,
    public_ip: seed.public_ip,
    primary_ip: seed.primary_ip,
    primary_mac: seed.primary_mac,
    distributed_interval: 10,
    config_tls_refresh: 60,
    logger_tls_period: 10,
    team_id: seed.team_id,
    team_name: null,
    gigs_disk_space_available: seed.gigs_disk_space_available,
    percent_disk_space_available: seed.percent_disk_space_available,
    gigs_total_disk_space: seed.gigs_total_disk_space,
    disk_encryption_enabled: seed.disk_encryption_enabled,
    status: seed.status,
    issues: { failing_policies_count: 0, critical_vulnerabilities_count: 0, total_issues_count: 0 },
    mdm: seed.mdm,
  };
}

function mdmInfo(enrollment: string | null, connected: boolean): Json {
  return enrollment === null
    ? { encryption_key_available: false, enrollment_status: null, name: '', connected_to_fleet: false, server_url: null }
    : { encryption_key_available: connected, enrollment_status: enrollment, name: 'Fleet', connected_to_fleet: connected, server_url: `${ORIGIN}/mdm/apple/mdm`, device_status: 'unlocked', pending_action: '' };
}

function seedHosts(): HostRow[] {
  return [
    host({
      id: 1, team_id: 1, created_at: '2023-02-15T10:12:03Z', seen_time: '2024-06-03T08:41:12Z', last_enrolled_at: '2023-02-15T10:12:03Z',
      hostname: 'morgans-macbook-pro.local', computer_name: "Morgan's MacBook Pro", uuid: '5E0C3A1B-7F2D-4C9E-8A61-0B3D2E4F6A71',
      platform: 'darwin', platform_like: 'darwin', os_version: 'macOS 14.5', build: '23F79', osquery_version: '5.12.1', orbit_version: '1.27.0',
      hardware_vendor: 'Apple Inc.', hardware_model: 'MacBookPro18,3', hardware_serial: 'C02FX4Q1MD6T', primary_ip: '192.168.10.21', primary_mac: 'a4:83:e7:3c:19:5d', public_ip: '198.51.100.24',
      status: 'online', cpu_brand: 'Apple M1 Pro', memory: 34359738368, gigs_disk_space_available: 312.4, percent_disk_space_available: 63, gigs_total_disk_space: 494.4,
      disk_encryption_enabled: true, mdm: mdmInfo('On (automatic)', true),
    }),
    host({
      id: 2, team_id: 1, created_at: '2023-03-02T14:40:55Z', seen_time: '2024-05-28T17:02:40Z', last_enrolled_at: '2023-03-02T14:40:55Z',
      hostname: 'LT-PNATARAJAN', computer_name: 'LT-PNATARAJAN', uuid: '4C4C4544-0042-3510-8052-B7C04F335A32',
      platform: 'windows', platform_like: 'windows', os_version: 'Windows 11 Pro 23H2 10.0.22631.3593', build: '22631', osquery_version: '5.12.1', orbit_version: '1.27.0',
      hardware_vendor: 'Lenovo', hardware_model: 'ThinkPad X1 Carbon Gen 11', hardware_serial: 'PF3WQ8K2', primary_ip: '192.168.10.37', primary_mac: '8c:8d:28:4e:a1:02', public_ip: '198.51.100.24',
      status: 'offline', cpu_brand: '13th Gen Intel(R) Core(TM) i7-1365U', memory: 17179869184, gigs_disk_space_available: 141.2, percent_disk_space_available: 30, gigs_total_disk_space: 475.7,
      disk_encryption_enabled: true, mdm: mdmInfo('On (manual)', true),
    }),
    host({
      id: 3, team_id: 2, created_at: '2023-01-12T09:00:00Z', seen_time: '2024-06-03T08:44:51Z', last_enrolled_at: '2024-01-08T07:30:00Z',
      hostname: 'db01.corp.sandbox.example.com', computer_name: 'DB01', uuid: '4C4C4544-0031-4A10-8047-B3C04F4B5A31',
      platform: 'windows', platform_like: 'windows', os_version: 'Microsoft Windows Server 2022 Datacenter 21H2 10.0.20348.2461', build: '20348', osquery_version: '5.11.0', orbit_version: '1.26.0',
      hardware_vendor: 'Dell Inc.', hardware_model: 'PowerEdge R650', hardware_serial: '7XQ9K23', primary_ip: '10.0.4.21', primary_mac: '00:50:56:a1:b2:c3', public_ip: '203.0.113.10',
      status: 'online', cpu_brand: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', memory: 137438953472, gigs_disk_space_available: 1620.5, percent_disk_space_available: 81, gigs_total_disk_space: 1999.3,
      disk_encryption_enabled: false, mdm: mdmInfo('Off', false),
    }),
    host({
      id: 4, team_id: 2, created_at: '2023-01-12T09:05:10Z', seen_time: '2024-06-03T08:44:02Z', last_enrolled_at: '2023-01-12T09:05:10Z',
      hostname: 'web01', computer_name: 'web01', uuid: 'ec2a7f0e-9a1d-4c55-b1d2-3f4e5a6b7c8d',
      platform: 'ubuntu', platform_like: 'debian', os_version: 'Ubuntu 22.04.4 LTS', build: '', osquery_version: '5.12.1', orbit_version: '1.27.0',
      hardware_vendor: 'Amazon EC2', hardware_model: 'm6i.large', hardware_serial: 'ec2a7f0e-9a1d-4c55-b1d2-3f4e5a6b7c8d', primary_ip: '10.0.8.15', primary_mac: '0a:1b:2c:3d:4e:5f', public_ip: '203.0.113.44',
      status: 'online', cpu_brand: 'Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz', memory: 8589934592, gigs_disk_space_available: 58.9, percent_disk_space_available: 74, gigs_total_disk_space: 79.5,
      disk_encryption_enabled: null, mdm: mdmInfo(null, false),
    }),
    host({
      id: 5, team_id: 3, created_at: '2024-05-10T14:00:00Z', seen_time: '2024-05-10T14:00:00Z', last_enrolled_at: ZERO_TIME,
      hostname: '', computer_name: "Lena's iPhone", uuid: '00008110-000A1B2C3D4E5F60',
      platform: 'ios', platform_like: 'ios', os_version: 'iOS 17.4.1', build: '', osquery_version: '', orbit_version: null,
      hardware_vendor: 'Apple Inc.', hardware_model: 'iPhone15,2', hardware_serial: 'F2LXK0ABCD12', primary_ip: '', primary_mac: '', public_ip: '',
      status: 'new', cpu_brand: '', memory: 0, gigs_disk_space_available: 0, percent_disk_space_available: 0, gigs_total_disk_space: 0,
      disk_encryption_enabled: null, mdm: mdmInfo('Pending', false),
    }),
    host({
      id: 6, team_id: null, created_at: '2022-11-05T05:09:44Z', seen_time: '2024-03-01T03:01:45Z', last_enrolled_at: '2022-11-05T05:09:44Z',
      hostname: 'build-agent-07', computer_name: 'build-agent-07', uuid: '392547dc-0000-0000-a87a-d701ff75bc65',
      platform: 'centos', platform_like: 'rhel fedora', os_version: 'CentOS Linux 7.9.2009', build: '', osquery_version: '5.9.1', orbit_version: null,
      hardware_vendor: 'QEMU', hardware_model: 'Standard PC (i440FX + PIIX, 1996)', hardware_serial: '', primary_ip: '10.0.9.7', primary_mac: '52:54:00:12:34:56', public_ip: '',
      status: 'mia', cpu_brand: 'QEMU Virtual CPU version 2.5+', memory: 4294967296, gigs_disk_space_available: 12.3, percent_disk_space_available: 31, gigs_total_disk_space: 39.2,
      disk_encryption_enabled: false, mdm: mdmInfo(null, false),
    }),
  ];
}

function vulnerability(cve: string, score: number, epss: number, exploited: boolean, published: string, resolvedIn: string): Json {
  return { cve, details_link: `https://nvd.nist.gov/vuln/detail/${cve}`, created_at: '2024-05-01T00:15:00Z', cvss_score: score, epss_probability: epss, cisa_known_exploit: exploited, cve_published: published, resolved_in_version: resolvedIn };
}

function seedSoftware(): SoftwareRow[] {
  return [
    { id: 1, name: 'Firefox.app', version: '125.0.3', bundle_identifier: 'org.mozilla.firefox', source: 'apps', browser: '', generated_cpe: 'cpe:2.3:a:mozilla:firefox:125.0.3:*:*:*:*:macos:*:*', vulnerabilities: [vulnerability('CVE-2024-4367', 8.8, 0.0212, false, '2024-05-14T18:15:00Z', '126.0')] },
    { id: 2, name: 'Google Chrome.app', version: '124.0.6367.208', bundle_identifier: 'com.google.Chrome', source: 'apps', browser: '', generated_cpe: 'cpe:2.3:a:google:chrome:124.0.6367.208:*:*:*:*:macos:*:*', vulnerabilities: null },
    { id: 3, name: 'Slack.app', version: '4.38.125', bundle_identifier: 'com.tinyspeck.slackmacgap', source: 'apps', browser: '', generated_cpe: 'cpe:2.3:a:slack:slack:4.38.125:*:*:*:*:macos:*:*', vulnerabilities: null },
    { id: 4, name: 'Microsoft Edge', version: '125.0.2535.67', vendor: 'Microsoft Corporation', source: 'programs', browser: '', generated_cpe: 'cpe:2.3:a:microsoft:edge_chromium:125.0.2535.67:*:*:*:*:*:*:*', vulnerabilities: null },
    { id: 5, name: '1Password – Password Manager', version: '2.24.2', extension_id: 'aeblfdkhhhdcdjpifhhbdiojplfjncoa', source: 'chrome_extensions', browser: 'chrome', generated_cpe: '', vulnerabilities: null },
    { id: 6, name: 'openssl', version: '3.0.2-0ubuntu1.15', vendor: 'Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>', arch: 'amd64', release: '', source: 'deb_packages', browser: '', generated_cpe: 'cpe:2.3:a:openssl:openssl:3.0.2:*:*:*:*:*:*:*', vulnerabilities: [vulnerability('CVE-2024-2511', 5.9, 0.0048, false, '2024-04-08T14:15:00Z', '3.0.2-0ubuntu1.16')] },
    { id: 7, name: 'glibc', version: '2.17', vendor: 'CentOS', release: '326.el7_9', arch: 'x86_64', source: 'rpm_packages', browser: '', generated_cpe: 'cpe:2.3:a:gnu:glibc:2.17:*:*:*:*:*:*:*', vulnerabilities: [vulnerability('CVE-2009-5155', 7.5, 0.01537, false, '2013-02-05T20:55:00Z', '2.28')] },
  ];
}

/** Which software versions each seeded host has (Fleet's host software inventory). */
function seedInventory(): Map<number, number[]> {
  return new Map([
    [1, [1, 2, 3, 5]],
    [2, [2, 4, 5]],
    [3, [4]],
    [4, [6]],
    [5, []],
    [6, [7]],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Fleet's error bodies

function fleetError(status: number, message: string, errors: { name: string; reason: string }[], headers: Record<string, string> = {}): Response {
  return json({ message, errors, uuid: crypto.randomUUID() }, status, headers);
}

function baseError(status: number, message: string, reason: string): Response {
  return fleetError(status, message, [{ name: 'base', reason }]);
}

const unauthorized = (): Response => baseError(401, 'Authentication failed', 'Authentication failed');
const badRequest = (reason: string): Response => baseError(400, 'Bad request', reason);
const notFound = (resource: string, id: string): Response => baseError(404, 'Resource Not Found', `${resource} with id=${id} was not found in the datastore`);
const alreadyExists = (resource: string, identifier: string): Response => baseError(409, 'Resource Already Exists', `${resource} ${identifier} already exists`);
/** A `*fleet.Error` (e.g. a role error): 422 with a message and a code, no `errors`. */
const fleetCodedError = (message: string, code: number): Response => json({ message, code, uuid: crypto.randomUUID() }, 422);

class Invalid {
  readonly errors: { name: string; reason: string }[] = [];
  add(name: string, reason: string): void {
    this.errors.push({ name, reason });
  }
  response(): Response | undefined {
    return this.errors.length ? fleetError(422, 'Validation Failed', this.errors) : undefined;
  }
}

function validatePassword(password: string): string | undefined {
  const number = /\p{N}/u.test(password);
  const symbol = /[\p{P}\p{S}]/u.test(password);
  return password.length >= 12 && number && symbol
    ? undefined
    : 'Password does not meet required criteria: Must include 12 characters, at least 1 number (e.g. 0 - 9), and at least 1 symbol (e.g. &*#).';
}

function validateEmail(email: string): string | undefined {
  if (!email.includes('@')) return "mail: missing '@' or angle-addr";
  return /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/.test(email) ? undefined : 'Email is invalid';
}

function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Lists: Fleet's ListOptions (page, per_page, order_key, order_direction)

interface ListOptions {
  page: number;
  perPage: number | undefined;
  orderKey: string;
  descending: boolean;
}

function listOptions(query: URLSearchParams): ListOptions | Response {
  const pageText = query.get('page') ?? '';
  const perPageText = query.get('per_page') ?? '';
  const orderKey = query.get('order_key') ?? '';
  const direction = query.get('order_direction') ?? '';
  let page = 0;
  if (pageText !== '') {
    if (!/^-?\d+$/.test(pageText)) return badRequest('non-int page value');
    page = Number(pageText);
    if (page < 0) return badRequest('negative page value');
  }
  let perPage: number | undefined;
  if (perPageText !== '') {
    if (!/^-?\d+$/.test(perPageText)) return badRequest('non-int per_page value');
    perPage = Number(perPageText);
    if (perPage <= 0) return badRequest('invalid per_page value');
  }
  if (perPage === undefined && pageText !== '') perPage = DEFAULT_PER_PAGE;
  if (orderKey === '' && direction !== '') return badRequest('order_key must be specified with order_direction');
  if (direction !== '' && direction !== 'asc' && direction !== 'desc') return badRequest(`unknown order_direction: ${direction}`);
  return { page, perPage, orderKey, descending: direction === 'desc' };
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  // MySQL's default collation compares case-insensitively.
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Orders (by `order_key`, then id) and slices one page. */
function paginate<T extends Json>(rows: T[], options: ListOptions): { page: T[]; hasNext: boolean } {
  const key = options.orderKey;
  const sorted = [...rows].sort((a, b) => {
    const primary = key ? compareValues(a[key], b[key]) : 0;
    const ordered = options.descending ? -primary : primary;
    return ordered || compareValues(a.id, b.id);
  });
  if (options.perPage === undefined) return { page: sorted, hasNext: false };
  const start = options.page * options.perPage;
  return { page: sorted.slice(start, start + options.perPage), hasNext: start + options.perPage < sorted.length };
}

function matches(query: string, ...values: unknown[]): boolean {
  const needle = query.trim().toLowerCase();
  if (!needle) return true;
  return values.some((value) => typeof value === 'string' && value.toLowerCase().includes(needle));
}

/** `team_id` as Fleet decodes it: an unsigned integer, or absent. */
function teamIdParam(query: URLSearchParams): number | undefined | Response {
  const text = query.get('team_id');
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text)) return badRequest(`failed to decode team_id parameter: ${text}`);
  return Number(text);
}

// ---------------------------------------------------------------------------------------------

export function createFleetEmulator(): Emulator {
  const teams = new Table<TeamRow>(seedTeams(), 'id', 5);
  const users = new Table<UserRow>(seedUsers(), 'id', 7);
  const hosts = new Table<HostRow>(seedHosts(), 'id', 7);
  const software = new Table<SoftwareRow>(seedSoftware(), 'id', 8);
  const inventory = seedInventory();
  /** Valid API tokens: the demo token, plus the token of every API-only user created here. */
  const tokens = new Map<string, number | null>([[DEMO_TOKEN, null]]);
  let tokenSerial = 0;

  // -- rendering (Fleet's JSON for each row, with computed counts and joined names)

  function renderTeam(row: TeamRow): Json {
    const userCount = users.count((u) => u.teams.some((t) => t.id === row.id));
    const hostCount = hosts.count((h) => h.team_id === row.id);
    return { ...clone(row), user_count: userCount, host_count: hostCount };
  }

  function renderUser(row: UserRow): Json {
    const { teams: roles, ...rest } = clone(row);
    return {
      ...rest,
      teams: roles.map((r) => {
        const t = teams.get(String(r.id));
        // Fleet loads a user's teams without their timestamps: created_at is Go's zero time.
        return { id: r.id, created_at: ZERO_TIME, name: t?.name ?? '', description: t?.description ?? '', role: r.role };
      }),
    };
  }

  function renderHost(row: HostRow, detail: boolean): Json {
    const out: Json = clone(row);
    out.team_name = row.team_id === null ? null : (teams.get(String(row.team_id))?.name ?? null);
    if (!detail) {
      for (const field of HOST_DETAIL_ONLY) delete out[field];
      return out;
    }
    const platformLabel = LABELS[String(row.platform)];
    out.labels = platformLabel ? [clone(ALL_HOSTS), clone(platformLabel)] : [clone(ALL_HOSTS)];
    out.software = (inventory.get(row.id) ?? []).flatMap((id) => {
      const s = software.get(String(id));
      if (!s) return [];
      const { vendor: _vendor, release: _release, arch: _arch, ...item } = s;
      return [{ ...item, installed_paths: [] }];
    });
    out.packs = [];
    out.policies = [];
    return out;
  }

  function hostsCount(id: number): number {
    let count = 0;
    for (const [hostId, ids] of inventory) if (hosts.get(String(hostId)) && ids.includes(id)) count++;
    return count;
  }

  function renderSoftware(row: SoftwareRow, list: boolean): Json {
    return list ? { ...clone(row), hosts_count: hostsCount(row.id) } : clone(row);
  }

  // -- users

  function listUsers(query: URLSearchParams): Response {
    const options = listOptions(query);
    if (options instanceof Response) return options;
    const teamId = teamIdParam(query);
    if (teamId instanceof Response) return teamId;
    const q = query.get('query') ?? '';
    const rows = users.filter((u) => matches(q, u.name, u.email) && (teamId === undefined || u.teams.some((t) => t.id === teamId)));
    return json({ users: paginate(rows, options).page.map(renderUser) });
  }

  function teamRoles(value: unknown, invalid: Invalid): TeamRole[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      invalid.add('teams', 'must be an array of {"id", "role"}');
      return undefined;
    }
    const out: TeamRole[] = [];
    for (const item of value) {
      if (!isObject(item) || typeof item.id !== 'number' || typeof item.role !== 'string') {
        invalid.add('teams', 'each team needs a numeric `id` and a `role`');
        continue;
      }
      if (!teams.get(String(item.id))) invalid.add('teams', `team with id=${item.id} does not exist`);
      out.push({ id: item.id, role: item.role });
    }
    return out;
  }

  /** Fleet's fleet.ValidateRole: exactly one of a global role or team roles, each a known role. */
  function roleError(globalRole: string | null | undefined, teamRoles: TeamRole[] | undefined, creating: boolean): Response | undefined {
    if (globalRole === undefined && teamRoles === undefined && !creating) return undefined;
    if (!globalRole) {
      if (!teamRoles?.length) return fleetCodedError('either global role or team role needs to be defined', 1);
      const bad = teamRoles.find((t) => !TEAM_ROLES.includes(t.role));
      return bad ? fleetCodedError(`invalid team role: ${bad.role}`, 1) : undefined;
    }
    if (teamRoles?.length) return fleetCodedError('Cannot specify both Global Role and Team Roles', 1);
    return GLOBAL_ROLES.includes(globalRole) ? undefined : fleetCodedError(`invalid global role: ${globalRole}`, 1);
  }

  function emailTaken(email: string, exceptId?: number): boolean {
    return users.some((u) => u.id !== exceptId && u.email.toLowerCase() === email.toLowerCase());
  }

  async function createUser(request: Request): Promise<Response> {
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const invalid = new Invalid();
    const types = typeErrors(body, { name: 'string', email: 'string', password: 'string', sso_enabled: 'boolean', api_only: 'boolean', global_role: 'string', admin_forced_password_reset: 'boolean', position: 'string', invite_token: 'string' });
    if (types) return types;
    const name = body.name as string | undefined;
    const email = body.email as string | undefined;
    const password = body.password as string | undefined;
    const sso = body.sso_enabled === true;
    // UserPayload.VerifyAdminCreate
    if (name === undefined) invalid.add('name', 'Full name missing required argument');
    else if (name === '') invalid.add('name', 'Full name cannot be empty');
    if (!sso) {
      if (password === undefined) invalid.add('password', 'Password missing required argument');
      else if (password === '') invalid.add('password', 'Password cannot be empty');
      else {
        const weak = validatePassword(password);
        if (weak) invalid.add('password', weak);
      }
    }
    if (sso && password) invalid.add('password', 'not allowed for SSO users');
    if (email === undefined) invalid.add('email', 'Email missing required argument');
    else if (email === '') invalid.add('email', 'Email cannot be empty');
    else {
      const bad = validateEmail(email);
      if (bad) invalid.add('email', bad);
    }
    if (body.invite_token !== undefined) invalid.add('invite_token', 'Invite token should not be specified with admin user creation');
    const roles = teamRoles(body.teams, invalid);
    const failed = invalid.response();
    if (failed) return failed;
    const role = roleError((body.global_role as string | undefined) ?? null, roles, true);
    if (role) return role;
    if (emailTaken(email!)) return alreadyExists('User', email!);

    const stamp = now();
    const created = users.insert((id) => ({
      id,
      created_at: stamp,
      updated_at: stamp,
      name: name!,
      email: email!,
      force_password_reset: sso ? false : body.admin_forced_password_reset !== false,
      gravatar_url: '',
      sso_enabled: sso,
      global_role: roles?.length ? null : ((body.global_role as string | undefined) ?? null),
      api_only: body.api_only === true,
      ...(typeof body.position === 'string' ? { position: body.position } : {}),
      teams: roles ?? [],
    }));
    const answer: Json = { user: { ...renderUser(created), enabled: true } };
    if (created.api_only) {
      const token = `sandbox-api-token-${created.id}-${++tokenSerial}`;
      tokens.set(token, created.id);
      answer.token = token;
    }
    return json(answer);
  }

  async function updateUser(id: string, request: Request): Promise<Response> {
    const existing = users.get(id);
    if (!existing) return notFound('User', id);
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const types = typeErrors(body, { name: 'string', email: 'string', password: 'string', new_password: 'string', sso_enabled: 'boolean', api_only: 'boolean', global_role: 'string', position: 'string', gravatar_url: 'string' });
    if (types) return types;
    // UserPayload.VerifyModify (an admin modifying another user needs no current password)
    const invalid = new Invalid();
    if (body.name === '') invalid.add('name', 'Full name cannot be empty');
    if (body.email !== undefined) {
      if (body.email === '') invalid.add('email', 'Email cannot be empty');
      else {
        const bad = validateEmail(body.email as string);
        if (bad) invalid.add('email', bad);
      }
    }
    const sso = body.sso_enabled === true || (body.sso_enabled === undefined && existing.sso_enabled);
    if (typeof body.new_password === 'string' && body.new_password) {
      if (sso) invalid.add('new_password', 'not allowed for SSO users');
      else {
        const weak = validatePassword(body.new_password);
        if (weak) invalid.add('new_password', weak);
      }
    }
    const roles = teamRoles(body.teams, invalid);
    const failed = invalid.response();
    if (failed) return failed;
    if (body.global_role !== undefined || roles !== undefined) {
      const role = roleError((body.global_role as string | null | undefined) ?? null, roles, false);
      if (role) return role;
    }
    if (typeof body.email === 'string' && emailTaken(body.email, existing.id)) return alreadyExists('User', body.email);

    const patch: Partial<UserRow> = { updated_at: now() };
    if (typeof body.name === 'string') patch.name = body.name;
    if (typeof body.email === 'string') patch.email = body.email;
    if (typeof body.position === 'string') patch.position = body.position;
    if (typeof body.gravatar_url === 'string') patch.gravatar_url = body.gravatar_url;
    if (typeof body.api_only === 'boolean') patch.api_only = body.api_only;
    if (typeof body.sso_enabled === 'boolean') patch.sso_enabled = body.sso_enabled;
    if (typeof body.global_role === 'string') {
      patch.global_role = body.global_role;
      patch.teams = [];
    } else if (roles !== undefined) {
      patch.global_role = null;
      patch.teams = roles;
    }
    return json({ user: renderUser(users.update(id, patch)!) });
  }

  function deleteUser(id: string): Response {
    if (!users.delete(id)) return notFound('User', id);
    for (const [token, owner] of tokens) if (owner === Number(id)) tokens.delete(token);
    return empty(200);
  }

  // -- hosts

  function listHosts(query: URLSearchParams): Response {
    const options = listOptions(query);
    if (options instanceof Response) return options;
    const teamId = teamIdParam(query);
    if (teamId instanceof Response) return teamId;
    const status = query.get('status') ?? '';
    if (status && !['new', 'online', 'offline', 'mia', 'missing'].includes(status)) return badRequest(`invalid status ${status}`);
    const q = query.get('query') ?? '';
    const rows = hosts.filter(
      (h) =>
        matches(q, h.hostname, h.computer_name, h.uuid, h.hardware_serial, h.primary_ip) &&
        (teamId === undefined || (teamId === 0 ? h.team_id === null : h.team_id === teamId)) &&
        (!status || h.status === status),
    );
    return json({ hosts: paginate(rows, options).page.map((h) => renderHost(h, false)) });
  }

  function deleteHost(id: string): Response {
    if (!hosts.delete(id)) return notFound('Host', id);
    inventory.delete(Number(id));
    return empty(200);
  }

  // -- software versions

  function listSoftware(query: URLSearchParams): Response {
    const options = listOptions(query);
    if (options instanceof Response) return options;
    if (options.orderKey && !SOFTWARE_ORDER_KEYS.includes(options.orderKey)) return badRequest(`invalid order key: ${options.orderKey}`);
    if (!options.orderKey) {
      // Fleet's default order: hosts_count, descending.
      options.orderKey = 'hosts_count';
      options.descending = true;
    }
    const q = query.get('query') ?? '';
    const vulnerableOnly = ['true', '1'].includes(query.get('vulnerable') ?? '');
    const rows = software
      .all()
      .map((s) => renderSoftware(s, true) as SoftwareRow)
      .filter((s) => {
        const cves = Array.isArray(s.vulnerabilities) ? s.vulnerabilities.map((v) => (isObject(v) ? v.cve : undefined)) : [];
        if (vulnerableOnly && !cves.length) return false;
        return matches(q, s.name, s.version, ...cves);
      });
    const { page, hasNext } = paginate(rows, options);
    return json({
      counts_updated_at: now(),
      count: rows.length,
      software: page,
      meta: { has_next_results: hasNext, has_previous_results: options.perPage !== undefined && options.page > 0 },
    });
  }

  // -- teams

  const TEAM_FIELDS = ['description', 'webhook_settings', 'integrations', 'mdm', 'agent_options'] as const;

  function listTeams(query: URLSearchParams): Response {
    const options = listOptions(query);
    if (options instanceof Response) return options;
    const q = query.get('query') ?? '';
    const rows = teams.filter((t) => matches(q, t.name));
    return json({ teams: paginate(rows, options).page.map(renderTeam) });
  }

  function teamNameProblem(name: unknown, exceptId?: number): Response | undefined {
    const invalid = new Invalid();
    if (name === undefined) invalid.add('name', 'missing required argument');
    else if (typeof name !== 'string') return badRequest('json: cannot unmarshal name into Go struct field of type string');
    else if (name.trim() === '') invalid.add('name', 'may not be empty');
    else if (RESERVED_TEAM_NAMES.includes(name.trim().toLowerCase())) invalid.add('name', `"${name}" is a reserved team name`);
    const failed = invalid.response();
    if (failed) return failed;
    const taken = teams.some((t) => t.id !== exceptId && t.name.toLowerCase() === (name as string).trim().toLowerCase());
    return taken ? alreadyExists('Team', String(name)) : undefined;
  }

  async function createTeam(request: Request): Promise<Response> {
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    const problem = teamNameProblem(body.name);
    if (problem) return problem;
    const created = teams.insert((id) => {
      const row = team(id, (body.name as string).trim(), typeof body.description === 'string' ? body.description : '', now());
      for (const field of TEAM_FIELDS) if (field !== 'description' && isObject(body[field])) row[field] = { ...row[field], ...(body[field] as Json) };
      return row;
    });
    // The server answers {"team": {…}} (server/service/teams.go teamResponse).
    return json({ team: renderTeam(created) });
  }

  async function updateTeam(id: string, request: Request): Promise<Response> {
    const existing = teams.get(id);
    if (!existing) return notFound('Team', id);
    const body = await jsonBody(request);
    if (body instanceof Response) return body;
    if (body.name !== undefined) {
      const problem = teamNameProblem(body.name, existing.id);
      if (problem) return problem;
    }
    const patch: Partial<TeamRow> = {};
    if (typeof body.name === 'string') patch.name = body.name.trim();
    if (typeof body.description === 'string') patch.description = body.description;
    for (const field of TEAM_FIELDS) if (field !== 'description' && isObject(body[field])) patch[field] = { ...existing[field], ...(body[field] as Json) };
    return json({ team: renderTeam(teams.update(id, patch)!) });
  }

  // -- request plumbing

  async function jsonBody(request: Request): Promise<Json | Response> {
    const body = await readBody(request);
    if (body === undefined || typeof body === 'string') return badRequest('Expected JSON Body');
    if (!isObject(body)) return badRequest('json decoder error');
    return body;
  }

  function typeErrors(body: Json, types: Record<string, 'string' | 'boolean'>): Response | undefined {
    for (const [field, type] of Object.entries(types)) {
      const value = body[field];
      if (value !== undefined && value !== null && typeof value !== type) return badRequest(`json: cannot unmarshal ${typeof value} into Go struct field .${field} of type ${type === 'boolean' ? 'bool' : 'string'}`);
    }
    return undefined;
  }

  function methodNotAllowed(): Response {
    return new Response('Method Not Allowed\n', { status: 405, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  function routeNotFound(): Response {
    return new Response('404 page not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (!url.pathname.startsWith(`${BASE_PATH}/`)) return routeNotFound();
    const path = url.pathname.slice(BASE_PATH.length).replace(/\/+$/, '');
    const method = request.method.toUpperCase();

    const token = bearer(request);
    if (!token || !tokens.has(token)) return unauthorized();

    const query = url.searchParams;
    let match: RegExpExecArray | null;

    if (path === '/users') return method === 'GET' ? listUsers(query) : methodNotAllowed();
    if (path === '/users/admin') return method === 'POST' ? createUser(request) : methodNotAllowed();
    if ((match = /^\/users\/(\d+)$/.exec(path))) {
      const id = String(Number(match[1]));
      if (method === 'GET') {
        const row = users.get(id);
        return row ? json({ user: renderUser(row) }) : notFound('User', id);
      }
      if (method === 'PATCH') return updateUser(id, request);
      if (method === 'DELETE') return deleteUser(id);
      return methodNotAllowed();
    }

    if (path === '/hosts') return method === 'GET' ? listHosts(query) : methodNotAllowed();
    if ((match = /^\/hosts\/(\d+)$/.exec(path))) {
      const id = String(Number(match[1]));
      if (method === 'GET') {
        const row = hosts.get(id);
        return row ? json({ host: renderHost(row, true) }) : notFound('Host', id);
      }
      if (method === 'DELETE') return deleteHost(id);
      return methodNotAllowed();
    }

    if (path === '/software/versions') return method === 'GET' ? listSoftware(query) : methodNotAllowed();
    if ((match = /^\/software\/versions\/(\d+)$/.exec(path))) {
      const id = String(Number(match[1]));
      if (method !== 'GET') return methodNotAllowed();
      const row = software.get(id);
      return row ? json({ software: renderSoftware(row, false) }) : notFound('Software', id);
    }

    if (path === '/teams') {
      if (method === 'GET') return listTeams(query);
      if (method === 'POST') return createTeam(request);
      return methodNotAllowed();
    }
    if ((match = /^\/teams\/(\d+)$/.exec(path))) {
      const id = String(Number(match[1]));
      if (method === 'GET') {
        const row = teams.get(id);
        return row ? json({ team: renderTeam(row) }) : notFound('Team', id);
      }
      if (method === 'PATCH') return updateTeam(id, request);
      return methodNotAllowed();
    }

    return routeNotFound();
  }

  return {
    integration: 'fleet',
    origins: [ORIGIN],
    context: { instance_host: new URL(ORIGIN).host, api_token: DEMO_TOKEN },
    handle,
  };
}
