// Pull (spec §5.3, DESIGN "How data flows"): resolve the manifest → pin its blobs → for each missing blob a ranged,
// parallel, resumable download into a private partial file (`<models>/.modelfile-studio/partials/`) — for blobs of
// 1 MiB and more the blob's URL is resolved once and a worker thread fetches the parts from it (range-writer.ts) —, hashed in
// order as the data arrives (on a worker thread for large blobs) → verify size and digest → move into `blobs/` → write the manifest bytes exactly as
// received, last → remove the previous version's now-unused blobs. A cancelled or failed pull leaves the partial
// and its state file; the next pull resumes them. The state is saved every 4 MiB without waiting for the disk:
// exact after a crash or kill (the page cache survives), possibly ahead of the disk after a power loss — which the
// digest check at the end catches (a re-download, never a corrupt blob). Writeback is started beside the transfer,
// and the blob is fsynced before it is installed, so a manifest never names a blob that is not durable. Before any
// download the free space of the models directory is compared with what is still missing (so an absurd layer size
// is refused before anything is allocated), and a file system that fills up during the transfer is reported as
// DiskFull, not as a network problem.
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Cancelled, DigestMismatch, Incomplete, NameInvalid, StudioError } from '../errors';
import {
  blobExists,
  installBlobFile,
  manifestDigests,
  parseManifest,
  partialsDir,
  pinBlobs,
  processAlive,
  removeOrphanedBlobs,
  SizeMismatch,
  touchBlob,
  writeBlobFromBytes,
  writeManifest,
  type ParsedManifest,
} from '../cache';
import type { ManifestLayer } from '../json/ollama-json';
import { digestToFileName, displayShortest, parseReference, type NameReference, type ParsedName } from '../names';
import { sleep } from './body';
import type { RegistryClient, RegistryRepository } from './client';
import { DiskFull, RegistryError, Stalled, TransportError, isTemporary } from './errors';
import { defaultDownloadPartSize, planParts } from './parts';
import { RangeRefused, RangeWriter, type DirectTarget } from './range-writer';

/** What to pull: `[scheme://]name[@digest]` text, a checked reference, or a parsed name. */
export type PullTarget = string | NameReference | ParsedName;

/** Progress, as one typed stream. `status` strings are Ollama's own. */
export type PullEvent =
  | { type: 'status'; status: 'pulling manifest' | 'verifying sha256 digest' | 'writing manifest' | 'removing unused layers' | 'success' }
  | {
      type: 'layer';
      /** `pulling <first 12 hex digits>` */
      status: string;
      digest: string;
      mediaType: string;
      total: number;
      completed: number;
      state: 'reused' | 'downloading' | 'verifying' | 'done';
    };

export interface PullOptions {
  modelsDir: string;
  client: RegistryClient;
  signal?: AbortSignal;
  onProgress?: (event: PullEvent) => void;
  /** Keep the previous version's blobs even when nothing references them any more (OLLAMA_NOPRUNE). */
  keepUnusedBlobs?: boolean;
}

export interface PullResult {
  /** The name as stored (an existing spelling adopted). */
  name: ParsedName;
  /** Model ID: lowercase hex SHA-256 of the manifest bytes. */
  id: string;
  /** Digests downloaded by this pull (including resumed ones). */
  downloaded: string[];
  /** Digests that were already complete. */
  reused: string[];
  /** Bytes received over the network by this pull. */
  bytesReceived: number;
  /** Blobs of the replaced version removed because nothing references them any more. */
  removedUnused: string[];
}

/** Stall restarts per part that do not count as retries (Ollama restarts stalled parts without limit). */
const MAX_STALL_RESTARTS = 20;
/** Progress events per layer at most this often (plus the final one). */
const PROGRESS_INTERVAL_MS = 100;
/** Save the resume state (and start writeback of the partial file) after this many new bytes. */
const CHECKPOINT_BYTES = 4 * 1024 * 1024;
/** Bytes hashed per read when the hash catches up from the file. */
const HASH_READ_BYTES = 4 * 1024 * 1024;
/** Received chunks are written to the partial file in batches of about this size (one writev each). */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** Blobs at least this large are hashed by a worker thread (starting one costs more than hashing a small blob). */
const WORKER_HASH_MIN_BYTES = 64 * 1024 * 1024;
/** Blobs at least this large are fetched by the range writer's worker thread (see range-writer.ts). */
const DIRECT_MIN_BYTES = 1024 * 1024;
const STATE_VERSION = 1;

