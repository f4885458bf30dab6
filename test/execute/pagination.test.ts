import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Engine, type ExecuteCall } from '../../engine/index.js';
import { parse, startServer, type Reply, type TestServer } from '../support/http-server.js';

// Five users served three ways by each vendor-like endpoint: pages of two, two and one.
const users = [1, 2, 3, 4, 5].map((n) => ({ id: n, name: `User ${n}` }));

function slice(start: number, size: number) {
  return users.slice(start, start + size);
}

let server: TestServer;

beforeAll(async () => {
  server = await startServer((request): Reply => {
    const { path, query } = parse(request);
    const origin = `http://${request.headers.host}`;
    switch (path) {
      // Google Admin SDK style: pageToken / nextPageToken / maxResults
      case '/cursor': {
        const start = Number(query.pageToken ?? 0);
        const size = Number(query.maxResults ?? 2);
        const next = start + size < users.length ? String(start + size) : undefined;
        return { body: { users: slice(start, size), ...(next ? { nextPageToken: next } : {}) } };
      }
      // Microsoft Graph style: $top and @odata.nextLink with a $skiptoken
      case '/graph': {
        const start = Number(query.$skiptoken ?? 0);
        const size = Number(query.$top ?? 2);
        const next = start + size < users.length ? `${origin}/graph?$top=${size}&$skiptoken=${start + size}` : undefined;
        return { body: { value: slice(start, size), ...(next ? { '@odata.nextLink': next } : {}) } };
      }
      // Link header (RFC 8288)
      case '/link': {
        const start = Number(query.since ?? 0);
        const size = Number(query.per_page ?? 2);
        const headers: Record<string, string> = start + size < users.length ? { link: `<${origin}/link?since=${start + size}&per_page=${size}>; rel="next"` } : {};
        return { headers, body: slice(start, size) };
      }
      // Jamf Pro style: page (0-based) / page-size / totalCount
      case '/page': {
        const size = Number(query['page-size'] ?? 2);
        const page = Number(query.page ?? 0);
        return { body: { totalCount: users.length, results: slice(page * size, size) } };
      }
      // JumpCloud style: skip / limit / totalCount
      case '/offset': {
        const size = Number(query.limit ?? 2);
        return { body: { totalCount: users.length, results: slice(Number(query.skip ?? 0), size) } };
      }
      // A dynamic strategy: start/count with a `more` flag
      case '/dynamic': {
        const start = Number(query.start ?? 0);
        const count = Number(query.count ?? 2);
        return { body: { rows: slice(start, count), more: start + count < users.length } };
      }
      default:
        return { status: 404, body: { message: 'no such path' } };
    }
  });
});

afterAll(() => server.close());

const definition = `name: pager
base_url: "http://{{context.host}}"
resources:
  cursor:
    list: { path: /cursor, response_path: users, pagination: { type: cursor, cursor_path: nextPageToken, cursor_param: pageToken, limit_param: maxResults, default_limit: 2 } }
  graph:
    list: { path: /graph, response_path: value, pagination: { type: next_url, next_url_path: "\`@odata.nextLink\`", limit_param: $top, default_limit: 2 } }
  link:
    list: { path: /link, pagination: { type: link_header, limit_param: per_page, default_limit: 2 } }
  page:
    list: { path: /page, response_path: results, pagination: { type: page, page_param: page, limit_param: page-size, first_page: 0, total_path: totalCount, default_limit: 2 } }
  offset:
    list: { path: /offset, response_path: results, pagination: { type: offset, offset_param: skip, limit_param: limit, total_path: totalCount, default_limit: 2 } }
  dynamic:
    list:
      path: /dynamic
      response_path: rows
      pagination:
        type: dynamic
        initial_expression: '{ "start": 0, "count": limit ? limit : 2 }'
        next_expression: 'response.more ? { "start": previous.start + $count(response.rows), "count": previous.count }'
unified:
  mdm:
    users:
      list:
        resource: { expression: query.style, allowed: [cursor, graph, link, page, offset, dynamic] }
        method: list
        query_schema: { type: object, properties: { style: { type: string } } }
        response_mapping: '{ "id": $string(response.id), "name": response.name }'
`;

const engine = new Engine({ definitions: [{ file: 'pager.yaml', text: definition }], strict: true });
const styles = ['cursor', 'graph', 'link', 'page', 'offset', 'dynamic'];

function call(style: string, query: Record<string, unknown> = {}): ExecuteCall {
  return {
    model: 'mdm',
    resource: 'users',
    method: 'list',
    query: { style, truto_ignore_remote_data: 'true', ...query },
    account: { id: 'acct-1', integration: 'pager', context: { host: server.host } },
  };
}

type Envelope = { result: { id: string }[]; next_cursor: string | null; result_count: number };

describe.each(styles)('%s pagination end to end', (style) => {
  test('three pages through next_cursor round trips', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body } = await engine.execute(call(style, cursor ? { next_cursor: cursor } : {}));
      const envelope = body as Envelope;
      ids.push(...envelope.result.map((r) => r.id));
      cursor = envelope.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(ids).toEqual(['1', '2', '3', '4', '5']);
  });

  test('limit is honoured, on every page', async () => {
    const first = (await engine.execute(call(style, { limit: 3 }))).body as Envelope;
    expect(first.result.map((r) => r.id)).toEqual(['1', '2', '3']);
    const second = (await engine.execute(call(style, { next_cursor: first.next_cursor }))).body as Envelope;
    expect(second.result.map((r) => r.id)).toEqual(['4', '5']);
    expect(second.next_cursor).toBeNull();
  });

  test('stream follows every page', async () => {
    const ids: string[] = [];
    for await (const record of engine.records(call(style))) ids.push(String(record.id));
    expect(ids).toEqual(['1', '2', '3', '4', '5']);
  });
});
