// Tests for rm and cp (spec 3.8, 3.3): manifest and empty directories removed, shared blobs kept, bytes freed,
// case-insensitive names, cp byte-for-byte, corrupt manifests, and orphan removal after a replace.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelNotFound, NameInvalid } from '../../core/errors';
import { copyModel, pinBlobs, readManifest, removeModel, removeOrphanedBlobs } from '../../core/cache';
import { MODEL, SYSTEM, TEMPLATE, blobFile, manifestBytes, putBlob, putConfig, putModel, putRaw, tempModelsDir } from '../helpers/cache-fixtures';

let dir = '';
let cleanup = (): void => undefined;
beforeEach(() => ({ dir, cleanup } = tempModelsDir()));
afterEach(() => cleanup());

const manifests = (...parts: string[]): string => join(dir, 'manifests', ...parts);

describe('removeModel', () => {
  it('removes the manifest, the empty directories and unshared blobs; keeps shared blobs', async () => {
    const shared = putBlob(dir, 'shared template', TEMPLATE);
    const a = putModel(dir, 'registry.ollama.ai/me/a/latest', { layers: [shared, putBlob(dir, 'only a', SYSTEM)] });
    const b = putModel(dir, 'registry.ollama.ai/library/b/latest', {
      layers: [shared],
      gguf: new TextEncoder().encode('GGUF other weights'),
    });
    const result = await removeModel(dir, 'ME/A');
    assert.equal(result.name, 'me/a:latest');
    assert.equal(existsSync(a.path), false);
    assert.equal(existsSync(manifests('registry.ollama.ai', 'me')), false, 'empty namespace directory removed');
    assert.equal(existsSync(manifests('registry.ollama.ai')), true, 'host directory still holds library/b');
    // a's own GGUF and system prompt go; the template (shared) and the config (identical bytes, shared) stay
    const removed = new Set(result.removed);
    assert.ok(removed.has(a.layers[0].digest));
    assert.ok(removed.has(a.layers[2].digest));
    assert.ok(!removed.has(shared.digest));
    assert.equal(existsSync(blobFile(dir, shared.digest)), true);
    assert.equal(result.bytesFreed, a.layers[0].size + a.layers[2].size + (removed.has(a.config.digest) ? a.config.size : 0));
    for (const layer of [b.config, ...b.layers]) assert.equal(existsSync(blobFile(dir, layer.digest)), true);
    await assert.rejects(readManifest(dir, 'me/a'), ModelNotFound);
    assert.equal((await readManifest(dir, 'b')).shortName, 'b:latest');
  });

  it('removes the whole tree up to manifests/ for the last model', async () => {
    putModel(dir, 'example.com:5000/ns/m/t');
    await removeModel(dir, 'example.com:5000/ns/m:t');
    assert.deepEqual(readdirSync(manifests()), []);
    assert.deepEqual(readdirSync(join(dir, 'blobs')), []);
  });

  it('does not follow or remove symbolic links while climbing', async () => {
    const real = join(dir, 'elsewhere', 'ns');
    mkdirSync(join(real, 'm'), { recursive: true });
    mkdirSync(manifests('h.example'), { recursive: true });
    symlinkSync(real, manifests('h.example', 'ns'));
    const config = putConfig(dir);
    const model = putBlob(dir, 'w', MODEL);
    writeFileSync(join(real, 'm', 't'), manifestBytes(config, [model]));
    await removeModel(dir, 'h.example/ns/m:t');
    assert.equal(existsSync(manifests('h.example', 'ns')), true, 'the link stays');
    assert.equal(existsSync(join(real, 'm')), true, 'directories reached through the link stay');
  });

  it('keeps blobs pinned by a live writer', async () => {
    const m = putModel(dir, 'registry.ollama.ai/library/p/latest');
    const pin = await pinBlobs(dir, [m.layers[0].digest]);
    try {
      const result = await removeModel(dir, 'p');
      assert.deepEqual(result.kept, [m.layers[0].digest]);
      assert.equal(existsSync(blobFile(dir, m.layers[0].digest)), true);
    } finally {
      await pin.release();
    }
  });

  it('removes a corrupt manifest and the blobs it mentions that nothing else uses', async () => {
    const blob = putBlob(dir, 'orphan', MODEL);
    putRaw(dir, 'registry.ollama.ai/library/broken/latest', `{"layers":[{"digest":"${blob.digest}"`);
    const result = await removeModel(dir, 'broken');
    assert.deepEqual(result.removed, [blob.digest]);
  });

  it('reports a missing model and refuses invalid names', async () => {
    await assert.rejects(removeModel(dir, 'ghost'), (e: unknown) => e instanceof ModelNotFound && /ghost/.test(e.message));
    await assert.rejects(removeModel(dir, '../x'), NameInvalid);
  });

  it('protects the blobs of unparsable or stray files when deciding what is unused', async () => {
    const m = putModel(dir, 'registry.ollama.ai/library/x/latest');
    putRaw(dir, 'registry.ollama.ai/library/x/.backup', `garbage ${m.layers[0].digest.replace(':', '-')} garbage`);
    const result = await removeModel(dir, 'x');
    assert.ok(result.kept.includes(m.layers[0].digest));
    assert.ok(result.warnings.some((w) => w.path === 'registry.ollama.ai/library/x/.backup'));
  });
});

