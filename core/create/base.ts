// The base model of `FROM <name>`: its manifest found case-insensitively in the models directory (or pulled
// through the caller's hook when missing), every blob it references checked to be complete, its config and params
// blobs decoded, and the GGUF facts of its model layers read — all before anything new is written.
import { promises as fsp } from 'node:fs';
import { ManifestInvalid, ModelNotFound } from '../errors';
import { blobExists, blobPath, BlobMissing, readManifest, type StoredManifest } from '../cache';
import { readGgufInfo } from '../gguf';
import { LAYER_MEDIA_TYPES, type ManifestLayer, type OllamaConfig } from '../json/ollama-json';
import { displayShortest, nameString, type ParsedName } from '../names';
import { parseBaseConfig, type GgufLayerFacts } from './config';
import type { JsonValue } from './layers';

/** Config and params blobs are tiny; anything larger than this is not one. */
const MAX_JSON_BLOB_BYTES = 16 * 1024 * 1024;

export interface BaseModel {
  /** The name as stored. */
  name: ParsedName;
  /** DisplayShortest of the stored name: the `from` of every inherited layer. */
  shortName: string;
  manifest: StoredManifest;
  /** The manifest's layers with `from` set to `shortName`. */
  layers: ManifestLayer[];
  /** Absent when the manifest has no config. */
  config?: OllamaConfig;
  /** Decoded params layers, by digest. */
  params: Map<string, Record<string, JsonValue>>;
  /** GGUF facts of the `…image.model` layers, in layer order. */
  ggufLayers: GgufLayerFacts[];
}

export type PullMissing = (name: string, signal?: AbortSignal) => Promise<void>;

/**
 * Finds the manifest of the base model. When it is not there and `pullMissing` is given (and the reference is not
 * `:local`), the model is pulled first, as Ollama does; otherwise ModelNotFound says to pull it.
 */
export async function findBaseManifest(
  modelsDir: string,
  name: ParsedName,
  options: { pullMissing?: PullMissing; localOnly?: boolean; signal?: AbortSignal },
): Promise<StoredManifest> {
  const shown = displayShortest(name);
  try {
    return await readManifest(modelsDir, name);
  } catch (error) {
    if (!(error instanceof ModelNotFound)) throw error;
    if (options.pullMissing === undefined || options.localOnly) {
      throw new ModelNotFound(
        shown,
        `it is not in the models directory; pull it first (\`modelfile pull ${shown}\` or \`ollama pull ${shown}\`), ` +
          'then run create again',
      );
    }
  }
  await options.pullMissing(nameString({ ...name, scheme: '' }), options.signal);
  return readManifest(modelsDir, name);
}

async function readJsonBlob(modelsDir: string, layer: ManifestLayer, where: string): Promise<string> {
  if (layer.size > MAX_JSON_BLOB_BYTES) {
    throw new ManifestInvalid(where, `blob ${layer.digest} is ${layer.size} bytes, too large for a JSON layer`);
  }
  return fsp.readFile(blobPath(modelsDir, layer.digest), 'utf8');
}

function isPlainObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks and reads a base model whose blobs the caller has pinned: every referenced blob must be complete
 * (BlobMissing otherwise), the config and params must decode (ManifestInvalid), the model layers must be GGUF
 * (GgufInvalid).
 */
export async function readBaseModel(modelsDir: string, manifest: StoredManifest, signal?: AbortSignal): Promise<BaseModel> {
  const shortName = manifest.shortName;
  const referenced = [...(manifest.config ? [manifest.config] : []), ...manifest.layers];
  for (const layer of referenced) {
    if (!(await blobExists(modelsDir, layer.digest, layer.size))) throw new BlobMissing(layer.digest, shortName);
  }
  const base: BaseModel = {
    name: manifest.name,
    shortName,
    manifest,
    layers: manifest.layers.map((layer) => ({ ...layer, from: shortName })),
    params: new Map(),
    ggufLayers: [],
  };
  if (manifest.config) base.config = parseBaseConfig(await readJsonBlob(modelsDir, manifest.config, shortName), shortName);
  for (const layer of manifest.layers) {
    if (layer.mediaType === LAYER_MEDIA_TYPES.params && !base.params.has(layer.digest)) {
      let value: unknown;
      try {
        value = JSON.parse(await readJsonBlob(modelsDir, layer, shortName));
      } catch {
        throw new ManifestInvalid(shortName, `its parameters (${layer.digest}) are not valid JSON; pull or create it again`);
      }
      if (!isPlainObject(value)) throw new ManifestInvalid(shortName, `its parameters (${layer.digest}) are not a JSON object`);
      base.params.set(layer.digest, value);
    }
    if (layer.mediaType === LAYER_MEDIA_TYPES.model) {
      const info = await readGgufInfo(blobPath(modelsDir, layer.digest), { name: `${shortName} (model layer)`, signal });
      base.ggufLayers.push({
        mediaType: layer.mediaType,
        architecture: info.architecture ?? 'unknown',
        parameterCount: info.parameterCount ?? 0,
        fileTypeName: info.fileTypeName,
      });
    }
  }
  return base;
}
