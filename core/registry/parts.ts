// How a blob transfer is cut into parts (spec §5.3, §5.7): Ollama's size rule — total/16 clamped to 100 MB…1 GB
// (decimal) — or an explicit part size; parts are contiguous, inclusive ranges covering the whole blob.

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

/** Ollama's part size for a blob of `total` bytes. */
export function defaultPartSize(total: number): number {
  return Math.min(MAX_PART_SIZE, Math.max(MIN_PART_SIZE, Math.floor(total / PART_COUNT_TARGET)));
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
