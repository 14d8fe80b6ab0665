// Unit and property tests for core/json: Go encoding/json string escaping, shortest float32/float64 formatting,
// struct/map/slice encoding, and the params, messages, config and manifest blobs (spec §3.3, §3.5, §3.6).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  JsonUnsupportedValue,
  encodeMessages,
  encodeMessagesBytes,
  encodeParams,
  goEncode,
  goFloat32,
  goFloat64,
  goJsonString,
  goMarshal,
  goValue,
  shortestDecimal,
} from '../../core/json/go-json';
import {
  CONFIG_MEDIA_TYPE,
  LAYER_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPE,
  emptyConfig,
  encodeConfig,
  encodeConfigBytes,
  encodeManifest,
  type OllamaConfig,
  type OllamaManifest,
} from '../../core/json/ollama-json';
import { parseGoFloat32 } from '../../core/modelfile/parameters';

/** Exact float32 reading of a decimal (Go's ParseFloat(s, 32)), used to check round trips without double rounding. */
function readFloat32(s: string): number {
  const r = parseGoFloat32(s);
  assert.ok(r.ok, `not a float: ${s}`);
  return r.value;
}

/** The significant digits of a plain or exponent-form decimal, without sign, point, exponent or outer zeros. */
function significantDigits(s: string): string {
  return s
    .replace(/^-/, '')
    .split('e')[0]
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
}

