// `npm start`: a hands-on, offline look at the extension in a real VS Code. Installs what it needs once (Debian
// packages through setup-system.sh, code-server through setup-code-server.sh), builds the bundles and the demo back
// end (scripts/demo-env.ts), installs the built extension into a private extensions folder, copies demo/ into a
// scratch workspace, and starts two things side by side:
//   - the demo back end: a fresh models directory holding one model, and a local registry (docker-registry on
//     127.0.0.1, blob downloads paced so that progress can be watched) holding a model to pull;
//   - code-server on 127.0.0.1, pointed at that models directory and allowed to talk plain http to that registry.
// Prints the URL and the name to pull. Ctrl+C stops both (their whole process groups). State lives in
// .vscode-test/start/; the models directory, the registry and the workspace are made afresh on every start.
// Options: --port N (default: a free port).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const started = Date.now();
const root = fileURLToPath(new URL('..', import.meta.url));
const home = join(root, '.vscode-test', 'start');
const portIndex = process.argv.indexOf('--port');
const port = portIndex > 0 ? Number(process.argv[portIndex + 1]) : 0;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('Usage: npm start [-- --port N]');
  process.exit(2);
}

// One demo at a time: a second start would wipe the first one's models directory and registry under it.
const pidFile = join(home, 'start.pid');
try {
  const other = Number(readFileSync(pidFile, 'utf8'));
  if (other > 0 && other !== process.pid && readFileSync(`/proc/${other}/cmdline`, 'utf8').includes('start.mjs')) {
    console.error(`npm start is already running (process ${other}); stop it with Ctrl+C first.`);
    process.exit(1);
  }
} catch {
  // no other start is running
}
mkdirSync(home, { recursive: true });
writeFileSync(pidFile, String(process.pid));
process.on('exit', () => rmSync(pidFile, { force: true }));

function run(command, args, hint) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    if (hint) console.error(hint);
    process.exit(result.status ?? 1);
  }
}

run('bash', [join(root, 'scripts', 'setup-system.sh')], 'Installing the Debian packages failed; run `bash scripts/setup-system.sh` as root and try again.');
run('bash', [join(root, 'scripts', 'setup-code-server.sh')]);
run(process.execPath, [join(root, 'scripts', 'build.mjs'), '--demo']);

