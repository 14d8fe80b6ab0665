// Tests for manifests (spec 2.3, 3.3, 3.10): tolerant reading with strict validation of digests and sizes,
// hostile files, the model ID, atomic writes outside the four-level tree, and the case rules.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestInvalid, ModelNotFound, NameInvalid } from '../../core/errors';
import {
  BlobMissing,
  MAX_MANIFEST_BYTES,
  findManifestName,
  parseManifest,
  readManifest,
  storageSpelling,
  walkManifestFiles,
  writeManifest,
} from '../../core/cache';
import { nameString } from '../../core/names';
import { MODEL, TEMPLATE, manifestBytes, putBlob, putConfig, putModel, putRaw, sha256, tempModelsDir } from '../helpers/cache-fixtures';

let dir = '';
let cleanup = (): void => undefined;
beforeEach(() => ({ dir, cleanup } = tempModelsDir()));
afterEach(() => cleanup());

const HEX = 'ab'.repeat(32);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('parseManifest', () => {
  it('accepts any formatting, unknown fields and a missing config', () => {
    const raw = text(`{
      "schemaVersion": 2, "extra": {"x": [1]},
      "layers": [ {"mediaType": "${MODEL}", "digest": "sha256-${HEX.toUpperCase()}", "size": 5, "from": "base:latest", "annotations": {}} ]
    }`);
    const m = parseManifest(raw, 'x:latest');
    assert.equal(m.config, undefined);
    assert.deepEqual(m.layers, [{ mediaType: MODEL, digest: `sha256:${HEX}`, size: 5, from: 'base:latest' }]);
    assert.equal(m.id, sha256(raw));
    assert.equal(m.raw, raw);
    assert.equal(parseManifest(text('{"layers":[],"config":null}'), 'x').config, undefined);
  });

  const hostile: [string, string, RegExp][] = [
    ['not JSON', '{"layers": [', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['no layers', '{"config":{}}', /"layers" must be an array/],
    ['layers not an array', '{"layers":{}}', /"layers" must be an array/],
    ['path-like digest', `{"layers":[{"mediaType":"m","digest":"sha256:../../x","size":1}]}`, /invalid digest/],
    ['digest with a slash', `{"layers":[{"digest":"sha256:${HEX}/..","size":1}]}`, /invalid digest/],
    ['missing digest', '{"layers":[{"size":1}]}', /no digest/],
    ['negative size', `{"layers":[{"digest":"sha256:${HEX}","size":-1}]}`, /invalid size/],
    ['fractional size', `{"layers":[{"digest":"sha256:${HEX}","size":1.5}]}`, /invalid size/],
    ['huge size', `{"layers":[{"digest":"sha256:${HEX}","size":1e300}]}`, /invalid size/],
    ['string size', `{"layers":[{"digest":"sha256:${HEX}","size":"1"}]}`, /invalid size/],
    ['numeric mediaType', `{"layers":[{"digest":"sha256:${HEX}","size":1,"mediaType":5}]}`, /mediaType/],
    ['bad config digest', `{"layers":[],"config":{"digest":"../x"}}`, /config has an invalid digest/],
  ];
  for (const [what, json, message] of hostile) {
    it(`rejects ${what}`, () => {
      assert.throws(() => parseManifest(text(json), 'bad:latest'), (e: unknown) => e instanceof ManifestInvalid && message.test(e.message));
    });
  }

  it('names the model, never a path, in errors', () => {
    assert.throws(() => parseManifest(text('{'), 'me/model:tag'), /invalid manifest me\/model:tag: not valid JSON/);
  });
});

describe('reading manifests from the tree', () => {
  it('reads a stored model case-insensitively and keeps the stored spelling', async () => {
    const { bytes } = putModel(dir, 'registry.ollama.ai/library/Llama3/Latest');
    const m = await readManifest(dir, 'LLAMA3');
    assert.equal(m.shortName, 'Llama3:Latest');
    assert.deepEqual(m.raw, bytes);
    assert.equal(m.id, sha256(bytes));
    assert.equal(nameString(m.name), 'registry.ollama.ai/library/Llama3:Latest');
  });

  it('prefers the exact spelling, else the first match in lexical order', async () => {
    putModel(dir, 'registry.ollama.ai/library/m/b');
    putModel(dir, 'registry.ollama.ai/library/m/B');
    assert.equal((await findManifestName(dir, 'm:b'))?.tag, 'b');
    assert.equal((await findManifestName(dir, 'm:B'))?.tag, 'B');
    putModel(dir, 'registry.ollama.ai/library/n/Xy');
    putModel(dir, 'registry.ollama.ai/library/n/xY');
    assert.equal((await findManifestName(dir, 'n:xy'))?.tag, 'Xy');
  });

  it('reports missing models and invalid names with typed errors', async () => {
    await assert.rejects(readManifest(dir, 'nothing'), ModelNotFound);
    await assert.rejects(readManifest(dir, 'bad name!'), NameInvalid);
    await assert.rejects(readManifest(dir, '../../etc/passwd'), NameInvalid);
  });

  it('refuses a 100 MB manifest by its size, without reading it', async () => {
    const path = putRaw(dir, 'registry.ollama.ai/library/huge/latest', '');
    const fd = openSync(path, 'r+');
    ftruncateSync(fd, 100 * 1024 * 1024);
    closeSync(fd);
    const started = Date.now();
    await assert.rejects(readManifest(dir, 'huge'), (e: unknown) => e instanceof ManifestInvalid && /more than the/.test(e.message));
    assert.ok(Date.now() - started < 1000);
    assert.ok(MAX_MANIFEST_BYTES < 100 * 1024 * 1024);
  });

  it('walks exactly what is below manifests/, naming only valid four-level files', async () => {
    putModel(dir, 'registry.ollama.ai/library/ok/latest');
    putRaw(dir, 'registry.ollama.ai/library/ok/.hidden', '{}');
    putRaw(dir, 'registry.ollama.ai/library/three', '{}');
    putRaw(dir, 'registry.ollama.ai/library/five/a/b', '{}');
    putRaw(dir, 'registry.ollama.ai/library/bad name/latest', '{}');
    putRaw(dir, '.tmp-123', '{}');
    const files = await walkManifestFiles(dir);
    assert.deepEqual(
      files.map((f) => [f.rel, f.name ? nameString(f.name) : null]),
      [
        ['.tmp-123', null],
        ['registry.ollama.ai/library/bad name/latest', null],
        ['registry.ollama.ai/library/five/a/b', null],
        ['registry.ollama.ai/library/ok/.hidden', null],
        ['registry.ollama.ai/library/ok/latest', 'registry.ollama.ai/library/ok:latest'],
        ['registry.ollama.ai/library/three', null],
      ],
    );
  });
});

describe('writeManifest', () => {
  function layers(): { config: ReturnType<typeof putConfig>; bytes: Uint8Array } {
    const config = putConfig(dir);
    const model = putBlob(dir, 'weights', MODEL);
    const template = putBlob(dir, '{{ .Prompt }}', TEMPLATE);
    return { config, bytes: manifestBytes(config, [model, template]) };
  }

  it('writes the given bytes at manifests/<host>/<ns>/<model>/<tag>, 0644, and returns the ID', async () => {
    const { bytes, config } = layers();
    const written = await writeManifest(dir, 'me/model:v1', bytes);
    const path = join(dir, 'manifests', 'registry.ollama.ai', 'me', 'model', 'v1');
    assert.equal(written.path, path);
    assert.equal(written.shortName, 'me/model:v1');
    assert.equal(written.id, sha256(bytes));
    assert.deepEqual(new Uint8Array(readFileSync(path)), bytes);
    assert.equal(statSync(path).mode & 0o777, 0o644);
    assert.equal(statSync(join(dir, 'manifests', 'registry.ollama.ai', 'me')).mode & 0o777, 0o755);
    const expected =
      `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
      `"config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"${config.digest}","size":${config.size}},` +
      `"layers":[{"mediaType":"${MODEL}","digest":"sha256:${sha256('weights')}","size":7},` +
      `{"mediaType":"${TEMPLATE}","digest":"sha256:${sha256('{{ .Prompt }}')}","size":13}]}\n`;
    assert.equal(readFileSync(path, 'utf8'), expected);
    // nothing but the host directory (and our lock folder) directly below manifests/ or the models dir
    assert.deepEqual(readdirSync(join(dir, 'manifests')), ['registry.ollama.ai']);
  });

  it('replaces an existing manifest atomically and reports what it replaced', async () => {
    const { bytes } = layers();
    await writeManifest(dir, 'a', bytes);
    const other = manifestBytes(putConfig(dir, { model_type: '1B' }), [putBlob(dir, 'w2', MODEL)]);
    const written = await writeManifest(dir, 'a', other);
    assert.equal(written.replaced?.id, sha256(bytes));
    assert.deepEqual(new Uint8Array(readFileSync(written.path)), other);
  });

  it('never creates a case-only duplicate: writes to the existing spelling', async () => {
    const { bytes } = layers();
    await writeManifest(dir, 'Me/Model:Tag', bytes);
    const written = await writeManifest(dir, 'me/model:tag', bytes);
    assert.equal(written.shortName, 'Me/Model:Tag');
    const again = await writeManifest(dir, 'ME/MODEL:other', bytes);
    assert.equal(again.shortName, 'Me/Model:other');
    assert.deepEqual(readdirSync(join(dir, 'manifests', 'registry.ollama.ai')), ['Me']);
    assert.deepEqual(readdirSync(join(dir, 'manifests', 'registry.ollama.ai', 'Me', 'Model')).sort(), ['Tag', 'other']);
    assert.equal((await storageSpelling(dir, 'REGISTRY.OLLAMA.AI/me/new:x')).host, 'registry.ollama.ai');
  });

  it('refuses invalid manifests, invalid names and missing blobs, leaving nothing behind', async () => {
    await assert.rejects(writeManifest(dir, 'x', text('{"layers":[{"digest":"sha256:../x"}]}')), ManifestInvalid);
    await assert.rejects(writeManifest(dir, 'bad/name/is/too/deep', layers().bytes), NameInvalid);
    const missing = manifestBytes(putConfig(dir), [{ mediaType: MODEL, digest: `sha256:${HEX}`, size: 3 }]);
    await assert.rejects(writeManifest(dir, 'x', missing), BlobMissing);
    const wrongSize = manifestBytes(putConfig(dir), [{ ...putBlob(dir, 'abc', MODEL), size: 4 }]);
    await assert.rejects(writeManifest(dir, 'x', wrongSize), BlobMissing);
    assert.equal(existsSync(join(dir, 'manifests')), false);
    await writeManifest(dir, 'x', missing, { requireBlobs: false });
  });
});
