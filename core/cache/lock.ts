// Cross-process safety for one models directory. An exclusive lock file (`.modelfile-studio/lock`, created with
// O_EXCL, holding pid, host, operation and start time) serialises every step that reads the set of manifests and
// then deletes blobs (rm, prune, removal of orphaned blobs after create/pull). Stale locks (dead pid on this host,
// or no heartbeat for `staleMs`) are broken safely. Writers that are about to reference blobs (create, pull) take
// short-lived *pins* under the lock, so a concurrent deleter never removes a blob that a manifest is about to
// name. Blob writes and manifest renames are atomic on their own and need no lock.
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Cancelled } from '../errors';
import { tryParseDigest } from '../names';
import { CacheBusy } from './errors';
import { ensureDir, errnoCode, FILE_MODE, isNotFound, processAlive, randomToken, removeQuietly, sleep } from './fs-util';
import { STUDIO_DIR_NAME, studioDir } from './layout';

export { processAlive };

export const LOCK_FILE_NAME = 'lock';
export const PINS_DIR_NAME = 'pins';

/** What a lock file records about its holder. */
export interface LockInfo {
  pid: number;
  host: string;
  op: string;
  since: string;
  token: string;
}

export interface LockOptions {
  /** A word saying what the holder does (`rm`, `prune`, …); shown to whoever has to wait. */
  op?: string;
  /** How long to wait for another holder before failing with CacheBusy; default 30 s. */
  timeoutMs?: number;
  /** A lock whose heartbeat is older than this is stale; default 2 minutes (heartbeat every quarter of it). */
  staleMs?: number;
  signal?: AbortSignal;
}

export interface CacheLock {
  readonly info: LockInfo;
  /** Releases the lock (only if it is still ours); safe to call twice. */
  release(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_STALE_MS = 120_000;
/** A lock file whose content is not readable yet (its creator died between create and write) is stale after this. */
const UNREADABLE_GRACE_MS = 10_000;

export function lockFilePath(modelsDir: string): string {
  return join(studioDir(modelsDir), LOCK_FILE_NAME);
}

function pinsDir(modelsDir: string): string {
  return join(studioDir(modelsDir), PINS_DIR_NAME);
}

function parseInfo(text: string): LockInfo | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as Record<string, unknown>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string' || typeof v.token !== 'string') return undefined;
    return {
      pid: v.pid,
      host: v.host,
      op: typeof v.op === 'string' ? v.op : '',
      since: typeof v.since === 'string' ? v.since : '',
      token: v.token,
    };
  } catch {
    return undefined;
  }
}

/** Whether a holder is gone: a dead pid on this host, or no heartbeat for `staleMs`. */
function holderIsStale(info: LockInfo | undefined, mtimeMs: number, staleMs: number): boolean {
  const age = Date.now() - mtimeMs;
  if (info === undefined) return age > Math.min(staleMs, UNREADABLE_GRACE_MS);
  if (age > staleMs) return true;
  return info.host === hostname() && !processAlive(info.pid);
}

interface Observed {
  info: LockInfo | undefined;
  ino: number;
  mtimeMs: number;
}

