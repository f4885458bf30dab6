// Child script for test/conformance/fast-shapes.test.ts: maps a Graph users page again and again
// with a full collection (gc()) before each, printing a marker once warm. Run with --expose-gc
// and --trace-deopt; the test reads V8's trace.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEngine } from '../../engine/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const mappings = join(fileURLToPath(new URL('../../mappings', import.meta.url)));
const engine = await loadEngine({ definitions: mappings, cacheDir: false });
const domain = 'contoso.onmicrosoft.com';
// The shapes the (a) bench page has: missing names, external users, 0-2 other mails.
const value = Array.from({ length: 3000 }, (_, i) => ({
  id: `id-${i}`,
  displayName: i % 50 === 0 ? null : `Given${i} Surname${i}`,
  givenName: i % 7 === 0 ? null : `Given${i}`,
  surname: `Surname${i}`,
  mail: i % 4 === 0 ? null : `user${i}@contoso.com`,
  otherMails: i % 3 === 0 ? [] : i % 3 === 1 ? [`alt${i}@example.org`] : [`alt${i}@example.org`, `user${i}@${domain}`],
  userPrincipalName: i % 10 === 9 ? `guest${i}_example.com#EXT#@${domain}` : `user${i}@${domain}`,
  accountEnabled: i % 11 !== 0,
  createdDateTime: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString(),
}));
const call = { integration: 'microsoft_intune', model: 'mdm', resource: 'users', method: 'list', query: {}, context: { tenant_id: 't', client_id: 'c', client_secret: 's' } };
const response = { status: 200, headers: { 'content-type': 'application/json' }, body: { value } };
const pages = Number(process.argv[2] ?? 12);
for (let page = 0; page < pages; page++) {
  if (page === pages / 2) console.log('--- warm ---');
  gc();
  await engine.mapResponse(call, response);
}
