// Content digests (spec §3.2): parsing `sha256:<hex>` / `sha256-<hex>` into the canonical `sha256:<lowercase hex>`,
// and the mapping between a digest and its file name in `blobs/`. Nothing here builds a path from unchecked text.
import { DigestInvalid } from '../errors';

/** What Ollama accepts for a digest: either separator, exactly 64 hexadecimal digits of either case. */
const DIGEST_PATTERN = /^sha256[:-]([0-9a-fA-F]{64})$/;

/** What a finished blob in `blobs/` is called: always the `-` separator and lowercase hex. */
const BLOB_FILE_NAME_PATTERN = /^sha256-([0-9a-f]{64})$/;

/** The canonical `sha256:<lowercase hex>` form of `text`, or undefined when it is not a digest. */
export function tryParseDigest(text: string): string | undefined {
  const match = DIGEST_PATTERN.exec(text);
  return match ? `sha256:${match[1].toLowerCase()}` : undefined;
}

/** The canonical `sha256:<lowercase hex>` form of `text`; throws DigestInvalid when it is not a digest. */
export function parseDigest(text: string): string {
  const digest = tryParseDigest(text);
  if (digest === undefined) throw new DigestInvalid(text);
  return digest;
}

/** True when `text` is a digest in either accepted form. */
export function isDigest(text: string): boolean {
  return DIGEST_PATTERN.test(text);
}

/** The blob file name for a digest: `sha256-<lowercase hex>`. Throws DigestInvalid for anything else. */
export function digestToFileName(digest: string): string {
  return `sha256-${parseDigest(digest).slice('sha256:'.length)}`;
}

/** True for the name of a finished blob (`sha256-<64 lowercase hex>`); partial files and odd spellings are not. */
export function isBlobFileName(fileName: string): boolean {
  return BLOB_FILE_NAME_PATTERN.test(fileName);
}

/** The digest a blob file name stands for, or undefined when the name is not a finished blob's name. */
export function fileNameToDigest(fileName: string): string | undefined {
  const match = BLOB_FILE_NAME_PATTERN.exec(fileName);
  return match ? `sha256:${match[1]}` : undefined;
}
