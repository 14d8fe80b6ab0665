// `ollama list` (spec 3.7): every manifest exactly four levels below `manifests/` with a valid name, parsed; bad
// ones are skipped with a warning (never an exception). Details come from the config blob and a cheap scan of the
// model layer's GGUF header, cached by digest; manifest facts are cached while the file is unchanged (in memory
// and on disk, see summaries.ts), so a listing costs one stat per model once everything has been seen.
import { displayShortest } from '../names';
import { LAYER_MEDIA_TYPES } from '../json/ollama-json';
import { cooperative, errorText, mapPool } from './fs-util';
import { MANIFEST_TEMP_PREFIX, fullName, manifestSize, walkManifestFiles, type StoredManifest } from './manifests';
import type { CacheWarning } from './references';
import { clearSummaryMemory, SummaryStore, type ConfigSummary, type GgufSummary, type TemplateSummary } from './summaries';

/** A manifest as list needs it: a StoredManifest without its bytes. */
export type ListedManifest = Omit<StoredManifest, 'raw'>;

/** One model as `list` shows it. */
export interface ModelListEntry {
  /** DisplayShortest (`llama3.2:latest`, `me/model:tag`, `host/ns/model:tag`). */
  name: string;
  /** `host/namespace/model:tag` as stored. */
  fullName: string;
  /** Lowercase hex SHA-256 of the manifest bytes (`ollama list` shows the first 12 characters). */
  id: string;
  /** Sum of layer sizes plus the config size. */
  size: number;
  /** Manifest modification time, ISO 8601. */
  modifiedAt: string;
  modifiedMs: number;
  format: string;
  family: string;
  families: string[] | null;
  parameterSize: string;
  quantization: string;
  contextLength?: number;
  embeddingLength?: number;
  capabilities: string[];
  /** The model layer's `from` (the base model it was created from), or "". */
  parentModel: string;
}

export interface ListResult {
  /** Newest first (like Ollama), then by name. */
  models: ModelListEntry[];
  warnings: CacheWarning[];
}

export interface ListOptions {
  /** Parallel reads of blobs not yet summarised; default 32. */
  concurrency?: number;
  /** Keep digest summaries in `.modelfile-studio/summaries.json`; default true. */
  persistentCache?: boolean;
}

/** The layer Ollama treats as "the model": the last `…image.model` layer (later ones overwrite earlier ones). */
export function modelLayerOf<T extends { mediaType: string }>(layers: readonly T[]): T | undefined {
  let found: T | undefined;
  for (const layer of layers) if (layer.mediaType === LAYER_MEDIA_TYPES.model) found = layer;
  return found;
}

function lastOfType<T extends { mediaType: string }>(layers: readonly T[], ...types: string[]): T | undefined {
  let found: T | undefined;
  for (const layer of layers) if (types.includes(layer.mediaType)) found = layer;
  return found;
}

/**
 * Capabilities in Ollama's order: the config's own list (remote and safetensors models), completion or embedding
 * and vision from the GGUF, tools and insert from the template, vision from a projector layer.
 */
export function combineCapabilities(
  config: ConfigSummary | undefined,
  gguf: GgufSummary | undefined,
  template: TemplateSummary | undefined,
  hasProjector: boolean,
): string[] {
  const out: string[] = [];
  const add = (c: string): void => {
    if (!out.includes(c)) out.push(c);
  };
  for (const c of config?.capabilities ?? []) add(c);
  for (const c of gguf?.capabilities ?? []) add(c);
  if (template?.tools) add('tools');
  if (template?.insert) add('insert');
  if (hasProjector) add('vision');
  return out;
}

