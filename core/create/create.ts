// `createModel`: Modelfile → plan → (base model | GGUF files) → blobs → config → manifest, the way `ollama create`
// does it but straight into the models directory. Everything is checked before the first byte is copied; each
// source file is hashed and copied in one pass; blobs are pinned against concurrent deletion until the manifest
// that references them is written — last, atomically; then the replaced manifest's orphaned blobs are removed.
// A cancelled or failed create leaves no manifest, and no temp file that prune would not remove.
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  blobExists,
  importFile,
  manifestDigests,
  pinBlobs,
  removeOrphanedBlobs,
  writeBlobFromBytes,
  writeBlobFromStream,
  writeManifest,
  type BlobPin,
  type WrittenBlob,
} from '../cache';
import { Cancelled, ModelfileInvalid, ModelNotFound, NameInvalid } from '../errors';
import {
  CONFIG_MEDIA_TYPE,
  LAYER_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPE,
  encodeConfigBytes,
  encodeManifestBytes,
  type ManifestLayer,
  type OllamaConfig,
  type OllamaManifest,
} from '../json/ollama-json';
import type { ParamsBlobValue } from '../json/go-json';
import { parseModelfile } from '../modelfile';
import { looksLikePath } from '../modelfile/paths';
import { displayShortest, nameString, parseName, validateName } from '../names';
import { findBaseManifest, readBaseModel, type BaseModel, type PullMissing } from './base';
import { buildConfig, CLOUD_REMOTE_HOST, type GgufLayerFacts } from './config';
import { ModelfileMissing, SourceChanged, SourceMissing } from './errors';
import { inspectGgufSet, type ImportUnit } from './inspect';
import { assembleLayers } from './layers';
import { planCreate, type CreatePlan } from './plan';
import type { CreateProgress, CreateProgressListener } from './progress';
import { resolveSources } from './sources';
import { planSplitMerge, splitMergeStream } from './split';

export interface CreateOptions {
  /** The models directory (see core/cache resolveModelsDir). */
  modelsDir: string;
  /** The model to create, e.g. `my-llama` or `me/my-llama:q4`. */
  name: string;
  /** The Modelfile: text, or bytes decoded as Ollama does (byte-order marks, UTF-16). */
  modelfile: string | Uint8Array;
  /** The folder relative FROM/ADAPTER/DRAFT paths start from (the Modelfile's folder). */
  modelfileDir: string;
  signal?: AbortSignal;
  onProgress?: CreateProgressListener;
  /** Pulls a base model that is not in the models directory (full name `host/namespace/model:tag`). Without it, a
   *  missing base model is a ModelNotFound error. */
  pullMissing?: PullMissing;
  /** Keep the blobs of a replaced model even when nothing references them any more (Ollama's OLLAMA_NOPRUNE). */
  keepUnusedBlobs?: boolean;
  /** Home folder for `~` in paths; default the user's. */
  home?: string;
  /** How long to wait for another process holding the models-directory lock; default 30 s. */
  lockTimeoutMs?: number;
}

export interface CreateResult {
  /** The model as stored (DisplayShortest, an existing spelling adopted). */
  name: string;
  /** `host/namespace/model:tag`. */
  fullName: string;
  /** The model ID: lowercase hex SHA-256 of the manifest bytes (what `ollama list` shows the start of). */
  digest: string;
  manifest: OllamaManifest;
  config: OllamaConfig;
  /** Warnings Ollama would print (deprecated parameters) and ours. */
  warnings: string[];
  /** Blobs of the replaced model that nothing references any more and that were removed. */
  removedBlobs: string[];
}

/** A short role name for a media type ("model", "template", …). */
export function layerRole(mediaType: string): string {
  if (mediaType === CONFIG_MEDIA_TYPE) return 'config';
  const prefix = 'application/vnd.ollama.image.';
  return mediaType.startsWith(prefix) ? mediaType.slice(prefix.length) : mediaType;
}

class CreateRun {
  private pin: BlobPin | undefined;
  readonly warnings: string[] = [];

  constructor(readonly options: CreateOptions) {}

  emit(event: CreateProgress): void {
    this.options.onProgress?.(event);
  }

