// Merging the shards of a split GGUF into one GGUF stream, as Ollama stores split imports (one model layer, so that
// every Ollama version can load it). The first shard's metadata is copied byte for byte without the `split.*`
// keys, the tensor infos of all shards follow with offsets moved into one data region, and each shard's tensor
// data region is copied after the other at an aligned position — no tensor is decoded or re-encoded.
import { promises as fsp } from 'node:fs';
import { Cancelled, GgufInvalid, ModelfileInvalid } from '../errors';
import type { InspectedGguf } from './inspect';

const SPLIT_KEYS = ['split.no', 'split.count', 'split.tensors.count'];
const COPY_CHUNK = 4 * 1024 * 1024;
/** The metadata of the first shard is held in memory while merging; real headers are a few MiB. */
const MAX_HEADER_BYTES = 512 * 1024 * 1024;

function align(n: number, alignment: number): number {
  return n + ((alignment - (n % alignment)) % alignment);
}

/** Fixed sizes of GGUF value types 0–12 (string and array are variable: -1). */
const FIXED_SIZES = [1, 1, 2, 2, 4, 4, 4, 1, -1, -1, 8, 8, 8];

class HeaderScanner {
  pos = 0;
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly name: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new GgufInvalid(this.name, 'the metadata ends early');
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, this.littleEndian);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, this.littleEndian);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufInvalid(this.name, 'a length in the metadata is too large');
    return Number(v);
  }

  string(): string {
    const length = this.u64();
    this.need(length);
    const text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.pos, length).toString('utf8');
    this.pos += length;
    return text;
  }

  skipValue(type: number): void {
    if (type === 8) {
      const length = this.u64();
      this.need(length);
      this.pos += length;
      return;
    }
    if (type === 9) {
      const elementType = this.u32();
      const count = this.u64();
      const fixed = FIXED_SIZES[elementType];
      if (fixed !== undefined && fixed > 0) {
        this.need(count * fixed);
        this.pos += count * fixed;
      } else {
        for (let i = 0; i < count; i++) this.skipValue(elementType);
      }
      return;
    }
    const fixed = FIXED_SIZES[type];
    if (fixed === undefined || fixed < 0) throw new GgufInvalid(this.name, `unknown metadata value type ${type}`);
    this.need(fixed);
    this.pos += fixed;
  }
}

async function readRange(path: string, start: number, length: number): Promise<Uint8Array> {
  const handle = await fsp.open(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, start + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buffer.subarray(0, done);
  } finally {
    await handle.close();
  }
}

class ByteBuilder {
  private chunks: Uint8Array[] = [];
  length = 0;

  constructor(private readonly littleEndian: boolean) {}

  bytes(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  u32(v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, this.littleEndian);
    this.bytes(b);
  }

  u64(v: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), this.littleEndian);
    this.bytes(b);
  }

  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.bytes(new Uint8Array(b.buffer, b.byteOffset, b.length));
  }

  build(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/** A planned merge: the new header and where each shard's data region goes. */
export interface SplitMerge {
  header: Uint8Array;
  /** For each shard: its file, the start and length of its data region, and zero bytes to write after it. */
  regions: Array<{ path: string; start: number; length: number; padding: number }>;
  size: number;
}

/** Plans the merge of ordered shards (as grouped by inspect.ts). Throws ModelfileInvalid/GgufInvalid. */
export async function planSplitMerge(shards: readonly InspectedGguf[]): Promise<SplitMerge> {
  const first = shards[0];
  if (first === undefined) throw new ModelfileInvalid('invalid split GGUF: no shards');
  const { info } = first;
  const name = first.file.rel;
  if (info.version < 2) throw new ModelfileInvalid(`invalid split GGUF: "${name}" is GGUF version 1, which cannot be split`);
  for (const shard of shards) {
    if (shard.info.littleEndian !== info.littleEndian) {
      throw new ModelfileInvalid(`invalid split GGUF: "${shard.file.rel}" byte order does not match "${name}"`);
    }
  }
  const dataOffset = info.tensorDataOffset ?? info.fileSize;
  if (dataOffset > MAX_HEADER_BYTES) throw new GgufInvalid(name, 'the metadata is too large to merge');
  const raw = await readRange(first.file.path, 0, dataOffset);
  const scanner = new HeaderScanner(raw, info.littleEndian, name);
  scanner.pos = 8; // magic + version
  scanner.u64(); // tensor count
  const kvCount = scanner.u64();
  const architecture = info.architecture ?? '';
  const dropped = new Set([...SPLIT_KEYS, ...SPLIT_KEYS.map((k) => `${architecture}.${k}`)]);
  const kept: Uint8Array[] = [];
  let keptCount = 0;
  for (let i = 0; i < kvCount; i++) {
    const start = scanner.pos;
    const key = scanner.string();
    scanner.skipValue(scanner.u32());
    if (dropped.has(key)) continue;
    kept.push(raw.subarray(start, scanner.pos));
    keptCount++;
  }

  const alignment = info.alignment;
  const regions: SplitMerge['regions'] = [];
  const out = new ByteBuilder(info.littleEndian);
  out.bytes(raw.subarray(0, 8));
  out.u64(shards.reduce((n, s) => n + s.info.tensors.length, 0));
  out.u64(keptCount);
  for (const kv of kept) out.bytes(kv);
  let base = 0;
  for (const [index, shard] of shards.entries()) {
    const start = shard.info.tensorDataOffset ?? shard.info.fileSize;
    const length = Math.max(0, shard.info.fileSize - start);
    for (const tensor of shard.info.tensors) {
      if (tensor.offset % alignment !== 0) {
        throw new ModelfileInvalid(
          `invalid split GGUF: tensor ${JSON.stringify(tensor.name)} of "${shard.file.rel}" is not aligned to ${alignment} bytes`,
        );
      }
      out.string(tensor.name);
      out.u32(tensor.dims.length);
      for (const dim of tensor.dims) out.u64(dim);
      out.u32(tensor.type);
      out.u64(base + tensor.offset);
    }
    const last = index === shards.length - 1;
    const padding = last ? 0 : align(base + length, alignment) - (base + length);
    regions.push({ path: shard.file.path, start, length, padding });
    base += length + padding;
  }
  const headerLength = align(out.length, alignment);
  out.bytes(new Uint8Array(headerLength - out.length));
  const header = out.build();
  return { header, regions, size: header.length + base };
}

/** The merged GGUF bytes, read shard by shard. Stops with Cancelled when `signal` aborts. */
export async function* splitMergeStream(merge: SplitMerge, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  yield merge.header;
  for (const region of merge.regions) {
    const handle = await fsp.open(region.path, 'r');
    try {
      let done = 0;
      while (done < region.length) {
        if (signal?.aborted) throw new Cancelled('create');
        const buffer = new Uint8Array(Math.min(COPY_CHUNK, region.length - done));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, region.start + done);
        if (bytesRead === 0) throw new ModelfileInvalid('invalid split GGUF: a shard became shorter while it was read');
        done += bytesRead;
        yield buffer.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
    if (region.padding > 0) yield new Uint8Array(region.padding);
  }
}
