// Tests for the models-directory watcher behind the Models view's automatic refresh (client/model/watch.ts): one
// debounced call per burst of manifest changes, a manifests/ folder that appears later, and nothing after dispose.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { watchModelsDirectory } from '../../client/model/watch';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mfs-client-watch-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('watchModelsDirectory', () => {
  it('calls back once for a burst of changes deep below manifests/', async () => {
    const deep = join(dir, 'manifests', 'registry.ollama.ai', 'library', 'm');
    mkdirSync(deep, { recursive: true });
    let calls = 0;
    const watching = watchModelsDirectory(dir, () => calls++, { debounceMs: 100 });
    try {
      for (let i = 0; i < 5; i++) writeFileSync(join(deep, `tag${i}`), '{}');
      await waitFor(() => calls > 0, 3000, 'the first call');
      await sleep(300);
      assert.equal(calls, 1);
      rmSync(join(deep, 'tag0'));
      await waitFor(() => calls === 2, 3000, 'a call for the removal');
    } finally {
      watching.dispose();
    }
  });

  it('notices a manifests/ folder that appears later', async () => {
    let calls = 0;
    const watching = watchModelsDirectory(join(dir, 'models'), () => calls++, { debounceMs: 50, pollMs: 50 });
    try {
      await sleep(150);
      assert.equal(calls, 0);
      mkdirSync(join(dir, 'models', 'manifests', 'h', 'n', 'm'), { recursive: true });
      await waitFor(() => calls >= 1, 3000, 'the folder to be noticed');
      const before = calls;
      writeFileSync(join(dir, 'models', 'manifests', 'h', 'n', 'm', 't'), '{}');
      await waitFor(() => calls > before, 3000, 'a change in the new folder');
    } finally {
      watching.dispose();
    }
  });

  it('stays silent after dispose', async () => {
    mkdirSync(join(dir, 'manifests'), { recursive: true });
    let calls = 0;
    const watching = watchModelsDirectory(dir, () => calls++, { debounceMs: 50 });
    watching.dispose();
    writeFileSync(join(dir, 'manifests', 'x'), '');
    await sleep(200);
    assert.equal(calls, 0);
  });
});
