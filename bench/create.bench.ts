// Benchmark: `create` from a 2 GiB GGUF (hash + copy into blobs/, config, manifest) next to the same-run
// baselines `openssl dgst -sha256 FILE && cp FILE DEST` (the goal: ours ≤ 0.8×) and the same followed by
// `sync -f DEST` (what our durability costs: every blob is fsync'd before the manifest that names it appears).
// Our time is also split into phases, from the progress events: before the copy (Modelfile, GGUF header), the
// hash-and-copy loop, the blob's fsync and install, and the rest (config blob, manifest).
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createModel } from '../core/create';
import { writeGguf } from '../test/helpers/gguf-writer';

const SIZE = Number(process.env.BENCH_CREATE_BYTES ?? 2 * 1024 ** 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function makeGguf(path: string): void {
  const header = writeGguf({ kv: [['general.architecture', 'string', 'llama'], ['general.file_type', 'uint32', 15]], tensors: [{ name: 'blk.0.weight', dims: [SIZE / 4] }], dataBytes: 0 });
  const fd = openSync(path, 'w');
  writeSync(fd, header);
  const chunk = Buffer.alloc(64 * 1024 * 1024);
  for (let written = 0; written < SIZE; written += chunk.length) {
    randomFillSync(chunk);
    writeSync(fd, chunk, 0, Math.min(chunk.length, SIZE - written));
  }
  closeSync(fd);
}

function shell(command: string): number {
  const start = performance.now();
  const result = spawnSync('bash', ['-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`baseline failed: ${command}`);
  return performance.now() - start;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Phases {
  /** From the start to the first byte copied: parsing, inspecting the GGUF, locking. */
  before: number;
  /** From the first to the last chunk of the model layer. */
  copy: number;
  /** From the last chunk to the layer being done: the final fsync, verification and rename. */
  install: number;
  /** From the layer being done to the end: config blob, manifest. */
  after: number;
}

/** Runs createModel and splits its time into phases by the model layer's progress events. */
async function timedCreate(modelsDir: string, name: string, dir: string): Promise<{ total: number; phases: Phases }> {
  const start = performance.now();
  let firstCopy: number | undefined;
  let lastCopy: number | undefined;
  let done: number | undefined;
  await createModel({
    modelsDir,
    name,
    modelfile: 'FROM ./model.gguf\n',
    modelfileDir: dir,
    onProgress: (event) => {
      if (event.kind !== 'layer' || event.total < SIZE) return;
      const now = performance.now();
      if (event.state === 'copying' && event.completed > 0) {
        firstCopy ??= now;
        lastCopy = now;
      } else if (event.state === 'done') done ??= now;
    },
  });
  const end = performance.now();
  const first = firstCopy ?? start;
  const last = lastCopy ?? first;
  const layerDone = done ?? last;
  return { total: end - start, phases: { before: first - start, copy: last - first, install: layerDone - last, after: end - layerDone } };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mf-bench-create-'));
  try {
    const source = join(work, 'model.gguf');
    makeGguf(source);
    shell(`cat '${source}' > /dev/null`); // warm the page cache for everyone alike
    const ours: number[] = [];
    const phases: Phases[] = [];
    const plain: number[] = [];
    const synced: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const models = join(work, `models-${run}`);
      const timed = await timedCreate(models, `bench:run${run}`, work);
      ours.push(timed.total);
      phases.push(timed.phases);
      rmSync(models, { recursive: true, force: true });
      const dest = join(work, 'copy.gguf');
      plain.push(shell(`openssl dgst -sha256 '${source}' && cp '${source}' '${dest}'`));
      rmSync(dest, { force: true });
      synced.push(shell(`openssl dgst -sha256 '${source}' && cp '${source}' '${dest}' && sync -f '${dest}'`));
      rmSync(dest, { force: true });
      shell('sync');
    }
    const gib = (SIZE / 1024 ** 3).toFixed(2);
    console.log(`create from a ${gib} GiB GGUF, median of ${RUNS} interleaved runs`);
    console.log(`  ours (hash+copy, fsync, config, manifest)   ${(median(ours) / 1000).toFixed(2)} s`);
    console.log(`  openssl dgst -sha256 && cp                  ${(median(plain) / 1000).toFixed(2)} s   ratio ${(median(ours) / median(plain)).toFixed(2)} (goal <= 0.8)`);
    console.log(`  openssl dgst -sha256 && cp && sync -f       ${(median(synced) / 1000).toFixed(2)} s   ratio ${(median(ours) / median(synced)).toFixed(2)}`);
    const phase = (key: keyof Phases) => `${key} ${(median(phases.map((p) => p[key])) / 1000).toFixed(2)} s`;
    console.log(`  ours by phase (medians): ${phase('before')}, ${phase('copy')}, ${phase('install')}, ${phase('after')}`);
    const each = (values: number[]) => values.map((v) => (v / 1000).toFixed(2)).join(' ');
    console.log(`  each run (s): ours ${each(ours)} | plain ${each(plain)} | synced ${each(synced)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
