// Tests for the models-directory lock and blob pins, including real concurrent processes: several Node processes
// run cp/rm/prune/create loops against one models directory, and afterwards every manifest's blobs must exist,
// no temp file or lock may be left, and critical sections must never have overlapped.
// This file doubles as the child program: with MFS_CACHE_CHILD set it runs one worker loop instead of tests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  CacheBusy,
  acquireCacheLock,
  blobExists,
  collectReferences,
  copyModel,
  livePinnedDigests,
  lockFilePath,
  pinBlobs,
  prune,
  removeModel,
  withCacheLock,
  writeBlobFromBytes,
  writeManifest,
} from '../../core/cache';
import { ModelNotFound } from '../../core/errors';
import { MODEL, SYSTEM, manifestBytes, putConfig, putModel, tempModelsDir } from '../helpers/cache-fixtures';

interface ChildTask {
  role: 'section' | 'copier' | 'remover' | 'pruner' | 'creator';
  dir: string;
  id: number;
  iterations: number;
  log?: string;
}

/** A process that has already exited: its pid is (almost certainly) not alive. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

function writeLock(dir: string, content: string, mtime?: Date): string {
  const path = lockFilePath(dir);
  mkdirSync(join(dir, '.modelfile-studio'), { recursive: true });
  writeFileSync(path, content);
  if (mtime) utimesSync(path, mtime, mtime);
  return path;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function runChild(task: ChildTask): Promise<void> {
  const { dir, id } = task;
  for (let i = 0; i < task.iterations; i++) {
    switch (task.role) {
      case 'section':
        await withCacheLock(dir, { op: 'test', timeoutMs: 60_000 }, async () => {
          appendFileSync(task.log ?? '', `enter ${id}\n`);
          await sleep(2);
          appendFileSync(task.log ?? '', `exit ${id}\n`);
        });
        break;
      case 'copier':
        await copyModel(dir, 'base', `copy-${id}:v${i}`, { timeoutMs: 60_000 });
        if (i > 0) await removeModel(dir, `copy-${id}:v${i - 1}`, { timeoutMs: 60_000 });
        break;
      case 'remover':
        // Removes whatever the creators made; a model may already be gone.
        for (const tag of [i, i - 1]) {
          await removeModel(dir, `made-${id}:t${tag}`, { timeoutMs: 60_000 }).catch((e: unknown) => {
            if (!(e instanceof ModelNotFound)) throw e;
          });
        }
        break;
      case 'pruner':
        await prune(dir, { olderThanMs: 0, timeoutMs: 60_000 });
        break;
      case 'creator': {
        // What create does: pin, write (or reuse) blobs, write the manifest, unpin. The system layer is shared
        // between all creators and iterations, so removers and pruners keep trying to delete it.
        const system = new TextEncoder().encode('shared system prompt');
        const weights = new TextEncoder().encode(`GGUF weights ${id} ${i}`);
        const config = new TextEncoder().encode(`{"model_format":"gguf","n":${i}}\n`);
        const digests = [system, weights, config].map((b) => `sha256:${createHash('sha256').update(b).digest('hex')}`);
        const pin = await pinBlobs(dir, digests, { timeoutMs: 60_000 });
        try {
          const s = await writeBlobFromBytes(dir, system);
          const w = await writeBlobFromBytes(dir, weights);
          const c = await writeBlobFromBytes(dir, config);
          const bytes = manifestBytes(
            { mediaType: 'application/vnd.docker.container.image.v1+json', digest: c.digest, size: c.size },
            [
              { mediaType: MODEL, digest: w.digest, size: w.size },
              { mediaType: SYSTEM, digest: s.digest, size: s.size },
            ],
          );
          await writeManifest(dir, `made-${id % 2}:t${i}`, bytes, { timeoutMs: 60_000 });
        } finally {
          await pin.release();
        }
        break;
      }
    }
  }
}

function startChild(task: ChildTask): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [__filename], {
      env: { ...process.env, MFS_CACHE_CHILD: JSON.stringify(task) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

/** Every valid manifest's blobs exist, nothing half-written is left, the lock is free. */
async function assertConsistent(dir: string): Promise<void> {
  const refs = await collectReferences(dir);
  for (const m of refs.manifests) {
    for (const layer of [...(m.config ? [m.config] : []), ...m.layers]) {
      assert.ok(await blobExists(dir, layer.digest, layer.size), `${m.shortName} lost ${layer.digest}`);
    }
  }
  assert.deepEqual(refs.warnings, [], 'no stray files below manifests/');
  assert.deepEqual(readdirSync(join(dir, 'blobs')).filter((n) => !/^sha256-[0-9a-f]{64}$/.test(n)), [], 'no temp files');
  assert.equal(existsSync(lockFilePath(dir)), false, 'lock released');
  assert.deepEqual(readdirSync(join(dir, '.modelfile-studio', 'pins')), [], 'pins released');
}

