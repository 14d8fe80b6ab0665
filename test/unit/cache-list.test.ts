// Tests for list (spec 3.7): fields from the manifest, the config blob and the model layer's GGUF header; bad
// entries skipped with warnings (never an exception); ordering; the per-digest summary cache.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clearListMemory, listModels } from '../../core/cache';
import { writeGguf } from '../helpers/gguf-writer';
import {
  PROJECTOR,
  TEMPLATE,
  blobFile,
  ggufModel,
  manifestBytes,
  putBlob,
  putModel,
  putRaw,
  sha256,
  tempModelsDir,
} from '../helpers/cache-fixtures';

let dir = '';
let cleanup = (): void => undefined;
beforeEach(() => {
  ({ dir, cleanup } = tempModelsDir());
  clearListMemory();
});
afterEach(() => cleanup());

describe('listModels', () => {
  it('reports every field of a model', async () => {
    const when = new Date('2025-01-02T03:04:05.000Z');
    const template = putBlob(dir, '{{ if .Tools }}{{ .Tools }}{{ end }}{{ .Prompt }}', TEMPLATE);
    const m = putModel(dir, 'registry.ollama.ai/library/llama3.2/latest', { layers: [template], from: 'llama3.2:3b', mtime: when });
    const { models, warnings } = await listModels(dir);
    assert.deepEqual(warnings, []);
    assert.deepEqual(models, [
      {
        name: 'llama3.2:latest',
        fullName: 'registry.ollama.ai/library/llama3.2:latest',
        id: sha256(m.bytes),
        size: m.config.size + m.layers.reduce((s, l) => s + l.size, 0),
        modifiedAt: '2025-01-02T03:04:05.000Z',
        modifiedMs: when.getTime(),
        format: 'gguf',
        family: 'llama',
        families: ['llama'],
        parameterSize: '8.0B',
        quantization: 'Q4_K_M',
        contextLength: 4096,
        embeddingLength: 2048,
        capabilities: ['completion', 'tools'],
        parentModel: 'llama3.2:3b',
      },
    ]);
  });

  it('derives embedding, vision and insert capabilities, and the quantization from the GGUF when unknown', async () => {
    const embed = ggufModel('bert', [['bert.pooling_type', 'uint32', 1]], 7);
    putModel(dir, 'registry.ollama.ai/library/embed/latest', { gguf: embed, config: { file_type: 'unknown' } });
    const vision = ggufModel('mllama', [['mllama.vision.block_count', 'uint32', 8]]);
    putModel(dir, 'registry.ollama.ai/library/vision/latest', {
      gguf: vision,
      layers: [putBlob(dir, '{{ .Prompt }}{{ .Suffix }}', TEMPLATE)],
    });
    putModel(dir, 'registry.ollama.ai/library/proj/latest', {
      gguf: ggufModel('llama', [], 2),
      layers: [putBlob(dir, writeGguf({ kv: [['general.architecture', 'string', 'clip']] }), PROJECTOR)],
    });
    const byName = new Map((await listModels(dir)).models.map((m) => [m.name, m]));
    assert.deepEqual(byName.get('embed:latest')?.capabilities, ['embedding']);
    assert.equal(byName.get('embed:latest')?.quantization, 'Q8_0');
    assert.deepEqual(byName.get('vision:latest')?.capabilities, ['completion', 'vision', 'insert']);
    assert.deepEqual(byName.get('proj:latest')?.capabilities, ['completion', 'vision']);
  });

  it('shows names as DisplayShortest and sorts newest first', async () => {
    const t = (h: number): Date => new Date(Date.UTC(2025, 0, 1, h));
    putModel(dir, 'registry.ollama.ai/library/a/latest', { mtime: t(1) });
    putModel(dir, 'registry.ollama.ai/me/b/v1', { mtime: t(3) });
    putModel(dir, 'example.com:5000/ns/c/x', { mtime: t(2) });
    putModel(dir, 'REGISTRY.OLLAMA.AI/Library/d/latest', { mtime: t(0) });
    const { models } = await listModels(dir);
    assert.deepEqual(
      models.map((m) => m.name),
      ['me/b:v1', 'example.com:5000/ns/c:x', 'a:latest', 'd:latest'],
    );
  });

  it('skips bad entries with warnings, never throwing', async () => {
    putModel(dir, 'registry.ollama.ai/library/good/latest');
    putRaw(dir, 'registry.ollama.ai/library/badjson/latest', '{"layers": [');
    putRaw(dir, 'registry.ollama.ai/library/good/.hidden', '{}');
    putRaw(dir, 'registry.ollama.ai/library/three', '{}');
    putRaw(dir, 'registry.ollama.ai/library/five/deep/er', '{}');
    putRaw(dir, 'registry.ollama.ai/library/bad name/latest', '{}');
    putRaw(dir, 'registry.ollama.ai/library/traversal/latest', `{"layers":[{"digest":"sha256:../../../etc/passwd","size":1}]}`);
    putRaw(dir, 'registry.ollama.ai/library/negative/latest', `{"layers":[{"digest":"sha256:${'a'.repeat(64)}","size":-5}]}`);
    putRaw(dir, `.tmp-${process.pid}-0011aabb`, '{}');
    const { models, warnings } = await listModels(dir);
    assert.deepEqual(models.map((m) => m.name), ['good:latest']);
    assert.deepEqual(
      warnings.map((w) => w.path),
      [
        'registry.ollama.ai/library/bad name/latest',
        'registry.ollama.ai/library/badjson/latest',
        'registry.ollama.ai/library/five/deep/er',
        'registry.ollama.ai/library/good/.hidden',
        'registry.ollama.ai/library/negative/latest',
        'registry.ollama.ai/library/three',
        'registry.ollama.ai/library/traversal/latest',
      ],
    );
    assert.ok(warnings.every((w) => !w.message.includes(dir)), 'no absolute paths in warnings');
  });

  it('does not hang on a FIFO planted in the tree', async () => {
    putModel(dir, 'registry.ollama.ai/library/good/latest');
    const fifo = putRaw(dir, 'registry.ollama.ai/library/fifo/latest', '');
    rmSync(fifo);
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) return; // no mkfifo here: nothing to test
    const { models, warnings } = await listModels(dir);
    assert.deepEqual(models.map((m) => m.name), ['good:latest']);
    assert.match(warnings[0].message, /not a regular file/);
  });

  it('lists a model whose blobs are missing, with empty details and a warning', async () => {
    const m = putModel(dir, 'registry.ollama.ai/library/partial/latest');
    rmSync(blobFile(dir, m.config.digest));
    rmSync(blobFile(dir, m.layers[0].digest));
    const { models, warnings } = await listModels(dir);
    assert.equal(models.length, 1);
    assert.equal(models[0].family, '');
    assert.equal(models[0].contextLength, undefined);
    assert.deepEqual(models[0].capabilities, []);
    assert.equal(warnings.length, 2);
  });

  it('tolerates a manifest without config', async () => {
    const model = putBlob(dir, ggufModel('qwen2'), 'application/vnd.ollama.image.model');
    putRaw(dir, 'registry.ollama.ai/library/noconfig/latest', JSON.stringify({ schemaVersion: 2, layers: [model] }));
    const { models, warnings } = await listModels(dir);
    assert.deepEqual(warnings, []);
    assert.equal(models[0].size, model.size);
    assert.equal(models[0].quantization, 'Q4_K_M');
    assert.equal(models[0].contextLength, 4096);
  });

  it('works on a missing models directory', async () => {
    assert.deepEqual(await listModels(join(dir, 'none')), { models: [], warnings: [] });
  });

  it('keeps summaries per digest and manifest facts on disk, only for the models present', async () => {
    const a = putModel(dir, 'registry.ollama.ai/library/a/latest');
    const cacheFile = join(dir, '.modelfile-studio', 'summaries.json');
    await listModels(dir);
    type Stored = { version: number; entries: Record<string, { kind: string }>; manifests: Record<string, { key: string; facts: { id: string } }> };
    const stored = JSON.parse(readFileSync(cacheFile, 'utf8')) as Stored;
    assert.equal(stored.version, 2);
    assert.deepEqual(Object.keys(stored.entries).sort(), [a.config.digest, a.layers[0].digest].sort());
    assert.deepEqual(Object.keys(stored.manifests), ['registry.ollama.ai/library/a/latest']);
    assert.equal(stored.manifests['registry.ollama.ai/library/a/latest'].facts.id, sha256(a.bytes));
    // Recreated from memory when it disappears.
    rmSync(cacheFile);
    await listModels(dir);
    assert.deepEqual(JSON.parse(readFileSync(cacheFile, 'utf8')), stored);
    // The file is used: even with the blob gone, a new listing (fresh memory) still knows the details.
    clearListMemory();
    rmSync(blobFile(dir, a.layers[0].digest));
    const again = await listModels(dir);
    assert.equal(again.models[0].contextLength, 4096);
    assert.equal(again.models[0].id, sha256(a.bytes));
    assert.deepEqual(again.warnings, []);
    // Removing the model trims the file on the next listing.
    rmSync(a.path);
    await listModels(dir);
    const trimmed = JSON.parse(readFileSync(cacheFile, 'utf8')) as Stored;
    assert.deepEqual([trimmed.entries, trimmed.manifests], [{}, {}]);
  });

  it('notices a manifest rewritten in place with the same size and mtime', async () => {
    const m = putModel(dir, 'registry.ollama.ai/library/x/latest');
    const first = await listModels(dir);
    const stat = statSync(m.path);
    const text = Buffer.from(m.bytes).toString('utf8').replace('"schemaVersion":2,', '"schemaVersion":2 ,').replace('\n', '');
    writeFileSync(m.path, text);
    utimesSync(m.path, stat.atime, stat.mtime);
    assert.equal(statSync(m.path).size, stat.size);
    const second = await listModels(dir);
    assert.notEqual(second.models[0].id, first.models[0].id);
    assert.equal(second.models[0].id, sha256(text));
    writeFileSync(m.path, m.bytes);
    utimesSync(m.path, stat.atime, stat.mtime);
    clearListMemory();
    assert.equal((await listModels(dir)).models[0].id, first.models[0].id, 'the summaries file is not trusted either');
  });

  it('can run without touching the models directory', async () => {
    putModel(dir, 'registry.ollama.ai/library/a/latest');
    await listModels(dir, { persistentCache: false });
    assert.equal(existsSync(join(dir, '.modelfile-studio')), false);
  });

  it('reflects manifest mtime and the exact bytes for the ID after an external rewrite', async () => {
    const m = putModel(dir, 'registry.ollama.ai/library/x/latest');
    const pretty = `${JSON.stringify(JSON.parse(Buffer.from(m.bytes).toString('utf8')), null, 1)}\n`;
    writeFileSync(m.path, pretty);
    const later = new Date(Date.now() + 5000);
    utimesSync(m.path, later, later);
    const { models } = await listModels(dir);
    assert.equal(models[0].id, sha256(pretty));
    assert.equal(models[0].modifiedMs, statSync(m.path).mtimeMs);
    assert.equal(models[0].size, m.config.size + m.layers[0].size);
    assert.ok(manifestBytes(m.config, m.layers).length > 0);
  });
});
