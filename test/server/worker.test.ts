import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { buildWorker } from '../../engine/worker/build.js';
import { serverSuite } from './suite.js';

// The same suite with the handler inside workerd (miniflare): the bundle built as the README
// says, validators precompiled, definitions as data, no code generation at run time.
serverSuite('workerd', async () => {
  const out = await mkdtemp(join(tmpdir(), 'unimap-worker-'));
  const scriptPath = await buildWorker('mappings', out);
  const mf = new Miniflare({ modules: true, scriptPath, modulesRoot: out, compatibilityDate: '2024-09-23' });
  const url = await mf.ready;
  return { base: String(url).replace(/\/$/, ''), stop: () => mf.dispose() };
});
