/**
 * Unimap benchmark: `npm run bench` (builds with tsc, then `node --expose-gc dist/engine/bench/run.js`).
 *
 * Prints, in one run, medians over repeated runs and ratios:
 *  (a) mapping a 10,000-record Graph users page: Unimap vs stock jsonata (per record, sequential) vs hand-written JS
 *  (b) one Jamf create-users round trip (mapRequest + mapResponse): Unimap vs the same expressions on stock jsonata
 *  (c) cold start: loadEngine({ definitions: 'mappings' })
 *  (d) streaming 10,000 vs 100,000 Graph users through engine.records() from a loopback server: peak heap
 *  (e) the server's added latency: POST /unified/mdm/users through Unimap vs straight to the Jamf emulator (autocannon, 50 connections)
 *
 * It runs as tsc's output, as an installed engine does: under tsx, esbuild's keepNames adds a
 * `__name` call for every named inner function a call creates, which slowed the hand-written
 * baseline by a quarter. Run from source (`tsx engine/bench/run.ts`) it still works, for a quick look.
 * Needs `global.gc`, so without --expose-gc it re-spawns itself with it.
 * Everything stays on 127.0.0.1. Options: `--quick` (fewer repetitions), `--only a,b,...`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent as HttpAgent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import jsonata from 'jsonata';
import YAML from 'yaml';
import autocannon from 'autocannon';
import { loadEngine, helperFunctions, type Engine, type UnifiedCall } from '../index.js';
import type { FetchLike } from '../transport/types.js';
import type { Emulator } from '../server/sandbox/emulator.js';
import { createEmulators, sandboxAccounts } from '../server/sandbox/index.js';
import { startSandboxHub } from '../server/sandbox/hub.js';
import { createHandler } from '../server/handler.js';
import { MemoryAccountStore } from '../server/accounts.js';
import { serveHandler } from '../server/node-adapter.js';
import { createNodeFetch, IDLE_MS } from '../transport/node-fetch.js';

const thisFile = fileURLToPath(import.meta.url);
// Under tsx the children need it too; as tsc's output (dist/engine/bench/run.js) they do not.
const loader = thisFile.endsWith('.ts') ? ['--import', 'tsx'] : [];
// The repository root: engine/bench/ from source, dist/engine/bench/ when built.
const root = path.resolve(path.dirname(thisFile), thisFile.endsWith('.ts') ? '../..' : '../../..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = new Set((onlyArg ?? 'a,b,c,d,e').split(','));

type Gc = () => void;
const gcFn = (globalThis as { gc?: Gc }).gc;

// ---------------------------------------------------------------------------------------------
// Small helpers

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number, digits = 2): string => n.toFixed(digits);
/** A difference with its sign: +1.50 or -0.30. */
const signed = (n: number, digits = 2): string => `${n >= 0 ? '+' : ''}${fmt(n, digits)}`;
const mb = (bytes: number): string => (bytes / 1048576).toFixed(1);
const gc = (): void => {
  if (gcFn) {
    gcFn();
    gcFn();
  }
};
const now = (): number => performance.now();
const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};
const elapsed = ((start) => () => ((now() - start) / 1000).toFixed(1))(now());

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/** The compiled stock jsonata expression with the definition's helper functions (the mappings call them). */
function stockExpression(source: string): jsonata.Expression {
  const expression = jsonata(source);
  for (const helper of helperFunctions) {
    // jsonata types implementations as (...args: any[]) => any; the helpers take unknown arguments.
    expression.registerFunction(helper.name, helper.implementation as (...args: unknown[]) => unknown, helper.signature);
  }
  return expression;
}

type Json = Record<string, unknown>;

function readDefinition(file: string): Json {
  return YAML.parse(readFileSync(path.join(root, 'mappings', file), 'utf8')) as Json;
}

function slot(definition: Json, ...keys: string[]): string {
  let node: unknown = definition;
  for (const key of keys) node = (node as Json)[key];
  if (typeof node !== 'string') throw new Error(`no expression at ${keys.join('.')}`);
  return node;
}

/** Deep copy without prototypes (jsonata builds null-prototype objects), for output comparison. */
const canonical = (value: unknown): string => JSON.stringify(value);

// ---------------------------------------------------------------------------------------------
// Graph-shaped users

const graphDomain = 'contoso.onmicrosoft.com';

function graphUser(i: number): Json {
  const first = `Given${i}`;
  const last = `Surname${i % 997}`;
  const external = i % 10 === 9;
  const upn = external ? `guest${i}_example.com#EXT#@${graphDomain}` : `user${i}@${graphDomain}`;
  const others: unknown[] = i % 3 === 0 ? [] : i % 3 === 1 ? [`alt${i}@example.org`] : [`alt${i}@example.org`, `user${i}@${graphDomain}`];
  return {
    id: `${(0x10000000 + i).toString(16)}-4c8b-4d0a-9b6f-${String(i).padStart(12, '0')}`,
    displayName: i % 50 === 0 ? null : `${first} ${last}`,
    givenName: i % 7 === 0 ? null : first,
    surname: last,
    mail: i % 4 === 0 ? null : `user${i}@contoso.com`,
    otherMails: others,
    userPrincipalName: upn,
    accountEnabled: i % 11 !== 0,
    createdDateTime: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString().replace('.000Z', 'Z'),
    jobTitle: i % 5 === 0 ? null : 'Engineer',
    mobilePhone: i % 2 === 0 ? null : `+1 555 ${String(i % 10000).padStart(4, '0')}`,
    businessPhones: i % 2 === 0 ? [] : [`+1 425 555 ${String(i % 10000).padStart(4, '0')}`],
    officeLocation: 'Building 1',
    preferredLanguage: 'en-US',
  };
}

const graphUsers = (n: number, offset = 0): Json[] => Array.from({ length: n }, (_, i) => graphUser(offset + i));

