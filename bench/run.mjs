// Runs the benchmarks in bench/ (all, or those named as arguments, e.g. `npm run bench -- lint`). Each benchmark
// prints its own figures next to a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--tests'], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);
const dir = join(root, 'out', 'bench');
const wanted = process.argv.slice(2);
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.bench.js')) : [];
let failed = false;
for (const file of files.sort()) {
  if (wanted.length > 0 && !wanted.some((w) => file.startsWith(w))) continue;
  console.log(`\n== ${file.replace(/\.bench\.js$/, '')}`);
  const run = spawnSync(process.execPath, ['--expose-gc', join(dir, file)], { stdio: 'inherit', cwd: root });
  if (run.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
