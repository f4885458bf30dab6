import { UsageError } from './output.js';
import { validateCommand, validateHelp } from './validate.js';

const help = `Usage: unimap <command> [options]

Commands:
  validate [paths…]   check definitions and fixtures; every problem with file:line:col

Run \`unimap <command> --help\` for a command's options.`;

type Command = { run: (args: string[]) => Promise<number>; help: string };

const commands: Record<string, Command> = {
  validate: { run: validateCommand, help: validateHelp },
};

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
    process.stderr.write(`unimap ${name}: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}
