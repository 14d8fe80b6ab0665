// Small file-system helpers shared by the models-directory modules: random temp names, directory creation with
// Ollama's modes, directory fsync, errno tests and a bounded-concurrency map.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { StudioError } from '../errors';

/** Directories are created 0755 and blobs/manifests written 0644, like Ollama (spec 3.1). */
export const DIR_MODE = 0o755;
export const FILE_MODE = 0o644;

/** A short random token for temp-file names. */
export function randomToken(): string {
  return randomBytes(8).toString('hex');
}

/** Prefix of our temp files (in `blobs/` and directly in `manifests/`): not a digest and not a valid name, so
 *  Ollama's startup prune removes leftovers after an hour and never takes them for blobs or models. */
export const TEMP_PREFIX = '.tmp-';

/** A temp-file name carrying our pid, so that prune can tell a live writer's file from a crashed one's. */
export function tempFileName(): string {
  return `${TEMP_PREFIX}${process.pid}-${randomToken()}`;
}

/** True when a process with this pid exists (EPERM means it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === 'EPERM';
  }
}

/** For a temp-file name of ours: whether the process that writes it is still running (then it is in use). */
export function tempFileInUse(name: string): boolean {
  const match = /^\.tmp-(\d+)-[0-9a-f]+$/.exec(name);
  return match !== null && processAlive(Number(match[1]));
}

/** The errno code of a Node file-system error (`ENOENT`, …), if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** A message for an error that never contains a path: our own errors' messages, or just the errno code. */
export function errorText(error: unknown): string {
  if (error instanceof StudioError) return error.message;
  const code = errnoCode(error);
  if (code !== undefined) return code;
  return error instanceof Error ? error.name : String(error);
}

export function isNotFound(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export async function ensureDir(path: string): Promise<void> {
  await fsp.mkdir(path, { recursive: true, mode: DIR_MODE });
}

/** Flushes a directory entry (after a rename) to disk where the platform supports it; failures are ignored. */
export async function fsyncDir(path: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(path, 'r');
    await handle.sync();
  } catch {
    // Some platforms and file systems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Removes a file, ignoring "not found". */
export async function removeQuietly(path: string): Promise<void> {
  await fsp.rm(path, { force: true }).catch(() => undefined);
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  }
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(Math.max(1, limit), items.length); i++) workers.push(worker());
  await Promise.all(workers);
  return results;
}

/**
 * A pacer for loops of small synchronous file operations: call it once per item; every `every` calls it yields
 * to the event loop (setImmediate), so long walks never block an editor for long.
 */
export function cooperative(every: number): () => Promise<void> {
  let count = 0;
  return () => {
    if (++count % every !== 0) return Promise.resolve();
    return new Promise((resolve) => setImmediate(resolve));
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
