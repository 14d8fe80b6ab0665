// Tests of core/gguf: value types, versions, byte orders, skipped arrays, architecture keys, parameter counts,
// file-type names, layer classification, capabilities, and hostile or truncated files (GgufInvalid, nothing else).
import { strict as assert } from 'node:assert';
import { mkdtemp, open, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { Cancelled, GgufInvalid } from '../../core/errors';
import {
  GGUF_FILE_TYPES,
  MEDIA_TYPE_ADAPTER,
  MEDIA_TYPE_MODEL,
  MEDIA_TYPE_PROJECTOR,
  capabilitiesFromGguf,
  ggufFileTypeName,
  isGgufFile,
  isGgufMagic,
  layerMediaTypeFor,
  lookupGgufKey,
  readGguf,
  readGgufInfo,
  stopAtTokenizerKeys,
  type GgufValue,
} from '../../core/gguf';
import { GgufByteWriter, typeId, writeGguf, writeGgufFile, type GgufWriterKv } from '../helpers/gguf-writer';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gguf-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Asserts that reading rejects with GgufInvalid whose message matches. */
async function rejectsInvalid(promise: Promise<unknown>, pattern?: RegExp): Promise<GgufInvalid> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GgufInvalid, `expected GgufInvalid, got ${String(error)}`);
    if (pattern) assert.match(error.message, pattern);
    return error;
  }
  assert.fail('expected GgufInvalid, but reading succeeded');
}

const ALL_TYPES: GgufWriterKv[] = [
  ['t.uint8', 'uint8', 200],
  ['t.int8', 'int8', -5],
  ['t.uint16', 'uint16', 60000],
  ['t.int16', 'int16', -30000],
  ['t.uint32', 'uint32', 4_000_000_000],
  ['t.int32', 'int32', -2_000_000_000],
  ['t.float32', 'float32', 1.5],
  ['t.bool.true', 'bool', true],
  ['t.bool.false', 'bool', false],
  ['t.string', 'string', 'héllo, wörld ✓'],
  ['t.string.empty', 'string', ''],
  ['t.array', 'array', { elementType: 'int32', values: [1, -2, 3] }],
  ['t.uint64', 'uint64', 2n ** 60n + 7n],
  ['t.int64', 'int64', -(2n ** 60n)],
  ['t.float64', 'float64', Math.PI],
];

const EXPECTED_ALL_TYPES: [string, GgufValue][] = [
  ['t.uint8', { type: 'uint8', value: 200 }],
  ['t.int8', { type: 'int8', value: -5 }],
  ['t.uint16', { type: 'uint16', value: 60000 }],
  ['t.int16', { type: 'int16', value: -30000 }],
  ['t.uint32', { type: 'uint32', value: 4_000_000_000 }],
  ['t.int32', { type: 'int32', value: -2_000_000_000 }],
  ['t.float32', { type: 'float32', value: 1.5 }],
  ['t.bool.true', { type: 'bool', value: true }],
  ['t.bool.false', { type: 'bool', value: false }],
  ['t.string', { type: 'string', value: 'héllo, wörld ✓' }],
  ['t.string.empty', { type: 'string', value: '' }],
  [
    't.array',
    {
      type: 'array',
      elementType: 'int32',
      length: 3,
      values: [
        { type: 'int32', value: 1 },
        { type: 'int32', value: -2 },
        { type: 'int32', value: 3 },
      ],
    },
  ],
  ['t.uint64', { type: 'uint64', value: 2n ** 60n + 7n }],
  ['t.int64', { type: 'int64', value: -(2n ** 60n) }],
  ['t.float64', { type: 'float64', value: Math.PI }],
];

/** A small but complete model file: architecture keys, tokenizer keys and a few tensors. */
function smallModel(version: 1 | 2 | 3 = 3, bigEndian = false): Uint8Array {
  return writeGguf({
    version,
    bigEndian,
    kv: [
      ['general.architecture', 'string', 'llama'],
      ['general.name', 'string', 'tiny'],
      ['general.file_type', 'uint32', 15],
      ['llama.context_length', 'uint32', 4096],
      ['llama.embedding_length', 'uint32', 64],
      ['llama.block_count', 'uint32', 2],
      ['tokenizer.ggml.model', 'string', 'gpt2'],
      ['tokenizer.ggml.tokens', 'array', { elementType: 'string', values: ['a', 'b', 'c'] }],
      ['tokenizer.chat_template', 'string', '{{ .Prompt }}'],
    ],
    tensors: [
      { name: 'token_embd.weight', dims: [64, 3], type: 0 },
      { name: 'blk.0.attn_q.weight', dims: [64, 64], type: 12 },
      { name: 'output_norm.weight', dims: [64], type: 0 },
    ],
  });
}

