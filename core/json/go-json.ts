// Go `encoding/json`-compatible encoding: the exact bytes Ollama's Go code writes for strings, float32/float64
// numbers, maps (keys sorted), structs (field order, omitempty) and arrays, so that a blob we write has the same
// SHA-256 as the one Ollama writes for the same input (spec §3.6). Also the params and messages blobs.
import { StudioError } from '../errors';
import { parameterSpec, type ParameterMap } from '../modelfile/parameters';

/** A JSON value typed the way Go holds it, so that numbers, nil slices and omitempty encode as Go encodes them. */
export type GoValue =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: number | bigint }
  | { readonly kind: 'float32'; readonly value: number }
  | { readonly kind: 'float64'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly GoValue[] }
  | { readonly kind: 'struct'; readonly fields: readonly GoField[] }
  | { readonly kind: 'map'; readonly entries: ReadonlyArray<readonly [string, GoValue]> };

/** One struct field in declaration order; `omitempty` drops it when Go would (false, 0, "", nil, empty slice/map). */
export interface GoField {
  readonly name: string;
  readonly value: GoValue;
  readonly omitempty?: boolean;
}

const NULL: GoValue = { kind: 'null' };

/** Builders for GoValue. `slice`/`strings`/`pointer` map `null`/`undefined` to Go's nil (`null` in JSON). */
export const goValue = {
  null: (): GoValue => NULL,
  bool: (value: boolean): GoValue => ({ kind: 'bool', value }),
  int: (value: number | bigint): GoValue => ({ kind: 'int', value }),
  float32: (value: number): GoValue => ({ kind: 'float32', value }),
  float64: (value: number): GoValue => ({ kind: 'float64', value }),
  string: (value: string): GoValue => ({ kind: 'string', value }),
  slice: (items: readonly GoValue[] | null | undefined): GoValue => (items == null ? NULL : { kind: 'array', items }),
  strings: (items: readonly string[] | null | undefined): GoValue =>
    items == null ? NULL : { kind: 'array', items: items.map((s) => goValue.string(s)) },
  pointer: (value: GoValue | null | undefined): GoValue => value ?? NULL,
  struct: (fields: readonly GoField[]): GoValue => ({ kind: 'struct', fields }),
  field: (name: string, value: GoValue, omitempty = false): GoField => ({ name, value, omitempty }),
  map: (entries: Iterable<readonly [string, GoValue]> | Readonly<Record<string, GoValue>>): GoValue => ({
    kind: 'map',
    entries: isIterable(entries) ? [...entries] : Object.entries(entries),
  }),
};