/** The microsoft_intune users response_mapping, written by hand (same output as the JSONata). */
function handWrittenGraphUser(r: Json): Json {
  const upn = r.userPrincipalName as string | null | undefined;
  const empty = (v: unknown) => v === null || v === undefined || v === '';
  const mail = r.mail;
  const primary = !empty(mail) ? mail : typeof upn === 'string' && !upn.includes('#EXT#') && upn !== '' ? upn : undefined;
  const out: Json = {};
  if (!empty(r.id)) out.id = String(r.id);
  const name = !empty(r.displayName) ? r.displayName : upn;
  if (!empty(name)) out.name = name;
  if (!empty(r.givenName)) out.first_name = r.givenName;
  if (!empty(r.surname)) out.last_name = r.surname;
  const emails: Json[] = [];
  if (primary) emails.push({ email: primary, is_primary: true, type: 'work' });
  const otherMails = r.otherMails;
  if (Array.isArray(otherMails)) {
    for (const m of otherMails) if (typeof m === 'string' && m !== primary && m !== '') emails.push({ email: m, is_primary: false, type: 'other' });
  }
  if (emails.length) out.emails = emails;
  if (!empty(r.accountEnabled)) out.is_active = r.accountEnabled;
  if (typeof r.createdDateTime === 'string' && r.createdDateTime) {
    const t = Date.parse(r.createdDateTime);
    if (!Number.isNaN(t)) out.created_at = new Date(t).toISOString();
  }
  return out;
}

const graphContext = { tenant_id: 'bench-tenant', client_id: 'bench-client', client_secret: 'bench-secret' };

// ---------------------------------------------------------------------------------------------
// Results collected for the summary

interface SummaryRow {
  what: string;
  value: string;
  ratio: string;
}
const summary: SummaryRow[] = [];

// ---------------------------------------------------------------------------------------------
// (a) mapping a 10,000-record list page

async function benchMapping(engine: Engine, reps: number): Promise<void> {
  const N = 10_000;
  log(`\n(a) Mapping one ${N.toLocaleString('en-US')}-record page: Graph users -> unified users (microsoft_intune users.list response_mapping)`);
  const source = slot(readDefinition('microsoft_intune.yaml'), 'unified', 'mdm', 'users', 'list', 'response_mapping');
  const records = graphUsers(N);
  const page = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users', value: records };
  const call: UnifiedCall = { integration: 'microsoft_intune', model: 'mdm', resource: 'users', method: 'list', query: {}, context: graphContext };
  const response = { status: 200, headers: { 'content-type': 'application/json' }, body: page };
  const expression = stockExpression(source);

  const unimap = async () => (await engine.mapResponse(call, response)) as { result: Json[] };
  const stock = async () => {
    const out = new Array<unknown>(records.length);
    for (let i = 0; i < records.length; i++) {
      // The bindings the engine gives a response_mapping, as the input document and as $-variables.
      const input = { response: records[i], query: {}, rawQuery: {}, context: graphContext, headers: {}, body: undefined };
      out[i] = await expression.evaluate(input, input);
    }
    return out;
  };
  const hand = async () => records.map(handWrittenGraphUser);

  // Correctness first: the three produce the same records (Unimap adds remote_data).
  const [u, s, h] = [await unimap(), await stock(), await hand()];
  const stripped = u.result.map((rec) => {
    const { remote_data: _remote, ...rest } = rec;
    return rest;
  });
  const sameStock = canonical(s) === canonical(h);
  const sameUnimap = canonical(stripped) === canonical(h);
  log(`    outputs equal: stock jsonata == hand-written: ${sameStock}; Unimap (without remote_data) == hand-written: ${sameUnimap}; result_count ${u.result.length}`);

  // Two ways to take turns, each the same for all three contestants:
  // - after a forced full collection (gc()) before every run, so no run pays for another's garbage.
  //   It also shrinks the young generation (a run that allocates more pays for more scavenges
  //   while it grows back), and it frees the maps no live object has, dropping optimized code
  //   built for them (see SEQUENCE_SHAPES in engine/expressions/fast/compile.ts);
  // - steady state: no forced collection, the young generation as a busy process has it.
  const turns = async (forceGc: boolean) => {
    const times = { unimap: [] as number[], stock: [] as number[], hand: [] as number[] };
    // Warm-up done above (one of each); then interleave so drift hits all three alike.
    for (let r = 0; r < reps; r++) {
      for (const [name, fn] of [['unimap', unimap], ['stock', stock], ['hand', hand]] as const) {
        if (forceGc) gc();
        const t0 = now();
        await fn();
        times[name].push(now() - t0);
      }
    }
    return times;
  };
  const times = await turns(true);
  const steady = await turns(false);
  const us = (ms: number) => (ms * 1000) / N;
  const mU = median(times.unimap);
  const mS = median(times.stock);
  const mH = median(times.hand);
  const row = (name: string, t: number[], digits: number, versus: number) =>
    [name, fmt(median(t), digits), fmt(Math.min(...t), digits), fmt(us(median(t)), digits + 1), Math.round(N / (median(t) / 1000)).toLocaleString('en-US'), `${fmt(median(t) / versus, 1)}×`];
  const turnsTable = (how: string, t: typeof times) => {
    log(`    ${how}:`);
    log(
      table([
        ['engine', 'median ms / page', 'min ms', 'µs / record', 'records/s', 'vs hand-written'],
        row('Unimap engine.mapResponse', t.unimap, 1, median(t.hand)),
        row('stock jsonata, per record', t.stock, 1, median(t.hand)),
        row('hand-written JS', t.hand, 2, median(t.hand)),
      ]),
    );
  };
  turnsTable('after a forced full collection before every run (gc())', times);
  log(`    ratios: Unimap is ${fmt(mS / mU, 1)}× faster than stock jsonata (Unimap/jsonata = ${fmt(mU / mS)}×)   Unimap/hand-written = ${fmt(mU / mH, 1)}×   jsonata/hand-written = ${fmt(mS / mH, 1)}×   (median of ${reps})`);
  const sU = median(steady.unimap);
  const sS = median(steady.stock);
  const sH = median(steady.hand);
  turnsTable('steady state (the same turns, no forced collection)', steady);
  log(`    ratios: Unimap is ${fmt(sS / sU, 1)}× faster than stock jsonata   Unimap/hand-written = ${fmt(sU / sH, 1)}×   (median of ${reps})`);
  summary.push({ what: '(a) 10k page, Unimap µs/record', value: fmt(us(mU)), ratio: `${fmt(mS / mU, 1)}× faster than jsonata, ${fmt(mU / mH, 1)}× hand` });
  summary.push({ what: '(a) 10k page, stock jsonata µs/record', value: fmt(us(mS)), ratio: `${fmt(mS / mH, 0)}× hand` });
  summary.push({ what: '(a) 10k page, hand-written µs/record', value: fmt(us(mH), 3), ratio: '1×' });
  summary.push({ what: '(a) steady state, Unimap µs/record', value: fmt(us(sU)), ratio: `${fmt(sS / sU, 1)}× faster than jsonata, ${fmt(sU / sH, 1)}× hand (${fmt(us(sH), 3)} µs)` });
}

