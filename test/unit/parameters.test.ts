// Unit and property tests for core/modelfile/parameters: the PARAMETER catalog, Go-exact typing of values
// (ParseInt, ParseFloat to float32, ParseBool) with Ollama's error texts, collection of a command list into the
// params map, "did you mean" suggestions, REQUIRES semver and MESSAGE splitting (spec §1.4, §1.5).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEPRECATED_PARAMETERS,
  NON_PARAMETER_COMMANDS,
  PARAMETERS,
  PARAMETER_CATALOG,
  REQUIRES_ERROR,
  collectParameters,
  isDeprecatedParameter,
  isGoSemver,
  isParameterCommand,
  normalizeRequires,
  parameterSpec,
  parseGoBool,
  parseGoFloat32,
  parseGoInt,
  similarParameter,
  similarParameters,
  splitMessage,
  typeParameterValue,
} from '../../core/modelfile/parameters';

function float32Of(s: string): number {
  const r = parseGoFloat32(s);
  assert.ok(r.ok, `expected ${s} to parse`);
  return r.value;
}

describe('catalog', () => {
  it('holds exactly the names of Ollama\'s Options struct', () => {
    assert.deepEqual(
      PARAMETERS.map((p) => p.name).sort(),
      [
        'draft_num_predict',
        'frequency_penalty',
        'main_gpu',
        'min_p',
        'num_batch',
        'num_ctx',
        'num_gpu',
        'num_keep',
        'num_predict',
        'num_thread',
        'presence_penalty',
        'repeat_last_n',
        'repeat_penalty',
        'seed',
        'stop',
        'temperature',
        'top_k',
        'top_p',
        'typical_p',
        'use_mmap',
      ],
    );
  });

  it('types and nullability follow spec §1.5', () => {
    const types = Object.fromEntries(PARAMETERS.map((p) => [p.name, p.type]));
    for (const f of ['top_p', 'min_p', 'typical_p', 'temperature', 'repeat_penalty', 'presence_penalty', 'frequency_penalty']) {
      assert.equal(types[f], 'float', f);
    }
    assert.equal(types.use_mmap, 'bool');
    assert.equal(types.stop, 'string-list');
    for (const i of ['num_ctx', 'num_batch', 'num_gpu', 'main_gpu', 'num_thread', 'draft_num_predict', 'num_keep', 'seed', 'num_predict', 'top_k', 'repeat_last_n']) {
      assert.equal(types[i], 'int', i);
    }
    assert.deepEqual(PARAMETERS.filter((p) => p.nullable).map((p) => p.name).sort(), ['main_gpu', 'use_mmap']);
  });

  it('has a default and a short description for every entry', () => {
    for (const p of PARAMETERS) {
      assert.ok(p.default.length > 0, p.name);
      assert.ok(p.description.length > 20 && p.description.length < 240, p.name);
      assert.ok(p.description.endsWith('.'), p.name);
    }
    assert.equal(parameterSpec('temperature')?.default, '0.8');
    assert.equal(parameterSpec('seed')?.default, '-1 (random)');
    assert.equal(parameterSpec('numa'), undefined);
    assert.equal(PARAMETER_CATALOG.size, PARAMETERS.length);
    assert.equal(PARAMETER_CATALOG.get('stop')?.type, 'string-list');
  });

  it('lists the deprecated names, none of which is valid', () => {
    assert.deepEqual([...DEPRECATED_PARAMETERS].sort(), [
      'f16_kv',
      'logits_all',
      'low_vram',
      'mirostat',
      'mirostat_eta',
      'mirostat_tau',
      'penalize_newline',
      'use_mlock',
      'vocab_only',
    ]);
    for (const name of DEPRECATED_PARAMETERS) {
      assert.equal(parameterSpec(name), undefined);
      assert.ok(isDeprecatedParameter(name));
    }
    assert.ok(!isDeprecatedParameter('temperature'));
  });

  it('tells parameter commands from other instructions', () => {
    for (const name of NON_PARAMETER_COMMANDS) assert.ok(!isParameterCommand(name), name);
    assert.ok(isParameterCommand('temperature'));
    assert.ok(isParameterCommand('numa'));
    assert.ok(isParameterCommand(''));
  });
});

