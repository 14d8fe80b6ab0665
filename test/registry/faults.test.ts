// Retries, stalls and damaged data: the registry client behind a fault-injecting proxy in front of a real
// docker-registry. Temporary failures (5xx, 429, resets, stalls, truncation) are retried with backoff; other 4xx
// never; a flipped byte is caught by the digest check; an abort ends a stall at once.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { Cancelled, DigestMismatch, ModelNotFound } from '../../core/errors';
import { RegistryClient, type RegistryClientOptions, type TraceEvent } from '../../core/registry/client';
import { RegistryError, Stalled, TransportError } from '../../core/registry/errors';
import {
  Cleanup,
  seedModel,
  seededRandom,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type RunningRegistry,
  type SeededModel,
} from './harness';

const cleanup = new Cleanup();
let registry: RunningRegistry;
let proxy: FaultProxy;
let model: SeededModel;

function clientFor(target: FaultProxy, options: RegistryClientOptions = {}): RegistryClient {
  const c = new RegistryClient({
    insecureHosts: [target.host],
    retries: 4,
    retryBaseMs: 5,
    retryMaxMs: 40,
    stallTimeoutMs: 400,
    ...options,
  });
  cleanup.add(() => c.close());
  return c;
}

const tiny = (): { host: string; namespace: string; model: string } => ({ host: proxy.host, namespace: 'library', model: 'tiny' });

before(async () => {
  registry = await startRegistry();
  cleanup.add(() => registry.stop());
  model = await seedModel(registry.url, 'library/tiny', 'latest', [{ data: Buffer.from('weights '.repeat(20_000)) }]);
  proxy = await startFaultProxy({ upstream: registry.url, stallCapMs: 3_000 });
  cleanup.add(() => proxy.stop());
});

after(() => cleanup.run());

beforeEach(() => {
  proxy.setSchedule([]);
  proxy.records.length = 0;
});

describe('retries', () => {
  test('503, 503, then success: three requests, two retry events', async () => {
    const traces: TraceEvent[] = [];
    const c = clientFor(proxy, { trace: (e) => traces.push(e) });
    proxy.setSchedule(['status503', 'status503']);
    const m = await c.getManifest(tiny(), 'latest');
    assert.deepEqual(m.bytes, model.manifest);
    assert.deepEqual(proxy.records.map((r) => r.fault), ['status503', 'status503', 'pass']);
    assert.equal(traces.filter((e) => e.type === 'retry').length, 2);
  });

  test('429 and a connection reset are retried', async () => {
    const c = clientFor(proxy);
    proxy.setSchedule(['status429', 'reset']);
    const m = await c.getManifest(tiny(), 'latest');
    assert.deepEqual(m.bytes, model.manifest);
    assert.equal(proxy.records.length, 3);
  });

  test('a truncated manifest body is retried', async () => {
    const c = clientFor(proxy);
    proxy.setSchedule(['truncate']);
    const m = await c.getManifest(tiny(), 'latest');
    assert.deepEqual(m.bytes, model.manifest);
  });

  test('when the retries are used up, the 503 is a temporary RegistryError', async () => {
    const c = clientFor(proxy, { retries: 1 });
    proxy.setSchedule(['status503', 'status503', 'status503']);
    await assert.rejects(c.getManifest(tiny(), 'latest'), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.status, 503);
      assert.equal(err.temporary, true);
      assert.match(err.message, /try again later/);
      return true;
    });
    assert.equal(proxy.records.length, 2);
  });

  test('a 404 is never retried', async () => {
    const c = clientFor(proxy);
    await assert.rejects(c.getManifest(tiny(), 'missing'), ModelNotFound);
    assert.equal(proxy.records.length, 1);
  });
});

describe('stalls', () => {
  test('no response headers within the stall timeout: Stalled, and the request is retried', async () => {
    const c = clientFor(proxy, { retries: 0 });
    proxy.setSchedule(['stall-headers']);
    const started = Date.now();
    await assert.rejects(c.getManifest(tiny(), 'latest'), (err: unknown) => {
      assert.ok(err instanceof Stalled);
      assert.match(err.message, /no data from .* for 0\.4 s/);
      return true;
    });
    assert.ok(Date.now() - started < 2_500);

    const retrying = clientFor(proxy);
    proxy.setSchedule(['stall-headers']);
    assert.deepEqual((await retrying.getManifest(tiny(), 'latest')).bytes, model.manifest);
  });

  test('a body that stops half way is retried', async () => {
    const c = clientFor(proxy);
    proxy.setSchedule(['stall-body']);
    assert.deepEqual((await c.getManifest(tiny(), 'latest')).bytes, model.manifest);
  });

  test('a blob body that stalls throws Stalled from the body iterator (the caller resumes from its offset)', async () => {
    const c = clientFor(proxy);
    proxy.setSchedule(['stall-body']);
    const layer = model.layers[0];
    const download = await c.getBlob(tiny(), layer.digest);
    let received = 0;
    await assert.rejects(
      (async () => {
        for await (const chunk of download.body) received += chunk.length;
      })(),
      Stalled,
    );
    assert.ok(received > 0 && received < layer.size);
    const rest = await c.getBlob(tiny(), layer.digest, { start: received });
    const chunks: Buffer[] = [];
    for await (const chunk of rest.body) chunks.push(chunk);
    assert.deepEqual(Buffer.concat(chunks), layer.data.subarray(received));
  });

  test('a truncated blob body is a temporary TransportError', async () => {
    const c = clientFor(proxy);
    proxy.setSchedule(['truncate']);
    const download = await c.getBlob(tiny(), model.layers[0].digest);
    await assert.rejects(
      (async () => {
        for await (const chunk of download.body) void chunk;
      })(),
      (err: unknown) => err instanceof TransportError && err.temporary,
    );
  });

  test('an abort ends a stalled request at once with Cancelled', async () => {
    const c = clientFor(proxy, { stallTimeoutMs: 10_000 });
    proxy.setSchedule(['stall-headers']);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await assert.rejects(c.getManifest(tiny(), 'latest', { signal: controller.signal }), Cancelled);
    assert.ok(Date.now() - started < 2_000);
  });
});

describe('damaged data', () => {
  test('a flipped byte in a manifest fetched by digest is a DigestMismatch', async () => {
    const c = clientFor(proxy);
    proxy.setSchedule(['flip']);
    await assert.rejects(c.getManifest(tiny(), model.manifestDigest), DigestMismatch);
  });

  test('a seeded random schedule of faults: every request still ends with the right bytes', async () => {
    const random = await startFaultProxy({
      upstream: registry.url,
      seed: 20240601,
      rates: { reset: 0.15, status503: 0.15, truncate: 0.1, 'stall-body': 0.05 },
      stallCapMs: 3_000,
    });
    cleanup.add(() => random.stop());
    const c = clientFor(random, { retries: 10 });
    const repo = { host: random.host, namespace: 'library', model: 'tiny' };
    for (let i = 0; i < 20; i++) {
      assert.deepEqual((await c.getManifest(repo, 'latest')).bytes, model.manifest);
    }
    const faults = random.records.filter((r) => r.fault !== 'pass');
    assert.ok(faults.length >= 3, `only ${faults.length} faults injected`);
  });

  test('the random schedule is reproducible from its seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 5 }, () => a());
    assert.deepEqual(xs, Array.from({ length: 5 }, () => b()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });
});
