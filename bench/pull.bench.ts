// Benchmark: pull and push of a 2 GiB single-layer model against a local docker-registry, next to baselines measured
// in the same run on the same blob: `curl -o FILE <blob URL>` and `curl -o FILE <blob URL> && openssl dgst -sha256
// FILE` for the pull (plus `… && sync FILE && …`, because our pull fsyncs the blob before installing it and curl
// does not), `curl -T FILE <upload URL>?digest=` for the push. Prints medians, throughputs and the ratios (goal: a
// complete verified pull ≤ 0.9 × curl+openssl), the cost of resuming a pull killed (SIGKILL) half way, and push.
// Every timed run starts after an untimed `sync`. `BENCH_SWEEP=1` adds a sweep over streams × part size (how the
// defaults were chosen; BENCH_SWEEP_STREAMS and BENCH_SWEEP_PARTS_MIB, comma-separated, 0 = the default part size);
// `BENCH_SIZE_MIB` and `BENCH_RUNS` change the blob size (default 2048) and the runs per figure (default 3).
// Everything it starts is stopped, and its temp folder removed, on the way out.
import { execFile, spawn } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { request } from 'undici';
import { writeBlobFromBytes, writeManifest } from '../core/cache';
import { encodeManifestBytes } from '../core/json/ollama-json';
import { RegistryClient, type RegistryClientOptions } from '../core/registry/client';
import { pullModel, type PullEvent } from '../core/registry/pull';
import { pushModel } from '../core/registry/push';
import { Cleanup, makeTempDir, startRegistry } from '../test/registry/harness';

const MIB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_SIZE_MIB ?? '2048') * MIB;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? '3'));
const CHILD_ENV = 'MODELFILE_BENCH_PULL_CHILD';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const gbps = (bytes: number, ms: number): string => `${(bytes / 1e9 / (ms / 1000)).toFixed(2)} GB/s`;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function row(label: string, times: number[], bytes = SIZE): string {
  const m = median(times);
  return `${label.padEnd(44)} ${secs(m).padStart(8)}  ${gbps(bytes, m).padStart(10)}   runs: ${times.map((t) => (t / 1000).toFixed(2)).join(' ')}`;
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** A file of `size` random bytes; returns its digest. */
function randomFile(path: string, size: number): string {
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(64 * MIB);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; ) {
      const n = Math.min(chunk.length, size - written);
      randomFillSync(chunk, 0, n);
      hash.update(chunk.subarray(0, n));
      for (let off = 0; off < n; ) off += writeSync(fd, chunk, off, n - off);
      written += n;
    }
  } finally {
    closeSync(fd);
  }
  return `sha256:${hash.digest('hex')}`;
}

const execFileAsync = promisify(execFile);

/** Runs a shell line without blocking this process (it also drains the registry's log pipe). */
async function sh(script: string): Promise<void> {
  await execFileAsync('bash', ['-c', script], { maxBuffer: 1024 * 1024 });
}

/** In a child process: pull, printing completed bytes as they grow (the parent kills it half way). */
async function childPull(): Promise<void> {
  const { name, modelsDir, host } = JSON.parse(process.env[CHILD_ENV] ?? '{}') as { name: string; modelsDir: string; host: string };
  const client = new RegistryClient({ insecureHosts: [host] });
  await pullModel(name, {
    modelsDir,
    client,
    onProgress: (e) => {
      if (e.type === 'layer' && e.total > MIB) process.stdout.write(`${e.completed}\n`);
    },
  });
  await client.close();
}

