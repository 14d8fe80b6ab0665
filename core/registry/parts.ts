// How a blob transfer is cut into parts: for uploads Ollama's size rule (spec §5.4, §5.7) — total/16 clamped to
// 100 MB…1 GB (decimal) — because Ollama's registry maps upload parts onto its storage; for downloads smaller parts
// (total/256 clamped to 32 MiB…1 GB), because a pull hashes in order and a part can only be hashed once all parts
// before it are complete: with a few big parts in flight most of the blob waits to be hashed until the transfer
// ends (bench/pull.bench.ts measured ~30 % longer pulls with Ollama's rule). An explicit part size wins. Parts are
// contiguous, inclusive ranges covering the whole blob.

/** Ollama's part-count target and size clamp. */
export const PART_COUNT_TARGET = 16;
export const MIN_PART_SIZE = 100_000_000;
export const MAX_PART_SIZE = 1_000_000_000;

/** One part: bytes `start`…`end` inclusive. */
export interface PartRange {
  index: number;
  start: number;
  end: number;
}

/** The download rule: at most this many parts per blob, none smaller than DOWNLOAD_MIN_PART_SIZE. */
export const DOWNLOAD_PART_COUNT_TARGET = 256;
export const DOWNLOAD_MIN_PART_SIZE = 32 * 1024 * 1024;

/** Ollama's part size for a blob of `total` bytes (used for uploads). */
export function defaultPartSize(total: number): number {
  return Math.min(MAX_PART_SIZE, Math.max(MIN_PART_SIZE, Math.floor(total / PART_COUNT_TARGET)));
}

/** The part size for downloading a blob of `total` bytes. */
export function defaultDownloadPartSize(total: number): number {
  return Math.min(MAX_PART_SIZE, Math.max(DOWNLOAD_MIN_PART_SIZE, Math.ceil(total / DOWNLOAD_PART_COUNT_TARGET)));
}

/** Cuts `total` bytes into parts of `partSize` (default: Ollama's rule). Zero bytes give no parts. */
export function planParts(total: number, partSize?: number): PartRange[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError(`invalid blob size ${total}`);
  const size = Math.max(1, Math.floor(partSize && partSize > 0 ? partSize : defaultPartSize(total)));
  const parts: PartRange[] = [];
  for (let start = 0, index = 0; start < total; start += size, index++) {
    parts.push({ index, start, end: Math.min(total, start + size) - 1 });
  }
  return parts;
}
