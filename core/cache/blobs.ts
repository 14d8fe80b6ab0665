// Content-addressed blobs in `<models>/blobs/` (spec 3.2, 3.10): paths only from validated digests; new blobs are
// hashed while they are copied into a temp file that Ollama's startup prune recognises as removable (in one pass,
// or, for a large local file on Linux, by reading back the copy that `cp` makes as it grows: the digest is always
// that of the bytes stored), verified, checked to be still the file written, fsynced (large ones also while they
// are written), then renamed into place (never replacing a complete blob); a failure or abort removes the temp
// file. Reused blobs get their mtime touched, as Ollama does, so that age-based pruning spares them.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Cancelled, DigestMismatch, Incomplete, StudioError } from '../errors';
import { digestToFileName, parseDigest } from '../names';
import { SizeMismatch } from './errors';
import { ensureDir, errnoCode, FILE_MODE, fsyncDir, isNotFound, removeQuietly, TEMP_PREFIX, tempFileName } from './fs-util';
import { blobsDir } from './layout';

/** SHA-256 of zero bytes: the one digest whose blob may legitimately be an empty file. */
export const EMPTY_DIGEST = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Prefix of our temp files in `blobs/` (`.tmp-<pid>-<random>`). Not a digest, so Ollama's startup prune removes
 *  leftovers older than an hour; ours removes them once their writer is gone. */
export const BLOB_TEMP_PREFIX = TEMP_PREFIX;

/** The file of a blob: `<models>/blobs/sha256-<hex>`. Throws DigestInvalid unless `digest` is a valid digest. */
export function blobPath(modelsDir: string, digest: string): string {
  return join(blobsDir(modelsDir), digestToFileName(digest));
}

export interface WriteBlobOptions {
  /** The digest the content must have (`sha256:<hex>`); DigestMismatch otherwise, and nothing is kept. */
  expectedDigest?: string;
  /** The byte count the content must have; Incomplete (fewer) or SizeMismatch (more) otherwise. */
  expectedSize?: number;
  signal?: AbortSignal;
  /** Called after each chunk with the bytes written so far (and the expected total when known). */
  onProgress?: (written: number, total: number | undefined) => void;
}

export interface WrittenBlob {
  /** `sha256:<lowercase hex>`. */
  digest: string;
  size: number;
  path: string;
  /** True when a complete blob with this digest was already there (the new copy was discarded). */
  reused: boolean;
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Cancelled('writing the blob');
}

