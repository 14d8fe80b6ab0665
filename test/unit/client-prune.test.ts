// Tests for the words around Prune (client/model/prune.ts) on real dry runs and real runs of core's prune: the
// question and detail of the confirmation, nothing to prune, files kept because they are recent or named by a
// broken manifest, and the closing message.
import assert from 'node:assert/strict';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { prune, type PruneResult } from '../../core/cache';
import { summarisePruneDone, summarisePruneDryRun } from '../../client/model/prune';
import { SYSTEM, blobFile, putBlob, putModel, putRaw, tempModelsDir } from '../helpers/cache-fixtures';

let dir = '';
let cleanup = (): void => undefined;
beforeEach(() => ({ dir, cleanup } = tempModelsDir()));
afterEach(() => cleanup());

const old = new Date(Date.now() - 3 * 3600_000);

function age(path: string): void {
  utimesSync(path, old, old);
}

describe('prune summaries', () => {
  it('says there is nothing to prune when every file is in use', async () => {
    putModel(dir, 'registry.ollama.ai/library/m/latest');
    const summary = summarisePruneDryRun(await prune(dir, { dryRun: true }));
    assert.equal(summary.empty, true);
    assert.equal(summary.headline, 'Nothing to prune: every file in the models directory is in use.');
    assert.equal(summary.detail, '');
  });

  it('asks about unused blobs, partials and empty folders, and mentions what is kept and why', async () => {
    putModel(dir, 'registry.ollama.ai/library/m/latest');
    const unused = putBlob(dir, 'nobody needs me', SYSTEM);
    age(blobFile(dir, unused.digest));
    const fresh = putBlob(dir, 'written a moment ago', SYSTEM);
    assert.ok(fresh.size > 0);
    const partial = join(dir, '.modelfile-studio', 'partials', `sha256-${'9'.repeat(64)}`);
    mkdirSync(join(partial, '..'), { recursive: true });
    writeFileSync(partial, Buffer.alloc(1500));
    age(partial);
    mkdirSync(join(dir, 'manifests', 'registry.ollama.ai', 'gone', 'x'), { recursive: true });
    putRaw(dir, 'registry.ollama.ai/library/broken/latest', '{ not json');

    const dry = await prune(dir, { dryRun: true });
    const summary = summarisePruneDryRun(dry);
    assert.equal(summary.empty, false);
    assert.equal(summary.headline, `Prune would remove 2 files and 2 empty folders and free 1.5 KB.`);
    assert.deepEqual(summary.detail.split('\n'), [
      `• 1 unused blob (${unused.size} B)`,
      '• 1 stale partial download (1.5 KB)',
      '• 2 empty folders',
      '',
      '1 unused file younger than the age limit or still being written is kept.',
      '1 file below manifests/ is not a valid manifest; the blobs it names are kept (see the log).',
    ]);

    const done: PruneResult = await prune(dir);
    assert.equal(summarisePruneDone(done), 'Pruned 2 files, freed 1.5 KB, removed 2 empty folders.');
    assert.equal(summarisePruneDone(await prune(dir)), 'Nothing was pruned.');
  });

  it('words a run that only renames legacy blob names', () => {
    const result: PruneResult = { dryRun: true, removed: [], bytesFreed: 0, tooRecent: 0, referenced: 3, renamed: ['blobs/sha256:ab'], warnings: [] };
    const summary = summarisePruneDryRun(result);
    assert.equal(summary.empty, false);
    assert.equal(summary.headline, 'Prune would rename 1 blob file to the name Ollama expects.');
    assert.equal(summarisePruneDone({ ...result, dryRun: false }), 'Pruned 0 files, freed 0 B, renamed 1 blob file.');
  });
});
