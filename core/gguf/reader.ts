// Bounded reader of GGUF headers (spec §4.7): magic, version, key-value metadata and tensor infos, from a file path
// or a byte array. Reads through one fixed-size window, never touches tensor data, checks every count and length
// against the bytes that remain, and reports anything malformed as GgufInvalid — never another exception.
import { open, type FileHandle } from 'node:fs/promises';
import { Cancelled, GgufInvalid } from '../errors';

/** GGUF value types by their numeric id (0–12). */
export const GGUF_VALUE_TYPES = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'bool',
  'string',
  'array',
  'uint64',
  'int64',
  'float64',
] as const;

export type GgufValueType = (typeof GGUF_VALUE_TYPES)[number];
export type GgufNumberType = 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64';

/** One metadata value. 64-bit integers stay exact as bigint. */
export type GgufValue =
  | { readonly type: GgufNumberType; readonly value: number }
  | { readonly type: 'uint64' | 'int64'; readonly value: bigint }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | GgufArray;

/** An array value; `values` is undefined when the array was longer than `maxArrayElements` and was skipped. */
export interface GgufArray {
  readonly type: 'array';
  readonly elementType: GgufValueType;
  readonly length: number;
  readonly values: readonly GgufValue[] | undefined;
}

export interface GgufTensorInfo {
  readonly name: string;
  /** One to four dimensions (none for a scalar). */
  readonly dims: readonly number[];
  /** ggml tensor type id. */
  readonly type: number;
  /** Offset of the tensor's data, relative to the start of the data region. */
  readonly offset: number;
}

export interface GgufReadOptions {
  /** Arrays with more elements than this are skipped by size and returned without values. Default 1024. */
  maxArrayElements?: number;
  /** Called with each key before its value is read; returning true stops reading there (no tensor infos). */
  stopAtKey?: (key: string) => boolean;
  /** Read the tensor infos (and so the parameter count). Default true. */
  readTensors?: boolean;
  /** Size of the read window in bytes, kept within 64 B–16 MiB and never above the file size. Default 256 KiB. */
  windowBytes?: number;
  /** Name used in error messages; defaults to the path, or "<buffer>" for bytes. */
  name?: string;
  signal?: AbortSignal;
}

export interface GgufHeader {
  readonly version: 1 | 2 | 3;
  readonly littleEndian: boolean;
  readonly fileSize: number;
  readonly tensorCount: number;
  readonly kvCount: number;
  /** Keys in file order; a repeated key keeps its first position and its last value (as in Ollama). */
  readonly kv: Map<string, GgufValue>;
  /** Empty when tensor infos were not read (stopped early or `readTensors: false`). */
  readonly tensors: readonly GgufTensorInfo[];
  /** Σ over tensors of the product of their dims; undefined when tensor infos were not read. */
  readonly parameterCount: number | undefined;
  /** The key at which `stopAtKey` stopped the reading. */
  readonly stoppedAtKey: string | undefined;
  /** `general.alignment` (uint32) or 32. */
  readonly alignment: number;
  /** Absolute offset of the tensor data region; undefined when tensor infos were not read. */
  readonly tensorDataOffset: number | undefined;
}

/** Ollama's limits (spec §4.7), plus bounds that keep a hostile header from costing memory or time. */
export const GGUF_LIMITS = {
  maxStringBytes: 16 * 1024 * 1024,
  maxArrayElements: 64 * 1024 * 1024,
  maxDims: 4,
  maxArrayDepth: 8,
  maxTensorCount: 256 * 1024,
  maxKvCount: 1024 * 1024,
  /** Bytes of metadata kept in memory: string bytes plus a fixed charge per value and per tensor info. */
  maxRetainedBytes: 64 * 1024 * 1024,
} as const;

