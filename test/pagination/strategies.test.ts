import { describe, expect, test } from 'vitest';
import { Engine, type UnifiedCall } from '../../engine/index.js';
import { nextLink } from '../../engine/pagination/strategies.js';

// One integration with one list endpoint per strategy; the pure mapRequest/mapResponse pair
// computes the opaque next_cursor and turns it back into the next page's request.
const definition = `name: pager
base_url: "https://api.example.com"
resources:
  cursor:
    list:
      path: /cursor
      response_path: items
      pagination: { type: cursor, cursor_path: meta.next, cursor_param: pageToken, limit_param: maxResults, max_limit: 50 }
  next_url:
    list:
      path: /next
      response_path: value
      pagination: { type: next_url, next_url_path: "\`@odata.nextLink\`", limit_param: $top }
  link:
    list: { path: /link, pagination: { type: link_header, limit_param: per_page } }
  page:
    list: { path: /page, response_path: results, pagination: { type: page, page_param: page, limit_param: per_page, first_page: 1, default_limit: 2 } }
  offset:
    list: { path: /offset, response_path: results, pagination: { type: offset, offset_param: skip, limit_param: limit, total_path: totalCount, default_limit: 2 } }
  dynamic:
    list:
      path: /dynamic
      response_path: rows
      pagination:
        type: dynamic
        initial_expression: '{ "start": 0, "count": limit ? limit : 10 }'
        next_expression: 'response.more ? { "start": previous.start + $count(response.rows), "count": previous.count } : null'
unified:
  mdm:
    users:
      list:
        resource:
          expression: query.strategy
          allowed: [cursor, next_url, link, page, offset, dynamic]
        method: list
        query_schema: { type: object, properties: { strategy: { type: string } } }
        response_mapping: '{ "id": $string(response.id), "name": "n" }'
`;

const engine = new Engine({ definitions: [{ file: 'pager.yaml', text: definition }] });

function list(strategy: string, query: Record<string, unknown> = {}): UnifiedCall {
  return { integration: 'pager', model: 'mdm', resource: 'users', method: 'list', query: { strategy, ...query } };
}

type Envelope = { result: { id: string }[]; next_cursor: string | null };

async function page(strategy: string, query: Record<string, unknown>, body: unknown, headers: Record<string, string> = {}): Promise<{ url: string; next: string | null }> {
  const call = list(strategy, query);
  const url = (await engine.mapRequest(call)).url;
  const result = (await engine.mapResponse(call, { status: 200, headers, body })) as Envelope;
  return { url, next: result.next_cursor };
}

describe('pagination strategies (pure half)', () => {
  test('cursor in the body: three pages, limit capped by max_limit', async () => {
    const one = await page('cursor', { limit: 500 }, { items: [{ id: 1 }], meta: { next: 'c2' } });
    expect(one.url).toBe('https://api.example.com/cursor?maxResults=50');
    const two = await page('cursor', { next_cursor: one.next }, { items: [{ id: 2 }], meta: { next: 'c3' } });
    expect(two.url).toBe('https://api.example.com/cursor?maxResults=50&pageToken=c2');
    const three = await page('cursor', { next_cursor: two.next }, { items: [{ id: 3 }], meta: {} });
    expect(three.url).toBe('https://api.example.com/cursor?maxResults=50&pageToken=c3');
    expect(three.next).toBeNull();
  });

  test('a repeated cursor is a loop and stops with an error', async () => {
    const one = await page('cursor', {}, { items: [{ id: 1 }], meta: { next: 'same' } });
    const call = list('cursor', { next_cursor: one.next });
    await expect(engine.mapResponse(call, { status: 200, body: { items: [{ id: 2 }], meta: { next: 'same' } } })).rejects.toMatchObject({
      code: 'remote_error',
      details: { pagination_loop: true },
    });
  });

  test('next-page URL in the body is followed on the same origin only', async () => {
    const one = await page('next_url', { limit: 2 }, { value: [{ id: 1 }], '@odata.nextLink': 'https://api.example.com/next?$skiptoken=abc&$top=2' });
    expect(one.url).toBe('https://api.example.com/next?%24top=2');
    const two = await page('next_url', { next_cursor: one.next }, { value: [{ id: 2 }] });
    expect(two.url).toBe('https://api.example.com/next?$skiptoken=abc&$top=2');
    expect(two.next).toBeNull();
    const evil = await page('next_url', {}, { value: [{ id: 1 }], '@odata.nextLink': 'https://evil.example/steal' });
    await expect(engine.mapRequest(list('next_url', { next_cursor: evil.next }))).rejects.toMatchObject({ code: 'invalid_remote_response', statusCode: 502 });
  });

  test('next-page URL in a Link header', async () => {
    const one = await page('link', { limit: 1 }, [{ id: 1 }], { Link: '<https://api.example.com/link?page=2&per_page=1>; rel="next", <https://api.example.com/link?page=9>; rel="last"' });
    const two = await page('link', { next_cursor: one.next }, [{ id: 2 }], {});
    expect(two.url).toBe('https://api.example.com/link?page=2&per_page=1');
    expect(two.next).toBeNull();
    expect(nextLink('<https://a/x>; rel="prev", <https://a/y>; rel="next"')).toBe('https://a/y');
    expect(nextLink('<https://a/x>; rel="last"')).toBeUndefined();
  });

  test('page number: stops at the first short page', async () => {
    const one = await page('page', {}, { results: [{ id: 1 }, { id: 2 }] });
    expect(one.url).toBe('https://api.example.com/page?per_page=2&page=1');
    const two = await page('page', { next_cursor: one.next }, { results: [{ id: 3 }] });
    expect(two.url).toBe('https://api.example.com/page?per_page=2&page=2');
    expect(two.next).toBeNull();
  });

  test('offset/limit with a total', async () => {
    const one = await page('offset', {}, { totalCount: 3, results: [{ id: 1 }, { id: 2 }] });
    expect(one.url).toBe('https://api.example.com/offset?limit=2&skip=0');
    const two = await page('offset', { next_cursor: one.next }, { totalCount: 3, results: [{ id: 3 }] });
    expect(two.url).toBe('https://api.example.com/offset?limit=2&skip=2');
    expect(two.next).toBeNull();
  });

  test('dynamic (JSONata) strategy', async () => {
    const one = await page('dynamic', { limit: 2 }, { rows: [{ id: 1 }, { id: 2 }], more: true });
    expect(one.url).toBe('https://api.example.com/dynamic?start=0&count=2');
    const two = await page('dynamic', { next_cursor: one.next }, { rows: [{ id: 3 }], more: false });
    expect(two.url).toBe('https://api.example.com/dynamic?start=2&count=2');
    expect(two.next).toBeNull();
  });

  test('a cursor from another list, or a forged one, is refused', async () => {
    const one = await page('page', {}, { results: [{ id: 1 }, { id: 2 }] });
    const other = new Engine({ definitions: [{ file: 'o.yaml', text: definition.replace('name: pager', 'name: other') }] });
    await expect(other.mapRequest({ ...list('page', { next_cursor: one.next }), integration: 'other' })).rejects.toMatchObject({ code: 'invalid_cursor', statusCode: 400 });
    await expect(engine.mapRequest(list('page', { next_cursor: 'not-a-cursor!' }))).rejects.toMatchObject({ code: 'invalid_cursor' });
  });
});