function resolveTarget(target: PullTarget): { name: ParsedName; digest: string | undefined } {
  if (typeof target === 'string') {
    const ref = parseReference(target);
    if (!ref.name) throw new NameInvalid(target, 'a digest alone cannot be pulled: give the model name too, e.g. name@sha256:…');
    return { name: ref.name, digest: ref.digest };
  }
  if ('host' in target) return { name: target, digest: undefined };
  if (!target.name) throw new NameInvalid(target.digest ?? '', 'a digest alone cannot be pulled: give the model name too');
  return { name: target.name, digest: target.digest };
}

/** Pulls a model into the models directory. See the file header for the steps. */
export async function pullModel(target: PullTarget, options: PullOptions): Promise<PullResult> {
  const { name, digest: manifestDigest } = resolveTarget(target);
  const { modelsDir, client, signal } = options;
  const emit = (event: PullEvent): void => {
    try {
      options.onProgress?.(event);
    } catch {
      // a broken progress handler must not break the pull
    }
  };
  const repo: RegistryRepository = { scheme: name.scheme, host: name.host, namespace: name.namespace, model: name.model };
  const shown = displayShortest(name);

  emit({ type: 'status', status: 'pulling manifest' });
  const fetched = await client.getManifest(repo, manifestDigest ?? name.tag, { signal });
  const manifest: ParsedManifest = parseManifest(fetched.bytes, shown);
  const blobs: ManifestLayer[] = [];
  const seen = new Set<string>();
  for (const layer of [...manifest.layers, ...(manifest.config ? [manifest.config] : [])]) {
    if (seen.has(layer.digest)) continue;
    seen.add(layer.digest);
    blobs.push(layer);
  }

  const pin = await pinBlobs(modelsDir, manifestDigests(manifest), { signal, op: `pull ${shown}` });
  const result: PullResult = { name, id: fetched.digest.slice('sha256:'.length), downloaded: [], reused: [], bytesReceived: 0, removedUnused: [] };
  try {
    await checkFreeSpace(modelsDir, blobs, shown);
    for (const layer of blobs) {
      if (signal?.aborted) throw new Cancelled(`pull ${shown}`);
      const status = `pulling ${layer.digest.slice('sha256:'.length, 'sha256:'.length + 12)}`;
      if (await blobExists(modelsDir, layer.digest, layer.size)) {
        await touchBlob(modelsDir, layer.digest);
        result.reused.push(layer.digest);
        emit({ type: 'layer', status, digest: layer.digest, mediaType: layer.mediaType, total: layer.size, completed: layer.size, state: 'reused' });
        continue;
      }
      result.bytesReceived += await downloadBlob(layer, status, repo, options, emit);
      result.downloaded.push(layer.digest);
    }

    emit({ type: 'status', status: 'verifying sha256 digest' });
    emit({ type: 'status', status: 'writing manifest' });
    const written = await writeManifest(modelsDir, name, fetched.bytes, { signal });
    result.name = written.name;
    if (written.replaced && !options.keepUnusedBlobs) {
      const keep = new Set(manifestDigests(manifest));
      const candidates = manifestDigests(written.replaced).filter((d) => !keep.has(d));
      if (candidates.length > 0) {
        emit({ type: 'status', status: 'removing unused layers' });
        result.removedUnused = (await removeOrphanedBlobs(modelsDir, candidates, { signal })).removed;
      }
    }
  } catch (err) {
    throw diskFullFrom(err, `pulling ${shown}`) ?? err;
  } finally {
    await pin.release();
  }
  emit({ type: 'status', status: 'success' });
  return result;
}

/** DiskFull for a file-system error that means "no room" (ENOSPC, EDQUOT); undefined for anything else. */
function diskFullFrom(err: unknown, what: string): DiskFull | undefined {
  if (err instanceof DiskFull) return err;
  const code = err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new DiskFull(undefined, undefined, what) : undefined;
}

