// Tests of the pure layer assembly and config building (spec 4.5, 4.6): order, replacement and accumulation rules,
// params merging with Go's float64 re-encoding of inherited values, draft replacement, the config's first-wins
// fields, families, architecture defaults, and how a base config is read (unknown fields dropped).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { assembleLayers, buildConfig, parseBaseConfig, type AssembleInputs, type GgufLayerFacts, type JsonValue } from '../../core/create';
import { encodeConfig, type ManifestLayer } from '../../core/json/ollama-json';
import { ManifestInvalid } from '../../core/errors';

const M = 'application/vnd.ollama.image.';
const d = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const layer = (kind: string, n: number, from = 'base:latest'): ManifestLayer => ({ mediaType: M + kind, digest: d(n), size: n, from });

function inputs(overrides: Partial<AssembleInputs>): AssembleInputs {
  return {
    base: [],
    adapters: [],
    drafts: [],
    template: '',
    system: '',
    licenses: [],
    params: {},
    inheritedParams: new Map(),
    messages: [],
    ...overrides,
  };
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('assembleLayers', () => {
  it('keeps everything inherited when the Modelfile adds nothing (and there are no params)', () => {
    const base = [layer('model', 1), layer('template', 2), layer('system', 3), layer('messages', 4)];
    const { layers, blobs } = assembleLayers(inputs({ base }));
    assert.deepEqual(layers, base);
    assert.deepEqual(blobs, []);
  });

  it('orders adapter, drafts, template, system, licenses, params, messages', () => {
    const base = [layer('model', 1), layer('draft', 9), layer('template', 2), layer('params', 5), layer('license', 6)];
    const { layers, blobs } = assembleLayers(
      inputs({
        base,
        adapters: [{ mediaType: M + 'adapter', digest: d(7), size: 7, from: 'lora.gguf' }],
        drafts: [{ mediaType: M + 'draft', digest: d(8), size: 8, from: 'd.gguf' }],
        template: 'T',
        system: 'S',
        licenses: ['L', 'L'],
        params: { top_k: 3 },
        inheritedParams: new Map([[d(5), { top_k: 1, seed: 42 }]]),
        messages: [{ role: 'user', content: '<hi>' }],
      }),
    );
    assert.deepEqual(
      layers.map((l) => [l.mediaType.slice(M.length), l.from]),
      [
        ['model', 'base:latest'],
        ['license', 'base:latest'],
        ['adapter', 'lora.gguf'],
        ['draft', 'd.gguf'],
        ['template', undefined],
        ['system', undefined],
        ['license', undefined],
        ['license', undefined],
        ['params', undefined],
        ['messages', undefined],
      ],
    );
    assert.deepEqual(blobs.map((b) => b.label), ['template', 'system', 'license', 'params', 'messages'], 'identical licenses share one blob');
    const params = blobs.find((b) => b.label === 'params');
    assert.equal(text(params?.bytes ?? new Uint8Array()), '{"seed":42,"top_k":3}\n');
    assert.equal(params?.digest, `sha256:${createHash('sha256').update('{"seed":42,"top_k":3}\n').digest('hex')}`);
    assert.equal(text(blobs[4].bytes), '[{"role":"user","content":"\\u003chi\\u003e"}]\n');
  });

  it('merges params: the Modelfile wins, then the first inherited layer; values re-encoded as Go float64', () => {
    const base = [layer('params', 5), layer('params', 6)];
    const { layers, blobs } = assembleLayers(
      inputs({
        base,
        params: { stop: ['new'] },
        inheritedParams: new Map<string, Record<string, JsonValue>>([
          [d(5), { stop: ['old1', 'old2'], num_ctx: 4096, big: 1e21, tiny: 1e-7, nested: { b: 1.5, a: [true, null, '<&>'] } }],
          [d(6), { num_ctx: 8192, temperature: 0.7 }],
        ]),
      }),
    );
    assert.deepEqual(layers.map((l) => l.mediaType.slice(M.length)), ['params']);
    assert.equal(
      text(blobs[0].bytes),
      '{"big":1e+21,"nested":{"a":[true,null,"\\u003c\\u0026\\u003e"],"b":1.5},"num_ctx":4096,"stop":["new"],"temperature":0.7,"tiny":1e-7}\n',
    );
  });

  it('leaves an inherited empty params layer where it is', () => {
    const base = [layer('params', 5), layer('system', 3)];
    const { layers } = assembleLayers(inputs({ base, inheritedParams: new Map([[d(5), {}]]) }));
    assert.deepEqual(layers, base);
  });
});

describe('buildConfig', () => {
  const facts = (architecture: string, parameterCount: number, fileTypeName = 'Q4_0', mediaType = M + 'model'): GgufLayerFacts => ({
    mediaType,
    architecture,
    parameterCount,
    fileTypeName,
  });
  const none = { renderer: '', parser: '', requires: '', drafts: [], modelfileSetsStop: false };

  it('fills from the first model layer, families without repeats, projectors ignored', () => {
    const { config } = buildConfig({
      ...none,
      layers: [facts('clip', 5, 'F16', M + 'projector'), facts('llama', 8_030_261_248, 'Q4_K_M'), facts('llama', 1), facts('mistral', 2)],
    });
    assert.equal(
      encodeConfig(config),
      '{"model_format":"gguf","model_family":"llama","model_families":["llama","mistral"],"model_type":"8.0B","file_type":"Q4_K_M","architecture":"amd64","os":"linux"}\n',
    );
  });

  it('starts from the base config; RENDERER/PARSER/REQUIRES override; drafts set the draft object', () => {
    const base = parseBaseConfig(
      '{"model_format":"gguf","model_family":"qwen3","model_families":["qwen3"],"model_type":"8.2B","file_type":"Q4_K_M","renderer":"qwen3","capabilities":["completion","tools"],"context_length":40960,"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
      'b',
    );
    const { config } = buildConfig({ ...none, base, parser: 'qwen3', requires: '0.9.0', layers: [facts('qwen3', 1)], drafts: [facts('qwen3', 1)] });
    assert.equal(
      encodeConfig(config),
      '{"model_format":"gguf","model_family":"qwen3","model_families":["qwen3"],"model_type":"8.2B","file_type":"Q4_K_M","renderer":"qwen3","parser":"qwen3","requires":"0.9.0","capabilities":["completion","tools"],"context_length":40960,"draft":{"model_format":"gguf","architecture":"qwen3"},"architecture":"amd64","os":"linux"}\n',
    );
    assert.deepEqual(base.model_families, ['qwen3'], 'the base config is not changed');
  });

  it('applies the architecture defaults only where unset', () => {
    assert.deepEqual(buildConfig({ ...none, layers: [facts('laguna', 1)] }).config.renderer, 'laguna');
    const nemotron = buildConfig({ ...none, renderer: 'x', layers: [facts('nemotron_h_moe', 1)] });
    assert.equal(nemotron.config.renderer, 'x');
    assert.equal(nemotron.config.parser, 'nemotron-3-nano');
    assert.deepEqual(buildConfig({ ...none, layers: [facts('gemma4', 1)] }).defaultParams, { stop: ['<turn|>'] });
    assert.deepEqual(buildConfig({ ...none, modelfileSetsStop: true, layers: [facts('gemma4', 1)] }).defaultParams, {});
    assert.deepEqual(buildConfig({ ...none, renderer: 'a', parser: 'b', layers: [facts('gemma4', 1)] }).defaultParams, {});
  });

  it('writes remote models with host and model', () => {
    const { config } = buildConfig({ ...none, remote: { host: 'https://ollama.com:443', model: 'gpt-oss:20b' }, layers: [] });
    assert.equal(config.remote_model, 'gpt-oss:20b');
    assert.equal(config.model_families, null);
  });
});

describe('parseBaseConfig', () => {
  it('reads what Go would, refuses wrong types', () => {
    const config = parseBaseConfig('{"model_family":"x","draft":{"architecture":"y"},"unknown":1}', 'm:latest');
    assert.deepEqual(config, {
      model_format: '',
      model_family: 'x',
      model_families: null,
      model_type: '',
      file_type: '',
      architecture: '',
      os: '',
      draft: { architecture: 'y' },
    });
    assert.throws(() => parseBaseConfig('{"model_family":3}', 'm:latest'), ManifestInvalid);
    assert.throws(() => parseBaseConfig('[', 'm:latest'), /not valid JSON/);
  });
});
