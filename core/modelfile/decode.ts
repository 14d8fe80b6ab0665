// Bytes → text exactly as Ollama reads a Modelfile (spec §1.1): byte-order-mark sniffing, then UTF-8 or UTF-16
// decoding in which every malformed piece becomes U+FFFD the way Go's decoders do it.
import { Buffer } from 'node:buffer';

/** The encoding a Modelfile's first bytes select. */
export type ModelfileEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

/** Which decoder Ollama picks for these bytes: a UTF-8 or UTF-16 byte-order mark, else plain UTF-8. */
export function sniffEncoding(bytes: Uint8Array): ModelfileEncoding {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8-bom';
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/**
 * Decodes a Modelfile the way Ollama does: the byte-order mark (if any) picks the encoding and is dropped; invalid
 * UTF-8 follows Go's `utf8.DecodeRune` (each byte that does not start a valid, complete, shortest-form,
 * non-surrogate sequence becomes one U+FFFD); in UTF-16, unpaired surrogates and a trailing odd byte become U+FFFD.
 */
export function decodeModelfile(bytes: Uint8Array): string {
  switch (sniffEncoding(bytes)) {
    case 'utf-8-bom':
      return decodeUtf8(bytes.subarray(3));
    case 'utf-16le':
      return decodeUtf16(bytes.subarray(2), true);
    case 'utf-16be':
      return decodeUtf16(bytes.subarray(2), false);
    default:
      return decodeUtf8(bytes);
  }
}

// Well-formed UTF-8 decodes the same everywhere, so the native decoder handles it; only input with errors takes the
// hand-written path, whose replacement rule differs from TextDecoder's for truncated sequences.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 (no byte-order-mark handling) with Go's one-U+FFFD-per-bad-byte replacement. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return decodeUtf8Lenient(bytes);
  }
}

/** Go `utf8.DecodeRune` semantics over the whole input; output is built as UTF-16LE bytes and converted once. */
function decodeUtf8Lenient(bytes: Uint8Array): string {
  const n = bytes.length;
  // Every input byte yields at most one UTF-16 unit (4-byte sequences yield two units), so 2n bytes suffice.
  const out = new Uint8Array(n * 2);
  let o = 0;
  let i = 0;
  while (i < n) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      out[o] = b0;
      out[o + 1] = 0;
      o += 2;
      i++;
      continue;
    }
    let cp = -1;
    let size = 1;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      const b1 = i + 1 < n ? bytes[i + 1] : 0;
      if (b1 >= 0x80 && b1 <= 0xbf) {
        cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
        size = 2;
      }
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      const lo = b0 === 0xe0 ? 0xa0 : 0x80;
      const hi = b0 === 0xed ? 0x9f : 0xbf;
      const b1 = i + 1 < n ? bytes[i + 1] : 0;
      const b2 = i + 2 < n ? bytes[i + 2] : 0;
      if (b1 >= lo && b1 <= hi && b2 >= 0x80 && b2 <= 0xbf) {
        cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
        size = 3;
      }
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      const lo = b0 === 0xf0 ? 0x90 : 0x80;
      const hi = b0 === 0xf4 ? 0x8f : 0xbf;
      const b1 = i + 1 < n ? bytes[i + 1] : 0;
      const b2 = i + 2 < n ? bytes[i + 2] : 0;
      const b3 = i + 3 < n ? bytes[i + 3] : 0;
      if (b1 >= lo && b1 <= hi && b2 >= 0x80 && b2 <= 0xbf && b3 >= 0x80 && b3 <= 0xbf) {
        cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
        size = 4;
      }
    }
    if (cp < 0) cp = 0xfffd;
    i += size;
    if (cp >= 0x10000) {
      const v = cp - 0x10000;
      const high = 0xd800 | (v >> 10);
      const low = 0xdc00 | (v & 0x3ff);
      out[o] = high & 0xff;
      out[o + 1] = high >> 8;
      out[o + 2] = low & 0xff;
      out[o + 3] = low >> 8;
      o += 4;
    } else {
      out[o] = cp & 0xff;
      out[o + 1] = cp >> 8;
      o += 2;
    }
  }
  return Buffer.from(out.buffer, out.byteOffset, o).toString('utf16le');
}

/** UTF-16 without its byte-order mark; unpaired surrogates and a dangling last byte become U+FFFD. */
export function decodeUtf16(bytes: Uint8Array, littleEndian: boolean): string {
  const units = bytes.length >> 1;
  const odd = (bytes.length & 1) === 1;
  const out = new Uint8Array((units + (odd ? 1 : 0)) * 2);
  const lowByte = littleEndian ? 0 : 1;
  const highByte = littleEndian ? 1 : 0;
  const unitAt = (k: number): number => bytes[2 * k + lowByte] | (bytes[2 * k + highByte] << 8);
  let o = 0;
  for (let k = 0; k < units; k++) {
    let unit = unitAt(k);
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = k + 1 < units ? unitAt(k + 1) : 0;
      if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out[o] = unit & 0xff;
        out[o + 1] = unit >> 8;
        o += 2;
        unit = next;
        k++;
      } else {
        unit = 0xfffd;
      }
    }
    out[o] = unit & 0xff;
    out[o + 1] = unit >> 8;
    o += 2;
  }
  if (odd) {
    out[o] = 0xfd;
    out[o + 1] = 0xff;
    o += 2;
  }
  return Buffer.from(out.buffer, out.byteOffset, o).toString('utf16le');
}