async function observe(path: string): Promise<Observed | undefined> {
  try {
    const [stat, text] = await Promise.all([fsp.stat(path), fsp.readFile(path, 'utf8')]);
    return { info: parseInfo(text), ino: stat.ino, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Removes a stale lock without ever removing a fresh one that replaced it meanwhile: the file is first renamed
 * aside (atomic), then checked to be the very file that was judged stale; if it is not, it is put back.
 */
async function breakStale(path: string, seen: Observed): Promise<void> {
  const aside = `${path}.stale-${randomToken()}`;
  try {
    await fsp.rename(path, aside);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  const moved = await fsp.stat(aside).catch(() => undefined);
  if (moved !== undefined && moved.ino !== seen.ino) {
    // We took somebody's fresh lock: give it back unless yet another holder appeared (then both files are live
    // and the newer one wins; the older holder notices at release time that its lock is gone).
    await fsp.link(aside, path).catch(() => undefined);
  }
  await removeQuietly(aside);
}

/** Takes the models-directory lock, waiting (polling) up to `timeoutMs` for another holder. */
export async function acquireCacheLock(modelsDir: string, options: LockOptions = {}): Promise<CacheLock> {
  const path = lockFilePath(modelsDir);
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const info: LockInfo = {
    pid: process.pid,
    host: hostname(),
    op: options.op ?? 'change',
    since: new Date().toISOString(),
    token: randomToken(),
  };
  await ensureDir(studioDir(modelsDir));
  let delay = 10;
  for (;;) {
    if (options.signal?.aborted) throw new Cancelled('waiting for the models directory');
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(path, 'wx', FILE_MODE);
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
    if (handle !== undefined) {
      try {
        await handle.writeFile(`${JSON.stringify(info)}\n`);
        await handle.sync();
        const ino = (await handle.stat()).ino;
        return heldLock(path, handle, info, ino, staleMs);
      } catch (error) {
        await handle.close().catch(() => undefined);
        await removeQuietly(path);
        throw error;
      }
    }
    const seen = await observe(path);
    if (seen === undefined) continue;
    if (holderIsStale(seen.info, seen.mtimeMs, staleMs)) {
      await breakStale(path, seen);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new CacheBusy(
        { pid: seen.info?.pid, op: seen.info?.op, since: seen.info?.since },
        `${STUDIO_DIR_NAME}/${LOCK_FILE_NAME}`,
      );
    }
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 250);
  }
}

function heldLock(path: string, handle: fsp.FileHandle, info: LockInfo, ino: number, staleMs: number): CacheLock {
  const beat = setInterval(() => {
    const now = new Date();
    handle.utimes(now, now).catch(() => undefined);
  }, Math.max(250, Math.floor(staleMs / 4)));
  beat.unref();
  let released = false;
  return {
    info,
    async release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      await handle.close().catch(() => undefined);
      // Only remove the file if it is still ours (a holder judged stale may have been replaced).
      const current = await fsp.stat(path).catch(() => undefined);
      if (current !== undefined && current.ino === ino) await removeQuietly(path);
    },
  };
}

/** Runs `fn` while holding the models-directory lock. */
export async function withCacheLock<T>(modelsDir: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = await acquireCacheLock(modelsDir, options);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

// ----- pins -----------------------------------------------------------------------------------------------------

/** A promise by this process that it is about to reference these blobs from a manifest. */
export interface BlobPin {
  readonly digests: ReadonlySet<string>;
  /** Adds digests (e.g. once a pulled manifest is known); takes the lock briefly. */
  add(digests: Iterable<string>): Promise<void>;
  /** Drops the pin; call after the manifest is written (or the operation failed). Safe to call twice. */
  release(): Promise<void>;
}

interface PinFile {
  pid: number;
  host: string;
  since: string;
  digests: string[];
}

const PIN_STALE_MS = 10 * 60_000;

/** Digests in canonical form (`sha256:<lowercase hex>`); anything that is not a digest is dropped. */
function canonical(digests: Iterable<string>): string[] {
  const out: string[] = [];
  for (const d of digests) {
    const c = tryParseDigest(d);
    if (c !== undefined) out.push(c);
  }
  return out;
}

async function writePinFile(path: string, pin: PinFile): Promise<void> {
  const temp = `${path}.${randomToken()}.tmp`;
  await fsp.writeFile(temp, `${JSON.stringify(pin)}\n`, { mode: FILE_MODE });
  await fsp.rename(temp, path);
}

/**
 * Pins blobs (digests `sha256:<hex>`) so that rm/prune/orphan removal in any process leaves them alone until the
 * pin is released. Take the pin *before* checking whether a blob exists; the lock makes "pin, then check"
 * and "scan, then delete" mutually exclusive. Pins of dead processes, or without a heartbeat for 10 minutes,
 * are ignored.
 */
export async function pinBlobs(modelsDir: string, digests: Iterable<string>, options: LockOptions = {}): Promise<BlobPin> {
  const dir = pinsDir(modelsDir);
  const path = join(dir, `${process.pid}-${randomToken()}.json`);
  const set = new Set<string>(canonical(digests));
  const file: PinFile = { pid: process.pid, host: hostname(), since: new Date().toISOString(), digests: [...set] };
  await withCacheLock(modelsDir, { ...options, op: options.op ?? 'pin' }, async () => {
    await ensureDir(dir);
    await writePinFile(path, file);
  });
  const beat = setInterval(() => {
    const now = new Date();
    fsp.utimes(path, now, now).catch(() => undefined);
  }, PIN_STALE_MS / 10);
  beat.unref();
  let released = false;
  return {
    digests: set,
    async add(more) {
      if (released) return;
      for (const d of canonical(more)) set.add(d);
      file.digests = [...set];
      await withCacheLock(modelsDir, { ...options, op: options.op ?? 'pin' }, () => writePinFile(path, file));
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      await removeQuietly(path);
    },
  };
}

/**
 * The digests pinned by live processes. Call while holding the lock. Pin files of dead processes are removed.
 */
export async function livePinnedDigests(modelsDir: string): Promise<Set<string>> {
  const dir = pinsDir(modelsDir);
  const pinned = new Set<string>();
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (error) {
    if (isNotFound(error)) return pinned;
    throw error;
  }
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const path = join(dir, name);
    try {
      const [stat, text] = await Promise.all([fsp.stat(path), fsp.readFile(path, 'utf8')]);
      const value = JSON.parse(text) as Partial<PinFile>;
      const age = Date.now() - stat.mtimeMs;
      const dead =
        age > PIN_STALE_MS || (value.host === hostname() && typeof value.pid === 'number' && !processAlive(value.pid));
      if (dead) {
        await removeQuietly(path);
        continue;
      }
      for (const d of value.digests ?? []) if (typeof d === 'string') pinned.add(d);
    } catch {
      // A pin being rewritten or unreadable: ignore it this time.
    }
  }
  return pinned;
}