/**
 * Refuses a pull that cannot fit: the bytes still missing (blobs not yet in `blobs/`, minus what their partial
 * downloads already hold) against the space free for this user where the models directory is. Skipped where the
 * platform cannot say.
 */
async function checkFreeSpace(modelsDir: string, blobs: readonly ManifestLayer[], shown: string): Promise<void> {
  let needed = 0;
  for (const layer of blobs) {
    if (await blobExists(modelsDir, layer.digest, layer.size)) continue;
    const base = join(partialsDir(modelsDir), digestToFileName(layer.digest));
    const state = await loadState(`${base}.json`, layer.digest, layer.size);
    needed += layer.size - (state ? state.parts.reduce((n, p) => n + p.completed, 0) : 0);
  }
  if (needed === 0) return;
  let available: number;
  try {
    const info = await fsp.statfs(modelsDir);
    available = info.bavail * info.bsize;
  } catch {
    return;
  }
  if (needed > available) throw new DiskFull(needed, available, `pulling ${shown}`);
}

// ---- one blob ------------------------------------------------------------------------------------------------------

/** A part of a partial download: bytes start…end inclusive, `completed` of them already in the file. */
interface PartState {
  start: number;
  end: number;
  completed: number;
}

interface PartialState {
  version: number;
  digest: string;
  size: number;
  parts: PartState[];
}

function partLength(p: PartState): number {
  return p.end - p.start + 1;
}

/** Reads a saved state if it belongs to this blob and its parts cover it exactly; undefined otherwise. */
async function loadState(path: string, digest: string, size: number): Promise<PartialState | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fsp.readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const s = parsed as Partial<PartialState>;
  if (s.version !== STATE_VERSION || s.digest !== digest || s.size !== size || !Array.isArray(s.parts)) return undefined;
  let next = 0;
  for (const p of s.parts as unknown[]) {
    if (p === null || typeof p !== 'object') return undefined;
    const { start, end, completed } = p as Record<string, unknown>;
    if (typeof start !== 'number' || typeof end !== 'number' || typeof completed !== 'number') return undefined;
    if (start !== next || end < start || !Number.isSafeInteger(completed) || completed < 0 || completed > end - start + 1) return undefined;
    next = end + 1;
  }
  if (next !== size) return undefined;
  return { version: STATE_VERSION, digest, size, parts: (s.parts as PartState[]).map((p) => ({ start: p.start, end: p.end, completed: p.completed })) };
}

async function saveState(path: string, state: PartialState): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await fsp.writeFile(temp, `${JSON.stringify(state)}\n`);
  await fsp.rename(temp, path);
}

/** Hashes a partial download in order while its parts are written out of order. */
interface BlobHasher {
  /**
   * Call after bytes were written and counted in their part's `completed`, passing them (with the offset of the
   * first) when they may be hashed from memory; without arguments it only catches up with what is complete.
   */
  advance(offset?: number, chunks?: readonly Buffer[]): Promise<void>;
  /** Once every part is complete: how many bytes were hashed, and their digest. */
  finish(): Promise<{ hashed: number; digest: string }>;
  close(): Promise<void>;
}

/** End of the complete prefix of the file: everything before it is written. */
function completePrefix(parts: readonly PartState[]): number {
  for (const p of parts) if (p.completed < partLength(p)) return p.start + p.completed;
  return parts.length > 0 ? parts[parts.length - 1].end + 1 : 0;
}

/**
 * In this thread: data at the hash frontier is hashed from memory once it is written; completed bytes beyond it
 * are read back from the file once the frontier reaches them.
 */
class InOrderHasher implements BlobHasher {
  private readonly hash = createHash('sha256');
  private frontier = 0;
  private chain: Promise<void> = Promise.resolve();
  /** The read-back buffer, allocated on first use. */
  private buffer: Buffer | undefined;

  constructor(
    private readonly file: fsp.FileHandle,
    private readonly parts: readonly PartState[],
  ) {}

