/**
 * `unimap studio`: a local web page over the engine (the page is in ./page, bundled into
 * dist/studio). Binds to 127.0.0.1 only: it reads and writes the mapping files.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { isUnimapError, UnimapError } from '../errors.js';
import { StudioSession } from './session.js';

export interface StudioOptions {
  /** 0 picks a free port. */
  port: number;
  /** The mappings folder (definitions and their fixtures). */
  mappings: string;
  /** Where the built page is (default: dist/studio in the package; built on first start if missing). */
  assets?: string;
  host?: string;
}

export interface Studio {
  url: string;
  close(): Promise<void>;
}

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const MAX_BODY = 8 * 1024 * 1024;

const assetTypes: Record<string, string> = {
  '/': 'text/html; charset=utf-8',
  '/index.html': 'text/html; charset=utf-8',
  '/app.js': 'text/javascript; charset=utf-8',
  '/app.css': 'text/css; charset=utf-8',
};

async function ensureAssets(dir: string): Promise<void> {
  try {
    await stat(join(dir, 'app.js'));
  } catch {
    // A checkout without a build: bundle the page now (esbuild is a dev dependency).
    const { buildStudioPage } = await import('./build-page.js');
    await buildStudioPage(dir);
  }
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new UnimapError('payload_too_large', 'the request body is larger than 8 MiB', { statusCode: 413 });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UnimapError('invalid_body', 'the request body is not JSON', { statusCode: 400 });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UnimapError('invalid_body', 'the request body must be a JSON object', { statusCode: 400 });
  return parsed as Record<string, unknown>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

export async function startStudio(options: StudioOptions): Promise<Studio> {
  const session = new StudioSession(options.mappings);
  const assets = options.assets ?? join(packageRoot, 'dist', 'studio');
  await ensureAssets(assets);
  const host = options.host ?? '127.0.0.1';

  const api: Record<string, (req: IncomingMessage, url: URL) => Promise<unknown>> = {
    'GET /api/integrations': () => session.integrations(),
    'GET /api/method': (_req, url) => session.method(Object.fromEntries(url.searchParams)),
    'GET /api/coverage': () => session.coverage(),
    'POST /api/run': async (req) => session.run(await readBody(req)),
    'POST /api/save': async (req) => session.save(await readBody(req)),
    'POST /api/fixture': async (req) => session.saveFixture(await readBody(req)),
    'POST /api/fixtures/run': async (req) => session.runFixtures(await readBody(req)),
  };

  // One request at a time: runs load definitions and saves write files; ordering keeps them consistent.
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://studio.local');
    const handler = api[`${req.method} ${url.pathname}`];
    if (handler) {
      queue = queue
        .then(() => handler(req, url))
        .then(
          (body) => send(res, 200, body),
          (error: unknown) => {
            if (isUnimapError(error)) send(res, error.statusCode, { error: { code: error.code, message: error.message } });
            else send(res, 500, { error: { code: 'internal_error', message: error instanceof Error ? error.message : String(error) } });
          },
        );
      return;
    }
    const type = req.method === 'GET' ? assetTypes[url.pathname] : undefined;
    if (!type) return send(res, 404, { error: { code: 'route_not_found', message: `no ${req.method} ${url.pathname}` } });
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    readFile(join(assets, name)).then(
      (content) => {
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(content);
      },
      () => send(res, 404, { error: { code: 'route_not_found', message: `${name} is not built` } }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