/** True when a regular file holds the blob: non-empty (unless it is the empty blob) and of `size` when given. */
export async function blobExists(modelsDir: string, digest: string, size?: number): Promise<boolean> {
  const path = blobPath(modelsDir, digest);
  try {
    const stat = await fsp.stat(path);
    if (!stat.isFile()) return false;
    if (stat.size === 0 && parseDigest(digest) !== EMPTY_DIGEST) return false;
    return size === undefined || stat.size === size;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Sets a blob's mtime to now (Ollama does this to every blob it reuses). Missing blobs are ignored. */
export async function touchBlob(modelsDir: string, digest: string): Promise<void> {
  const now = new Date();
  await fsp.utimes(blobPath(modelsDir, digest), now, now).catch(() => undefined);
}

async function createTemp(modelsDir: string): Promise<{ path: string; handle: fsp.FileHandle }> {
  const dir = blobsDir(modelsDir);
  await ensureDir(dir);
  const path = join(dir, tempFileName());
  const handle = await fsp.open(path, 'wx', FILE_MODE);
  return { path, handle };
}

function verify(hash: Hash, size: number, options: WriteBlobOptions): string {
  const digest = `sha256:${hash.digest('hex')}`;
  if (options.expectedSize !== undefined && size < options.expectedSize) {
    throw new Incomplete(size, options.expectedSize, 'blob');
  }
  if (options.expectedDigest !== undefined) {
    const expected = parseDigest(options.expectedDigest);
    if (expected !== digest) throw new DigestMismatch(expected, digest);
  }
  return digest;
}

/**
 * Moves a complete, verified file into `blobs/` under its digest: chmod 0644, then rename — unless a complete blob
 * of that size is already there, in which case the file is removed and the existing blob's mtime touched. The
 * file must be on the same file system as the models directory (a temp file in `blobs/`, or a partial download
 * in PARTIALS_DIR_NAME). The caller vouches that `digest` is the file's SHA-256.
 */
export async function installBlobFile(modelsDir: string, file: string, digest: string, size: number): Promise<WrittenBlob> {
  const canonical = parseDigest(digest);
  const path = blobPath(modelsDir, canonical);
  await ensureDir(blobsDir(modelsDir));
  if (await blobExists(modelsDir, canonical, size)) {
    await removeQuietly(file);
    await touchBlob(modelsDir, canonical);
    return { digest: canonical, size, path, reused: true };
  }
  await fsp.chmod(file, FILE_MODE);
  await fsp.rename(file, path);
  await fsyncDir(blobsDir(modelsDir));
  return { digest: canonical, size, path, reused: false };
}

/** The temp file of a blob was replaced or written by another program while we wrote it; nothing was kept. */
export class TempFileChanged extends StudioError {
  constructor() {
    super(
      'TempFileChanged',
      'another program changed a temp file in the blobs folder while the blob was being written; nothing was kept, ' +
        'run the command again',
    );
  }
}

/**
 * Before a temp file is installed: throws TempFileChanged unless the file at `path` is still the one `handle`
 * wrote and we hashed (same device and inode) and holds exactly the `size` bytes hashed.
 */
async function checkTempFile(handle: fsp.FileHandle, path: string, size: number): Promise<void> {
  const held = await handle.stat({ bigint: true });
  const named = await fsp.stat(path, { bigint: true }).catch(() => undefined);
  if (named === undefined || held.ino !== named.ino || held.dev !== named.dev || held.size !== BigInt(size)) {
    throw new TempFileChanged();
  }
}

/**
 * Runs `fill` on a fresh temp file in `blobs/`; `fill` writes the content and returns its hash and size. The
 * content is then verified against the options, checked to be still in that file (checkTempFile), fsynced and
 * installed. On any failure or abort the temp file is closed and removed.
 */
async function viaTempFile(
  modelsDir: string,
  options: WriteBlobOptions,
  fill: (handle: fsp.FileHandle) => Promise<{ hash: Hash; size: number }>,
): Promise<WrittenBlob> {
  const temp = await createTemp(modelsDir);
  let installed = false;
  try {
    const { hash, size } = await fill(temp.handle);
    checkAborted(options.signal);
    const digest = verify(hash, size, options);
    await checkTempFile(temp.handle, temp.path, size);
    await temp.handle.sync();
    await temp.handle.close();
    const result = await installBlobFile(modelsDir, temp.path, digest, size);
    installed = true;
    return result;
  } finally {
    if (!installed) {
      await temp.handle.close().catch(() => undefined);
      await removeQuietly(temp.path);
    }
  }
}

/** Writes what `source` yields into a temp file while hashing it (one pass), then verifies and installs it. */
export async function writeBlobFromStream(
  modelsDir: string,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: WriteBlobOptions = {},
): Promise<WrittenBlob> {
  checkAborted(options.signal);
  return viaTempFile(modelsDir, options, async (handle) => {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of source) {
      checkAborted(options.signal);
      if (options.expectedSize !== undefined && size + chunk.byteLength > options.expectedSize) {
        throw new SizeMismatch(size + chunk.byteLength, options.expectedSize);
      }
      hash.update(chunk);
      await writeFully(handle, chunk, chunk.byteLength, size);
      size += chunk.byteLength;
      options.onProgress?.(size, options.expectedSize);
    }
    return { hash, size };
  });
}

/** Writes bytes held in memory (a config, template, params or messages blob). */
export async function writeBlobFromBytes(modelsDir: string, bytes: Uint8Array, options: WriteBlobOptions = {}): Promise<WrittenBlob> {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (options.expectedDigest !== undefined && parseDigest(options.expectedDigest) !== digest) {
    throw new DigestMismatch(parseDigest(options.expectedDigest), digest);
  }
  if (await blobExists(modelsDir, digest, bytes.byteLength)) {
    await touchBlob(modelsDir, digest);
    return { digest, size: bytes.byteLength, path: blobPath(modelsDir, digest), reused: true };
  }
  return writeBlobFromStream(modelsDir, [bytes], { ...options, expectedDigest: digest });
}

export interface ImportFileOptions extends WriteBlobOptions {
  /**
   * How to copy. `auto` (default): a copy-on-write clone where the file system can make one (btrfs, XFS, APFS…;
   * instant, then one read to hash it), else `copy` for files of 64 MiB and more where it can be used, else
   * `stream`. `copy` (Linux, into a local file system; elsewhere, or without a `cp` command, the same as
   * `stream`): `cp` copies in another process (GNU cp in the kernel: copy_file_range, no user-space copy) while
   * we hash the copy as it grows.
   * `stream`: read, hash and write in one pass. `clone`: let the kernel copy (a clone where possible, an in-kernel
   * copy otherwise), then hash the copy. Every method hashes the bytes it stores, so the digest always describes
   * the blob, even if the source changes meanwhile.
   */
  method?: 'auto' | 'copy' | 'stream' | 'clone';
  /** Read size; default 4 MiB. */
  chunkBytes?: number;
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;

/**
 * The shape of the streaming copy. The main thread only hashes; reads, writes and flushes run on libuv's thread
 * pool (4 threads unless UV_THREADPOOL_SIZE says otherwise), and enough of each is queued there that the pool does
 * not wait for the main thread to finish hashing a chunk: at most READS_AHEAD reads + WRITES_IN_FLIGHT writes + one
 * flush, which fits the default pool. BUFFERS bounds the memory (BUFFERS × chunk) and how far reading may run ahead
 * of writing.
 */
const READS_AHEAD = 2;
const WRITES_IN_FLIGHT = 1;
const BUFFERS = 8;

/**
 * While copying, every FLUSH_EVERY bytes start an fdatasync of the temp file (never awaited by the copy loop, at
 * most one at a time), so that the disk writes back during the copy rather than all at the final fsync, and the
 * dirty pages of one large import stay few enough not to throttle other writers.
 */
const FLUSH_EVERY = 256 * 1024 * 1024;

/** How long the hashing of a growing copy waits before it looks again when it has caught up with the copy. */
const COPY_POLL_MS = 2;

/** `auto` copies files from this size on with `cp` (below it, starting a process costs more than it saves). */
const COPY_MIN_BYTES = 64 * 1024 * 1024;

/**
 * File systems (statfs f_type) on which a copy writes the target front to back, so that every byte below the
 * target's current size is final when it is read (or a hole, as in the source): ext2/3/4, XFS, Btrfs, tmpfs,
 * F2FS. Not network, FUSE or overlay file systems, where the copy may happen elsewhere in any order.
 */
const SEQUENTIAL_COPY_FILE_SYSTEMS = new Set([0xef53, 0x58465342, 0x9123683e, 0x01021994, 0xf2f52010]);

/**
 * Copies a local file into `blobs/` as a blob, hashing it on the way (see ImportFileOptions.method). A copy made by
 * `cp` is hashed while it grows (see importByCopyProcess); in the streaming copy reading runs ahead of hashing and
 * writing runs behind it (see HashingCopy).
 */
export async function importFile(modelsDir: string, file: string, options: ImportFileOptions = {}): Promise<WrittenBlob> {
  checkAborted(options.signal);
  const method = options.method ?? 'auto';
  if (method === 'clone') return importByCopy(modelsDir, file, options, fsConstants.COPYFILE_FICLONE);
  if (method === 'auto') {
    const cloned = await importByCopy(modelsDir, file, options, fsConstants.COPYFILE_FICLONE_FORCE).catch((error: unknown) => {
      // No copy-on-write here (EOPNOTSUPP, EXDEV, EINVAL, ENOSYS, …): copy or stream instead; real errors recur there.
      if (error instanceof StudioError) throw error;
      return undefined;
    });
    if (cloned !== undefined) return cloned;
  }
  const source = await fsp.open(file, 'r');
  try {
    const stat = await source.stat();
    const large = method === 'copy' || stat.size >= COPY_MIN_BYTES;
    if (method !== 'stream' && large && (await growingCopyIsSafe(modelsDir, stat))) {
      const copied = await importByCopyProcess(modelsDir, file, stat.size, options).catch((error: unknown) => {
        // No `cp` here, or it failed: stream instead (an error that is not cp's own recurs there, with its code).
        if (error instanceof CopyFailed) return undefined;
        throw error;
      });
      if (copied !== undefined) return copied;
    }
    return await viaTempFile(modelsDir, options, async (handle) => {
      const total = options.expectedSize ?? stat.size;
      return new HashingCopy(source, handle, total, options).run();
    });
  } finally {
    await source.close().catch(() => undefined);
  }
}

/**
 * Whether a copy of a file with these stats into `blobs/` may be hashed while it grows: on Linux, for a
 * non-empty regular file (nothing from a pipe, nothing from the /proc files that claim a size of 0), into a file
 * system that writes it front to back (SEQUENTIAL_COPY_FILE_SYSTEMS).
 */
async function growingCopyIsSafe(modelsDir: string, source: { isFile(): boolean; size: number }): Promise<boolean> {
  if (process.platform !== 'linux' || !source.isFile() || source.size === 0) return false;
  const dir = blobsDir(modelsDir);
  await ensureDir(dir);
  const type = await fsp.statfs(dir).then(
    (stats) => stats.type >>> 0,
    () => undefined,
  );
  return type !== undefined && SEQUENTIAL_COPY_FILE_SYSTEMS.has(type);
}

/** `cp` could not be started, or it ended with an error (its own message is not shown: it names paths). */
class CopyFailed extends Error {
  constructor(detail: string) {
    super(`cp ${detail}`);
    this.name = 'CopyFailed';
  }
}

/**
 * `cp` copying a file in a child process. GNU cp (coreutils 9 and later) copies with copy_file_range: in the
 * kernel, no user-space copy, on a core of its own; every cp ends at the source's end, even if the source shrinks
 * meanwhile, and can be stopped. fs.copyFile also copies in the kernel, but on a thread of our own pool, where it
 * can be neither stopped nor, in libuv's copy loop, ever end if the source shrinks during the copy.
 */
class CopyProcess {
  private state: 'running' | 'done' | 'failed' = 'running';
  private error: unknown;
  private readonly child: ChildProcess;
  /** Resolves when the process has ended (its descriptors are closed); never rejects. */
  readonly settled: Promise<void>;

  constructor(source: string, target: string) {
    this.child = spawn('cp', ['--', source, target], { stdio: 'ignore' });
    this.settled = new Promise<void>((resolve) => {
      this.child.once('error', (error) => {
        // Not started (ENOENT: no cp), or a signal could not be sent; 'exit' may follow, or not.
        this.fail(new CopyFailed(`could not run: ${errnoCode(error) ?? error.name}`));
        if (this.child.pid === undefined) resolve();
      });
      this.child.once('exit', (code, signal) => {
        if (code === 0) {
          if (this.state === 'running') this.state = 'done';
        } else this.fail(new CopyFailed(signal !== null ? `stopped by ${signal}` : `failed with exit code ${code}`));
        resolve();
      });
    });
  }

  /** True once cp has copied its last byte and ended. */
  finished(): boolean {
    return this.state === 'done';
  }

  throwIfFailed(): void {
    if (this.state === 'failed') throw this.error;
  }

  /** Resolves when the process ends or after `ms` milliseconds, whichever comes first. */
  async settledOr(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Kills the process if it still runs; resolves when it has ended. */
  async stop(): Promise<void> {
    if (this.state === 'running' && this.child.pid !== undefined) this.child.kill('SIGKILL');
    await this.settled;
  }

  private fail(error: unknown): void {
    if (this.state !== 'running') return;
    this.state = 'failed';
    this.error = error;
  }
}

/**
 * The `copy` method: a temp file in `blobs/` is created (ours, opened for reading and writing), `cp` copies the
 * source into it (CopyProcess), and meanwhile the main thread hashes the temp file from its start as it grows
 * (hashGrowingCopy). So the digest is that of the bytes stored, read back from the file that is installed, never
 * of the source read separately. When cp is done: verify, check that the temp file is still the one hashed
 * (checkTempFile), fsync, install. On failure or abort cp is stopped, and only once it has ended (so that nothing
 * writes to the temp file or creates it again) is the temp file removed. Throws CopyFailed when cp could not run
 * or failed; nothing is kept then.
 */
async function importByCopyProcess(modelsDir: string, file: string, sourceSize: number, options: ImportFileOptions): Promise<WrittenBlob> {
  const dir = blobsDir(modelsDir);
  await ensureDir(dir);
  const tempPath = join(dir, tempFileName());
  const handle = await fsp.open(tempPath, 'wx+', FILE_MODE);
  const copy = new CopyProcess(file, tempPath);
  let installed = false;
  let closed = false;
  try {
    const total = options.expectedSize ?? sourceSize;
    const { hash, size } = await hashGrowingCopy(handle, copy, total, options);
    checkAborted(options.signal);
    const digest = verify(hash, size, options);
    await checkTempFile(handle, tempPath, size);
    await handle.sync();
    await handle.close();
    closed = true;
    const result = await installBlobFile(modelsDir, tempPath, digest, size);
    installed = true;
    return result;
  } finally {
    if (!installed) {
      await copy.stop();
      if (!closed) await handle.close().catch(() => undefined);
      await removeQuietly(tempPath);
    }
  }
}

/**
 * Hashes the temp file of a copy from its start while the copy writes it front to back (ext4 & co., see
 * SEQUENTIAL_COPY_FILE_SYSTEMS: a byte below the file's size is final). One read is in flight while the previous
 * chunk is hashed. A read that comes back empty has caught up with the copy: unless the copy had already finished
 * when that read was issued (then it is the end), wait a moment and read again. Reports progress, flushes
 * periodically (FLUSH_EVERY) and stops on abort. Returns when the copy has finished and every byte of it is hashed;
 * on failure, only after its own read and flush have settled.
 */
async function hashGrowingCopy(
  target: fsp.FileHandle,
  copy: CopyProcess,
  total: number,
  options: ImportFileOptions,
): Promise<{ hash: Hash; size: number }> {
  const chunk = Math.max(64 * 1024, options.chunkBytes ?? DEFAULT_CHUNK);
  const buffers = [new Uint8Array(chunk), new Uint8Array(chunk)];
  const flush = new PeriodicFlush(target);
  const hash = createHash('sha256');
  let which = 0;
  let size = 0;
  const readNext = (): { copyFinished: boolean; bytesRead: Promise<number> } => ({
    copyFinished: copy.finished(),
    bytesRead: target.read(buffers[which], 0, chunk, size).then((r) => r.bytesRead),
  });
  let reading = readNext();
  try {
    for (;;) {
      const bytesRead = await reading.bytesRead;
      copy.throwIfFailed();
      flush.throwIfFailed();
      checkAborted(options.signal);
      if (bytesRead === 0) {
        if (reading.copyFinished) break;
        await copy.settledOr(COPY_POLL_MS);
        reading = readNext();
        continue;
      }
      const current = buffers[which];
      size += bytesRead;
      if (options.expectedSize !== undefined && size > options.expectedSize) {
        throw new SizeMismatch(size, options.expectedSize);
      }
      which ^= 1;
      reading = readNext();
      hash.update(current.subarray(0, bytesRead));
      flush.progress(size);
      options.onProgress?.(size, total);
    }
    await flush.settle();
    flush.throwIfFailed();
    return { hash, size };
  } finally {
    await Promise.allSettled([reading.bytesRead, flush.settle()]);
  }
}

/**
 * Every FLUSH_EVERY bytes an fdatasync of `file` that the copy does not wait for, one at a time. Its error is kept
 * and fails the copy: Linux reports a writeback error to fsync only once, so one ignored here could let the final
 * fsync pass over lost data.
 */
class PeriodicFlush {
  private flushedAt = 0;
  private running: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly file: fsp.FileHandle,
    private readonly onFailure?: (error: unknown) => void,
  ) {}

  /** Called with the number of bytes written so far; starts a flush when FLUSH_EVERY more are written. */
  progress(written: number): void {
    if (this.running !== undefined || this.failure !== undefined || written - this.flushedAt < FLUSH_EVERY) return;
    this.flushedAt = written;
    this.running = this.file.datasync().then(
      () => {
        this.running = undefined;
      },
      (error: unknown) => {
        this.running = undefined;
        this.failure ??= { error };
        this.onFailure?.(error);
      },
    );
  }

  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  /** Waits for the flush in flight, if any; never rejects. */
  async settle(): Promise<void> {
    await this.running;
  }
}

/** A read of the source into one buffer, issued ahead of the hashing. */
interface PendingRead {
  buffer: Uint8Array;
  position: number;
  bytesRead: Promise<number>;
}

/** A hashed chunk waiting to be written to the target at `position`. */
interface PendingWrite {
  buffer: Uint8Array;
  length: number;
  position: number;
}

/**
 * The `stream` method: reads `source` from its start until a read returns no bytes, hashing every byte in order on
 * the main thread and writing it at the same offset of `target`. Reads are issued ahead (up to READS_AHEAD, at
 * consecutive offsets while below `total`, the size the file had); after a short read every read still in flight
 * is dropped and reading resumes right after the bytes received, so the bytes hashed and written are always one
 * contiguous run of the file, exactly as a sequential read gives them, also when the file grows or shrinks
 * meanwhile. Writes happen in order behind the hashing; a buffer is read into again only after its write
 * completed. Periodic flushes (PeriodicFlush) overlap the disk's writeback with the copy.
 */
class HashingCopy {
  private readonly chunk: number;
  private readonly spare: Uint8Array[] = [];
  private buffersMade = 0;
  private readonly reads: PendingRead[] = [];
  private readonly queued: PendingWrite[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly flush: PeriodicFlush;
  private writing = 0;
  private written = 0;
  private readPosition = 0;
  /** Set at the end of the source, or on failure: no new reads (and, on failure, no new writes). */
  private stopped = false;
  private failure: { error: unknown } | undefined;
  /** Set while the loop waits for a write to give a buffer back (all of them are waiting to be written). */
  private wakeLoop: (() => void) | undefined;

  constructor(
    private readonly source: fsp.FileHandle,
    private readonly target: fsp.FileHandle,
    private readonly total: number,
    private readonly options: ImportFileOptions,
  ) {
    this.chunk = Math.max(64 * 1024, options.chunkBytes ?? DEFAULT_CHUNK);
    this.flush = new PeriodicFlush(target, (error) => this.fail(error));
  }

  /**
   * Returns once every write and flush has completed; on failure or abort, only after every operation still in
   * flight has settled, so that the caller may close and remove the files.
   */
  async run(): Promise<{ hash: Hash; size: number }> {
    try {
      const result = await this.copy();
      await this.drain();
      return result;
    } catch (error) {
      this.fail(error);
      throw error;
    } finally {
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      await this.flush.settle();
    }
  }

  private async copy(): Promise<{ hash: Hash; size: number }> {
    const { options, chunk } = this;
    const hash = createHash('sha256');
    let size = 0;
    this.issueReads();
    for (;;) {
      const head = this.reads.shift();
      if (head === undefined) {
        await this.waitForBuffer();
        continue;
      }
      const bytesRead = await head.bytesRead;
      this.throwIfFailed();
      if (bytesRead === 0) {
        this.stopped = true;
        return { hash, size };
      }
      checkAborted(options.signal);
      size += bytesRead;
      if (options.expectedSize !== undefined && size > options.expectedSize) {
        throw new SizeMismatch(size, options.expectedSize);
      }
      if (bytesRead < chunk) {
        // A short read: the reads behind it may not continue where it ended. Drop them and read on from there.
        this.readPosition = head.position + bytesRead;
        const dropped = this.reads.splice(0);
        await Promise.allSettled(dropped.map((read) => read.bytesRead));
        for (const read of dropped) this.spare.push(read.buffer);
      }
      hash.update(head.buffer.subarray(0, bytesRead));
      this.queued.push({ buffer: head.buffer, length: bytesRead, position: head.position });
      this.issueWrites();
      this.issueReads();
      options.onProgress?.(size, this.total);
    }
  }

  /** Waits until the queued writes, the writes in flight and the last flush are done. */
  private async drain(): Promise<void> {
    while (this.queued.length > 0 || this.writing > 0) {
      this.throwIfFailed();
      await Promise.race(this.inFlight);
    }
    await this.flush.settle();
    this.throwIfFailed();
  }

  private async waitForBuffer(): Promise<void> {
    this.throwIfFailed();
    await new Promise<void>((resolve) => {
      this.wakeLoop = resolve;
    });
    this.throwIfFailed();
    this.issueReads();
  }

  private wake(): void {
    const resume = this.wakeLoop;
    this.wakeLoop = undefined;
    resume?.();
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.stopped = true;
    this.wake();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  private track<T>(operation: Promise<T>): Promise<T> {
    this.inFlight.add(operation);
    const settle = (): void => {
      this.inFlight.delete(operation);
    };
    operation.then(settle, settle);
    return operation;
  }

  private takeBuffer(): Uint8Array | undefined {
    const buffer = this.spare.pop();
    if (buffer !== undefined || this.buffersMade >= BUFFERS) return buffer;
    this.buffersMade++;
    return new Uint8Array(this.chunk);
  }

  /** Reads ahead while below the known size; past it, one read at a time, to find the end (a read of no bytes). */
  private issueReads(): void {
    while (!this.stopped && this.reads.length < READS_AHEAD && (this.readPosition < this.total || this.reads.length === 0)) {
      const buffer = this.takeBuffer();
      if (buffer === undefined) return;
      const position = this.readPosition;
      this.readPosition += this.chunk;
      const bytesRead = this.track(this.source.read(buffer, 0, this.chunk, position)).then((r) => r.bytesRead);
      bytesRead.catch(() => undefined); // reported when its turn comes, or dropped after a short read or failure
      this.reads.push({ buffer, position, bytesRead });
    }
  }

  private issueWrites(): void {
    while (this.failure === undefined && this.writing < WRITES_IN_FLIGHT && this.queued.length > 0) {
      const next = this.queued.shift() as PendingWrite;
      this.writing++;
      this.track(writeFully(this.target, next.buffer, next.length, next.position)).then(
        () => {
          this.writing--;
          this.written += next.length;
          this.spare.push(next.buffer);
          this.flush.progress(this.written);
          this.issueWrites();
          this.issueReads();
          this.wake();
        },
        (error: unknown) => this.fail(error),
      );
    }
  }
}

async function writeFully(handle: fsp.FileHandle, buffer: Uint8Array, length: number, position: number): Promise<void> {
  let offset = 0;
  while (offset < length) {
    const { bytesWritten } = await handle.write(buffer, offset, length - offset, position + offset);
    offset += bytesWritten;
  }
}

/** Copies with fs.copyFile (`mode` chooses clone or kernel copy), then hashes the copy and installs it. */
async function importByCopy(modelsDir: string, file: string, options: ImportFileOptions, mode: number): Promise<WrittenBlob> {
  const dir = blobsDir(modelsDir);
  await ensureDir(dir);
  const tempPath = join(dir, tempFileName());
  let installed = false;
  try {
    await fsp.copyFile(file, tempPath, fsConstants.COPYFILE_EXCL | mode);
    checkAborted(options.signal);
    const handle = await fsp.open(tempPath, 'r+');
    let digest: string;
    let size = 0;
    try {
      const hash = createHash('sha256');
      const chunk = Math.max(64 * 1024, options.chunkBytes ?? DEFAULT_CHUNK);
      const buffer = new Uint8Array(chunk);
      const total = options.expectedSize ?? (await handle.stat()).size;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, chunk, size);
        if (bytesRead === 0) break;
        checkAborted(options.signal);
        hash.update(buffer.subarray(0, bytesRead));
        size += bytesRead;
        if (options.expectedSize !== undefined && size > options.expectedSize) {
          throw new SizeMismatch(size, options.expectedSize);
        }
        options.onProgress?.(size, total);
      }
      digest = verify(hash, size, options);
      await handle.sync();
    } finally {
      await handle.close();
    }
    const result = await installBlobFile(modelsDir, tempPath, digest, size);
    installed = true;
    return result;
  } finally {
    if (!installed) await removeQuietly(tempPath);
  }
}
