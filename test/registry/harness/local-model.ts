// Test-only: puts a model into a models directory the way create would leave it (blobs through core/cache, a
// compact manifest + newline), and reads a models directory back as digests and SHA-256 sums for comparisons.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeBlobFromBytes, writeManifest } from '../../../core/cache';
import { encodeManifestBytes, type ManifestLayer } from '../../../core/json/ollama-json';

export const CONFIG_TYPE = 'application/vnd.docker.container.image.v1+json';
export const MODEL_TYPE = 'application/vnd.ollama.image.model';
export const TEMPLATE_TYPE = 'application/vnd.ollama.image.template';

export interface LocalLayer {
  data: Buffer;
  mediaType?: string;
  from?: string;
}

export interface LocalModel {
  manifest: Buffer;
  config: ManifestLayer;
  layers: ManifestLayer[];
}

/** Writes blobs and a manifest for `name` (e.g. `127.0.0.1:5000/me/m:latest`) into `modelsDir`. */
export async function makeLocalModel(modelsDir: string, name: string, layers: LocalLayer[], configText?: string): Promise<LocalModel> {
  const entries: ManifestLayer[] = [];
  for (const layer of layers) {
    const written = await writeBlobFromBytes(modelsDir, layer.data);
    const entry: ManifestLayer = { mediaType: layer.mediaType ?? MODEL_TYPE, digest: written.digest, size: written.size };
    if (layer.from !== undefined) entry.from = layer.from;
    entries.push(entry);
  }
  const configBytes = Buffer.from(
    configText ??
      '{"model_format":"gguf","model_family":"test","model_families":["test"],"model_type":"0","file_type":"unknown","architecture":"amd64","os":"linux"}\n',
  );
  const written = await writeBlobFromBytes(modelsDir, configBytes);
  const config: ManifestLayer = { mediaType: CONFIG_TYPE, digest: written.digest, size: written.size };
  const manifest = Buffer.from(
    encodeManifestBytes({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config, layers: entries }),
  );
  await writeManifest(modelsDir, name, manifest);
  return { manifest, config, layers: entries };
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Every file in `blobs/` (name → SHA-256 of its content), and whether each is named by its own digest. */
export function blobSums(modelsDir: string): Map<string, string> {
  const dir = join(modelsDir, 'blobs');
  const sums = new Map<string, string>();
  if (!existsSync(dir)) return sums;
  for (const entry of readdirSync(dir)) sums.set(entry, sha256Hex(readFileSync(join(dir, entry))));
  return sums;
}

/** Every file below `manifests/`, relative, `/`-separated. */
export function manifestFiles(modelsDir: string): string[] {
  const root = join(modelsDir, 'manifests');
  const out: string[] = [];
  const walk = (dir: string, rel: string[]): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      const abs = join(dir, entry);
      if (statSync(abs).isDirectory()) walk(abs, [...rel, entry]);
      else out.push([...rel, entry].join('/'));
    }
  };
  walk(root, []);
  return out.sort();
}

/**
 * The invariants of a models directory after any pull, finished or not: every file in `blobs/` is a complete blob
 * named by its own digest (no temp or partial files there), every manifest parses, and every blob a manifest lists
 * is there with its size. Returns the problems found (empty = fine).
 */
export function modelsDirProblems(modelsDir: string): string[] {
  const problems: string[] = [];
  for (const [file, sum] of blobSums(modelsDir)) {
    if (!/^sha256-[0-9a-f]{64}$/.test(file)) problems.push(`stray file in blobs/: ${file}`);
    else if (file.slice(7) !== sum) problems.push(`blob ${file} has content ${sum}`);
  }
  for (const rel of manifestFiles(modelsDir)) {
    const parts = rel.split('/');
    if (parts.length !== 4) {
      problems.push(`stray file in manifests/: ${rel}`);
      continue;
    }
    let parsed: { config?: { digest: string; size: number }; layers?: Array<{ digest: string; size: number }> };
    try {
      parsed = JSON.parse(readFileSync(join(modelsDir, 'manifests', ...parts), 'utf8')) as typeof parsed;
    } catch {
      problems.push(`manifest ${rel} is not JSON`);
      continue;
    }
    for (const entry of [...(parsed.layers ?? []), ...(parsed.config ? [parsed.config] : [])]) {
      const path = join(modelsDir, 'blobs', entry.digest.replace(':', '-'));
      if (!existsSync(path)) problems.push(`manifest ${rel} lists missing blob ${entry.digest}`);
      else if (statSync(path).size !== entry.size) problems.push(`manifest ${rel} lists blob ${entry.digest} of the wrong size`);
    }
  }
  return problems;
}