/** Builds one entry from a parsed manifest, reading (cached) summaries of its config, model and template blobs. */
export async function describeModel(
  manifest: ListedManifest,
  store: SummaryStore,
  warnings: CacheWarning[],
  rel: string,
): Promise<ModelListEntry> {
  const warn = (what: string, error: unknown): void => {
    warnings.push({ path: rel, message: `${what} cannot be read (${errorText(error)}); details are left empty` });
  };
  let config: ConfigSummary | undefined;
  if (manifest.config) {
    try {
      config = await store.config(manifest.config.digest);
    } catch (error) {
      warn('config blob', error);
    }
  }
  const modelLayer = modelLayerOf(manifest.layers);
  let gguf: GgufSummary | undefined;
  if (modelLayer && (config === undefined || config.format === '' || config.format === 'gguf')) {
    try {
      gguf = await store.gguf(modelLayer.digest);
    } catch (error) {
      warn('model layer', error);
    }
  }
  const templateLayer = lastOfType(manifest.layers, LAYER_MEDIA_TYPES.template, LAYER_MEDIA_TYPES.prompt);
  let template: TemplateSummary | undefined;
  if (templateLayer) {
    try {
      template = await store.template(templateLayer.digest);
    } catch (error) {
      warn('template blob', error);
    }
  }
  const hasProjector = manifest.layers.some((l) => l.mediaType === LAYER_MEDIA_TYPES.projector);
  const quantization =
    config?.quantization && config.quantization !== 'unknown' ? config.quantization : (gguf?.fileTypeName ?? config?.quantization ?? '');
  const entry: ModelListEntry = {
    name: manifest.shortName,
    fullName: fullName(manifest.name),
    id: manifest.id,
    size: manifestSize(manifest),
    modifiedAt: new Date(manifest.mtimeMs).toISOString(),
    modifiedMs: manifest.mtimeMs,
    format: config?.format ?? '',
    family: config?.family ?? '',
    families: config?.families ?? null,
    parameterSize: config?.parameterSize ?? '',
    quantization,
    capabilities: combineCapabilities(config, gguf, template, hasProjector),
    parentModel: modelLayer?.from ?? '',
  };
  const contextLength = gguf?.contextLength ?? config?.contextLength;
  if (contextLength !== undefined) entry.contextLength = contextLength;
  const embeddingLength = gguf?.embeddingLength ?? config?.embeddingLength;
  if (embeddingLength !== undefined) entry.embeddingLength = embeddingLength;
  return entry;
}

/** Forgets everything list and show keep in memory (parsed manifests, blob summaries); for tests and benchmarks. */
export function clearListMemory(): void {
  clearSummaryMemory();
}

/** Lists the models directory. Never throws for a bad manifest or blob: those become warnings. */
export async function listModels(modelsDir: string, options: ListOptions = {}): Promise<ListResult> {
  const concurrency = options.concurrency ?? 32;
  const store = new SummaryStore(modelsDir, options.persistentCache !== false);
  const warnings: CacheWarning[] = [];
  const files = await walkManifestFiles(modelsDir);
  const found: { manifest: ListedManifest; rel: string }[] = [];
  const pause = cooperative(64);
  for (const file of files) {
    await pause();
    if (file.name === undefined) {
      // A temp manifest of a write in progress (directly in manifests/) is not worth a warning.
      if (file.parts.length === 1 && file.rel.startsWith(MANIFEST_TEMP_PREFIX)) continue;
      warnings.push({ path: file.rel, message: 'skipped: not host/namespace/model/tag with a valid model name' });
      continue;
    }
    const shortName = displayShortest(file.name);
    try {
      const facts = await store.manifest(file.abs, file.rel, shortName);
      found.push({ manifest: { ...facts, name: file.name, shortName, path: file.abs }, rel: file.rel });
    } catch (error) {
      warnings.push({ path: file.rel, message: `skipped: ${errorText(error)}` });
    }
  }
  // Summaries are usually in memory or in the summaries file; only new blobs are read, a few at a time.
  const models = await mapPool(found, concurrency, ({ manifest, rel }) => describeModel(manifest, store, warnings, rel));
  await store.save({ trim: true });
  models.sort((a, b) => b.modifiedMs - a.modifiedMs || (a.fullName < b.fullName ? -1 : a.fullName > b.fullName ? 1 : 0));
  warnings.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { models, warnings };
}
