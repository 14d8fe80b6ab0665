// `npm start`: a hands-on look at the extension in a real VS Code. Installs code-server once (setup-code-server.sh),
// builds the bundles, installs the built extension into a private extensions folder, copies demo/ into a scratch
// workspace and serves code-server on 127.0.0.1; prints the URL. Ctrl+C stops it. State lives in .vscode-test/start/.
// Options: --port N (default: a free port).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const home = join(root, '.vscode-test', 'start');
const portIndex = process.argv.indexOf('--port');
const port = portIndex > 0 ? Number(process.argv[portIndex + 1]) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('Usage: npm start [-- --port N]');
  process.exit(2);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('bash', [join(root, 'scripts', 'setup-code-server.sh')]);
run(process.execPath, [join(root, 'scripts', 'build.mjs')]);

// Install the extension the way VS Code lays it out: <publisher>.<name>-<version> holding what ships.
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const extensionsDir = join(home, 'extensions');
rmSync(extensionsDir, { recursive: true, force: true });
const extensionDir = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
mkdirSync(extensionDir, { recursive: true });
for (const entry of ['package.json', 'dist', 'syntaxes', 'snippets', 'icons', 'language-configuration.json', 'README.md', 'LICENSE']) {
  if (existsSync(join(root, entry))) cpSync(join(root, entry), join(extensionDir, entry), { recursive: true });
}

// A scratch copy of the demo, so that edits made while trying things out never touch demo/.
const workspace = join(home, 'workspace');
rmSync(workspace, { recursive: true, force: true });
cpSync(join(root, 'demo'), workspace, { recursive: true });

const userData = join(home, 'user-data');
const xdg = join(home, 'xdg');
const tmp = join(home, 'tmp');
for (const dir of [join(userData, 'User'), xdg, tmp]) mkdirSync(dir, { recursive: true });
// A demo profile: these keep it quiet; anything else the user sets there is kept between starts.
const settingsFile = join(userData, 'User', 'settings.json');
let settings = {};
try {
  settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
} catch {
  // first start, or a file VS Code left with comments: start from the defaults
}
const quiet = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'git.openRepositoryInParentFolders': 'never',
  'remote.autoForwardPorts': false,
};
writeFileSync(settingsFile, JSON.stringify({ ...quiet, ...settings }, null, 2) + '\n');

const codeServer = join(root, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');
const child = spawn(
  codeServer,
  [
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userData,
    '--extensions-dir', extensionsDir,
    workspace,
  ],
  {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Later: a scratch models directory (OLLAMA_MODELS) and a local registry for the demo go here.
    env: { ...process.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: xdg, TMPDIR: tmp },
  },
);

let announced = false;
function relay(chunk, stream) {
  const text = chunk.toString('utf8');
  stream.write(text);
  const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
  if (match && !announced) {
    announced = true;
    const url = `${match[1]}?folder=${encodeURIComponent(workspace)}`;
    console.log(`\nModelfile Studio ${manifest.version} is running in VS Code at:\n\n  ${url}\n\nPress Ctrl+C to stop.\n`);
  }
}
child.stdout.on('data', (chunk) => relay(chunk, process.stdout));
child.stderr.on('data', (chunk) => relay(chunk, process.stderr));

function stop() {
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    process.exit(0);
  }, 3000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code) => process.exit(code ?? 0));
