// Which blobs are in use: the digests named by every manifest below `manifests/`, plus those pinned by live
// writers. Deleting code (rm, prune, orphan removal) asks this, under the lock, and never removes what it returns.
// A file that is not a valid manifest (bad JSON, dot-file, temp file, wrong depth, invalid name) still protects
// every digest that appears anywhere in its text: we cannot know what it was meant to reference.
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { tryParseDigest, displayShortest } from '../names';
import { cooperative, errorText } from './fs-util';
import { livePinnedDigests } from './lock';
import {
  manifestDigests,
  parseManifest,
  readManifestBytesSync,
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
  /** Canonical digests that must not be removed (named by a file below `manifests/`, or pinned). */
  digests: Set<string>;
  /** The subset pinned by live writers (create, pull, push in progress). */
  pinned: Set<string>;
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

/** Every digest-looking string in a regular file, read in bounded chunks (so even a huge stray file costs little
 *  memory); a FIFO or device yields nothing and never blocks. */
export async function digestsInFile(path: string): Promise<Set<string>> {
  const found = new Set<string>();
  const handle = await fsp.open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  try {
    if (!(await handle.stat()).isFile()) return found;
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
export async function collectReferences(modelsDir: string): Promise<References> {
  const files = await walkManifestFiles(modelsDir);
  const digests = new Set<string>();
  const manifests: StoredManifest[] = [];
  const warnings: CacheWarning[] = [];
  const pause = cooperative(64);
  for (const file of files) {
    await pause();
    if (file.name !== undefined) {
      const shortName = displayShortest(file.name);
      try {
        const { raw, mtimeMs } = readManifestBytesSync(file.abs, shortName);
        const parsed = parseManifest(raw, shortName);
        manifests.push({ ...parsed, name: file.name, shortName, path: file.abs, mtimeMs });
        for (const digest of manifestDigests(parsed)) digests.add(digest);
        continue;
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
  }
  const pinned = await livePinnedDigests(modelsDir);
  for (const digest of pinned) digests.add(digest);
  manifests.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  warnings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { digests, pinned, manifests, warnings };
}
