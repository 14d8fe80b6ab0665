// Push from a real models directory to real docker-registries (no auth, htpasswd, token auth with our token
// endpoint and Ollama's signed flow) and to an Ollama-style upload server: the manifest re-encoded compactly,
// pull → push → pull round trips with identical blobs, skipping what the registry has, cross-repository mounts,
// ordered PATCH parts, recovery from failed parts, cancellation, redirected parts with the etag, missing local
// blobs, case-insensitive names, key creation for Ollama's registry, and the hook create uses to pull a base model.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { request } from 'undici';
import { copyModel } from '../../core/cache';
import { Cancelled, ModelNotFound, Unauthorized } from '../../core/errors';
import { encodeManifest } from '../../core/json/ollama-json';
import { credentialsProvider } from '../../core/registry/auth/credentials';
import { newKeyPair, writeNewKeyFiles } from '../../core/registry/auth/openssh-key';
import { RegistryClient, type RegistryClientOptions } from '../../core/registry/client';
import { LayerMissing } from '../../core/registry/errors';
import { ollamaKeyLoader, type KeyRegistration } from '../../core/registry/key-setup';
import { pullModel } from '../../core/registry/pull';
import { pullMissingFor } from '../../core/registry/pull-missing';
import { mountSource, pushModel, uploadEtag, type PushEvent } from '../../core/registry/push';
import {
  Cleanup,
  TEMPLATE_TYPE,
  blobSums,
  makeLocalModel,
  makeTempDir,
  seedModel,
  sha256Digest,
  startFaultProxy,
  startOllamaUploadServer,
  startRegistry,
  startTokenServer,
  type FaultProxy,
  type RunningRegistry,
  type TokenServer,
} from './harness';

const cleanup = new Cleanup();
after(() => cleanup.run());

/** Deterministic incompressible bytes. */
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

function freshModelsDir(): string {
  const dir = makeTempDir('modelfile-push-');
  cleanup.add(() => dir.remove());
  return dir.path;
}

function makeClient(options: RegistryClientOptions): RegistryClient {
  const c = new RegistryClient({ retries: 4, retryBaseMs: 5, retryMaxMs: 50, stallTimeoutMs: 2_000, ...options });
  cleanup.add(() => c.close());
  return c;
}

async function remoteManifest(base: string, repository: string, tag: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  const res = await request(`${base}/v2/${repository}/manifests/${tag}`, {
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json', ...headers },
  });
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
}

async function remoteBlob(base: string, repository: string, digest: string): Promise<Buffer | undefined> {
  const res = await request(`${base}/v2/${repository}/blobs/${digest}`);
  if (res.statusCode !== 200) {
    await res.body.dump();
    return undefined;
  }
  return Buffer.from(await res.body.arrayBuffer());
}

/** What a manifest says, without its formatting. */
function semantics(raw: Buffer): unknown {
  const m = JSON.parse(raw.toString('utf8')) as { config: unknown; layers: unknown };
  return { config: m.config, layers: m.layers };
}

const uploadWrites = (p: FaultProxy): string[] =>
  p.records.filter((r) => r.method === 'PATCH' || (r.method === 'PUT' && r.path.includes('/blobs/uploads/')) || r.method === 'POST').map((r) => `${r.method} ${r.path}`);

