// The registry client's transport against a real docker-registry without auth: manifests (Accept header, 404s,
// digests, size cap), blobs (HEAD, GET, ranges, 416), base-URL rules, redirect limit and trace redaction.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { ModelNotFound, NameInvalid } from '../../core/errors';
import { RegistryClient, type TraceEvent } from '../../core/registry/client';
import { RegistryError, TooLarge, TooManyRedirects } from '../../core/registry/errors';
import { Cleanup, seedModel, startRegistry, type RunningRegistry, type SeededModel } from './harness';

const cleanup = new Cleanup();
let registry: RunningRegistry;
let model: SeededModel;
let client: RegistryClient;
const traces: TraceEvent[] = [];

function repo(model: string, namespace = 'library'): { host: string; namespace: string; model: string } {
  return { host: registry.host, namespace, model };
}

/** A throwaway HTTP server on 127.0.0.1 for behaviour a real registry does not show. */
async function tinyServer(handler: http.RequestListener): Promise<{ host: string; stop: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

before(async () => {
  registry = await startRegistry();
  cleanup.add(() => registry.stop());
  model = await seedModel(registry.url, 'library/tiny', 'latest', [
    { data: Buffer.from('GGUF fake weights '.repeat(1000)) },
    { data: Buffer.from('{{ .Prompt }}'), mediaType: 'application/vnd.ollama.image.template' },
  ]);
  client = new RegistryClient({ insecureHosts: [registry.host], retries: 0, trace: (e) => traces.push(e) });
  cleanup.add(() => client.close());
});

after(() => cleanup.run());

describe('manifests', () => {
  test('a manifest GET by tag returns the bytes exactly as stored, with their digest', async () => {
    const m = await client.getManifest(repo('tiny'), 'latest');
    assert.deepEqual(m.bytes, model.manifest);
    assert.equal(m.digest, model.manifestDigest);
    assert.equal(m.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  });

  test('the registry needs the Accept header (without it: 400 MANIFEST_INVALID), and the client sends it', async () => {
    const raw = await request(`${registry.url}/v2/library/tiny/manifests/latest`);
    const text = await raw.body.text();
    assert.equal(raw.statusCode, 400);
    assert.match(text, /MANIFEST_INVALID/);
    await assert.doesNotReject(client.getManifest(repo('tiny'), 'latest'));
  });

  test('a manifest GET by digest checks the bytes against the digest', async () => {
    const m = await client.getManifest(repo('tiny'), model.manifestDigest);
    assert.deepEqual(m.bytes, model.manifest);
    assert.equal(m.digest, model.manifestDigest);
  });

  test('a missing tag or repository is ModelNotFound with advice', async () => {
    await assert.rejects(client.getManifest(repo('tiny'), 'nope'), (err: unknown) => {
      assert.ok(err instanceof ModelNotFound);
      assert.match(err.message, /not found: the registry .* has no such model or tag/);
      return true;
    });
    await assert.rejects(client.getManifest(repo('absent'), 'latest'), ModelNotFound);
  });

  test('the plain-text 404 for an upper-case repository is ModelNotFound that mentions case', async () => {
    const raw = await request(`${registry.url}/v2/library/Tiny/manifests/latest`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    const text = await raw.body.text();
    assert.equal(raw.statusCode, 404);
    assert.doesNotMatch(text, /^\s*\{/);
    await assert.rejects(client.getManifest(repo('Tiny'), 'latest'), (err: unknown) => {
      assert.ok(err instanceof ModelNotFound);
      assert.match(err.message, /lower-case/);
      return true;
    });
  });

  test('names that could escape the URL path are refused before any request', async () => {
    await assert.rejects(client.getManifest(repo('..'), 'latest'), NameInvalid);
    await assert.rejects(client.getManifest(repo('tiny'), 'a/b'), NameInvalid);
    await assert.rejects(client.getManifest(repo('tiny'), 'sha256:zz'), /invalid digest/);
  });

  test('a 100 MB manifest is refused without reading it (declared length)', async () => {
    let written = 0;
    const server = await tinyServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json', 'content-length': 100_000_000 });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (written < 100_000_000 && res.write(chunk)) written += chunk.length;
      };
      res.on('drain', pump);
      pump();
    });
    try {
      const c = new RegistryClient({ insecureHosts: [server.host], retries: 0 });
      await assert.rejects(c.getManifest({ host: server.host, namespace: 'library', model: 'big' }, 'latest'), TooLarge);
      await c.close();
      assert.ok(written < 20_000_000, `server wrote ${written} bytes`);
    } finally {
      await server.stop();
    }
  });

  test('a manifest without Content-Length is cut off at the cap', async () => {
    let written = 0;
    const server = await tinyServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // chunked
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (written < 100_000_000 && !res.destroyed && res.write(chunk)) written += chunk.length;
      };
      res.on('drain', pump);
      pump();
    });
    try {
      const c = new RegistryClient({ insecureHosts: [server.host], retries: 0, maxManifestBytes: 1024 * 1024 });
      await assert.rejects(c.getManifest({ host: server.host, namespace: 'library', model: 'big' }, 'latest'), (err: unknown) => {
        assert.ok(err instanceof TooLarge);
        assert.match(err.message, /larger than 1048576 bytes/);
        return true;
      });
      await c.close();
      assert.ok(written < 20_000_000, `server wrote ${written} bytes`);
    } finally {
      await server.stop();
    }
  });
});

