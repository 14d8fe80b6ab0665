// The LintHost backed by Node's file system: cheap synchronous stat and head reads for the few paths a
// Modelfile names.
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import type { LintHost } from './lint';

/** The first `length` bytes of a file, or undefined when it cannot be read. */
export function readFileHead(path: string, length: number): Uint8Array | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, 0);
    return buffer.subarray(0, read);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function nodeLintHost(hasModel?: (name: string) => boolean | undefined): LintHost {
  return {
    statPath(path) {
      try {
        const stat = statSync(path);
        return stat.isDirectory() ? 'directory' : 'file';
      } catch {
        return undefined;
      }
    },
    readHead: readFileHead,
    listDirectory(path) {
      try {
        return readdirSync(path);
      } catch {
        return undefined;
      }
    },
    hasModel,
  };
}
