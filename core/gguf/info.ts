// What create, list and show need from a GGUF header: architecture-resolved keys (spec §4.7), the file-type name
// (§4.6), the layer media type a GGUF file becomes (§4.4) and the capabilities it implies (§3.7).
import { ggufFileTypeName } from './file-types';
import { readGguf, type GgufHeader, type GgufReadOptions, type GgufTensorInfo, type GgufValue } from './reader';

export interface GgufInfo {
  readonly version: 1 | 2 | 3;
  readonly littleEndian: boolean;
  readonly fileSize: number;
  /** `general.architecture`, when it is a string. Architecture-prefixed keys use "unknown" when it is missing. */
  readonly architecture: string | undefined;
  /** `general.name`. */
  readonly name: string | undefined;
  /** `general.type` ("model", "adapter", "projector", "mmproj", …). */
  readonly generalType: string | undefined;
  /** `general.file_type`, only when stored as uint32 (as Ollama reads it). */
  readonly fileType: number | undefined;
  /** Ollama's name for the file type; "unknown" for 0, a missing key or a non-uint32 value. */
  readonly fileTypeName: string;
  /** Σ of the product of each tensor's dims; undefined when reading stopped before the tensor infos. */
  readonly parameterCount: number | undefined;
  readonly contextLength: number | undefined;
  readonly embeddingLength: number | undefined;
  readonly blockCount: number | undefined;
  readonly poolingType: number | undefined;
  readonly visionBlockCount: number | undefined;
  readonly audioBlockCount: number | undefined;
  readonly chatTemplate: string | undefined;
  readonly splitCount: number | undefined;
  readonly splitNo: number | undefined;
  readonly tensorCount: number;
  readonly kvCount: number;
  readonly kv: Map<string, GgufValue>;
  readonly tensors: readonly GgufTensorInfo[];
  readonly stoppedAtKey: string | undefined;
  readonly alignment: number;
  readonly tensorDataOffset: number | undefined;
}

/** For `list`: Ollama scans a model's metadata only up to the first `tokenizer.*` key (spec §3.7). */
export function stopAtTokenizerKeys(key: string): boolean {
  return key.startsWith('tokenizer.');
}

/**
 * Looks a key up the way Ollama does: keys starting with `general.` or `tokenizer.` as they are, `split.*` as
 * they are first, and every other key under the architecture prefix (`llama.context_length` for
 * "context_length").
 */
export function lookupGgufKey(kv: ReadonlyMap<string, GgufValue>, key: string): GgufValue | undefined {
  if (key.startsWith('general.') || key.startsWith('tokenizer.')) return kv.get(key);
  if (key.startsWith('split.')) {
    const exact = kv.get(key);
    if (exact !== undefined) return exact;
  }
  return kv.get(`${architectureOf(kv) ?? 'unknown'}.${key}`);
}

function architectureOf(kv: ReadonlyMap<string, GgufValue>): string | undefined {
  const value = kv.get('general.architecture');
  return value?.type === 'string' ? value.value : undefined;
}

function stringOf(value: GgufValue | undefined): string | undefined {
  return value?.type === 'string' ? value.value : undefined;
}

/** A non-negative integer of any integer type that fits a JavaScript number; otherwise undefined. */
export function countOf(value: GgufValue | undefined): number | undefined {
  if (value === undefined) return undefined;
  switch (value.type) {
    case 'uint8':
    case 'int8':
    case 'uint16':
    case 'int16':
    case 'uint32':
    case 'int32':
      return value.value >= 0 ? value.value : undefined;
    case 'uint64':
    case 'int64':
      return value.value >= 0n && value.value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value.value) : undefined;
    default:
      return undefined;
  }
}