  warn(message: string): void {
    this.warnings.push(message);
    this.emit({ kind: 'warning', message });
  }

  checkCancelled(): void {
    if (this.options.signal?.aborted) throw new Cancelled('create');
  }

  async pinDigests(digests: string[]): Promise<void> {
    const { modelsDir, signal, lockTimeoutMs } = this.options;
    const lockOptions = { op: 'create', signal, timeoutMs: lockTimeoutMs };
    if (this.pin === undefined) this.pin = await pinBlobs(modelsDir, digests, lockOptions);
    else if (digests.some((d) => !this.pin?.digests.has(d))) await this.pin.add(digests);
  }

  async release(): Promise<void> {
    await this.pin?.release();
  }

  /** Writes one source unit (a GGUF file, or the merged shards of a split GGUF) as a blob; returns its layer. */
  async importUnit(unit: ImportUnit, role: string): Promise<ManifestLayer> {
    const { modelsDir, signal } = this.options;
    const id = `${role}:${unit.rel}`;
    const label = unit.rel;
    const mediaType = unit.mediaType;
    for (let attempt = 0; ; attempt++) {
      this.checkCancelled();
      let written: WrittenBlob;
      if (unit.parts.length === 1) {
        const part = unit.parts[0];
        const total = part.info.fileSize;
        this.emit({ kind: 'layer', id, label, state: 'copying', completed: 0, total, mediaType });
        written = await importFile(modelsDir, part.file.path, {
          signal,
          onProgress: (completed) => this.emit({ kind: 'layer', id, label, state: 'copying', completed, total, mediaType }),
        });
        if (written.size !== total) throw new SourceChanged(part.file.rel);
      } else {
        this.emit({ kind: 'status', message: `merging ${unit.parts.length} split GGUF files into one layer` });
        const merge = await planSplitMerge(unit.parts);
        const total = merge.size;
        this.emit({ kind: 'layer', id, label, state: 'copying', completed: 0, total, mediaType });
        written = await writeBlobFromStream(modelsDir, splitMergeStream(merge, signal), {
          signal,
          expectedSize: total,
          onProgress: (completed) => this.emit({ kind: 'layer', id, label, state: 'copying', completed, total, mediaType }),
        });
      }
      await this.pinDigests([written.digest]);
      // Between installing the blob and pinning it, another process may have removed it (only if it was an
      // existing, now unreferenced blob): then copy it once more.
      if (!(await blobExists(modelsDir, written.digest, written.size)) && attempt < 2) continue;
      const layer: ManifestLayer = { mediaType, digest: written.digest, size: written.size };
      // Ollama keeps the request file name as `from` on file layers, except on model layers (spec 4.4).
      if (mediaType !== LAYER_MEDIA_TYPES.model) layer.from = unit.rel;
      this.emit({ kind: 'layer', id, label, state: 'done', completed: written.size, total: written.size, mediaType, digest: written.digest, reused: written.reused });
      return layer;
    }
  }

