import { stat } from 'node:fs/promises';
import { loadEngine } from '../index.js';
import { findFixtureFiles, readFixture } from '../fixtures/read.js';
import { runFixture, type FixtureOutcome } from '../fixtures/run.js';
import { updateFixtureFile } from '../fixtures/update.js';
import { formatProblem } from '../errors.js';
import { parseArgs, one } from './args.js';
import { jsonDiff } from './diff.js';
import { colors, UsageError } from './output.js';
import { progress } from './progress.js';

export const testHelp = `Usage: unimap test [paths…] [--filter TEXT] [--update] [--verbose] [--definitions DIR]

Runs the mapping fixtures (the same runner as the vitest suite) and shows, for each failure,
a diff of expected (-) against actual (+), then a summary line.

  paths           fixture files or folders (default: mappings)
  --filter TEXT   only fixtures whose file or name contains TEXT
  --update        rewrite the expected outputs of failing fixtures, after showing what changes
  --verbose       also name each passing fixture (file, name, time)
  --definitions   where the definitions are (default: mappings)
Exit status: 0 all passed, 1 failures, 2 bad usage.`;

export async function testCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ['filter', 'definitions'], ['update', 'verbose']);
  const paths = args.positional.length ? args.positional : ['mappings'];
  for (const path of paths) await stat(path).catch(() => {
    throw new UsageError(`no such file or folder: ${path}`);
  });
  const filter = one(args, 'filter');
  const engine = await loadEngine({ definitions: one(args, 'definitions') ?? 'mappings' });
  const c = colors(process.stdout);
  for (const problem of engine.problems.filter((p) => p.severity === 'error')) process.stdout.write(`${c.red('definition')} ${formatProblem(problem)}\n`);

  const files = await findFixtureFiles(paths);
  const bar = progress(files.length, 'fixtures');
  let passed = 0;
  let failed = 0;
  const failures: { file: string; outcome?: FixtureOutcome; problems?: string[] }[] = [];
  const passes: { file: string; name: string; ms: number }[] = [];
  for (const file of files) {
    bar.tick(file);
    const read = await readFixture(file);
    if (!read.fixture) {
      if (filter && !file.includes(filter)) continue;
      failed++;
      failures.push({ file, problems: read.problems.map(formatProblem) });
      continue;
    }
    if (filter && !file.includes(filter) && !read.fixture.name.includes(filter)) continue;
    const started = performance.now();
    const outcome = await runFixture(engine, read.fixture);
    if (outcome.passed) {
      passed++;
      passes.push({ file, name: outcome.name, ms: performance.now() - started });
    } else {
      failed++;
      failures.push({ file, outcome });
    }
  }
  bar.done();

  if (args.flags.has('verbose')) {
    for (const pass of passes) process.stdout.write(`${c.green('✓')} ${pass.file}  ${pass.name}  ${c.dim(`${pass.ms.toFixed(1)} ms`)}\n`);
  }

  for (const { file, outcome, problems } of failures) {
    process.stdout.write(`${c.red('✗')} ${file}${outcome ? `  ${outcome.name}` : ''}\n`);
    for (const problem of problems ?? []) process.stdout.write(`    ${problem}\n`);
    for (const failure of outcome?.failures ?? []) {
      process.stdout.write(`  ${c.bold(failure.what)}: ${failure.message}\n`);
      process.stdout.write(jsonDiff(failure.expected, failure.actual).replace(/^/gm, '    ') + '\n');
    }
  }
  if (args.flags.has('update')) {
    for (const { file, outcome } of failures) {
      if (!outcome) continue;
      await updateFixtureFile(file, outcome);
      process.stdout.write(`${c.yellow('updated')} ${file}\n`);
    }
  }
  const summary = `${passed} passed, ${failed} failed`;
  process.stdout.write(`${failed ? c.red(summary) : c.green(summary)}\n`);
  return failed && !args.flags.has('update') ? 1 : 0;
}
