// Runs the whole test suite (or the files/folders given as arguments) with Node's built-in test runner:
// builds the bundles and the test files first, then executes out/test/**/*.test.js.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const requested = process.argv.slice(2).filter((a) => !a.startsWith('--'));
// A targeted run builds only the named tests; the shipped bundles too unless every target is a unit test.
const buildArgs = [join(root, 'scripts', 'build.mjs'), '--tests'];
if (requested.length > 0) {
  buildArgs.push(`--only=${requested.map((r) => relative(root, resolve(root, r))).join(',')}`);
  if (!requested.every((r) => relative(root, resolve(root, r)).startsWith('test/unit'))) buildArgs.push('--with-dist');
}
// The registry, Neovim and VS Code tests need Debian packages; install them when missing (a no-op afterwards).
const needsSystem = requested.length === 0 || requested.some((r) => !relative(root, resolve(root, r)).startsWith('test/unit'));
if (needsSystem && process.env.MODELFILE_SKIP_SETUP !== '1') {
  const setup = spawnSync('bash', [join(root, 'scripts', 'setup-system.sh')], { stdio: 'inherit' });
  if (setup.status !== 0) {
    console.error('Installing the Debian packages the tests need failed; run `bash scripts/setup-system.sh` as root and try again.');
    process.exit(setup.status ?? 1);
  }
}
const built = spawnSync(process.execPath, buildArgs, { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

function findTests(dir) {
  if (!existsSync(dir)) return [];
  if (!statSync(dir).isDirectory()) return dir.endsWith('.test.js') ? [dir] : [];
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => findTests(join(dir, entry)));
}

// Arguments name test sources (test/unit/names.test.ts) or folders (test/unit); default: every level.
const targets = requested.length > 0 ? requested : ['test'];
const files = targets.flatMap((target) => {
  const rel = relative(root, resolve(root, target)).replace(/\.ts$/, '.js');
  return findTests(join(root, 'out', rel));
});
if (files.length === 0) {
  console.error(`No test files found for: ${targets.join(', ')}`);
  process.exit(1);
}

const run = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, MODELFILE_STUDIO_ROOT: root } },
);
process.exit(run.status ?? 1);
