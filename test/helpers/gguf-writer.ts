// Test-only GGUF writer: builds valid GGUF files (v1–v3, either byte order, any value type, nested arrays, tensor
// infos, alignment padding, a data region) for the reader's tests and other fixtures, plus a low-level byte
// builder for crafting hostile files. Never shipped.
import { open } from 'node:fs/promises';
import type { GgufValueType } from '../../core/gguf';

/** A value to write; arrays give their element type and elements. 64-bit integers may be number or bigint. */
export type GgufWriterValue = number | bigint | boolean | string | GgufWriterArray;

export interface GgufWriterArray {
  readonly elementType: GgufValueType;
  readonly values: readonly GgufWriterValue[];
}

export type GgufWriterKv = readonly [key: string, type: GgufValueType, value: GgufWriterValue];

export interface GgufWriterTensor {
  readonly name: string;
  readonly dims: readonly (number | bigint)[];
  /** ggml tensor type; default 0 (F32). */
  readonly type?: number;
  /** Offset within the data region; default: laid out one after another, aligned. */
  readonly offset?: number | bigint;
}

export interface GgufWriterSpec {
  readonly version?: 1 | 2 | 3;
  readonly bigEndian?: boolean;
  /** Write the magic as "FUGG" (Ollama's big-endian convention) instead of "GGUF". */
  readonly magic?: 'GGUF' | 'FUGG';
  readonly kv?: readonly GgufWriterKv[];
  readonly tensors?: readonly GgufWriterTensor[];
  /** Padding before the data region; should match a `general.alignment` kv if one is given. Default 32. */
  readonly alignment?: number;
  /** The data region: given bytes, or that many zero bytes. Default: the tensors' nominal size when ≤ 1 MiB. */
  readonly dataBytes?: Uint8Array | number;
  /** Write these counts instead of the real ones (for hostile files). */
  readonly tensorCountOverride?: bigint;
  readonly kvCountOverride?: bigint;
}

/** Appends fixed-size numbers and strings in one byte order; `bytes()` returns everything written. `raw` takes
 * bytes or ASCII text ("GGUF"). */
export class GgufByteWriter {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  constructor(
    readonly littleEndian = true,
    readonly version: 1 | 2 | 3 = 3,
  ) {}

  get size(): number {
    return this.length;
  }

  /** Makes room for n more bytes and returns the offset to write them at. */
  private reserve(n: number): number {
    if (this.length + n > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + n));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  raw(bytes: Uint8Array | string): this {
    if (typeof bytes === 'string') bytes = new TextEncoder().encode(bytes);
    const at = this.reserve(bytes.length);
    this.buffer.set(bytes, at);
    return this;
  }

  u8(v: number): this {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
    return this;
  }
  i8(v: number): this {
    const at = this.reserve(1);
    this.view.setInt8(at, v);
    return this;
  }
  u16(v: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, v, this.littleEndian);
    return this;
  }
  i16(v: number): this {
    const at = this.reserve(2);
    this.view.setInt16(at, v, this.littleEndian);
    return this;
  }
  u32(v: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, v, this.littleEndian);
    return this;
  }
  i32(v: number): this {
    const at = this.reserve(4);
    this.view.setInt32(at, v, this.littleEndian);
    return this;
  }
  f32(v: number): this {
    const at = this.reserve(4);
    this.view.setFloat32(at, v, this.littleEndian);
    return this;
  }
  f64(v: number): this {
    const at = this.reserve(8);
    this.view.setFloat64(at, v, this.littleEndian);
    return this;
  }
  u64(v: number | bigint): this {
    const at = this.reserve(8);
    this.view.setBigUint64(at, BigInt(v), this.littleEndian);
    return this;
  }
  i64(v: number | bigint): this {
    const at = this.reserve(8);
    this.view.setBigInt64(at, BigInt(v), this.littleEndian);
    return this;
  }

  /** A GGUF string: uint64 length and bytes; version 1 counts and writes a trailing NUL. */
  str(text: string): this {
    const bytes = new TextEncoder().encode(text);
    if (this.version === 1) {
      this.u64(bytes.length + 1).raw(bytes);
      return this.u8(0);
    }
    return this.u64(bytes.length).raw(bytes);
  }

  /** A value of the given type (without its type id). */
  value(type: GgufValueType, value: GgufWriterValue): this {
    switch (type) {
      case 'uint8':
        return this.u8(asNumber(value));
      case 'int8':
        return this.i8(asNumber(value));
      case 'uint16':
        return this.u16(asNumber(value));
      case 'int16':
        return this.i16(asNumber(value));
      case 'uint32':
        return this.u32(asNumber(value));
      case 'int32':
        return this.i32(asNumber(value));
      case 'float32':
        return this.f32(asNumber(value));
      case 'float64':
        return this.f64(asNumber(value));
      case 'uint64':
        return this.u64(asInteger(value));
      case 'int64':
        return this.i64(asInteger(value));
      case 'bool':
        return this.u8(value === true || value === 1 ? 1 : 0);
      case 'string':
        if (typeof value !== 'string') throw new TypeError(`expected a string, got ${String(value)}`);
        return this.str(value);
      case 'array': {
        const array = asArray(value);
        this.u32(typeId(array.elementType)).u64(array.values.length);
        for (const element of array.values) this.value(array.elementType, element);
        return this;
      }
    }
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

const TYPE_IDS: readonly GgufValueType[] = [
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
];

/** The numeric id of a GGUF value type. */
export function typeId(type: GgufValueType): number {
  return TYPE_IDS.indexOf(type);
}

function asNumber(value: GgufWriterValue): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new TypeError(`expected a number, got ${String(value)}`);
}

