import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { Engine, type ExecuteCall } from '../../engine/index.js';
import { startServer, type TestServer } from '../support/http-server.js';

// Jamf Pro's Classic API: XML bodies both ways (POST /JSSResource/users/id/0 with <user>…</user>).

/** A Classic API definition: base URL, bearer token and `users.get`, then `more` resources and the unified part. */
const classic = (name: string, more: string, unified: string) => `name: ${name}
base_url: "http://{{context.host}}/JSSResource"
context: { access_token: { secret: true } }
auth: { type: bearer, token: "{{context.access_token}}" }
resources:
  users:
    get: { path: "/users/id/{{id}}", response_path: user }
${more}unified:
${unified}`;

const definition = classic(
  'jamf_classic',
  `    create: { method: POST, path: /users/id/0, body_format: xml, xml_root: user, response_path: user }
`,
  `  mdm:
    users:
      get:
        resource: users
        method: get
        response_mapping: |
          {
            "id": response.id,
            "name": response.full_name ? response.full_name : response.name,
            "emails": response.email ? [{ "email": response.email, "is_primary": true, "type": "work" }] : [],
            "organization": $toArray(response.sites.site)[0] ~> | $ | { "id": id, "name": name } |
          }
      create:
        resource: users
        method: create
        required: [name]
        request_body_mapping: '{ "name": body.name, "full_name": body.name, "email": body.emails[0].email }'
        response_mapping: '{ "id": response.id, "name": body.name }'
`,
);

let server: TestServer;
const stored = `<?xml version="1.0" encoding="UTF-8"?><user><id>42</id><name>jdoe</name><full_name>Jane Doe</full_name><email>jane.doe@example.com</email><email_address>jane.doe@example.com</email_address><phone_number>555-0100</phone_number><position>Engineer</position><enable_custom_photo_url>false</enable_custom_photo_url><custom_photo_url/><ldap_server><id>-1</id><name>None</name></ldap_server><extension_attributes/><sites><site><id>-1</id><name>None</name></site></sites></user>`;

beforeAll(async () => {
  server = await startServer((request) => {
    if (request.method === 'POST') return { status: 201, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body: '<?xml version="1.0" encoding="UTF-8"?><user><id>42</id></user>' };
    if (request.url === '/JSSResource/users/id/42') return { headers: { 'content-type': 'application/xml' }, body: stored };
    return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body><p>The server has not found anything matching the request URI</p></body></html>' };
  });
});
afterAll(() => server.close());

const engine = new Engine({ definitions: [{ file: 'jamf_classic.yaml', text: definition }], strict: true });
const account = () => ({ id: 'a1', integration: 'jamf_classic', context: { host: server.host, access_token: 'classic-token' } });

test('an XML create writes the XML body and reads the XML answer', async () => {
  const call: ExecuteCall = {
    model: 'mdm',
    resource: 'users',
    method: 'create',
    body: { name: 'jdoe & co <x>', emails: [{ email: 'jane.doe@example.com' }], remote_data: { position: 'Engineer' } },
    account: account(),
  };
  const result = await engine.execute(call);
  expect(result.status).toBe(201);
  expect(result.body).toEqual({ id: '42', name: 'jdoe & co <x>', remote_data: { id: '42' } });
  const sent = server.requests.at(-1)!;
  expect(sent.headers['content-type']).toBe('application/xml');
  expect(sent.headers.accept).toBe('application/xml');
  expect(sent.headers.authorization).toBe('Bearer classic-token');
  expect(sent.body).toBe(
    '<?xml version="1.0" encoding="UTF-8"?><user><name>jdoe &amp; co &lt;x&gt;</name><full_name>jdoe &amp; co &lt;x&gt;</full_name><email>jane.doe@example.com</email><position>Engineer</position></user>',
  );
});

test('an XML read maps into the unified user', async () => {
  const result = await engine.execute({ model: 'mdm', resource: 'users', method: 'get', id: '42', query: { truto_ignore_remote_data: 'true' }, account: account() });
  expect(result.body).toEqual({
    id: '42',
    name: 'Jane Doe',
    emails: [{ email: 'jane.doe@example.com', is_primary: true, type: 'work' }],
    organization: { id: '-1', name: 'None' },
  });
});

test('an HTML error page from an XML API becomes a unified error with its message', async () => {
  await expect(engine.execute({ model: 'mdm', resource: 'users', method: 'get', id: '7', account: account() })).rejects.toMatchObject({
    code: 'remote_error',
    statusCode: 404,
    message: 'jamf_classic mdm/users.get: The server has not found anything matching the request URI',
  });
});

test('a form-encoded response body is read as an object', async () => {
  const { parseBody } = await import('../../engine/transport/send.js');
  const { Redactor } = await import('../../engine/transport/redact.js');
  expect(parseBody('access_token=abc&scope=a+b&__proto__=x', 'application/x-www-form-urlencoded; charset=utf-8', 'auto', 200, 'w', new Redactor([]))).toEqual({ access_token: 'abc', scope: 'a b' });
  expect(({} as Record<string, unknown>).x).toBeUndefined();
});

test('XML support loads on first use: a before step that writes XML, then XML answers, in a fresh module graph', async () => {
  // A fresh graph: nothing in this file has loaded XML support into it, so a step or a response
  // that forgot to load it first would fail here.
  vi.resetModules();
  const fresh = await import('../../engine/index.js');
  const withStep = new fresh.Engine({
    definitions: [
      {
        file: 'jamf_classic_steps.yaml',
        text: classic(
          'jamf_classic_steps',
          `  probes:
    create: { method: POST, path: /users/id/0, body_format: xml, xml_root: user, response_path: user }
`,
          `  mdm:
    users:
      get:
        resource: users
        method: get
        before:
          - name: probe
            resource: probes
            method: create
            body: '{ "name": "probe & co" }'
            response_mapping: response.id
        response_mapping: '{ "id": response.id, "name": response.full_name }'
`,
        ),
      },
    ],
    strict: true,
  });
  const result = await withStep.execute({
    model: 'mdm',
    resource: 'users',
    method: 'get',
    id: '42',
    query: { truto_ignore_remote_data: 'true' },
    account: { id: 'a2', integration: 'jamf_classic_steps', context: { host: server.host, access_token: 'classic-token' } },
  });
  expect(result.body).toEqual({ id: '42', name: 'Jane Doe' });
  const probe = server.requests.find((r) => r.method === 'POST' && r.body.includes('probe'))!;
  expect(probe.headers['content-type']).toBe('application/xml');
  expect(probe.body).toBe('<?xml version="1.0" encoding="UTF-8"?><user><name>probe &amp; co</name></user>');
});