const DEFAULT_WINDOW = 256 * 1024;
const MIN_WINDOW = 64;
const MAX_WINDOW = 16 * 1024 * 1024;
/** What one kept value or tensor info costs against `maxRetainedBytes`, besides its string bytes. */
const VALUE_CHARGE = 64;
const DEFAULT_MAX_ARRAY = 1024;
const DEFAULT_ALIGNMENT = 32;

/** Smallest encoding of one key-value pair (8-byte key length, 4-byte type, 1-byte value). */
const MIN_KV_BYTES = 13;
/** Smallest encoding of one tensor info (8-byte name length, n_dims, type, offset). */
const MIN_TENSOR_BYTES = 24;

const FIXED_SIZE: Readonly<Record<GgufValueType, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  bool: 1,
  string: 0,
  array: 0,
  uint64: 8,
  int64: 8,
  float64: 8,
};

/** The smallest number of bytes one element of this type occupies. */
function minElementBytes(type: GgufValueType): number {
  if (type === 'string') return 8;
  if (type === 'array') return 12;
  return FIXED_SIZE[type];
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The first four bytes of a little-endian GGUF file, and of a big-endian one as Ollama writes its magic. */
const MAGIC_LE = 'GGUF';
const MAGIC_BE = 'FUGG';

/** True when the bytes start with a GGUF magic ("GGUF", or "FUGG" which Ollama reads as big-endian). */
export function isGgufMagic(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  return magic === MAGIC_LE || magic === MAGIC_BE;
}

/** Checks the first four bytes of a file for the GGUF magic (spec §4.4). File-system errors propagate. */
export async function isGgufFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && isGgufMagic(head);
  } finally {
    await handle.close();
  }
}

