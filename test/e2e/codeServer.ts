// Starts one isolated code-server (VS Code 1.100 in the browser) for a test run: its own config, data, temp and
// extensions folders, a random loopback port, no auth, telemetry or update checks. Stops it by process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeServerBinary } from './paths';

export interface CodeServerOptions {
  readonly root: string;
  /** A fresh folder owned by this run; code-server's state goes below it. */
  readonly runDir: string;
  readonly extensionsDir: string;
  readonly workspace: string;
  readonly startTimeoutMs: number;
  readonly log: (line: string) => void;
  /** More user settings (merged over USER_SETTINGS) and environment variables for this run. */
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string>>;
}

export interface CodeServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** User settings for a quiet, deterministic workbench. */
export const USER_SETTINGS: Readonly<Record<string, unknown>> = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.commandCenter.enabled': false,
  'editor.minimap.enabled': false,
  // The UI walk checks the TextMate grammar's colours; the language server's semantic tokens would paint over them.
  'editor.semanticHighlighting.enabled': false,
  'git.enabled': false,
  'git.openRepositoryInParentFolders': 'never',
  'remote.autoForwardPorts': false,
};

const LISTENING = /HTTP server listening on (http:\/\/127\.0\.0\.1:(\d+)\/)/;

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const xdg = join(options.runDir, 'xdg');
  const tmp = join(options.runDir, 'tmp');
  const userData = join(options.runDir, 'user-data');
  for (const dir of [xdg, tmp, join(userData, 'User'), options.extensionsDir]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...options.settings }, null, 2));

  const args = [
    '--bind-addr', '127.0.0.1:0',
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userData,
    '--extensions-dir', options.extensionsDir,
    options.workspace,
  ];
  const child = spawn(codeServerBinary(options.root), args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: xdg, TMPDIR: tmp },
  });

  const stop = (): Promise<void> => stopProcessGroup(child);
  try {
    const { url, port } = await waitForListening(child, options);
    return { url, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function waitForListening(child: ChildProcess, options: CodeServerOptions): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`code-server did not listen within ${options.startTimeoutMs} ms`))),
      options.startTimeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        options.log(`[code-server] ${line}`);
        const match = LISTENING.exec(line);
        if (match?.[1] !== undefined && match[2] !== undefined) {
          const url = match[1];
          const port = Number(match[2]);
          finish(() => resolve({ url, port }));
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => finish(() => reject(error)));
    child.once('exit', (code, signal) =>
      finish(() => reject(new Error(`code-server exited before listening (code ${code ?? 'none'}, signal ${signal ?? 'none'})`))),
    );
  });
}

/** SIGTERM to the whole group, SIGKILL after a grace period; resolves once the leader has exited. */
export function stopProcessGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-pid, signal);
      } catch {
        // the group is already gone
      }
    };
    const timer = setTimeout(() => kill('SIGKILL'), graceMs);
    const giveUp = setTimeout(resolve, 2 * graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      clearTimeout(giveUp);
      kill('SIGKILL'); // children that ignored SIGTERM
      resolve();
    });
    kill('SIGTERM');
  });
}
