// Content-addressed blobs in `<models>/blobs/` (spec 3.2, 3.10): paths only from validated digests; new blobs are
// hashed while they are copied, in one pass, into a temp file that Ollama's startup prune recognises as removable,
// fsynced, verified, then renamed into place (never replacing a complete blob); a failure or abort removes the
// temp file. Reused blobs get their mtime touched, as Ollama does, so that age-based pruning spares them.
import { createHash, type Hash } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { Cancelled, DigestMismatch, Incomplete, StudioError } from '../errors';
import { digestToFileName, parseDigest } from '../names';
import { SizeMismatch } from './errors';
import { ensureDir, FILE_MODE, fsyncDir, isNotFound, removeQuietly, TEMP_PREFIX, tempFileName } from './fs-util';
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

/**
 * Runs `fill` on a fresh temp file in `blobs/`; `fill` writes the content and returns its hash and size. The
 * content is then verified against the options, fsynced and installed. On any failure or abort the temp file is
 * closed and removed.
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
   * instant, then one read to hash it), else `stream`. `stream`: read, hash and write in one pass. `clone`: let
   * the kernel copy (a clone where possible, an in-kernel copy otherwise), then hash the copy. The digest always
   * describes the bytes stored, even if the source changes meanwhile.
   */
  method?: 'auto' | 'stream' | 'clone';
  /** Read size; default 4 MiB. */
  chunkBytes?: number;
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;

/**
 * Copies a local file into `blobs/` as a blob, hashing it on the way (see ImportFileOptions.method). In the
 * streaming copy the read of the next chunk overlaps the hashing and writing of the current one.
 */
export async function importFile(modelsDir: string, file: string, options: ImportFileOptions = {}): Promise<WrittenBlob> {
  checkAborted(options.signal);
  const method = options.method ?? 'auto';
  if (method === 'clone') return importByCopy(modelsDir, file, options, fsConstants.COPYFILE_FICLONE);
  if (method === 'auto') {
    const cloned = await importByCopy(modelsDir, file, options, fsConstants.COPYFILE_FICLONE_FORCE).catch((error: unknown) => {
      // No copy-on-write here (EOPNOTSUPP, EXDEV, EINVAL, ENOSYS, …): stream instead; real errors recur there.
      if (error instanceof StudioError) throw error;
      return undefined;
    });
    if (cloned !== undefined) return cloned;
  }
  const source = await fsp.open(file, 'r');
  try {
    return await viaTempFile(modelsDir, options, async (handle) => {
      const total = options.expectedSize ?? (await source.stat()).size;
      const chunk = Math.max(64 * 1024, options.chunkBytes ?? DEFAULT_CHUNK);
      const buffers = [new Uint8Array(chunk), new Uint8Array(chunk)];
      const hash = createHash('sha256');
      let size = 0;
      let which = 0;
      // In flight at any time: one read (into one buffer) and one write (from the other).
      let reading = source.read(buffers[which], 0, chunk, 0);
      let writing: Promise<void> = Promise.resolve();
      try {
        for (;;) {
          const { bytesRead } = await reading;
          if (bytesRead === 0) break;
          checkAborted(options.signal);
          const current = buffers[which];
          const position = size;
          size += bytesRead;
          if (options.expectedSize !== undefined && size > options.expectedSize) {
            throw new SizeMismatch(size, options.expectedSize);
          }
          // The previous write must finish before its buffer is read into again.
          await writing;
          which ^= 1;
          reading = source.read(buffers[which], 0, chunk, size);
          hash.update(current.subarray(0, bytesRead));
          writing = writeFully(handle, current, bytesRead, position);
          // A write that fails while the next read is awaited is reported by the next `await writing`.
          writing.catch(() => undefined);
          options.onProgress?.(size, total);
        }
        await writing;
        return { hash, size };
      } finally {
        // On an early exit, let the operations still in flight settle before the files are closed.
        await Promise.allSettled([reading, writing]);
      }
    });
  } finally {
    await source.close().catch(() => undefined);
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
