// Unit tests for core/modelfile/human: Ollama's HumanNumber (Go %.Nf rounding of the exact float64 value, exact
// ties to even) and the GGUF file-type names written to the config (spec §4.6).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { goFixed, humanNumber } from '../../core/modelfile/human';
import { GGUF_FILE_TYPES, ggufFileTypeName } from '../../core/gguf';

describe('humanNumber', () => {
  const cases: Array<[number | bigint, string]> = [
    // upstream's own table
    [0, '0'],
    [999, '999'],
    [1000, '1K'],
    [1001, '1K'],
    [1000000, '1M'],
    [125000000, '125M'],
    [500500000, '500.50M'],
    [500550000, '500.55M'],
    [1000000000, '1B'],
    [2800000000, '2.8B'],
    [2850000000, '2.9B'], // 2.85 as float64 is 2.8500000000000000888…, so it rounds up
    [1000000000000, '1000B'],
    // exact ties go to the even digit (JavaScript's toFixed would round up)
    [1500, '2K'],
    [2500, '2K'],
    [3500, '4K'],
    [1250000000, '1.2B'],
    [1750000000, '1.8B'],
    [1125000, '1.12M'], // 1.125 is exact in binary
    [1375000, '1.38M'],
    // near-ties decided by the binary value
    [1350000000, '1.4B'], // 1.35 is 1.350000000000000088…
    [1450000000, '1.4B'], // 1.45 is 1.4499999999999999556…
    [2675000, '2.67M'], // 2.675 is 2.67499999999999982236431605997495353221893310546875
    // realistic parameter counts
    [8030261248, '8.0B'],
    [3212749888, '3.2B'],
    [494032768, '494.03M'],
    [135000000, '135M'],
    [70553706496, '70.6B'],
    [999999, '1000K'],
    [999999999, '1000.00M'],
    [1234, '1K'],
    [1999, '2K'],
    [12345n, '12K'],
    [18446744073709551615n, '18446744073.7B'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected}`, () => assert.equal(humanNumber(input), expected));
  }

  it('refuses negative counts', () => assert.throws(() => humanNumber(-1), RangeError));
});

describe('goFixed (Go %.Nf)', () => {
  const cases: Array<[number, number, string]> = [
    [0.5, 0, '0'],
    [1.5, 0, '2'],
    [2.5, 0, '2'],
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [1.005, 2, '1.00'], // 1.00499999999999989…
    [0.1, 20, '0.10000000000000000555'],
    [1e21, 0, '1000000000000000000000'],
    [123.456, 1, '123.5'],
    [0, 3, '0.000'],
    [5e-324, 2, '0.00'],
    [999856014390234.25, 1, '999856014390234.2'], // an exact tie far from 0
  ];
  for (const [x, n, expected] of cases) it(`%.${n}f of ${x} → ${expected}`, () => assert.equal(goFixed(x, n), expected));

  it('agrees with toFixed whenever the value is not an exact tie', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e15, noNaN: true }), fc.integer({ min: 0, max: 6 }), (x, n) => {
        // An exact tie: the full expansion (≤ 60 decimals here unless x is tiny) has a 5 and then only zeros.
        const fraction = goFixed(x, 60).split('.')[1];
        const tie = /^50*$/.test(fraction.slice(n));
        if (!tie) assert.equal(goFixed(x, n), x.toFixed(n));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('file types', () => {
  it('names every value in the table', () => {
    const table: Array<[number, string]> = [
      [0, 'F32'],
      [1, 'F16'],
      [2, 'Q4_0'],
      [3, 'Q4_1'],
      [7, 'Q8_0'],
      [8, 'Q5_0'],
      [9, 'Q5_1'],
      [10, 'Q2_K'],
      [11, 'Q3_K_S'],
      [12, 'Q3_K_M'],
      [13, 'Q3_K_L'],
      [14, 'Q4_K_S'],
      [15, 'Q4_K_M'],
      [16, 'Q5_K_S'],
      [17, 'Q5_K_M'],
      [18, 'Q6_K'],
      [19, 'IQ2_XXS'],
      [20, 'IQ2_XS'],
      [21, 'Q2_K_S'],
      [22, 'IQ3_XS'],
      [23, 'IQ3_XXS'],
      [24, 'IQ1_S'],
      [25, 'IQ4_NL'],
      [26, 'IQ3_S'],
      [27, 'IQ3_M'],
      [28, 'IQ2_S'],
      [29, 'IQ2_M'],
      [30, 'IQ4_XS'],
      [31, 'IQ1_M'],
      [32, 'BF16'],
      [36, 'TQ1_0'],
      [37, 'TQ2_0'],
      [38, 'MXFP4_MOE'],
      [39, 'NVFP4'],
      [40, 'Q1_0'],
    ];
    for (const [value, name] of table) assert.equal(GGUF_FILE_TYPES.get(value), name, String(value));
    assert.equal(GGUF_FILE_TYPES.size, table.length);
  });

  it('calls everything else unknown', () => {
    for (const value of [4, 5, 6, 33, 34, 35, 41, 1000, -1, 1.5, NaN]) assert.equal(ggufFileTypeName(value), 'unknown', String(value));
  });

  it('writes unknown into the config for F32, a missing key or a non-uint32 value', () => {
    assert.equal(ggufFileTypeName(15), 'Q4_K_M');
    assert.equal(ggufFileTypeName(1), 'F16');
    assert.equal(ggufFileTypeName(0), 'unknown');
    assert.equal(ggufFileTypeName(undefined), 'unknown');
    assert.equal(ggufFileTypeName(99), 'unknown');
  });
});