  /** Writes an in-memory blob (text, params, messages, config), pinned before it is written. */
  async writeBytes(bytes: Uint8Array, digest: string, mediaType: string, label: string): Promise<void> {
    this.checkCancelled();
    await this.pinDigests([digest]);
    const written = await writeBlobFromBytes(this.options.modelsDir, bytes, { signal: this.options.signal });
    this.emit({ kind: 'layer', id: `${label}:${digest}`, label, state: 'done', completed: written.size, total: written.size, mediaType, digest, reused: written.reused });
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function inspectPlan(plan: CreatePlan, run: CreateRun): Promise<{ from: ImportUnit[]; adapters: ImportUnit[]; drafts: ImportUnit[] }> {
  const signal = run.options.signal;
  const needsGguf = plan.from.kind === 'files' || plan.adapters.length > 0 || plan.drafts.length > 0;
  if (needsGguf) run.emit({ kind: 'status', message: 'parsing GGUF' });
  const from = plan.from.kind === 'files' ? await inspectGgufSet(plan.from.files, 'from', signal) : [];
  const adapters = await inspectGgufSet(plan.adapters, 'adapter', signal);
  const drafts = await inspectGgufSet(plan.drafts, 'draft', signal);
  for (const adapter of adapters) {
    if (adapter.mediaType !== LAYER_MEDIA_TYPES.adapter) {
      run.warn(
        `warning: ADAPTER ${adapter.rel} is not marked as a LoRA adapter (general.type); it is stored as a ` +
          `${layerRole(adapter.mediaType)} layer, as Ollama does`,
      );
    }
  }
  return { from, adapters, drafts };
}

function factsOf(unit: ImportUnit): GgufLayerFacts {
  return {
    mediaType: unit.mediaType,
    architecture: unit.architecture,
    parameterCount: unit.parameterCount,
    fileTypeName: unit.fileTypeName,
  };
}

/**
 * Creates (or replaces) a model from a Modelfile. Throws ModelfileInvalid (Ollama's texts), NameInvalid,
 * SourceMissing, NeedsConverter, GgufInvalid, ModelNotFound, BlobMissing, ManifestInvalid, Cancelled, CacheBusy.
 */
export async function createModel(options: CreateOptions): Promise<CreateResult> {
  try {
    return await createModelUnchecked(options);
  } catch (error) {
    // Whatever stage noticed the abort first (GGUF reading, a copy, the lock), the caller sees one Cancelled.
    if (options.signal?.aborted && !(error instanceof Cancelled && error.message === 'create cancelled')) {
      throw new Cancelled('create');
    }
    throw error;
  }
}

async function createModelUnchecked(options: CreateOptions): Promise<CreateResult> {
  const run = new CreateRun(options);
  const { modelsDir } = options;
  run.checkCancelled();
  const target = parseName(options.name);
  const validation = validateName(target);
  if (!validation.valid) throw new NameInvalid(options.name, validation.reason);
  run.emit({ kind: 'status', message: 'parsing modelfile' });
  const parsed = parseModelfile(options.modelfile).ollama;
  if (!parsed.ok) throw new ModelfileInvalid(parsed.error);

  const lookup = await resolveSources(parsed.commands, options.modelfileDir, { home: options.home });
  const plan = planCreate(parsed.commands, lookup);
  for (const warning of plan.warnings) run.warn(warning);
  const units = await inspectPlan(plan, run);

  try {
    let base: BaseModel | undefined;
    if (plan.from.kind === 'model') {
      run.emit({ kind: 'status', message: `reading base model ${displayShortest(plan.from.name)}` });
      // `FROM model.gguf` with no such file reads as a model name; say "no such file" rather than "pull it".
      const pathLike = looksLikePath(plan.from.arg);
      const manifest = await findBaseManifest(modelsDir, plan.from.name, {
        pullMissing: pathLike ? undefined : options.pullMissing,
        localOnly: plan.from.localOnly,
        signal: options.signal,
      }).catch((error: unknown) => {
        if (pathLike && error instanceof ModelNotFound) throw new SourceMissing('FROM', plan.from.kind === 'model' ? plan.from.arg : '');
        throw error;
      });
      run.checkCancelled();
      await run.pinDigests(manifestDigests(manifest));
      base = await readBaseModel(modelsDir, manifest, options.signal);
      for (const layer of base.layers) {
        const role = layerRole(layer.mediaType);
        run.emit({ kind: 'layer', id: `base:${layer.digest}`, label: `${role} (${base.shortName})`, state: 'done', completed: layer.size, total: layer.size, mediaType: layer.mediaType, digest: layer.digest, reused: true });
      }
    } else {
      await run.pinDigests([]);
    }

    const fileLayers: ManifestLayer[] = [];
    for (const unit of units.from) fileLayers.push(await run.importUnit(unit, 'from'));
    const adapterLayers: ManifestLayer[] = [];
    for (const unit of units.adapters) adapterLayers.push(await run.importUnit(unit, 'adapter'));
    const draftLayers: ManifestLayer[] = [];
    for (const unit of units.drafts) draftLayers.push(await run.importUnit(unit, 'draft'));

    const { config, defaultParams } = buildConfig({
      base: base?.config,
      remote: plan.from.kind === 'remote' ? { host: CLOUD_REMOTE_HOST, model: plan.from.reference } : undefined,
      renderer: plan.renderer,
      parser: plan.parser,
      requires: plan.requires,
      layers: base ? base.ggufLayers : units.from.map(factsOf),
      drafts: units.drafts.map(factsOf),
      modelfileSetsStop: Object.prototype.hasOwnProperty.call(plan.params, 'stop'),
    });
    const params: Record<string, ParamsBlobValue> = { ...defaultParams, ...plan.params };

    const assembled = assembleLayers({
      base: base ? base.layers : fileLayers,
      adapters: adapterLayers,
      drafts: draftLayers,
      template: plan.template,
      system: plan.system,
      licenses: plan.licenses,
      params,
      inheritedParams: base?.params ?? new Map(),
      messages: plan.messages,
    });
    for (const blob of assembled.blobs) await run.writeBytes(blob.bytes, blob.digest, blob.mediaType, blob.label);

    const configBytes = encodeConfigBytes(config);
    const configDigest = `sha256:${sha256Hex(configBytes)}`;
    await run.writeBytes(configBytes, configDigest, CONFIG_MEDIA_TYPE, 'config');
    const manifest: OllamaManifest = {
      schemaVersion: 2,
      mediaType: MANIFEST_MEDIA_TYPE,
      config: { mediaType: CONFIG_MEDIA_TYPE, digest: configDigest, size: configBytes.byteLength },
      // Go would write null for a model without layers (a bare :cloud reference); [] reads everywhere.
      layers: assembled.layers,
    };
    const manifestBytes = encodeManifestBytes(manifest);

    run.checkCancelled();
    run.emit({ kind: 'writing-manifest' });
    const written = await writeManifest(modelsDir, target, manifestBytes, {
      op: 'create',
      timeoutMs: options.lockTimeoutMs,
    });
    const removedBlobs: string[] = [];
    if (written.replaced && written.replaced.id !== written.id && !options.keepUnusedBlobs) {
      await run.release();
      try {
        const removal = await removeOrphanedBlobs(modelsDir, manifestDigests(written.replaced), {
          op: 'create',
          timeoutMs: options.lockTimeoutMs,
        });
        removedBlobs.push(...removal.removed);
      } catch (error) {
        run.warn(
          `warning: the unused layers of the replaced model were not removed (${error instanceof Error ? error.message : String(error)}); ` +
            '`modelfile prune` removes them later',
        );
      }
    }
    run.emit({ kind: 'success', name: written.shortName, digest: written.id });
    return {
      name: written.shortName,
      fullName: nameString({ ...written.name, scheme: '' }),
      digest: written.id,
      manifest,
      config,
      warnings: run.warnings,
      removedBlobs,
    };
  } finally {
    await run.release();
  }
}

/** A Modelfile is text; anything larger is almost certainly a weights file passed with -f by mistake. */
export const MAX_MODELFILE_BYTES = 64 * 1024 * 1024;

export type CreateFromPathOptions = Omit<CreateOptions, 'name' | 'modelfile' | 'modelfileDir'> & {
  /** How to name the file in messages (what the user typed); default the path as given. */
  shownPath?: string;
};

/**
 * Creates a model from a Modelfile on disk; relative paths in it start from its folder. Unlike Ollama's CLI, a
 * missing Modelfile is an error (ModelfileMissing) rather than a silent `FROM .`.
 */
export async function createFromModelfilePath(path: string, name: string, options: CreateFromPathOptions): Promise<CreateResult> {
  const absolute = resolve(path);
  const shown = options.shownPath ?? path;
  let bytes: Uint8Array;
  try {
    const stat = await fsp.stat(absolute);
    if (stat.isFile() && stat.size > MAX_MODELFILE_BYTES) {
      throw new ModelfileInvalid(
        `${shown} is ${stat.size} bytes, too large for a Modelfile; to import weights, write \`FROM ${shown}\` in a Modelfile`,
      );
    }
    bytes = await fsp.readFile(absolute);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ModelfileMissing(shown);
    if (code === 'EISDIR') throw new ModelfileInvalid(`${shown} is a folder; name the Modelfile inside it with -f`);
    throw error;
  }
  const { shownPath: _shown, ...rest } = options;
  return createModel({ ...rest, name, modelfile: bytes, modelfileDir: dirname(absolute) });
}
