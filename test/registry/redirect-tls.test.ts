// Redirects and TLS against real servers: a docker-registry with htpasswd auth whose blob GETs redirect to a CDN
// stand-in (the Authorization header must not reach it), a same-origin redirect (it keeps the header), and a
// docker-registry over TLS with a self-signed certificate (refused by default, accepted with https+insecure or
// with its CA).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { credentialsProvider } from '../../core/registry/auth/credentials';
import { RegistryClient, type TraceEvent } from '../../core/registry/client';
import { TransportError } from '../../core/registry/errors';
import { pullModel } from '../../core/registry/pull';
import {
  Cleanup,
  makeSelfSignedCert,
  makeTempDir,
  seedModel,
  startCdn,
  startRegistry,
  type CdnServer,
  type RunningRegistry,
  type SeededModel,
} from './harness';

const cleanup = new Cleanup();
after(() => cleanup.run());

function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  return (async () => {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c);
    return Buffer.concat(chunks);
  })();
}

describe('CDN redirect behind basic auth', () => {
  let cdn: CdnServer;
  let registry: RunningRegistry;
  let model: SeededModel;
  const basic = `Basic ${Buffer.from('alice:wonderland').toString('base64')}`;

  before(async () => {
    cdn = await startCdn();
    cleanup.add(() => cdn.stop());
    registry = await startRegistry({ htpasswd: { alice: 'wonderland' }, redirectBaseUrl: cdn.baseUrl });
    cleanup.add(() => registry.stop());
    cdn.setRoot(registry.storageRoot);
    model = await seedModel(registry.url, 'alice/model', 'v1', [{ data: Buffer.from('0123456789abcdef'.repeat(4096)) }], {
      headers: { authorization: basic },
    });
  });

  function client(traces?: TraceEvent[]): RegistryClient {
    const c = new RegistryClient({
      insecureHosts: [registry.host],
      retries: 0,
      credentials: credentialsProvider({ explicit: { [registry.host]: { username: 'alice', password: 'wonderland' } }, env: {}, dockerConfigPath: null }),
      trace: traces ? (e) => traces.push(e) : undefined,
    });
    cleanup.add(() => c.close());
    return c;
  }

  const repo = (): { host: string; namespace: string; model: string } => ({ host: registry.host, namespace: 'alice', model: 'model' });

  test('a blob GET follows the 307 to the CDN without the Authorization header', async () => {
    const traces: TraceEvent[] = [];
    const c = client(traces);
    const layer = model.layers[0];
    cdn.requests.length = 0;
    const download = await c.getBlob(repo(), layer.digest);
    assert.deepEqual(await readAll(download.body), layer.data);
    assert.equal(new URL(download.url).host, cdn.host);
    assert.equal(cdn.requests.length, 1);
    assert.equal(cdn.requests[0].authorization, undefined);
    const redirect = traces.find((e) => e.type === 'redirect');
    assert.ok(redirect && redirect.type === 'redirect' && redirect.authorizationDropped);
  });

  test('ranged GETs and HEAD work through the CDN, still without Authorization', async () => {
    const c = client();
    const layer = model.layers[0];
    cdn.requests.length = 0;
    const part = await c.getBlob(repo(), layer.digest, { start: 1000, end: 5999 });
    assert.equal(part.status, 206);
    assert.deepEqual(await readAll(part.body), layer.data.subarray(1000, 6000));
    assert.deepEqual(await c.headBlob(repo(), layer.digest), { exists: true, size: layer.size });
    assert.ok(cdn.requests.length >= 2);
    assert.ok(cdn.requests.every((r) => r.authorization === undefined));
  });

  test('a pull of a large blob resolves the CDN URL once and fetches every part from it, without Authorization', async () => {
    const big = await seedModel(registry.url, 'alice/big', 'v1', [{ data: randomBytes(3 * 1024 * 1024 + 5) }], { headers: { authorization: basic } });
    const layer = big.layers[0];
    const temp = makeTempDir('modelfile-cdn-pull-');
    cleanup.add(() => temp.remove());
    const c = new RegistryClient({
      insecureHosts: [registry.host],
      retries: 0,
      partSize: 512 * 1024,
      credentials: credentialsProvider({ explicit: { [registry.host]: { username: 'alice', password: 'wonderland' } }, env: {}, dockerConfigPath: null }),
    });
    cleanup.add(() => c.close());
    cdn.requests.length = 0;
    await pullModel(`${registry.host}/alice/big:v1`, { modelsDir: temp.path, client: c });
    assert.deepEqual(readFileSync(join(temp.path, 'blobs', layer.digest.replace(':', '-'))), layer.data);
    const parts = cdn.requests.filter((r) => r.path.includes(layer.digest.slice('sha256:'.length)) && r.range !== 'bytes=0-0');
    assert.equal(parts.length, Math.ceil(layer.size / (512 * 1024)));
    assert.ok(cdn.requests.every((r) => r.authorization === undefined));
  });

  test('the manifest comes from the registry itself, with credentials', async () => {
    const c = client();
    assert.deepEqual((await c.getManifest(repo(), 'v1')).bytes, model.manifest);
  });
});

