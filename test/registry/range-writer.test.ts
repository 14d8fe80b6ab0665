// The range writer (the fast path of a pull) against a real docker-registry, over plain http and TLS, through the
// fault-injecting proxy, and against a small server that answers in ways the fast path must hand back to the
// undici client: every byte it reports is in the file at its offset, anything but a plain 206 is RangeRefused,
// and network faults come out as the client's typed errors.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent } from 'undici';
import { Cancelled } from '../../core/errors';
import { Stalled, TransportError } from '../../core/registry/errors';
import { RangeRefused, RangeWriter, type DirectTarget } from '../../core/registry/range-writer';
import { Cleanup, makeSelfSignedCert, makeTempDir, seedModel, startFaultProxy, startRegistry, type Fault, type RunningRegistry } from './harness';

const cleanup = new Cleanup();
after(() => cleanup.run());

const SIZE = 3 * 1024 * 1024 + 17;
const data = randomBytes(SIZE);
let registry: RunningRegistry;
let digest: string;
let dir: string;

before(async () => {
  registry = await startRegistry();
  cleanup.add(() => registry.stop());
  const model = await seedModel(registry.url, 'library/ranges', 'latest', [{ data }]);
  digest = model.layers[0].digest;
  const temp = makeTempDir('modelfile-range-writer-');
  cleanup.add(() => temp.remove());
  dir = temp.path;
});

let files = 0;
/** A fresh zero-filled file of the blob's size, and a writer for it. */
function writerFor(stallTimeoutMs = 10_000): { path: string; writer: RangeWriter } {
  const path = join(dir, `blob-${++files}`);
  writeFileSync(path, Buffer.alloc(SIZE));
  const writer = new RangeWriter(path, stallTimeoutMs);
  cleanup.add(() => writer.close());
  return { path, writer };
}

function target(base: string): DirectTarget {
  return { url: `${base}/v2/library/ranges/blobs/${digest}`, headers: { 'user-agent': 'test' }, rejectUnauthorized: true };
}

describe('against docker-registry', () => {
  test('ranges land at their offsets, reported bytes add up, and parts may run at once', async () => {
    const { path, writer } = writerFor();
    const cuts = [0, 1, 1024 * 1024, 1024 * 1024 + 5, 2 * 1024 * 1024 + 3, SIZE];
    let reported = 0;
    await Promise.all(
      cuts.slice(1).map((end, i) => writer.fetch(target(registry.url), cuts[i], end - 1, (n) => (reported += n))),
    );
    assert.equal(reported, SIZE);
    assert.ok(readFileSync(path).equals(data));
  });

  test('one connection serves the parts fetched one after another (keep-alive)', async () => {
    const proxy = await startFaultProxy({ upstream: registry.url });
    cleanup.add(() => proxy.stop());
    const { path, writer } = writerFor();
    const part = 512 * 1024;
    for (let start = 0; start < SIZE; start += part) await writer.fetch(target(proxy.url), start, Math.min(SIZE, start + part) - 1, () => undefined);
    assert.ok(readFileSync(path).equals(data));
    const gets = proxy.records.filter((r) => r.method === 'GET');
    assert.equal(gets.length, Math.ceil(SIZE / part));
    assert.equal(proxy.connections(), 1);
  });
});

