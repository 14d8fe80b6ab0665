// Tests for the models-directory location (spec 3.1), its fixed names, and Go's %v / %#v formatting of
// JSON-decoded values that `ollama show` uses for parameters.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DigestInvalid } from '../../core/errors';
import {
  PARTIALS_DIR_NAME,
  blobPath,
  cleanEnvValue,
  goFormatFloat,
  goPadRight,
  goSharpV,
  goV,
  partialsDir,
  resolveModelsDir,
} from '../../core/cache';

describe('resolveModelsDir', () => {
  const home = '/home/someone';
  it('defaults to <home>/.ollama/models', () => {
    assert.equal(resolveModelsDir({ env: {}, home }), join(home, '.ollama', 'models'));
  });
  it('uses OLLAMA_MODELS, cleaned like Ollama', () => {
    assert.equal(resolveModelsDir({ env: { OLLAMA_MODELS: '/data/models' }, home }), '/data/models');
    assert.equal(resolveModelsDir({ env: { OLLAMA_MODELS: '  "/data/models"  ' }, home }), '/data/models');
    assert.equal(resolveModelsDir({ env: { OLLAMA_MODELS: "'/data/models'" }, home }), '/data/models');
    assert.equal(resolveModelsDir({ env: { OLLAMA_MODELS: '   ' }, home }), join(home, '.ollama', 'models'));
    assert.equal(resolveModelsDir({ env: { OLLAMA_MODELS: '""' }, home }), join(home, '.ollama', 'models'));
  });
  it('prefers the explicit setting and expands ~/', () => {
    assert.equal(resolveModelsDir({ explicit: '/x/y', env: { OLLAMA_MODELS: '/data' }, home }), '/x/y');
    assert.equal(resolveModelsDir({ explicit: '~/m', env: {}, home }), join(home, 'm'));
    assert.equal(resolveModelsDir({ explicit: '  ', env: { OLLAMA_MODELS: '/data' }, home }), '/data');
  });
  it('cleans like Go: blanks first, then quotes (inner blanks stay)', () => {
    assert.equal(cleanEnvValue('\t"\'/a b\'"\n'), '/a b');
    assert.equal(cleanEnvValue('" /a "'), ' /a ');
    assert.equal(cleanEnvValue('\u00a0/a\u3000'), '/a');
    assert.equal(cleanEnvValue('\ufeff/a'), '\ufeff/a');
    assert.equal(cleanEnvValue(undefined), '');
  });
});

describe('layout names', () => {
  it('builds blob paths only from valid digests', () => {
    const hex = 'ab'.repeat(32);
    assert.equal(blobPath('/m', `sha256:${hex}`), join('/m', 'blobs', `sha256-${hex}`));
    assert.equal(blobPath('/m', `sha256-${hex.toUpperCase()}`), join('/m', 'blobs', `sha256-${hex}`));
    for (const bad of ['sha256:../../etc/passwd', `sha256:${hex}/x`, '', 'sha256:abc', `sha512:${hex}`]) {
      assert.throws(() => blobPath('/m', bad), DigestInvalid);
    }
  });
  it('keeps partial downloads in our private folder, outside blobs/ and manifests/', () => {
    assert.equal(PARTIALS_DIR_NAME, '.modelfile-studio/partials');
    assert.equal(partialsDir('/m'), join('/m', '.modelfile-studio', 'partials'));
  });
});

describe('Go %v of float64', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [1, '1'],
    [-1, '-1'],
    [0.8, '0.8'],
    [0.9, '0.9'],
    [0.95, '0.95'],
    [4096, '4096'],
    [123456, '123456'],
    [999999, '999999'],
    [1000000, '1e+06'],
    [1048576, '1.048576e+06'],
    [-2500000, '-2.5e+06'],
    [1e21, '1e+21'],
    [123456789, '1.23456789e+08'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e100, '1e+100'],
    [0.1 + 0.2, '0.30000000000000004'],
    [0.699999988079071, '0.699999988079071'],
    [5e-324, '5e-324'],
    [Number.MAX_VALUE, '1.7976931348623157e+308'],
    [-0, '-0'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [NaN, 'NaN'],
  ];
  for (const [value, expected] of cases) {
    it(`${value} → ${expected}`, () => assert.equal(goFormatFloat(value), expected));
  }
});

describe('Go %v and %#v of decoded JSON values', () => {
  it('formats scalars, lists and maps', () => {
    assert.equal(goV('<|im_end|>'), '<|im_end|>');
    assert.equal(goSharpV('<|im_end|>'), '"<|im_end|>"');
    assert.equal(goSharpV('a "q"\n\t\u0001é'), '"a \\"q\\"\\n\\t\\x01é"');
    assert.equal(goV(true), 'true');
    assert.equal(goSharpV(false), 'false');
    assert.equal(goV(null), '<nil>');
    assert.equal(goSharpV(1), '1');
    assert.equal(goSharpV(2e6), '2e+06');
    assert.equal(goV(['a', 1]), '[a 1]');
    assert.equal(goSharpV(['a', 1, null]), '[]interface {}{"a", 1, interface {}(nil)}');
    assert.equal(goV({ b: 1, a: 'x' }), 'map[a:x b:1]');
  });
  it('pads like %-*s', () => {
    assert.equal(goPadRight('temperature', 30), `temperature${' '.repeat(19)}`);
    assert.equal(goPadRight('x'.repeat(31), 30), 'x'.repeat(31));
  });
});
