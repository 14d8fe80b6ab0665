// Pull robustness against a real docker-registry: a pull process killed with SIGKILL half way resumes and fetches
// little more than what was missing; two pull processes of the same model at once both succeed; a damaged large
// blob (hashed on a worker thread) is caught; a full disk (a small tmpfs) gives a clear error and leaves nothing
// half-written in blobs/ or manifests/; hostile manifests (path-like or malformed digests, absurd sizes, a 100 MB
// manifest) are refused before anything is written; and through a proxy injecting random faults every pull either
// completes verified or fails cleanly — never a corrupt blob, never a manifest whose blobs are missing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, writeSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseArgs } from '../../cli/args';
import type { CliContext } from '../../cli/context';
import { pullCommand } from '../../cli/commands/pull';
import { Cancelled, DigestMismatch, Incomplete, ManifestInvalid } from '../../core/errors';
import { RegistryClient } from '../../core/registry/client';
import { DiskFull, RegistryError, Stalled, TooLarge, TransportError } from '../../core/registry/errors';
import { pullModel } from '../../core/registry/pull';
import {
  Cleanup,
  blobSums,
  makeTempDir,
  manifestFiles,
  modelsDirProblems,
  pushBlob,
  seedModel,
  sha256Digest,
  startFaultProxy,
  startRegistry,
  type FaultProxy,
  type RunningRegistry,
  type SeededModel,
} from './harness';
import { runPullChildIfAsked, spawnPull } from './harness/pull-child';

const cleanup = new Cleanup();

function freshDir(prefix = 'modelfile-robust-'): string {
  const dir = makeTempDir(prefix);
  cleanup.add(() => dir.remove());
  return dir.path;
}

function partials(modelsDir: string): string[] {
  const dir = join(modelsDir, '.modelfile-studio', 'partials');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function manifestPath(modelsDir: string, host: string, repository: string, tag = 'latest'): string {
  return join(modelsDir, 'manifests', host, ...repository.split('/'), tag);
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function runPull(argv: string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t) },
    stdin: process.stdin,
    cwd: process.cwd(),
    env: {},
    signal: signal ?? new AbortController().signal,
  };
  const code = await pullCommand.run(parseArgs(pullCommand.spec, argv), context);
  return { code, stdout, stderr };
}

