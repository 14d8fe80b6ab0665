// Human-readable model facts exactly as Ollama writes them into the config blob: the parameter count
// (`model_type`, e.g. "8.0B" → "8B", "2.9B", "125M") and the quantization name (`file_type`), spec §4.6.

/** Go's `fmt.Sprintf("%.Nf", x)` for finite x ≥ 0: the exact binary value rounded to N decimals, exact ties to even. */
export function goFixed(x: number, decimals: number): string {
  if (!Number.isFinite(x) || x < 0) throw new RangeError(`goFixed needs a finite number ≥ 0, got ${x}`);
  // x = mantissa · 2^exponent exactly, then = scaled / 10^places exactly.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent: number;
  if (biased === 0) {
    exponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    exponent = biased - 1075;
  }
  let scaled: bigint; // x = scaled / 10^places
  let places: number;
  if (exponent >= 0) {
    scaled = mantissa << BigInt(exponent);
    places = 0;
  } else {
    scaled = mantissa * 5n ** BigInt(-exponent);
    places = -exponent;
  }
  let units: bigint; // x · 10^decimals, rounded
  if (places <= decimals) {
    units = scaled * 10n ** BigInt(decimals - places);
  } else {
    const divisor = 10n ** BigInt(places - decimals);
    units = scaled / divisor;
    const twice = 2n * (scaled - units * divisor);
    if (twice > divisor || (twice === divisor && (units & 1n) === 1n)) units += 1n;
  }
  const text = units.toString().padStart(decimals + 1, '0');
  return decimals === 0 ? text : `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
}

/**
 * Ollama's `format.HumanNumber`: ≥ 1e9 → billions with no decimal if whole, else one (`2.8B`); ≥ 1e6 → millions
 * with none or two (`125M`, `500.50M`); ≥ 1e3 → thousands rounded to a whole number (`1K`); else the integer.
 * Division and rounding happen on float64 exactly as in Go, so `2500` → `2K` and `1250000000` → `1.2B`.
 */
export function humanNumber(n: number | bigint): string {
  const exact = typeof n === 'bigint' ? n : BigInt(Math.trunc(n));
  if (exact < 0n) throw new RangeError(`humanNumber needs a count ≥ 0, got ${n}`);
  const value = Number(exact); // Go: float64(uint64), round to nearest
  if (exact >= 1_000_000_000n) {
    const billions = value / 1e9;
    return Number.isInteger(billions) ? `${goFixed(billions, 0)}B` : `${goFixed(billions, 1)}B`;
  }
  if (exact >= 1_000_000n) {
    const millions = value / 1e6;
    return Number.isInteger(millions) ? `${goFixed(millions, 0)}M` : `${goFixed(millions, 2)}M`;
  }
  if (exact >= 1_000n) return `${goFixed(value / 1e3, 0)}K`;
  return exact.toString();
}

/** GGUF `general.file_type` values and their names (llama.cpp's LLAMA_FTYPE_*, as Ollama names them). */
const FILE_TYPES: Readonly<Record<number, string>> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE',
  39: 'NVFP4',
  40: 'Q1_0',
};

/** The name of a GGUF file type value (`15` → `Q4_K_M`, `0` → `F32`); `unknown` for anything not in the table. */
export function fileTypeName(value: number | bigint): string {
  const key = typeof value === 'bigint' ? Number(value) : value;
  return (Number.isInteger(key) && FILE_TYPES[key]) || 'unknown';
}

/**
 * What Ollama writes as the config's `file_type` for a model layer (**quirk**, spec §4.6): the table name, except
 * that a missing `general.file_type`, one not stored as a GGUF uint32, or the value 0 (F32) all give `unknown`.
 */
export function configFileType(value: number | bigint | undefined, storedAsUint32: boolean): string {
  if (value === undefined || !storedAsUint32) return 'unknown';
  const key = typeof value === 'bigint' ? Number(value) : value;
  return key === 0 ? 'unknown' : fileTypeName(key);
}
