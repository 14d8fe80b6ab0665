// Tests for blobs (spec 3.2, 3.10): one-pass hash-and-copy into a temp file, verification, atomic install,
// reuse with mtime touch, no temp file left after any failure or abort, zero-length files counting as absent.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Cancelled, DigestInvalid, DigestMismatch, Incomplete } from '../../core/errors';
import {
  EMPTY_DIGEST,
  SizeMismatch,
  blobExists,
  blobPath,
  importFile,
  installBlobFile,
  writeBlobFromBytes,
  writeBlobFromStream,
} from '../../core/cache';
import { blobFile, digestOf, tempModelsDir } from '../helpers/cache-fixtures';

let dir = '';
let cleanup = (): void => undefined;
beforeEach(() => ({ dir, cleanup } = tempModelsDir()));
afterEach(() => cleanup());

function blobNames(): string[] {
  return existsSync(join(dir, 'blobs')) ? readdirSync(join(dir, 'blobs')).sort() : [];
}

async function* chunks(parts: string[], onYield?: (i: number) => void): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < parts.length; i++) {
    onYield?.(i);
    yield new TextEncoder().encode(parts[i]);
  }
}

describe('writeBlobFromStream', () => {
  it('stores content under sha256-<hex>, mode 0644, nothing else left in blobs/', async () => {
    const result = await writeBlobFromStream(dir, chunks(['hello ', 'world']));
    const digest = digestOf('hello world');
    assert.deepEqual(result, { digest, size: 11, path: blobFile(dir, digest), reused: false });
    assert.equal(readFileSync(result.path, 'utf8'), 'hello world');
    assert.equal(statSync(result.path).mode & 0o777, 0o644);
    assert.deepEqual(blobNames(), [`sha256-${digest.slice(7)}`]);
  });

  it('accepts Node streams and reports progress', async () => {
    const seen: number[] = [];
    const result = await writeBlobFromStream(dir, Readable.from([Buffer.from('ab'), Buffer.from('cd')]), {
      onProgress: (n) => seen.push(n),
      expectedSize: 4,
    });
    assert.equal(result.size, 4);
    assert.deepEqual(seen, [2, 4]);
  });

  it('rejects a wrong digest and leaves no temp file', async () => {
    await assert.rejects(
      writeBlobFromStream(dir, chunks(['abc']), { expectedDigest: digestOf('abd') }),
      (e: unknown) => e instanceof DigestMismatch && e.actual === digestOf('abc'),
    );
    assert.deepEqual(blobNames(), []);
  });

  it('rejects short content as Incomplete and long content as SizeMismatch', async () => {
    await assert.rejects(writeBlobFromStream(dir, chunks(['abc']), { expectedSize: 5 }), Incomplete);
    await assert.rejects(writeBlobFromStream(dir, chunks(['abc', 'def']), { expectedSize: 4 }), SizeMismatch);
    assert.deepEqual(blobNames(), []);
  });

  it('stops on abort mid-stream and removes the temp file', async () => {
    const controller = new AbortController();
    let sawTemp = false;
    await assert.rejects(
      writeBlobFromStream(
        dir,
        chunks(['a', 'b', 'c'], (i) => {
          if (i === 2) {
            sawTemp = blobNames().some((n) => n.startsWith('.tmp-'));
            controller.abort();
          }
        }),
        { signal: controller.signal },
      ),
      Cancelled,
    );
    assert.equal(sawTemp, true, 'a temp file existed while writing');
    assert.deepEqual(blobNames(), []);
  });

  it('removes the temp file when the source fails', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array([1, 2, 3]);
      throw new Error('network down');
    }
    await assert.rejects(writeBlobFromStream(dir, failing()), /network down/);
    assert.deepEqual(blobNames(), []);
  });

  it('reuses a complete blob and touches its mtime', async () => {
    const first = await writeBlobFromStream(dir, chunks(['same']));
    const old = new Date(Date.now() - 3 * 3600_000);
    utimesSync(first.path, old, old);
    const second = await writeBlobFromStream(dir, chunks(['sa', 'me']));
    assert.equal(second.reused, true);
    assert.ok(statSync(first.path).mtimeMs > old.getTime() + 3600_000);
    assert.equal(blobNames().length, 1);
  });

  it('replaces an incomplete (zero-length or wrong-size) file at the blob path', async () => {
    const digest = digestOf('content');
    mkdirSync(join(dir, 'blobs'), { recursive: true });
    writeFileSync(blobFile(dir, digest), '');
    assert.equal(await blobExists(dir, digest), false);
    const result = await writeBlobFromStream(dir, chunks(['content']));
    assert.equal(result.reused, false);
    assert.equal(readFileSync(result.path, 'utf8'), 'content');
  });
});