if (process.env.MFS_CACHE_CHILD) {
  runChild(JSON.parse(process.env.MFS_CACHE_CHILD) as ChildTask).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
} else {
  describe('the models-directory lock', () => {
    it('is a file holding pid, host, operation and time, removed on release', async () => {
      const { dir, cleanup } = tempModelsDir();
      try {
        const lock = await acquireCacheLock(dir, { op: 'prune' });
        const info = JSON.parse(readFileSync(lockFilePath(dir), 'utf8')) as Record<string, unknown>;
        assert.equal(info.pid, process.pid);
        assert.equal(info.host, hostname());
        assert.equal(info.op, 'prune');
        assert.ok(typeof info.since === 'string' && !Number.isNaN(Date.parse(info.since)));
        await lock.release();
        await lock.release();
        assert.equal(existsSync(lockFilePath(dir)), false);
      } finally {
        cleanup();
      }
    });

    it('makes a second taker wait, then fail with CacheBusy naming the holder', async () => {
      const { dir, cleanup } = tempModelsDir();
      try {
        const lock = await acquireCacheLock(dir, { op: 'rm' });
        await assert.rejects(
          acquireCacheLock(dir, { timeoutMs: 150 }),
          (e: unknown) => e instanceof CacheBusy && e.message.includes(`process ${process.pid} (rm since`) && !e.message.includes(dir),
        );
        const waiting = acquireCacheLock(dir, { timeoutMs: 5000 });
        setTimeout(() => void lock.release(), 100);
        await (await waiting).release();
      } finally {
        cleanup();
      }
    });

    it('breaks a lock whose holder is dead, or whose heartbeat stopped', async () => {
      const { dir, cleanup } = tempModelsDir();
      try {
        writeLock(dir, JSON.stringify({ pid: deadPid(), host: hostname(), op: 'rm', since: '', token: 'x' }));
        await (await acquireCacheLock(dir, { timeoutMs: 100 })).release();
        const old = new Date(Date.now() - 10 * 60_000);
        writeLock(dir, JSON.stringify({ pid: process.pid, host: hostname(), op: 'rm', since: '', token: 'y' }), old);
        await (await acquireCacheLock(dir, { timeoutMs: 100 })).release();
        writeLock(dir, JSON.stringify({ pid: 1, host: 'another-host', op: 'rm', since: '', token: 'z' }), old);
        await (await acquireCacheLock(dir, { timeoutMs: 100 })).release();
        writeLock(dir, '', old);
        await (await acquireCacheLock(dir, { timeoutMs: 100 })).release();
      } finally {
        cleanup();
      }
    });

    it('respects a fresh lock of a live holder on another host, and a lock being written', async () => {
      const { dir, cleanup } = tempModelsDir();
      try {
        writeLock(dir, JSON.stringify({ pid: 1, host: 'another-host', op: 'pull', since: '', token: 'z' }));
        await assert.rejects(acquireCacheLock(dir, { timeoutMs: 100 }), CacheBusy);
        writeLock(dir, '');
        await assert.rejects(acquireCacheLock(dir, { timeoutMs: 100 }), CacheBusy);
      } finally {
        cleanup();
      }
    });

    it('keeps a held lock fresh with a heartbeat', async () => {
      const { dir, cleanup } = tempModelsDir();
      try {
        const lock = await acquireCacheLock(dir, { staleMs: 1000 });
        await sleep(1600);
        await assert.rejects(acquireCacheLock(dir, { staleMs: 1000, timeoutMs: 100 }), CacheBusy);
        await lock.release();
      } finally {
        cleanup();
      }
    });

    it('ignores and cleans up pins of dead processes', async () => {
      const { dir, cleanup } = tempModelsDir();
      try {
        const pin = await pinBlobs(dir, ['sha256:' + 'a'.repeat(64)]);
        await pin.add(['sha256:' + 'b'.repeat(64)]);
        mkdirSync(join(dir, '.modelfile-studio', 'pins'), { recursive: true });
        writeFileSync(
          join(dir, '.modelfile-studio', 'pins', `${deadPid()}-x.json`),
          JSON.stringify({ pid: deadPid(), host: hostname(), since: '', digests: ['sha256:' + 'c'.repeat(64)] }),
        );
        const live = await livePinnedDigests(dir);
        assert.deepEqual([...live].sort(), ['sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64)]);
        assert.equal(readdirSync(join(dir, '.modelfile-studio', 'pins')).length, 1);
        await pin.release();
        assert.equal((await livePinnedDigests(dir)).size, 0);
      } finally {
        cleanup();
      }
    });
  });

  describe('concurrent processes on one models directory', () => {
    it('never overlap inside the lock', async () => {
      const { dir, cleanup } = tempModelsDir();
      try {
        const log = join(dir, 'sections.log');
        writeFileSync(log, '');
        const results = await Promise.all([1, 2, 3].map((id) => startChild({ role: 'section', dir, id, iterations: 25, log })));
        for (const r of results) assert.equal(r.code, 0, r.stderr);
        const lines = readFileSync(log, 'utf8').trim().split('\n');
        assert.equal(lines.length, 150);
        for (let i = 0; i < lines.length; i += 2) {
          const id = lines[i].split(' ')[1];
          assert.equal(lines[i], `enter ${id}`);
          assert.equal(lines[i + 1], `exit ${id}`, `section ${i / 2} overlapped`);
        }
      } finally {
        cleanup();
      }
    });

    it('cp, rm, prune and create running at once leave a consistent directory', async () => {
      const { dir, cleanup } = tempModelsDir();
      try {
        putModel(dir, 'registry.ollama.ai/library/base/latest', {
          layers: [],
          config: { model_type: '1B' },
        });
        putConfig(dir); // an unreferenced blob for the pruners
        const tasks: ChildTask[] = [
          { role: 'copier', dir, id: 1, iterations: 12 },
          { role: 'copier', dir, id: 2, iterations: 12 },
          { role: 'creator', dir, id: 0, iterations: 12 },
          { role: 'creator', dir, id: 1, iterations: 12 },
          { role: 'remover', dir, id: 0, iterations: 12 },
          { role: 'remover', dir, id: 1, iterations: 12 },
          { role: 'pruner', dir, id: 0, iterations: 12 },
        ];
        const results = await Promise.all(tasks.map((t) => startChild(t)));
        for (const [i, r] of results.entries()) assert.equal(r.code, 0, `${tasks[i].role}: ${r.stderr}`);
        await assertConsistent(dir);
        const names = (await collectReferences(dir)).manifests.map((m) => m.shortName).sort();
        assert.ok(names.includes('base:latest'));
        assert.ok(names.includes('copy-1:v11') && names.includes('copy-2:v11'));
        assert.ok(!names.some((n) => /^copy-\d:v([0-9]|10)$/.test(n)), `old copies removed: ${names.join(', ')}`);
      } finally {
        cleanup();
      }
    });
  });
}