describe('GGUF values', () => {
  it('reads every value type 0–12', async () => {
    const header = await readGguf(writeGguf({ kv: ALL_TYPES }));
    assert.deepEqual([...header.kv.entries()], EXPECTED_ALL_TYPES);
    assert.equal(header.kvCount, ALL_TYPES.length);
    assert.equal(header.tensorCount, 0);
    assert.equal(header.parameterCount, 0);
  });

  for (const version of [1, 2, 3] as const) {
    it(`reads version ${version}`, async () => {
      const header = await readGguf(writeGguf({ version, kv: ALL_TYPES }));
      assert.equal(header.version, version);
      assert.equal(header.littleEndian, true);
      assert.deepEqual([...header.kv.entries()], EXPECTED_ALL_TYPES);
    });
  }

  it('version 1: uint32 counts and strings whose length counts a trailing NUL', async () => {
    const bytes = writeGguf({ version: 1, kv: [['k', 'string', 'ab']] });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // magic, version, two uint32 counts, then the key: uint64 length 2 ("k\0").
    assert.equal(view.getUint32(8, true), 0);
    assert.equal(view.getUint32(12, true), 1);
    assert.equal(view.getBigUint64(16, true), 2n);
    assert.equal(bytes.length, 16 + (8 + 2) + 4 + (8 + 3));
    const header = await readGguf(bytes);
    assert.deepEqual(header.kv.get('k'), { type: 'string', value: 'ab' });
  });

  it('reads big-endian files: "GGUF" magic with a byte-swapped version', async () => {
    const bytes = writeGguf({ bigEndian: true, kv: ALL_TYPES });
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), 'GGUF');
    assert.deepEqual([...bytes.subarray(4, 8)], [0, 0, 0, 3]);
    const header = await readGguf(bytes);
    assert.equal(header.littleEndian, false);
    assert.deepEqual([...header.kv.entries()], EXPECTED_ALL_TYPES);
  });

  it('reads big-endian files with the "FUGG" magic Ollama expects', async () => {
    for (const version of [1, 2, 3] as const) {
      const bytes = writeGguf({ version, bigEndian: true, magic: 'FUGG', kv: ALL_TYPES });
      const header = await readGguf(bytes);
      assert.equal(header.littleEndian, false);
      assert.equal(header.version, version);
      assert.deepEqual([...header.kv.entries()], EXPECTED_ALL_TYPES);
    }
  });

  it('big-endian tensor infos and parameter count', async () => {
    const le = await readGgufInfo(smallModel(3, false));
    const be = await readGgufInfo(smallModel(3, true));
    assert.deepEqual(be.tensors, le.tensors);
    assert.equal(be.parameterCount, le.parameterCount);
    assert.equal(be.contextLength, 4096);
  });

  it('reads nested arrays', async () => {
    const header = await readGguf(
      writeGguf({
        kv: [
          [
            'nested',
            'array',
            {
              elementType: 'array',
              values: [
                { elementType: 'string', values: ['x', 'y'] },
                { elementType: 'uint8', values: [] },
                { elementType: 'array', values: [{ elementType: 'bool', values: [true] }] },
              ],
            },
          ],
          ['after', 'uint16', 7],
        ],
      }),
    );
    assert.deepEqual(header.kv.get('nested'), {
      type: 'array',
      elementType: 'array',
      length: 3,
      values: [
        {
          type: 'array',
          elementType: 'string',
          length: 2,
          values: [
            { type: 'string', value: 'x' },
            { type: 'string', value: 'y' },
          ],
        },
        { type: 'array', elementType: 'uint8', length: 0, values: [] },
        {
          type: 'array',
          elementType: 'array',
          length: 1,
          values: [{ type: 'array', elementType: 'bool', length: 1, values: [{ type: 'bool', value: true }] }],
        },
      ],
    });
    assert.deepEqual(header.kv.get('after'), { type: 'uint16', value: 7 });
  });

  it('skips large arrays by size and reports their type and length', async () => {
    const tokens = Array.from({ length: 5000 }, (_, i) => `token-${i}-${'x'.repeat(i % 17)}`);
    const bytes = writeGguf({
      kv: [
        ['tokenizer.ggml.tokens', 'array', { elementType: 'string', values: tokens }],
        ['tokenizer.ggml.scores', 'array', { elementType: 'float32', values: tokens.map((_, i) => -i) }],
        ['tokenizer.ggml.token_type', 'array', { elementType: 'int32', values: tokens.map(() => 1) }],
        [
          'big.nested',
          'array',
          { elementType: 'array', values: tokens.map((t) => ({ elementType: 'string', values: [t] })) },
        ],
        ['small', 'array', { elementType: 'uint64', values: [1n, 2n] }],
        ['after', 'string', 'still here'],
      ],
    });
    for (const windowBytes of [64, 1000, 256 * 1024]) {
      const header = await readGguf(bytes, { windowBytes });
      assert.deepEqual(header.kv.get('tokenizer.ggml.tokens'), {
        type: 'array',
        elementType: 'string',
        length: 5000,
        values: undefined,
      });
      assert.deepEqual(header.kv.get('tokenizer.ggml.scores'), {
        type: 'array',
        elementType: 'float32',
        length: 5000,
        values: undefined,
      });
      assert.equal(header.kv.get('big.nested')?.type, 'array');
      assert.deepEqual(header.kv.get('small'), {
        type: 'array',
        elementType: 'uint64',
        length: 2,
        values: [
          { type: 'uint64', value: 1n },
          { type: 'uint64', value: 2n },
        ],
      });
      assert.deepEqual(header.kv.get('after'), { type: 'string', value: 'still here' });
    }
    const all = await readGguf(bytes, { maxArrayElements: Infinity });
    const kept = all.kv.get('tokenizer.ggml.tokens');
    assert.ok(kept?.type === 'array' && kept.values !== undefined);
    assert.deepEqual(kept.values[4999], { type: 'string', value: tokens[4999] });
    const none = await readGguf(bytes, { maxArrayElements: 0 });
    const small = none.kv.get('small');
    assert.ok(small?.type === 'array' && small.values === undefined && small.length === 2);
  });

  it('gives the same result with a tiny window as with the default one', async () => {
    const bytes = writeGguf({
      kv: [...ALL_TYPES, ['long', 'string', 'z'.repeat(5000)]],
      tensors: [{ name: 'a'.repeat(300), dims: [3, 4, 5, 6] }],
    });
    const small = await readGguf(bytes, { windowBytes: 64 });
    const large = await readGguf(bytes);
    assert.deepEqual(small, large);
  });

  it('a repeated key keeps its last value, as in Ollama', async () => {
    const header = await readGguf(
      writeGguf({
        kv: [
          ['k', 'uint8', 1],
          ['k', 'uint8', 2],
        ],
      }),
    );
    assert.deepEqual([...header.kv.entries()], [['k', { type: 'uint8', value: 2 }]]);
  });

  it('stops at the first tokenizer.* key when asked, like ollama list', async () => {
    const header = await readGguf(smallModel(), { stopAtKey: stopAtTokenizerKeys });
    assert.equal(header.stoppedAtKey, 'tokenizer.ggml.model');
    assert.deepEqual(
      [...header.kv.keys()],
      [
        'general.architecture',
        'general.name',
        'general.file_type',
        'llama.context_length',
        'llama.embedding_length',
        'llama.block_count',
      ],
    );
    assert.deepEqual(header.tensors, []);
    assert.equal(header.parameterCount, undefined);
    assert.equal(header.tensorCount, 3);
    const info = await readGgufInfo(smallModel(), { stopAtKey: stopAtTokenizerKeys });
    assert.equal(info.contextLength, 4096);
    assert.equal(info.fileTypeName, 'Q4_K_M');
    assert.equal(info.chatTemplate, undefined);
  });

  it('can leave the tensor infos unread', async () => {
    const header = await readGguf(smallModel(), { readTensors: false });
    assert.deepEqual(header.tensors, []);
    assert.equal(header.parameterCount, undefined);
    assert.equal(header.kv.size, 9);
  });

  it('stops with Cancelled when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(readGguf(smallModel(), { signal: controller.signal }), Cancelled);
  });
});

