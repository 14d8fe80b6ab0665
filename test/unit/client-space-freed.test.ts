// Tests for the "space freed" figure of the Delete confirmation (client/model/spaceFreed.ts): the pure rule, and
// the estimate on real models directories, which must equal what core's removeModel then actually frees — shared
// blobs, blobs named only by an unparsable file below manifests/, pinned blobs, missing blobs.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pinBlobs, removeModel } from '../../core/cache';
import { ModelNotFound } from '../../core/errors';
import { deleteDetail, estimateSpaceFreed, spaceFreed } from '../../client/model/spaceFreed';
import { SYSTEM, TEMPLATE, blobFile, putBlob, putModel, putRaw, tempModelsDir } from '../helpers/cache-fixtures';
import { rmSync } from 'node:fs';

let dir = '';
let cleanup = (): void => undefined;
beforeEach(() => ({ dir, cleanup } = tempModelsDir()));
afterEach(() => cleanup());

describe('spaceFreed', () => {
  it('counts each blob once, and what stays apart', () => {
    const result = spaceFreed(
      [
        { digest: 'a', size: 10 },
        { digest: 'b', size: 5 },
        { digest: 'a', size: 10 },
        { digest: 'c', size: 7 },
      ],
      new Set(['c']),
    );
    assert.deepEqual(result, { bytes: 15, blobs: 2, shared: 1, sharedBytes: 7 });
    assert.deepEqual(spaceFreed([], new Set()), { bytes: 0, blobs: 0, shared: 0, sharedBytes: 0 });
  });

  it('words the confirmation detail', () => {
    assert.equal(deleteDetail({ bytes: 2_000_000_000, blobs: 3, shared: 0, sharedBytes: 0 }), 'This frees 2.0 GB (3 blobs).');
    assert.equal(
      deleteDetail({ bytes: 1500, blobs: 1, shared: 1, sharedBytes: 400 }),
      'This frees 1.5 KB (1 blob). 1 shared blob (400 B) stays because other models use it.',
    );
    assert.equal(
      deleteDetail({ bytes: 0, blobs: 0, shared: 4, sharedBytes: 2_000_000 }),
      'This frees 0 B (0 blobs). 4 shared blobs (2.0 MB) stay because other models use them.',
    );
  });
});

describe('estimateSpaceFreed', () => {
  it('equals what removeModel frees when blobs are shared with another model', async () => {
    const shared = putBlob(dir, 'shared template', TEMPLATE);
    putModel(dir, 'registry.ollama.ai/me/a/latest', { layers: [shared, putBlob(dir, 'only a', SYSTEM)] });
    putModel(dir, 'registry.ollama.ai/library/b/latest', { layers: [shared], gguf: new TextEncoder().encode('GGUF other weights') });
    const estimate = await estimateSpaceFreed(dir, 'ME/A');
    assert.ok(estimate.shared >= 1, 'the template (and the identical config) stay');
    assert.ok(estimate.sharedBytes >= shared.size);
    const removed = await removeModel(dir, 'me/a');
    assert.equal(estimate.bytes, removed.bytesFreed);
    assert.equal(estimate.blobs, removed.removed.length);
  });

  it('frees everything of a model that shares nothing', async () => {
    const a = putModel(dir, 'registry.ollama.ai/library/solo/latest', { layers: [putBlob(dir, 'solo system', SYSTEM)] });
    const estimate = await estimateSpaceFreed(dir, 'solo');
    assert.equal(estimate.shared, 0);
    assert.equal(estimate.bytes, a.config.size + a.layers.reduce((sum, layer) => sum + layer.size, 0));
    assert.equal(estimate.bytes, (await removeModel(dir, 'solo')).bytesFreed);
  });

  it('keeps blobs named by an unparsable manifest file or pinned by a live writer, as removeModel does', async () => {
    const named = putBlob(dir, 'named by a broken file', SYSTEM);
    const pinned = putBlob(dir, 'pinned by a pull', TEMPLATE);
    putModel(dir, 'registry.ollama.ai/library/m/latest', { layers: [named, pinned] });
    putRaw(dir, 'registry.ollama.ai/library/broken/latest', `{ not json ${named.digest}`);
    const pin = await pinBlobs(dir, [pinned.digest]);
    try {
      const estimate = await estimateSpaceFreed(dir, 'm');
      const removed = await removeModel(dir, 'm');
      assert.equal(estimate.bytes, removed.bytesFreed);
      assert.equal(estimate.shared, 2);
      assert.ok(!removed.removed.includes(named.digest) && !removed.removed.includes(pinned.digest));
    } finally {
      await pin.release();
    }
  });

  it('counts a missing blob as nothing and refuses an unknown model', async () => {
    const lost = putBlob(dir, 'lost', SYSTEM);
    const model = putModel(dir, 'registry.ollama.ai/library/m/latest', { layers: [lost] });
    rmSync(blobFile(dir, lost.digest));
    const estimate = await estimateSpaceFreed(dir, 'm');
    assert.equal(estimate.bytes, model.config.size + (model.layers[0]?.size ?? 0));
    await assert.rejects(estimateSpaceFreed(dir, 'nope'), ModelNotFound);
  });
});