// ---------------------------------------------------------------------------------------------
// (b) one create round trip

async function benchRoundTrip(engine: Engine, reps: number): Promise<void> {
  const calls = 1000;
  log(`\n(b) One create-users round trip (jamf: mapRequest + mapResponse), ${calls} sequential calls per run`);
  const jamf = readDefinition('jamf.yaml');
  const bodySource = slot(jamf, 'unified', 'mdm', 'users', 'create', 'request_body_mapping');
  const responseSource = slot(jamf, 'unified', 'mdm', 'users', 'create', 'response_mapping');
  const bodyExpression = stockExpression(bodySource);
  const responseExpression = stockExpression(responseSource);
  const context = { instance_host: 'sandbox.jamfcloud.com', access_token: 'bench-token' };
  const makeCall = (i: number): UnifiedCall => ({
    integration: 'jamf',
    model: 'mdm',
    resource: 'users',
    method: 'create',
    query: { integrated_account_id: 'bench' },
    body: { name: `Jane Doe${i}`, emails: [{ email: `jane${i}@example.com`, is_primary: true, type: 'work' }], remote_data: { position: 'Engineer' } },
    context,
  });
  const remote = (i: number) => ({ status: 201, headers: { 'content-type': 'application/json' }, body: { id: String(1000 + i), href: `https://sandbox.jamfcloud.com/api/v1/users/${1000 + i}` } });

  const unimap = async () => {
    let last: unknown;
    for (let i = 0; i < calls; i++) {
      const call = makeCall(i);
      await engine.mapRequest(call);
      last = await engine.mapResponse(call, remote(i));
    }
    return last;
  };
  const stock = async () => {
    let last: unknown;
    for (let i = 0; i < calls; i++) {
      const call = makeCall(i);
      const bodyInput = { body: call.body, context, query: {}, rawQuery: call.query, before: undefined, id: undefined };
      await bodyExpression.evaluate(bodyInput, bodyInput);
      const responseInput = { response: remote(i).body, body: call.body, context, query: {}, rawQuery: call.query, headers: {} };
      last = await responseExpression.evaluate(responseInput, responseInput);
    }
    return last;
  };
  await unimap();
  await stock();
  const times = { unimap: [] as number[], stock: [] as number[] };
  for (let r = 0; r < reps; r++) {
    for (const [name, fn] of [['unimap', unimap], ['stock', stock]] as const) {
      gc();
      const t0 = now();
      await fn();
      times[name].push(now() - t0);
    }
  }
  const mU = (median(times.unimap) * 1000) / calls;
  const mS = (median(times.stock) * 1000) / calls;
  log(
    table([
      ['path', 'median µs / round trip', 'calls/s'],
      ['Unimap mapRequest + mapResponse', fmt(mU, 1), Math.round(1e6 / mU).toLocaleString('en-US')],
      ['stock jsonata, the 2 expressions', fmt(mS, 1), Math.round(1e6 / mS).toLocaleString('en-US')],
    ]),
  );
  log(`    Unimap overhead over the bare expressions: ${signed(mU - mS, 1)} µs per call = ${signed(((mU - mS) / mS) * 100, 0)}% (ratio ${fmt(mU / mS)}×, median of ${reps})`);
  summary.push({ what: '(b) create round trip, Unimap µs', value: fmt(mU, 1), ratio: `${signed(((mU - mS) / mS) * 100, 0)}% vs jsonata (${fmt(mS, 1)} µs)` });
}

// ---------------------------------------------------------------------------------------------
// (c) cold start

/** Runs a fresh Node process and returns the JSON of the last line it prints. */
async function childJson<T>(args: string[]): Promise<T> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as T;
}