describe('GGUF info', () => {
  it('resolves architecture-prefixed keys', async () => {
    const info = await readGgufInfo(
      writeGguf({
        kv: [
          ['general.architecture', 'string', 'qwen2'],
          ['general.type', 'string', 'model'],
          ['qwen2.context_length', 'uint32', 32768],
          ['qwen2.embedding_length', 'uint64', 3584n],
          ['qwen2.block_count', 'uint32', 28],
          ['qwen2.pooling_type', 'uint32', 1],
          ['qwen2.vision.block_count', 'uint32', 32],
          ['qwen2.audio.block_count', 'uint16', 24],
          ['llama.context_length', 'uint32', 1],
          ['split.count', 'uint16', 3],
          ['split.no', 'uint16', 1],
          ['tokenizer.chat_template', 'string', '{{ .System }}'],
        ],
      }),
    );
    assert.equal(info.architecture, 'qwen2');
    assert.equal(info.generalType, 'model');
    assert.equal(info.contextLength, 32768);
    assert.equal(info.embeddingLength, 3584);
    assert.equal(info.blockCount, 28);
    assert.equal(info.poolingType, 1);
    assert.equal(info.visionBlockCount, 32);
    assert.equal(info.audioBlockCount, 24);
    assert.equal(info.splitCount, 3);
    assert.equal(info.splitNo, 1);
    assert.equal(info.chatTemplate, '{{ .System }}');
    assert.deepEqual(lookupGgufKey(info.kv, 'context_length'), { type: 'uint32', value: 32768 });
    assert.deepEqual(lookupGgufKey(info.kv, 'general.type'), { type: 'string', value: 'model' });
  });

  it('uses the "unknown." prefix when general.architecture is missing', async () => {
    const info = await readGgufInfo(
      writeGguf({
        kv: [
          ['unknown.context_length', 'uint32', 2048],
          ['llama.context_length', 'uint32', 4096],
        ],
      }),
    );
    assert.equal(info.architecture, undefined);
    assert.equal(info.contextLength, 2048);
  });

  it('ignores values of the wrong type (negative, float, string)', async () => {
    const info = await readGgufInfo(
      writeGguf({
        kv: [
          ['general.architecture', 'string', 'llama'],
          ['llama.context_length', 'int32', -1],
          ['llama.embedding_length', 'float32', 4096],
          ['llama.block_count', 'string', '32'],
        ],
      }),
    );
    assert.equal(info.contextLength, undefined);
    assert.equal(info.embeddingLength, undefined);
    assert.equal(info.blockCount, undefined);
  });

  it('counts parameters as Σ of the product of dims and finds the data offset', async () => {
    const info = await readGgufInfo(
      writeGguf({
        kv: [
          ['general.architecture', 'string', 'llama'],
          ['general.alignment', 'uint32', 64],
        ],
        alignment: 64,
        tensors: [
          { name: 'token_embd.weight', dims: [4096, 32000], type: 14 },
          { name: 'blk.0.ffn_up.weight', dims: [4096, 11008, 1, 1], type: 12 },
          { name: 'output_norm.weight', dims: [4096] },
          { name: 'scalar', dims: [] },
        ],
        dataBytes: 0,
      }),
    );
    assert.equal(info.parameterCount, 4096 * 32000 + 4096 * 11008 + 4096 + 1);
    assert.equal(info.tensorCount, 4);
    assert.deepEqual(info.tensors[1], {
      name: 'blk.0.ffn_up.weight',
      dims: [4096, 11008, 1, 1],
      type: 12,
      offset: 4096 * 32000,
    });
    assert.equal(info.alignment, 64);
    assert.equal(info.tensorDataOffset, info.fileSize);
    assert.equal((info.tensorDataOffset ?? 1) % 64, 0);
  });

  it('counts parameters beyond 2^32', async () => {
    const info = await readGgufInfo(writeGguf({ tensors: [{ name: 'huge', dims: [2n ** 20n, 2n ** 20n, 300n] }] }));
    assert.equal(info.parameterCount, 2 ** 40 * 300);
  });

  it('names file types like Ollama, including the "unknown" quirks', async () => {
    const cases: [GgufWriterKv | undefined, number | undefined, string][] = [
      [['general.file_type', 'uint32', 15], 15, 'Q4_K_M'],
      [['general.file_type', 'uint32', 1], 1, 'F16'],
      [['general.file_type', 'uint32', 32], 32, 'BF16'],
      [['general.file_type', 'uint32', 40], 40, 'Q1_0'],
      [['general.file_type', 'uint32', 0], 0, 'unknown'],
      [['general.file_type', 'uint32', 4], 4, 'unknown'],
      [['general.file_type', 'uint32', 34], 34, 'unknown'],
      [['general.file_type', 'uint32', 1000], 1000, 'unknown'],
      [['general.file_type', 'uint64', 15n], undefined, 'unknown'],
      [['general.file_type', 'int32', 15], undefined, 'unknown'],
      [['general.file_type', 'string', 'Q4_K_M'], undefined, 'unknown'],
      [undefined, undefined, 'unknown'],
    ];
    for (const [kv, fileType, name] of cases) {
      const info = await readGgufInfo(writeGguf({ kv: kv ? [kv] : [] }));
      const label = JSON.stringify(kv, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
      assert.equal(info.fileType, fileType, label);
      assert.equal(info.fileTypeName, name);
    }
    assert.equal(GGUF_FILE_TYPES.size, 35);
    assert.equal(GGUF_FILE_TYPES.get(0), 'F32');
    assert.equal(ggufFileTypeName(0), 'unknown');
    assert.equal(ggufFileTypeName(undefined), 'unknown');
    assert.equal(ggufFileTypeName(2), 'Q4_0');
    assert.equal(ggufFileTypeName(38), 'MXFP4_MOE');
  });
});

describe('GGUF layer classification (spec §4.4) and capabilities (§3.7)', () => {
  async function classify(kv: GgufWriterKv[]): Promise<string> {
    return layerMediaTypeFor(await readGgufInfo(writeGguf({ kv })));
  }

  it('general.type adapter → adapter', async () => {
    assert.equal(await classify([['general.type', 'string', 'adapter']]), MEDIA_TYPE_ADAPTER);
    assert.equal(
      await classify([
        ['general.architecture', 'string', 'llama'],
        ['general.type', 'string', 'adapter'],
        ['llama.block_count', 'uint32', 32],
      ]),
      MEDIA_TYPE_ADAPTER,
    );
  });

  it('general.type projector or mmproj → projector', async () => {
    assert.equal(await classify([['general.type', 'string', 'projector']]), MEDIA_TYPE_PROJECTOR);
    assert.equal(await classify([['general.type', 'string', 'mmproj']]), MEDIA_TYPE_PROJECTOR);
  });

  it('a vision block count without a block count → projector; with one → model', async () => {
    const arch: GgufWriterKv = ['general.architecture', 'string', 'gemma3'];
    assert.equal(await classify([arch, ['gemma3.vision.block_count', 'uint32', 27]]), MEDIA_TYPE_PROJECTOR);
    assert.equal(
      await classify([arch, ['gemma3.vision.block_count', 'uint32', 27], ['gemma3.block_count', 'uint32', 34]]),
      MEDIA_TYPE_MODEL,
    );
    assert.equal(await classify([arch, ['gemma3.vision.block_count', 'uint32', 0]]), MEDIA_TYPE_MODEL);
  });

  it('clip without a block count and with an encoder flag → projector', async () => {
    const clip: GgufWriterKv = ['general.architecture', 'string', 'clip'];
    assert.equal(await classify([clip, ['clip.has_vision_encoder', 'bool', true]]), MEDIA_TYPE_PROJECTOR);
    assert.equal(await classify([clip, ['clip.has_audio_encoder', 'bool', true]]), MEDIA_TYPE_PROJECTOR);
    assert.equal(await classify([clip, ['clip.has_vision_encoder', 'bool', false]]), MEDIA_TYPE_MODEL);
    assert.equal(await classify([clip, ['clip.has_vision_encoder', 'uint8', 1]]), MEDIA_TYPE_MODEL);
    assert.equal(
      await classify([clip, ['clip.has_vision_encoder', 'bool', true], ['clip.block_count', 'uint32', 12]]),
      MEDIA_TYPE_MODEL,
    );
    assert.equal(await classify([clip]), MEDIA_TYPE_MODEL);
  });

  it('anything else → model (including an ADAPTER file without general.type)', async () => {
    assert.equal(await classify([]), MEDIA_TYPE_MODEL);
    assert.equal(layerMediaTypeFor(await readGgufInfo(smallModel())), MEDIA_TYPE_MODEL);
    assert.equal(await classify([['general.type', 'string', 'model']]), MEDIA_TYPE_MODEL);
  });

  it('capabilities: pooling_type → embedding, else completion; vision count or projector → vision', async () => {
    const caps = async (kv: GgufWriterKv[], hasProjector?: boolean): Promise<string[]> =>
      capabilitiesFromGguf(await readGgufInfo(writeGguf({ kv })), hasProjector === undefined ? {} : { hasProjector });
    const arch: GgufWriterKv = ['general.architecture', 'string', 'bert'];
    assert.deepEqual(await caps([arch]), ['completion']);
    assert.deepEqual(await caps([arch, ['bert.pooling_type', 'uint32', 0]]), ['embedding']);
    assert.deepEqual(await caps([arch, ['bert.pooling_type', 'string', 'mean']]), ['embedding']);
    assert.deepEqual(await caps([arch, ['llama.pooling_type', 'uint32', 1]]), ['completion']);
    assert.deepEqual(await caps([arch, ['bert.vision.block_count', 'uint32', 0]]), ['completion', 'vision']);
    assert.deepEqual(await caps([arch], true), ['completion', 'vision']);
  });
});

describe('GGUF files on disk', () => {
  it('reads a file by path and agrees with the in-memory read', async () => {
    const path = join(dir, 'small.gguf');
    const bytes = smallModel();
    await writeFile(path, bytes);
    const fromFile = await readGgufInfo(path);
    const fromBytes = await readGgufInfo(bytes);
    assert.deepEqual(fromFile, fromBytes);
    assert.equal(fromFile.fileSize, bytes.length);
    assert.equal(fromFile.architecture, 'llama');
    assert.equal(fromFile.parameterCount, 64 * 3 + 64 * 64 + 64);
  });

  it('reads the header of a sparse 8 GiB fixture without touching its data', async () => {
    const path = join(dir, 'big.gguf');
    const size = 8 * 1024 ** 3;
    const written = await writeGgufFile(
      path,
      {
        kv: [
          ['general.architecture', 'string', 'llama'],
          ['general.file_type', 'uint32', 7],
        ],
        tensors: [{ name: 'token_embd.weight', dims: [4096n, 262144n], type: 8 }],
      },
      { padToBytes: size },
    );
    assert.equal(written, size);
    const info = await readGgufInfo(path);
    assert.equal(info.fileSize, size);
    assert.equal(info.fileTypeName, 'Q8_0');
    assert.equal(info.parameterCount, 4096 * 262144);
  });

  it('isGgufFile checks the magic of the first four bytes', async () => {
    const cases: [string, Uint8Array][] = [
      ['le.gguf', smallModel()],
      ['be.bin', writeGguf({ bigEndian: true, magic: 'FUGG' })],
      ['text.txt', new TextEncoder().encode('{"hello": "world"}')],
      ['short', new TextEncoder().encode('GGU')],
      ['empty', new Uint8Array(0)],
    ];
    const results: boolean[] = [];
    for (const [name, bytes] of cases) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      results.push(await isGgufFile(path));
    }
    assert.deepEqual(results, [true, true, false, false, false]);
    assert.equal(isGgufMagic(new TextEncoder().encode('GGUF')), true);
    assert.equal(isGgufMagic(new TextEncoder().encode('ggml')), false);
  });

  it('a directory is GgufInvalid; a missing file is the file-system error', async () => {
    const sub = join(dir, 'a-directory');
    await mkdir(sub);
    await rejectsInvalid(readGguf(sub), /not a regular file/);
    await assert.rejects(readGguf(join(dir, 'missing.gguf')), (error: unknown) => {
      assert.ok(!(error instanceof GgufInvalid));
      assert.equal((error as NodeJS.ErrnoException).code, 'ENOENT');
      return true;
    });
  });

  it('rejects a file whose strings together exceed the memory budget', async () => {
    // Five 15 MiB strings, stored as holes: a sparse file that reads as zeros.
    const path = join(dir, 'budget.gguf');
    const length = 15 * 1024 * 1024;
    const handle = await open(path, 'w');
    try {
      const head = new GgufByteWriter().raw('GGUF').u32(3).u64(0).u64(5).bytes();
      let position = 0;
      await handle.write(head, 0, head.length, position);
      position += head.length;
      for (let i = 0; i < 5; i++) {
        const kv = new GgufByteWriter().str(`k${i}`).u32(typeId('string')).u64(length).bytes();
        await handle.write(kv, 0, kv.length, position);
        position += kv.length + length;
      }
      await handle.truncate(position);
    } finally {
      await handle.close();
    }
    await rejectsInvalid(readGguf(path), /exceeds 64 MiB while reading the value of key 'k4'/);
  });
});

