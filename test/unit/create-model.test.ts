// End-to-end tests of createModel on real temporary models directories: layout and file names, exact JSON bytes
// (config, params, messages, manifest), the golden config digest, inheritance from a base model, FROM files and
// folders, projector/adapter/draft layers, split GGUFs, replacing a model, and every refusal.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobMissing, writeBlobFromBytes, writeManifest } from '../../core/cache';
import { createFromModelfilePath, createModel, type CreateOptions, type CreateResult } from '../../core/create';
import { GgufInvalid, ManifestInvalid, ModelfileInvalid, ModelNotFound, NameInvalid } from '../../core/errors';
import { readGgufInfo } from '../../core/gguf';
import {
  blobFile,
  gguf,
  hasLibraryManifest,
  progressLog,
  put,
  readBlob,
  readLibraryManifest,
  sha256,
  strayFiles,
  tree,
  workspace,
  type Workspace,
} from '../helpers/create-fixtures';

const MODEL = 'application/vnd.ollama.image.model';
const PROJECTOR = 'application/vnd.ollama.image.projector';
const ADAPTER = 'application/vnd.ollama.image.adapter';
const DRAFT = 'application/vnd.ollama.image.draft';
const TEMPLATE = 'application/vnd.ollama.image.template';
const SYSTEM = 'application/vnd.ollama.image.system';
const LICENSE = 'application/vnd.ollama.image.license';
const PARAMS = 'application/vnd.ollama.image.params';
const MESSAGES = 'application/vnd.ollama.image.messages';
const CONFIG = 'application/vnd.docker.container.image.v1+json';

let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

function create(name: string, modelfile: string, extra: Partial<CreateOptions> = {}): Promise<CreateResult> {
  return createModel({ modelsDir: ws.models, name, modelfile, modelfileDir: ws.src, ...extra });
}