describe('writeBlobFromBytes and blobExists', () => {
  it('writes small blobs and checks size', async () => {
    const bytes = new TextEncoder().encode('{"a":1}\n');
    const result = await writeBlobFromBytes(dir, bytes);
    assert.equal(await blobExists(dir, result.digest), true);
    assert.equal(await blobExists(dir, result.digest, bytes.length), true);
    assert.equal(await blobExists(dir, result.digest, bytes.length + 1), false);
    assert.equal(await blobExists(dir, digestOf('other')), false);
    assert.equal((await writeBlobFromBytes(dir, bytes)).reused, true);
  });
  it('treats the empty blob as present when its file is empty', async () => {
    const result = await writeBlobFromBytes(dir, new Uint8Array(0));
    assert.equal(result.digest, EMPTY_DIGEST);
    assert.equal(await blobExists(dir, EMPTY_DIGEST), true);
  });
  it('refuses path-like digests', async () => {
    await assert.rejects(blobExists(dir, 'sha256:../../etc/passwd'), DigestInvalid);
    assert.throws(() => blobPath(dir, 'sha256-../x'), DigestInvalid);
  });
});

describe('importFile', () => {
  for (const method of ['auto', 'stream', 'clone'] as const) {
    it(`copies and hashes a file (${method})`, async () => {
      const source = join(dir, 'source.gguf');
      const content = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) % 251);
      writeFileSync(source, content);
      const progress: number[] = [];
      const result = await importFile(dir, source, { method, chunkBytes: 1024 * 1024, onProgress: (n) => progress.push(n) });
      assert.equal(result.digest, digestOf(content));
      assert.equal(result.size, content.length);
      assert.deepEqual(new Uint8Array(readFileSync(result.path)), content);
      assert.equal(progress.at(-1), content.length);
      assert.deepEqual(blobNames(), [`sha256-${result.digest.slice(7)}`]);
      await assert.rejects(importFile(dir, source, { method, expectedDigest: digestOf('x') }), DigestMismatch);
      await assert.rejects(importFile(dir, source, { method, expectedSize: 10 }), SizeMismatch);
      assert.deepEqual(blobNames(), [`sha256-${result.digest.slice(7)}`]);
    });
  }
  it('leaves no temp file when aborted', async () => {
    const source = join(dir, 'big.bin');
    writeFileSync(source, new Uint8Array(8 * 1024 * 1024));
    const controller = new AbortController();
    const promise = importFile(dir, source, {
      chunkBytes: 64 * 1024,
      signal: controller.signal,
      onProgress: (n) => {
        if (n > 1024 * 1024) controller.abort();
      },
    });
    await assert.rejects(promise, Cancelled);
    assert.deepEqual(blobNames(), []);
  });
  it('fails cleanly for a missing source', async () => {
    await assert.rejects(importFile(dir, join(dir, 'missing')), { code: 'ENOENT' });
    assert.deepEqual(blobNames(), []);
  });
});

describe('installBlobFile', () => {
  it('moves a verified file into place, or drops it when the blob exists', async () => {
    const file = join(dir, 'partial');
    writeFileSync(file, 'data');
    const first = await installBlobFile(dir, file, digestOf('data'), 4);
    assert.equal(first.reused, false);
    assert.equal(existsSync(file), false);
    writeFileSync(file, 'data');
    const second = await installBlobFile(dir, file, digestOf('data'), 4);
    assert.equal(second.reused, true);
    assert.equal(existsSync(file), false);
  });
});