/** Reads the header of a GGUF file (path) or GGUF bytes. Throws GgufInvalid for anything malformed. */
export async function readGguf(
  source: string | Uint8Array | Buffer,
  options: GgufReadOptions = {},
): Promise<GgufHeader> {
  const name = options.name ?? (typeof source === 'string' ? source : '<buffer>');
  const bytes = typeof source === 'string' ? await openFileSource(source, name) : bufferSource(source);
  try {
    const requested = options.windowBytes ?? DEFAULT_WINDOW;
    const clamped = Number.isFinite(requested) ? Math.min(MAX_WINDOW, Math.floor(requested)) : DEFAULT_WINDOW;
    const windowBytes = Math.max(MIN_WINDOW, Math.min(clamped, bytes.size));
    const cursor = new Cursor(bytes, windowBytes, name, options.signal);
    return await new HeaderParser(cursor, options).parse();
  } finally {
    await bytes.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Byte sources

interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `target[offset…]`; returns the count read (0 at the end). */
  readAt(target: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

function bufferSource(data: Uint8Array | Buffer): ByteSource {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return {
    size: bytes.length,
    readAt: (target, offset, length, position) => {
      const end = Math.min(bytes.length, position + length);
      if (position >= end) return Promise.resolve(0);
      target.set(bytes.subarray(position, end), offset);
      return Promise.resolve(end - position);
    },
    close: () => Promise.resolve(),
  };
}

async function openFileSource(path: string, name: string): Promise<ByteSource> {
  const handle: FileHandle = await open(path, 'r');
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new GgufInvalid(name, 'not a regular file');
    return {
      size: stat.size,
      readAt: async (target, offset, length, position) => {
        let total = 0;
        while (total < length) {
          const { bytesRead } = await handle.read(target, offset + total, length - total, position + total);
          if (bytesRead === 0) break;
          total += bytesRead;
        }
        return total;
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cursor: a position in the source plus one window of buffered bytes

class Cursor {
  /** Absolute position of the next byte to read. */
  pos = 0;
  littleEndian = true;
  /** What is being read, for error messages ("key #3", "value of key 'general.name'"). */
  context = 'the file header';
  private readonly window: Uint8Array;
  private readonly view: DataView;
  /** The window holds the source bytes [start, end). */
  private start = 0;
  private end = 0;

  constructor(
    private readonly source: ByteSource,
    windowBytes: number,
    readonly name: string,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.window = new Uint8Array(windowBytes);
    this.view = new DataView(this.window.buffer);
  }

  get size(): number {
    return this.source.size;
  }

  get remaining(): number {
    return this.source.size - this.pos;
  }

  invalid(reason: string): GgufInvalid {
    return new GgufInvalid(this.name, reason);
  }

  truncated(): GgufInvalid {
    return this.invalid(`truncated at byte ${this.size} while reading ${this.context}`);
  }

  /** True when the next n bytes are already in the window. */
  has(n: number): boolean {
    return this.pos >= this.start && this.pos + n <= this.end;
  }

  /** Makes the next n bytes (n ≤ window size) available in the window. */
  async need(n: number): Promise<void> {
    if (this.has(n)) return;
    if (n > this.remaining) throw this.truncated();
    this.checkAborted();
    const length = Math.min(this.window.length, this.remaining);
    const got = await this.source.readAt(this.window, 0, length, this.pos);
    this.start = this.pos;
    this.end = this.pos + got;
    // The file shrank while being read.
    if (got < n) throw this.truncated();
  }

  /** Moves past n bytes without reading them. */
  skip(n: number): void {
    if (n > this.remaining) throw this.truncated();
    this.pos += n;
  }

  /** Reads n bytes and decodes them as UTF-8 (invalid sequences become U+FFFD); `keep` ≤ n bytes are decoded. */
  async text(n: number, keep: number): Promise<string> {
    if (n > this.remaining) throw this.truncated();
    if (n <= this.window.length) {
      await this.need(n);
      const at = this.pos - this.start;
      this.pos += n;
      return Buffer.from(this.window.buffer, at, keep).toString('utf8');
    }
    this.checkAborted();
    const out = new Uint8Array(n);
    const got = await this.source.readAt(out, 0, n, this.pos);
    if (got < n) throw this.truncated();
    this.pos += n;
    return Buffer.from(out.buffer, 0, keep).toString('utf8');
  }

  /**
   * Skips up to `count` strings whose length field and bytes start inside the window, synchronously; stops at the
   * window's end or at any length that needs a closer look (too long, past the end of the file, or an empty
   * version 1 string), leaving that one to the careful path. Returns the number skipped.
   */
  skipStringsInWindow(count: number, maxBytes: number, version1: boolean): number {
    const low = this.littleEndian ? 0 : 4;
    const high = this.littleEndian ? 4 : 0;
    let done = 0;
    while (done < count && this.has(8)) {
      const at = this.pos - this.start;
      const length = this.view.getUint32(at + low, this.littleEndian);
      if (this.view.getUint32(at + high, this.littleEndian) !== 0 || length > maxBytes) break;
      if (8 + length > this.remaining || (version1 && length === 0)) break;
      this.pos += 8 + length;
      done++;
    }
    return done;
  }

  private checkAborted(): void {
    if (this.signal?.aborted) throw new Cancelled('reading GGUF metadata');
  }

  // Fixed-size reads: the caller has made the bytes available with need() or has().
  private at(n: number): number {
    const offset = this.pos - this.start;
    this.pos += n;
    return offset;
  }
  u8(): number {
    return this.view.getUint8(this.at(1));
  }
  i8(): number {
    return this.view.getInt8(this.at(1));
  }
  u16(): number {
    return this.view.getUint16(this.at(2), this.littleEndian);
  }
  i16(): number {
    return this.view.getInt16(this.at(2), this.littleEndian);
  }
  u32(): number {
    return this.view.getUint32(this.at(4), this.littleEndian);
  }
  i32(): number {
    return this.view.getInt32(this.at(4), this.littleEndian);
  }
  f32(): number {
    return this.view.getFloat32(this.at(4), this.littleEndian);
  }
  f64(): number {
    return this.view.getFloat64(this.at(8), this.littleEndian);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.at(8), this.littleEndian);
  }
  i64(): bigint {
    return this.view.getBigInt64(this.at(8), this.littleEndian);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

/** A key or tensor name quoted for a message, shortened so a hostile name cannot flood the message. */
function quote(text: string): string {
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(short).replace(/^"|"$/g, "'");
}

function typeName(id: number): GgufValueType | undefined {
  return GGUF_VALUE_TYPES[id];
}

function mib(bytes: number): string {
  return `${bytes / (1024 * 1024)} MiB`;
}

class HeaderParser {
  private version: 1 | 2 | 3 = 3;
  private retained = 0;
  private readonly maxArray: number;

  constructor(
    private readonly c: Cursor,
    private readonly options: GgufReadOptions,
  ) {
    const max = options.maxArrayElements ?? DEFAULT_MAX_ARRAY;
    this.maxArray = Number.isNaN(max) ? DEFAULT_MAX_ARRAY : Math.max(0, max);
  }

  async parse(): Promise<GgufHeader> {
    const c = this.c;
    if (c.size === 0) throw c.invalid('the file is empty');
    c.context = 'the magic number';
    await c.need(4);
    const magic = [c.u8(), c.u8(), c.u8(), c.u8()];
    if (!isGgufMagic(Uint8Array.from(magic))) {
      const shown = magic.map((b) => b.toString(16).padStart(2, '0')).join(' ');
      throw c.invalid(`the file does not start with the GGUF magic ("GGUF"), found bytes ${shown}`);
    }

    c.context = 'the version';
    await c.need(4);
    const raw = c.u32();
    const swapped = ((raw & 0xff) << 24) | ((raw & 0xff00) << 8) | ((raw >>> 8) & 0xff00) | (raw >>> 24);
    const swappedU = swapped >>> 0;
    if (raw >= 1 && raw <= 3) {
      this.version = raw as 1 | 2 | 3;
    } else if (swappedU >= 1 && swappedU <= 3) {
      this.version = swappedU as 1 | 2 | 3;
      c.littleEndian = false;
    } else {
      throw c.invalid(`unsupported GGUF version ${raw} (this reader knows versions 1, 2 and 3)`);
    }

    c.context = 'the tensor and key-value counts';
    let tensorCountBig: bigint;
    let kvCountBig: bigint;
    if (this.version === 1) {
      await c.need(8);
      tensorCountBig = BigInt(c.u32());
      kvCountBig = BigInt(c.u32());
    } else {
      await c.need(16);
      tensorCountBig = c.u64();
      kvCountBig = c.u64();
    }
    if (tensorCountBig > BigInt(GGUF_LIMITS.maxTensorCount)) {
      throw c.invalid(`tensor count ${tensorCountBig} exceeds the limit of ${GGUF_LIMITS.maxTensorCount}`);
    }
    if (kvCountBig > BigInt(GGUF_LIMITS.maxKvCount)) {
      throw c.invalid(`key-value count ${kvCountBig} exceeds the limit of ${GGUF_LIMITS.maxKvCount}`);
    }
    const tensorCount = Number(tensorCountBig);
    const kvCount = Number(kvCountBig);
    const needed = tensorCount * MIN_TENSOR_BYTES + kvCount * MIN_KV_BYTES;
    if (needed > c.remaining) {
      throw c.invalid(
        `${kvCount} key-value pairs and ${tensorCount} tensor infos cannot fit in the ${c.remaining} bytes ` +
          `that follow the header (they need at least ${needed})`,
      );
    }

    const kv = new Map<string, GgufValue>();
    let stoppedAtKey: string | undefined;
    for (let i = 0; i < kvCount; i++) {
      c.context = `key #${i}`;
      const key = await this.readString();
      if (this.options.stopAtKey?.(key)) {
        stoppedAtKey = key;
        break;
      }
      c.context = `the value type of key ${quote(key)}`;
      await c.need(4);
      const typeId = c.u32();
      const type = typeName(typeId);
      if (type === undefined) throw c.invalid(`key ${quote(key)} has unknown value type ${typeId}`);
      c.context = `the value of key ${quote(key)}`;
      kv.set(key, await this.readValue(type, 0));
    }

    const alignmentValue = kv.get('general.alignment');
    const alignment = alignmentValue?.type === 'uint32' ? alignmentValue.value : DEFAULT_ALIGNMENT;
    if (alignment === 0) throw c.invalid('general.alignment is 0; it must be a positive number of bytes');

    const tensors: GgufTensorInfo[] = [];
    let parameterCount: number | undefined;
    let tensorDataOffset: number | undefined;
    if (stoppedAtKey === undefined && this.options.readTensors !== false) {
      let total = 0n;
      for (let i = 0; i < tensorCount; i++) {
        c.context = `the name of tensor #${i}`;
        const name = await this.readString();
        c.context = `tensor ${quote(name)}`;
        await c.need(4);
        const nDims = c.u32();
        if (nDims > GGUF_LIMITS.maxDims) {
          throw c.invalid(`tensor ${quote(name)} has ${nDims} dimensions; GGUF allows at most ${GGUF_LIMITS.maxDims}`);
        }
        await c.need(nDims * 8 + 12);
        const dims: number[] = [];
        let elements = 1n;
        for (let d = 0; d < nDims; d++) {
          const dim = c.u64();
          if (dim > MAX_SAFE) throw c.invalid(`tensor ${quote(name)} has a dimension of ${dim} elements`);
          dims.push(Number(dim));
          elements *= dim;
        }
        const type = c.u32();
        const offset = c.u64();
        if (offset > MAX_SAFE) throw c.invalid(`tensor ${quote(name)} has a data offset of ${offset}`);
        total += elements;
        if (total > MAX_SAFE) {
          throw c.invalid(`the parameter count exceeds 2^53 at tensor ${quote(name)}`);
        }
        this.retain(VALUE_CHARGE);
        tensors.push({ name, dims, type, offset: Number(offset) });
      }
      parameterCount = Number(total);
      tensorDataOffset = c.pos + ((alignment - (c.pos % alignment)) % alignment);
    }

    return {
      version: this.version,
      littleEndian: c.littleEndian,
      fileSize: c.size,
      tensorCount,
      kvCount,
      kv,
      tensors,
      parameterCount,
      stoppedAtKey,
      alignment,
      tensorDataOffset,
    };
  }

  private retain(bytes: number): void {
    this.retained += bytes;
    if (this.retained > GGUF_LIMITS.maxRetainedBytes) {
      throw this.c.invalid(
        `metadata kept in memory exceeds ${mib(GGUF_LIMITS.maxRetainedBytes)} while reading ${this.c.context}`,
      );
    }
  }

  /** Reads a string's length and checks it against the limit and the bytes that remain. */
  private async stringLength(): Promise<number> {
    const c = this.c;
    if (!c.has(8)) await c.need(8);
    const length = c.u64();
    if (length > BigInt(GGUF_LIMITS.maxStringBytes)) {
      throw c.invalid(
        `string of ${length} bytes exceeds the ${mib(GGUF_LIMITS.maxStringBytes)} limit while reading ${c.context}`,
      );
    }
    const n = Number(length);
    if (n > c.remaining) throw c.truncated();
    if (this.version === 1 && n === 0) {
      throw c.invalid(`a version 1 string must end with a NUL byte, found an empty one while reading ${c.context}`);
    }
    return n;
  }

  private async readString(): Promise<string> {
    const n = await this.stringLength();
    this.retain(n + VALUE_CHARGE);
    // Version 1 lengths count a trailing NUL, which Ollama drops.
    return this.c.text(n, this.version === 1 ? n - 1 : n);
  }

  private async skipString(): Promise<void> {
    this.c.skip(await this.stringLength());
  }

  private async readValue(type: GgufValueType, depth: number): Promise<GgufValue> {
    if (type === 'string') return { type, value: await this.readString() };
    if (type === 'array') return this.readArray(depth + 1);
    const size = FIXED_SIZE[type];
    if (!this.c.has(size)) await this.c.need(size);
    return this.readFixed(type);
  }

  /** Reads a fixed-size value whose bytes are in the window. */
  private readFixed(type: Exclude<GgufValueType, 'string' | 'array'>): GgufValue {
    const c = this.c;
    this.retain(VALUE_CHARGE);
    switch (type) {
      case 'uint8':
        return { type, value: c.u8() };
      case 'int8':
        return { type, value: c.i8() };
      case 'uint16':
        return { type, value: c.u16() };
      case 'int16':
        return { type, value: c.i16() };
      case 'uint32':
        return { type, value: c.u32() };
      case 'int32':
        return { type, value: c.i32() };
      case 'float32':
        return { type, value: c.f32() };
      case 'float64':
        return { type, value: c.f64() };
      case 'bool':
        return { type, value: c.u8() !== 0 };
      case 'uint64':
        return { type, value: c.u64() };
      case 'int64':
        return { type, value: c.i64() };
    }
  }

  /** Reads an array's element type and length, checking depth, limit and the bytes that remain. */
  private async arrayHead(depth: number): Promise<{ elementType: GgufValueType; length: number }> {
    const c = this.c;
    if (depth > GGUF_LIMITS.maxArrayDepth) {
      throw c.invalid(`arrays nested more than ${GGUF_LIMITS.maxArrayDepth} levels deep in ${c.context}`);
    }
    if (!c.has(12)) await c.need(12);
    const typeId = c.u32();
    const elementType = typeName(typeId);
    if (elementType === undefined) throw c.invalid(`unknown array element type ${typeId} in ${c.context}`);
    const length = c.u64();
    if (length > BigInt(GGUF_LIMITS.maxArrayElements)) {
      throw c.invalid(
        `array of ${length} elements exceeds the limit of ${GGUF_LIMITS.maxArrayElements} in ${c.context}`,
      );
    }
    const n = Number(length);
    if (n * minElementBytes(elementType) > c.remaining) throw c.truncated();
    return { elementType, length: n };
  }

  private async readArray(depth: number): Promise<GgufArray> {
    const { elementType, length } = await this.arrayHead(depth);
    if (length > this.maxArray) {
      await this.skipElements(elementType, length, depth);
      return { type: 'array', elementType, length, values: undefined };
    }
    this.retain(VALUE_CHARGE);
    const values: GgufValue[] = [];
    if (elementType === 'string' || elementType === 'array') {
      for (let i = 0; i < length; i++) values.push(await this.readValue(elementType, depth));
    } else {
      // Fixed-size elements: await only when the window needs refilling.
      const size = FIXED_SIZE[elementType];
      for (let i = 0; i < length; i++) {
        if (!this.c.has(size)) await this.c.need(size);
        values.push(this.readFixed(elementType));
      }
    }
    return { type: 'array', elementType, length, values };
  }

  private async skipElements(elementType: GgufValueType, length: number, depth: number): Promise<void> {
    const c = this.c;
    if (elementType === 'string') {
      let done = 0;
      while (done < length) {
        done += c.skipStringsInWindow(length - done, GGUF_LIMITS.maxStringBytes, this.version === 1);
        if (done < length) {
          await this.skipString();
          done++;
        }
      }
    } else if (elementType === 'array') {
      for (let i = 0; i < length; i++) {
        const inner = await this.arrayHead(depth + 1);
        await this.skipElements(inner.elementType, inner.length, depth + 1);
      }
    } else {
      c.skip(length * FIXED_SIZE[elementType]);
    }
  }
}