describe('same-origin redirect', () => {
  test('a redirect that stays on the registry origin keeps the Authorization header', async () => {
    const seen: Array<{ path: string; authorization: string | undefined }> = [];
    const server = http.createServer((req, res) => {
      req.resume();
      seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
      } else if ((req.url ?? '').startsWith('/v2/')) {
        res.writeHead(307, { location: '/storage/blob' }).end();
      } else {
        res.writeHead(200, { 'content-length': 2 }).end('ok');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.add(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const c = new RegistryClient({
      insecureHosts: [host],
      retries: 0,
      credentials: credentialsProvider({ explicit: { [host]: { username: 'u', password: 'p' } }, env: {}, dockerConfigPath: null }),
    });
    cleanup.add(() => c.close());
    const download = await c.getBlob({ host, namespace: 'n', model: 'm' }, `sha256:${'3'.repeat(64)}`);
    assert.equal((await readAll(download.body)).toString(), 'ok');
    const last = seen[seen.length - 1];
    assert.equal(last.path, '/storage/blob');
    assert.match(last.authorization ?? '', /^Basic /);
  });
});

describe('TLS with a self-signed certificate', () => {
  let registry: RunningRegistry;
  let model: SeededModel;
  let certPem: string;

  before(async () => {
    const dir = makeTempDir('modelfile-tls-');
    cleanup.add(() => dir.remove());
    const cert = makeSelfSignedCert(dir.path, 'registry');
    certPem = cert.certPem;
    registry = await startRegistry({ tls: { certPath: cert.certPath, keyPath: cert.keyPath } });
    cleanup.add(() => registry.stop());
    const agent = new Agent({ connect: { ca: cert.certPem } });
    cleanup.add(() => agent.close());
    model = await seedModel(registry.url, 'library/secure', 'latest', [{ data: Buffer.from('tls weights') }], { dispatcher: agent });
  });

  test('https is the default and an untrusted certificate is refused with advice, without retries', async () => {
    const traces: TraceEvent[] = [];
    const c = new RegistryClient({ retries: 3, retryBaseMs: 1, trace: (e) => traces.push(e) });
    cleanup.add(() => c.close());
    await assert.rejects(c.getManifest({ host: registry.host, namespace: 'library', model: 'secure' }, 'latest'), (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.equal(err.temporary, false);
      assert.match(err.message, /certificate is not trusted/);
      assert.match(err.message, /https\+insecure/);
      return true;
    });
    assert.equal(traces.filter((e) => e.type === 'retry').length, 0);
  });

  test('https+insecure skips verification', async () => {
    const c = new RegistryClient({ retries: 0 });
    cleanup.add(() => c.close());
    const m = await c.getManifest({ scheme: 'https+insecure', host: registry.host, namespace: 'library', model: 'secure' }, 'latest');
    assert.deepEqual(m.bytes, model.manifest);
  });

  test('with the CA configured, plain https verifies and works', async () => {
    const c = new RegistryClient({ retries: 0, ca: certPem });
    cleanup.add(() => c.close());
    const m = await c.getManifest({ host: registry.host, namespace: 'library', model: 'secure' }, 'latest');
    assert.deepEqual(m.bytes, model.manifest);
  });
});