function asInteger(value: GgufWriterValue): bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return BigInt(value);
  throw new TypeError(`expected an integer, got ${String(value)}`);
}

function asArray(value: GgufWriterValue): GgufWriterArray {
  if (typeof value === 'object' && value !== null && 'elementType' in value) return value;
  throw new TypeError('an array value needs { elementType, values }');
}

/** Bytes per element used to lay tensors out: F32 4, F16/BF16 2, anything else 1 (nominal; the reader ignores it). */
function nominalBytes(tensor: GgufWriterTensor): bigint {
  const elements = tensor.dims.reduce<bigint>((product, dim) => product * BigInt(dim), 1n);
  const type = tensor.type ?? 0;
  const width = type === 0 ? 4n : type === 1 || type === 30 ? 2n : 1n;
  return elements * width;
}

function align(offset: bigint, alignment: bigint): bigint {
  return offset + ((alignment - (offset % alignment)) % alignment);
}

/** Builds a GGUF file in memory (returned as Uint8Array so that it type-checks with every Node API here). */
export function writeGguf(spec: GgufWriterSpec): Uint8Array {
  const version = spec.version ?? 3;
  const w = new GgufByteWriter(!spec.bigEndian, version);
  const kv = spec.kv ?? [];
  const tensors = spec.tensors ?? [];
  const alignment = BigInt(spec.alignment ?? 32);

  w.raw(spec.magic ?? 'GGUF');
  w.u32(version);
  const tensorCount = spec.tensorCountOverride ?? BigInt(tensors.length);
  const kvCount = spec.kvCountOverride ?? BigInt(kv.length);
  if (version === 1) w.u32(Number(tensorCount)).u32(Number(kvCount));
  else w.u64(tensorCount).u64(kvCount);

  for (const [key, type, value] of kv) {
    w.str(key).u32(typeId(type)).value(type, value);
  }

  let next = 0n;
  for (const tensor of tensors) {
    const offset = tensor.offset !== undefined ? BigInt(tensor.offset) : next;
    w.str(tensor.name).u32(tensor.dims.length);
    for (const dim of tensor.dims) w.u64(dim);
    w.u32(tensor.type ?? 0).u64(offset);
    next = align(offset + nominalBytes(tensor), alignment);
  }

  if (tensors.length > 0 || spec.dataBytes !== undefined) {
    const padding = Number(align(BigInt(w.size), alignment)) - w.size;
    w.raw(new Uint8Array(padding));
    let data: Uint8Array;
    if (spec.dataBytes instanceof Uint8Array) data = spec.dataBytes;
    else if (typeof spec.dataBytes === 'number') data = new Uint8Array(spec.dataBytes);
    else data = new Uint8Array(next <= 1024n * 1024n ? Number(next) : 0);
    w.raw(data);
  }
  return w.bytes();
}

/**
 * Writes a GGUF file; with `padToBytes` the file is extended to that size with a hole (a sparse file on file
 * systems that support them), so multi-gigabyte fixtures cost no disk space. Returns the file size.
 */
export async function writeGgufFile(
  path: string,
  spec: GgufWriterSpec,
  options: { padToBytes?: number } = {},
): Promise<number> {
  const bytes = writeGguf(spec);
  const handle = await open(path, 'w');
  try {
    await handle.write(bytes, 0, bytes.length, 0);
    const size = Math.max(bytes.length, options.padToBytes ?? 0);
    if (size > bytes.length) await handle.truncate(size);
    return size;
  } finally {
    await handle.close();
  }
}
