import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { one, parseArgs } from './args.js';
import { UsageError } from './output.js';

export const initHelp = `Usage: unimap init <integration> [--dir mappings] [--label "Vendor Name"]

Scaffolds mappings/<integration>.yaml (with the schema header, so VS Code's YAML extension
autocompletes and checks it) and mappings/<integration>/ with a first fixture. Both work as
they are: \`unimap validate\` and \`unimap test\` pass before you change anything. Then replace the
example API with the vendor's own, one method at a time.`;

function definition(name: string, label: string): string {
  return `# yaml-language-server: $schema=../schemas/integration.schema.json
#
# ${label}: scaffolded by \`unimap init\`. The API below is an example; replace it with the
# vendor's own, from its API reference: base_url, context and auth first, then each resource
# in the vendor's terms, then the unified mappings. \`unimap map ${name} mdm/users.list\` shows
# the request a call becomes; \`unimap test mappings/${name}\` runs the fixtures.
name: ${name}
label: ${label}
description: ${label} users.
documentation_url: https://example.com/api-reference
base_url: "https://{{context.host}}/api/v1"
context:
  host:
    description: Host name of the account's ${label} API, e.g. acme.example.com
    required: true
  api_token:
    description: API token of the account
    required: true
    secret: true
auth:
  type: bearer
  token: "{{context.api_token}}"

resources:
  users:
    list:
      method: GET
      path: /users
      response_path: data
      pagination:
        type: cursor
        cursor_path: meta.next_cursor
        cursor_param: cursor
        limit_param: limit
        default_limit: 100
    get:
      method: GET
      path: "/users/{{id}}"
      response_path: data

unified:
  mdm:
    users:
      list:
        resource: users
        method: list
        response_mapping: &user |
          {
            "id": $string(response.id),
            "name": response.full_name,
            "emails": response.email ? [{ "email": response.email, "is_primary": true, "type": "work" }] : [],
            "is_active": response.status = "active",
            "created_at": $toIsoDate(response.created_at)
          }
      get:
        resource: users
        method: get
        response_mapping: *user
`;
}

function fixture(name: string): string {
  return `# yaml-language-server: $schema=../../schemas/fixture.schema.json
name: ${name} lists users
call:
  integration: ${name}
  model: mdm
  resource: users
  method: list
  query:
    limit: "2"
  context:
    host: acme.example.com
    api_token: placeholder-token
exchanges:
  - request:
      method: GET
      url: https://acme.example.com/api/v1/users?limit=2
      headers:
        accept: application/json
    response:
      status: 200
      headers: { content-type: application/json }
      body:
        data:
          - { id: 1, full_name: Jane Doe, email: jane@example.com, status: active, created_at: "2024-03-01T09:30:00+01:00" }
        meta: {}
expect:
  result:
    result:
      - id: "1"
        name: Jane Doe
        emails: [{ email: jane@example.com, is_primary: true, type: work }]
        is_active: true
        created_at: "2024-03-01T08:30:00.000Z"
        remote_data: { id: 1, full_name: Jane Doe, email: jane@example.com, status: active, created_at: "2024-03-01T09:30:00+01:00" }
    next_cursor: null
    prev_cursor: null
    result_count: 1
`;
}

export async function initCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['dir', 'label'], []);
  const [name, ...extra] = args.positional;
  if (!name) throw new UsageError('name the integration, e.g. `unimap init acme`');
  if (extra.length) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new UsageError('an integration name is lower case letters, digits and underscores, starting with a letter');
  const dir = one(args, 'dir') ?? 'mappings';
  const label = one(args, 'label') ?? name.replace(/_/g, ' ').replace(/\b\w/g, (ch) => ch.toUpperCase());
  const file = join(dir, `${name}.yaml`);
  const folder = join(dir, name);
  if (existsSync(file) || existsSync(folder)) {
    process.stderr.write(`unimap init: ${existsSync(file) ? file : folder} already exists; nothing was written\n`);
    return 1;
  }
  await mkdir(folder, { recursive: true });
  await writeFile(file, definition(name, label));
  await writeFile(join(folder, 'users.list.yaml'), fixture(name));
  process.stdout.write(`wrote ${file}\nwrote ${join(folder, 'users.list.yaml')}\n\nnext: unimap validate ${file} && unimap test ${folder} --definitions ${dir}\n`);
  return 0;
}
