// Entry point of the `modelfile` command: dispatches to a subcommand, turns usage errors into exit code 2 and
// typed core errors into one clear line and exit code 1.
import { formatHelp, parseArgs, UsageError } from './args';
import { EXIT_FAILURE, EXIT_USAGE, type CliCommand } from './command';
import type { CliContext } from './context';
import { parseCommand } from './commands/parse';
import { nameCommand } from './commands/name';
import { lintCommandWithVersion } from './commands/lint';
import { codesCommand } from './commands/codes';
import { copyCommand, listCommand, pruneCommand, removeCommand, showCommand } from './commands/models';
import { createCommand } from './commands/create';
import { lspCommand } from './commands/lsp';
import { pullCommand } from './commands/pull';
import { pushCommand } from './commands/push';
import { StudioError } from '../core/errors';

declare const __VERSION__: string | undefined;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export function commands(): CliCommand[] {
  return [
    lintCommandWithVersion(VERSION),
    parseCommand,
    nameCommand,
    createCommand,
    pullCommand,
    pushCommand,
    listCommand,
    showCommand,
    copyCommand,
    removeCommand,
    pruneCommand,
    lspCommand,
    codesCommand,
  ];
}

function topHelp(list: CliCommand[]): string {
  const width = Math.max(...list.map((c) => c.spec.name.length)) + 2;
  return [
    'Usage: modelfile <command> [options]',
    '',
    'Lint Ollama Modelfiles and manage Ollama\'s models directory — no Ollama server needed.',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.spec.name.padEnd(width)}${c.spec.summary}`),
    '',
    "Run 'modelfile <command> --help' for a command's options. 'modelfile --version' prints the version.",
    '',
  ].join('\n');
}

export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const list = commands();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? list.find((c) => c.spec.name === rest[0]) : undefined;
    context.stdout.write(target ? formatHelp(target.spec) : topHelp(list));
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '--version' || name === '-v') {
    context.stdout.write(`modelfile ${VERSION}\n`);
    return 0;
  }
  const command = list.find((c) => c.spec.name === name);
  if (!command) {
    context.stderr.write(`modelfile: unknown command '${name}'. Commands: ${list.map((c) => c.spec.name).join(', ')}. Run 'modelfile --help'.\n`);
    return EXIT_USAGE;
  }
  try {
    const args = parseArgs(command.spec, rest);
    if (args.flags.get('help')) {
      context.stdout.write(formatHelp(command.spec));
      return 0;
    }
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof UsageError) {
      context.stderr.write(`modelfile ${name}: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof StudioError) {
      context.stderr.write(`Error: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    const err = error as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string' && err.syscall) {
      context.stderr.write(`Error: ${err.code === 'ENOENT' ? 'no such file' : err.code}: ${err.path ?? ''}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupted = 0;
  process.on('SIGINT', () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    controller.abort();
  });
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
  });
  runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`modelfile: unexpected error: ${error instanceof Error ? error.stack ?? error.message : String(error)}\nPlease report this with the command you ran.\n`);
      process.exitCode = EXIT_FAILURE;
    },
  );
}