describe('goJsonString', () => {
  it('escapes quotes, backslashes and the short control forms', () => {
    assert.equal(goJsonString('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goJsonString('\n\r\t'), '"\\n\\r\\t"');
    assert.equal(goJsonString('\b\f'), '"\\b\\f"'); // Go ≥ 1.22
  });

  it('writes other control characters as lowercase \\u00xx', () => {
    assert.equal(goJsonString('\u0000\u0001\u001f\u000b'), '"\\u0000\\u0001\\u001f\\u000b"');
    assert.equal(goJsonString('\u001b[0m'), '"\\u001b[0m"');
  });

  it('escapes < > & for HTML safety, and U+2028/U+2029', () => {
    assert.equal(goJsonString('<|im_start|>a&b'), '"\\u003c|im_start|\\u003ea\\u0026b"');
    assert.equal(goJsonString('x\u2028y\u2029z'), '"x\\u2028y\\u2029z"');
  });

  it('keeps DEL, non-ASCII text and surrogate pairs literal', () => {
    assert.equal(goJsonString('\u007f'), '"\u007f"');
    assert.equal(goJsonString('héllo 世界 😀 \u0085 \ufeff'), '"héllo 世界 😀 \u0085 \ufeff"');
    assert.equal(goJsonString("it's /"), '"it\'s /"');
  });

  it('replaces lone surrogates with \\ufffd', () => {
    assert.equal(goJsonString('a\ud800b'), '"a\\ufffdb"');
    assert.equal(goJsonString('\udc00'), '"\\ufffd"');
    assert.equal(goJsonString('\ud83d'), '"\\ufffd"');
    assert.equal(goJsonString('\ude00\ud83d'), '"\\ufffd\\ufffd"');
  });

  it('is valid JSON that reads back as the same text (for well-formed strings)', () => {
    fc.assert(
      fc.property(fc.fullUnicodeString(), (s) => {
        const encoded = goJsonString(s);
        assert.equal(JSON.parse(encoded), s);
        assert.ok(!/[<>&\u2028\u2029\u0000-\u001f]/.test(encoded));
      }),
      { numRuns: 500 },
    );
  });
});

describe('goFloat32', () => {
  const cases: Array<[number, string]> = [
    [0.7, '0.7'],
    [0.9, '0.9'],
    [0.1, '0.1'],
    [0.8, '0.8'],
    [1.1, '1.1'],
    [0.05, '0.05'],
    [2.5, '2.5'],
    [1, '1'],
    [100, '100'],
    [0, '0'],
    [-0, '-0'],
    [-0.7, '-0.7'],
    [1e-7, '1e-7'],
    [1.5e-7, '1.5e-7'],
    [-2e-9, '-2e-9'],
    [1e-10, '1e-10'],
    [0.000001, '0.000001'], // float32(1e-6) is not < float32(1e-6): plain form
    [0.00001, '0.00001'],
    [123456789, '123456790'], // float32 holds 123456792; 1.2345679e8 is the shortest
    [16777216, '16777216'],
    [16777217, '16777216'],
    [1e20, '100000000000000000000'],
    [1e21, '1e+21'],
    [1.5e30, '1.5e+30'],
    [3.4028235e38, '3.4028235e+38'],
    [1e-45, '1e-45'], // smallest subnormal
    [1.4e-45, '1e-45'],
    [3e-45, '3e-45'],
    [1.1754944e-38, '1.1754944e-38'], // smallest normal
    [4951760157141521099596496896, '4.9517602e+27'], // 2^92 needs 8 digits (Go's own test)
    [1.0000001, '1.0000001'],
    [0.33333334, '0.33333334'],
  ];
  for (const [input, expected] of cases) {
    it(`${Object.is(input, -0) ? '-0' : input} → ${expected}`, () => {
      assert.equal(goFloat32(input), expected);
    });
  }

  it('refuses infinities and NaN with Go\'s message', () => {
    assert.throws(() => goFloat32(Infinity), (e: unknown) => e instanceof JsonUnsupportedValue && e.goMessage === 'json: unsupported value: +Inf');
    assert.throws(() => goFloat32(-Infinity), (e: unknown) => e instanceof JsonUnsupportedValue && e.goMessage === 'json: unsupported value: -Inf');
    assert.throws(() => goFloat32(NaN), (e: unknown) => e instanceof JsonUnsupportedValue && e.goMessage === 'json: unsupported value: NaN');
    assert.throws(() => goFloat32(1e39), JsonUnsupportedValue); // rounds to +Inf as float32
  });

  it('reads back as the same float32 (exactly, and through Math.fround)', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const s = goFloat32(x);
        assert.ok(Object.is(readFloat32(s), x), `${x} → ${s}`);
        assert.ok(Object.is(Math.fround(Number(s)), x), `${x} → ${s}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('uses no more digits than necessary', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(1e-44) }), (x) => {
        const s = goFloat32(x);
        const p = significantDigits(s).length;
        if (p <= 1) return;
        // Every (p-1)-digit decimal near x: the correctly rounded one and its two neighbours.
        const [mantissa, exp] = Math.abs(x).toExponential(p - 2).split('e');
        const scaled = BigInt(mantissa.replace('.', ''));
        for (const c of [scaled - 1n, scaled, scaled + 1n]) {
          if (c <= 0n) continue;
          const candidate = `${c}e${Number(exp) - (p - 2)}`;
          const back = parseGoFloat32(candidate);
          assert.ok(!back.ok || back.value !== Math.abs(x), `${s} could be ${candidate}`);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('matches Go for the atof32 reference values', () => {
    // ParseFloat(s, 32) followed by float32 formatting, from Go's strconv tests.
    const go: Array<[string, string]> = [
      ['0x1p-100', '7.888609e-31'],
      ['0x1p100', '1.2676506e+30'],
      ['1.000000059604644775390625', '1'],
      ['1.000000059604644775390626', '1.0000001'],
      ['340282346638528859811704183484516925440', '3.4028235e+38'],
      ['3.402823567e38', '3.4028235e+38'],
      ['1e-38', '1e-38'],
      ['1e-44', '1e-44'],
      ['5e-45', '6e-45'],
      ['2e-45', '1e-45'],
      ['0x0.89aBcDp-125', '1.2643093e-38'],
      ['0x0.1234568p-125', '1.671814e-39'],
      ['0x0.1234569p-125', '1.671815e-39'],
    ];
    for (const [input, expected] of go) assert.equal(goFloat32(readFloat32(input)), expected, input);
  });
});

describe('goFloat64', () => {
  const cases: Array<[number, string]> = [
    [0.7, '0.7'],
    [0.1 + 0.2, '0.30000000000000004'],
    [123456789, '123456789'],
    [1e20, '100000000000000000000'],
    [1e21, '1e+21'],
    [1e-6, '0.000001'],
    [9.999999999999997e-7, '9.999999999999997e-7'], // the double just below 1e-6
    [1e-7, '1e-7'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [1e100, '1e+100'],
    [-1.5e-300, '-1.5e-300'],
    [-0, '-0'],
    [4096, '4096'],
    [2 ** 53 + 2, '9007199254740994'],
  ];
  for (const [input, expected] of cases) {
    it(`${Object.is(input, -0) ? '-0' : input} → ${expected}`, () => assert.equal(goFloat64(input), expected));
  }

  it('the exact shortest-digit search agrees with JavaScript on random doubles', () => {
    const view = new DataView(new ArrayBuffer(8));
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: Number.MIN_VALUE }), (x) => {
        view.setFloat64(0, x);
        const high = view.getUint32(0);
        const biased = (high >>> 20) & 0x7ff;
        const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
        const d =
          biased === 0
            ? shortestDecimal(fraction, -1074, false)
            : shortestDecimal(fraction | (1n << 52n), biased - 1075, fraction === 0n && biased > 1);
        assert.equal(d.digits, significantDigits(x.toExponential()), String(x));
        assert.equal(Number(`0.${d.digits}e${d.point}`), x);
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back as the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        assert.ok(Object.is(Number(goFloat64(x)), x));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('generic Go encoding', () => {
  it('encodes structs in field order and honours omitempty like Go', () => {
    const v = goValue.struct([
      goValue.field('b', goValue.string('')),
      goValue.field('a', goValue.int(0)),
      goValue.field('s', goValue.string(''), true),
      goValue.field('i', goValue.int(0), true),
      goValue.field('f', goValue.float64(0), true),
      goValue.field('t', goValue.bool(false), true),
      goValue.field('nil', goValue.strings(null), true),
      goValue.field('empty', goValue.strings([]), true),
      goValue.field('m', goValue.map({}), true),
      goValue.field('p', goValue.pointer(undefined), true),
      goValue.field('inner', goValue.struct([]), true), // a struct is never "empty"
      goValue.field('nilSlice', goValue.strings(undefined)),
      goValue.field('emptySlice', goValue.strings([])),
    ]);
    assert.equal(goMarshal(v), '{"b":"","a":0,"inner":{},"nilSlice":null,"emptySlice":[]}');
    assert.equal(goEncode(v), goMarshal(v) + '\n');
  });

  it('sorts map keys by UTF-8 bytes, not UTF-16 units', () => {
    const v = goValue.map({ b: goValue.int(1), a: goValue.int(2), B: goValue.int(3), '\uff01': goValue.int(4), '😀': goValue.int(5) });
    // U+1F600 sorts after U+FF01 in UTF-8 although its UTF-16 lead surrogate (D83D) sorts before.
    assert.equal(goMarshal(v), '{"B":3,"a":2,"b":1,"！":4,"😀":5}');
  });

  it('writes integers exactly, including int64 values beyond 2^53 as bigint', () => {
    assert.equal(goMarshal(goValue.int(-0)), '0');
    assert.equal(goMarshal(goValue.int(9223372036854775807n)), '9223372036854775807');
    assert.throws(() => goMarshal(goValue.int(1.5)), RangeError);
  });
});

describe('params and messages blobs', () => {
  it('sorts keys, types numbers by the catalog and escapes stop strings', () => {
    const text = encodeParams({ temperature: Math.fround(0.7), stop: ['<|eot_id|>', '</s>'], num_ctx: 4096, use_mmap: false });
    assert.equal(text, '{"num_ctx":4096,"stop":["\\u003c|eot_id|\\u003e","\\u003c/s\\u003e"],"temperature":0.7,"use_mmap":false}\n');
  });

  it('writes int64 seeds exactly and float32 values in their shortest form', () => {
    assert.equal(encodeParams({ seed: 9007199254740993n, top_p: Math.fround(0.95), min_p: 0 }), '{"min_p":0,"seed":9007199254740993,"top_p":0.95}\n');
  });

  it('encodes inherited float64 values and unknown keys as float64', () => {
    assert.equal(encodeParams({ top_p: goValue.float64(0.123456789012), custom: 0.123456789012 }), '{"custom":0.123456789012,"top_p":0.123456789012}\n');
    assert.equal(encodeParams({ top_p: 0.123456789012 }), '{"top_p":0.12345679}\n');
  });

  it('refuses a non-finite float', () => {
    assert.throws(() => encodeParams({ temperature: Infinity }), JsonUnsupportedValue);
  });

  it('writes messages as role/content objects with a trailing newline', () => {
    const messages = [
      { role: 'user', content: 'Is 1 < 2 & 3 > 2?' },
      { role: 'assistant', content: '' },
    ];
    const text = encodeMessages(messages);
    assert.equal(text, '[{"role":"user","content":"Is 1 \\u003c 2 \\u0026 3 \\u003e 2?"},{"role":"assistant","content":""}]\n');
    assert.deepEqual(encodeMessagesBytes(messages), new TextEncoder().encode(text));
  });
});

describe('config blob', () => {
  it('matches the upstream example byte for byte', () => {
    const config: OllamaConfig = {
      ...emptyConfig(),
      model_format: 'gguf',
      model_family: 'test',
      model_families: ['test'],
      model_type: '0',
      file_type: 'unknown',
    };
    const expected =
      '{"model_format":"gguf","model_family":"test","model_families":["test"],"model_type":"0","file_type":"unknown","architecture":"amd64","os":"linux"}\n';
    assert.equal(encodeConfig(config), expected);
    assert.equal(
      createHash('sha256').update(encodeConfigBytes(config)).digest('hex'),
      createHash('sha256').update(expected).digest('hex'),
    );
  });

  it('writes null model_families and omits empty optional fields', () => {
    assert.equal(
      encodeConfig(emptyConfig()),
      '{"model_format":"","model_family":"","model_families":null,"model_type":"","file_type":"","architecture":"amd64","os":"linux"}\n',
    );
    assert.equal(encodeConfig({ ...emptyConfig(), model_families: [], renderer: '', capabilities: [], context_length: 0 }).includes('"model_families":[]'), true);
  });

  it('places every optional field in HEAD order', () => {
    const config: OllamaConfig = {
      os: 'linux',
      architecture: 'amd64',
      draft: { architecture: 'llama', model_format: 'gguf' },
      base_name: 'base',
      embedding_length: 4096,
      context_length: 131072,
      capabilities: ['completion', 'tools'],
      remote_model: 'm',
      remote_host: 'https://ollama.com:443',
      requires: '0.14.0',
      parser: 'qwen3',
      renderer: 'qwen3',
      file_type: 'Q4_K_M',
      model_type: '8.0B',
      model_families: ['llama', 'clip'],
      model_family: 'llama',
      model_format: 'gguf',
    };
    assert.equal(
      encodeConfig(config),
      '{"model_format":"gguf","model_family":"llama","model_families":["llama","clip"],"model_type":"8.0B","file_type":"Q4_K_M",' +
        '"renderer":"qwen3","parser":"qwen3","requires":"0.14.0","remote_host":"https://ollama.com:443","remote_model":"m",' +
        '"capabilities":["completion","tools"],"context_length":131072,"embedding_length":4096,"base_name":"base",' +
        '"draft":{"model_format":"gguf","architecture":"llama"},"architecture":"amd64","os":"linux"}\n',
    );
  });

  it('keeps an empty draft object (a non-nil pointer) but drops its empty fields', () => {
    assert.ok(encodeConfig({ ...emptyConfig(), draft: {} }).includes(',"draft":{},"architecture"'));
    assert.ok(encodeConfig({ ...emptyConfig(), draft: { tensor_prefix: 'draft.', config: 'c' } }).includes('"draft":{"tensor_prefix":"draft.","config":"c"}'));
  });
});

describe('manifest', () => {
  const digest = (c: string) => 'sha256:' + c.repeat(64);
  const manifest: OllamaManifest = {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config: { mediaType: CONFIG_MEDIA_TYPE, digest: digest('a'), size: 147 },
    layers: [
      { mediaType: LAYER_MEDIA_TYPES.model, digest: digest('b'), size: 68, from: 'test:latest' },
      { mediaType: LAYER_MEDIA_TYPES.template, digest: digest('c'), size: 27, from: '' },
      { mediaType: LAYER_MEDIA_TYPES.tensor, digest: digest('d'), size: 5, name: 'model.embed_tokens.weight' },
    ],
  };
  const compact =
    `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
    `"config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"${digest('a')}","size":147},` +
    `"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"${digest('b')}","size":68,"from":"test:latest"},` +
    `{"mediaType":"application/vnd.ollama.image.template","digest":"${digest('c')}","size":27},` +
    `{"mediaType":"application/vnd.ollama.image.tensor","digest":"${digest('d')}","size":5,"name":"model.embed_tokens.weight"}]}`;

  it('writes the on-disk form with a trailing newline', () => assert.equal(encodeManifest(manifest), compact + '\n'));
  it('writes the push form without one', () => assert.equal(encodeManifest(manifest, { newline: false }), compact));
  it('writes nil layers as null', () => {
    assert.ok(encodeManifest({ ...manifest, layers: null }).endsWith(',"layers":null}\n'));
    assert.ok(encodeManifest({ ...manifest, layers: [] }).endsWith(',"layers":[]}\n'));
  });
  it('parses back to the same structure', () => {
    assert.deepEqual(JSON.parse(encodeManifest(manifest)).layers[2].name, 'model.embed_tokens.weight');
  });
});
