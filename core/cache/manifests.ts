// Manifests in `<models>/manifests/<host>/<namespace>/<model>/<tag>` (spec 2.3, 3.3): reading any formatting with
// strict validation of what we build paths from (digests, sizes), keeping the raw bytes (the model ID is their
// SHA-256); the four-level tree walk; case-insensitive lookup with case-preserving storage and no case-only
// duplicates; and atomic writes (temp file directly in `manifests/`, never four levels deep; fsync; rename).
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  openSync,
  promises as fsp,
  readdirSync,
  readSync,
  statSync,
  type Dirent,
} from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { ManifestInvalid, ModelNotFound } from '../errors';
import type { ManifestLayer } from '../json/ollama-json';
import {
  displayShortest,
  equalFoldPart,
  manifestPath,
  nameFromManifestPath,
  nameString,
  parseName,
  tryParseDigest,
  type ParsedName,
} from '../names';
import { blobExists } from './blobs';
import { BlobMissing } from './errors';
import { cooperative, ensureDir, errnoCode, FILE_MODE, fsyncDir, isNotFound, removeQuietly, TEMP_PREFIX, tempFileName } from './fs-util';
import { manifestsDir } from './layout';
import { withCacheLock, type LockOptions } from './lock';

/** Real manifests are a few KiB (MLX models with one layer per tensor reach a few hundred KiB); anything larger
 *  than this is refused rather than read into memory. */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/** Prefix of our temp manifests, written directly in `manifests/` (one level deep, so never taken for a model). */
export const MANIFEST_TEMP_PREFIX = TEMP_PREFIX;

/** A manifest as read from disk: validated fields plus the exact bytes. Every layer's (and the config's) `digest`
 *  is canonical `sha256:<lowercase hex>`, every `size` a non-negative safe integer. */
export interface ParsedManifest {
  schemaVersion?: number;
  mediaType?: string;
  config?: ManifestLayer;
  layers: ManifestLayer[];
  /** The bytes exactly as stored. */
  raw: Uint8Array;
  /** Lowercase hex SHA-256 of `raw`: Ollama's model ID. */
  id: string;
}

/** A manifest found in the tree, with its name as spelled on disk. */
export interface StoredManifest extends ParsedManifest {
  name: ParsedName;
  /** DisplayShortest of `name`. */
  shortName: string;
  /** Absolute path of the manifest file. */
  path: string;
  mtimeMs: number;
}

/** A file found below `manifests/`. */
export interface ManifestFile {
  abs: string;
  /** Path relative to `manifests/`, `/`-separated. */
  rel: string;
  parts: string[];
  /** The name it stands for: set only for files exactly four levels deep that form a valid name. */
  name?: ParsedName;
}

function fail(where: string, reason: string): never {
  throw new ManifestInvalid(where, reason);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(object: Record<string, unknown>, key: string, where: string, what: string): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(where, `${what}: "${key}" must be a string`);
  return value;
}

function parseLayer(value: unknown, where: string, what: string): ManifestLayer {
  if (!isObject(value)) fail(where, `${what} must be a JSON object`);
  const rawDigest = value.digest;
  if (typeof rawDigest !== 'string') fail(where, `${what} has no digest`);
  const digest = tryParseDigest(rawDigest);
  if (digest === undefined) fail(where, `${what} has an invalid digest ${JSON.stringify(rawDigest.slice(0, 100))}`);
  const size = value.size ?? 0;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    fail(where, `${what} has an invalid size ${JSON.stringify(size)}: sizes are non-negative integers`);
  }
  const layer: ManifestLayer = {
    mediaType: optionalString(value, 'mediaType', where, what) ?? '',
    digest,
    size,
  };
  const from = optionalString(value, 'from', where, what);
  if (from !== undefined) layer.from = from;
  const name = optionalString(value, 'name', where, what);
  if (name !== undefined) layer.name = name;
  return layer;
}

/**
 * Parses and validates manifest bytes: a JSON object with a `layers` array whose every entry has a valid digest
 * and a non-negative integer size; an optional `config` of the same shape; unknown fields and any formatting are
 * tolerated. `where` names the manifest in error messages (a model name, never a path).
 */
