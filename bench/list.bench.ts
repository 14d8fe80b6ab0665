// Benchmark: `list` of 2,000 models next to the same-run baseline of reading every manifest file with `cat`
// (goal: ours ≤ 3×). Models share a few config and GGUF blobs, as tags of real models do. Reports the first list
// (no summary cache yet) and later ones (configs and GGUF headers cached by digest).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { listModels } from '../core/cache';
import { clearSummaryMemory } from '../core/cache/summaries';
import { writeGguf } from '../test/helpers/gguf-writer';

const MODELS = 2000;
const RUNS = 7;

function blob(models: string, bytes: Uint8Array | string): { digest: string; size: number } {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const hex = createHash('sha256').update(data).digest('hex');
  writeFileSync(join(models, 'blobs', `sha256-${hex}`), data);
  return { digest: `sha256:${hex}`, size: data.length };
}

function populate(models: string): string[] {
  mkdirSync(join(models, 'blobs'), { recursive: true });
  const families = ['llama', 'qwen2', 'gemma3', 'phi3'];
  const bases = families.map((arch, i) => ({
    gguf: blob(models, writeGguf({ kv: [['general.architecture', 'string', arch], ['general.file_type', 'uint32', 15], [`${arch}.context_length`, 'uint32', 4096 * (i + 1)]], tensors: [{ name: 'w', dims: [64, 64] }] })),
    config: blob(models, `{"model_format":"gguf","model_family":"${arch}","model_families":["${arch}"],"model_type":"8.0B","file_type":"Q4_K_M","architecture":"amd64","os":"linux"}\n`),
    template: blob(models, `{{ .System }} {{ .Prompt }} ${arch}`),
  }));
  const paths: string[] = [];
  for (let i = 0; i < MODELS; i++) {
    const base = bases[i % bases.length];
    const params = blob(models, `{"temperature":${(i % 10) / 10},"num_ctx":${2048 + i}}\n`);
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...base.config },
      layers: [
        { mediaType: 'application/vnd.ollama.image.model', ...base.gguf },
        { mediaType: 'application/vnd.ollama.image.template', ...base.template },
        { mediaType: 'application/vnd.ollama.image.params', ...params },
      ],
    });
    const dir = join(models, 'manifests', 'registry.ollama.ai', `team${i % 20}`, `model${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest'), manifest + '\n');
    paths.push(join(dir, 'latest'));
  }
  return paths;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mf-bench-list-'));
  try {
    const models = join(work, 'models');
    populate(models);
    const catCommand = `find '${join(models, 'manifests')}' -type f -exec cat {} + > /dev/null`;
    const cat = (): number => {
      const start = performance.now();
      spawnSync('bash', ['-c', catCommand], { stdio: 'ignore' });
      return performance.now() - start;
    };
    cat();
    const cli = join(process.cwd(), 'dist', 'cli.js');
    const cliList = (): number => {
      const start = performance.now();
      const result = spawnSync(process.execPath, [cli, 'list', '--json', '--models', models], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
      if (result.status !== 0) throw new Error('modelfile list failed');
      return performance.now() - start;
    };
    const processes: number[] = [];
    const first: number[] = [];
    const warm: number[] = [];
    const cats: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      rmSync(join(models, '.modelfile-studio'), { recursive: true, force: true });
      clearSummaryMemory();
      let start = performance.now();
      const result = await listModels(models);
      first.push(performance.now() - start);
      if (result.models.length !== MODELS) throw new Error(`listed ${result.models.length} of ${MODELS}`);
      clearSummaryMemory();
      start = performance.now();
      await listModels(models);
      warm.push(performance.now() - start);
      cats.push(cat());
      processes.push(cliList());
    }
    const c = median(cats);
    console.log(`list of ${MODELS} models, median of ${RUNS} interleaved runs`);
    console.log(`  cat of every manifest (find -exec cat)          ${c.toFixed(1)} ms`);
    console.log(`  list, later runs (summaries cached on disk)     ${median(warm).toFixed(1)} ms   ratio ${(median(warm) / c).toFixed(2)} (goal <= 3)`);
    console.log(`  list, first run (no summary cache)              ${median(first).toFixed(1)} ms   ratio ${(median(first) / c).toFixed(2)}`);
    console.log(`  modelfile list --json, a new process each time  ${median(processes).toFixed(1)} ms   ratio ${(median(processes) / c).toFixed(2)} (includes Node start-up)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