async function rejects(promise: Promise<unknown>, type: new (...args: never[]) => Error, pattern?: RegExp): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof type, `expected ${type.name}, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail(`expected ${type.name}, but create succeeded`);
}

function configOf(result: { json: { config: { digest: string } } }): string {
  return readBlob(ws.models, result.json.config.digest).toString('utf8');
}

describe('createModel: FROM a GGUF file', () => {
  it('writes blobs, config and manifest with the exact bytes and layout', async () => {
    const model = gguf({ arch: 'llama', fileType: 15, tensors: [{ name: 'a', dims: [4, 4] }] });
    put(ws.src, { 'model.gguf': model });
    const log = progressLog();
    const result = await create(
      'my-model',
      [
        'FROM ./model.gguf',
        'TEMPLATE "{{ .System }} {{ .Prompt }}"',
        'SYSTEM You are <helpful> & kind',
        'LICENSE MIT',
        'PARAMETER temperature 0.7',
        'PARAMETER stop <|im_end|>',
        'PARAMETER stop "</s>"',
        'PARAMETER num_ctx 4096',
        'MESSAGE user hi: there',
        'MESSAGE assistant hello',
        '',
      ].join('\n'),
      { onProgress: log.listener },
    );
    assert.equal(result.name, 'my-model:latest');
    assert.equal(result.fullName, 'registry.ollama.ai/library/my-model:latest');
    const { raw, json } = readLibraryManifest(ws.models, 'my-model');
    assert.equal(result.digest, sha256(raw).slice('sha256:'.length));
    assert.ok(raw.toString('utf8').endsWith('}\n') && !raw.toString('utf8').includes(' '), 'compact JSON plus one newline');
    assert.deepEqual(
      json.layers.map((l) => [l.mediaType, l.from]),
      [[MODEL, undefined], [TEMPLATE, undefined], [SYSTEM, undefined], [LICENSE, undefined], [PARAMS, undefined], [MESSAGES, undefined]],
    );
    assert.equal(json.schemaVersion, 2);
    assert.equal(json.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(json.config.mediaType, CONFIG);
    // The model blob is the GGUF file, byte for byte.
    assert.equal(json.layers[0].digest, sha256(model));
    assert.equal(json.layers[0].size, model.length);
    assert.deepEqual(readBlob(ws.models, json.layers[0].digest), Buffer.from(model));
    // Text layers are raw UTF-8; JSON layers are Go-encoded.
    assert.equal(readBlob(ws.models, json.layers[1].digest).toString(), '{{ .System }} {{ .Prompt }}');
    assert.equal(readBlob(ws.models, json.layers[2].digest).toString(), 'You are <helpful> & kind');
    assert.equal(readBlob(ws.models, json.layers[3].digest).toString(), 'MIT');
    assert.equal(
      readBlob(ws.models, json.layers[4].digest).toString(),
      '{"num_ctx":4096,"stop":["\\u003c|im_end|\\u003e","\\u003c/s\\u003e"],"temperature":0.7}\n',
    );
    assert.equal(
      readBlob(ws.models, json.layers[5].digest).toString(),
      '{"role":"user","content":"hi: there"}'.replace(/^/, '[') + ',{"role":"assistant","content":"hello"}]\n',
    );
    assert.equal(
      configOf({ json }),
      '{"model_format":"gguf","model_family":"llama","model_families":["llama"],"model_type":"16","file_type":"Q4_K_M","architecture":"amd64","os":"linux"}\n',
    );
    // Every blob's name is its digest; nothing else lies around.
    for (const layer of [json.config, ...json.layers]) {
      assert.equal(sha256(readBlob(ws.models, layer.digest)), layer.digest);
      assert.equal(readBlob(ws.models, layer.digest).length, layer.size);
    }
    assert.deepEqual(strayFiles(ws.models), []);
    assert.deepEqual(tree(join(ws.models, 'manifests')), ['registry.ollama.ai/library/my-model/latest']);
    const kinds = log.events.map((e) => e.kind);
    assert.ok(kinds.includes('layer') && kinds.indexOf('writing-manifest') < kinds.indexOf('success'));
    assert.deepEqual(log.events.at(-1), { kind: 'success', name: 'my-model:latest', digest: result.digest });
  });

  it('writes the config the spec asserts, digest for digest', async () => {
    put(ws.src, { 'test.gguf': gguf({ arch: 'test', tensors: [] }) });
    await create('golden', 'FROM test.gguf\n');
    const { json } = readLibraryManifest(ws.models, 'golden');
    const expected =
      '{"model_format":"gguf","model_family":"test","model_families":["test"],"model_type":"0","file_type":"unknown","architecture":"amd64","os":"linux"}\n';
    assert.equal(configOf({ json }), expected);
    assert.equal(json.config.digest, 'sha256:99759ad5b91e723db0393d698ffbb448b1b7df5ff6377a108c49254583b1bc8c');
    assert.equal(json.config.size, Buffer.byteLength(expected));
  });

  it('drops deprecated parameters with Ollama\'s warning and rejects unknown ones with its text', async () => {
    put(ws.src, { 'm.gguf': gguf() });
    const result = await create('dep', 'FROM m.gguf\nPARAMETER mirostat 2\nPARAMETER top_k 7\n');
    assert.deepEqual(result.warnings, ['warning: parameter mirostat is deprecated']);
    const { json } = readLibraryManifest(ws.models, 'dep');
    assert.equal(readBlob(ws.models, json.layers[1].digest).toString(), '{"top_k":7}\n');
    await rejects(create('bad', 'FROM m.gguf\nPARAMETER numa true\n'), ModelfileInvalid, /^unknown parameter 'numa'$/);
    await rejects(create('bad', 'FROM m.gguf\nPARAMETER top_k 1.5\n'), ModelfileInvalid, /^invalid int value \[1\.5\]$/);
    await rejects(create('bad', 'FROM m.gguf\nREQUIRES 1.2.x\n'), ModelfileInvalid, /^requires must be a valid semver/);
    assert.equal(hasLibraryManifest(ws.models, 'bad'), false);
  });

  it('refuses a template Go cannot parse with `template error:`', async () => {
    put(ws.src, { 'm.gguf': gguf() });
    await rejects(create('t', 'FROM m.gguf\nTEMPLATE "{{ .Prompt "\n'), ModelfileInvalid, /^template error: template: :1: /);
    await rejects(create('t', 'FROM m.gguf\nTEMPLATE """a\n{{ nosuchfunc }}"""\n'), ModelfileInvalid, /^template error: template: :2: function "nosuchfunc" not defined/);
    assert.equal(existsSync(join(ws.models, 'manifests')), false);
  });

  it('stores REQUIRES without its v, RENDERER and PARSER in the config', async () => {
    put(ws.src, { 'm.gguf': gguf({ arch: 'qwen3', fileType: 7 }) });
    await create('cfg', 'FROM m.gguf\nREQUIRES v0.14.0\nRENDERER qwen3-coder\nPARSER qwen3-coder\n');
    const { json } = readLibraryManifest(ws.models, 'cfg');
    assert.equal(
      configOf({ json }),
      '{"model_format":"gguf","model_family":"qwen3","model_families":["qwen3"],"model_type":"16","file_type":"Q8_0","renderer":"qwen3-coder","parser":"qwen3-coder","requires":"0.14.0","architecture":"amd64","os":"linux"}\n',
    );
  });

  it('applies the gemma4 defaults (renderer, parser, stop) unless the Modelfile sets them', async () => {
    put(ws.src, { 'g.gguf': gguf({ arch: 'gemma4' }) });
    await create('g', 'FROM g.gguf\n');
    const { json } = readLibraryManifest(ws.models, 'g');
    assert.match(configOf({ json }), /"renderer":"gemma4","parser":"gemma4"/);
    assert.equal(readBlob(ws.models, json.layers[1].digest).toString(), '{"stop":["\\u003cturn|\\u003e"]}\n');
    await create('g2', 'FROM g.gguf\nPARAMETER stop x\nRENDERER mine\n');
    const second = readLibraryManifest(ws.models, 'g2').json;
    assert.match(configOf({ json: second }), /"renderer":"mine","parser":"gemma4"/);
    assert.equal(readBlob(ws.models, second.layers[1].digest).toString(), '{"stop":["x"]}\n');
  });

  it('creates from a Modelfile path, relative paths from its folder', async () => {
    put(ws.src, { 'sub/Modelfile': 'FROM ../m.gguf\n', 'm.gguf': gguf() });
    const result = await createFromModelfilePath(join(ws.src, 'sub', 'Modelfile'), 'from-path', { modelsDir: ws.models });
    assert.equal(result.name, 'from-path:latest');
    await rejects(
      createFromModelfilePath(join(ws.src, 'nope', 'Modelfile'), 'x', { modelsDir: ws.models, shownPath: 'nope/Modelfile' }),
      Error,
      /^no Modelfile at nope\/Modelfile: create one, or name it with -f FILE$/,
    );
  });
});

describe('createModel: folders, projectors, adapters, drafts', () => {
  it('takes the GGUFs of a folder, sorted by name, projector by its metadata', async () => {
    const model = gguf({ arch: 'llama', fileType: 2 });
    const mmproj = gguf({ arch: 'clip', type: 'mmproj' });
    put(ws.src, { 'weights/model.gguf': model, 'weights/mmproj.gguf': mmproj });
    await create('vision', 'FROM ./weights\n');
    const { json } = readLibraryManifest(ws.models, 'vision');
    assert.deepEqual(
      json.layers.map((l) => [l.mediaType, l.digest, l.from]),
      [
        [PROJECTOR, sha256(mmproj), 'mmproj.gguf'],
        [MODEL, sha256(model), undefined],
      ],
    );
    assert.match(configOf({ json }), /"model_family":"llama","model_families":\["llama"\],"model_type":"16","file_type":"Q4_0"/);
  });

  it('names files of several FROM lines relative to their common folder', async () => {
    put(ws.src, { 'a/model.gguf': gguf(), 'b/proj.gguf': gguf({ arch: 'clip', type: 'projector' }) });
    await create('two', 'FROM ./a/model.gguf\nFROM ./b/proj.gguf\n');
    const { json } = readLibraryManifest(ws.models, 'two');
    assert.deepEqual(json.layers.map((l) => [l.mediaType, l.from]), [[MODEL, undefined], [PROJECTOR, 'b/proj.gguf']]);
  });

  it('rejects a GGUF folder that also holds JSON files, as Ollama does', async () => {
    put(ws.src, { 'w/model.gguf': gguf(), 'w/config.json': '{"a":1}' });
    await rejects(create('x', 'FROM ./w\n'), ModelfileInvalid, /^supplied file was not in GGUF format: config\.json \(Ollama adds/);
  });

  it('refuses safetensors and PyTorch weights with the converter message', async () => {
    put(ws.src, { 'st/model.safetensors': 'x', 'single.safetensors': 'x', 'pt/pytorch_model.bin': Buffer.from('PK\x03\x04rest', 'latin1') });
    for (const from of ['./st', './single.safetensors', './pt']) {
      const error = await rejects(create('x', `FROM ${from}\n`), Error, /need Ollama's converter: run `ollama create`/);
      assert.equal((error as { code?: string }).code, 'NeedsConverter');
    }
    await rejects(create('x', 'FROM ./st\n'), Error, /^FROM \.\/st holds safetensors weights/);
    await rejects(create('x', 'FROM ./pt\n'), Error, /^FROM \.\/pt holds PyTorch weights/);
  });

  it('refuses an empty folder and a file that is not GGUF', async () => {
    put(ws.src, { 'empty/readme.txt': 'hi', 'text.gguf': 'not gguf at all' });
    await rejects(create('x', 'FROM ./empty\n'), ModelfileInvalid, /^no Modelfile or safetensors files found/);
    await rejects(create('x', 'FROM ./text.gguf\n'), ModelfileInvalid, /^supplied file was not in GGUF format: text\.gguf/);
  });

  it('refuses folder files that resolve outside the folder', async () => {
    put(ws.src, { 'outside/real.gguf': gguf(), 'w/.keep': '' });
    symlinkSync(join(ws.src, 'outside', 'real.gguf'), join(ws.src, 'w', 'model.gguf'));
    await rejects(create('x', 'FROM ./w\n'), ModelfileInvalid, /^insecure path: model\.gguf/);
  });

  it('adds the adapter after the model (last ADAPTER wins) and refuses two adapter files', async () => {
    const lora = gguf({ arch: 'llama', type: 'adapter' });
    put(ws.src, { 'm.gguf': gguf(), 'old.gguf': gguf({ type: 'adapter', arch: 'x' }), 'lora.gguf': lora, 'two/a.gguf': lora, 'two/b.gguf': lora });
    await create('tuned', 'FROM m.gguf\nADAPTER old.gguf\nADAPTER ./lora.gguf\n');
    const { json } = readLibraryManifest(ws.models, 'tuned');
    assert.deepEqual(json.layers.map((l) => [l.mediaType, l.from]), [[MODEL, undefined], [ADAPTER, 'lora.gguf']]);
    assert.equal(json.layers[1].digest, sha256(lora));
    await rejects(create('x', 'FROM m.gguf\nADAPTER ./two\n'), ModelfileInvalid, /^only one adapter is currently supported/);
    await rejects(create('x', 'FROM m.gguf\nADAPTER ./missing.gguf\n'), Error, /^ADAPTER \.\/missing\.gguf: no such file or folder/);
  });

  it('adds DRAFT layers with the config draft object, never the FROM path', async () => {
    const draft = gguf({ arch: 'qwen3' });
    put(ws.src, { 'm.gguf': gguf({ arch: 'qwen3' }), 'd.gguf': draft });
    await create('spec', 'FROM m.gguf\nDRAFT d.gguf\nSYSTEM hi\n');
    const { json } = readLibraryManifest(ws.models, 'spec');
    assert.deepEqual(json.layers.map((l) => [l.mediaType, l.from]), [[MODEL, undefined], [DRAFT, 'd.gguf'], [SYSTEM, undefined]]);
    assert.match(configOf({ json }), /"draft":\{"model_format":"gguf","architecture":"qwen3"\},"architecture":"amd64"/);
    await rejects(
      create('x', 'FROM ./m.gguf\nDRAFT m.gguf\n'),
      ModelfileInvalid,
      /^DRAFT must not reference the same local path as FROM: m\.gguf$/,
    );
  });
});

describe('createModel: split GGUF', () => {
  function shard(no: number, count: number, tensor: string, fill: number): Uint8Array {
    return gguf({
      arch: 'llama',
      fileType: 1,
      kv: [
        ['split.no', 'uint16', no],
        ['split.count', 'uint16', count],
        ['split.tensors.count', 'int32', count],
      ],
      tensors: [{ name: tensor, dims: [8], type: 0 }],
      dataBytes: new Uint8Array(32).fill(fill),
    });
  }

  it('merges the shards into one model layer with every tensor and no split keys', async () => {
    put(ws.src, { 'm/model-00001-of-00002.gguf': shard(0, 2, 't0', 0x11), 'm/model-00002-of-00002.gguf': shard(1, 2, 't1', 0x22) });
    await create('split', 'FROM ./m\n');
    const { json } = readLibraryManifest(ws.models, 'split');
    assert.equal(json.layers.length, 1);
    assert.equal(json.layers[0].mediaType, MODEL);
    const path = blobFile(ws.models, json.layers[0].digest);
    const info = await readGgufInfo(path);
    assert.deepEqual(info.tensors.map((t) => t.name), ['t0', 't1']);
    assert.equal(info.kv.has('split.count') || info.kv.has('split.no') || info.kv.has('split.tensors.count'), false);
    assert.equal(info.architecture, 'llama');
    const bytes = readFileSync(path);
    for (const [tensor, fill] of [[info.tensors[0], 0x11], [info.tensors[1], 0x22]] as const) {
      const start = (info.tensorDataOffset ?? 0) + tensor.offset;
      assert.deepEqual([...bytes.subarray(start, start + 32)], new Array(32).fill(fill), tensor.name);
    }
    assert.match(configOf({ json }), /"model_type":"16","file_type":"F16"/);
  });

  it('refuses incomplete or inconsistent splits', async () => {
    put(ws.src, { 'a/model-00001-of-00002.gguf': shard(0, 2, 't0', 1) });
    await rejects(create('x', 'FROM ./a\n'), ModelfileInvalid, /^invalid split GGUF: split GGUF "model-00001-of-00002\.gguf" has 1 shards, expected 2/);
    put(ws.src, { 'b/model-00001-of-00002.gguf': shard(0, 2, 't0', 1), 'b/model-00002-of-00002.gguf': shard(1, 2, 't0', 2) });
    await rejects(create('x', 'FROM ./b\n'), ModelfileInvalid, /duplicate tensor "t0"/);
    put(ws.src, { 'c/weird.gguf': shard(0, 2, 't0', 1) });
    await rejects(create('x', 'FROM ./c\n'), ModelfileInvalid, /must use llama\.cpp split filename pattern/);
  });
});

describe('createModel: FROM a model (inheritance)', () => {
  async function makeBase(): Promise<void> {
    put(ws.src, { 'base.gguf': gguf({ arch: 'llama', fileType: 15 }) });
    await create(
      'base',
      [
        'FROM base.gguf',
        'TEMPLATE {{ .Prompt }}',
        'SYSTEM base system',
        'LICENSE base license',
        'PARAMETER stop a',
        'PARAMETER stop b',
        'PARAMETER top_k 10',
        'PARAMETER temperature 0.3',
        'MESSAGE user hello',
        'RENDERER r1',
        'PARSER p1',
        'REQUIRES 0.5.0',
        '',
      ].join('\n'),
    );
  }

  it('keeps inherited layers with from, accumulates LICENSE, keeps SYSTEM on an empty one, merges params', async () => {
    await makeBase();
    const base = readLibraryManifest(ws.models, 'base').json;
    await create('child', 'FROM base\nSYSTEM ""\nLICENSE child license\nPARAMETER stop c\n');
    const { json } = readLibraryManifest(ws.models, 'child');
    assert.deepEqual(
      json.layers.map((l) => [l.mediaType, l.from]),
      [
        [MODEL, 'base:latest'],
        [TEMPLATE, 'base:latest'],
        [SYSTEM, 'base:latest'],
        [LICENSE, 'base:latest'],
        [MESSAGES, 'base:latest'],
        [LICENSE, undefined],
        [PARAMS, undefined],
      ],
    );
    // Inherited layers are the base's blobs; the merged params replace `stop` whole and keep the rest (as Go's
    // float64 re-encoding prints them).
    assert.equal(json.layers[0].digest, base.layers[0].digest);
    assert.equal(json.layers[2].digest, base.layers[2].digest);
    assert.equal(readBlob(ws.models, json.layers[6].digest).toString(), '{"stop":["c"],"temperature":0.3,"top_k":10}\n');
    assert.equal(
      configOf({ json }),
      '{"model_format":"gguf","model_family":"llama","model_families":["llama"],"model_type":"16","file_type":"Q4_K_M","renderer":"r1","parser":"p1","requires":"0.5.0","architecture":"amd64","os":"linux"}\n',
    );
  });

  it('moves the params layer to the end even when nothing changes, and replaces messages only when given', async () => {
    await makeBase();
    const base = readLibraryManifest(ws.models, 'base').json;
    await create('same', 'FROM base\nLICENSE more\nMESSAGE assistant hi\nRENDERER r2\n');
    const { json } = readLibraryManifest(ws.models, 'same');
    assert.deepEqual(
      json.layers.map((l) => l.mediaType),
      [MODEL, TEMPLATE, SYSTEM, LICENSE, LICENSE, PARAMS, MESSAGES],
    );
    const params = base.layers.find((l) => l.mediaType === PARAMS);
    assert.equal(
      readBlob(ws.models, json.layers[5].digest).toString(),
      '{"stop":["a","b"],"temperature":0.3,"top_k":10}\n',
      'inherited params re-encoded',
    );
    assert.notEqual(params, undefined);
    assert.equal(readBlob(ws.models, json.layers[6].digest).toString(), '[{"role":"assistant","content":"hi"}]\n');
    assert.match(configOf({ json }), /"renderer":"r2","parser":"p1","requires":"0\.5\.0"/);
  });

  it('finds the base case-insensitively and replaces TEMPLATE and SYSTEM when they are not empty', async () => {
    await makeBase();
    await create('child', 'FROM BASE:Latest\nTEMPLATE new {{ .Prompt }}\nSYSTEM new system\n');
    const { json } = readLibraryManifest(ws.models, 'child');
    assert.deepEqual(json.layers.map((l) => [l.mediaType, l.from]), [
      [MODEL, 'base:latest'],
      [LICENSE, 'base:latest'],
      [MESSAGES, 'base:latest'],
      [TEMPLATE, undefined],
      [SYSTEM, undefined],
      [PARAMS, undefined],
    ]);
    assert.equal(readBlob(ws.models, json.layers[3].digest).toString(), 'new {{ .Prompt }}');
  });

  it('uses the model name and ignores FROM files beside it, with a warning', async () => {
    await makeBase();
    put(ws.src, { 'other.gguf': gguf({ arch: 'phi3' }) });
    const result = await create('mixed', 'FROM ./other.gguf\nFROM base\n');
    assert.match(result.warnings.join('\n'), /FROM \.\/other\.gguf is ignored because FROM base names a model/);
    assert.equal(readLibraryManifest(ws.models, 'mixed').json.layers[0].from, 'base:latest');
  });

  it('says to pull a model that is not there, or pulls it through the hook', async () => {
    await rejects(create('x', 'FROM llama3.2\n'), ModelNotFound, /^model 'llama3\.2:latest' not found: .*pull it first/);
    await rejects(create('x', 'FROM ./llama3.2.gguf\n'), Error, /^FROM \.\/llama3\.2\.gguf: no such file or folder/);
    await rejects(create('x', 'FROM llama3.2.gguf\n', { pullMissing: async () => assert.fail('a path is not pulled') }), Error, /^FROM llama3\.2\.gguf: no such file or folder/);
    await rejects(create('x', 'FROM not a name!\n'), NameInvalid);
    const pulled: string[] = [];
    await create('y', 'FROM remote-base\nSYSTEM s\n', {
      pullMissing: async (name) => {
        pulled.push(name);
        put(ws.src, { 'rb.gguf': gguf() });
        await create('remote-base', 'FROM rb.gguf\n');
      },
    });
    assert.deepEqual(pulled, ['registry.ollama.ai/library/remote-base:latest']);
    assert.equal(readLibraryManifest(ws.models, 'y').json.layers[0].from, 'remote-base:latest');
    await rejects(create('z', 'FROM other:local\n', { pullMissing: async () => assert.fail('must not pull') }), ModelNotFound);
  });

  it('refuses a base manifest with a hostile digest or a missing blob, writing nothing', async () => {
    const config = await writeBlobFromBytes(ws.models, Buffer.from('{}'));
    const hostile = JSON.stringify({
      schemaVersion: 2,
      layers: [{ mediaType: MODEL, digest: 'sha256:../../x', size: 1 }],
      config: { mediaType: CONFIG, digest: config.digest, size: config.size },
    });
    mkdirSync(join(ws.models, 'manifests/registry.ollama.ai/library/evil'), { recursive: true });
    writeFileSync(join(ws.models, 'manifests/registry.ollama.ai/library/evil/latest'), hostile);
    const before = tree(ws.root);
    await rejects(create('x', 'FROM evil\n'), ManifestInvalid, /invalid digest/);
    const missing = `sha256:${'a'.repeat(64)}`;
    await writeManifest(
      ws.models,
      'hollow',
      Buffer.from(JSON.stringify({ schemaVersion: 2, config: { mediaType: CONFIG, digest: config.digest, size: config.size }, layers: [{ mediaType: MODEL, digest: missing, size: 5 }] })),
      { requireBlobs: false },
    );
    const error = await rejects(create('x', 'FROM hollow\n'), BlobMissing, /is missing or incomplete for model 'hollow:latest'/);
    assert.equal((error as BlobMissing).digest, missing);
    const after = tree(ws.root).filter((p) => !p.includes('/.modelfile-studio/') && !p.endsWith('/hollow/latest'));
    assert.deepEqual(after, before.filter((p) => !p.includes('/.modelfile-studio/')));
  });

  it('creates a remote model for a :cloud reference', async () => {
    await create('cloudy', 'FROM gpt-oss:20b:cloud\nSYSTEM be brief\n');
    const { json } = readLibraryManifest(ws.models, 'cloudy');
    assert.deepEqual(json.layers.map((l) => l.mediaType), [SYSTEM]);
    assert.equal(
      configOf({ json }),
      '{"model_format":"","model_family":"","model_families":null,"model_type":"","file_type":"","remote_host":"https://ollama.com:443","remote_model":"gpt-oss:20b","architecture":"amd64","os":"linux"}\n',
    );
    put(ws.src, { 'd.gguf': gguf() });
    await rejects(create('x', 'FROM gpt-oss:20b-cloud\nDRAFT d.gguf\n'), ModelfileInvalid, /^DRAFT cannot be used with remote models$/);
  });
});

describe('createModel: replacing a model and refusals', () => {
  it('removes the blobs the replaced model no longer needs, keeps shared ones', async () => {
    const a = gguf({ arch: 'a' });
    const b = gguf({ arch: 'b' });
    put(ws.src, { 'a.gguf': a, 'b.gguf': b });
    await create('m', 'FROM a.gguf\nSYSTEM one\n');
    await create('keep', 'FROM a.gguf\n');
    const first = readLibraryManifest(ws.models, 'm').json;
    const result = await create('m', 'FROM b.gguf\nSYSTEM two\n');
    const systemOne = first.layers[1].digest;
    assert.ok(result.removedBlobs.includes(systemOne));
    // The old config is byte-identical to keep:latest's (same GGUF, no system layer): shared, so kept.
    assert.equal(result.removedBlobs.includes(first.config.digest), false);
    assert.equal(existsSync(blobFile(ws.models, first.config.digest)), true);
    assert.equal(existsSync(blobFile(ws.models, systemOne)), false);
    assert.equal(existsSync(blobFile(ws.models, sha256(a))), true, 'still used by keep:latest');
    const kept = await create('n', 'FROM b.gguf\n', { keepUnusedBlobs: true });
    assert.deepEqual(kept.removedBlobs, []);
  });

  it('replaces a model created from itself, removing only what the new one no longer uses', async () => {
    put(ws.src, { 'm.gguf': gguf() });
    await create('self', 'FROM m.gguf\nSYSTEM old\nLICENSE ""\n');
    const before = readLibraryManifest(ws.models, 'self').json;
    assert.deepEqual(before.layers.map((l) => [l.mediaType, l.size]), [[MODEL, before.layers[0].size], [SYSTEM, 3], [LICENSE, 0]]);
    const result = await create('self', 'FROM self\nSYSTEM new\n');
    const after = readLibraryManifest(ws.models, 'self').json;
    assert.deepEqual(after.layers.map((l) => [l.mediaType, l.from]), [[MODEL, 'self:latest'], [LICENSE, 'self:latest'], [SYSTEM, undefined]]);
    assert.equal(after.config.digest, before.config.digest, 'same GGUF, same config');
    assert.deepEqual(result.removedBlobs, [before.layers[1].digest]);
    for (const layer of [after.config, ...after.layers]) assert.equal(existsSync(blobFile(ws.models, layer.digest)), true);
  });

  it('refuses a huge file given as the Modelfile', async () => {
    const big = join(ws.src, 'weights.gguf');
    writeFileSync(big, '');
    truncateSync(big, 65 * 1024 * 1024);
    await rejects(
      createFromModelfilePath(big, 'x', { modelsDir: ws.models, shownPath: 'weights.gguf' }),
      ModelfileInvalid,
      /^weights\.gguf is \d+ bytes, too large for a Modelfile; to import weights, write `FROM weights\.gguf` in a Modelfile$/,
    );
  });

  it('rejects invalid target names and parse errors with their texts, writing nothing', async () => {
    put(ws.src, { 'm.gguf': gguf() });
    await rejects(create('bad/na..me/x/y/z', 'FROM m.gguf\n'), NameInvalid);
    await rejects(create('ok', 'FROM m.gguf\nFROB x\n'), ModelfileInvalid, /^\(line 2\): command must be one of/);
    await rejects(create('ok', 'SYSTEM x\n'), ModelfileInvalid, /^no FROM line$/);
    assert.equal(existsSync(ws.models), false);
  });

  it('refuses truncated and corrupt GGUF files as GgufInvalid, naming the file not its path', async () => {
    const good = gguf({ tensors: [{ name: 'w', dims: [64, 64] }] });
    put(ws.src, { 'cut.gguf': good.subarray(0, good.length - 100), 'head.gguf': good.subarray(0, 40) });
    const cut = await rejects(create('x', 'FROM cut.gguf\n'), GgufInvalid, /^cut\.gguf: not a valid GGUF file: tensor "w" ends at byte \d+ but the file has only/);
    assert.doesNotMatch(cut.message, new RegExp(ws.root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    await rejects(create('x', 'FROM head.gguf\n'), GgufInvalid, /^head\.gguf: not a valid GGUF file/);
    assert.deepEqual(strayFiles(ws.models), []);
  });
});
