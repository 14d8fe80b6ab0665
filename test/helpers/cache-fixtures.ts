// Test-only fixtures for the models-directory tests: temp models directories, blobs from text, manifests encoded
// like Ollama's create (compact JSON + newline), raw files placed anywhere in the tree, GGUF model layers.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeConfigBytes, encodeManifestBytes, emptyConfig, type ManifestLayer, type OllamaConfig } from '../../core/json/ollama-json';
import { writeGguf, type GgufWriterKv } from './gguf-writer';

export function tempModelsDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mfs-cache-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function digestOf(bytes: Uint8Array | string): string {
  return `sha256:${sha256(bytes)}`;
}

export function blobFile(dir: string, digest: string): string {
  return join(dir, 'blobs', digest.replace(':', '-'));
}

/** Writes a blob directly (no verification), returning its layer entry. */
export function putBlob(dir: string, content: Uint8Array | string, mediaType: string, extra: Partial<ManifestLayer> = {}): ManifestLayer {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const digest = digestOf(bytes);
  mkdirSync(join(dir, 'blobs'), { recursive: true });
  writeFileSync(blobFile(dir, digest), bytes);
  return { mediaType, digest, size: bytes.byteLength, ...extra };
}

export function putConfig(dir: string, config: Partial<OllamaConfig> = {}): ManifestLayer {
  const bytes = encodeConfigBytes({ ...emptyConfig(), model_format: 'gguf', ...config });
  return putBlob(dir, bytes, 'application/vnd.docker.container.image.v1+json');
}

export function manifestBytes(config: ManifestLayer, layers: ManifestLayer[]): Uint8Array {
  return encodeManifestBytes({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config,
    layers,
  });
}

/** Writes a file at `manifests/<rel>` (any depth, any content). */
export function putRaw(dir: string, rel: string, content: Uint8Array | string, mtime?: Date): string {
  const path = join(dir, 'manifests', ...rel.split('/'));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  if (mtime) utimesSync(path, mtime, mtime);
  return path;
}

export const MODEL = 'application/vnd.ollama.image.model';
export const TEMPLATE = 'application/vnd.ollama.image.template';
export const SYSTEM = 'application/vnd.ollama.image.system';
export const PARAMS = 'application/vnd.ollama.image.params';
export const LICENSE = 'application/vnd.ollama.image.license';
export const MESSAGES = 'application/vnd.ollama.image.messages';
export const PROJECTOR = 'application/vnd.ollama.image.projector';
export const ADAPTER = 'application/vnd.ollama.image.adapter';
export const DRAFT = 'application/vnd.ollama.image.draft';

/** A small GGUF model file for `arch`, with context/embedding lengths and a file type. */
export function ggufModel(arch: string, extra: GgufWriterKv[] = [], fileType = 15): Uint8Array {
  return writeGguf({
    kv: [
      ['general.architecture', 'string', arch],
      ['general.file_type', 'uint32', fileType],
      [`${arch}.context_length`, 'uint32', 4096],
      [`${arch}.embedding_length`, 'uint32', 2048],
      ...extra,
      ['tokenizer.ggml.model', 'string', 'gpt2'],
      [`${arch}.block_count`, 'uint32', 99],
    ],
    tensors: [{ name: 'token_embd.weight', dims: [8, 4] }],
  });
}

/** A complete model: config + GGUF model layer (+ given layers), manifest at `name` (host/ns/model/tag parts). */
export function putModel(
  dir: string,
  rel: string,
  options: { layers?: ManifestLayer[]; config?: Partial<OllamaConfig>; gguf?: Uint8Array; from?: string; mtime?: Date } = {},
): { path: string; bytes: Uint8Array; config: ManifestLayer; layers: ManifestLayer[] } {
  const model = putBlob(dir, options.gguf ?? ggufModel('llama'), MODEL, options.from ? { from: options.from } : {});
  const config = putConfig(dir, { model_family: 'llama', model_families: ['llama'], model_type: '8.0B', file_type: 'Q4_K_M', ...options.config });
  const layers = [model, ...(options.layers ?? [])];
  const bytes = manifestBytes(config, layers);
  const path = putRaw(dir, rel, bytes, options.mtime);
  return { path, bytes, config, layers };
}