/** Runs a pull in a child process; with `killAt`, SIGKILLs it once that many bytes have arrived. Returns ms. */
function pullInChild(env: { name: string; modelsDir: string; host: string }, killAt?: number): Promise<{ ms: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [__filename], { env: { ...process.env, [CHILD_ENV]: JSON.stringify(env) }, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      if (killAt !== undefined && lines.some((l) => Number(l) >= killAt)) child.kill('SIGKILL');
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const ms = performance.now() - t0;
      if (signal === 'SIGKILL') resolve({ ms, killed: true });
      else if (code === 0) resolve({ ms, killed: false });
      else reject(new Error(`child pull exited with ${code}`));
    });
  });
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  const stop = (): void => {
    void cleanup.run().then(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  try {
    const temp = makeTempDir('modelfile-bench-pull-');
    cleanup.add(() => temp.remove());
    const registry = await startRegistry();
    cleanup.add(() => registry.stop());
    const host = registry.host;
    const clientOptions: RegistryClientOptions = { insecureHosts: [host] };

    console.log(`blob: ${SIZE / MIB} MiB of random data; ${RUNS} run(s) per figure; docker-registry on ${host}`);
    const source = join(temp.path, 'source.bin');
    const digest = randomFile(source, SIZE);

    // The local model that push sends: the random file hard-linked in as its blob.
    const localModels = join(temp.path, 'local-models');
    mkdirSync(join(localModels, 'blobs'), { recursive: true });
    linkSync(source, join(localModels, 'blobs', digest.replace(':', '-')));
    const config = await writeBlobFromBytes(localModels, Buffer.from('{"model_format":"gguf","model_family":"bench","architecture":"amd64","os":"linux"}\n'));
    const manifest = encodeManifestBytes({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: config.digest, size: config.size },
      layers: [{ mediaType: 'application/vnd.ollama.image.model', digest, size: SIZE }],
    });

    // The model the pulls fetch, pushed once (not timed).
    const name = `${host}/bench/model:latest`;
    await writeManifest(localModels, name, manifest);
    const seeder = new RegistryClient(clientOptions);
    await pushModel(name, { modelsDir: localModels, client: seeder });
    await seeder.close();

    // ---- pull: ours (fresh models directory each run) vs curl -o, curl -o + openssl dgst, curl -o + sync + openssl
    // Every timed run starts after an untimed `sync`, so that nobody waits for someone else's dirty pages.
    const blobUrl = `${registry.url}/v2/bench/model/blobs/${digest}`;
    const target = join(temp.path, 'curl.bin');
    const pullOurs: number[] = [];
    /** Of each of our pulls: the time after the last byte arrived (hash tail, fsync, install, manifest). */
    const pullTails: number[] = [];
    const curlOnly: number[] = [];
    const curlSsl: number[] = [];
    const curlSyncSsl: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const modelsDir = join(temp.path, `pull-${i}`);
      const client = new RegistryClient(clientOptions);
      await sh('sync');
      let transferred = 0;
      const t0 = performance.now();
      const onProgress = (e: PullEvent): void => {
        if (e.type === 'layer' && e.state === 'verifying' && e.total === SIZE) transferred = performance.now();
      };
      pullOurs.push(await timed(() => pullModel(name, { modelsDir, client, onProgress })));
      pullTails.push(t0 + pullOurs[pullOurs.length - 1] - transferred);
      await client.close();
      rmSync(modelsDir, { recursive: true, force: true });
      await sh('sync');
      curlOnly.push(await timed(() => sh(`curl -sSf -o '${target}' '${blobUrl}'`)));
      rmSync(target, { force: true });
      await sh('sync');
      curlSsl.push(await timed(() => sh(`curl -sSf -o '${target}' '${blobUrl}' && openssl dgst -sha256 '${target}'`)));
      rmSync(target, { force: true });
      await sh('sync');
      curlSyncSsl.push(await timed(() => sh(`curl -sSf -o '${target}' '${blobUrl}' && sync '${target}' && openssl dgst -sha256 '${target}'`)));
      rmSync(target, { force: true });
    }

    console.log('\npull (complete: manifest, parallel ranged parts, SHA-256 verified, fsynced, installed, manifest written)');
    console.log(row('ours: pullModel (default streams/part size)', pullOurs));
    console.log(`  of which after the last byte arrived (hash tail, fsync, install): ${pullTails.map((t) => (t / 1000).toFixed(2)).join(' ')} s`);
    console.log(row('curl -o FILE', curlOnly));
    console.log(row('curl -o FILE && openssl dgst -sha256 FILE', curlSsl));
    console.log(row('curl -o FILE && sync FILE && openssl dgst', curlSyncSsl));
    console.log(`ratio ours / (curl + openssl):        ${(median(pullOurs) / median(curlSsl)).toFixed(2)}   (goal ≤ 0.9)`);
    console.log(`ratio ours / (curl + sync + openssl): ${(median(pullOurs) / median(curlSyncSsl)).toFixed(2)}   (both durable)`);
    console.log(`ratio ours / curl alone:              ${(median(pullOurs) / median(curlOnly)).toFixed(2)}`);

    // ---- resume: SIGKILL at ~50 %, resume; against a clean pull, both in a child process ---------------------------
    await sh('sync');
    const clean = await pullInChild({ name, modelsDir: join(temp.path, 'clean'), host });
    rmSync(join(temp.path, 'clean'), { recursive: true, force: true });
    const resumeDir = join(temp.path, 'resume');
    await sh('sync');
    const first = await pullInChild({ name, modelsDir: resumeDir, host }, SIZE / 2);
    const second = await pullInChild({ name, modelsDir: resumeDir, host });
    rmSync(resumeDir, { recursive: true, force: true });
    console.log('\nresume (child processes; SIGKILL once half the blob has arrived, then the same pull again)');
    console.log(`clean pull:                   ${secs(clean.ms)}`);
    console.log(`killed at 50 % + resumed:     ${secs(first.ms)} + ${secs(second.ms)} = ${secs(first.ms + second.ms)}${first.killed ? '' : ' (the first pull finished before the kill!)'}`);
    console.log(`overhead of the interruption: ${(((first.ms + second.ms) / clean.ms - 1) * 100).toFixed(0)} %`);

    if (process.env.BENCH_SWEEP === '1') {
      // Round-robin over the settings, RUNS times, so that a change in machine load hits every setting alike.
      console.log(`\nsweep: streams × part size, ${RUNS} round(s) in turn; medians (ratios against curl+openssl / curl+sync+openssl)`);
      const settings: Array<{ streams: number; partSize: number | undefined }> = [];
      const list = (text: string | undefined, fallback: string): number[] => (text ?? fallback).split(',').map(Number);
      for (const parts of list(process.env.BENCH_SWEEP_PARTS_MIB, '0,64,256')) {
        for (const streams of list(process.env.BENCH_SWEEP_STREAMS, '2,4,8,16')) settings.push({ streams, partSize: parts > 0 ? parts * MIB : undefined });
      }
      const times = settings.map((): number[] => []);
      for (let round = 0; round < RUNS; round++) {
        for (const [i, { streams, partSize }] of settings.entries()) {
          const modelsDir = join(temp.path, 'sweep');
          const client = new RegistryClient({ ...clientOptions, streams, partSize });
          await sh('sync');
          times[i].push(await timed(() => pullModel(name, { modelsDir, client })));
          await client.close();
          rmSync(modelsDir, { recursive: true, force: true });
        }
      }
      for (const [i, { streams, partSize }] of settings.entries()) {
        const ms = median(times[i]);
        const label = `streams ${String(streams).padStart(2)}, part ${partSize ? `${partSize / MIB} MiB` : 'default'}`;
        console.log(`${label.padEnd(32)} ${secs(ms).padStart(8)}  ${gbps(SIZE, ms).padStart(10)}  ratio ${(ms / median(curlSsl)).toFixed(2)} / ${(ms / median(curlSyncSsl)).toFixed(2)}`);
      }
    }

    // ---- push: ours (one fresh repository per run) vs curl -T to an upload URL -----------------------------------
    const pushOurs: number[] = [];
    const pushCurl: number[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const target = `${host}/bench/push-${i}:latest`;
      await writeManifest(localModels, target, manifest);
      const client = new RegistryClient(clientOptions);
      await sh('sync');
      pushOurs.push(await timed(() => pushModel(target, { modelsDir: localModels, client })));
      await client.close();
      await sh('sync');
      pushCurl.push(
        await timed(async () => {
          const start = await request(`${registry.url}/v2/bench/curl-${i}/blobs/uploads/`, { method: 'POST' });
          await start.body.dump();
          const location = new URL(String(start.headers.location), registry.url);
          location.searchParams.set('digest', digest);
          await sh(`curl -sSf -T '${source}' -H 'Content-Type: application/octet-stream' '${location.href}'`);
        }),
      );
    }
    console.log('\npush (HEAD, upload session, ordered PATCH parts + PUT ?digest=, manifest)');
    console.log(row('ours: pushModel (default part size)', pushOurs));
    console.log(row('curl -T FILE <upload URL>?digest=', pushCurl));
    console.log(`ratio ours / curl -T:          ${(median(pushOurs) / median(pushCurl)).toFixed(2)}`);
  } finally {
    process.removeListener('SIGINT', stop);
    await cleanup.run();
  }
}

if (process.env[CHILD_ENV]) {
  childPull().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
