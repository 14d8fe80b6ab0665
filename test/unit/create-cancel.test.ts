// Cancelling a create through its AbortSignal at every stage: before it starts, while parsing GGUF, in the middle
// of a copy, during a split merge, between layers, while reading the base model and while waiting for the lock.
// Each leaves no manifest, no temp file, no lock and no pin; after `writing-manifest` the create completes.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { acquireCacheLock } from '../../core/cache';
import { createModel, type CreateProgress } from '../../core/create';
import { Cancelled } from '../../core/errors';
import { writeGgufFile } from '../helpers/gguf-writer';
import { gguf, hasLibraryManifest, put, strayFiles, workspace, type Workspace } from '../helpers/create-fixtures';

let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

const BIG = 96 * 1024 * 1024;

async function bigGguf(name: string): Promise<void> {
  await writeGgufFile(join(ws.src, name), { kv: [['general.architecture', 'string', 'llama']], tensors: [{ name: 'w', dims: [16] }] }, { padToBytes: BIG });
}

/** Runs a create that aborts itself when `when` first returns true for a progress event. */
async function createAbortingAt(name: string, modelfile: string, when: (event: CreateProgress) => boolean): Promise<unknown> {
  const controller = new AbortController();
  try {
    await createModel({
      modelsDir: ws.models,
      name,
      modelfile,
      modelfileDir: ws.src,
      signal: controller.signal,
      onProgress: (event) => {
        if (!controller.signal.aborted && when(event)) controller.abort();
      },
    });
    return undefined;
  } catch (error) {
    return error;
  }
}

function assertClean(name: string): void {
  assert.equal(hasLibraryManifest(ws.models, name), false, 'no manifest');
  assert.deepEqual(strayFiles(ws.models), [], 'no temp files');
  const studio = join(ws.models, '.modelfile-studio');
  assert.equal(existsSync(join(studio, 'lock')), false, 'lock released');
  const pins = join(studio, 'pins');
  assert.deepEqual(existsSync(pins) ? readdirSync(pins) : [], [], 'pins released');
}

function assertCancelled(error: unknown): void {
  assert.ok(error instanceof Cancelled, `expected Cancelled, got ${String(error)}`);
  assert.equal(error.message, 'create cancelled');
}

describe('cancelling a create', () => {
  it('before it starts', async () => {
    put(ws.src, { 'm.gguf': gguf() });
    const controller = new AbortController();
    controller.abort();
    const error = await createModel({ modelsDir: ws.models, name: 'x', modelfile: 'FROM m.gguf\n', modelfileDir: ws.src, signal: controller.signal }).catch((e: unknown) => e);
    assertCancelled(error);
    assert.equal(existsSync(ws.models), false);
  });

  it('while parsing GGUF', async () => {
    put(ws.src, { 'm.gguf': gguf() });
    assertCancelled(await createAbortingAt('x', 'FROM m.gguf\n', (e) => e.kind === 'status' && e.message === 'parsing GGUF'));
    assertClean('x');
  });

  it('in the middle of copying a large file', async () => {
    await bigGguf('big.gguf');
    let seen = 0;
    const error = await createAbortingAt('x', 'FROM big.gguf\n', (e) => {
      if (e.kind === 'layer' && e.state === 'copying' && e.completed > 0) seen = e.completed;
      return seen > 8 * 1024 * 1024;
    });
    assertCancelled(error);
    assert.ok(seen > 0 && seen < BIG, 'stopped part-way');
    assertClean('x');
  });

  it('during a split merge', async () => {
    const shard = (no: number, tensor: string): Uint8Array =>
      gguf({ kv: [['split.no', 'uint16', no], ['split.count', 'uint16', 2]], tensors: [{ name: tensor, dims: [8] }], dataBytes: 32 });
    put(ws.src, { 's/m-00001-of-00002.gguf': shard(0, 'a'), 's/m-00002-of-00002.gguf': shard(1, 'b') });
    assertCancelled(await createAbortingAt('x', 'FROM ./s\n', (e) => e.kind === 'layer' && e.state === 'copying'));
    assertClean('x');
  });

  it('between the model layer and the text layers', async () => {
    put(ws.src, { 'm.gguf': gguf() });
    const error = await createAbortingAt('x', 'FROM m.gguf\nSYSTEM s\nLICENSE l\n', (e) => e.kind === 'layer' && e.state === 'done' && e.label === 'm.gguf');
    assertCancelled(error);
    assertClean('x');
  });

  it('while reading the base model', async () => {
    put(ws.src, { 'm.gguf': gguf() });
    await createModel({ modelsDir: ws.models, name: 'base', modelfile: 'FROM m.gguf\n', modelfileDir: ws.src });
    assertCancelled(await createAbortingAt('x', 'FROM base\nSYSTEM s\n', (e) => e.kind === 'status' && e.message.startsWith('reading base model')));
    assertClean('x');
  });

  it('while waiting for another process that holds the lock', async () => {
    put(ws.src, { 'm.gguf': gguf() });
    const lock = await acquireCacheLock(ws.models, { op: 'test' });
    try {
      const controller = new AbortController();
      const pending = createModel({ modelsDir: ws.models, name: 'x', modelfile: 'FROM m.gguf\n', modelfileDir: ws.src, signal: controller.signal }).catch((e: unknown) => e);
      setTimeout(() => controller.abort(), 200);
      assertCancelled(await pending);
    } finally {
      await lock.release();
    }
    assertClean('x');
  });

  it('not after writing-manifest: the create completes', async () => {
    put(ws.src, { 'm.gguf': gguf() });
    const error = await createAbortingAt('x', 'FROM m.gguf\nSYSTEM s\n', (e) => e.kind === 'writing-manifest');
    assert.equal(error, undefined);
    assert.equal(hasLibraryManifest(ws.models, 'x'), true);
  });
});