describe('push to a registry without auth', () => {
  let registry: RunningRegistry;
  let proxy: FaultProxy;
  let modelsDir: string;

  before(async () => {
    registry = await startRegistry();
    cleanup.add(() => registry.stop());
    proxy = await startFaultProxy({ upstream: registry.url, stallCapMs: 3_000 });
    cleanup.add(() => proxy.stop());
  });

  beforeEach(() => {
    modelsDir = freshModelsDir();
    proxy.setSchedule([]);
    proxy.setThrottle(undefined);
    proxy.records.length = 0;
  });

  const client = (options: RegistryClientOptions = {}): RegistryClient => makeClient({ insecureHosts: [registry.host, proxy.host], ...options });

  test('a local model arrives whole; the manifest is re-encoded compactly (no newline) with Docker v2 Content-Type', async () => {
    const local = await makeLocalModel(modelsDir, `${proxy.host}/me/first:v1`, [
      { data: bytes(200_000, 1) },
      { data: Buffer.from('{{ .Prompt }}'), mediaType: TEMPLATE_TYPE },
    ]);
    const events: PushEvent[] = [];
    const result = await pushModel(`${proxy.host}/me/first:v1`, { modelsDir, client: client(), onProgress: (e) => events.push(e) });

    const expected = encodeManifest(
      { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: local.config, layers: local.layers },
      { newline: false },
    );
    const remote = await remoteManifest(registry.url, 'me/first', 'v1');
    assert.equal(remote.status, 200);
    assert.equal(remote.body.toString('utf8'), expected);
    assert.notDeepEqual(remote.body, local.manifest, 'the local file ends with a newline, the pushed manifest does not');
    assert.equal(result.digest, sha256Digest(Buffer.from(expected)));
    for (const layer of [...local.layers, local.config]) {
      assert.deepEqual(await remoteBlob(registry.url, 'me/first', layer.digest), readFileSync(join(modelsDir, 'blobs', layer.digest.replace(':', '-'))));
    }
    assert.deepEqual(result.uploaded, [...local.layers, local.config].map((l) => l.digest));
    assert.deepEqual(result.existing, []);

    const statuses = events.filter((e) => e.type === 'status').map((e) => e.status);
    assert.deepEqual(statuses, ['retrieving manifest', 'pushing manifest', 'success']);
    const model = events.filter((e) => e.type === 'layer' && e.digest === local.layers[0].digest);
    assert.deepEqual([...new Set(model.map((e) => (e.type === 'layer' ? e.state : '')))], ['checking', 'uploading', 'done']);
    const last = model[model.length - 1];
    assert.ok(last.type === 'layer' && last.completed === last.total && last.status === `pushing ${local.layers[0].digest.slice(7, 19)}`);

    const manifestPut = proxy.records.find((r) => r.method === 'PUT' && r.path.includes('/manifests/'));
    assert.ok(manifestPut);
    // Small blobs go in one request each: POST, then PUT with the body; no PATCH.
    assert.equal(proxy.records.filter((r) => r.method === 'PATCH').length, 0);
  });

  test('pull → push → pull gives byte-identical blobs and the same manifest semantics', async () => {
    const seeded = await seedModel(registry.url, 'library/source', 'latest', [
      { data: bytes(300_000, 2) },
      { data: Buffer.from('SYSTEM text'), mediaType: 'application/vnd.ollama.image.system' },
    ]);
    const c = client({ partSize: 64 * 1024 });
    await pullModel(`${registry.host}/library/source`, { modelsDir, client: c });
    await copyModel(modelsDir, `${registry.host}/library/source`, `${registry.host}/copies/roundtrip:v2`);
    const pushed = await pushModel(`${registry.host}/copies/roundtrip:v2`, { modelsDir, client: c });
    assert.equal(pushed.uploaded.length, 3);

    const again = freshModelsDir();
    await pullModel(`${registry.host}/copies/roundtrip:v2`, { modelsDir: again, client: c });
    assert.deepEqual(blobSums(again), blobSums(modelsDir));
    for (const [file, sum] of blobSums(again)) assert.equal(file, `sha256-${sum}`);
    const pulledBack = readFileSync(join(again, 'manifests', registry.host, 'copies', 'roundtrip', 'v2'));
    assert.deepEqual(semantics(pulledBack), semantics(seeded.manifest));
  });

  test('blobs the registry has are skipped: a second push only checks and commits the manifest', async () => {
    const shared = bytes(120_000, 3);
    await makeLocalModel(modelsDir, `${proxy.host}/me/skip:a`, [{ data: shared }]);
    await pushModel(`${proxy.host}/me/skip:a`, { modelsDir, client: client() });
    proxy.records.length = 0;
    const again = await pushModel(`${proxy.host}/me/skip:a`, { modelsDir, client: client() });
    assert.deepEqual(uploadWrites(proxy), []);
    assert.equal(again.uploaded.length, 0);
    assert.equal(again.existing.length, 2);
    assert.equal(again.bytesSent, 0);
    assert.equal(proxy.records.filter((r) => r.method === 'PUT' && r.path.endsWith('/manifests/a')).length, 1);

    // A new tag that shares the model layer uploads only what is new (its config).
    proxy.records.length = 0;
    const other = await makeLocalModel(modelsDir, `${proxy.host}/me/skip:b`, [{ data: shared }], '{"model_format":"gguf","os":"linux"}');
    const partial = await pushModel(`${proxy.host}/me/skip:b`, { modelsDir, client: client() });
    assert.deepEqual(partial.uploaded, [other.config.digest]);
    assert.equal(uploadWrites(proxy).filter((w) => w.startsWith('POST')).length, 1);
  });

  test('a layer with `from` is mounted from that repository (201); a source that lacks it falls back to an upload (202)', async () => {
    const base = bytes(150_000, 4);
    await makeLocalModel(modelsDir, `${proxy.host}/team/base:latest`, [{ data: base }]);
    await pushModel(`${proxy.host}/team/base`, { modelsDir, client: client() });
    proxy.records.length = 0;

    const unknownSource = bytes(10_000, 5);
    const derived = await makeLocalModel(modelsDir, `${proxy.host}/team/derived:latest`, [
      { data: base, from: `${proxy.host}/team/base:latest` },
      { data: unknownSource, from: 'nobody/nothing:latest' },
    ]);
    const t0 = Date.now();
    const result = await pushModel(`${proxy.host}/team/derived`, { modelsDir, client: client({ trace: (e) => { if (e.type !== "auth") console.log(Date.now() - t0, JSON.stringify(e)); } }) });
    assert.deepEqual(result.mounted, [derived.layers[0].digest]);
    assert.deepEqual(result.uploaded, [derived.layers[1].digest, derived.config.digest]);
    const posts = proxy.records.filter((r) => r.method === 'POST');
    assert.match(posts[0].url, new RegExp(`mount=${derived.layers[0].digest.replace(':', '%3A')}&from=team%2Fbase`));
    assert.equal(posts[0].status, 201);
    assert.match(posts[1].url, /from=nobody%2Fnothing/);
    assert.equal(posts[1].status, 202);
    assert.deepEqual(await remoteBlob(registry.url, 'team/derived', derived.layers[0].digest), base);
    assert.equal(mountSource('llama3.2'), 'library/llama3.2');
    assert.equal(mountSource('/some/file.gguf'), undefined);
  });

  test('a large blob goes in ordered PATCH parts (Content-Range without "bytes "), then PUT ?digest=', async () => {
    const data = bytes(300_007, 6);
    const local = await makeLocalModel(modelsDir, `${proxy.host}/me/large:latest`, [{ data }]);
    const partSize = 64 * 1024;
    await pushModel(`${proxy.host}/me/large`, { modelsDir, client: client({ partSize }) });
    const patches = proxy.records.filter((r) => r.method === 'PATCH');
    assert.equal(patches.length, Math.ceil(data.length / partSize));
    patches.forEach((p, i) => {
      const start = i * partSize;
      const end = Math.min(data.length, start + partSize) - 1;
      assert.equal(p.contentRange, `${start}-${end}`);
      assert.equal(p.contentLength, String(end - start + 1));
    });
    const finish = proxy.records.filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'));
    // The model layer's final PUT follows its last PATCH; the config goes in one PUT of its own.
    assert.equal(finish.length, 2);
    assert.match(finish[0].url, new RegExp(`[?&]digest=${local.layers[0].digest.replace(':', '%3A')}$`));
    assert.equal(finish[0].contentLength, '0');
    assert.ok(proxy.records.indexOf(finish[0]) > proxy.records.indexOf(patches[patches.length - 1]));
    assert.deepEqual(await remoteBlob(registry.url, 'me/large', local.layers[0].digest), data);
  });

  test("docker-registry ignores Ollama's etag on the final PUT", async () => {
    const data = bytes(200_000, 7);
    const local = await makeLocalModel(modelsDir, `${proxy.host}/me/etag:latest`, [{ data }]);
    const partSize = 64 * 1024;
    await pushModel(`${proxy.host}/me/etag`, { modelsDir, client: client({ partSize }), etag: true });
    const finish = proxy.records.filter((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/'));
    const parts = [0, 1, 2, 3].map((i) => data.subarray(i * partSize, (i + 1) * partSize));
    const md5s = parts.map((p) => createHash('md5').update(p).digest());
    assert.match(finish[0].url, new RegExp(`&etag=${uploadEtag(md5s)}$`));
    assert.equal(finish[0].status, 201);
    assert.deepEqual(await remoteBlob(registry.url, 'me/etag', local.layers[0].digest), data);
  });

  test('failed parts: a refused or reset PATCH is resent; a PATCH cut half way restarts the blob in a new session', async () => {
    const data = bytes(400_000, 8);
    const flaky = await startFaultProxy({
      upstream: registry.url,
      eligible: (method) => method === 'PATCH',
      schedule: ['pass', 'status503', 'pass', 'reset', 'cut-request', 'pass', 'status429'],
      stallCapMs: 3_000,
    });
    cleanup.add(() => flaky.stop());
    const c = client({ insecureHosts: [registry.host, flaky.host], partSize: 64 * 1024 });
    const local = await makeLocalModel(modelsDir, `${flaky.host}/me/flaky:latest`, [{ data }]);
    const result = await pushModel(`${flaky.host}/me/flaky`, { modelsDir, client: c });
    assert.deepEqual(await remoteBlob(registry.url, 'me/flaky', local.layers[0].digest), data);
    assert.ok(result.bytesSent > data.length, `sent ${result.bytesSent}`);
    // After the cut a new session was started.
    const posts = flaky.records.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 3, posts.map((p) => p.url).join('\n'));
    const pulled = freshModelsDir();
    await pullModel(`${registry.host}/me/flaky`, { modelsDir: pulled, client: c });
    assert.deepEqual(readFileSync(join(pulled, 'blobs', local.layers[0].digest.replace(':', '-'))), data);
  });

  test('a push can be cancelled: Cancelled comes quickly and no manifest is committed', async () => {
    const data = bytes(3_000_000, 9);
    await makeLocalModel(modelsDir, `${proxy.host}/me/cancel:latest`, [{ data }]);
    proxy.setThrottle(1_000_000);
    const controller = new AbortController();
    let uploading = 0;
    const started = pushModel(`${proxy.host}/me/cancel`, {
      modelsDir,
      client: client({ partSize: 512 * 1024, stallTimeoutMs: 10_000 }),
      signal: controller.signal,
      onProgress: (e) => {
        if (e.type === 'layer' && e.state === 'uploading' && e.completed > 600_000 && uploading++ === 0) controller.abort();
      },
    });
    const t0 = Date.now();
    await assert.rejects(started, Cancelled);
    assert.ok(Date.now() - t0 < 3_000);
    proxy.setThrottle(undefined);
    assert.equal((await remoteManifest(registry.url, 'me/cancel', 'latest')).status, 404);
  });

  test('a missing or damaged local blob stops the push before anything is sent, naming the layer', async () => {
    const local = await makeLocalModel(modelsDir, `${proxy.host}/me/broken:latest`, [
      { data: bytes(5000, 10) },
      { data: Buffer.from('{{ .Prompt }}'), mediaType: TEMPLATE_TYPE },
    ]);
    const templateBlob = join(modelsDir, 'blobs', local.layers[1].digest.replace(':', '-'));
    rmSync(templateBlob);
    await assert.rejects(pushModel(`${proxy.host}/me/broken`, { modelsDir, client: client() }), (err: unknown) => {
      assert.ok(err instanceof LayerMissing);
      assert.match(err.message, new RegExp(`template layer ${local.layers[1].digest} is missing`));
      assert.match(err.message, /modelfile pull .*me\/broken/);
      return true;
    });
    writeFileSync(templateBlob, 'short');
    await assert.rejects(pushModel(`${proxy.host}/me/broken`, { modelsDir, client: client() }), /has the wrong size/);
    assert.deepEqual(proxy.records, []);
    await assert.rejects(pushModel(`${proxy.host}/me/absent`, { modelsDir, client: client() }), ModelNotFound);
  });

  test('the local model is found ignoring case, and pushed under its stored spelling', async () => {
    await makeLocalModel(modelsDir, `${proxy.host}/me/casey:Stable`, [{ data: bytes(3000, 11) }]);
    const result = await pushModel(`${proxy.host}/me/casey:STABLE`, { modelsDir, client: client() });
    assert.equal(result.name.tag, 'Stable');
    assert.equal((await remoteManifest(registry.url, 'me/casey', 'Stable')).status, 200);
  });

  test('pullMissingFor gives create a hook that pulls a missing base model', async () => {
    await seedModel(registry.url, 'library/basemodel', 'latest', [{ data: bytes(20_000, 12) }]);
    const names: string[] = [];
    const hook = pullMissingFor(client(), modelsDir, (event, name) => {
      if (event.type === 'status' && event.status === 'success') names.push(name);
    });
    await hook(`${registry.host}/library/basemodel:latest`);
    assert.deepEqual(names, [`${registry.host}/library/basemodel:latest`]);
    assert.ok(existsSync(join(modelsDir, 'manifests', registry.host, 'library', 'basemodel', 'latest')));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(hook(`${registry.host}/library/basemodel:other`, controller.signal), Cancelled);
  });
});

describe('push with basic auth', () => {
  let registry: RunningRegistry;

  before(async () => {
    registry = await startRegistry({ htpasswd: { carol: 'pa55-word' } });
    cleanup.add(() => registry.stop());
  });

  test('with credentials the push succeeds; without, it is refused with the namespace advice', async () => {
    const modelsDir = freshModelsDir();
    const local = await makeLocalModel(modelsDir, `${registry.host}/carol/m:latest`, [{ data: bytes(70_000, 20) }]);
    const anonymous = makeClient({ insecureHosts: [registry.host], credentials: credentialsProvider({ env: {}, dockerConfigPath: null }) });
    await assert.rejects(pushModel(`${registry.host}/carol/m`, { modelsDir, client: anonymous }), (err: unknown) => {
      assert.ok(err instanceof Unauthorized);
      assert.match(err.message, /not authorized to push to carol/);
      return true;
    });
    const carol = makeClient({
      insecureHosts: [registry.host],
      partSize: 32 * 1024,
      credentials: credentialsProvider({ explicit: { [registry.host]: { username: 'carol', password: 'pa55-word' } }, env: {}, dockerConfigPath: null }),
    });
    await pushModel(`${registry.host}/carol/m`, { modelsDir, client: carol });
    const basic = { authorization: `Basic ${Buffer.from('carol:pa55-word').toString('base64')}` };
    const remote = await remoteManifest(registry.url, 'carol/m', 'latest', basic);
    assert.equal(remote.status, 200);
    assert.deepEqual(semantics(remote.body), semantics(local.manifest));
  });
});

describe('push with token auth', () => {
  let tokens: TokenServer;
  let registry: RunningRegistry;
  const registered = { path: '' };

  before(async () => {
    const keyDir = makeTempDir('modelfile-key-');
    cleanup.add(() => keyDir.remove());
    registered.path = join(keyDir.path, 'registered', 'id_ed25519');
    const key = await newKeyPair();
    await writeNewKeyFiles(registered.path, key);
    tokens = await startTokenServer({ users: { dave: 'd4ve-pass' }, ollamaKeys: [key.publicKey] });
    cleanup.add(() => tokens.stop());
    registry = await startRegistry({
      token: { realm: tokens.realm, service: tokens.service, issuer: tokens.issuer, rootCertBundle: tokens.cert.certPath },
    });
    cleanup.add(() => registry.stop());
    tokens.setUpstream(registry.url);
  });

  const client = (options: RegistryClientOptions = {}): RegistryClient =>
    makeClient({ insecureHosts: [registry.host, tokens.host], credentials: credentialsProvider({ env: {}, dockerConfigPath: null }), ...options });
  const dave = (): RegistryClient =>
    client({ credentials: credentialsProvider({ explicit: { [registry.host]: { username: 'dave', password: 'd4ve-pass' } }, env: {}, dockerConfigPath: null }) });

  test('a pull-only (anonymous) token: "not authorized to push to <namespace>", and nothing committed', async () => {
    const modelsDir = freshModelsDir();
    await makeLocalModel(modelsDir, `${registry.host}/library/tok:latest`, [{ data: bytes(4000, 30) }]);
    await assert.rejects(pushModel(`${registry.host}/library/tok`, { modelsDir, client: client() }), (err: unknown) => {
      assert.ok(err instanceof Unauthorized);
      assert.match(err.message, /you are not authorized to push to library on 127\.0\.0\.1:\d+ \(insufficient scope\)/);
      assert.match(err.message, /create the model under a namespace you own/);
      return true;
    });
    assert.ok(tokens.requests.some((r) => r.kind === 'anonymous' && r.granted.every((g) => !g.actions.includes('push'))));
  });

  test('a user with push rights pushes; a round trip pull gives the same blobs; mounts work across repositories', async () => {
    const modelsDir = freshModelsDir();
    const shared = bytes(90_000, 31);
    await makeLocalModel(modelsDir, `${registry.host}/dave/one:latest`, [{ data: shared }]);
    await pushModel(`${registry.host}/dave/one`, { modelsDir, client: dave() });
    const derived = await makeLocalModel(modelsDir, `${registry.host}/dave/two:latest`, [{ data: shared, from: 'dave/one' }]);
    const result = await pushModel(`${registry.host}/dave/two`, { modelsDir, client: dave() });
    assert.deepEqual(result.mounted, [derived.layers[0].digest]);
    const again = freshModelsDir();
    await pullModel(`${registry.host}/dave/two`, { modelsDir: again, client: dave() });
    for (const [file, sum] of blobSums(again)) assert.equal(blobSums(modelsDir).get(file), sum);
  });

  test("Ollama's registry flow: a new key is created when there is none, and the user is told how to register it", async () => {
    const modelsDir = freshModelsDir();
    await makeLocalModel(modelsDir, `${tokens.host}/ollama-user/m:latest`, [{ data: bytes(6000, 32) }]);
    const keyDir = makeTempDir('modelfile-newkey-');
    cleanup.add(() => keyDir.remove());
    const path = join(keyDir.path, '.ollama', 'id_ed25519');
    const created: KeyRegistration[] = [];
    const fresh = client({ authFlows: { [tokens.host]: 'ollama' }, ollamaKey: ollamaKeyLoader({ path, onCreated: (r) => created.push(r) }) });
    await assert.rejects(pushModel(`${tokens.host}/ollama-user/m`, { modelsDir, client: fresh, protocol: 'docker' }), (err: unknown) => {
      assert.ok(err instanceof Unauthorized);
      assert.match(err.message, /id_ed25519\.pub/);
      return true;
    });
    assert.equal(created.length, 1);
    assert.match(created[0].publicKeyLine, /^ssh-ed25519 [A-Za-z0-9+/]+=*$/);
    assert.equal(created[0].settingsUrl, 'https://ollama.com/settings/keys');
    assert.equal(readFileSync(`${path}.pub`, 'utf8'), `${created[0].publicKeyLine}\n`);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(`${path}.pub`).mode & 0o777, 0o644);

    // With a key the registry knows, the same push goes through the signed flow.
    const known = client({ authFlows: { [tokens.host]: 'ollama' }, ollamaKey: ollamaKeyLoader({ path: registered.path, onCreated: (r) => created.push(r) }) });
    await pushModel(`${tokens.host}/ollama-user/m`, { modelsDir, client: known, protocol: 'docker' });
    assert.equal(created.length, 1);
    assert.ok(tokens.requests.some((r) => r.kind === 'ollama' && r.granted.some((g) => g.actions.includes('push'))));
  });
});