export function parseManifest(raw: Uint8Array, where: string): ParsedManifest {
  const bytes = raw;
  if (bytes.byteLength > MAX_MANIFEST_BYTES) {
    fail(where, `it is ${bytes.byteLength} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may have`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    fail(where, `not valid JSON (${error instanceof Error ? error.message : String(error)}); remove it and pull or create the model again`);
  }
  if (!isObject(value)) fail(where, 'not a JSON object');
  if (!Array.isArray(value.layers)) fail(where, '"layers" must be an array');
  const layers = value.layers.map((layer, i) => parseLayer(layer, where, `layer ${i}`));
  const manifest: ParsedManifest = {
    layers,
    raw: bytes,
    id: createHash('sha256').update(bytes).digest('hex'),
  };
  if (value.config !== undefined && value.config !== null) manifest.config = parseLayer(value.config, where, 'config');
  if (value.schemaVersion !== undefined) {
    if (typeof value.schemaVersion !== 'number') fail(where, '"schemaVersion" must be a number');
    manifest.schemaVersion = value.schemaVersion;
  }
  const mediaType = optionalString(value, 'mediaType', where, 'manifest');
  if (mediaType !== undefined) manifest.mediaType = mediaType;
  return manifest;
}

/** Every blob a manifest references (config first, then layers), without duplicates. */
export function manifestDigests(manifest: Pick<ParsedManifest, 'config' | 'layers'>): string[] {
  const digests = new Set<string>();
  if (manifest.config) digests.add(manifest.config.digest);
  for (const layer of manifest.layers) digests.add(layer.digest);
  return [...digests];
}

/** Sum of all layer sizes plus the config size (spec 3.3). */
export function manifestSize(manifest: Pick<ParsedManifest, 'config' | 'layers'>): number {
  return manifest.layers.reduce((sum, layer) => sum + layer.size, manifest.config?.size ?? 0);
}

// Manifests are tiny and there may be thousands: they are read with synchronous calls (no thread-pool round trip
// per call, several times faster in Node), and the walks yield to the event loop every few dozen files so that an
// editor stays responsive. A FIFO or device planted in the tree cannot block: files are opened non-blocking and
// anything that is not a regular file is refused before it is read.
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/** Reads a manifest file synchronously, refusing non-regular files and files larger than MAX_MANIFEST_BYTES. */
export function readManifestBytesSync(path: string, where: string): { raw: Uint8Array; mtimeMs: number } {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) fail(where, 'not a regular file');
    if (stat.size > MAX_MANIFEST_BYTES) {
      fail(where, `it is ${stat.size} bytes, more than the ${MAX_MANIFEST_BYTES} a manifest may have`);
    }
    const buffer = new Uint8Array(stat.size + 1);
    let length = 0;
    for (;;) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_MANIFEST_BYTES) fail(where, `more than the ${MAX_MANIFEST_BYTES} bytes a manifest may have`);
      if (length === buffer.length) break;
    }
    return { raw: buffer.subarray(0, length), mtimeMs: stat.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/** Reads a manifest file, refusing anything that is not a regular file or is larger than MAX_MANIFEST_BYTES. */
export async function readManifestBytes(path: string, where: string): Promise<{ raw: Uint8Array; mtimeMs: number }> {
  return readManifestBytesSync(path, where);
}

/** Reads and validates the manifest stored for `name` (the exact spelling given). */
export async function loadManifest(modelsDir: string, name: ParsedName): Promise<StoredManifest> {
  const path = join(manifestsDir(modelsDir), ...manifestPath(name));
  const shortName = displayShortest(name);
  const { raw, mtimeMs } = await readManifestBytes(path, shortName);
  return { ...parseManifest(raw, shortName), name, shortName, path, mtimeMs };
}

// ----- the tree --------------------------------------------------------------------------------------------------

async function readDirEntries(path: string): Promise<Dirent[]> {
  try {
    return await fsp.readdir(path, { withFileTypes: true });
  } catch (error) {
    if (isNotFound(error) || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}

/** Whether an entry is a directory, following a symbolic link (as Go's glob does). */
async function isDirectory(parent: string, entry: Dirent): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  const stat = await fsp.stat(join(parent, entry.name)).catch(() => undefined);
  return stat?.isDirectory() ?? false;
}

function readDirEntriesSync(path: string): Dirent[] {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch (error) {
    if (isNotFound(error) || errnoCode(error) === 'ENOTDIR') return [];
    throw error;
  }
}

function isDirectorySync(parent: string, entry: Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(join(parent, entry.name)).isDirectory();
  } catch {
    return false;
  }
}

/** Deepest level we descend to when looking for stray files (real manifests are at level 4). */
const MAX_WALK_DEPTH = 8;

/**
 * Every file below `manifests/` (following symbolic links, at most 8 levels deep), sorted by path. Files exactly
 * four levels deep that form a valid name carry it in `name`; everything else (dot-files, temp files, 3- or
 * 5-level files, invalid names) has no name.
 */
export async function walkManifestFiles(modelsDir: string): Promise<ManifestFile[]> {
  const root = manifestsDir(modelsDir);
  const files: ManifestFile[] = [];
  const pause = cooperative(32);
  let level: { abs: string; parts: string[] }[] = [{ abs: root, parts: [] }];
  for (let depth = 1; depth <= MAX_WALK_DEPTH && level.length > 0; depth++) {
    const next: { abs: string; parts: string[] }[] = [];
    for (const dir of level) {
      await pause();
      for (const entry of readDirEntriesSync(dir.abs)) {
        const parts = [...dir.parts, entry.name];
        // An entry name never holds a separator and dir.abs is already normal: no need for path.join here.
        const abs = `${dir.abs}${sep}${entry.name}`;
        if (isDirectorySync(dir.abs, entry)) {
          next.push({ abs, parts });
        } else {
          const file: ManifestFile = { abs, rel: parts.join('/'), parts };
          const name = depth === 4 ? nameFromManifestPath(parts) : undefined;
          if (name !== undefined) file.name = name;
          files.push(file);
        }
      }
    }
    level = next;
  }
  files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return files;
}

/** Parses a user-given name with Ollama's defaults, throwing NameInvalid when it is not a valid name. */
export function requireName(name: string | ParsedName): ParsedName {
  const parsed = typeof name === 'string' ? parseName(name) : name;
  manifestPath(parsed); // throws NameInvalid with the reason
  return parsed;
}

/** Entries of `dir` whose names equal `part` ignoring case: the exact spelling first, then in lexical order. */
async function caseVariants(dir: string, part: string, wantDirectory: boolean): Promise<string[]> {
  const matches: string[] = [];
  for (const entry of await readDirEntries(dir)) {
    if (!equalFoldPart(entry.name, part)) continue;
    if ((await isDirectory(dir, entry)) !== wantDirectory) continue;
    matches.push(entry.name);
  }
  matches.sort((a, b) => (a === part ? -1 : b === part ? 1 : a < b ? -1 : a > b ? 1 : 0));
  return matches;
}

/**
 * The stored spelling of an existing model whose name equals `name` ignoring case, or undefined. The exact
 * spelling wins; otherwise the first match in lexical path order (like client2's DiskCache).
 */
export async function findManifestName(modelsDir: string, name: string | ParsedName): Promise<ParsedName | undefined> {
  const requested = requireName(name);
  const [host, namespace, model, tag] = manifestPath(requested);
  const root = manifestsDir(modelsDir);
  const exact = await fsp.stat(join(root, host, namespace, model, tag)).catch(() => undefined);
  if (exact?.isFile()) return requested;
  const wanted = [host, namespace, model, tag];
  async function search(dir: string, depth: number, found: string[]): Promise<string[] | undefined> {
    for (const variant of await caseVariants(dir, wanted[depth], depth < 3)) {
      const parts = [...found, variant];
      if (depth === 3) return parts;
      const deeper = await search(join(dir, variant), depth + 1, parts);
      if (deeper) return deeper;
    }
    return undefined;
  }
  const parts = await search(root, 0, []);
  if (parts === undefined) return undefined;
  return { scheme: requested.scheme, host: parts[0], namespace: parts[1], model: parts[2], tag: parts[3] };
}

/**
 * The spelling under which to store `name`: level by level, an existing directory (or tag file) that equals the
 * requested part ignoring case lends its spelling, so no path differing only in case is ever created.
 */
export async function storageSpelling(modelsDir: string, name: string | ParsedName): Promise<ParsedName> {
  const requested = requireName(name);
  const wanted = [...manifestPath(requested)];
  let dir = manifestsDir(modelsDir);
  const adopted: string[] = [];
  for (let depth = 0; depth < 4; depth++) {
    const variants = await caseVariants(dir, wanted[depth], depth < 3);
    const part = variants[0] ?? wanted[depth];
    adopted.push(part);
    dir = join(dir, part);
  }
  return { scheme: requested.scheme, host: adopted[0], namespace: adopted[1], model: adopted[2], tag: adopted[3] };
}

/** Reads the manifest of `name`, found case-insensitively. Throws ModelNotFound, NameInvalid or ManifestInvalid. */
export async function readManifest(modelsDir: string, name: string | ParsedName): Promise<StoredManifest> {
  const found = await findManifestName(modelsDir, name);
  if (found === undefined) throw new ModelNotFound(typeof name === 'string' ? name : displayShortest(name));
  try {
    return await loadManifest(modelsDir, found);
  } catch (error) {
    if (isNotFound(error)) throw new ModelNotFound(displayShortest(found));
    throw error;
  }
}

// ----- writing ---------------------------------------------------------------------------------------------------

export interface WriteManifestOptions extends LockOptions {
  /** Check that every referenced blob is complete (exists, right size) before the manifest appears; default true. */
  requireBlobs?: boolean;
  /** Set when the caller already holds the models-directory lock. */
  lockHeld?: boolean;
}

export interface WrittenManifest {
  /** The name as stored (an existing spelling adopted, see storageSpelling). */
  name: ParsedName;
  shortName: string;
  path: string;
  /** Model ID: lowercase hex SHA-256 of the bytes written. */
  id: string;
  /** The manifest that was replaced, when one existed under that name. */
  replaced?: ParsedManifest;
}

/**
 * Stores manifest bytes for `name` exactly as given (compact JSON from create, the registry's bytes from pull,
 * another manifest's bytes for cp). The bytes must be a valid manifest; by default every blob it references must
 * be complete. Written to `manifests/.tmp-<random>`, fsynced and renamed into place, under the lock, so two
 * processes never create case-only duplicates and never see a half-written manifest.
 */
export async function writeManifest(
  modelsDir: string,
  name: string | ParsedName,
  bytes: Uint8Array,
  options: WriteManifestOptions = {},
): Promise<WrittenManifest> {
  const requested = requireName(name);
  const shown = displayShortest(requested);
  const manifest = parseManifest(bytes, shown);
  const root = manifestsDir(modelsDir);
  // Everything from the blob check to the rename happens under the lock: no rm or prune can delete a blob between
  // the check and the manifest's appearance, a concurrent prune never meets a live temp manifest, and two writers
  // never adopt different spellings.
  const commit = async (): Promise<WrittenManifest> => {
    if (options.requireBlobs !== false) {
      for (const layer of [...(manifest.config ? [manifest.config] : []), ...manifest.layers]) {
        if (!(await blobExists(modelsDir, layer.digest, layer.size))) throw new BlobMissing(layer.digest, shown);
      }
    }
    await ensureDir(root);
    const temp = join(root, tempFileName());
    const handle = await fsp.open(temp, 'wx', FILE_MODE);
    let renamed = false;
    try {
      await handle.writeFile(manifest.raw);
      await handle.sync();
      await handle.close();
      const stored = await storageSpelling(modelsDir, requested);
      const path = join(root, ...manifestPath(stored));
      let replaced: ParsedManifest | undefined;
      try {
        replaced = parseManifest((await readManifestBytes(path, shown)).raw, shown);
      } catch {
        replaced = undefined;
      }
      await ensureDir(dirname(path));
      await fsp.rename(temp, path);
      renamed = true;
      await fsyncDir(dirname(path));
      const result: WrittenManifest = { name: stored, shortName: displayShortest(stored), path, id: manifest.id };
      if (replaced) result.replaced = replaced;
      return result;
    } finally {
      if (!renamed) {
        await handle.close().catch(() => undefined);
        await removeQuietly(temp);
      }
    }
  };
  if (options.lockHeld) return commit();
  return withCacheLock(modelsDir, { ...options, op: options.op ?? 'write manifest' }, commit);
}

/** `host/namespace/model:tag` of a name, for messages that need the full name. */
export function fullName(name: ParsedName): string {
  return nameString(name);
}