// Install the extension the way VS Code lays it out: <publisher>.<name>-<version> holding what ships.
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const extensionsDir = join(home, 'extensions');
rmSync(extensionsDir, { recursive: true, force: true });
const extensionDir = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
mkdirSync(extensionDir, { recursive: true });
for (const entry of ['package.json', 'dist', 'syntaxes', 'snippets', 'icons', 'language-configuration.json', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
  if (existsSync(join(root, entry))) cpSync(join(root, entry), join(extensionDir, entry), { recursive: true });
}

// A scratch copy of the demo, so that edits made while trying things out never touch demo/.
const workspace = join(home, 'workspace');
rmSync(workspace, { recursive: true, force: true });
cpSync(join(root, 'demo'), workspace, { recursive: true });

const userData = join(home, 'user-data');
const xdg = join(home, 'xdg');
const tmp = join(home, 'tmp');
const modelsDir = join(home, 'models'); // made afresh by the demo back end
for (const dir of [join(userData, 'User'), join(userData, 'Machine'), xdg, tmp]) mkdirSync(dir, { recursive: true });

/** Every child runs in its own process group (detached), so that stopping one stops everything it started. */
const children = new Set();
let stopping = false;

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const signal = (sig) => {
    for (const child of children) {
      try {
        process.kill(-child.pid, sig);
      } catch {
        // that group is already gone
      }
    }
  };
  signal('SIGTERM');
  const exit = () => process.exit(code);
  const force = setTimeout(() => {
    signal('SIGKILL');
    exit();
  }, 4000);
  const poll = setInterval(() => {
    if (children.size === 0) {
      clearTimeout(force);
      clearInterval(poll);
      exit();
    }
  }, 50);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.on('SIGHUP', () => stop(0));

function launch(command, args, options) {
  const child = spawn(command, args, { cwd: root, detached: true, ...options });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

// The demo back end: stays up until it is signalled or its stdin closes (when this script dies without cleaning up).
const demo = launch(
  process.execPath,
  ['--enable-source-maps', join(root, 'out', 'scripts', 'demo-env.js'), '--dir', home, '--workspace', workspace],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const demoReady = new Promise((resolve, reject) => {
  let buffered = '';
  demo.stdout.setEncoding('utf8');
  demo.stdout.on('data', (chunk) => {
    buffered += chunk;
    const line = buffered.split('\n').find((l) => l.startsWith('MODELFILE-DEMO-READY '));
    if (line) resolve(JSON.parse(line.slice('MODELFILE-DEMO-READY '.length)));
  });
  demo.once('exit', (code) => reject(new Error(`the demo back end stopped (exit code ${code ?? 'none'})`)));
});

const codeServer = launch(
  join(root, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server'),
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
    stdio: ['ignore', 'pipe', 'pipe'],
    // OLLAMA_MODELS too, so that anything started from the extension host finds the demo models directory.
    env: { ...process.env, XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: xdg, TMPDIR: tmp, OLLAMA_MODELS: modelsDir },
  },
);
// Should this script die without cleaning up (SIGKILL), the demo back end notices its stdin closing and stops
// code-server's group too.
demo.stdin.write(`stop-group ${codeServer.pid}\n`);
demo.stdin.on('error', () => undefined);
const serverReady = new Promise((resolve, reject) => {
  const relay = (stream) => (chunk) => {
    const text = chunk.toString('utf8');
    stream.write(text);
    const match = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text);
    if (match) resolve(match[1]);
  };
  codeServer.stdout.on('data', relay(process.stdout));
  codeServer.stderr.on('data', relay(process.stderr));
  codeServer.once('exit', (code) => reject(new Error(`code-server stopped (exit code ${code ?? 'none'})`)));
});

/** Merges `values` into a settings file, keeping what the user set there unless `override` says otherwise. */
function writeSettings(file, defaults, overrides) {
  let current = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    // first start, or a file VS Code left with comments: start from the defaults
  }
  writeFileSync(file, JSON.stringify({ ...defaults, ...current, ...overrides }, null, 2) + '\n');
}

try {
  const [env, url] = await Promise.all([demoReady, serverReady]);
  // A quiet demo profile (kept between starts with whatever else the user sets) and the demo's models directory and
  // registry (rewritten on every start: the registry's port changes). Machine settings too, because code-server
  // windows are remote windows, where machine-scoped settings come from there.
  const quiet = {
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'security.workspace.trust.enabled': false,
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'git.openRepositoryInParentFolders': 'never',
    'remote.autoForwardPorts': false,
  };
  const demoSettings = {
    'modelfileStudio.modelsDirectory': env.modelsDir,
    'modelfileStudio.insecureRegistries': [env.registryHost],
  };
  writeSettings(join(userData, 'User', 'settings.json'), quiet, demoSettings);
  writeSettings(join(userData, 'Machine', 'settings.json'), {}, demoSettings);

  const link = `${url}?folder=${encodeURIComponent(workspace)}`;
  const mib = (env.modelBytes / (1024 * 1024)).toFixed(0);
  console.log(
    [
      '',
      `Modelfile Studio ${manifest.version} is running in VS Code (ready in ${((Date.now() - started) / 1000).toFixed(1)} s):`,
      '',
      `  ${link}`,
      '',
      `  Workspace:        ${relative(root, workspace)}  (a fresh copy of demo/; see README.md there)`,
      `  Models directory: ${relative(root, env.modelsDir)}  (holds "${env.localModel}")`,
      `  Local registry:   http://${env.registryHost}  ${env.paceMiBPerSecond > 0 ? `(downloads paced to ~${env.paceMiBPerSecond} MiB/s)` : ''}`,
      `  Model to pull:    ${env.pullName}  (${mib} MiB)`,
      '',
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );
} catch (error) {
  if (!stopping) {
    console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
    stop(1);
  }
}

// Either one stopping on its own ends the demo.
demo.once('exit', () => {
  if (!stopping) {
    console.error('npm start: the demo registry stopped; stopping code-server.');
    stop(1);
  }
});
codeServer.once('exit', () => {
  if (!stopping) stop(0);
});