describe('similarParameter', () => {
  const cases: Array<[string, string | undefined]> = [
    ['Temperature', 'temperature'],
    ['TEMPERATURE', 'temperature'],
    ['Top_K', 'top_k'],
    ['top-k', 'top_k'],
    ['temprature', 'temperature'],
    ['temperatrue', 'temperature'],
    ['num_ctxx', 'num_ctx'],
    ['numctx', 'num_ctx'],
    ['stopp', 'stop'],
    ['Stop', 'stop'],
    ['seeed', 'seed'],
    ['max_tokens', 'num_predict'],
    ['temp', 'temperature'],
    ['repetition_penalty', 'repeat_penalty'],
    ['n_gpu_layers', 'num_gpu'],
    ['xyzzy', undefined],
    ['numa', undefined],
    ['temperature', undefined],
    ['', undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected ?? 'nothing'}`, () => assert.equal(similarParameter(input), expected));
  }

  it('returns every equally close name for ambiguous typos', () => {
    assert.deepEqual(similarParameters('top_x'), ['top_k', 'top_p']);
  });
});

describe('parseGoInt (strconv.ParseInt(s, 10, 64))', () => {
  const ok: Array<[string, bigint]> = [
    ['0', 0n],
    ['5', 5n],
    ['+5', 5n],
    ['-5', -5n],
    ['-0', 0n],
    ['007', 7n],
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
  ];
  for (const [input, value] of ok) it(`accepts ${input}`, () => assert.equal(parseGoInt(input), value));
  for (const input of ['', '+', '-', '1.5', '1_000', '0x10', '1e3', ' 5', '5 ', '--5', '+-5', '9223372036854775808', '-9223372036854775809', '٣', '５']) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.equal(parseGoInt(input), undefined));
  }
  it('agrees with BigInt on random int64 values', () => {
    fc.assert(fc.property(fc.bigIntN(64), (n) => assert.equal(parseGoInt(n.toString()), n)));
  });
});

describe('parseGoBool (strconv.ParseBool)', () => {
  it('accepts exactly the twelve spellings', () => {
    for (const s of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(s), true, s);
    for (const s of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(s), false, s);
    for (const s of ['', 'yes', 'no', 'on', 'off', 'TRue', 'tRUE', 'fAlse', ' true', 'true ', '2', '01']) assert.equal(parseGoBool(s), undefined, s);
  });
});

describe('parseGoFloat32 (strconv.ParseFloat(s, 32))', () => {
  const ok: Array<[string, number]> = [
    ['0.7', Math.fround(0.7)],
    ['1', 1],
    ['+1', 1],
    ['-0.1', Math.fround(-0.1)],
    ['.5', 0.5],
    ['5.', 5],
    ['+.5', 0.5],
    ['-.5', -0.5],
    ['1e23', Math.fround(1e23)],
    ['1E23', Math.fround(1e23)],
    ['625e-3', 0.625],
    ['1e-7', Math.fround(1e-7)],
    ['0x1p0', 1],
    ['0x1p-2', 0.25],
    ['0X1P-2', 0.25],
    ['0x1ep-1', 15],
    ['-0x1_ep-1', -15],
    ['0x1fFe2.p0', 131042],
    ['0x.1p-2', 0.015625],
    ['0x0.fp4', 15],
    ['0x_1_2.3_4_5p+1_2', 74565],
    ['1_23.50_0_0e+1_2', Math.fround(1.235e14)],
    ['1_000', 1000],
    ['0e+01234567890123456789', 0],
    ['1e-50', 0],
    ['1e-400000', 0],
    ['1e-18446744073709551616', 0],
    ['3.4028235e38', 3.4028234663852886e38],
    ['340282346638528859811704183484516925440', 3.4028234663852886e38],
    ['3.402823567e38', 3.4028234663852886e38],
    ['0x.ffffff7fp128', 3.4028234663852886e38],
    ['1e-45', 2 ** -149],
    ['2e-45', 2 ** -149],
    ['5e-45', 4 * 2 ** -149],
    ['0x0.00000081p-125', 2 ** -149],
    ['0x0.0000008p-125', 0],
    ['0x0.1234568p-125', 0x123456 * 2 ** -149], // ties to even: down
    ['0x0.1234569p-125', 0x123457 * 2 ** -149],
    // halfway between 1 and the next float32: ties to even (down), slightly more rounds up
    ['1.000000059604644775390625', 1],
    ['1.000000059604644775390624', 1],
    ['1.000000059604644775390626', 1 + 2 ** -23],
    ['1.000000059604644775390625' + '0'.repeat(2000) + '1', 1 + 2 ** -23],
    ['0x1.000001p0', 1],
    ['0x1.0000011p0', 1 + 2 ** -23],
    ['0x1.000001' + '0'.repeat(2000) + '1p0', 1 + 2 ** -23],
    ['4951760157141521099596496896', 2 ** 92],
  ];
  for (const [input, value] of ok) {
    it(`reads ${input.length > 40 ? input.slice(0, 40) + '…' : input}`, () => assert.ok(Object.is(float32Of(input), value), `${float32Of(input)}`));
  }

  it('keeps the sign of zero', () => {
    assert.ok(Object.is(float32Of('-0'), -0));
    assert.ok(Object.is(float32Of('-0e0'), -0));
    assert.ok(Object.is(float32Of('-1e-50'), -0));
    assert.ok(Object.is(float32Of('-0x0p+01234567890123456789'), -0));
  });

  it('reads the special values in any case', () => {
    for (const s of ['inf', 'Inf', '+INF', 'Infinity', '+infinity', 'InFiNiTy']) assert.equal(float32Of(s), Infinity, s);
    for (const s of ['-Inf', '-infinity', '-INF']) assert.equal(float32Of(s), -Infinity, s);
    for (const s of ['nan', 'NaN', 'NAN']) assert.ok(Number.isNaN(float32Of(s)), s);
  });

  const syntax = [
    '',
    '.',
    '-',
    '+',
    'e5',
    '1e',
    '1e-',
    '.e-1',
    '1x',
    '1.1.',
    '1\u00002',
    '0x',
    '0x.',
    '0x1',
    '0x.1',
    '0x1p',
    '0x1p+',
    '0x1e2',
    '1p2',
    '+nan',
    '-nan',
    'nan(1)',
    'infin',
    'infinit',
    'infx',
    'nanx',
    '_1',
    '1_',
    '1__0',
    '-_123.5e+12',
    '123_.5e+12',
    '123._5e+12',
    '123.5_e+12',
    '123.5e_+12',
    '123.5e+_12',
    '123.5e+12_',
    '_0x12.345p+12',
    '0x__12.345p+12',
    '0x12.345_p+12',
    '0x12.345p+12_',
    ' 1',
    '1 ',
    '1,5',
    '0b101',
    '0o7',
    '１',
  ];
  for (const input of syntax) {
    it(`rejects ${JSON.stringify(input)} as syntax`, () => assert.deepEqual(parseGoFloat32(input), { ok: false, reason: 'syntax' }));
  }

  for (const input of ['3.4028236e38', '-3.4028236e38', '3.4028235678e38', '1e39', '0x1.0p128', '0x.ffffff8p128', '1e+18446744073709551616', '0x1p+4294967296']) {
    it(`rejects ${input} as out of range`, () => assert.deepEqual(parseGoFloat32(input), { ok: false, reason: 'range' }));
  }

  it('reads back every float32 from its 9-digit and hexadecimal forms', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const sign = Object.is(x, -0) ? '-' : '';
        assert.ok(Object.is(float32Of(sign + x.toPrecision(9)), x));
        const abs = Math.abs(x);
        if (abs !== 0) {
          // x = m · 2^e with an integer m: write it as a hex float.
          let e = 0;
          let m = abs;
          while (!Number.isInteger(m)) {
            m *= 2;
            e--;
          }
          assert.equal(float32Of(`${x < 0 ? '-' : ''}0x${m.toString(16)}p${e}`), x);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with Math.fround(Number(s)) on short decimals', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999_999 }), fc.integer({ min: -45, max: 30 }), (m, e) => {
        const s = `${m}e${e}`;
        const expected = Math.fround(Number(s));
        if (expected === Infinity) assert.deepEqual(parseGoFloat32(s), { ok: false, reason: 'range' });
        else assert.ok(Object.is(float32Of(s), expected), s);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('typeParameterValue', () => {
  it('types ints, floats, bools and stop strings', () => {
    assert.deepEqual(typeParameterValue('num_ctx', '4096'), { ok: true, value: 4096 });
    assert.deepEqual(typeParameterValue('seed', '+42'), { ok: true, value: 42 });
    assert.deepEqual(typeParameterValue('seed', '-1'), { ok: true, value: -1 });
    assert.deepEqual(typeParameterValue('seed', '9223372036854775807'), { ok: true, value: 9223372036854775807n });
    assert.deepEqual(typeParameterValue('main_gpu', '0'), { ok: true, value: 0 });
    assert.deepEqual(typeParameterValue('temperature', '0.7'), { ok: true, value: Math.fround(0.7) });
    assert.deepEqual(typeParameterValue('top_p', '1'), { ok: true, value: 1 });
    assert.deepEqual(typeParameterValue('use_mmap', 'False'), { ok: true, value: false });
    assert.deepEqual(typeParameterValue('stop', '<|eot_id|>'), { ok: true, value: '<|eot_id|>' });
    assert.deepEqual(typeParameterValue('stop', ''), { ok: true, value: '' });
  });

  it('flags infinite and NaN floats', () => {
    assert.deepEqual(typeParameterValue('temperature', 'Inf'), { ok: true, value: Infinity, nonFinite: true });
    const nan = typeParameterValue('temperature', 'NaN');
    assert.ok(nan.ok && nan.nonFinite === true && Number.isNaN(nan.value));
  });

  it('uses Ollama\'s exact error texts', () => {
    assert.deepEqual(typeParameterValue('num_ctx', '1.5'), { ok: false, error: 'invalid int value [1.5]' });
    assert.deepEqual(typeParameterValue('num_ctx', '1_000'), { ok: false, error: 'invalid int value [1_000]' });
    assert.deepEqual(typeParameterValue('num_ctx', ''), { ok: false, error: 'invalid int value []' });
    assert.deepEqual(typeParameterValue('seed', '9223372036854775808'), { ok: false, error: 'invalid int value [9223372036854775808]' });
    assert.deepEqual(typeParameterValue('temperature', 'hot'), { ok: false, error: 'invalid float value [hot]' });
    assert.deepEqual(typeParameterValue('temperature', '1e39'), { ok: false, error: 'invalid float value [1e39]' });
    assert.deepEqual(typeParameterValue('temperature', '0,7'), { ok: false, error: 'invalid float value [0,7]' });
    assert.deepEqual(typeParameterValue('use_mmap', 'yes'), { ok: false, error: 'invalid bool value [yes]' });
    assert.deepEqual(typeParameterValue('use_mmap', 'a b'), { ok: false, error: 'invalid bool value [a b]' });
    assert.deepEqual(typeParameterValue('numa', 'true'), { ok: false, error: "unknown parameter 'numa'" });
    assert.deepEqual(typeParameterValue('num_gqa', '8'), { ok: false, error: "unknown parameter 'num_gqa'" });
    assert.deepEqual(typeParameterValue('Temperature', '0.7'), { ok: false, error: "unknown parameter 'Temperature'" });
    assert.deepEqual(typeParameterValue('', '0.7'), { ok: false, error: "unknown parameter ''" });
  });

  it('accepts deprecated names without typing their values', () => {
    assert.deepEqual(typeParameterValue('mirostat', 'not a number'), { ok: true, value: 'not a number', deprecated: true });
    assert.deepEqual(typeParameterValue('use_mlock', 'true'), { ok: true, value: 'true', deprecated: true });
  });
});

describe('collectParameters', () => {
  it('appends stop, keeps the last scalar and skips other instructions', () => {
    const result = collectParameters([
      { name: 'model', args: 'llama3.2' },
      { name: 'temperature', args: '1' },
      { name: 'stop', args: '<|start_header_id|>' },
      { name: 'system', args: 'You are terse.' },
      { name: 'temperature', args: '0.2' },
      { name: 'stop', args: '<|eot_id|>' },
      { name: 'message', args: 'user: hi' },
      { name: 'num_ctx', args: '8192' },
      { name: 'use_mmap', args: 'true' },
      { name: 'requires', args: '0.14.0' },
    ]);
    assert.deepEqual(result, {
      ok: true,
      params: { temperature: Math.fround(0.2), stop: ['<|start_header_id|>', '<|eot_id|>'], num_ctx: 8192, use_mmap: true },
      warnings: [],
      deprecated: [],
      nonFinite: [],
    });
  });

  it('drops deprecated parameters with Ollama\'s warning', () => {
    const result = collectParameters([
      { name: 'mirostat', args: '2' },
      { name: 'top_k', args: '20' },
      { name: 'penalize_newline', args: 'maybe' },
    ]);
    assert.deepEqual(result, {
      ok: true,
      params: { top_k: 20 },
      warnings: ['warning: parameter mirostat is deprecated', 'warning: parameter penalize_newline is deprecated'],
      deprecated: [0, 2],
      nonFinite: [],
    });
  });

  it('returns the first error and where it is', () => {
    assert.deepEqual(
      collectParameters([
        { name: 'top_k', args: '20' },
        { name: 'numa', args: 'true' },
        { name: 'top_k', args: 'x' },
      ]),
      { ok: false, error: "unknown parameter 'numa'", index: 1 },
    );
    assert.deepEqual(collectParameters([{ name: 'top_k', args: '1.0' }]), { ok: false, error: 'invalid int value [1.0]', index: 0 });
  });

  it('notes non-finite floats', () => {
    const result = collectParameters([{ name: 'top_p', args: '-Infinity' }]);
    assert.ok(result.ok);
    assert.deepEqual(result.nonFinite, [0]);
  });

  it('gives an empty map for a Modelfile without parameters', () => {
    assert.deepEqual(collectParameters([{ name: 'model', args: 'x' }]), { ok: true, params: {}, warnings: [], deprecated: [], nonFinite: [] });
  });
});

describe('REQUIRES', () => {
  const valid: Array<[string, string]> = [
    ['0.14.0', '0.14.0'],
    ['v0.14.0', '0.14.0'],
    ['1', '1'],
    ['1.2', '1.2'],
    ['v1', '1'],
    ['0.0.0', '0.0.0'],
    ['10.20.30', '10.20.30'],
    ['1.2.3-alpha', '1.2.3-alpha'],
    ['1.2.3-alpha.1', '1.2.3-alpha.1'],
    ['1.2.3-0', '1.2.3-0'],
    ['1.2.3-0a', '1.2.3-0a'],
    ['1.2.3-rc-1', '1.2.3-rc-1'],
    ['1.2.3-x.7.z.92', '1.2.3-x.7.z.92'],
    ['1.2.3+build', '1.2.3+build'],
    ['1.2.3+001', '1.2.3+001'],
    ['1.2.3+exp.sha.5114f85', '1.2.3+exp.sha.5114f85'],
    ['1.2.3-beta+exp.sha.5114f85', '1.2.3-beta+exp.sha.5114f85'],
    ['99999999999999999999.0.0', '99999999999999999999.0.0'],
  ];
  for (const [input, version] of valid) {
    it(`accepts ${input}`, () => assert.deepEqual(normalizeRequires(input), { ok: true, version }));
  }
  const invalid = [
    '',
    'v',
    'vv1',
    'V1.0.0',
    ' 1.2.3',
    '1.2.3 ',
    '01.2.3',
    '1.02.3',
    '1.2.03',
    '1.2.3.4',
    '1.2-pre',
    '1-pre',
    '1+build',
    '1.2+build',
    '1.2.3-',
    '1.2.3+',
    '1.2.3-01',
    '1.2.3-a..b',
    '1.2.3-a.',
    '1.2.3+a..b',
    '1.2.3-a_b',
    '1.2.3+a+b',
    '1.',
    '1.2.',
    '.1.2',
    'latest',
    '1.2.x',
  ];
  for (const input of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () => assert.deepEqual(normalizeRequires(input), { ok: false, error: REQUIRES_ERROR }));
  }
  it('has Ollama\'s error text', () => assert.equal(REQUIRES_ERROR, 'requires must be a valid semver (e.g. 0.14.0)'));
  it('needs the v prefix in isGoSemver itself', () => {
    assert.ok(isGoSemver('v1.2.3'));
    assert.ok(!isGoSemver('1.2.3'));
  });
});

describe('splitMessage', () => {
  it('splits at the first ": "', () => {
    assert.deepEqual(splitMessage('user: Hello: world'), { role: 'user', content: 'Hello: world' });
    assert.deepEqual(splitMessage('assistant: '), { role: 'assistant', content: '' });
    assert.deepEqual(splitMessage('system: line one\nline two'), { role: 'system', content: 'line one\nline two' });
  });
  it('keeps everything as the role without a separator', () => {
    assert.deepEqual(splitMessage('user:hi'), { role: 'user:hi', content: '' });
    assert.deepEqual(splitMessage(''), { role: '', content: '' });
  });
});
