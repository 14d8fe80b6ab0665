// `modelfile prune` (spec 3.8, with safer rules than Ollama's startup prune): under the lock, removes files older
// than `olderThanMs` (default 1 hour) that nothing needs — unreferenced blobs, temp and partial files in `blobs/`,
// stale downloads in our partials folder, our leftover temp manifests — and empty directories below `manifests/`.
// A blob whose digest is named by any file below `manifests/` (valid manifest or not) or pinned by a live writer
// is never removed; unlike Ollama, an unparsable manifest does not disable pruning, it only protects its digests.
import { promises as fsp, type Stats } from 'node:fs';
import { join } from 'node:path';
import { tryParseDigest } from '../names';
import { BLOB_TEMP_PREFIX } from './blobs';
import { isNotFound, tempFileInUse } from './fs-util';
import { BLOBS_DIR_NAME, blobsDir, manifestsDir, PARTIALS_DIR_NAME, partialsDir } from './layout';
import { withCacheLock, type LockOptions } from './lock';
import { MANIFEST_TEMP_PREFIX } from './manifests';
import { collectReferences, type CacheWarning } from './references';

export const DEFAULT_PRUNE_AGE_MS = 60 * 60 * 1000;

export type PrunedKind = 'blob' | 'temp' | 'partial' | 'manifest-temp' | 'directory';

export interface PrunedFile {
  kind: PrunedKind;
  /** Path relative to the models directory, `/`-separated. */
  path: string;
  size: number;
  /** For blobs: the canonical digest. */
  digest?: string;
}

export interface PruneOptions extends LockOptions {
  /** Only report what would be removed. */
  dryRun?: boolean;
  /** Files modified more recently than this are never touched; default 1 hour (as Ollama). */
  olderThanMs?: number;
  /** "Now", for tests. */
  now?: number;
}

