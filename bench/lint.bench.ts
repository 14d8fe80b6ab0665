// Benchmark: lint a 10,000-line Modelfile and a folder of 1,000 Modelfiles, next to dockerfile-utils (the
// validator behind the Dockerfile language server) on Dockerfiles of the same size and instruction count,
// measured in the same run. Prints medians and the ratio ours/theirs (goal ≤ 0.5).
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseModelfile } from '../core/modelfile';
import { lintModelfile, nodeLintHost } from '../core/lint';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dockerfileUtils = require('dockerfile-utils') as { validate(content: string, settings?: object): unknown[] };

function modelfileLines(count: number, seed: number): string[] {
  const lines = ['FROM llama3.2:latest'];
  const params = ['temperature 0.7', 'top_p 0.9', 'top_k 40', 'num_ctx 8192', 'stop "<|eot_id|>"', 'repeat_penalty 1.1', 'seed 42'];
  for (let i = 1; i < count; i++) {
    switch ((i + seed) % 5) {
      case 0:
        lines.push(`PARAMETER ${params[i % params.length]}`);
        break;
      case 1:
        lines.push(`MESSAGE user What is item number ${i} in the list of things to do today?`);
        break;
      case 2:
        lines.push(`MESSAGE assistant Item ${i} is to write the report and send it before noon.`);
        break;
      case 3:
        lines.push(`# note ${i}: keep this example short and clear for the reader`);
        break;
      default:
        lines.push(`LICENSE "Licensed for evaluation, entry ${i}"`);
    }
  }
  return lines;
}

/** A Dockerfile with the same number of lines and instructions, of similar line lengths. */
function dockerfileLines(count: number, seed: number): string[] {
  const lines = ['FROM debian:bookworm'];
  for (let i = 1; i < count; i++) {
    switch ((i + seed) % 5) {
      case 0:
        lines.push(`ENV SETTING_${i}=value${i}`);
        break;
      case 1:
        lines.push(`LABEL item${i}="What is item number ${i} in the list of things to do today"`);
        break;
      case 2:
        lines.push(`RUN echo "Item ${i} is to write the report and send it before noon"`);
        break;
      case 3:
        lines.push(`# note ${i}: keep this example short and clear for the reader`);
        break;
      default:
        lines.push(`EXPOSE ${1000 + (i % 60000)}`);
    }
  }
  return lines;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn: () => void, runs: number): number {
  fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

const host = nodeLintHost();
function lintText(text: string, dir: string): number {
  return lintModelfile(parseModelfile(text), { modelfileDir: dir, host }).length;
}

const work = mkdtempSync(join(tmpdir(), 'mf-bench-lint-'));
try {
  const bigModelfile = modelfileLines(10_000, 0).join('\n') + '\n';
  const bigDockerfile = dockerfileLines(10_000, 0).join('\n') + '\n';
  const oursBig = time(() => lintText(bigModelfile, work), 15);
  const theirsBig = time(() => dockerfileUtils.validate(bigDockerfile), 15);

  const modelDir = join(work, 'modelfiles');
  const dockerDir = join(work, 'dockerfiles');
  mkdirSync(modelDir);
  mkdirSync(dockerDir);
  for (let i = 0; i < 1000; i++) {
    writeFileSync(join(modelDir, `m${i}.modelfile`), modelfileLines(30, i).join('\n') + '\n');
    writeFileSync(join(dockerDir, `d${i}.Dockerfile`), dockerfileLines(30, i).join('\n') + '\n');
  }
  const oursFolder = time(() => {
    for (const name of readdirSync(modelDir)) lintText(readFileSync(join(modelDir, name), 'utf8'), modelDir);
  }, 7);
  const theirsFolder = time(() => {
    for (const name of readdirSync(dockerDir)) dockerfileUtils.validate(readFileSync(join(dockerDir, name), 'utf8'));
  }, 7);

  const row = (label: string, ours: number, theirs: number) =>
    `${label.padEnd(34)} ours ${ours.toFixed(2).padStart(8)} ms   dockerfile-utils ${theirs.toFixed(2).padStart(8)} ms   ratio ${(ours / theirs).toFixed(3)}`;
  console.log('lint benchmark (median of runs, same machine, same run)');
  console.log(row('10,000-line file', oursBig, theirsBig));
  console.log(row('folder of 1,000 files (30 lines)', oursFolder, theirsFolder));
  console.log(`goal: ratio <= 0.5 — ${oursBig / theirsBig <= 0.5 && oursFolder / theirsFolder <= 0.5 ? 'met' : 'NOT met'}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
