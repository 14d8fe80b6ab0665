// Names ↔ manifest paths (spec §2.3): the four directory levels below `manifests/`, their reverse mapping, and the
// case rules the cache needs (case-insensitive lookup, case-preserving storage, no case-only duplicates).
import { NamePartInvalid } from './errors';
import {
  DEFAULT_SCHEME,
  NAME_PARTS,
  type NamePart,
  type ParsedName,
  equalFoldPart,
  nameString,
  parseName,
  validateName,
  equalFold,
} from './names';

/** The four components below `manifests/`, in order: host, namespace, model, tag. */
export type ManifestPathParts = readonly [host: string, namespace: string, model: string, tag: string];

/**
 * The manifest location of a name, relative to `manifests/`, with every part exactly as cased. A string is parsed
 * with HEAD's rules first. Throws NamePartInvalid (a NameInvalid) unless the name is valid, so no component can
 * ever be empty, `.`, `..`, or contain a path separator.
 */
export function manifestPath(name: ParsedName | string): ManifestPathParts {
  const parsed = typeof name === 'string' ? parseName(name) : name;
  const validation = validateName(parsed);
  if (!validation.valid) {
    throw new NamePartInvalid(typeof name === 'string' ? name : nameString(parsed), validation.part, validation.reason);
  }
  return [parsed.host, parsed.namespace, parsed.model, parsed.tag];
}

/**
 * The name stored at a path relative to `manifests/` (already split into components), or undefined unless there
 * are exactly four components forming a valid name (3 or 5 levels, `..`, dot-files are all ignored, as in HEAD).
 * The scheme of the result is the default one.
 */
export function nameFromManifestPath(parts: readonly string[]): ParsedName | undefined {
  if (parts.length !== 4) return undefined;
  const [host, namespace, model, tag] = parts;
  const name: ParsedName = { scheme: DEFAULT_SCHEME, host, namespace, model, tag };
  return validateName(name).valid ? name : undefined;
}

/** Orders names like a lexical walk of the four manifest levels: component by component, by UTF-16 code unit. */
function compareByPath(a: ParsedName, b: ParsedName): number {
  for (const part of NAME_PARTS) {
    if (a[part] !== b[part]) return a[part] < b[part] ? -1 : 1;
  }
  return 0;
}

/**
 * The existing spelling of `requested`: the first of `existing` (in manifest-path order, so the answer does not
 * depend on the order of the list) that equals it ignoring case, or undefined when there is none.
 */
export function findExistingName(requested: ParsedName, existing: Iterable<ParsedName>): ParsedName | undefined {
  let found: ParsedName | undefined;
  for (const candidate of existing) {
    if (!equalFold(candidate, requested)) continue;
    if (found === undefined || compareByPath(candidate, found) < 0) found = candidate;
  }
  return found;
}

/**
 * The spelling to store `requested` under so that no directory is created that differs from an existing one only
 * in case: level by level, each part adopts the spelling of an existing directory at the same place that equals it
 * ignoring case; parts with no such directory keep the requested case. The scheme is kept as requested.
 * For a name that already exists this gives the same answer as `findExistingName`.
 */
export function adoptExistingSpelling(requested: ParsedName, existing: Iterable<ParsedName>): ParsedName {
  const candidates = [...existing].sort(compareByPath);
  const adopted: Record<NamePart, string> = { host: '', namespace: '', model: '', tag: '' };
  let below = candidates;
  for (const part of NAME_PARTS) {
    const match = below.find((candidate) => equalFoldPart(candidate[part], requested[part]));
    adopted[part] = match ? match[part] : requested[part];
    below = below.filter((candidate) => candidate[part] === adopted[part]);
  }
  return { scheme: requested.scheme, ...adopted };
}
