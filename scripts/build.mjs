// Bundles the three shipped entry points (extension, language server, CLI) with esbuild, and — with --tests —
// every test file and benchmark into out/ so that Node's own test runner can execute them.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, statSync, chmodSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const withTests = process.argv.includes('--tests');
// --only=a,b: build just these test sources (and no shipped bundle unless --with-dist), for quick targeted runs.
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice('--only='.length).split(',').filter(Boolean) : undefined;
const withDist = !only || process.argv.includes('--with-dist');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  define: { __VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
  absWorkingDir: root,
};

const shipped = [
  { in: 'client/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  { in: 'server/main.ts', out: 'dist/server.js', external: [] },
  { in: 'cli/main.ts', out: 'dist/cli.js', external: [], banner: '#!/usr/bin/env node' },
];

/** Lists files below dir (recursively) whose names end with suffix. */
function findFiles(dir, suffix) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...findFiles(full, suffix));
    else if (entry.endsWith(suffix)) found.push(full);
  }
  return found;
}

const jobs = [];
for (const entry of withDist ? shipped : []) {
  if (!existsSync(join(root, entry.in))) continue;
  jobs.push(
    build({
      ...common,
      entryPoints: [entry.in],
      outfile: entry.out,
      external: entry.external,
      banner: entry.banner ? { js: entry.banner } : undefined,
    }).then(() => {
      if (entry.banner) chmodSync(join(root, entry.out), 0o755);
    }),
  );
}

// --demo: the back end of `npm start` (scripts/demo-env.ts → out/scripts/demo-env.js; it bundles test helpers, so
// it stays out of dist/).
if (process.argv.includes('--demo')) {
  jobs.push(build({ ...common, entryPoints: ['scripts/demo-env.ts'], outfile: join('out', 'scripts', 'demo-env.js') }));
}

if (withTests) {
  const testEntries = [
    ...findFiles(join(root, 'test'), '.test.ts'),
    ...findFiles(join(root, 'test', 'e2e', 'suite'), '.ts'),
    ...findFiles(join(root, 'bench'), '.bench.ts'),
  ];
  for (const file of testEntries) {
    if (only && !only.some((prefix) => relative(root, file).startsWith(prefix))) continue;
    const rel = relative(root, file).replace(/\.ts$/, '.js');
    jobs.push(
      build({
        ...common,
        sourcemap: 'inline',
        entryPoints: [file],
        outfile: join('out', rel),
        // vscode exists only inside the extension host; playwright-core and the benchmark peers load their own files.
        external: ['vscode', 'playwright-core', 'mocha', 'dockerfile-utils', 'dockerfile-language-server-nodejs'],
      }),
    );
  }
}

await Promise.all(jobs);
