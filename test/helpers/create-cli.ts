// Test-only harness for `modelfile create`: runs the bundled CLI (dist/cli.js) when it has the create command,
// and otherwise runs the command in-process with a fake CliContext, mapping errors to exit codes as cli/main.ts
// does — so the CLI tests work before and after the command is registered. Never shipped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs, UsageError } from '../../cli/args';
import { createCommand } from '../../cli/commands/create';
import type { CliContext, Output } from '../../cli/context';
import { StudioError } from '../../core/errors';

const root = process.env.MODELFILE_STUDIO_ROOT ?? process.cwd();
/** The bundled CLI; MODELFILE_CLI points at another build (e.g. one with the command registered locally). */
export const CLI = process.env.MODELFILE_CLI ?? join(root, 'dist', 'cli.js');

let registered: boolean | undefined;

/** True when dist/cli.js knows `create` (the lead registers it in cli/main.ts). */
export function binaryHasCreate(): boolean {
  if (registered === undefined) {
    registered = existsSync(CLI) && spawnSync(process.execPath, [CLI, 'create', '--help'], { encoding: 'utf8' }).status === 0;
  }
  return registered;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  signal?: AbortSignal;
  /** In-process only: pretend stderr is a terminal. */
  tty?: boolean;
  /** Force the in-process path even when the binary has the command. */
  inProcess?: boolean;
}

function collector(tty: boolean): Output & { text: string } {
  const out = {
    text: '',
    isTTY: tty,
    columns: 100,
    write(chunk: string) {
      out.text += chunk;
    },
  };
  return out;
}

async function runInProcess(argv: readonly string[], options: CliRunOptions): Promise<CliRun> {
  const stdout = collector(false);
  const stderr = collector(options.tty === true);
  const context: CliContext = {
    stdout,
    stderr,
    stdin: Readable.from(options.input !== undefined ? [Buffer.from(options.input)] : []),
    cwd: options.cwd,
    env: options.env ?? {},
    signal: options.signal ?? new AbortController().signal,
  };
  let code: number;
  try {
    code = await createCommand.run(parseArgs(createCommand.spec, argv), context);
  } catch (error) {
    if (error instanceof UsageError) {
      stderr.write(`modelfile create: ${error.message}\n`);
      code = 2;
    } else if (error instanceof StudioError) {
      stderr.write(`Error: ${error.message}\n`);
      code = 1;
    } else {
      throw error;
    }
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function runBinary(argv: readonly string[], options: CliRunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'create', ...argv], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    options.signal?.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
    child.stdin.end(options.input ?? '');
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs `modelfile create ARGV…`. */
export function runCreate(argv: readonly string[], options: CliRunOptions): Promise<CliRun> {
  return options.inProcess || !binaryHasCreate() ? runInProcess(argv, options) : runBinary(argv, options);
}
