// Reading response bodies safely: with a byte cap that ignores Content-Length, and draining or discarding bodies
// that are not needed so that connections are freed. Also the abortable sleep used between retries.
import { Cancelled } from '../errors';
import { TooLarge } from './errors';

/** A response body as undici hands it out: async-iterable, destroyable. */
export interface ResponseBody extends AsyncIterable<Buffer | Uint8Array | string> {
  destroy(error?: Error): unknown;
}

/**
 * Reads at most `cap` bytes. Past the cap the body is destroyed and, with `overflow: 'throw'`, TooLarge is thrown
 * (naming `what`); with `overflow: 'truncate'` the first `cap` bytes are returned.
 */
export async function readCapped(
  body: ResponseBody,
  cap: number,
  what: string,
  overflow: 'throw' | 'truncate' = 'throw',
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (total + buf.length > cap) {
      if (overflow === 'truncate') chunks.push(buf.subarray(0, cap - total));
      body.destroy();
      if (overflow === 'throw') throw new TooLarge(what, cap);
      total = cap;
      break;
    }
    chunks.push(buf);
    total += buf.length;
  }
  return Buffer.concat(chunks, total);
}

/** Largest body that is read to completion just to reuse the connection; bigger ones are discarded. */
const DRAIN_LIMIT = 64 * 1024;

/** Frees a response body that is not needed: reads a small one to the end, destroys anything bigger. */
export async function discard(body: ResponseBody): Promise<void> {
  try {
    let total = 0;
    for await (const chunk of body) {
      total += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
      if (total > DRAIN_LIMIT) {
        body.destroy();
        return;
      }
    }
  } catch {
    // A broken body that nobody wants is not an error.
  }
}

/** Resolves after `ms` milliseconds, or rejects with Cancelled when the signal aborts first. */
export function sleep(ms: number, signal?: AbortSignal, what = 'request'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Cancelled(what));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Cancelled(what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
