// Human-readable parameter counts exactly as Ollama writes them into the config blob (`model_type`, e.g. "8B",
// "2.9B", "125M"), spec §4.6. Quantization names live with the GGUF reader (core/gguf/file-types.ts).

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