async function benchColdStart(firstLoadMs: number, reps: number): Promise<void> {
  log(`\n(c) Cold start: loadEngine({ definitions: 'mappings' }) (read, validate, compile every definition)`);
  log(`    without the parse cache (cacheDir: false: every YAML file and expression parsed), and with it warm (a restart, or the first start after npm ci / unimap validate: unchanged files are not parsed again)`);
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'unimap-bench-cache-'));
  const editedCopy = mkdtempSync(path.join(os.tmpdir(), 'unimap-bench-defs-'));
  const workerDir = mkdtempSync(path.join(os.tmpdir(), 'unimap-bench-worker-'));
  try {
    // Fresh processes: the engine's modules are already imported (as an application would have them), loadEngine is the first call.
    const freshRun = async (cache: string | false, definitions = path.join(root, 'mappings')): Promise<number> =>
      (await childJson<{ ms: number }>([...loader, thisFile, '--cold-child', `--cache-dir=${cache === false ? '' : cache}`, `--definitions=${definitions}`])).ms;
    const uncached: number[] = [];
    // Five each: a fresh process's load varies by about ±15 ms on a shared host.
    for (let r = 0; r < 5; r++) uncached.push(await freshRun(false));
    const firstWithCache = await freshRun(cacheDir); // writes the cache
    const cached: number[] = [];
    for (let r = 0; r < 5; r++) cached.push(await freshRun(cacheDir));
    // An author's edit: one file changed since the cache was written (each run edits another file), the rest cached.
    cpSync(path.join(root, 'mappings'), editedCopy, { recursive: true });
    const edited: number[] = [];
    for (const file of ['jamf.yaml', 'microsoft_intune.yaml', 'ninjaone.yaml', 'fleet.yaml', 'kandji.yaml']) {
      appendFileSync(path.join(editedCopy, file), '\n# edited by the bench\n');
      edited.push(await freshRun(cacheDir, editedCopy));
    }
    const repeat = async (cache: string | false): Promise<number[]> => {
      const times: number[] = [];
      for (let r = 0; r < reps; r++) {
        gc();
        const t0 = now();
        await loadEngine({ definitions: path.join(root, 'mappings'), cacheDir: cache });
        times.push(now() - t0);
      }
      return times;
    };
    const repeatUncached = await repeat(false);
    const repeatCached = await repeat(cacheDir);
    const engine = await loadEngine({ definitions: path.join(root, 'mappings'), cacheDir });
    log(
      table([
        ['measure', 'no parse cache, ms', 'parse cache warm, ms'],
        ['fresh process, first call, median of 5', fmt(median(uncached), 1), fmt(median(cached), 1)],
        ['fresh process, the call that writes the cache', '', fmt(firstWithCache, 1)],
        ['fresh process, one definition edited since, median of 5', '', fmt(median(edited), 1)],
        ['first load in this bench process', fmt(firstLoadMs, 1), ''],
        [`repeated loads in this process, median of ${reps}`, fmt(median(repeatUncached), 1), fmt(median(repeatCached), 1)],
        ['repeated loads, min', fmt(Math.min(...repeatUncached), 1), fmt(Math.min(...repeatCached), 1)],
      ]),
    );
    log(`    ${engine.integrations.size} integrations, ${[...engine.integrations.values()].reduce((n, i) => n + i.slots.size, 0)} expressions; cache ${readdirSync(cacheDir).length} files`);
    summary.push({ what: '(c) loadEngine ms, fresh process: cache warm / none', value: `${fmt(median(cached), 1)} / ${fmt(median(uncached), 1)}`, ratio: `${fmt(median(uncached) / median(cached), 1)}× faster with the cache` });
    summary.push({ what: '(c) loadEngine ms, fresh process, 1 file edited', value: fmt(median(edited), 1), ratio: `${fmt(median(edited) / median(cached), 1)}× the warm cache` });

    // Workers: the bundle build-worker writes (definitions, syntax trees and validators as data),
    // in fresh Node processes (workerd is not timed here): its import, then the first request,
    // which builds the engine and makes one create against the in-process Jamf emulator.
    const { buildWorker } = await import('../worker/build.js');
    const bundle = await buildWorker(path.join(root, 'mappings'), workerDir);
    // workerd has Request and Response built in; Node loads them (undici) on first use, about
    // 50 ms that is Node's and not the bundle's, so the probe makes one before timing.
    const probe = [
      `new Request('http://warm-up/'); new Response('');`,
      `const t0 = performance.now(); const worker = (await import(${JSON.stringify(pathToFileURL(bundle).href)})).default; const t1 = performance.now();`,
      `const body = JSON.stringify({ name: 'Cold Start', emails: [{ email: 'cold@example.com', is_primary: true }] });`,
      `const response = await worker.fetch(new Request('http://worker/unified/mdm/users?integrated_account_id=sandbox-jamf', { method: 'POST', headers: { authorization: 'Bearer sandbox', 'content-type': 'application/json' }, body }), {});`,
      `const t2 = performance.now(); console.log(JSON.stringify({ status: response.status, importMs: t1 - t0, firstMs: t2 - t1 }));`,
    ].join('\n');
    const workerRuns: { status: number; importMs: number; firstMs: number }[] = [];
    for (let r = 0; r < 3; r++) workerRuns.push(await childJson<(typeof workerRuns)[number]>(['--input-type=module', '-e', probe]));
    const importMs = median(workerRuns.map((w) => w.importMs));
    const firstMs = median(workerRuns.map((w) => w.firstMs));
    log(`    Workers bundle (${fmt(statSync(bundle).size / 1e6, 2)} MB), fresh Node process, median of 3: import ${fmt(importMs, 1)} ms, first request ${fmt(firstMs, 1)} ms (engine built from the bundled data, then one create; status ${workerRuns.map((w) => w.status).join('/')})`);
    summary.push({ what: '(c) Workers bundle: import / first request ms', value: `${fmt(importMs, 1)} / ${fmt(firstMs, 1)}`, ratio: 'fresh Node process, not workerd' });

    // What the rows above leave out: importing the engine on Node, once per process, before any load.
    const index = pathToFileURL(path.join(path.dirname(thisFile), thisFile.endsWith('.ts') ? '../index.ts' : '../index.js')).href;
    const importProbe = `const t0 = performance.now(); await import(${JSON.stringify(index)}); console.log(JSON.stringify({ ms: performance.now() - t0 }));`;
    const engineImports: number[] = [];
    for (let r = 0; r < 3; r++) engineImports.push((await childJson<{ ms: number }>([...loader, '--input-type=module', '-e', importProbe])).ms);
    log(`    Node: importing the engine (its index, with jsonata; yaml, ajv's compiler and XML support load when first needed) in a fresh process, before any of the above, median of 3: ${fmt(median(engineImports), 1)} ms`);
    summary.push({ what: '(c) engine import on Node, fresh process ms', value: fmt(median(engineImports), 1), ratio: 'once per process, before loadEngine' });
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(editedCopy, { recursive: true, force: true });
    rmSync(workerDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// (d) streaming: peak heap is independent of the record count?

interface GraphPager {
  url: string;
  setTotal(n: number): void;
  close(): Promise<void>;
}

/** A loopback Graph: the token endpoint and /v1.0/users in pages of 1,000 generated on demand (so the server holds nothing). */
async function startGraphPager(pageSize: number): Promise<GraphPager> {
  let total = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    req.resume();
    if (req.method === 'POST' && url.pathname.endsWith('/oauth2/v2.0/token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, access_token: 'bench-access-token' }));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/v1.0/users') {
      const start = Number(url.searchParams.get('$skiptoken') ?? 0);
      const end = Math.min(total, start + pageSize);
      const body: Json = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#users', value: graphUsers(end - start, start) };
      if (end < total) body['@odata.nextLink'] = `https://graph.microsoft.com/v1.0/users?$skiptoken=${end}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":{"code":"NotFound","message":"no such route"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    setTotal: (n) => {
      total = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function benchStreaming(engine: Engine, rounds: number): Promise<void> {
  const pageSize = 1000;
  log(`\n(d) Streaming engine.records() over a loopback Graph (pages of ${pageSize}): heapUsed after gc at every page; each figure the median of ${rounds} round(s), the sizes taking turns`);
  const pager = await startGraphPager(pageSize);
  // Every Graph and login.microsoftonline.com request goes to the loopback server.
  const fetch: FetchLike = (input, init) => {
    const u = new URL(input);
    return globalThis.fetch(`${pager.url}${u.pathname}${u.search}`, init);
  };
  const rows: string[][] = [['records', 'pages', 'baseline MB', 'peak MB', 'peak - baseline MB', 'records/s (incl. gc per page)']];
  const sizes = [10_000, 100_000];
  type Round = { pages: number; baseline: number; peak: number; rate: number };
  const runs = new Map<number, Round[]>(sizes.map((n) => [n, []]));
  try {
    for (let round = 0; round < rounds; round++) for (const n of sizes) {
      pager.setTotal(n);
      gc();
      const baseline = process.memoryUsage().heapUsed;
      let peak = baseline;
      let count = 0;
      let pages = 0;
      let gcMs = 0;
      const t0 = now();
      for await (const record of engine.records(
        { model: 'mdm', resource: 'users', method: 'list', query: { limit: 999 }, account: { id: 'bench-graph', integration: 'microsoft_intune', context: graphContext } },
        { fetch },
      )) {
        if (typeof record !== 'object') throw new Error('not a record');
        count++;
        if (count % pageSize === 0) {
          pages++;
          const g0 = now();
          gc();
          gcMs += now() - g0;
          peak = Math.max(peak, process.memoryUsage().heapUsed);
        }
      }
      const seconds = (now() - t0 - gcMs) / 1000;
      if (count !== n) throw new Error(`streamed ${count} records, expected ${n}`);
      runs.get(n)!.push({ pages, baseline, peak, rate: count / seconds });
    }
  } finally {
    await pager.close();
  }
  const results = sizes.map((n) => {
    const of = (pick: (r: Round) => number) => median(runs.get(n)!.map(pick));
    const result = { n, baseline: of((r) => r.baseline), peak: of((r) => r.peak), delta: of((r) => r.peak - r.baseline) };
    rows.push([n.toLocaleString('en-US'), String(of((r) => r.pages)), mb(result.baseline), mb(result.peak), mb(result.delta), Math.round(of((r) => r.rate)).toLocaleString('en-US')]);
    return result;
  });
  log(table(rows));
  const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
  const ratio = large.delta / Math.max(small.delta, 1);
  log(`    peak heap over baseline at 100k / at 10k = ${fmt(ratio)}× for 10× the records -> ${ratio < 1.5 ? 'independent of the record count (one page in memory)' : 'GROWS with the record count'}`);
  summary.push({ what: '(d) streaming peak heap 10k / 100k (MB over baseline)', value: `${mb(small.delta)} / ${mb(large.delta)}`, ratio: `${fmt(ratio)}× for 10× records` });
}

// ---------------------------------------------------------------------------------------------
// (e) server added latency (autocannon, 50 connections)

interface ChildServer {
  unimap: string;
  /** The hand-written proxy: the floor for any server between the client and the vendor. */
  bare: string;
  hub: string;
  child: ChildProcess;
}

type Target = 'direct' | 'bare' | 'unimap';

/** A Jamf create sent straight to the sandbox hub, as Unimap sends it (the hub picks the emulator by the origin header). */
const jamfCreateHeaders = { authorization: 'Bearer sandbox-token', 'content-type': 'application/json', accept: 'application/json', 'x-unimap-sandbox-origin': 'https://sandbox.jamfcloud.com' };

/**
 * The least any proxy can do for this create: a node:http server that reads the unified body,
 * builds Jamf's payload by hand, sends it over a keep-alive node:http client and answers with a
 * hand-built unified user. No mapping engine, no validation, no auth checks, no timeouts. Its cost
 * over the direct call is the cost of one more server exchange and one more client exchange.
 */
async function startBareProxy(hub: string): Promise<Server> {
  // Idle connections closed before the hub's 5 s keep-alive timeout, as createNodeFetch does.
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 256, timeout: IDLE_MS });
  const target = new URL('/api/v1/users', hub);
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/cpu') {
      // The bench asks for the child's CPU time around each load: CPU per request, per target.
      const { user, system } = process.cpuUsage();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ us: user + system }));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A body it cannot read is a 400, and a remote answer it cannot read a 502: never a crash of the bench server.
    const fail = (status: number) => {
      if (!res.headersSent) res.writeHead(status);
      res.end();
    };
    req.on('end', () => {
      let unified: { name: string; emails: { email: string }[] };
      try {
        unified = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof unified;
      } catch {
        return fail(400);
      }
      const payload = JSON.stringify({ username: unified.name, realname: unified.name, email: unified.emails[0]?.email });
      const headers = { ...jamfCreateHeaders, 'content-length': String(Buffer.byteLength(payload)) };
      const out = httpRequest(target, { method: 'POST', agent, headers }, (remote) => {
        const parts: Buffer[] = [];
        remote.on('data', (chunk: Buffer) => parts.push(chunk));
        remote.on('end', () => {
          let created: { id: string };
          try {
            created = JSON.parse(Buffer.concat(parts).toString('utf8')) as typeof created;
          } catch {
            return fail(502);
          }
          const body = JSON.stringify({ id: created.id, name: unified.name, emails: unified.emails, remote_data: created });
          res.writeHead(remote.statusCode ?? 502, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) });
          res.end(body);
        });
      });
      out.on('error', () => fail(502));
      out.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function nodeArgs(...rest: string[]): string[] {
  return ['--expose-gc', ...loader, thisFile, ...rest];
}

/**
 * The Jamf emulator refuses duplicate usernames by scanning every stored user, so a table grown
 * by thousands of bench creates would make the emulator, not Unimap, the cost that grows during
 * the run. Each created user is deleted again right after its 201, in-process, so
 * every target sees the same small table and the same emulator work per request.
 */
function withJamfCleanup(emulators: Emulator[]): Emulator[] {
  const jamf = emulators.find((e) => e.integration === 'jamf');
  if (jamf) {
    const handle = jamf.handle.bind(jamf);
    jamf.handle = async (request) => {
      const isCreate = request.method === 'POST' && new URL(request.url).pathname === '/api/v1/users';
      const response = await handle(request);
      if (isCreate && response.status === 201) {
        const { id } = (await response.clone().json()) as { id: string };
        void handle(new Request(`${new URL(request.url).origin}/api/v1/users/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { authorization: 'Bearer sandbox-token' } }));
      }
      return response;
    };
  }
  return emulators;
}