  /**
   * Call after bytes were written and counted in their part's `completed`; pass them (with the offset of the
   * first) so that they are hashed from memory if they are at the frontier.
   */
  advance(offset?: number, chunks?: readonly Buffer[]): Promise<void> {
    const hint = chunks !== undefined && offset !== undefined ? { offset, chunks } : undefined;
    this.chain = this.chain.then(() => this.step(hint));
    return this.chain;
  }

  async finish(): Promise<{ hashed: number; digest: string }> {
    await this.advance();
    return { hashed: this.frontier, digest: `sha256:${this.hash.digest('hex')}` };
  }

  async close(): Promise<void> {
    // nothing to release
  }

  private available(): number {
    for (const p of this.parts) {
      if (this.frontier >= p.start && this.frontier <= p.end) return p.start + p.completed - this.frontier;
    }
    return 0;
  }

  private async step(hint: { offset: number; chunks: readonly Buffer[] } | undefined): Promise<void> {
    if (hint && hint.offset === this.frontier) {
      for (const chunk of hint.chunks) {
        this.hash.update(chunk);
        this.frontier += chunk.length;
      }
    }
    for (let avail = this.available(); avail > 0; avail = this.available()) {
      const buffer = (this.buffer ??= Buffer.allocUnsafe(HASH_READ_BYTES));
      const want = Math.min(avail, HASH_READ_BYTES);
      const { bytesRead } = await this.file.read(buffer, 0, want, this.frontier);
      if (bytesRead <= 0) throw new Incomplete(this.frontier, this.frontier + want, 'partial download file');
      this.hash.update(buffer.subarray(0, bytesRead));
      this.frontier += bytesRead;
    }
  }
}

