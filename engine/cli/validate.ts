import { readFile } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import { Engine } from '../engine.js';
import { folderParseCache } from '../definitions/disk-parse-cache.js';
import { readDefinitionFolder } from '../definitions/read-folder.js';
import { renderCodeFrame } from '../definitions/source-map.js';
import { formatLocation, type Problem } from '../errors.js';
import { findFixtureFiles, readFixture } from '../fixtures/read.js';
import { fastPathReport, type FastPathReport } from './fast-path-report.js';
import { colors, UsageError } from './output.js';
import { progress } from './progress.js';

export const validateHelp = `Usage: unimap validate [paths…] [--json] [--no-cache] [--fast-path]

Checks integration definitions (YAML syntax, the definition schema, JSONata syntax, references
to remote methods and unified models) and the fixtures beside them. Every problem in every file
is reported, each as file:line:col  code  message, with the lines around it.

It reads and fills the parse cache that loadEngine and \`unimap serve\` use
(node_modules/.cache/unimap): a file whose text has not changed since it was last parsed is not
parsed again, and is still checked in full. Run it at build time and the server's first start
parses nothing.

  paths       definition files or folders (default: mappings)
  --json      print the problems as JSON
  --no-cache  parse every file, and leave the cache alone
  --fast-path also list the expressions that run on stock jsonata rather than the fast path
              (same results, several times slower), each at its place with the reason
Exit status: 0 clean, 1 problems found, 2 bad usage.`;

export async function validateCommand(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const noCache = args.includes('--no-cache');
  const withFastPath = args.includes('--fast-path');
  const unknown = args.filter((a) => a.startsWith('-') && a !== '--json' && a !== '--no-cache' && a !== '--fast-path');
  if (unknown.length) throw new UsageError(`unknown option ${unknown[0]}`);
  const paths = args.filter((a) => !a.startsWith('-'));
  if (!paths.length) paths.push('mappings');
  const sources = [];
  for (const path of paths) {
    try {
      await stat(path);
    } catch {
      throw new UsageError(`no such file or folder: ${path}`);
    }
    sources.push(...(await readDefinitionFolder(path)));
  }
  // One cache serves every path: entries are keyed by the file's text.
  const parseCache = noCache ? undefined : folderParseCache(paths[0]!);
  const engine = new Engine({ definitions: sources, ...(parseCache ? { parseCache } : {}) });
  const problems: Problem[] = [...engine.problems];
  const fixtureFiles = await findFixtureFiles(paths.filter((p) => !/\.ya?ml$/i.test(p)));
  const bar = progress(fixtureFiles.length, 'fixtures');
  for (const file of fixtureFiles) {
    bar.tick(file);
    problems.push(...(await readFixture(file)).problems);
  }
  bar.done();
  const fastPath: FastPathReport | undefined = withFastPath ? fastPathReport(engine) : undefined;

  if (json) {
    process.stdout.write(JSON.stringify({ files: sources.length, problems, ...(fastPath ? { fastPath } : {}) }, null, 2) + '\n');
    return problems.some((p) => p.severity === 'error') ? 1 : 0;
  }
  const c = colors(process.stdout);
  const texts = new Map<string, string[]>();
  const print = async (location: Problem['location'], code: string, message: string): Promise<void> => {
    const { file, line, column } = location;
    const where = [location.path, location.slot && `slot ${location.slot}`].filter(Boolean).join(', ');
    process.stdout.write(`${formatLocation(location)}  ${code}  ${message}${where ? c.dim(`  (${where})`) : ''}\n`);
    if (file && line) {
      if (!texts.has(file)) texts.set(file, (await readFile(file, 'utf8').catch(() => '')).split(/\r?\n/));
      process.stdout.write(renderCodeFrame(texts.get(file)!, line, column ?? 1) + '\n\n');
    }
  };
  for (const problem of problems) {
    await print(problem.location, problem.severity === 'error' ? c.red(problem.code) : c.yellow(problem.code), problem.message);
  }
  if (fastPath) {
    for (const { location, reason } of fastPath.stock) {
      await print(location, c.dim('stock_jsonata'), `runs on stock jsonata, not the fast path: ${reason}`);
    }
    const stock = fastPath.expressions - fastPath.fast;
    process.stdout.write(`fast path: ${fastPath.fast} of ${fastPath.expressions} expression(s)${stock ? `; ${stock} on stock jsonata (same results, slower)` : ''}\n`);
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  const summary = `${sources.length} definition(s), ${engine.integrations.size} loaded; ${errors} error(s), ${problems.length - errors} warning(s)`;
  process.stdout.write((errors ? c.red(summary) : c.green(summary)) + '\n');
  return errors ? 1 : 0;
}
