// Tests for prune (spec 3.8 plus our safer rules): dry run vs real, the age limit, referenced blobs never removed
// (also when other manifests are unparsable or misplaced), temp/partial files, our partials folder, empty dirs.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pinBlobs, prune } from '../../core/cache';
import { MODEL, TEMPLATE, blobFile, putBlob, putModel, putRaw, tempModelsDir } from '../helpers/cache-fixtures';

let dir = '';
let cleanup = (): void => undefined;
beforeEach(() => ({ dir, cleanup } = tempModelsDir()));
afterEach(() => cleanup());

const HOURS = 3600_000;
const old = new Date(Date.now() - 2 * HOURS);

function age(path: string, when = old): string {
  utimesSync(path, when, when);
  return path;
}

function blobNames(): string[] {
  return readdirSync(join(dir, 'blobs')).sort();
}

/** A models dir with one model, an old orphan, a young orphan, Ollama partials, our temp file, a partial download. */
function scenario(): { model: ReturnType<typeof putModel>; oldOrphan: string; youngOrphan: string } {
  const model = putModel(dir, 'registry.ollama.ai/library/keep/latest');
  for (const layer of [model.config, ...model.layers]) age(blobFile(dir, layer.digest), new Date(Date.now() - 100 * HOURS));
  const oldOrphan = putBlob(dir, 'old orphan', TEMPLATE).digest;
  age(blobFile(dir, oldOrphan));
  const youngOrphan = putBlob(dir, 'young orphan', TEMPLATE).digest;
  const hex = 'cd'.repeat(32);
  writeFileSync(join(dir, 'blobs', `sha256-${hex}-partial`), '12345678');
  age(join(dir, 'blobs', `sha256-${hex}-partial`));
  writeFileSync(join(dir, 'blobs', `sha256-${hex}-partial-0`), '{"N":0}\n');
  age(join(dir, 'blobs', `sha256-${hex}-partial-0`));
  writeFileSync(join(dir, 'blobs', '.tmp-abc'), 'x');
  age(join(dir, 'blobs', '.tmp-abc'));
  writeFileSync(join(dir, 'blobs', 'sha256-123456789'), 'ollama temp');
  mkdirSync(join(dir, '.modelfile-studio', 'partials', 'job1'), { recursive: true });
  age(join(dir, 'blobs', 'sha256-123456789'));
  writeFileSync(join(dir, '.modelfile-studio', 'partials', 'job1', 'data'), '12345');
  age(join(dir, '.modelfile-studio', 'partials', 'job1', 'data'));
  mkdirSync(join(dir, 'manifests', 'registry.ollama.ai', 'empty', 'dir'), { recursive: true });
  age(putRaw(dir, '.tmp-deadbeef', '{}'));
  return { model, oldOrphan, youngOrphan };
}