/** The hash worker: reads the partial file in order up to the complete prefix it is told, hashing as it goes. */
const HASH_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const fd = openSync(workerData.path, 'r');
const hash = createHash('sha256');
const buffer = Buffer.allocUnsafe(workerData.chunk);
let at = 0;
let upTo = 0;
parentPort.on('message', (message) => {
  try {
    if (message.upTo > upTo) upTo = message.upTo;
    while (at < upTo) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, upTo - at), at);
      if (n <= 0) break;
      hash.update(buffer.subarray(0, n));
      at += n;
    }
    if (message.finish) {
      closeSync(fd);
      parentPort.postMessage({ hashed: at, digest: 'sha256:' + hash.digest('hex') });
    }
  } catch (error) {
    parentPort.postMessage({ failed: String((error && error.code) || error), hashed: at });
  }
});
`;

/**
 * On a second core: a worker thread reads the file in order (from the page cache, just after it was written) up
 * to the complete prefix, so that receiving and writing on this thread never wait for the hash.
 */
class WorkerHasher implements BlobHasher {
  private readonly worker: Worker;
  private readonly result: Promise<{ hashed: number; digest: string }>;
  private posted = 0;

  constructor(
    path: string,
    private readonly parts: readonly PartState[],
    size: number,
  ) {
    this.worker = new Worker(HASH_WORKER_SOURCE, { eval: true, workerData: { path, chunk: HASH_READ_BYTES } });
    this.result = new Promise((resolve, reject) => {
      this.worker.on('message', (message: { hashed: number; digest?: string; failed?: string }) => {
        if (message.digest !== undefined) resolve({ hashed: message.hashed, digest: message.digest });
        else reject(new Incomplete(message.hashed, size, `partial download file (${message.failed ?? 'read error'})`));
      });
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Incomplete(0, size, `hash of the partial download (worker exited with ${code})`)));
    });
    this.result.catch(() => undefined); // observed by finish(); a failure before that is not "unhandled"
  }

  advance(): Promise<void> {
    const upTo = completePrefix(this.parts);
    if (upTo > this.posted) {
      this.posted = upTo;
      this.worker.postMessage({ upTo });
    }
    return Promise.resolve();
  }

  finish(): Promise<{ hashed: number; digest: string }> {
    this.worker.postMessage({ upTo: completePrefix(this.parts), finish: true });
    return this.result;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Writes `buffers` at `position` with writev, continuing after short writes. */
async function writeAll(file: fsp.FileHandle, buffers: readonly Buffer[], position: number): Promise<void> {
  let pending = buffers;
  let at = position;
  while (pending.length > 0) {
    const { bytesWritten } = await file.writev(pending as Buffer[], at);
    at += bytesWritten;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const buffer of pending) {
      if (skip >= buffer.length) {
        skip -= buffer.length;
        continue;
      }
      rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
    pending = rest;
  }
}

/** An exclusive lock on one blob's partial download, so two pulls never write the same partial file. */
async function lockPartial(path: string, signal: AbortSignal | undefined): Promise<() => Promise<void>> {
  const me = { pid: process.pid, host: hostname() };
  for (;;) {
    try {
      const handle = await fsp.open(path, 'wx');
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      return () => fsp.rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let stale = false;
    try {
      const info = JSON.parse(await fsp.readFile(path, 'utf8')) as { pid?: unknown; host?: unknown };
      stale = info.host === me.host && typeof info.pid === 'number' && !processAlive(info.pid);
    } catch {
      const stat = await fsp.stat(path).catch(() => undefined);
      stale = stat !== undefined && Date.now() - stat.mtimeMs > 10_000;
    }
    if (stale) await fsp.rm(path, { force: true });
    else await sleep(500, signal, 'waiting for another pull of the same blob');
  }
}

/** The error for a registry whose blob is not the size its manifest gives. */
function servedSizeMismatch(repo: RegistryRepository, digest: string, status: number, served: number, size: number): RegistryError {
  return new RegistryError(
    status,
    undefined,
    '',
    false,
    `registry ${repo.host} serves blob ${digest} with ${served} bytes, but the manifest says ${size}; the model on the registry is broken`,
  );
}

/** Downloads one blob into `blobs/` (resuming a partial), verified. Returns the bytes received over the network. */
async function downloadBlob(
  layer: ManifestLayer,
  status: string,
  repo: RegistryRepository,
  options: PullOptions,
  emit: (event: PullEvent) => void,
): Promise<number> {
  const { modelsDir, client, signal } = options;
  const { digest, size, mediaType } = layer;
  if (size === 0) {
    await writeBlobFromBytes(modelsDir, new Uint8Array(0), { expectedDigest: digest, signal });
    emit({ type: 'layer', status, digest, mediaType, total: 0, completed: 0, state: 'done' });
    return 0;
  }
  const dir = partialsDir(modelsDir);
  await fsp.mkdir(dir, { recursive: true, mode: 0o755 });
  const base = join(dir, digestToFileName(digest));
  const dataPath = `${base}.partial`;
  const statePath = `${base}.json`;
  const unlock = await lockPartial(`${base}.lock`, signal);
  try {
    // Someone else may have finished this blob while we waited for the lock.
    if (await blobExists(modelsDir, digest, size)) {
      emit({ type: 'layer', status, digest, mediaType, total: size, completed: size, state: 'done' });
      return 0;
    }
    let state = await loadState(statePath, digest, size);
    const dataSize = (await fsp.stat(dataPath).catch(() => undefined))?.size;
    if (!state || dataSize !== size) {
      const partSize = client.partSize ?? defaultDownloadPartSize(size);
      state = { version: STATE_VERSION, digest, size, parts: planParts(size, partSize).map((p) => ({ start: p.start, end: p.end, completed: 0 })) };
      await fsp.rm(dataPath, { force: true });
    }
    const file = await fsp.open(dataPath, dataSize === size ? 'r+' : 'w+', 0o644);
    let received = 0;
    let finished = false;
    /** The chain of resume-state saves, and the writeback started beside the transfer (see `checkpoint` below). */
    let checkpointing: Promise<void> = Promise.resolve();
    let writeback: Promise<void> | undefined;
    let hasher: BlobHasher | undefined;
    let writer: RangeWriter | undefined;
    try {
      await file.truncate(size);
      await saveState(statePath, state);
      const parts = state.parts;
      const hashing: BlobHasher = size >= WORKER_HASH_MIN_BYTES ? new WorkerHasher(dataPath, parts, size) : new InOrderHasher(file, parts);
      hasher = hashing; // closed in the outer finally
      const completed = (): number => parts.reduce((n, p) => n + p.completed, 0);
      let lastEmit = 0;
      const progress = (force = false): void => {
        const now = Date.now();
        if (!force && now - lastEmit < PROGRESS_INTERVAL_MS) return;
        lastEmit = now;
        emit({ type: 'layer', status, digest, mediaType, total: size, completed: completed(), state: 'downloading' });
      };
      let sinceCheckpoint = 0;
      /** Saves the resume state: what is written now (see the file header for why without a sync). */
      const checkpoint = (): Promise<void> => {
        const snapshot: PartialState = { ...state, parts: parts.map((p) => ({ ...p })) };
        checkpointing = checkpointing.catch(() => undefined).then(() => saveState(statePath, snapshot));
        if (writeback === undefined) {
          // Start writing the partial file back to disk now, so that the fsync at the end has little left to do.
          writeback = file.datasync().then(
            () => {
              writeback = undefined;
            },
            () => {
              writeback = undefined; // the fsync at the end reports what is wrong
            },
          );
        }
        return checkpointing;
      };
      /** Counts bytes just written to `part`; returns the resume-state save that is due now, if one is. */
      const countWritten = (part: PartState, bytes: number): Promise<void> | undefined => {
        part.completed += bytes;
        received += bytes;
        sinceCheckpoint += bytes;
        if (sinceCheckpoint < CHECKPOINT_BYTES) return undefined;
        sinceCheckpoint = 0;
        return checkpoint();
      };
      progress(true);
      // Large blobs: resolve the blob's URL once (redirects, authentication), then let the range writer fetch the
      // parts from it; a part it cannot take goes through the client (`viaClient`).
      let direct: DirectTarget | undefined;
      if (size >= DIRECT_MIN_BYTES && parts.some((p) => p.completed < partLength(p))) {
        const resolved = await client.directBlobTarget(repo, digest, { signal });
        if (resolved?.total !== undefined && resolved.total !== size) throw servedSizeMismatch(repo, digest, resolved.status, resolved.total, size);
        if (resolved) {
          direct = resolved.target;
          writer = new RangeWriter(dataPath, client.stallTimeoutMs);
        }
      }
      const viaClient = new Set<PartState>();
      // Hash what is already there (a resumed download) while the rest arrives.
      const catchUp = hashing.advance();
      catchUp.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
      // The first failing part stops the others.
      const stopParts = new AbortController();
      const partSignal = signal ? AbortSignal.any([signal, stopParts.signal]) : stopParts.signal;
      // Every part request listens to it: more than Node's default of 10 listeners is expected, not a leak.
      setMaxListeners(Math.max(10, 4 * client.streams), partSignal);
      let firstError: unknown;

      const runPart = async (part: PartState): Promise<void> => {
        let failures = 0;
        let stalls = 0;
        while (part.completed < partLength(part)) {
          if (partSignal.aborted) throw new Cancelled(`pull of ${digest}`);
          let progressed = false;
          try {
            const from = part.start + part.completed;
            if (writer && direct && !viaClient.has(part)) {
              try {
                await writer.fetch(direct, from, part.end, (bytes) => {
                  progressed = true;
                  const due = countWritten(part, bytes);
                  hashing.advance().catch(() => undefined); // a hash failure surfaces in finish()
                  progress();
                  due?.catch(() => undefined);
                }, partSignal);
              } catch (err) {
                if (!(err instanceof RangeRefused)) throw err;
                viaClient.add(part); // the client repeats the request and knows what to do with the answer
              }
              continue;
            }
            const download = await client.getBlob(repo, digest, { start: from, end: part.end }, { signal: partSignal });
            if (download.total !== undefined && download.total !== size) {
              download.cancel();
              throw servedSizeMismatch(repo, digest, download.status, download.total, size);
            }
            let skip = from - download.start; // a server that ignores Range starts at 0
            // Chunks wait in `batch` until about WRITE_BATCH_BYTES are there, then go to the file in one writev
            // while the next ones arrive (one write in flight per part). `completed` counts only written bytes,
            // and only written bytes are hashed, so a failed write never leaves the hash ahead of the file.
            let batch: Buffer[] = [];
            let batchBytes = 0;
            let writing: Promise<void> = Promise.resolve();
            const flush = async (): Promise<void> => {
              await writing;
              if (batchBytes === 0) return;
              const buffers = batch;
              const length = batchBytes;
              batch = [];
              batchBytes = 0;
              writing = (async () => {
                const offset = part.start + part.completed;
                await writeAll(file, buffers, offset);
                progressed = true;
                const due = countWritten(part, length);
                await hashing.advance(offset, buffers);
                progress();
                await due;
              })();
              // Awaited by the next flush() or the finally below; this only keeps a failure that happens while the
              // loop waits for data from being reported as unhandled.
              writing.catch(() => undefined);
            };
            let next = from;
            try {
              for await (const raw of download.body) {
                let chunk = raw;
                if (skip > 0) {
                  if (chunk.length <= skip) {
                    skip -= chunk.length;
                    continue;
                  }
                  chunk = chunk.subarray(skip);
                  skip = 0;
                }
                const room = part.end + 1 - next;
                if (chunk.length > room) {
                  if (part.end === size - 1) throw new SizeMismatch(next + chunk.length, size);
                  chunk = chunk.subarray(0, room);
                }
                batch.push(chunk);
                batchBytes += chunk.length;
                next += chunk.length;
                if (batchBytes >= WRITE_BATCH_BYTES) await flush();
                if (next > part.end) break;
              }
              await flush();
              await writing;
            } finally {
              download.cancel();
              // Keep what arrived (a retry or the next pull starts after it) and settle the write in flight, so that
              // `completed` is exact. After a failed write this does nothing more: the first error stands.
              await flush().catch(() => undefined);
              await writing.catch(() => undefined);
            }
            if (part.completed < partLength(part)) {
              throw new TransportError(repo.host, 'the download ended early', true, 'run the command again to resume');
            }
          } catch (raw) {
            const full = diskFullFrom(raw, `blob ${digest}`);
            if (full) throw full;
            const err: StudioError = client.toTypedError(raw, repo.host, partSignal);
            if (err instanceof Cancelled) throw err;
            if (progressed) failures = 0;
            if (err instanceof Stalled && stalls < MAX_STALL_RESTARTS) {
              stalls++;
              continue;
            }
            if (!isTemporary(err) || failures >= client.maxRetries) throw err;
            await checkpoint();
            await sleep(client.backoffMs(failures++), partSignal, `pull of ${digest}`);
          }
        }
      };

      // Parts run at most `streams` at a time, in order of their start.
      const queue = parts.filter((p) => p.completed < partLength(p));
      const workers = Array.from({ length: Math.min(client.streams, queue.length) }, async () => {
        try {
          for (let part = queue.shift(); part; part = queue.shift()) await runPart(part);
        } catch (err) {
          if (firstError === undefined) firstError = err;
          stopParts.abort();
        }
      });
      await Promise.all(workers);
      await writer?.close();
      writer = undefined;
      if (firstError !== undefined) throw signal?.aborted ? new Cancelled(`pull of ${digest}`) : firstError;
      progress(true);

      emit({ type: 'layer', status, digest, mediaType, total: size, completed: size, state: 'verifying' });
      await checkpointing.catch(() => undefined);
      await writeback;
      await catchUp;
      const { hashed, digest: actual } = await hashing.finish();
      if (hashed !== size) throw new Incomplete(hashed, size, `blob ${digest}`);
      if (actual !== digest) {
        await file.close().catch(() => undefined);
        await fsp.rm(dataPath, { force: true });
        await fsp.rm(statePath, { force: true });
        finished = true;
        throw new DigestMismatch(digest, actual);
      }
      await file.sync();
      await file.close();
      await installBlobFile(modelsDir, dataPath, digest, size);
      await fsp.rm(statePath, { force: true });
      finished = true;
      emit({ type: 'layer', status, digest, mediaType, total: size, completed: size, state: 'done' });
      return received;
    } finally {
      await writer?.close();
      await hasher?.close();
      if (!finished) {
        // Leave data and state for the next pull to resume.
        await checkpointing.catch(() => undefined);
        await writeback;
        await saveState(statePath, state).catch(() => undefined);
        await file.close().catch(() => undefined);
      }
    }
  } finally {
    await unlock();
  }
}
