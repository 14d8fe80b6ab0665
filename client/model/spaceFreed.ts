// How much disk space deleting a model gives back: the sizes of its blobs that nothing else needs — no other
// manifest, no unreadable file below `manifests/` that mentions them (core keeps those), no live pull or create
// that pinned them. The same rule core's removeModel applies, computed without changing anything, for the
// confirmation dialog, and its wording. No vscode import.
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import {
  blobPath,
  collectReferences,
  digestsInFile,
  livePinnedDigests,
  manifestDigests,
  manifestsDir,
  readManifest,
} from '../../core/cache';
import { formatBytes, plural } from './format';

export interface BlobSize {
  readonly digest: string;
  /** Bytes on disk; 0 when the blob file is missing. */
  readonly size: number;
}

export interface SpaceFreed {
  /** Bytes the deletion frees. */
  readonly bytes: number;
  /** Blobs that go with the model. */
  readonly blobs: number;
  /** Blobs that stay because something else still needs them. */
  readonly shared: number;
  /** Bytes of the blobs that stay. */
  readonly sharedBytes: number;
}

/** The pure rule: every blob of the model (each digest once) that is not in `stillNeeded` is freed. */
export function spaceFreed(modelBlobs: readonly BlobSize[], stillNeeded: ReadonlySet<string>): SpaceFreed {
  const seen = new Set<string>();
  let bytes = 0;
  let blobs = 0;
  let shared = 0;
  let sharedBytes = 0;
  for (const blob of modelBlobs) {
    if (seen.has(blob.digest)) continue;
    seen.add(blob.digest);
    if (stillNeeded.has(blob.digest)) {
      shared++;
      sharedBytes += blob.size;
    } else {
      blobs++;
      bytes += blob.size;
    }
  }
  return { bytes, blobs, shared, sharedBytes };
}

async function sizeOnDisk(modelsDir: string, digest: string): Promise<number> {
  try {
    return (await fsp.lstat(blobPath(modelsDir, digest))).size;
  } catch {
    return 0;
  }
}

/** Reads the models directory and applies `spaceFreed` to the model `name` (found case-insensitively). */
export async function estimateSpaceFreed(modelsDir: string, name: string): Promise<SpaceFreed> {
  const target = await readManifest(modelsDir, name);
  const references = await collectReferences(modelsDir);
  const stillNeeded = new Set<string>();
  for (const manifest of references.manifests) {
    if (manifest.path === target.path) continue;
    for (const digest of manifestDigests(manifest)) stillNeeded.add(digest);
  }
  // Files below manifests/ that are not valid manifests protect every digest they mention.
  for (const warning of references.warnings) {
    try {
      for (const digest of await digestsInFile(join(manifestsDir(modelsDir), ...warning.path.split('/')))) stillNeeded.add(digest);
    } catch {
      // unreadable: core refuses to delete anything then; the estimate simply does not count it
    }
  }
  for (const digest of await livePinnedDigests(modelsDir)) stillNeeded.add(digest);
  const blobs = await Promise.all(
    manifestDigests(target).map(async (digest) => ({ digest, size: await sizeOnDisk(modelsDir, digest) })),
  );
  return spaceFreed(blobs, stillNeeded);
}

/** The detail line of the Delete confirmation. */
export function deleteDetail(freed: SpaceFreed): string {
  const frees = `This frees ${formatBytes(freed.bytes)} (${plural(freed.blobs, 'blob')}).`;
  if (freed.shared === 0) return frees;
  const verb = freed.shared === 1 ? 'stays' : 'stay';
  return `${frees} ${plural(freed.shared, 'shared blob')} (${formatBytes(freed.sharedBytes)}) ${verb} because other models use ${freed.shared === 1 ? 'it' : 'them'}.`;
}