describe('blobs', () => {
  test('HEAD tells whether a blob exists, and its size', async () => {
    const layer = model.layers[0];
    assert.deepEqual(await client.headBlob(repo('tiny'), layer.digest), { exists: true, size: layer.size });
    const missing = `sha256:${'0'.repeat(64)}`;
    assert.deepEqual(await client.headBlob(repo('tiny'), missing), { exists: false, size: undefined });
  });

  test('GET streams the whole blob', async () => {
    const layer = model.layers[0];
    const download = await client.getBlob(repo('tiny'), layer.digest);
    const chunks: Buffer[] = [];
    for await (const c of download.body) chunks.push(c);
    assert.equal(download.status, 200);
    assert.equal(download.total, layer.size);
    assert.deepEqual(Buffer.concat(chunks), layer.data);
  });

  test('a Range GET returns exactly the inclusive range', async () => {
    const layer = model.layers[0];
    const download = await client.getBlob(repo('tiny'), layer.digest, { start: 100, end: 199 });
    const chunks: Buffer[] = [];
    for await (const c of download.body) chunks.push(c);
    assert.equal(download.status, 206);
    assert.equal(download.start, 100);
    assert.equal(download.total, layer.size);
    assert.deepEqual(Buffer.concat(chunks), layer.data.subarray(100, 200));
  });

  test('an unsatisfiable range is a RegistryError (its lying Content-Length is not trusted)', async () => {
    const layer = model.layers[0];
    await assert.rejects(client.getBlob(repo('tiny'), layer.digest, { start: layer.size + 10 }), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.status, 416);
      assert.equal(err.temporary, false);
      return true;
    });
  });

  test('a blob the registry lacks is a RegistryError that says the remote model is incomplete', async () => {
    await assert.rejects(client.getBlob(repo('tiny'), `sha256:${'1'.repeat(64)}`), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.status, 404);
      assert.match(err.message, /incomplete/);
      return true;
    });
  });

  test('an upload session can be started without auth', async () => {
    const start = await client.startUpload(repo('uploads'));
    assert.equal(start.mounted, false);
    if (!start.mounted) assert.equal(start.location.host, registry.host);
  });
});

describe('addresses, redirects and tracing', () => {
  test('https by default, http only for http:// names or insecure hosts, https+insecure keeps https', () => {
    const c = new RegistryClient({ insecureHosts: ['local:5000'] });
    assert.equal(c.endpoint({ host: 'example.com', namespace: 'a', model: 'b' }).base.href, 'https://example.com/');
    assert.equal(c.endpoint({ host: 'local:5000', namespace: 'a', model: 'b' }).base.href, 'http://local:5000/');
    assert.equal(c.endpoint({ scheme: 'http', host: 'x.org', namespace: 'a', model: 'b' }).base.href, 'http://x.org/');
    const insecure = c.endpoint({ scheme: 'https+insecure', host: 'x.org', namespace: 'a', model: 'b' });
    assert.equal(insecure.base.href, 'https://x.org/');
    assert.equal(insecure.verifyTls, false);
    assert.throws(() => c.endpoint({ scheme: 'ftp', host: 'x.org', namespace: 'a', model: 'b' }), /unsupported scheme: "ftp"/);
  });

  test('more than 10 redirects fail with TooManyRedirects', async () => {
    let hits = 0;
    const server = await tinyServer((req, res) => {
      hits++;
      res.writeHead(307, { location: `${req.url ?? '/'}x` }).end();
    });
    try {
      const c = new RegistryClient({ insecureHosts: [server.host], retries: 0 });
      await assert.rejects(c.getBlob({ host: server.host, namespace: 'library', model: 'm' }, `sha256:${'2'.repeat(64)}`), TooManyRedirects);
      await c.close();
      assert.equal(hits, 11);
    } finally {
      await server.stop();
    }
  });

  test('trace events show requests and responses without query strings', async () => {
    traces.length = 0;
    await client.startUpload(repo('uploads'));
    assert.ok(traces.some((e) => e.type === 'request' && e.method === 'POST'));
    assert.ok(traces.some((e) => e.type === 'response' && e.status === 202));
    for (const e of traces) assert.doesNotMatch(JSON.stringify(e), /\?/);
  });
});
