// Reading the GGUF files of a create before anything is copied (spec 4.4, 4.7): each header is read (bounded),
// tensor data that runs past the end of the file is refused as truncated, the layer media type is decided from
// the metadata, and split GGUFs (`<prefix>-0000K-of-0000N.gguf`) are grouped and checked to be complete and
// consistent, so that they can be merged into one layer as Ollama does.
import { posix } from 'node:path';
import { GgufInvalid, ModelfileInvalid } from '../errors';
import { countOf, layerMediaTypeFor, lookupGgufKey, readGgufInfo, type GgufInfo } from '../gguf';
import { LAYER_MEDIA_TYPES } from '../json/ollama-json';
import { tensorByteSize } from './ggml-types';
import type { PlannedFile } from './plan';

export type GgufRole = 'from' | 'adapter' | 'draft';

export interface InspectedGguf {
  file: PlannedFile;
  info: GgufInfo;
  mediaType: string;
}

/** One layer to import: a single GGUF file, or the shards of a split GGUF that are merged into one blob. */
export interface ImportUnit {
  /** The request name of the (first) file; the layer's `from` where Ollama keeps one. */
  rel: string;
  mediaType: string;
  /** `general.architecture`, or "unknown" (as Ollama's KV().Architecture()). */
  architecture: string;
  fileTypeName: string;
  /** Σ over all tensors (of all shards) of the product of their dimensions. */
  parameterCount: number;
  /** Shards in order; one entry for an ordinary file. */
  parts: InspectedGguf[];
}

/** Most shards a split GGUF may have (as Ollama). */
export const MAX_SPLIT_PARTS = 1024;

const SPLIT_NAME = /^(.*)-(\d{5})-of-(\d{5})\.gguf$/;

function architectureOf(info: GgufInfo): string {
  return info.architecture ?? 'unknown';
}

/** Refuses a file whose tensors (of types we know the size of) end beyond the end of the file. */
function checkTensorData(info: GgufInfo, name: string): void {
  if (info.tensors.length === 0 || info.tensorDataOffset === undefined) return;
  if (info.tensorDataOffset > info.fileSize) {
    throw new GgufInvalid(name, `the file ends at byte ${info.fileSize}, before its tensor data starts: it is truncated`);
  }
  for (const tensor of info.tensors) {
    const size = tensorByteSize(tensor.type, tensor.dims);
    if (size === undefined) continue;
    const end = info.tensorDataOffset + tensor.offset + size;
    if (end > info.fileSize) {
      throw new GgufInvalid(
        name,
        `tensor ${JSON.stringify(tensor.name)} ends at byte ${end} but the file has only ${info.fileSize} bytes: it is ` +
          'truncated (an incomplete download?); download it again',
      );
    }
  }
}

/** A non-negative integer metadata value of any integer type, looked up like Ollama (plain, then arch-prefixed). */
function uintOf(info: GgufInfo, key: string): number | undefined {
  // split.* keys are looked up as they are, then under the architecture prefix (as Ollama's splitGGUFUint64).
  return countOf(lookupGgufKey(info.kv, key));
}

function invalidSplit(detail: string): ModelfileInvalid {
  return new ModelfileInvalid(`invalid split GGUF: ${detail}`);
}

interface SplitName {
  prefix: string;
  index: number;
  count: number;
}

function splitName(rel: string): SplitName | undefined {
  const match = SPLIT_NAME.exec(posix.basename(rel));
  if (!match) return undefined;
  const index = Number(match[2]);
  const count = Number(match[3]);
  if (index === 0 || count === 0) return undefined;
  return { prefix: match[1], index: index - 1, count };
}

/** The split-group key of a GGUF, or undefined when it is an ordinary file (split.count absent or ≤ 1). */
function splitKey(part: InspectedGguf): string | undefined {
  const count = uintOf(part.info, 'split.count');
  if (count === undefined || count <= 1) return undefined;
  const rel = part.file.rel;
  if (count > MAX_SPLIT_PARTS) throw invalidSplit(`split GGUF "${rel}" has too many shards: ${count}`);
  const name = splitName(rel);
  if (!name) throw invalidSplit(`split GGUF "${rel}" must use llama.cpp split filename pattern (<name>-00001-of-0000N.gguf)`);
  if (name.count !== count) {
    throw invalidSplit(`split GGUF "${rel}" filename count ${name.count} does not match metadata count ${count}`);
  }
  if (name.index >= count) {
    throw invalidSplit(`split GGUF "${rel}" filename index ${name.index} exceeds metadata count ${count}`);
  }
  const no = uintOf(part.info, 'split.no');
  if (no === undefined) throw invalidSplit(`split GGUF "${rel}" is missing split.no metadata`);
  if (no !== name.index) {
    throw invalidSplit(`split GGUF "${rel}" filename index ${name.index} does not match metadata index ${no}`);
  }
  return `${part.mediaType}\0${posix.dirname(rel)}\0${name.prefix}\0${count}`;
}

