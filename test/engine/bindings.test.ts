import { describe, expect, test } from 'vitest';
import { Engine, slotBindings } from '../../engine/index.js';

// Each slot returns the names of the bindings it received (and echoes some values), so the
// test proves that every slot runs and gets exactly the bindings the schema's x-bindings lists.
const definition = `name: probe
base_url: "https://{{context.host}}/api"
headers:
  x-default: "d-{{context.tenant}}"
resources:
  items:
    list: { path: /items, response_path: data }
    get: { path: "/items/{{id}}" }
    create: { method: POST, path: /items }
  things:
    create: { method: PUT, path: /things }
unified:
  mdm:
    users:
      create:
        resource:
          expression: 'body.name = "thing" ? "things" : "items"'
          allowed: [items, things]
        method:
          expression: '$join($keys($), ",") = "query,rawQuery,body,context" ? "create" : "wrong"'
          allowed: [create]
        query_schema: { type: object, properties: { filter: { type: string } } }
        query: { static: "yes", tenant: "{{context.tenant}}" }
        query_mapping: '{ "qm_keys": $join($keys($), ","), "q": query.filter, "i": id }'
        body: { source: unimap }
        request_body_mapping: '{ "rb_keys": $join($keys($), ","), "name": body.name, "raw": rawQuery.truto_response_format, "ctx": context.tenant }'
        request_header_mapping: '{ "x-rh-keys": $join($keys($), ","), "x-signed": requestBody.name & "/" & headers."x-default" }'
        path_mapping: '"/items/" & $join($keys($), "_")'
        response_mapping: '{ "id": response.id, "name": $join($keys($), ","), "q": query.filter, "raw": rawQuery.truto_response_format, "h": headers."x-remote", "b": body.name, "c": context.tenant }'
        response_header_mapping: '{ "x-keys": $join($keys($), ","), "x-rate": headers."x-ratelimit-remaining", "x-id": response.id }'
        error_mapping: '{ "message": $join($keys($), ",") & " " & $string(status) & " " & error.msg & " " & body.name & " " & context.tenant, "statusCode": 422 }'
`;

const engine = new Engine({ definitions: [{ file: 'probe.yaml', text: definition }] });
const call = {
  integration: 'probe',
  model: 'mdm',
  resource: 'users',
  method: 'create',
  query: { filter: 'f', truto_response_format: 'unified' },
  body: { name: 'Ann' },
  context: { host: 'probe.example.com', tenant: 't1' },
};

function keys(slot: string): string {
  return [...slotBindings[slot]!].join(',');
}

describe('every mapping slot receives exactly its bindings', () => {
  test('the definition loads', () => {
    expect(engine.problems).toEqual([]);
  });

  test('request slots: resource/method expressions, query_mapping, request_body_mapping, path_mapping, request_header_mapping', async () => {
    const request = await engine.mapRequest(call);
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe(`https://probe.example.com/api/items/${[...slotBindings.path_mapping!].join('_')}`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ static: 'yes', tenant: 't1', qm_keys: keys('query_mapping'), q: 'f' });
    expect(request.method).toBe('POST');
    expect(request.body).toEqual({ source: 'unimap', rb_keys: keys('request_body_mapping'), name: 'Ann', raw: 'unified', ctx: 't1' });
    expect(request.headers).toMatchObject({
      'x-default': 'd-t1',
      'x-rh-keys': keys('request_header_mapping'),
      'x-signed': 'Ann/d-t1',
      'content-type': 'application/json',
    });
  });

  test('the resource expression picks among the allowed resources', async () => {
    const request = await engine.mapRequest({ ...call, body: { name: 'thing' } });
    // path_mapping still decides the path; the resource decides the endpoint (here its HTTP method).
    expect(request.method).toBe('PUT');
  });

  test('response slots: response_mapping and response_header_mapping', async () => {
    const mapped = await engine.mapResponseDetailed(call, { status: 201, headers: { 'X-Remote': 'r', 'X-RateLimit-Remaining': '9' }, body: { id: 'i1' } });
    expect(mapped.body).toEqual({
      id: 'i1',
      name: keys('response_mapping'),
      q: 'f',
      raw: 'unified',
      h: 'r',
      b: 'Ann',
      c: 't1',
      remote_data: { id: 'i1' },
    });
    expect(mapped.headers).toEqual({ 'x-keys': keys('response_header_mapping'), 'x-rate': '9', 'x-id': 'i1' });
  });

  test('error_mapping', async () => {
    const error = await engine.mapError(call, { status: 400, body: { msg: 'bad' } });
    expect(error).toMatchObject({ statusCode: 422, code: 'remote_error', message: `${keys('error_mapping')} 400 bad Ann t1` });
    expect(error.remote).toEqual({ status: 400, headers: {}, body: { msg: 'bad' } });
  });

  test('bindings are also $variables, for compatibility with Truto-style expressions', async () => {
    const e = new Engine({
      definitions: [{ file: 'v.yaml', text: definition.replace(`'{ "id": response.id, "name": $join`, `'{ "id": $response.id, "name": $join`) }],
    });
    const body = (await e.mapResponse(call, { status: 201, body: { id: 'v1' } })) as { id: string };
    expect(body.id).toBe('v1');
  });
});
