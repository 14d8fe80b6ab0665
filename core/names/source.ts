// Source suffixes on model references (spec §2.5): a trailing `:cloud`, `:local` or `-cloud` tag suffix says where
// a model should come from; pull, create and delete strip it before the name is parsed.
import { NamePartInvalid, SourceSuffixConflict } from './errors';

export type ModelSource = 'unspecified' | 'local' | 'cloud';

export interface SourcedReference {
  /** The reference as given, without surrounding white space. */
  readonly original: string;
  /** The reference with the source suffix removed; this is what gets parsed as a name. */
  readonly base: string;
  readonly source: ModelSource;
}

interface SuffixCut {
  readonly base: string;
  readonly source: ModelSource;
}

/** One suffix at the last ':' — `:cloud`, `:local` (any case, blanks around ignored) or a tag ending in `-cloud`. */
function cutSourceSuffix(text: string): SuffixCut | undefined {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  const suffix = text.slice(colon + 1).trim();
  const folded = suffix.toLowerCase();
  if (folded === 'cloud') return { base: text.slice(0, colon), source: 'cloud' };
  if (folded === 'local') return { base: text.slice(0, colon), source: 'local' };
  if (!suffix.includes('/') && folded.endsWith('-cloud')) {
    return { base: text.slice(0, colon + 1) + suffix.slice(0, -'-cloud'.length), source: 'cloud' };
  }
  return undefined;
}

/**
 * Splits a source suffix off a reference: `gpt-oss:20b:cloud` → base `gpt-oss:20b`, source cloud;
 * `gpt-oss:20b-cloud` → the same; `m:local` → base `m`, source local. Throws SourceSuffixConflict when a second
 * suffix hides under the first (`m:local:cloud`), and NamePartInvalid when the reference is blank.
 */
export function stripSourceSuffix(input: string): SourcedReference {
  const original = input.trim();
  if (original === '') throw new NamePartInvalid(input, 'model', 'the model name is missing');
  const cut = cutSourceSuffix(original);
  if (cut === undefined) return { original, base: original, source: 'unspecified' };
  if (cutSourceSuffix(cut.base) !== undefined) throw new SourceSuffixConflict(original);
  return { original, base: cut.base, source: cut.source };
}

/**
 * The name a cloud model is pulled under (its legacy stub): `base-cloud` when the base has a tag, `base:cloud`
 * otherwise (`gpt-oss:20b` → `gpt-oss:20b-cloud`, `gpt-oss` → `gpt-oss:cloud`).
 */
export function legacyCloudPullName(base: string): string {
  const hasTag = base.lastIndexOf(':') > base.lastIndexOf('/');
  return hasTag ? `${base}-cloud` : `${base}:cloud`;
}
