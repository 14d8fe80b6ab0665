// Removing and copying models (spec 3.8): rm deletes the manifest, then the empty directories it leaves under
// `manifests/` (never following symbolic links), then the model's blobs that nothing else references; cp stores
// the source manifest's bytes verbatim under the new name. Every read-then-delete step runs under the lock.
import { promises as fsp } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ModelNotFound } from '../errors';
import { displayShortest, type ParsedName } from '../names';
import { blobPath } from './blobs';
import { isNotFound } from './fs-util';
import { manifestsDir } from './layout';
import { withCacheLock, type LockOptions } from './lock';
import {
  findManifestName,
  loadManifest,
  manifestDigests,
  requireName,
  writeManifest,
  type ParsedManifest,
} from './manifests';
import { collectReferences, digestsInFile, type CacheWarning } from './references';

export interface BlobRemoval {
  /** Canonical digests of the blobs removed. */
  removed: string[];
  /** Digests that were candidates but are still referenced (or pinned) and so were kept. */
  kept: string[];
  bytesFreed: number;
  warnings: CacheWarning[];
}

export interface RemoveResult extends BlobRemoval {
  /** The removed model as it was stored (DisplayShortest). */
  name: string;
}

/**
 * Removes each candidate blob that no manifest references and no live writer has pinned. Call while holding the
 * lock (the public entry points do).
 */
async function removeUnreferenced(modelsDir: string, candidates: Iterable<string>): Promise<BlobRemoval> {
  const references = await collectReferences(modelsDir);
  const result: BlobRemoval = { removed: [], kept: [], bytesFreed: 0, warnings: references.warnings };
  for (const digest of new Set(candidates)) {
    if (references.digests.has(digest)) {
      result.kept.push(digest);
      continue;
    }
    const path = blobPath(modelsDir, digest);
    try {
      const stat = await fsp.lstat(path);
      await fsp.unlink(path);
      result.removed.push(digest);
      result.bytesFreed += stat.size;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return result;
}

/**
 * After create or pull replaced a manifest: removes the previous version's blobs that are now unreferenced
 * ("removing unused layers"). Takes the lock.
 */
export async function removeOrphanedBlobs(
  modelsDir: string,
  candidates: Iterable<string>,
  options: LockOptions = {},
): Promise<BlobRemoval> {
  const list = [...candidates];
  if (list.length === 0) return { removed: [], kept: [], bytesFreed: 0, warnings: [] };
  return withCacheLock(modelsDir, { ...options, op: options.op ?? 'remove unused layers' }, () =>
    removeUnreferenced(modelsDir, list),
  );
}

/**
 * Removes the now-empty directories from `dir` up to (not including) `manifests/`. Only directories reached
 * without passing through a symbolic link are candidates (a linked directory and everything below it stay), and
 * nothing outside `manifests/` is ever touched.
 */
export async function removeEmptyParents(modelsDir: string, dir: string): Promise<void> {
  const root = manifestsDir(modelsDir);
  const rel = relative(root, dir);
  if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..')) return;
  const parts = rel.split(sep);
  // The deepest prefix of `parts` made only of real directories.
  let depth = 0;
  while (depth < parts.length) {
    const stat = await fsp.lstat(join(root, ...parts.slice(0, depth + 1))).catch(() => undefined);
    if (stat === undefined || !stat.isDirectory()) break;
    depth++;
  }
  if (depth < parts.length) return; // a link (or something missing) on the way: leave the whole chain alone
  for (; depth > 0; depth--) {
    try {
      await fsp.rmdir(join(root, ...parts.slice(0, depth)));
    } catch {
      return; // not empty: stop climbing
    }
  }
}

/**
 * `ollama rm`: finds the model case-insensitively, removes its manifest and the empty directories above it, then
 * each of its blobs that no remaining manifest references. A manifest that no longer parses is removed too; the
 * blobs it mentions are then the candidates. Throws ModelNotFound when there is no such model.
 */
export async function removeModel(modelsDir: string, name: string | ParsedName, options: LockOptions = {}): Promise<RemoveResult> {
  requireName(name);
  return withCacheLock(modelsDir, { ...options, op: options.op ?? 'rm' }, async () => {
    const found = await findManifestName(modelsDir, name);
    if (found === undefined) throw new ModelNotFound(typeof name === 'string' ? name : displayShortest(name));
    const path = join(manifestsDir(modelsDir), found.host, found.namespace, found.model, found.tag);
    let candidates: string[];
    try {
      candidates = manifestDigests(await loadManifest(modelsDir, found));
    } catch (error) {
      if (isNotFound(error)) throw new ModelNotFound(displayShortest(found));
      candidates = [...(await digestsInFile(path))];
    }
    await fsp.unlink(path);
    await removeEmptyParents(modelsDir, dirname(path));
    const removal = await removeUnreferenced(modelsDir, candidates);
    return { name: displayShortest(found), ...removal };
  });
}

export interface CopyResult {
  /** Source and destination as stored (DisplayShortest). */
  from: string;
  to: string;
  /** Model ID (SHA-256 of the manifest bytes): the same for both. */
  id: string;
  /** Blobs of a replaced destination that became unreferenced and were removed. */
  removal?: BlobRemoval;
}

/**
 * `ollama cp`: writes the source manifest's bytes verbatim under the destination name (atomically, adopting an
 * existing spelling). Copying a model onto itself changes nothing. If the destination existed, its blobs that
 * are no longer referenced are removed, as create and pull do.
 */
export async function copyModel(
  modelsDir: string,
  source: string | ParsedName,
  destination: string | ParsedName,
  options: LockOptions = {},
): Promise<CopyResult> {
  requireName(source);
  requireName(destination);
  const from = await findManifestName(modelsDir, source);
  if (from === undefined) throw new ModelNotFound(typeof source === 'string' ? source : displayShortest(source));
  const manifest = await loadManifest(modelsDir, from);
  const existing = await findManifestName(modelsDir, destination);
  const same =
    existing !== undefined &&
    existing.host === from.host &&
    existing.namespace === from.namespace &&
    existing.model === from.model &&
    existing.tag === from.tag;
  if (existing !== undefined && same) {
    return { from: displayShortest(from), to: displayShortest(existing), id: manifest.id };
  }
  return withCacheLock(modelsDir, { ...options, op: options.op ?? 'cp' }, async () => {
    const written = await writeManifest(modelsDir, destination, manifest.raw, { ...options, lockHeld: true });
    const result: CopyResult = { from: displayShortest(from), to: written.shortName, id: written.id };
    const replaced: ParsedManifest | undefined = written.replaced;
    if (replaced !== undefined && replaced.id !== written.id) {
      result.removal = await removeUnreferenced(modelsDir, manifestDigests(replaced));
    }
    return result;
  });
}