/** The bench server, in its own process so autocannon does not share its event loop: the sandbox hub and the Unimap handler. */
async function serveChild(): Promise<void> {
  const engine = await loadEngine({ definitions: path.join(root, 'mappings') });
  const emulators = withJamfCleanup(createEmulators());
  // As `unimap serve` does: remote calls over node:http with keep-alive.
  const hub = await startSandboxHub(emulators, createNodeFetch().fetch);
  const handler = createHandler({ engine, accounts: new MemoryAccountStore(sandboxAccounts(hub.emulators)), tokens: ['sandbox'], fetch: hub.fetch });
  const served = await serveHandler(handler, 0, '127.0.0.1');
  const bare = await startBareProxy(hub.address);
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  process.stdout.write(`${JSON.stringify({ unimap: served.url, bare: bareUrl, hub: hub.address })}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
    process.stdin.once('end', () => resolve()); // the parent went away
    process.stdin.resume();
  });
  await served.close();
  bare.close();
  await hub.close();
  process.exit(0);
}

async function startChild(): Promise<ChildServer> {
  const child = spawn(process.execPath, nodeArgs('--serve-child'), { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('bench server did not start in 30 s')), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(buffer.slice(0, nl));
      }
    });
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
  });
  const { unimap, bare, hub } = JSON.parse(line) as { unimap: string; bare: string; hub: string };
  return { unimap, bare, hub, child };
}

async function stopChild(server: ChildServer): Promise<void> {
  await new Promise<void>((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    const timer = setTimeout(() => {
      server.child.kill('SIGKILL');
    }, 5000);
    server.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    server.child.kill('SIGTERM');
  });
}

interface LoadResult {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  rps: number;
  total: number;
  non2xx: number;
  /** The non-2xx answers by status code ("502": 1), so a stray one says what it was. */
  statuses: Record<string, number>;
  errors: number;
  seconds: number;
}

function addStatuses(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [status, count] of Object.entries(from)) into[status] = (into[status] ?? 0) + count;
  return into;
}

/** The create each target receives: through Unimap, or the same create as Unimap sends it, straight to the Jamf emulator. */
function createRequest(target: Target, server: ChildServer, name: string, n: number): { url: string; headers: Record<string, string>; body: string } {
  // Jamf refuses a duplicate username, so each create names a new user.
  return target !== 'direct'
    ? {
        url: `${target === 'unimap' ? server.unimap : server.bare}/unified/mdm/users?integrated_account_id=sandbox-jamf`,
        headers: { authorization: 'Bearer sandbox', 'content-type': 'application/json' },
        body: JSON.stringify({ name, emails: [{ email: `u${n}@example.com`, is_primary: true }], remote_data: {} }),
      }
    : {
        url: `${server.hub}/api/v1/users`,
        headers: jamfCreateHeaders,
        body: JSON.stringify({ username: name, realname: name, email: `u${n}@example.com` }),
      };
}

async function load(target: Target, server: ChildServer, seconds: number, connections = 50): Promise<LoadResult> {
  let i = 0;
  const prefix = `${target}-${process.pid}-${Date.now()}`;
  const first = createRequest(target, server, prefix, 0);
  const options: autocannon.Options = {
    url: first.url,
    method: 'POST',
    headers: first.headers,
    requests: [
      {
        setupRequest: (req) => {
          const n = i++;
          return { ...req, body: createRequest(target, server, `${prefix}-${n}`, n).body };
        },
      },
    ],
  };
  const t0 = now();
  const result = await autocannon({ ...options, connections, duration: seconds, timeout: 10 });
  const wall = (now() - t0) / 1000;
  return {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    mean: result.latency.average,
    rps: result.requests.total / wall,
    total: result.requests.total,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(
      Object.entries((result as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {})
        .filter(([status]) => !status.startsWith('2'))
        .map(([status, stat]) => [status, stat.count]),
    ),
    errors: result.errors + result.timeouts,
    seconds: wall,
  };
}

/**
 * An open-loop load at a fixed rate over `connections` keep-alive connections: requests are sent
 * at evenly spaced times whether or not earlier ones have answered, and each latency counts from
 * the time its request was due (so a late send counts against the server, no coordinated
 * omission). autocannon's own rate limit sends each second's requests in a burst, which measures
 * the burst; this measures the added latency at a load the server can carry.
 */
async function pacedLoad(target: Target, server: ChildServer, seconds: number, rate: number, connections = 50): Promise<LoadResult> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: connections, timeout: IDLE_MS });
  const prefix = `${target}-paced-${process.pid}-${Date.now()}`;
  const latencies: number[] = [];
  let non2xx = 0;
  const statuses: Record<string, number> = {};
  let errors = 0;
  const total = Math.max(1, Math.round(rate * seconds));
  const send = (n: number, due: number): Promise<void> =>
    new Promise((resolve) => {
      const { url, headers, body } = createRequest(target, server, `${prefix}-${n}`, n);
      const req = httpRequest(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(now() - due);
          const status = res.statusCode ?? 0;
          if (status < 200 || status >= 300) {
            non2xx++;
            statuses[status] = (statuses[status] ?? 0) + 1;
          }
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const t0 = now();
  const inFlight: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = t0 + (n * 1000) / rate;
    const wait = due - now();
    if (wait > 0.5) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(n, due));
  }
  await Promise.all(inFlight);
  const wall = (now() - t0) / 1000;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    mean: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
    rps: total / wall,
    total,
    non2xx,
    statuses,
    errors,
    seconds: wall,
  };
}

/** The server process's CPU time so far (user + system), in ms. */
async function childCpuMs(server: ChildServer): Promise<number> {
  const res = await fetch(`${server.bare}/cpu`);
  return ((await res.json()) as { us: number }).us / 1000;
}

/** Each field's median over repeated runs; requests and seconds are summed. */
function medianLoad(runs: LoadResult[]): LoadResult {
  const m = (pick: (r: LoadResult) => number) => median(runs.map(pick));
  const sum = (pick: (r: LoadResult) => number) => runs.reduce((n, r) => n + pick(r), 0);
  return { p50: m((r) => r.p50), p90: m((r) => r.p90), p99: m((r) => r.p99), mean: m((r) => r.mean), rps: m((r) => r.rps), total: sum((r) => r.total), non2xx: sum((r) => r.non2xx), statuses: runs.reduce((all, r) => addStatuses(all, r.statuses), {} as Record<string, number>), errors: sum((r) => r.errors), seconds: sum((r) => r.seconds) };
}

async function benchServer(seconds: number, rounds: number): Promise<void> {
  log(`\n(e) Server added latency: POST /unified/mdm/users?integrated_account_id=sandbox-jamf vs the same create straight to the Jamf emulator`);
  log(`    autocannon, 50 connections, ${seconds} s per target after a 1 s warm-up (saturated: latency there is queueing, 50 / throughput), then 1 connection for ${Math.ceil(seconds / 2)} s (autocannon latencies at its 1 ms resolution);`);
  log(`    then an open-loop load at half Unimap's saturated rate over 50 keep-alive connections, requests evenly spaced, latency from each request's due time (µs resolution); a fresh server process (sandbox hub + Unimap handler + bare proxy) per target.`);
  log(`    Each measure runs ${rounds} time(s), the targets taking turns, and each figure is the median of its runs (requests and seconds are totals).`);
  log(`    "bare proxy" is a hand-written node:http proxy for this one create (no engine, no checks): the floor for any server between client and vendor`);
  const targets = ['unimap', 'bare', 'direct'] as const;
  const saturatedRuns: Record<Target, LoadResult[]> = { unimap: [], bare: [], direct: [] };
  const pacedRuns: Record<Target, LoadResult[]> = { unimap: [], bare: [], direct: [] };
  const singleRuns: Record<Target, LoadResult[]> = { unimap: [], bare: [], direct: [] };
  const cpuRuns: Record<Target, number[]> = { unimap: [], bare: [], direct: [] };
  const servers: Partial<Record<Target, ChildServer>> = {};
  let rate = 0;
  try {
    for (const target of targets) {
      const server = (servers[target] = await startChild());
      await load(target, server, 1);
    }
    for (let r = 0; r < rounds; r++) {
      for (const target of targets) {
        const server = servers[target]!;
        const cpu0 = await childCpuMs(server);
        const result = await load(target, server, seconds);
        saturatedRuns[target].push(result);
        cpuRuns[target].push(((await childCpuMs(server)) - cpu0) / result.total);
      }
    }
    // The same 50 connections at a fixed offered rate all can sustain: latency without queueing.
    rate = Math.max(20, Math.round(medianLoad(saturatedRuns.unimap).rps / 2));
    for (let r = 0; r < rounds; r++) for (const target of targets) pacedRuns[target].push(await pacedLoad(target, servers[target]!, seconds, rate));
    // Unloaded: one connection, one request at a time (no queueing).
    for (let r = 0; r < rounds; r++) for (const target of targets) singleRuns[target].push(await load(target, servers[target]!, Math.ceil(seconds / 2), 1));
  } finally {
    for (const server of Object.values(servers)) await stopChild(server);
  }
  const results = {} as Record<Target, LoadResult>;
  const paced = {} as Record<Target, LoadResult>;
  const single = {} as Record<Target, LoadResult>;
  const cpu = {} as Record<Target, number>;
  for (const target of targets) {
    results[target] = medianLoad(saturatedRuns[target]);
    paced[target] = medianLoad(pacedRuns[target]);
    single[target] = medianLoad(singleRuns[target]);
    cpu[target] = median(cpuRuns[target]);
  }
  const row = (name: string, r: LoadResult) => [name, fmt(r.p50), fmt(r.p90), fmt(r.p99), fmt(r.mean), Math.round(r.rps).toLocaleString('en-US'), String(r.total), String(r.non2xx), String(r.errors), fmt(r.seconds, 1)];
  const names: Record<Target, string> = { direct: 'direct', bare: 'bare proxy', unimap: 'Unimap' };
  const targetsInOrder = ['direct', 'bare', 'unimap'] as const;
  const measured: [string, LoadResult][] = [
    ['Jamf emulator direct (hub), 50 conns', results.direct],
    ['bare proxy -> hub -> Jamf, 50 conns', results.bare],
    ['Unimap server -> hub -> Jamf, 50 conns', results.unimap],
    ...targetsInOrder.map((t): [string, LoadResult] => [`${names[t]}, 50 conns, open loop at ${rate} req/s`, paced[t]]),
    ...targetsInOrder.map((t): [string, LoadResult] => [`${names[t]}, 1 connection`, single[t]]),
  ];
  log(table([['target', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'req/s', 'requests', 'non-2xx', 'errors', 's'], ...measured.map(([name, r]) => row(name, r))]));
  const strays = measured
    .filter(([, r]) => r.non2xx > 0)
    .map(([name, r]) => `${name}: ${Object.entries(r.statuses).map(([status, count]) => `${count}× ${status}`).join(', ') || `${r.non2xx}`}`);
  if (strays.length) log(`    non-2xx answers by status: ${strays.join('; ')}`);
  const [d, b, u] = [results.direct, results.bare, results.unimap];
  const [pd, pb, pu] = [paced.direct, paced.bare, paced.unimap];
  const [d1, b1, u1] = [single.direct, single.bare, single.unimap];
  log(`    open loop at a sustainable ${rate} req/s over 50 connections: p50 Unimap ${signed(pu.p50 - pd.p50)} ms, bare proxy ${signed(pb.p50 - pd.p50)} ms; p99 Unimap ${signed(pu.p99 - pd.p99)} ms, bare proxy ${signed(pb.p99 - pd.p99)} ms over direct (${fmt(pd.p50)} / ${fmt(pd.p99)})`);
  log(`    unloaded (1 connection): mean Unimap ${signed(u1.mean - d1.mean)} ms, bare proxy ${signed(b1.mean - d1.mean)} ms over direct (${fmt(d1.mean)} ms)`);
  log(`    saturated (50 connections): p50 Unimap ${signed(u.p50 - d.p50)} ms, bare proxy ${signed(b.p50 - d.p50)} ms over direct (${fmt(d.p50)} ms); throughput Unimap ${fmt(u.rps / d.rps)}×, bare proxy ${fmt(b.rps / d.rps)}× of direct`);
  log(
    `    server process CPU per request (hub and emulator included, median over the saturated runs): direct ${fmt(cpu.direct, 3)} ms, bare proxy ${fmt(cpu.bare, 3)} ms, Unimap ${fmt(cpu.unimap, 3)} ms` +
      ` -> Unimap's own work ${fmt(cpu.unimap - cpu.direct, 3)} ms per request, ${fmt(cpu.unimap - cpu.bare, 3)} ms more than the bare proxy's`,
  );
  summary.push({ what: '(e) Unimap server p50 / p99 ms, 50 conns, open loop', value: `${fmt(pu.p50)} / ${fmt(pu.p99)}`, ratio: `direct ${fmt(pd.p50)} / ${fmt(pd.p99)}; ${signed(pu.p50 - pd.p50)} ms p50` });
  summary.push({ what: '(e) Unimap server mean ms, 1 conn', value: fmt(u1.mean), ratio: `direct ${fmt(d1.mean)}; ${signed(u1.mean - d1.mean)} ms` });
  summary.push({ what: '(e) p50 ms, 50 conns saturated: Unimap / bare proxy', value: `${fmt(u.p50)} / ${fmt(b.p50)}`, ratio: `direct ${fmt(d.p50)}; ${signed(u.p50 - d.p50)} / ${signed(b.p50 - d.p50)} ms` });
  summary.push({ what: '(e) req/s, 50 conns: Unimap / bare proxy', value: `${Math.round(u.rps).toLocaleString('en-US')} / ${Math.round(b.rps).toLocaleString('en-US')}`, ratio: `direct ${Math.round(d.rps).toLocaleString('en-US')} (${fmt(u.rps / d.rps)}× / ${fmt(b.rps / d.rps)}×)` });
  summary.push({ what: '(e) server CPU ms / request: Unimap / bare / direct', value: `${fmt(cpu.unimap, 3)} / ${fmt(cpu.bare, 3)} / ${fmt(cpu.direct, 3)}`, ratio: `Unimap ${signed(cpu.unimap - cpu.bare, 3)} ms over bare` });
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (argv.includes('--serve-child')) return serveChild();
  if (!gcFn && !argv.includes('--cold-child')) {
    // Re-spawn with --expose-gc (and tsx as a loader when run from source), passing the options through.
    const child = spawn(process.execPath, nodeArgs(...argv), { cwd: root, stdio: 'inherit' });
    const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
    process.exit(code);
  }

  const cpus = os.cpus();
  const machine = `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.release()}, jsonata ${(JSON.parse(readFileSync(path.join(root, 'node_modules/jsonata/package.json'), 'utf8')) as { version: string }).version}`;
  if (!argv.includes('--cold-child')) log(`Unimap benchmark (${quick ? 'quick' : 'full'}): ${machine}`);
  if (!argv.includes('--cold-child')) log(`command: npm run bench   (= tsc -p engine/tsconfig.build.json && node --expose-gc ${path.relative(root, thisFile)}${argv.length ? ` ${argv.join(' ')}` : ''})`);

  // The cold child is told its cache folder (empty: none); the bench itself loads without one.
  const cacheArg = argv.find((a) => a.startsWith('--cache-dir='))?.slice('--cache-dir='.length);
  const t0 = now();
  const definitionsArg = argv.find((a) => a.startsWith('--definitions='))?.slice('--definitions='.length);
  const engine = await loadEngine({ definitions: definitionsArg || path.join(root, 'mappings'), cacheDir: cacheArg ? cacheArg : false });
  const firstLoadMs = now() - t0;
  if (argv.includes('--cold-child')) {
    process.stdout.write(`${JSON.stringify({ ms: firstLoadMs })}\n`);
    return;
  }
  const errors = engine.problems.filter((p) => p.severity === 'error');
  if (errors.length) throw new Error(`definitions have errors: ${errors.length}`);

  const reps = quick ? 3 : 9;
  // (a)'s ratio against a 15 ms baseline moves most with the host: more turns there.
  if (only.has('a')) await benchMapping(engine, quick ? reps : 15);
  if (only.has('b')) await benchRoundTrip(engine, reps);
  if (only.has('c')) await benchColdStart(firstLoadMs, quick ? 3 : 5);
  if (only.has('d')) await benchStreaming(engine, quick ? 1 : 3);
  if (only.has('e')) await benchServer(quick ? 2 : 3, quick ? 1 : 3);

  log('\nSummary');
  log(table([['measure', 'value', 'ratio / baseline'], ...summary.map((s) => [s.what, s.value, s.ratio])]));
  log(`machine: ${machine}; total ${elapsed()} s`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