describe('GGUF hostile and truncated files', () => {
  it('every truncation of a small valid file is GgufInvalid', async () => {
    for (const [version, bigEndian] of [
      [3, false],
      [2, true],
      [1, false],
    ] as const) {
      const bytes = smallModel(version, bigEndian);
      // The full file minus its data region and padding is the header; every shorter prefix must fail.
      const header = await readGguf(bytes);
      const headerEnd = header.tensorDataOffset ?? bytes.length;
      let lastHeaderByte = headerEnd;
      while (lastHeaderByte > 0 && bytes[lastHeaderByte - 1] === 0) lastHeaderByte--;
      // Prefixes that cut into the data region are valid headers; test a few of those, not all.
      for (let length = 0; length < Math.min(bytes.length, headerEnd + 16); length++) {
        const prefix = bytes.subarray(0, length);
        let error: unknown;
        try {
          await readGguf(prefix, { windowBytes: 64 });
        } catch (caught) {
          error = caught;
        }
        if (length < lastHeaderByte) {
          assert.ok(error instanceof GgufInvalid, `prefix of ${length} bytes: got ${String(error)}`);
          if (length > 0) assert.match(error.message, /truncated at byte \d+ while reading |cannot fit in the \d+ /);
        } else {
          assert.ok(error === undefined || error instanceof GgufInvalid, `prefix of ${length}: ${String(error)}`);
        }
      }
    }
  });

  it('names the key being read when truncated', async () => {
    const bytes = writeGguf({ kv: [['general.name', 'string', 'a long enough name']] });
    await rejectsInvalid(
      readGguf(bytes.subarray(0, bytes.length - 3)),
      new RegExp(`truncated at byte ${bytes.length - 3} while reading the value of key 'general.name'`),
    );
  });

  it('an empty file', async () => {
    await rejectsInvalid(readGguf(new Uint8Array(0)), /the file is empty/);
  });

  it('a file that is not GGUF', async () => {
    await rejectsInvalid(readGguf(new TextEncoder().encode('PK\u0003\u0004 a zip file, not a model')), /GGUF magic/);
    await rejectsInvalid(readGguf(new TextEncoder().encode('ggml')), /GGUF magic/);
  });

  it('an unsupported version', async () => {
    const bytes = new GgufByteWriter().raw('GGUF').u32(4).u64(0).u64(0).bytes();
    await rejectsInvalid(readGguf(bytes), /unsupported GGUF version 4/);
    const zero = new GgufByteWriter().raw('GGUF').u32(0).u64(0).u64(0).bytes();
    await rejectsInvalid(readGguf(zero), /unsupported GGUF version 0/);
  });

  it('an absurd string length', async () => {
    const bytes = new GgufByteWriter()
      .raw('GGUF')
      .u32(3)
      .u64(0)
      .u64(1)
      .u64(2n ** 40n)
      .raw(new Uint8Array(32))
      .bytes();
    await rejectsInvalid(
      readGguf(bytes),
      /string of 1099511627776 bytes exceeds the 16 MiB limit while reading key #0/,
    );
  });

  it('a string length that fits the limit but not the file', async () => {
    const bytes = new GgufByteWriter().raw('GGUF').u32(3).u64(0).u64(1).u64(1000).raw(new Uint8Array(20)).bytes();
    await rejectsInvalid(readGguf(bytes), /truncated at byte 52 while reading key #0/);
  });

  it('absurd array lengths', async () => {
    const head = (): GgufByteWriter =>
      new GgufByteWriter().raw('GGUF').u32(3).u64(0).u64(1).str('arr').u32(typeId('array'));
    const huge = head().u32(typeId('uint8')).u64(2n ** 62n).raw(new Uint8Array(16)).bytes();
    await rejectsInvalid(readGguf(huge), /array of 4611686018427387904 elements exceeds the limit of 67108864/);
    const tooLong = head().u32(typeId('uint64')).u64(1_000_000).raw(new Uint8Array(16)).bytes();
    await rejectsInvalid(readGguf(tooLong), /truncated at byte \d+ while reading the value of key 'arr'/);
    const strings = head().u32(typeId('string')).u64(60_000_000).raw(new Uint8Array(64)).bytes();
    await rejectsInvalid(readGguf(strings), /truncated/);
    const badType = head().u32(13).u64(1).raw(new Uint8Array(16)).bytes();
    await rejectsInvalid(readGguf(badType), /unknown array element type 13/);
  });

  it('arrays nested too deeply', async () => {
    const w = new GgufByteWriter().raw('GGUF').u32(3).u64(0).u64(1).str('deep').u32(typeId('array'));
    for (let i = 0; i < 20; i++) w.u32(typeId('array')).u64(1);
    w.u32(typeId('uint8')).u64(0);
    await rejectsInvalid(readGguf(w.bytes()), /nested more than 8 levels/);
    await rejectsInvalid(readGguf(w.bytes(), { maxArrayElements: 0 }), /nested more than 8 levels/);
  });

  it('an unknown value type', async () => {
    const bytes = new GgufByteWriter().raw('GGUF').u32(3).u64(0).u64(1).str('k').u32(99).u64(0).bytes();
    await rejectsInvalid(readGguf(bytes), /key 'k' has unknown value type 99/);
  });

  it('a tensor with five dimensions', async () => {
    const bytes = writeGguf({ tensors: [{ name: 'five', dims: [1, 2, 3, 4, 5] }] });
    await rejectsInvalid(readGguf(bytes), /tensor 'five' has 5 dimensions; GGUF allows at most 4/);
  });

  it('a 2^62 tensor count', async () => {
    const bytes = writeGguf({ kv: [['k', 'uint8', 1]], tensorCountOverride: 2n ** 62n });
    await rejectsInvalid(readGguf(bytes), /tensor count 4611686018427387904 exceeds the limit/);
  });

  it('counts that cannot fit in the file', async () => {
    const bytes = writeGguf({ kv: [['k', 'uint8', 1]], tensorCountOverride: 1000n });
    await rejectsInvalid(readGguf(bytes), /1 key-value pairs and 1000 tensor infos cannot fit/);
    const kv = writeGguf({ kvCountOverride: 2n ** 63n });
    await rejectsInvalid(readGguf(kv), /key-value count 9223372036854775808 exceeds the limit/);
  });

  it('a parameter count beyond 2^53', async () => {
    const bytes = writeGguf({ tensors: [{ name: 'x', dims: [2n ** 30n, 2n ** 30n, 2n ** 30n] }] });
    await rejectsInvalid(readGguf(bytes), /parameter count exceeds 2\^53 at tensor 'x'/);
    const dim = writeGguf({ tensors: [{ name: 'y', dims: [2n ** 63n] }] });
    await rejectsInvalid(readGguf(dim), /tensor 'y' has a dimension of 9223372036854775808 elements/);
  });

  it('a version 1 string without its NUL', async () => {
    const bytes = new GgufByteWriter(true, 1).raw('GGUF').u32(1).u32(0).u32(1).u64(0).u32(4).u32(0).bytes();
    await rejectsInvalid(readGguf(bytes), /version 1 string must end with a NUL byte/);
  });

  it('a header that would keep too many small values in memory', async () => {
    const row = { elementType: 'uint8' as const, values: Array.from({ length: 1024 }, () => 0) };
    const bytes = writeGguf({
      kv: [['grid', 'array', { elementType: 'array', values: Array.from({ length: 1024 }, () => row) }]],
    });
    await rejectsInvalid(
      readGguf(bytes),
      /metadata kept in memory exceeds 64 MiB while reading the value of key 'grid'/,
    );
    const skipped = await readGguf(bytes, { maxArrayElements: 100 });
    assert.equal(skipped.kv.get('grid')?.type, 'array');
  });

  it('general.alignment 0', async () => {
    const bytes = writeGguf({ kv: [['general.alignment', 'uint32', 0]] });
    await rejectsInvalid(readGguf(bytes), /general.alignment is 0/);
  });

  it('shortens hostile names in messages', async () => {
    const name = 'n'.repeat(10_000);
    const bytes = writeGguf({ tensors: [{ name, dims: [1, 1, 1, 1, 1] }] });
    const error = await rejectsInvalid(readGguf(bytes));
    assert.ok(error.message.length < 300, error.message);
  });

  it('property: random mutations of a valid file give a result or GgufInvalid, nothing else', async () => {
    const seeds = [smallModel(3), smallModel(1), smallModel(2, true), writeGguf({ kv: ALL_TYPES })];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        async (seed, mutations, cut) => {
          const bytes = Uint8Array.from(seed);
          for (const [index, value] of mutations) bytes[index % bytes.length] = value;
          const input = cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1));
          try {
            await readGguf(input, { windowBytes: 64 });
          } catch (error) {
            if (!(error instanceof GgufInvalid)) throw error;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('GGUF reading speed (measured, not asserted)', () => {
  it('reads the metadata of a file with a 150k-string token array', async (t) => {
    const tokens = Array.from({ length: 150_000 }, (_, i) => `▁tok${i.toString(36)}${'ab'.repeat(i % 5)}`);
    const path = join(dir, 'tokens.gguf');
    await writeGgufFile(path, {
      kv: [
        ['general.architecture', 'string', 'qwen2'],
        ['general.file_type', 'uint32', 15],
        ['qwen2.context_length', 'uint32', 32768],
        ['tokenizer.ggml.model', 'string', 'gpt2'],
        ['tokenizer.ggml.tokens', 'array', { elementType: 'string', values: tokens }],
        ['tokenizer.ggml.token_type', 'array', { elementType: 'int32', values: tokens.map(() => 1) }],
        ['tokenizer.ggml.merges', 'array', { elementType: 'string', values: tokens.slice(0, 100_000) }],
        ['tokenizer.chat_template', 'string', '{% for m in messages %}{{ m.content }}{% endfor %}'],
      ],
      tensors: Array.from({ length: 339 }, (_, i) => ({ name: `blk.${i}.weight`, dims: [3584, 3584], type: 12 })),
    });
    const started = process.hrtime.bigint();
    const info = await readGgufInfo(path);
    const full = Number(process.hrtime.bigint() - started) / 1e6;
    const listStarted = process.hrtime.bigint();
    await readGgufInfo(path, { stopAtKey: stopAtTokenizerKeys });
    const list = Number(process.hrtime.bigint() - listStarted) / 1e6;
    assert.equal(info.chatTemplate?.startsWith('{% for'), true);
    assert.equal(info.parameterCount, 339 * 3584 * 3584);
    t.diagnostic(
      `${(info.fileSize / 1e6).toFixed(1)} MB header, 150k tokens: full read ${full.toFixed(1)} ms, ` +
        `up to the first tokenizer key ${list.toFixed(1)} ms`,
    );
  });
});