function groupUnit(parts: InspectedGguf[]): ImportUnit {
  const first = parts[0];
  const count = splitName(first.file.rel)?.count ?? 0;
  if (parts.length !== count) {
    throw invalidSplit(`split GGUF "${first.file.rel}" has ${parts.length} shards, expected ${count}; add the missing shards`);
  }
  const ordered = new Array<InspectedGguf | undefined>(count).fill(undefined);
  const architecture = architectureOf(first.info);
  const fileType = first.info.fileType;
  let tensorCount: number | undefined;
  for (const part of parts) {
    const rel = part.file.rel;
    const index = splitName(rel)?.index ?? -1;
    if (ordered[index] !== undefined) throw invalidSplit(`split GGUF "${rel}" duplicate shard index ${index}`);
    ordered[index] = part;
    const arch = architectureOf(part.info);
    if (architecture !== 'unknown' && arch !== 'unknown' && arch !== architecture) {
      throw invalidSplit(`split GGUF "${rel}" architecture does not match "${first.file.rel}"`);
    }
    const type = part.info.fileType;
    if (fileType !== undefined && fileType !== 0 && type !== undefined && type !== 0 && type !== fileType) {
      throw invalidSplit(`split GGUF "${rel}" file type does not match "${first.file.rel}"`);
    }
    const declared = uintOf(part.info, 'split.tensors.count');
    if (declared !== undefined) {
      if (tensorCount === undefined) tensorCount = declared;
      else if (tensorCount !== declared) throw invalidSplit(`split GGUF "${rel}" tensor count does not match "${first.file.rel}"`);
    }
  }
  const shards = ordered.filter((p): p is InspectedGguf => p !== undefined);
  const primary = shards[0];
  const names = new Set<string>();
  let total = 0;
  let parameters = 0;
  for (const shard of shards) {
    for (const tensor of shard.info.tensors) {
      if (names.has(tensor.name)) {
        throw invalidSplit(`split GGUF "${shard.file.rel}" contains duplicate tensor ${JSON.stringify(tensor.name)}`);
      }
      names.add(tensor.name);
      total++;
    }
    parameters += shard.info.parameterCount ?? 0;
  }
  if (tensorCount !== undefined && tensorCount !== total) {
    throw invalidSplit(`split GGUF "${primary.file.rel}" has ${total} tensors, expected ${tensorCount}`);
  }
  return {
    rel: primary.file.rel,
    mediaType: primary.mediaType,
    architecture: architectureOf(primary.info),
    fileTypeName: primary.info.fileTypeName,
    parameterCount: parameters,
    parts: shards,
  };
}

/**
 * Reads and checks the GGUF files of one file set (already known to be GGUF by their magic). `role` decides the
 * media type: FROM and ADAPTER files by their metadata (spec 4.4), DRAFT files are always drafts. The result is
 * one import unit per layer, in the set's name order, split shards grouped at the place of their first shard.
 */
export async function inspectGgufSet(
  files: readonly PlannedFile[],
  role: GgufRole,
  signal?: AbortSignal,
): Promise<ImportUnit[]> {
  const sorted = [...files].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  const slots: Array<ImportUnit | string> = [];
  const groups = new Map<string, InspectedGguf[]>();
  for (const file of sorted) {
    const info = await readGgufInfo(file.path, { name: file.rel, signal });
    checkTensorData(info, file.rel);
    const mediaType = role === 'draft' ? LAYER_MEDIA_TYPES.draft : layerMediaTypeFor(info);
    const part: InspectedGguf = { file, info, mediaType };
    const key = splitKey(part);
    if (key === undefined) {
      slots.push({
        rel: file.rel,
        mediaType,
        architecture: architectureOf(info),
        fileTypeName: info.fileTypeName,
        parameterCount: info.parameterCount ?? 0,
        parts: [part],
      });
      continue;
    }
    const group = groups.get(key);
    if (group) group.push(part);
    else {
      groups.set(key, [part]);
      slots.push(key);
    }
  }
  return slots.map((slot) => (typeof slot === 'string' ? groupUnit(groups.get(slot) ?? []) : slot));
}