describe('faults on the way', () => {
  async function faulty(fault: Fault): Promise<string> {
    const proxy = await startFaultProxy({ upstream: registry.url, schedule: [fault], stallCapMs: 5_000 });
    cleanup.add(() => proxy.stop());
    return proxy.url;
  }

  test('a 503 is handed back as RangeRefused with its status', async () => {
    const { writer } = writerFor();
    await assert.rejects(writer.fetch(target(await faulty('status503')), 0, SIZE - 1, () => undefined), (err: unknown) => {
      assert.ok(err instanceof RangeRefused);
      assert.equal(err.status, 503);
      return true;
    });
  });

  test('a truncated body is a temporary TransportError, and what was reported is in the file', async () => {
    const { path, writer } = writerFor();
    let reported = 0;
    await assert.rejects(writer.fetch(target(await faulty('truncate')), 0, SIZE - 1, (n) => (reported += n)), (err: unknown) => {
      assert.ok(err instanceof TransportError, String(err));
      assert.equal(err.temporary, true);
      assert.match(err.message, /ended early/);
      return true;
    });
    assert.ok(reported < SIZE);
    assert.ok(readFileSync(path).subarray(0, reported).equals(data.subarray(0, reported)));
  });

  test('a reset comes out with the socket error code', async () => {
    const { writer } = writerFor();
    await assert.rejects(writer.fetch(target(await faulty('reset')), 0, SIZE - 1, () => undefined), (err: unknown) => {
      const code = (err as { code?: string }).code;
      const early = err instanceof TransportError && /ended early/.test(err.message);
      assert.ok(code === 'ECONNRESET' || early, `unexpected ${String(err)} (${code})`);
      return true;
    });
  });

  test('a stalled body is Stalled after the stall timeout', async () => {
    const { writer } = writerFor(300);
    await assert.rejects(writer.fetch(target(await faulty('stall-body')), 0, SIZE - 1, () => undefined), Stalled);
  });

  test('an abort is Cancelled, and the writer takes the next request', async () => {
    const { path, writer } = writerFor();
    const controller = new AbortController();
    const started = writer.fetch(target(await faulty('stall-body')), 0, SIZE - 1, () => undefined, controller.signal);
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(started, Cancelled);
    await writer.fetch(target(registry.url), 0, SIZE - 1, () => undefined);
    assert.ok(readFileSync(path).equals(data));
  });
});

describe('answers the fast path leaves to the client', () => {
  let base: string;
  const cases: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void> = {
    'whole-body': (_req, res) => res.writeHead(200, { 'content-length': SIZE }).end(data),
    redirect: (_req, res) => res.writeHead(307, { location: '/elsewhere' }).end(),
    unauthorized: (_req, res) => res.writeHead(401, { 'www-authenticate': 'Bearer realm="x"' }).end(),
    chunked: (_req, res) => {
      res.writeHead(206, { 'content-range': `bytes 0-9/${SIZE}`, 'transfer-encoding': 'chunked' });
      res.end(data.subarray(0, 10));
    },
    'other-range': (_req, res) => res.writeHead(206, { 'content-range': `bytes 5-14/${SIZE}`, 'content-length': 10 }).end(data.subarray(5, 15)),
    'other-length': (_req, res) => res.writeHead(206, { 'content-range': `bytes 0-9/${SIZE}`, 'content-length': 11 }).end(data.subarray(0, 11)),
  };

  before(async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      cases[(req.url ?? '').slice(1)](req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanup.add(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  for (const name of Object.keys(cases)) {
    test(`${name}: RangeRefused, nothing reported`, async () => {
      const { path, writer } = writerFor();
      let reported = 0;
      const t: DirectTarget = { url: `${base}/${name}`, headers: {}, rejectUnauthorized: true };
      await assert.rejects(writer.fetch(t, 0, 9, (n) => (reported += n)), RangeRefused);
      assert.equal(reported, 0);
      assert.ok(readFileSync(path).subarray(0, 16).equals(Buffer.alloc(16)));
    });
  }
});

describe('TLS', () => {
  let tlsRegistry: RunningRegistry;
  let certPem: string;

  before(async () => {
    const temp = makeTempDir('modelfile-range-tls-');
    cleanup.add(() => temp.remove());
    const cert = makeSelfSignedCert(temp.path, 'registry');
    certPem = cert.certPem;
    tlsRegistry = await startRegistry({ tls: { certPath: cert.certPath, keyPath: cert.keyPath } });
    cleanup.add(() => tlsRegistry.stop());
    const agent = new Agent({ connect: { ca: cert.certPem } });
    cleanup.add(() => agent.close());
    await seedModel(tlsRegistry.url, 'library/ranges', 'latest', [{ data }], { dispatcher: agent });
  });

  test('with the CA the bytes arrive; without it the certificate is refused; unverified when told so', async () => {
    const { path, writer } = writerFor();
    await writer.fetch({ ...target(tlsRegistry.url), ca: [certPem] }, 0, SIZE - 1, () => undefined);
    assert.ok(readFileSync(path).equals(data));
    await assert.rejects(writer.fetch(target(tlsRegistry.url), 0, 9, () => undefined), (err: unknown) => {
      assert.match(String((err as { code?: string }).code), /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
      return true;
    });
    const other = writerFor();
    await other.writer.fetch({ ...target(tlsRegistry.url), rejectUnauthorized: false }, 0, SIZE - 1, () => undefined);
    assert.ok(readFileSync(other.path).equals(data));
  });
});