function isIterable<T>(x: Iterable<T> | object): x is Iterable<T> {
  return typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/** Go's encoder refuses ±Inf and NaN (`json: unsupported value: +Inf`); Ollama's create fails with that text. */
export class JsonUnsupportedValue extends StudioError {
  /** Go's own error text, e.g. `json: unsupported value: NaN`. */
  readonly goMessage: string;

  constructor(readonly value: number) {
    const shown = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
    const goMessage = `json: unsupported value: ${shown}`;
    super('JsonUnsupportedValue', `${goMessage}: JSON cannot hold infinite or NaN numbers; use a finite value`);
    this.goMessage = goMessage;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Strings

const HEX = '0123456789abcdef';

/**
 * A JSON string literal exactly as Go's encoder writes it (HTML-safe mode, Go ≥ 1.22): `"` and `\` escaped,
 * `\b \f \n \r \t` short forms, other controls as `\u00xx`, `< > &` as `\u003c \u003e \u0026`, U+2028/U+2029
 * escaped, and ill-formed UTF-16 (a lone surrogate, which Go would see as invalid UTF-8) as `\ufffd`.
 * (Go before 1.22 wrote `\u0008`/`\u000c` for \b and \f; Ollama is built with a newer Go.)
 */
export function goJsonString(s: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let escaped: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      switch (c) {
        case 0x22:
          escaped = '\\"';
          break;
        case 0x5c:
          escaped = '\\\\';
          break;
        case 0x08:
          escaped = '\\b';
          break;
        case 0x0c:
          escaped = '\\f';
          break;
        case 0x0a:
          escaped = '\\n';
          break;
        case 0x0d:
          escaped = '\\r';
          break;
        case 0x09:
          escaped = '\\t';
          break;
        default:
          escaped = '\\u00' + HEX[c >> 4] + HEX[c & 0xf];
      }
    } else if (c === 0x2028 || c === 0x2029) {
      escaped = c === 0x2028 ? '\\u2028' : '\\u2029';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair stays literal
        continue;
      }
      escaped = '\\ufffd';
    }
    if (escaped !== undefined) {
      out += s.slice(start, i) + escaped;
      start = i + 1;
    }
  }
  return out + s.slice(start) + '"';
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers

/** A positive decimal `0.d1d2d3… × 10^point` (Go's `decimal.dp` convention), digits without trailing zeros. */
interface Decimal {
  digits: string;
  point: number;
}

const FLOAT32_EXP_LOW = Math.fround(1e-6);
const FLOAT32_EXP_HIGH = Math.fround(1e21);

/**
 * A float32 as Go's encoding/json writes it: the shortest decimal that reads back as the same float32, in plain
 * notation unless |x| < 1e-6 or |x| ≥ 1e21 (then `1e-7`, `1.5e+21`). Integers have no decimal point; -0 is `-0`.
 * `x` is first rounded to float32 (Math.fround). Throws JsonUnsupportedValue for ±Inf and NaN.
 */
export function goFloat32(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) throw new JsonUnsupportedValue(f);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const abs = Math.abs(f);
  const exponent = abs < FLOAT32_EXP_LOW || abs >= FLOAT32_EXP_HIGH;
  return formatGo(f < 0, shortestFloat32(abs), exponent);
}

/** A float64 as Go's encoding/json writes it (same rules as goFloat32 at float64 precision). */
export function goFloat64(x: number): string {
  if (!Number.isFinite(x)) throw new JsonUnsupportedValue(x);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const abs = Math.abs(x);
  const exponent = abs < 1e-6 || abs >= 1e21;
  return formatGo(x < 0, decimalOfJsString(String(abs)), exponent);
}