describe('copyModel', () => {
  it('copies the manifest bytes verbatim (same ID) to a new name', async () => {
    const src = putModel(dir, 'registry.ollama.ai/library/src/latest');
    // a manifest formatted differently than our encoder would: kept as is
    const pretty = JSON.stringify(JSON.parse(Buffer.from(src.bytes).toString('utf8')), null, 2);
    writeFileSync(src.path, pretty);
    const result = await copyModel(dir, 'SRC', 'me/dst:v2');
    assert.equal(result.from, 'src:latest');
    assert.equal(result.to, 'me/dst:v2');
    assert.equal(readFileSync(manifests('registry.ollama.ai', 'me', 'dst', 'v2'), 'utf8'), pretty);
    assert.equal((await readManifest(dir, 'me/dst:v2')).id, (await readManifest(dir, 'src')).id);
  });

  it('adopts the spelling of an existing destination instead of creating a case duplicate', async () => {
    putModel(dir, 'registry.ollama.ai/library/src/latest');
    putModel(dir, 'registry.ollama.ai/Me/Dst/V1', { gguf: new TextEncoder().encode('GGUF dst') });
    const result = await copyModel(dir, 'src', 'me/dst:v1');
    assert.equal(result.to, 'Me/Dst:V1');
    assert.deepEqual(readdirSync(manifests('registry.ollama.ai')).sort(), ['Me', 'library']);
    assert.ok(result.removal?.removed.length, "the replaced destination's unshared weights are removed");
  });

  it('copying onto itself changes nothing', async () => {
    const src = putModel(dir, 'registry.ollama.ai/library/same/latest');
    const result = await copyModel(dir, 'same', 'SAME:latest');
    assert.equal(result.to, 'same:latest');
    assert.deepEqual(new Uint8Array(readFileSync(src.path)), src.bytes);
  });

  it('reports a missing source', async () => {
    await assert.rejects(copyModel(dir, 'nope', 'x'), ModelNotFound);
  });
});

describe('removeOrphanedBlobs', () => {
  it('removes only candidates that no manifest references', async () => {
    const kept = putModel(dir, 'registry.ollama.ai/library/k/latest');
    const orphan = putBlob(dir, 'old params', 'application/vnd.ollama.image.params');
    const result = await removeOrphanedBlobs(dir, [orphan.digest, kept.layers[0].digest]);
    assert.deepEqual(result.removed, [orphan.digest]);
    assert.deepEqual(result.kept, [kept.layers[0].digest]);
    assert.equal(result.bytesFreed, orphan.size);
  });
});
