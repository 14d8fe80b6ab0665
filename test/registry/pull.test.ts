// Pull into a real models directory from a real docker-registry (through the fault proxy where faults are
// needed): exact manifest bytes, parallel ranged parts, resume after cancel, stalls/resets/503s/truncation,
// digest and size checks, nothing visible before everything is verified, and removal of the old version's blobs.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Cancelled, DigestMismatch, ModelNotFound } from '../../core/errors';
import { RegistryClient, type RegistryClientOptions } from '../../core/registry/client';
import { pullModel, type PullEvent } from '../../core/registry/pull';
import {
  Cleanup,
  makeTempDir,
  pushBlob,
  pushManifest,
  seedModel,
  sha256Digest,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type RunningRegistry,
  type SeededModel,
} from './harness';

const cleanup = new Cleanup();
after(() => cleanup.run());

let registry: RunningRegistry;
let proxy: FaultProxy;
let big: SeededModel;
let modelsDir: string;

/** Deterministic pseudo-random bytes (incompressible, every offset distinct enough to catch misplaced parts). */
function bytes(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function client(options: RegistryClientOptions = {}): RegistryClient {
  const c = new RegistryClient({
    insecureHosts: [registry.host, proxy.host],
    retries: 4,
    retryBaseMs: 5,
    retryMaxMs: 50,
    stallTimeoutMs: 400,
    partSize: 64 * 1024,
    streams: 4,
    ...options,
  });
  cleanup.add(() => c.close());
  return c;
}

function freshModelsDir(): string {
  const dir = makeTempDir('modelfile-models-');
  cleanup.add(() => dir.remove());
  return dir.path;
}

function manifestFile(dir: string, host: string, model: string, tag = 'latest', namespace = 'library'): string {
  return join(dir, 'manifests', host, namespace, model, tag);
}

function partialFiles(dir: string): string[] {
  const p = join(dir, '.modelfile-studio', 'partials');
  return existsSync(p) ? readdirSync(p) : [];
}

function blobFile(dir: string, digest: string): string {
  return join(dir, 'blobs', digest.replace(':', '-'));
}

before(async () => {
  registry = await startRegistry();
  cleanup.add(() => registry.stop());
  big = await seedModel(registry.url, 'library/big', 'latest', [
    { data: bytes(600 * 1024 + 123, 1) },
    { data: Buffer.from('{{ .System }} {{ .Prompt }}'), mediaType: 'application/vnd.ollama.image.template' },
  ]);
  proxy = await startFaultProxy({ upstream: registry.url, stallCapMs: 3_000 });
  cleanup.add(() => proxy.stop());
});

beforeEach(() => {
  modelsDir = freshModelsDir();
  proxy.setSchedule([]);
  proxy.records.length = 0;
});

const via = (host: string, model = 'big'): string => `${host}/library/${model}`;

describe('pull', () => {
  test('a model arrives complete: blobs verified, the manifest byte for byte, no partials left', async () => {
    const events: PullEvent[] = [];
    const result = await pullModel(via(registry.host), { modelsDir, client: client(), onProgress: (e) => events.push(e) });
    assert.deepEqual(readFileSync(manifestFile(modelsDir, registry.host, 'big')), big.manifest);
    assert.equal(result.id, big.manifestDigest.slice(7));
    for (const layer of [...big.layers, big.config]) assert.deepEqual(readFileSync(blobFile(modelsDir, layer.digest)), layer.data);
    assert.equal(result.downloaded.length, 3);
    assert.deepEqual(partialFiles(modelsDir), []);
    const statuses = events.filter((e) => e.type === 'status').map((e) => e.status);
    assert.deepEqual(statuses, ['pulling manifest', 'verifying sha256 digest', 'writing manifest', 'success']);
    assert.ok(events.some((e) => e.type === 'layer' && e.state === 'done' && e.digest === big.layers[0].digest));
  });

  test('a second pull reuses every blob and downloads nothing', async () => {
    await pullModel(via(registry.host), { modelsDir, client: client() });
    const again = await pullModel(via(registry.host), { modelsDir, client: client() });
    assert.equal(again.bytesReceived, 0);
    assert.equal(again.reused.length, 3);
  });

  test('a big layer is fetched as parallel ranged parts', async () => {
    await pullModel(via(proxy.host), { modelsDir, client: client({ partSize: 100 * 1024 }) });
    const layerGets = proxy.records.filter((r) => r.method === 'GET' && r.path.endsWith(big.layers[0].digest));
    assert.equal(layerGets.length, Math.ceil(big.layers[0].size / (100 * 1024)));
    assert.deepEqual(readFileSync(blobFile(modelsDir, big.layers[0].digest)), big.layers[0].data);
  });

  test('503s, resets and truncated parts are retried; stalled parts restart', async () => {
    const faulty = await startFaultProxy({
      upstream: registry.url,
      schedule: ['pass', 'status503', 'reset', 'truncate', 'stall-body', 'status429', 'truncate'],
      stallCapMs: 3_000,
    });
    cleanup.add(() => faulty.stop());
    const result = await pullModel(via(faulty.host), { modelsDir, client: client({ insecureHosts: [faulty.host] }) });
    assert.deepEqual(readFileSync(blobFile(modelsDir, big.layers[0].digest)), big.layers[0].data);
    assert.deepEqual(readFileSync(manifestFile(modelsDir, faulty.host, 'big')), big.manifest);
    assert.ok(result.bytesReceived >= big.layers[0].size);
  });

  test('a cancelled pull leaves a partial that the next pull resumes', async () => {
    const layer = big.layers[0];
    const stalling = await startFaultProxy({
      upstream: registry.url,
      eligible: (method, path) => method === 'GET' && path.endsWith(layer.digest),
      schedule: ['pass', 'pass', 'pass', 'stall-body'],
      stallCapMs: 5_000,
    });
    cleanup.add(() => stalling.stop());
    const controller = new AbortController();
    const c = client({ insecureHosts: [stalling.host], streams: 1, partSize: 100 * 1024, stallTimeoutMs: 10_000 });
    const started = pullModel(via(stalling.host), { modelsDir, client: c, signal: controller.signal });
    setTimeout(() => controller.abort(), 500);
    await assert.rejects(started, Cancelled);
    assert.equal(existsSync(manifestFile(modelsDir, stalling.host, 'big')), false);
    assert.equal(existsSync(blobFile(modelsDir, layer.digest)), false);
    const partials = partialFiles(modelsDir);
    assert.ok(partials.some((f) => f.endsWith('.partial')), partials.join(','));
    assert.ok(partials.some((f) => f.endsWith('.json')), partials.join(','));

    const resumed = await pullModel(via(stalling.host), { modelsDir, client: c });
    assert.deepEqual(readFileSync(blobFile(modelsDir, layer.digest)), layer.data);
    // Three whole parts and half of the fourth were kept: far less than the layer was fetched again.
    assert.ok(resumed.bytesReceived < layer.size - 300 * 1024, `received ${resumed.bytesReceived}`);
    assert.deepEqual(partialFiles(modelsDir), []);
  });

  test('a flipped byte fails the pull with DigestMismatch; nothing is installed; the next pull succeeds', async () => {
    const layer = big.layers[0];
    const flipping = await startFaultProxy({
      upstream: registry.url,
      eligible: (method, path) => method === 'GET' && path.endsWith(layer.digest),
      schedule: ['flip'],
    });
    cleanup.add(() => flipping.stop());
    const c = client({ insecureHosts: [flipping.host] });
    await assert.rejects(pullModel(via(flipping.host), { modelsDir, client: c }), DigestMismatch);
    assert.equal(existsSync(blobFile(modelsDir, layer.digest)), false);
    assert.equal(existsSync(manifestFile(modelsDir, flipping.host, 'big')), false);
    assert.deepEqual(partialFiles(modelsDir), []);
    await pullModel(via(flipping.host), { modelsDir, client: c });
    assert.deepEqual(readFileSync(blobFile(modelsDir, layer.digest)), layer.data);
  });

  test('a missing model is ModelNotFound and leaves nothing behind', async () => {
    await assert.rejects(pullModel(`${registry.host}/library/nothing:here`, { modelsDir, client: client() }), ModelNotFound);
    assert.equal(existsSync(join(modelsDir, 'manifests')), false);
  });

  test('pull by name@digest stores the manifest under the name', async () => {
    await pullModel(`${registry.host}/library/big@${big.manifestDigest}`, { modelsDir, client: client() });
    assert.deepEqual(readFileSync(manifestFile(modelsDir, registry.host, 'big')), big.manifest);
  });

  test('a manifest whose layer size is wrong fails before anything is visible', async () => {
    const data = bytes(5000, 9);
    const digest = await pushBlob(registry.url, 'library/liar', data);
    const config = Buffer.from('{}');
    const configDigest = await pushBlob(registry.url, 'library/liar', config);
    for (const [tag, size] of [['short', 4000], ['long', 6000]] as const) {
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
          config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: configDigest, size: config.length },
          layers: [{ mediaType: 'application/vnd.ollama.image.model', digest, size }],
        }),
      );
      await pushManifest(registry.url, 'library/liar', tag, manifest);
      await assert.rejects(pullModel(`${registry.host}/library/liar:${tag}`, { modelsDir, client: client({ partSize: 1000 }) }), /serves blob .* with 5000 bytes, but the manifest says/);
      assert.equal(existsSync(manifestFile(modelsDir, registry.host, 'liar', tag)), false);
      assert.equal(existsSync(blobFile(modelsDir, digest)), false);
    }
  });

  test("pulling a new version removes the old version's unused blobs (unless asked to keep them)", async () => {
    const shared = Buffer.from('shared template');
    const v1 = await seedModel(registry.url, 'library/versions', 'latest', [{ data: bytes(3000, 21) }, { data: shared, mediaType: 'application/vnd.ollama.image.template' }]);
    await pullModel(via(registry.host, 'versions'), { modelsDir, client: client() });
    const v2 = await seedModel(registry.url, 'library/versions', 'latest', [{ data: bytes(3000, 22) }, { data: shared, mediaType: 'application/vnd.ollama.image.template' }]);
    const events: PullEvent[] = [];
    const result = await pullModel(via(registry.host, 'versions'), { modelsDir, client: client(), onProgress: (e) => events.push(e) });
    assert.deepEqual(result.removedUnused, [v1.layers[0].digest]);
    assert.equal(existsSync(blobFile(modelsDir, v1.layers[0].digest)), false);
    assert.ok(existsSync(blobFile(modelsDir, sha256Digest(shared))));
    assert.ok(existsSync(blobFile(modelsDir, v2.layers[0].digest)));
    assert.ok(events.some((e) => e.type === 'status' && e.status === 'removing unused layers'));

    const keepDir = freshModelsDir();
    await seedModel(registry.url, 'library/versions', 'latest', [{ data: bytes(3000, 21) }, { data: shared, mediaType: 'application/vnd.ollama.image.template' }]);
    await pullModel(via(registry.host, 'versions'), { modelsDir: keepDir, client: client() });
    await seedModel(registry.url, 'library/versions', 'latest', [{ data: bytes(3000, 22) }, { data: shared, mediaType: 'application/vnd.ollama.image.template' }]);
    const kept = await pullModel(via(registry.host, 'versions'), { modelsDir: keepDir, client: client(), keepUnusedBlobs: true });
    assert.deepEqual(kept.removedUnused, []);
    assert.ok(existsSync(blobFile(keepDir, v1.layers[0].digest)));
  });

  test('a server that ignores Range (200 with the whole blob) still gives the right bytes', async () => {
    const layer = bytes(50_000, 33);
    const config = Buffer.from('{}');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha256Digest(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.ollama.image.model', digest: sha256Digest(layer), size: layer.length }],
      }),
    );
    const blobs = new Map([[sha256Digest(layer), layer], [sha256Digest(config), config]]);
    const server = http.createServer((req, res) => {
      req.resume();
      const url = req.url ?? '';
      if (url.endsWith('/manifests/latest')) {
        res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' }).end(manifest);
        return;
      }
      const blob = blobs.get(url.slice(url.lastIndexOf('/') + 1));
      if (!blob) res.writeHead(404).end();
      else res.writeHead(200, { 'content-length': blob.length }).end(blob);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.add(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    await pullModel(`${host}/library/norange`, { modelsDir, client: client({ insecureHosts: [host], partSize: 7_000 }) });
    assert.deepEqual(readFileSync(blobFile(modelsDir, sha256Digest(layer))), layer);
    assert.deepEqual(readFileSync(manifestFile(modelsDir, host, 'norange')), manifest);
  });
});