export interface PruneResult {
  dryRun: boolean;
  /** What was removed (or, in a dry run, would be). */
  removed: PrunedFile[];
  bytesFreed: number;
  /** Unreferenced files kept because they are younger than the age limit or a live process is still writing them. */
  tooRecent: number;
  /** Referenced blobs kept. */
  referenced: number;
  /** Blob files renamed to their canonical `sha256-<lowercase hex>` name (old Windows `sha256:` names). */
  renamed: string[];
  warnings: CacheWarning[];
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await fsp.lstat(path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

async function readNames(dir: string): Promise<string[]> {
  try {
    return (await fsp.readdir(dir)).sort();
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/**
 * Removes (or lists, with `dryRun`) what nothing needs. Blob files are judged by name: `sha256-<hex>` (either
 * separator, either case) is a blob and is removed only when no manifest references it; any other name in
 * `blobs/` (Ollama's `-partial` files, temp files of either program) is removable. Both only once older than the
 * age limit.
 */
export async function prune(modelsDir: string, options: PruneOptions = {}): Promise<PruneResult> {
  const dryRun = options.dryRun === true;
  const olderThan = options.olderThanMs ?? DEFAULT_PRUNE_AGE_MS;
  return withCacheLock(modelsDir, { ...options, op: options.op ?? 'prune' }, async () => {
    const now = options.now ?? Date.now();
    const references = await collectReferences(modelsDir);
    const result: PruneResult = {
      dryRun,
      removed: [],
      bytesFreed: 0,
      tooRecent: 0,
      referenced: 0,
      renamed: [],
      warnings: [...references.warnings],
    };
    const old = (stat: Stats): boolean => now - stat.mtimeMs >= olderThan;
    const take = async (abs: string, entry: PrunedFile): Promise<void> => {
      if (!dryRun) {
        try {
          await fsp.unlink(abs);
        } catch (error) {
          if (isNotFound(error)) return;
          throw error;
        }
      }
      result.removed.push(entry);
      result.bytesFreed += entry.size;
    };

    // blobs/
    const blobs = blobsDir(modelsDir);
    for (let name of await readNames(blobs)) {
      let abs = join(blobs, name);
      const stat = await lstatOrUndefined(abs);
      if (stat === undefined || stat.isDirectory()) continue;
      const digest = tryParseDigest(name);
      // Like Ollama at startup: a Windows-era `sha256:<hex>` (or upper-case) name gets the canonical file name.
      const canonical = digest === undefined ? undefined : `sha256-${digest.slice(7)}`;
      if (canonical !== undefined && canonical !== name && (await lstatOrUndefined(join(blobs, canonical))) === undefined) {
        if (!dryRun) await fsp.rename(abs, join(blobs, canonical));
        result.renamed.push(`${BLOBS_DIR_NAME}/${name}`);
        name = canonical;
        abs = join(blobs, canonical);
      }
      if (digest !== undefined && references.digests.has(digest)) {
        result.referenced++;
        continue;
      }
      if (!old(stat) || tempFileInUse(name)) {
        result.tooRecent++;
        continue;
      }
      const kind: PrunedKind = digest !== undefined ? 'blob' : name.startsWith(BLOB_TEMP_PREFIX) ? 'temp' : 'partial';
      const entry: PrunedFile = { kind, path: `${BLOBS_DIR_NAME}/${name}`, size: stat.size };
      if (digest !== undefined) entry.digest = digest;
      await take(abs, entry);
    }

    // our partial downloads (a partial whose path names a pinned digest belongs to a pull in progress)
    const inUse = (relPath: string): boolean =>
      [...relPath.matchAll(/sha256[:-][0-9a-fA-F]{64}/g)].some((m) => references.pinned.has(tryParseDigest(m[0]) ?? ''));
    await pruneTree(partialsDir(modelsDir), PARTIALS_DIR_NAME, 'partial', old, inUse, take, result, dryRun);

    // our leftover temp manifests (directly in manifests/), then empty directories below manifests/
    const manifests = manifestsDir(modelsDir);
    for (const name of await readNames(manifests)) {
      if (!name.startsWith(MANIFEST_TEMP_PREFIX)) continue;
      const abs = join(manifests, name);
      const stat = await lstatOrUndefined(abs);
      if (stat === undefined || !stat.isFile()) continue;
      if (!old(stat) || tempFileInUse(name)) {
        result.tooRecent++;
        continue;
      }
      await take(abs, { kind: 'manifest-temp', path: `manifests/${name}`, size: stat.size });
    }
    await removeEmptyDirs(manifests, 'manifests', result, dryRun);
    result.warnings = result.warnings.filter((w) => !result.removed.some((r) => r.path === `manifests/${w.path}`));
    return result;
  });
}

type Take = (abs: string, entry: PrunedFile) => Promise<void>;

/** Removes old files anywhere below `root` (not following links), then the directories left empty below it. */
async function pruneTree(
  root: string,
  relRoot: string,
  kind: PrunedKind,
  old: (stat: Stats) => boolean,
  inUse: (relPath: string) => boolean,
  take: Take,
  result: PruneResult,
  dryRun: boolean,
): Promise<void> {
  async function visit(dir: string, rel: string): Promise<void> {
    for (const name of await readNames(dir)) {
      const abs = join(dir, name);
      const relPath = `${rel}/${name}`;
      const stat = await lstatOrUndefined(abs);
      if (stat === undefined) continue;
      if (stat.isDirectory()) {
        await visit(abs, relPath);
      } else if (inUse(relPath)) {
        result.referenced++;
      } else if (!old(stat)) {
        result.tooRecent++;
      } else {
        await take(abs, { kind, path: relPath, size: stat.size });
      }
    }
  }
  await visit(root, relRoot);
  await removeEmptyDirs(root, relRoot, result, dryRun);
}

/**
 * Removes the empty directories below `root` (deepest first; `root` itself stays). In a dry run a directory counts
 * as empty when everything in it is already listed for removal. Links are not followed.
 */
async function removeEmptyDirs(root: string, relRoot: string, result: PruneResult, dryRun: boolean): Promise<void> {
  const removing = new Set(result.removed.map((r) => r.path));
  async function visit(dir: string, rel: string, isRoot: boolean): Promise<boolean> {
    let empty = true;
    for (const name of await readNames(dir)) {
      const abs = join(dir, name);
      const relPath = `${rel}/${name}`;
      const stat = await lstatOrUndefined(abs);
      if (stat === undefined) continue;
      if (stat.isDirectory()) {
        if (!(await visit(abs, relPath, false))) empty = false;
      } else if (!(dryRun && removing.has(relPath))) {
        empty = false;
      }
    }
    if (!empty || isRoot) return empty;
    if (!dryRun) {
      try {
        await fsp.rmdir(dir);
      } catch {
        return false;
      }
    }
    result.removed.push({ kind: 'directory', path: rel, size: 0 });
    return true;
  }
  if ((await lstatOrUndefined(root))?.isDirectory() === true) await visit(root, relRoot, true);
}