/** Summarises a header read by readGguf (already read; no I/O). */
export function ggufInfoFromHeader(header: GgufHeader): GgufInfo {
  const kv = header.kv;
  const fileTypeValue = kv.get('general.file_type');
  const fileType = fileTypeValue?.type === 'uint32' ? fileTypeValue.value : undefined;
  return {
    version: header.version,
    littleEndian: header.littleEndian,
    fileSize: header.fileSize,
    architecture: architectureOf(kv),
    name: stringOf(kv.get('general.name')),
    generalType: stringOf(kv.get('general.type')),
    fileType,
    fileTypeName: ggufFileTypeName(fileType),
    parameterCount: header.parameterCount,
    contextLength: countOf(lookupGgufKey(kv, 'context_length')),
    embeddingLength: countOf(lookupGgufKey(kv, 'embedding_length')),
    blockCount: countOf(lookupGgufKey(kv, 'block_count')),
    poolingType: countOf(lookupGgufKey(kv, 'pooling_type')),
    visionBlockCount: countOf(lookupGgufKey(kv, 'vision.block_count')),
    audioBlockCount: countOf(lookupGgufKey(kv, 'audio.block_count')),
    chatTemplate: stringOf(kv.get('tokenizer.chat_template')),
    splitCount: countOf(lookupGgufKey(kv, 'split.count')),
    splitNo: countOf(lookupGgufKey(kv, 'split.no')),
    tensorCount: header.tensorCount,
    kvCount: header.kvCount,
    kv,
    tensors: header.tensors,
    stoppedAtKey: header.stoppedAtKey,
    alignment: header.alignment,
    tensorDataOffset: header.tensorDataOffset,
  };
}

/** Reads a GGUF file (path) or GGUF bytes and summarises it. Throws GgufInvalid for anything malformed. */
export async function readGgufInfo(
  source: string | Uint8Array | Buffer,
  options: GgufReadOptions = {},
): Promise<GgufInfo> {
  return ggufInfoFromHeader(await readGguf(source, options));
}

export const MEDIA_TYPE_MODEL = 'application/vnd.ollama.image.model';
export const MEDIA_TYPE_PROJECTOR = 'application/vnd.ollama.image.projector';
export const MEDIA_TYPE_ADAPTER = 'application/vnd.ollama.image.adapter';

export type GgufLayerMediaType = typeof MEDIA_TYPE_MODEL | typeof MEDIA_TYPE_PROJECTOR | typeof MEDIA_TYPE_ADAPTER;

/**
 * The layer media type a GGUF file becomes on create (spec §4.4): `general.type` "adapter" → adapter;
 * "projector"/"mmproj", or a vision block count without a block count, or architecture "clip" without a block
 * count but with a vision or audio encoder flag → projector; anything else → model.
 */
export function layerMediaTypeFor(info: GgufInfo): GgufLayerMediaType {
  if (info.generalType === 'adapter') return MEDIA_TYPE_ADAPTER;
  if (info.generalType === 'projector' || info.generalType === 'mmproj') return MEDIA_TYPE_PROJECTOR;
  const blockCount = info.blockCount ?? 0;
  if (blockCount === 0 && (info.visionBlockCount ?? 0) > 0) return MEDIA_TYPE_PROJECTOR;
  if (info.architecture === 'clip' && blockCount === 0) {
    const flag = (key: string): boolean => {
      const value = lookupGgufKey(info.kv, key);
      return value?.type === 'bool' && value.value;
    };
    if (flag('has_vision_encoder') || flag('has_audio_encoder')) return MEDIA_TYPE_PROJECTOR;
  }
  return MEDIA_TYPE_MODEL;
}

export type GgufCapability = 'completion' | 'embedding' | 'vision';

/**
 * Capabilities a model's GGUF implies (spec §3.7): `<arch>.pooling_type` present → embedding, else completion;
 * `<arch>.vision.block_count` present, or a projector layer beside the model → vision. Presence, not value,
 * decides — as in Ollama. Capabilities that come from the template (tools, thinking, insert) are not decided here.
 */
export function capabilitiesFromGguf(info: GgufInfo, options: { hasProjector?: boolean } = {}): GgufCapability[] {
  const capabilities: GgufCapability[] = [];
  capabilities.push(lookupGgufKey(info.kv, 'pooling_type') !== undefined ? 'embedding' : 'completion');
  if (lookupGgufKey(info.kv, 'vision.block_count') !== undefined || options.hasProjector === true) {
    capabilities.push('vision');
  }
  return capabilities;
}
