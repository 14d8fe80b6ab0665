// The end-to-end harness: stages the built extension into a fresh extensions folder, starts an isolated code-server,
// drives Debian's Chromium with playwright-core to run the extension-host suite (test/e2e/suite) through the payload
// URL, then walks the UI of a normal window (uiWalk.ts: colours, Problems, a pull from the demo registry with Cancel
// and resume, a delete from the Models view; screenshots). Everything is bounded by timeouts and torn down at the end,
// whatever happens.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { startCodeServer, type CodeServer } from './codeServer';
import { startDemoEnvironment, type DemoEnvironment } from './demoEnvironment';
import { CHROMIUM, fixturesDir, resultsDir } from './paths';
import { stageExtension } from './stage';
import { walkUi, type UiWalkResult } from './uiWalk';

export interface E2EOptions {
  readonly root: string;
  readonly log: (line: string) => void;
  /** Upper bound for the extension-host suite, from page load to codeAutomationExit. */
  readonly suiteTimeoutMs?: number;
  /** Keep the run folder (code-server state, workspace) for inspection. */
  readonly keepRunDir?: boolean;
}

/** The summary line the suite prints (see suite/index.ts). */
export interface SuiteSummary {
  readonly tests: number;
  readonly passes: number;
  readonly failures: number;
  readonly pending: number;
  readonly failed: readonly string[];
}

export interface E2EResult {
  readonly exitCode: number;
  readonly summary: SuiteSummary | undefined;
  readonly ui: UiWalkResult;
  /** Size of the demo model's weights layer that the UI walk pulls. */
  readonly demoModelBytes: number;
  readonly seconds: number;
}

/** The suite marks its console lines and its summary with these (see suite/index.ts). */
export const LINE_MARKER = '[modelfile-e2e] ';
export const SUMMARY_PREFIX = 'MODELFILE-E2E-SUMMARY ';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function runE2E(options: E2EOptions): Promise<E2EResult> {
  const started = Date.now();
  const results = resultsDir(options.root);
  mkdirSync(results, { recursive: true });
  const runDir = mkdtempSync(join(tmpdir(), 'modelfile-e2e-'));
  const consoleLog: string[] = [];
  const record = (line: string): void => {
    consoleLog.push(line);
  };

  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let demo: DemoEnvironment | undefined;
  try {
    const testsEntry = buildSuite(options.root);
    const extensionsDir = join(runDir, 'extensions');
    const staged = stageExtension(options.root, extensionsDir);
    const workspace = join(runDir, 'workspace');
    cpSync(fixturesDir(options.root), workspace, { recursive: true });

    // The demo world of `npm start` for the UI walk: a models directory with demo-base and a local registry whose
    // downloads are paced, so that a pull's progress notification stays up long enough to be seen and cancelled.
    demo = await startDemoEnvironment({ dir: join(runDir, 'demo'), paceBytesPerSecond: 8 * 1024 * 1024, log: record });
    server = await startCodeServer({
      root: options.root,
      runDir,
      extensionsDir,
      workspace,
      startTimeoutMs: 30_000,
      log: record,
      settings: { 'modelfileStudio.modelsDirectory': demo.modelsDir, 'modelfileStudio.insecureRegistries': [demo.registryHost] },
      env: { OLLAMA_MODELS: demo.modelsDir },
    });
    options.log(`code-server ${server.url} (extension ${staged.id})`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });

    const suite = await runSuite(browser, server, {
      workspace,
      extensionFolder: staged.folder,
      testsEntry,
      timeoutMs: options.suiteTimeoutMs ?? 90_000,
      log: options.log,
      record,
    });
    const ui = await walkUi(browser, { root: options.root, serverUrl: server.url, workspace, resultsDir: results, demo, record });
    return { exitCode: suite.exitCode, summary: suite.summary, ui, demoModelBytes: demo.modelBytes, seconds: (Date.now() - started) / 1000 };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await demo?.stop();
    writeFileSync(join(results, 'e2e-console.log'), consoleLog.join('\n') + '\n');
    if (options.keepRunDir !== true) rmSync(runDir, { recursive: true, force: true });
  }
}

/**
 * Bundles the extension-host suite (test/e2e/suite → out/test/e2e/suite), which targeted test runs do not build.
 * The shipped bundles are left alone when present: other test files may be using them at this moment.
 */
function buildSuite(root: string): string {
  const args = [join(root, 'scripts', 'build.mjs'), '--tests', '--only=test/e2e/suite'];
  if (!existsSync(join(root, 'dist', 'extension.js'))) args.push('--with-dist');
  const built = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', timeout: 120_000 });
  if (built.status !== 0) throw new Error('building the extension-host suite failed');
  const entry = join(root, 'out', 'test', 'e2e', 'suite', 'index.js');
  if (!existsSync(entry)) throw new Error(`${entry} was not built`);
  return entry;
}

interface SuiteOptions {
  readonly workspace: string;
  readonly extensionFolder: string;
  readonly testsEntry: string;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
  readonly record: (line: string) => void;
}

/** Loads the payload URL that turns the window into an extension-development host running the suite. */
async function runSuite(
  browser: Browser,
  server: CodeServer,
  options: SuiteOptions,
): Promise<{ exitCode: number; summary: SuiteSummary | undefined }> {
  const remote = (path: string): string => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(options.extensionFolder)],
    ['extensionTestsPath', remote(options.testsEntry)],
  ]);
  const url = `${server.url}?folder=${encodeURIComponent(options.workspace)}&payload=${encodeURIComponent(payload)}`;

  const page: Page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  let summary: SuiteSummary | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const exitCode = new Promise<number>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the extension-host suite did not finish within ${options.timeoutMs} ms`)),
        options.timeoutMs,
      );
      page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)).catch(reject);
    });
    exitCode.catch(() => undefined); // observed below; this only keeps an early failure from going unhandled
    page.on('console', (message: ConsoleMessage) => {
      const text = message.text();
      options.record(`[${message.type()}] ${text}`);
      const at = text.indexOf(SUMMARY_PREFIX);
      if (at >= 0) summary = parseSummary(text.slice(at + SUMMARY_PREFIX.length));
      const marker = text.indexOf(LINE_MARKER);
      if (marker >= 0) options.log(`  ${text.slice(marker + LINE_MARKER.length)}`);
    });
    page.on('pageerror', (error) => options.record(`[pageerror] ${error.message}`));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 30_000 });
    return { exitCode: await exitCode, summary };
  } finally {
    clearTimeout(timer);
    await page.close().catch(() => undefined);
  }
}

function parseSummary(json: string): SuiteSummary | undefined {
  try {
    const value: unknown = JSON.parse(json.trim());
    if (typeof value !== 'object' || value === null) return undefined;
    const record = value as Record<string, unknown>;
    const count = (key: string): number => (typeof record[key] === 'number' ? (record[key] as number) : -1);
    const failed = Array.isArray(record['failed']) ? record['failed'].filter((x): x is string => typeof x === 'string') : [];
    return { tests: count('tests'), passes: count('passes'), failures: count('failures'), pending: count('pending'), failed };
  } catch {
    return undefined;
  }
}
