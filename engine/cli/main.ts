import { buildWorkerCommand, buildWorkerHelp } from './build-worker-command.js';
import { coverageCommand, coverageHelp } from './coverage-command.js';
import { docsCommand, docsHelp } from './docs-command.js';
import { initCommand, initHelp } from './init-command.js';
import { mapCommand, mapHelp } from './map-command.js';
import { UsageError } from './output.js';
import { recordCommand, recordHelp } from './record-command.js';
import { serveCommand, serveHelp } from './serve-command.js';
import { studioCommand, studioHelp } from './studio-command.js';
import { testCommand, testHelp } from './test-command.js';
import { typesCommand, typesHelp } from './types-command.js';
import { validateCommand, validateHelp } from './validate.js';

type Command = { run: (args: string[]) => Promise<number>; help: string; summary: string };

const commands: Record<string, Command> = {
  validate: { run: validateCommand, help: validateHelp, summary: 'check definitions and fixtures; every problem at file:line:col' },
  test: { run: testCommand, help: testHelp, summary: 'run the fixtures, with a diff for each failure (--update rewrites them)' },
  map: { run: mapCommand, help: mapHelp, summary: 'show the remote request a call becomes, or the unified result of a response' },
  coverage: { run: coverageCommand, help: coverageHelp, summary: 'the field coverage matrix across integrations' },
  docs: { run: docsCommand, help: docsHelp, summary: 'write the generated docs and types (--check: verify they are current)' },
  record: { run: recordCommand, help: recordHelp, summary: 'call the live API and write a redacted fixture of every exchange' },
  serve: { run: serveCommand, help: serveHelp, summary: 'serve the unified API (--sandbox: with emulated vendors and demo accounts)' },
  studio: { run: studioCommand, help: studioHelp, summary: 'a local web page to edit mappings and see every pipeline step live' },
  'build-worker': { run: buildWorkerCommand, help: buildWorkerHelp, summary: 'bundle the server for Cloudflare Workers (precompiled validators)' },
  types: { run: typesCommand, help: typesHelp, summary: 'TypeScript types for the unified models' },
  init: { run: initCommand, help: initHelp, summary: 'scaffold a definition and its first fixture' },
};

const help = `Usage: unimap <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run \`unimap <command> --help\` for a command's options.`;

/** The CLI; returns the exit status. Usage errors exit 2, never with a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unimap: unknown command \`${name}\`\n\n${help}\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(command.help + '\n');
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`unimap ${name}: ${error.message}\n\n${command.help}\n`);
      return 2;
    }
    // An unexpected failure: one line for the person, no stack trace.
    process.stderr.write(`unimap ${name}: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}
