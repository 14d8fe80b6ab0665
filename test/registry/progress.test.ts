// Pull progress through faults: every layer's `completed` only ever grows — across resets, truncated bodies and
// retried parts — never exceeds the layer's total, and ends at the total.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RegistryClient, pullModel, type PullEvent } from '../../core/registry';
import { Cleanup, makeTempDir, seedModel, startFaultProxy, startRegistry, type FaultProxy, type RunningRegistry } from './harness';

const cleanup = new Cleanup();
let registry: RunningRegistry;
let proxy: FaultProxy;

function noise(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

before(async () => {
  registry = await startRegistry();
  cleanup.add(() => registry.stop());
  await seedModel(registry.url, 'library/steady', 'latest', [{ data: noise(6 * 1024 * 1024, 3) }, { data: noise(200_000, 4), mediaType: 'application/vnd.ollama.image.template' }]);
  // Only blob downloads get faults, so that the manifest always arrives and the layers are what is retried.
  proxy = await startFaultProxy({
    upstream: registry.url,
    seed: 11,
    rates: { reset: 0.15, truncate: 0.15, status503: 0.1 },
    eligible: (method, path) => method === 'GET' && path.includes('/blobs/'),
  });
  cleanup.add(() => proxy.stop());
});

after(() => cleanup.run());

test('progress never goes backwards, even across retries, and ends at the total', async () => {
  const dir = makeTempDir('modelfile-progress-');
  cleanup.add(() => dir.remove());
  const client = new RegistryClient({ insecureHosts: [proxy.host], retries: 12, retryBaseMs: 5, retryMaxMs: 40, partSize: 512 * 1024, streams: 4 });
  cleanup.add(() => client.close());
  const events: Extract<PullEvent, { type: 'layer' }>[] = [];
  await pullModel(`${proxy.host}/library/steady:latest`, { modelsDir: dir.path, client, onProgress: (e) => e.type === 'layer' && events.push(e) });

  assert.ok(proxy.records.some((r) => r.fault !== 'pass'), 'the schedule injected faults');
  const byDigest = new Map<string, number[]>();
  for (const e of events) {
    assert.ok(e.completed <= e.total, `${e.digest}: ${e.completed} > ${e.total}`);
    const seen = byDigest.get(e.digest) ?? [];
    seen.push(e.completed);
    byDigest.set(e.digest, seen);
  }
  assert.equal(byDigest.size, 3, 'two layers and the config');
  for (const [digest, values] of byDigest) {
    for (let i = 1; i < values.length; i++) assert.ok(values[i] >= values[i - 1], `${digest} went from ${values[i - 1]} back to ${values[i]}`);
    const last = events.filter((e) => e.digest === digest).at(-1)!;
    assert.equal(last.completed, last.total, `${digest} ends complete`);
  }
});
