// The fast path keeps one array of each sequence shape alive (SEQUENCE_SHAPES in
// engine/expressions/fast/compile.ts). Without them, every full collection between two pages let
// those maps die, and V8 threw away the optimized code built for them ("weak objects"), to
// compile it again on the next page. Read from V8's own trace, not timed.
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// The fast path's closures and helpers that make or read sequences in the page above (names no
// other module on the way uses).
const FAST_PATH = ['walk', 'read', 'collapse', 'sequenceWithRoom', 'fitted', 'newSequence', 'sequenceOf', 'sequenceFrom'];

describe('fast path code across full collections', () => {
  it('is not thrown away by a full collection between pages once warm', async () => {
    const { stdout } = await run(process.execPath, ['--expose-gc', '--trace-deopt', '--import', 'tsx', join(repoRoot, 'test/support/full-collection-pages.ts'), '16'], {
      cwd: repoRoot,
      maxBuffer: 64 * 1024 * 1024,
    });
    const warm = stdout.indexOf('--- warm ---');
    expect(warm).toBeGreaterThan(0);
    // Before the marker: optimization settles. After it: no fast-path code dropped for a dead map.
    const dropped = stdout
      .slice(warm)
      .split('\n')
      .filter((line) => line.includes('reason: weak objects'))
      .map((line) => /<SharedFunctionInfo ?([^>]*)>/.exec(line)?.[1] ?? '')
      .filter((name) => FAST_PATH.includes(name));
    expect(dropped).toEqual([]);
    // The trace is there at all (a run of the same page without SEQUENCE_SHAPES drops walk,
    // read, collapse, … after every collection).
    expect(stdout).toContain('deoptimiz');
  }, 120_000);
});
