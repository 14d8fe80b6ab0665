// Test-only helpers for create: temporary workspaces with a models directory, small GGUF fixtures (model,
// projector, adapter, split shards), reading back manifests and blobs, and a snapshot of every file under a folder
// so that tests can prove nothing was written where it should not be. Never shipped.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { CreateProgress } from '../../core/create';
import { writeGguf, type GgufWriterKv, type GgufWriterSpec, type GgufWriterTensor } from './gguf-writer';

export interface Workspace {
  /** The temporary root; everything a test writes lives below it. */
  root: string;
  /** `<root>/models`: the models directory. */
  models: string;
  /** `<root>/src`: where Modelfiles and source files go. */
  src: string;
  cleanup(): void;
}

export function workspace(): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'mf-create-'));
  const models = join(root, 'models');
  const src = join(root, 'src');
  mkdirSync(src);
  return { root, models, src, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Writes files below a folder (creating folders); returns the folder. */
export function put(dir: string, files: Record<string, string | Uint8Array>): string {
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

export interface GgufFixture {
  arch?: string;
  /** general.file_type (uint32); omitted when undefined. */
  fileType?: number;
  /** general.type ("adapter", "mmproj", …). */
  type?: string;
  kv?: readonly GgufWriterKv[];
  tensors?: readonly GgufWriterTensor[];
  dataBytes?: Uint8Array | number;
}

/** A small valid GGUF: architecture, optional file type and general.type, tensors (default one 4×4 F32 tensor). */
export function gguf(fixture: GgufFixture = {}): Uint8Array {
  const kv: GgufWriterKv[] = [['general.architecture', 'string', fixture.arch ?? 'llama']];
  if (fixture.fileType !== undefined) kv.push(['general.file_type', 'uint32', fixture.fileType]);
  if (fixture.type !== undefined) kv.push(['general.type', 'string', fixture.type]);
  kv.push(...(fixture.kv ?? []));
  const spec: GgufWriterSpec = {
    kv,
    tensors: fixture.tensors ?? [{ name: 'blk.0.weight', dims: [4, 4] }],
    ...(fixture.dataBytes !== undefined ? { dataBytes: fixture.dataBytes } : {}),
  };
  return writeGguf(spec);
}

export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function blobFile(models: string, digest: string): string {
  return join(models, 'blobs', digest.replace(':', '-'));
}

export function readBlob(models: string, digest: string): Buffer {
  return readFileSync(blobFile(models, digest));
}

export function manifestFile(models: string, host: string, namespace: string, model: string, tag: string): string {
  return join(models, 'manifests', host, namespace, model, tag);
}

export interface ManifestJson {
  schemaVersion: number;
  mediaType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: Array<{ mediaType: string; digest: string; size: number; from?: string; name?: string }>;
}

/** Reads the manifest of `library/<model>:<tag>` on the default host. */
export function readLibraryManifest(models: string, model: string, tag = 'latest'): { raw: Buffer; json: ManifestJson } {
  const raw = readFileSync(manifestFile(models, 'registry.ollama.ai', 'library', model, tag));
  return { raw, json: JSON.parse(raw.toString('utf8')) as ManifestJson };
}

export function hasLibraryManifest(models: string, model: string, tag = 'latest'): boolean {
  return existsSync(manifestFile(models, 'registry.ollama.ai', 'library', model, tag));
}

/** Every file below `dir`, as `/`-separated relative paths, sorted. */
export function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    if (!existsSync(current)) return;
    for (const name of readdirSync(current)) {
      const full = join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Files below the models directory that are neither finished blobs nor valid-looking manifests. */
export function strayFiles(models: string): string[] {
  return tree(models).filter(
    (path) =>
      !/^blobs\/sha256-[0-9a-f]{64}$/.test(path) &&
      !/^manifests\/[^/]+\/[^/]+\/[^/]+\/[^/]+$/.test(path) &&
      !path.startsWith('.modelfile-studio/'),
  );
}

/** Collects progress events. */
export function progressLog(): { events: CreateProgress[]; listener: (event: CreateProgress) => void } {
  const events: CreateProgress[] = [];
  return { events, listener: (event) => events.push(event) };
}
