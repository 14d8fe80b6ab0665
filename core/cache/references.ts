// Which blobs are in use: the digests named by every manifest below `manifests/`, plus those pinned by live
// writers. Deleting code (rm, prune, orphan removal) asks this, under the lock, and never removes what it returns.
// A file that is not a valid manifest (bad JSON, dot-file, temp file, wrong depth, invalid name) still protects
// every digest that appears anywhere in its text: we cannot know what it was meant to reference.
import { promises as fsp } from 'node:fs';
import { tryParseDigest, displayShortest } from '../names';
import { errorText, mapPool } from './fs-util';
import { livePinnedDigests } from './lock';
import {
  manifestDigests,
  parseManifest,
  readManifestBytes,
  walkManifestFiles,
  type StoredManifest,
} from './manifests';

/** Something the caller should know about the models directory (a skipped file, a protected stray file). */
export interface CacheWarning {
  /** Path relative to `manifests/` (or `blobs/`), `/`-separated; never an absolute path. */
  path: string;
  message: string;
}

export interface References {
  /** Canonical digests that must not be removed. */
  digests: Set<string>;
  /** Valid manifests, parsed. */
  manifests: StoredManifest[];
  /** Files below `manifests/` that are not valid manifests (their digests are protected all the same). */
  warnings: CacheWarning[];
}

const LATIN1 = new TextDecoder('latin1');

function latin1(bytes: Uint8Array): string {
  return LATIN1.decode(bytes);
}

const DIGEST_IN_TEXT = /sha256[:-][0-9a-fA-F]{64}/g;

/** Every digest-looking string in a file, read in bounded chunks (so even a huge stray file costs little memory). */
export async function digestsInFile(path: string): Promise<Set<string>> {
  const found = new Set<string>();
  const handle = await fsp.open(path, 'r');
  try {
    const chunk = new Uint8Array(1024 * 1024);
    let carry = '';
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      // latin1 keeps one character per byte, so digests (ASCII) are found wherever they are.
      const text = carry + latin1(chunk.subarray(0, bytesRead));
      for (const match of text.matchAll(DIGEST_IN_TEXT)) {
        const digest = tryParseDigest(match[0]);
        if (digest) found.add(digest);
      }
      carry = text.slice(-70);
    }
  } finally {
    await handle.close();
  }
  return found;
}

/**
 * Collects the digests in use. `valid manifests` are parsed (their config and layer digests count); every other
 * file below `manifests/` is scanned for digest strings, which count too, and is reported as a warning.
 */
export async function collectReferences(modelsDir: string, options: { concurrency?: number } = {}): Promise<References> {
  const concurrency = options.concurrency ?? 32;
  const files = await walkManifestFiles(modelsDir, concurrency);
  const digests = new Set<string>();
  const manifests: StoredManifest[] = [];
  const warnings: CacheWarning[] = [];
  await mapPool(files, concurrency, async (file) => {
    if (file.name !== undefined) {
      const shortName = displayShortest(file.name);
      try {
        const { raw, mtimeMs } = await readManifestBytes(file.abs, shortName);
        const parsed = parseManifest(raw, shortName);
        manifests.push({ ...parsed, name: file.name, shortName, path: file.abs, mtimeMs });
        for (const digest of manifestDigests(parsed)) digests.add(digest);
        return;
      } catch (error) {
        warnings.push({ path: file.rel, message: `${errorText(error)}; its digests are kept` });
      }
    } else {
      warnings.push({ path: file.rel, message: 'not a model manifest (only host/namespace/model/tag files with valid names are); its digests are kept' });
    }
    try {
      for (const digest of await digestsInFile(file.abs)) digests.add(digest);
    } catch (error) {
      warnings.push({ path: file.rel, message: `cannot be read (${errorText(error)}); nothing is deleted while it is unreadable` });
      throw error;
    }
  });
  for (const digest of await livePinnedDigests(modelsDir)) digests.add(digest);
  manifests.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  warnings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { digests, manifests, warnings };
}
