// Tests for blobs (spec 3.2, 3.10): one-pass hash-and-copy into a temp file, verification, atomic install,
// reuse with mtime touch, no temp file left after any failure or abort, zero-length files counting as absent;
// importFile by every method, with a digest that describes the stored bytes even when the source changes.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
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
import { TempFileChanged } from '../../core/cache/blobs';
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
  const methods = ['auto', 'copy', 'stream', 'clone'] as const;
  /** 0..250 repeating, so that a misplaced chunk changes the content. */
  const pattern = (length: number, salt = 0): Uint8Array => new Uint8Array(length).map((_, i) => (i * 31 + salt) % 251);
  const tempNames = (): string[] => blobNames().filter((n) => n.startsWith('.tmp-'));

  for (const method of methods) {
    it(`copies and hashes a file (${method})`, async () => {
      const source = join(dir, 'source.gguf');
      const content = pattern(3 * 1024 * 1024 + 17);
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

    it(`stores bytes that match the digest when the source is rewritten during the import (${method})`, async () => {
      const source = join(dir, 'changing.bin');
      writeFileSync(source, pattern(6 * 1024 * 1024));
      let changed = false;
      const result = await importFile(dir, source, {
        method,
        chunkBytes: 256 * 1024,
        onProgress: () => {
          if (changed) return;
          changed = true;
          writeFileSync(source, pattern(7 * 1024 * 1024, 1)); // other bytes, and more of them
        },
      });
      const stored = new Uint8Array(readFileSync(result.path));
      assert.equal(result.digest, digestOf(stored));
      assert.equal(result.size, stored.length);
      assert.deepEqual(tempNames(), []);
    });

    it(`leaves no temp file when aborted mid-copy (${method})`, async () => {
      const source = join(dir, 'big.bin');
      writeFileSync(source, new Uint8Array(8 * 1024 * 1024));
      const controller = new AbortController();
      const promise = importFile(dir, source, {
        method,
        chunkBytes: 64 * 1024,
        signal: controller.signal,
        onProgress: (n) => {
          if (n > 1024 * 1024) controller.abort();
        },
      });
      await assert.rejects(promise, Cancelled);
      assert.deepEqual(blobNames(), []);
    });
  }

  for (const method of ['copy', 'stream'] as const) {
    it(`stores a contiguous prefix when the source shrinks during the import (${method})`, async () => {
      const source = join(dir, 'shrinking.bin');
      const content = pattern(8 * 1024 * 1024);
      writeFileSync(source, content);
      let seen = 0;
      const result = await importFile(dir, source, {
        method,
        chunkBytes: 64 * 1024,
        onProgress: () => {
          if (seen++ === 3) truncateSync(source, 3 * 1024 * 1024 + 1000);
        },
      });
      const stored = new Uint8Array(readFileSync(result.path));
      assert.equal(result.digest, digestOf(stored));
      assert.ok(stored.length >= 4 * 64 * 1024, `stored ${stored.length} bytes`);
      assert.deepEqual(stored, content.subarray(0, stored.length));
      assert.deepEqual(tempNames(), []);
    });
  }

  it('stores what a growing source holds at the end of a streaming import, in order', async () => {
    const source = join(dir, 'growing.bin');
    const content = pattern(2 * 1024 * 1024 + 5);
    writeFileSync(source, content.subarray(0, 1024 * 1024));
    let appended = false;
    const result = await importFile(dir, source, {
      method: 'stream',
      chunkBytes: 64 * 1024,
      onProgress: () => {
        if (appended) return;
        appended = true;
        appendFileSync(source, content.subarray(1024 * 1024));
      },
    });
    assert.equal(result.digest, digestOf(content));
    assert.deepEqual(new Uint8Array(readFileSync(result.path)), content);
  });

  for (const method of ['auto', 'copy', 'stream'] as const) {
    it(`refuses to install a temp file that another program replaced during the import (${method})`, async () => {
      const source = join(dir, 'source.bin');
      writeFileSync(source, pattern(4 * 1024 * 1024));
      let replaced = false;
      const outcome = await importFile(dir, source, {
        method,
        chunkBytes: 64 * 1024,
        onProgress: () => {
          const [temp] = tempNames();
          if (replaced || temp === undefined) return;
          replaced = true;
          const path = join(dir, 'blobs', temp);
          renameSync(path, join(dir, 'moved-away'));
          writeFileSync(path, 'something else');
        },
      }).catch((error: unknown) => error);
      assert.equal(replaced, true);
      assert.ok(outcome instanceof TempFileChanged, `expected TempFileChanged, got ${String(outcome)}`);
      assert.deepEqual(blobNames(), []);
    });
  }

  it('streams files whose size says nothing, such as those in /proc, rather than copying none of their bytes', async (t) => {
    if (!existsSync('/proc/version')) return t.skip('no /proc here');
    const result = await importFile(dir, '/proc/version', { method: 'copy' });
    const expected = readFileSync('/proc/version');
    assert.ok(expected.length > 0);
    assert.equal(result.size, expected.length);
    assert.equal(result.digest, digestOf(expected));
  });

  it('streams when there is no cp command to copy with', async () => {
    const source = join(dir, 'source.bin');
    const content = pattern(1024 * 1024 + 3);
    writeFileSync(source, content);
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-such-folder');
    try {
      const result = await importFile(dir, source, { method: 'copy' });
      assert.equal(result.digest, digestOf(content));
      assert.deepEqual(new Uint8Array(readFileSync(result.path)), content);
    } finally {
      process.env.PATH = path;
    }
    assert.deepEqual(tempNames(), []);
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