describe('push to a registry that redirects upload parts (Ollama-style)', () => {
  test('parts go by PATCH → 307 → PUT to storage without Authorization, in parallel; the final PUT carries the etag', async () => {
    const server = await startOllamaUploadServer({ basic: { user: 'u', password: 'p' } });
    cleanup.add(() => server.stop());
    const modelsDir = freshModelsDir();
    const data = bytes(500_000, 40);
    const local = await makeLocalModel(modelsDir, `${server.host}/me/redirected:latest`, [{ data }]);
    server.failPartOnce.add(2);
    const c = makeClient({
      insecureHosts: [server.host],
      partSize: 64 * 1024,
      streams: 4,
      credentials: credentialsProvider({ explicit: { [server.host]: { username: 'u', password: 'p' } }, env: {}, dockerConfigPath: null }),
    });
    const events: PushEvent[] = [];
    await pushModel(`${server.host}/me/redirected`, { modelsDir, client: c, protocol: 'ollama', onProgress: (e) => events.push(e) });

    assert.deepEqual(server.blobs.get(local.layers[0].digest), data);
    const storage = server.records.filter((r) => r.server === 'storage');
    assert.ok(storage.length >= Math.ceil(data.length / (64 * 1024)) + 1);
    assert.ok(storage.every((r) => !r.hasAuthorization), 'Authorization must not reach the storage host');
    assert.ok(server.records.filter((r) => r.server === 'registry' && r.status !== 401).every((r) => r.hasAuthorization));
    assert.ok(server.maxConcurrentParts > 1, `parts ran one at a time (${server.maxConcurrentParts})`);
    const patches = server.records.filter((r) => r.server === 'registry' && r.method === 'PATCH');
    assert.deepEqual(
      patches.slice(0, 3).map((p) => p.contentRange),
      ['0-65535', '65536-131071', '131072-196607'],
    );
    const finals = server.records.filter((r) => r.server === 'registry' && r.method === 'PUT' && r.url.includes('/uploads/'));
    assert.ok(finals.every((r) => /[?&]etag=[0-9a-f]{32}-\d+/.test(r.url) && r.status === 201));
    const expected = encodeManifest(
      { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: local.config, layers: local.layers },
      { newline: false },
    );
    assert.equal(server.manifests.get('me/redirected:latest')?.toString('utf8'), expected);
    const done = events.filter((e) => e.type === 'layer' && e.digest === local.layers[0].digest && e.state === 'done');
    assert.equal(done.length, 1);
    const uploading = events.filter((e) => e.type === 'layer' && e.digest === local.layers[0].digest && e.state === 'uploading');
    assert.ok(uploading.every((e) => e.type === 'layer' && e.completed <= e.total));
  });

  test('a registry not known as Ollama that redirects parts still gets a valid etag (computed from the file)', async () => {
    const server = await startOllamaUploadServer();
    cleanup.add(() => server.stop());
    const modelsDir = freshModelsDir();
    const data = bytes(200_000, 41);
    const local = await makeLocalModel(modelsDir, `${server.host}/me/guess:latest`, [{ data }]);
    const c = makeClient({ insecureHosts: [server.host], partSize: 64 * 1024 });
    await pushModel(`${server.host}/me/guess`, { modelsDir, client: c });
    assert.deepEqual(server.blobs.get(local.layers[0].digest), data);
  });
});