if (!runPullChildIfAsked()) {
  after(() => cleanup.run());

  describe('pull processes', () => {
    const SIZE = 160 * 1000 * 1000;
    let registry: RunningRegistry;
    let proxy: FaultProxy;
    let big: SeededModel;
    let medium: SeededModel;

    before(async () => {
      registry = await startRegistry();
      cleanup.add(() => registry.stop());
      big = await seedModel(registry.url, 'library/big', 'latest', [{ data: randomBytes(SIZE) }]);
      medium = await seedModel(registry.url, 'library/medium', 'latest', [{ data: randomBytes(40 * 1000 * 1000) }]);
      proxy = await startFaultProxy({ upstream: registry.url });
      cleanup.add(() => proxy.stop());
    });

    test('kill -9 in the middle of a pull: the next pull resumes and fetches little more than what was missing', async (t) => {
      const modelsDir = freshDir();
      const argv = [`${proxy.host}/library/big`, '--insecure', '--models', modelsDir, '--json'];
      proxy.bytes.toClient = 0;
      proxy.setThrottle(20 * 1000 * 1000);
      const first = spawnPull(__filename, argv);
      await waitFor(() => proxy.bytes.toClient >= SIZE * 0.45, 60_000, 'half of the blob');
      first.process.kill('SIGKILL');
      const killed = await first.exited;
      assert.equal(killed.signal, 'SIGKILL', `pull ended before the kill (${first.via}): ${first.stderr()}`);
      const servedBeforeKill = proxy.bytes.toClient;
      assert.ok(servedBeforeKill < SIZE * 0.9, `served ${servedBeforeKill} before the kill`);

      // Nothing half-written is visible; the partial download is kept for the next pull.
      assert.deepEqual(modelsDirProblems(modelsDir), []);
      assert.equal(existsSync(manifestPath(modelsDir, proxy.host, 'library/big')), false);
      assert.equal(blobSums(modelsDir).has(big.layers[0].digest.replace(':', '-')), false);
      assert.ok(partials(modelsDir).some((f) => f.endsWith('.partial')), partials(modelsDir).join(','));

      proxy.setThrottle(undefined);
      const second = spawnPull(__filename, argv);
      const done = await second.exited;
      assert.equal(done.code, 0, second.stderr());
      const total = proxy.bytes.toClient;
      const resumed = total - servedBeforeKill;
      t.diagnostic(`via ${first.via}: ${servedBeforeKill} bytes before SIGKILL, ${resumed} after; ${(total / SIZE).toFixed(3)}× the blob in total`);
      assert.ok(resumed < SIZE * 0.8, `the second pull fetched ${resumed} of ${SIZE} bytes`);
      assert.ok(total < SIZE * 1.3, `both pulls together fetched ${total} bytes for a ${SIZE}-byte blob (${(total / SIZE).toFixed(2)}×)`);
      assert.deepEqual(readFileSync(manifestPath(modelsDir, proxy.host, 'library/big')), big.manifest);
      assert.deepEqual(modelsDirProblems(modelsDir), []);
      assert.ok(blobSums(modelsDir).has(big.layers[0].digest.replace(':', '-')));
      assert.deepEqual(partials(modelsDir).filter((f) => !f.endsWith('.lock')), []);
      const last = JSON.parse(second.stdout().trim().split('\n').pop() ?? '{}') as { status?: string; bytesReceived?: number };
      assert.equal(last.status, 'success');
    });

    test('two pull processes of the same model at once both succeed, and the blob is fetched about once', async () => {
      const modelsDir = freshDir();
      const argv = [`${proxy.host}/library/medium`, '--insecure', '--models', modelsDir];
      proxy.bytes.toClient = 0;
      proxy.setThrottle(20 * 1000 * 1000);
      const a = spawnPull(__filename, argv);
      const b = spawnPull(__filename, argv);
      const [ra, rb] = await Promise.all([a.exited, b.exited]);
      proxy.setThrottle(undefined);
      assert.equal(ra.code, 0, a.stderr());
      assert.equal(rb.code, 0, b.stderr());
      assert.deepEqual(readFileSync(manifestPath(modelsDir, proxy.host, 'library/medium')), medium.manifest);
      assert.deepEqual(modelsDirProblems(modelsDir), []);
      const size = medium.layers[0].size;
      assert.ok(proxy.bytes.toClient < size * 1.5, `served ${proxy.bytes.toClient} for a ${size}-byte blob`);
      assert.deepEqual(partials(modelsDir), []);
    });
  });

  describe('a large blob (hashed on a worker thread)', () => {
    test('a flipped byte is a DigestMismatch: nothing installed, no partial kept; the next pull succeeds', async () => {
      const registry = await startRegistry();
      cleanup.add(() => registry.stop());
      const model = await seedModel(registry.url, 'library/flip', 'latest', [{ data: randomBytes(70 * 1000 * 1000) }]);
      const layer = model.layers[0];
      const flipping = await startFaultProxy({
        upstream: registry.url,
        // A part's data, not the one-byte request that resolves the blob's URL before the parts start.
        eligible: (method, path, range) => method === 'GET' && path.endsWith(layer.digest) && range !== 'bytes=0-0',
        schedule: ['flip'],
      });
      cleanup.add(() => flipping.stop());
      const modelsDir = freshDir();
      const c = new RegistryClient({ insecureHosts: [flipping.host], retries: 0 });
      cleanup.add(() => c.close());
      await assert.rejects(pullModel(`${flipping.host}/library/flip`, { modelsDir, client: c }), DigestMismatch);
      assert.deepEqual(modelsDirProblems(modelsDir), []);
      assert.deepEqual(manifestFiles(modelsDir), []);
      assert.deepEqual(partials(modelsDir).filter((f) => !f.endsWith('.lock')), []);
      await pullModel(`${flipping.host}/library/flip`, { modelsDir, client: c });
      assert.deepEqual(readFileSync(manifestPath(modelsDir, flipping.host, 'library/flip')), model.manifest);
      assert.ok(blobSums(modelsDir).has(layer.digest.replace(':', '-')));
    });
  });

  describe('a full disk', () => {
    let registry: RunningRegistry;
    let proxy: FaultProxy;
    let disk: string;
    let mountError: string | undefined;

    before(async () => {
      registry = await startRegistry();
      cleanup.add(() => registry.stop());
      proxy = await startFaultProxy({ upstream: registry.url });
      cleanup.add(() => proxy.stop());
      disk = freshDir('modelfile-disk-');
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', disk], { stdio: ['ignore', 'ignore', 'pipe'] });
        cleanup.add(() => {
          execFileSync('umount', ['-l', disk], { stdio: 'ignore' });
        });
      } catch (error) {
        mountError = error instanceof Error ? error.message.split('\n')[0] : String(error);
      }
    });

    test('a model larger than the free space is refused up front with the sizes, and nothing is written', async (t) => {
      if (mountError) return t.skip(`a small tmpfs cannot be mounted here (${mountError}); run the tests as root`);
      await seedModel(registry.url, 'library/toolarge', 'latest', [{ data: randomBytes(30 * 1000 * 1000) }]);
      const modelsDir = join(disk, 'models-a');
      const r = await runPull([`${registry.host}/library/toolarge`, '--insecure', '--models', modelsDir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Error: not enough disk space in the models directory for pulling .*library\/toolarge:latest \(30\.0 MB needed, 2\d\.\d MB free\); free some space/);
      assert.deepEqual(blobSums(modelsDir), new Map());
      assert.deepEqual(manifestFiles(modelsDir), []);
      assert.deepEqual(partials(modelsDir).filter((f) => !f.endsWith('.lock')), []);
      rmSync(modelsDir, { recursive: true, force: true });
    });

    test('a disk that fills up during the transfer: a clear error, nothing half-written; after freeing space the pull completes', async (t) => {
      if (mountError) return t.skip(`a small tmpfs cannot be mounted here (${mountError}); run the tests as root`);
      const model = await seedModel(registry.url, 'library/fills', 'latest', [{ data: randomBytes(12 * 1000 * 1000) }]);
      const modelsDir = join(disk, 'models-b');
      mkdirSync(modelsDir, { recursive: true });
      proxy.bytes.toClient = 0;
      proxy.setThrottle(4 * 1000 * 1000);
      const filler = join(disk, 'filler');
      const pulling = runPull([`${proxy.host}/library/fills`, '--insecure', '--models', modelsDir]);
      await waitFor(() => proxy.bytes.toClient > 3 * 1000 * 1000, 30_000, 'the first megabytes');
      // Something else takes all the space that is left.
      const fd = openSync(filler, 'w');
      try {
        const chunk = Buffer.alloc(1024 * 1024);
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
      } finally {
        closeSync(fd);
      }
      const r = await pulling;
      proxy.setThrottle(undefined);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Error: not enough disk space in the models directory for .*; free some space .* and run the command again/);
      assert.deepEqual(modelsDirProblems(modelsDir), []);
      assert.deepEqual(manifestFiles(modelsDir), []);
      assert.equal(blobSums(modelsDir).has(model.layers[0].digest.replace(':', '-')), false);

      rmSync(filler);
      const again = await runPull([`${registry.host}/library/fills`, '--insecure', '--models', modelsDir]);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(readFileSync(manifestPath(modelsDir, registry.host, 'library/fills')), model.manifest);
      assert.deepEqual(modelsDirProblems(modelsDir), []);
      assert.ok(statfsSync(disk).bavail > 0);
    });
  });

  describe('hostile manifests', () => {
    let host: string;
    let written = 0;
    const good = Buffer.from('layer data');
    const manifests = new Map<string, string | Buffer>();

    const manifest = (layers: unknown[], config: unknown = { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha256Digest(good), size: good.length }): string =>
      JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config, layers });
    const layer = (digest: unknown, size: unknown): Record<string, unknown> => ({ mediaType: 'application/vnd.ollama.image.model', digest, size });

    before(async () => {
      const hex = 'a'.repeat(64);
      manifests.set('pathlike', manifest([layer('sha256:../../../../../../tmp/evil', 10)]));
      manifests.set('traversal', manifest([layer(`sha256:${hex}/../../x`, 10)]));
      manifests.set('short', manifest([layer('sha256:abc', 10)]));
      manifests.set('md5', manifest([layer(`md5:${hex.slice(0, 32)}`, 10)]));
      manifests.set('negative', manifest([layer(sha256Digest(good), -1)]));
      manifests.set('fraction', manifest([layer(sha256Digest(good), 1.5)]));
      manifests.set('text', manifest([layer(sha256Digest(good), '10')]));
      manifests.set('unsafe', manifest([layer(sha256Digest(good), 2 ** 53 + 2)]));
      manifests.set('petabyte', manifest([layer(`sha256:${hex}`, 10 ** 15)]));
      manifests.set('array', '[]');
      manifests.set('nolayers', '{"schemaVersion":2}');
      const server = http.createServer((req, res) => {
        req.resume();
        const tag = (req.url ?? '').split('/').pop() ?? '';
        if (tag === 'huge') {
          // 100 MB of JSON-ish padding without a Content-Length: it must be cut off at the cap.
          res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          const pump = (): void => {
            while (written < 100_000_000 && res.write(chunk)) written += chunk.length;
            if (written >= 100_000_000) res.end();
          };
          res.on('drain', pump);
          res.on('close', () => res.removeListener('drain', pump));
          pump();
          return;
        }
        const body = manifests.get(tag);
        if (body === undefined) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' }).end(body);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      cleanup.add(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
      host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    const client = (): RegistryClient => {
      const c = new RegistryClient({ insecureHosts: [host], retries: 0 });
      cleanup.add(() => c.close());
      return c;
    };

    const cases: Array<[string, (err: unknown) => boolean]> = [
      ['pathlike', (e) => e instanceof ManifestInvalid && /invalid digest/.test(e.message)],
      ['traversal', (e) => e instanceof ManifestInvalid && /invalid digest/.test(e.message)],
      ['short', (e) => e instanceof ManifestInvalid],
      ['md5', (e) => e instanceof ManifestInvalid],
      ['negative', (e) => e instanceof ManifestInvalid && /invalid size/.test(e.message)],
      ['fraction', (e) => e instanceof ManifestInvalid && /invalid size/.test(e.message)],
      ['text', (e) => e instanceof ManifestInvalid && /invalid size/.test(e.message)],
      ['unsafe', (e) => e instanceof ManifestInvalid && /invalid size/.test(e.message)],
      ['petabyte', (e) => e instanceof DiskFull && /1\.0 PB needed/.test(e.message)],
      ['array', (e) => e instanceof ManifestInvalid],
      ['nolayers', (e) => e instanceof ManifestInvalid && /"layers" must be an array/.test(e.message)],
      ['huge', (e) => e instanceof TooLarge],
    ];

    for (const [tag, check] of cases) {
      test(`${tag}: refused, and the models directory stays empty`, async () => {
        const modelsDir = freshDir();
        await assert.rejects(pullModel(`${host}/library/hostile:${tag}`, { modelsDir, client: client() }), (err: unknown) => {
          assert.ok(check(err), `unexpected ${String(err)}`);
          return true;
        });
        assert.deepEqual(manifestFiles(modelsDir), []);
        assert.deepEqual(blobSums(modelsDir), new Map());
        assert.deepEqual(partials(modelsDir), []);
        assert.equal(existsSync('/tmp/evil'), false);
        if (tag === 'huge') assert.ok(written < 20_000_000, `the server wrote ${written} bytes before the client stopped`);
      });
    }
  });

  describe('random faults', () => {
    let registry: RunningRegistry;
    let model: SeededModel;

    before(async () => {
      registry = await startRegistry();
      cleanup.add(() => registry.stop());
      const data = (n: number, seed: number): Buffer => {
        const out = Buffer.alloc(n);
        let x = seed;
        for (let i = 0; i < n; i++) {
          x = (x * 1103515245 + 12345) >>> 0;
          out[i] = x >>> 24;
        }
        return out;
      };
      model = await seedModel(registry.url, 'library/faulty', 'latest', [
        { data: data(1_500_000, 1) }, // over 1 MiB: fetched by the range writer (range-writer.ts)
        { data: data(300_000, 2), mediaType: 'application/vnd.ollama.image.projector' },
        { data: Buffer.from('{{ .Prompt }}'), mediaType: 'application/vnd.ollama.image.template' },
      ]);
      // Another version under the same name, so that failed pulls may leave an older complete model behind.
      await pushBlob(registry.url, 'library/faulty', Buffer.from('unused'));
    });

    test('every pull through a faulty proxy ends verified or fails cleanly, and the models directory stays consistent', async () => {
      const modelsDir = freshDir();
      const outcomes: string[] = [];
      let flips = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const proxy = await startFaultProxy({
          upstream: registry.url,
          seed,
          rates: { reset: 0.08, status503: 0.08, truncate: 0.08, flip: 0.06, 'stall-body': 0.03 },
          stallCapMs: 1_000,
        });
        const c = new RegistryClient({ insecureHosts: [proxy.host], retries: 2, retryBaseMs: 2, retryMaxMs: 10, stallTimeoutMs: 300, partSize: 64 * 1024, streams: 4 });
        try {
          await pullModel(`${proxy.host}/library/faulty`, { modelsDir, client: c });
          outcomes.push('ok');
          assert.deepEqual(readFileSync(manifestPath(modelsDir, proxy.host, 'library/faulty')), model.manifest);
        } catch (err) {
          const clean = err instanceof DigestMismatch || err instanceof RegistryError || err instanceof TransportError || err instanceof Stalled || err instanceof Incomplete;
          assert.ok(clean && !(err instanceof Cancelled), `unexpected failure: ${String(err)}`);
          outcomes.push((err as Error).name);
        } finally {
          await c.close();
          flips += proxy.records.filter((r) => r.fault === 'flip').length;
          await proxy.stop();
        }
        assert.deepEqual(modelsDirProblems(modelsDir), [], `after seed ${seed}: ${outcomes.join(',')}`);
      }
      assert.ok(outcomes.includes('ok'), outcomes.join(','));
      assert.ok(flips > 0, 'no byte was flipped: the schedule tests nothing');
      // Whatever happened, a clean pull now completes with verified blobs.
      const c = new RegistryClient({ insecureHosts: [registry.host] });
      cleanup.add(() => c.close());
      await pullModel(`${registry.host}/library/faulty`, { modelsDir, client: c });
      assert.deepEqual(modelsDirProblems(modelsDir), []);
      for (const layer of model.layers) assert.ok(blobSums(modelsDir).has(layer.digest.replace(':', '-')));
    });
  });
}