/** Go's `strconv.FormatFloat(x, 'f' | 'e', -1, …)` layout from shortest digits, plus encoding/json's `e-07` → `e-7`. */
function formatGo(negative: boolean, d: Decimal, exponent: boolean): string {
  const sign = negative ? '-' : '';
  const { digits, point } = d;
  if (exponent) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = point - 1;
    // Go writes at least two exponent digits; encoding/json then drops the zero of a negative one-digit exponent.
    const magnitude = Math.abs(e);
    const expDigits = e < 0 ? String(magnitude) : magnitude < 10 ? `0${magnitude}` : String(magnitude);
    return `${sign}${mantissa}e${e < 0 ? '-' : '+'}${expDigits}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Reads JavaScript's shortest round-trip rendering of a positive double (`123.4`, `1.5e-7`, `1e+21`). */
function decimalOfJsString(s: string): Decimal {
  const [mantissa, exp = '0'] = s.split('e');
  const dot = mantissa.indexOf('.');
  const intPart = dot < 0 ? mantissa : mantissa.slice(0, dot);
  const fracPart = dot < 0 ? '' : mantissa.slice(dot + 1);
  let digits = intPart + fracPart;
  let point = intPart.length + Number(exp);
  const lead = digits.length - digits.replace(/^0+/, '').length;
  digits = digits.slice(lead);
  point -= lead;
  return { digits: digits.replace(/0+$/, ''), point };
}

const scratch = new DataView(new ArrayBuffer(4));

/** Shortest digits of a positive finite float32, closest to the exact value when several are equally short. */
function shortestFloat32(x: number): Decimal {
  scratch.setFloat32(0, x);
  const bits = scratch.getUint32(0);
  const biased = (bits >>> 23) & 0xff;
  const fraction = bits & 0x7fffff;
  if (biased === 0) return shortestDecimal(BigInt(fraction), -149, false);
  return shortestDecimal(BigInt(fraction | 0x800000), biased - 150, fraction === 0 && biased > 1);
}

/**
 * Shortest decimal inside the rounding interval of the binary value m·2^e, computed exactly with BigInt.
 * `lowerCloser`: the next smaller value is only half an ulp away (m is a power of two above the minimum exponent).
 * Bounds are inclusive when m is even (round-half-even reads a midpoint back as the even neighbour).
 * Exported for tests (checked against JavaScript's own shortest float64 rendering).
 */
export function shortestDecimal(m: bigint, e: number, lowerCloser: boolean): Decimal {
  // Exact value v = m·2^e = n·10^-k.
  const k = e >= 0 ? 0 : -e;
  const n = e >= 0 ? m << BigInt(e) : m * 5n ** BigInt(k);
  const exact = n.toString();
  const length = exact.length;
  // Interval bounds in units of 2^(e-2): v = 4m, upper = 4m+2, lower = 4m-2 (or 4m-1 at a power of two).
  const upper = 4n * m + 2n;
  const lower = lowerCloser ? 4n * m - 1n : 4n * m - 2n;
  const inclusive = (m & 1n) === 0n;
  // c·10^cut·10^-k is compared with B·2^(e-2) after multiplying both sides by 10^k·2^max(0, 2-e).
  const leftScale = e < 2 ? 1n << BigInt(2 - e) : 1n;
  const rightScale = (e > 2 ? 1n << BigInt(e - 2) : 1n) * 10n ** BigInt(k);
  const low = lower * rightScale;
  const high = upper * rightScale;
  const inside = (c: bigint, unit: bigint): boolean => {
    const scaled = c * unit * leftScale;
    return inclusive ? scaled >= low && scaled <= high : scaled > low && scaled < high;
  };
  for (let p = 1; p < length; p++) {
    const cut = length - p;
    const unit = 10n ** BigInt(cut);
    const down = n / unit;
    const rest = n - down * unit;
    const downOk = inside(down, unit);
    const upOk = inside(down + 1n, unit);
    if (!downOk && !upOk) continue;
    let chosen: bigint;
    if (downOk && upOk) {
      const twice = 2n * rest;
      chosen = twice < unit ? down : twice > unit ? down + 1n : (down & 1n) === 0n ? down : down + 1n;
    } else {
      chosen = downOk ? down : down + 1n;
    }
    const digits = chosen.toString();
    return { digits: digits.replace(/0+$/, ''), point: digits.length + cut - k };
  }
  return { digits: exact.replace(/0+$/, ''), point: length - k };
}

// ---------------------------------------------------------------------------------------------------------------
// Generic encoder

function isEmpty(value: GoValue): boolean {
  switch (value.kind) {
    case 'null':
      return true;
    case 'bool':
      return !value.value;
    case 'int':
      return value.value === 0 || value.value === 0n;
    case 'float32':
    case 'float64':
      return value.value === 0;
    case 'string':
      return value.value === '';
    case 'array':
      return value.items.length === 0;
    case 'map':
      return value.entries.length === 0;
    case 'struct':
      return false;
  }
}

/** A character's code point; a lone surrogate counts as U+FFFD, which is what Go sees in its place. */
function codePoint(ch: string): number {
  const c = ch.codePointAt(0) ?? 0;
  return c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
}

/** Orders strings by their UTF-8 bytes, as Go's strings.Compare does (code point order, not UTF-16 order). */
function compareUtf8(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const cx = codePoint(x[i]);
    const cy = codePoint(y[i]);
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
  return x.length - y.length;
}

function encodeInto(value: GoValue, out: string[]): void {
  switch (value.kind) {
    case 'null':
      out.push('null');
      return;
    case 'bool':
      out.push(value.value ? 'true' : 'false');
      return;
    case 'int': {
      const v = value.value;
      if (typeof v === 'number' && !Number.isSafeInteger(v)) {
        throw new RangeError(`not an exact integer: ${v} (pass a bigint for values beyond 2^53)`);
      }
      out.push(typeof v === 'bigint' ? v.toString() : String(v === 0 ? 0 : v));
      return;
    }
    case 'float32':
      out.push(goFloat32(value.value));
      return;
    case 'float64':
      out.push(goFloat64(value.value));
      return;
    case 'string':
      out.push(goJsonString(value.value));
      return;
    case 'array':
      out.push('[');
      value.items.forEach((item, i) => {
        if (i > 0) out.push(',');
        encodeInto(item, out);
      });
      out.push(']');
      return;
    case 'struct': {
      out.push('{');
      let first = true;
      for (const field of value.fields) {
        if (field.omitempty && isEmpty(field.value)) continue;
        if (!first) out.push(',');
        first = false;
        out.push(goJsonString(field.name), ':');
        encodeInto(field.value, out);
      }
      out.push('}');
      return;
    }
    case 'map': {
      const sorted = [...value.entries].sort((x, y) => compareUtf8(x[0], y[0]));
      out.push('{');
      sorted.forEach(([key, item], i) => {
        if (i > 0) out.push(',');
        out.push(goJsonString(key), ':');
        encodeInto(item, out);
      });
      out.push('}');
      return;
    }
  }
}

/** `json.Marshal`: compact JSON, no trailing newline. */
export function goMarshal(value: GoValue): string {
  const out: string[] = [];
  encodeInto(value, out);
  return out.join('');
}

/** `json.NewEncoder(w).Encode`: compact JSON plus one `\n` (what Ollama writes into blobs). */
export function goEncode(value: GoValue): string {
  return goMarshal(value) + '\n';
}

const encoder = new TextEncoder();

/** UTF-8 bytes of an encoded text (our output never contains lone surrogates, so this is lossless). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Params and messages blobs

/**
 * A params value as held in memory. A plain number is typed by its key's catalog entry: `int` → JSON integer,
 * `float` → float32; a key outside the catalog gets float64 (what Go decodes a JSON number into). Pass a GoValue
 * to choose explicitly, e.g. `goValue.float64(x)` for values inherited from an existing params blob, which Ollama
 * decodes into float64 before writing them back.
 */
export type ParamsBlobValue = ParameterMap[string] | string | GoValue;

function paramGoValue(key: string, value: ParamsBlobValue): GoValue {
  if (typeof value === 'object' && !Array.isArray(value) && value !== null && 'kind' in value) return value;
  if (Array.isArray(value)) return goValue.strings(value as readonly string[]);
  if (typeof value === 'boolean') return goValue.bool(value);
  if (typeof value === 'string') return goValue.string(value);
  if (typeof value === 'bigint') return goValue.int(value);
  const type = parameterSpec(key)?.type;
  if (typeof value === 'number') {
    if (type === 'int' && Number.isSafeInteger(value)) return goValue.int(value);
    if (type === 'float') return goValue.float32(value);
    return goValue.float64(value);
  }
  return NULL;
}

/** The params map as a GoValue (a Go map: keys sorted by their UTF-8 bytes). */
export function paramsGoValue(params: Readonly<Record<string, ParamsBlobValue>>): GoValue {
  return goValue.map(Object.entries(params).map(([k, v]) => [k, paramGoValue(k, v)] as const));
}

/** The `application/vnd.ollama.image.params` blob text: compact JSON, sorted keys, trailing `\n`. */
export function encodeParams(params: Readonly<Record<string, ParamsBlobValue>>): string {
  return goEncode(paramsGoValue(params));
}

/** encodeParams as UTF-8 bytes. */
export function encodeParamsBytes(params: Readonly<Record<string, ParamsBlobValue>>): Uint8Array {
  return utf8(encodeParams(params));
}

/** One entry of the messages blob. */
export interface ChatMessage {
  role: string;
  content: string;
}

/** The `application/vnd.ollama.image.messages` blob text: `[{"role":…,"content":…},…]` plus `\n`. */
export function encodeMessages(messages: readonly ChatMessage[]): string {
  return goEncode(
    goValue.slice(
      messages.map((m) =>
        goValue.struct([goValue.field('role', goValue.string(m.role)), goValue.field('content', goValue.string(m.content))]),
      ),
    ),
  );
}

/** encodeMessages as UTF-8 bytes. */
export function encodeMessagesBytes(messages: readonly ChatMessage[]): Uint8Array {
  return utf8(encodeMessages(messages));
}
