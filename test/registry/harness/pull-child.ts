// Test-only: `modelfile pull` in a separate process, so that a test can kill it (SIGKILL) or run two at once.
// When the bundled CLI (dist/cli.js) has the pull command, that binary is spawned; until then the test file spawns
// itself with an environment variable that makes it run the same pull command (cli/commands/pull) and exit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../../../cli/args';
import { pullCommand } from '../../../cli/commands/pull';

const CHILD_ENV = 'MODELFILE_TEST_PULL_ARGV';

/** In the child process: runs the pull named by the environment and returns true; in the test process: false. */
export function runPullChildIfAsked(): boolean {
  const raw = process.env[CHILD_ENV];
  if (raw === undefined) return false;
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  const argv = JSON.parse(raw) as string[];
  pullCommand
    .run(parseArgs(pullCommand.spec, argv), {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      cwd: process.cwd(),
      env: process.env,
      signal: controller.signal,
    })
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        process.stderr.write(`unexpected: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
        process.exitCode = 99;
      },
    );
  return true;
}

/** The bundled CLI, if it exists and knows `pull`. */
function bundledCli(): string | undefined {
  const cli = join(process.env.MODELFILE_STUDIO_ROOT ?? process.cwd(), 'dist', 'cli.js');
  if (!existsSync(cli)) return undefined;
  return spawnSync(process.execPath, [cli, 'pull', '--help'], { stdio: 'ignore', timeout: 30_000 }).status === 0 ? cli : undefined;
}

export interface PullChild {
  process: ChildProcess;
  /** How the pull was run: the bundled binary or this test file as a driver. */
  via: 'dist/cli.js' | 'driver';
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let cli: string | undefined | null = null;

/** Starts `modelfile pull <argv>` in a child process. `self` is the compiled test file (its `__filename`). */
export function spawnPull(self: string, argv: string[], env: NodeJS.ProcessEnv = {}): PullChild {
  if (cli === null) cli = bundledCli();
  const child = cli
    ? spawn(process.execPath, [cli, 'pull', ...argv], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, [self], { env: { ...process.env, ...env, [CHILD_ENV]: JSON.stringify(argv) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr?.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, via: cli ? 'dist/cli.js' : 'driver', stdout: () => stdout, stderr: () => stderr, exited };
}