describe('prune', () => {
  it('dry run lists what a real run removes, and removes nothing', async () => {
    const { oldOrphan, youngOrphan } = scenario();
    const before = blobNames();
    const dry = await prune(dir, { dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.deepEqual(blobNames(), before);
    assert.equal(existsSync(join(dir, 'manifests', 'registry.ollama.ai', 'empty', 'dir')), true);
    const real = await prune(dir);
    assert.deepEqual(
      real.removed.map((r) => [r.kind, r.path]),
      dry.removed.map((r) => [r.kind, r.path]),
    );
    assert.equal(real.bytesFreed, dry.bytesFreed);
    const kinds = real.removed.map((r) => `${r.kind} ${r.path}`).sort();
    assert.deepEqual(kinds, [
      `blob blobs/${oldOrphan.replace(':', '-')}`,
      'directory .modelfile-studio/partials/job1',
      'directory manifests/registry.ollama.ai',
      'directory manifests/registry.ollama.ai/empty',
      'directory manifests/registry.ollama.ai/empty/dir',
      'manifest-temp manifests/.tmp-deadbeef',
      'partial .modelfile-studio/partials/job1/data',
      `partial blobs/sha256-${'cd'.repeat(32)}-partial`,
      `partial blobs/sha256-${'cd'.repeat(32)}-partial-0`,
      'partial blobs/sha256-123456789',
      'temp blobs/.tmp-abc',
    ].sort().filter((k) => k !== 'directory manifests/registry.ollama.ai'));
    assert.ok(blobNames().includes(youngOrphan.replace(':', '-')), 'young orphan kept');
    assert.equal(real.tooRecent, 1);
    assert.equal(real.referenced, 2);
    assert.equal(real.bytesFreed, 'old orphan'.length + 8 + '{"N":0}\n'.length + 1 + 'ollama temp'.length + 5 + 2);
    assert.ok(existsSync(join(dir, '.modelfile-studio', 'partials')), 'the partials folder itself stays');
  });

  it('never removes referenced blobs, whatever their age', async () => {
    const { model } = scenario();
    await prune(dir, { olderThanMs: 0 });
    for (const layer of [model.config, ...model.layers]) assert.equal(existsSync(blobFile(dir, layer.digest)), true);
  });

  it('with age 0 removes young orphans too', async () => {
    const { youngOrphan } = scenario();
    await prune(dir, { olderThanMs: 0 });
    assert.equal(existsSync(blobFile(dir, youngOrphan)), false);
  });

  it('keeps digests mentioned by unparsable manifests and stray files, and warns', async () => {
    scenario();
    const a = putBlob(dir, 'in a broken manifest', MODEL);
    const b = putBlob(dir, 'in a hidden file', MODEL);
    const c = putBlob(dir, 'at five levels', MODEL);
    const d = putBlob(dir, 'behind an invalid name', MODEL);
    for (const x of [a, b, c, d]) age(blobFile(dir, x.digest));
    putRaw(dir, 'registry.ollama.ai/library/broken/latest', `{"layers":[{"digest":"${a.digest}","size":`);
    putRaw(dir, 'registry.ollama.ai/library/keep/.old', `{"layers":[{"digest":"${b.digest.replace(':', '-')}"}]}`);
    putRaw(dir, 'registry.ollama.ai/library/x/y/z', `${c.digest}`);
    putRaw(dir, 'registry.ollama.ai/library/bad name!/latest', `${d.digest}`);
    const result = await prune(dir, { olderThanMs: 0 });
    for (const x of [a, b, c, d]) assert.equal(existsSync(blobFile(dir, x.digest)), true, x.digest);
    assert.deepEqual(
      result.warnings.map((w) => w.path),
      [
        'registry.ollama.ai/library/bad name!/latest',
        'registry.ollama.ai/library/broken/latest',
        'registry.ollama.ai/library/keep/.old',
        'registry.ollama.ai/library/x/y/z',
      ],
    );
  });

  it('keeps pinned blobs and partial downloads of pinned digests', async () => {
    const orphan = putBlob(dir, 'being pulled', MODEL);
    age(blobFile(dir, orphan.digest));
    const partial = join(dir, '.modelfile-studio', 'partials', orphan.digest.replace(':', '-'));
    mkdirSync(join(dir, '.modelfile-studio', 'partials'), { recursive: true });
    writeFileSync(partial, 'half');
    age(partial);
    const pin = await pinBlobs(dir, [orphan.digest]);
    try {
      await prune(dir, { olderThanMs: 0 });
      assert.equal(existsSync(blobFile(dir, orphan.digest)), true);
      assert.equal(existsSync(partial), true);
    } finally {
      await pin.release();
    }
    await prune(dir, { olderThanMs: 0 });
    assert.equal(existsSync(blobFile(dir, orphan.digest)), false);
    assert.equal(existsSync(partial), false);
  });

  it('never removes a temp file whose writer is alive, even with age 0', async () => {
    scenario();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const live = join(dir, 'blobs', `.tmp-${process.pid}-0123abcd`);
    const crashed = join(dir, 'blobs', `.tmp-${dead}-0123abcd`);
    writeFileSync(live, 'being written');
    writeFileSync(crashed, 'left over');
    for (const p of [live, crashed]) age(p);
    await prune(dir, { olderThanMs: 0 });
    assert.equal(existsSync(live), true);
    assert.equal(existsSync(crashed), false);
  });

  it("renames Windows-era 'sha256:<hex>' blob files to their canonical names, like Ollama", async () => {
    const m = putModel(dir, 'registry.ollama.ai/library/legacy/latest');
    const file = blobFile(dir, m.layers[0].digest);
    const legacy = join(dir, 'blobs', m.layers[0].digest.toUpperCase().replace('SHA256:', 'sha256:'));
    renameSync(file, legacy);
    const dry = await prune(dir, { dryRun: true });
    assert.deepEqual(dry.renamed, [`blobs/${basename(legacy)}`]);
    assert.equal(existsSync(legacy), true);
    const real = await prune(dir, { olderThanMs: 0 });
    assert.deepEqual(real.renamed, dry.renamed);
    assert.equal(existsSync(file), true);
    assert.equal(existsSync(legacy), false);
  });

  it('removes an old partial of a blob that is already complete, keeping the blob', async () => {
    const m = putModel(dir, 'registry.ollama.ai/library/done/latest');
    const partial = join(dir, '.modelfile-studio', 'partials', `${m.layers[0].digest.replace(':', '-')}.partial`);
    mkdirSync(join(dir, '.modelfile-studio', 'partials'), { recursive: true });
    writeFileSync(partial, 'stale');
    age(partial);
    await prune(dir);
    assert.equal(existsSync(partial), false);
    assert.equal(existsSync(blobFile(dir, m.layers[0].digest)), true);
  });

  it('works on an empty or missing models directory', async () => {
    const result = await prune(join(dir, 'nothing-here'));
    assert.deepEqual(result.removed, []);
  });
});
