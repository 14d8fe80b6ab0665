// Ollama's model-name grammar as the current server implements it (spec §2.1–§2.2, HEAD `types/model`): the raw
// parse with its `!MISSING!` sentinels, the default parts, validation with a human reason per part, case-insensitive
// comparison, and the string forms Ollama prints (`String`, `DisplayShortest`, `DisplayNamespaceModel`).

export const DEFAULT_SCHEME = 'https';
export const DEFAULT_HOST = 'registry.ollama.ai';
export const DEFAULT_NAMESPACE = 'library';
export const DEFAULT_TAG = 'latest';

/** Stands for a part that a separator promised but that is empty (`/m`, `m:`); it can never be valid. */
export const MISSING_PART = '!MISSING!';

/** Length limits in bytes. Every valid part is ASCII, so bytes and characters agree whenever it matters. */
export const MAX_HOST_LENGTH = 350;
export const MAX_PART_LENGTH = 80;

/** The four parts that make up a stored model's identity (and its manifest path). */
export type NamePart = 'host' | 'namespace' | 'model' | 'tag';

export const NAME_PARTS: readonly NamePart[] = ['host', 'namespace', 'model', 'tag'];

/**
 * A model name split into its parts. Nothing guarantees validity: check with `validateName`.
 * `scheme` is only ever taken from the four-part form `scheme://host/namespace/model[:tag]`; it does not take part
 * in validity, comparison or the manifest path.
 */
export interface ParsedName {
  readonly scheme: string;
  readonly host: string;
  readonly namespace: string;
  readonly model: string;
  readonly tag: string;
}

export type NameValidation = { valid: true } | { valid: false; part: NamePart; reason: string };

/** What `splitName` found, including whether a `://` was recognised (an empty scheme is still a scheme). */
interface SplitName {
  readonly name: ParsedName;
  readonly schemeRecognised: boolean;
}

interface Cut {
  readonly before: string;
  readonly after: string;
}

/** Cuts at the last `separator`; an empty side becomes MISSING_PART because the separator promised it. */
function cutLastPromised(text: string, separator: string): Cut | undefined {
  const at = text.lastIndexOf(separator);
  if (at < 0) return undefined;
  return {
    before: text.slice(0, at) || MISSING_PART,
    after: text.slice(at + separator.length) || MISSING_PART,
  };
}

/**
 * The HEAD algorithm of spec §2.2, steps 1–5. Shared with reference.ts, which needs `schemeRecognised`;
 * not re-exported.
 */
export function splitName(input: string): SplitName {
  let rest = input;
  let tag = '';
  // A tag separator counts only after the last '/': a ':' before it belongs to the host (a port).
  if (rest.lastIndexOf(':') > rest.lastIndexOf('/')) {
    const tagCut = cutLastPromised(rest, ':');
    if (tagCut) {
      rest = tagCut.before;
      tag = tagCut.after;
    }
  }

  const modelCut = cutLastPromised(rest, '/');
  if (!modelCut) {
    return { name: { scheme: '', host: '', namespace: '', model: rest, tag }, schemeRecognised: false };
  }
  const namespaceCut = cutLastPromised(modelCut.before, '/');
  if (!namespaceCut) {
    return {
      name: { scheme: '', host: '', namespace: modelCut.before, model: modelCut.after, tag },
      schemeRecognised: false,
    };
  }

  // The host cut is not "promised": `://h/n/m` has an empty scheme and `http:///n/m` an empty host, which the
  // defaults then fill (a quirk of HEAD, kept for compatibility).
  const hostText = namespaceCut.before;
  const schemeEnd = hostText.indexOf('://');
  const scheme = schemeEnd >= 0 ? hostText.slice(0, schemeEnd) : '';
  const host = schemeEnd >= 0 ? hostText.slice(schemeEnd + 3) : hostText;
  return {
    name: { scheme, host, namespace: namespaceCut.after, model: modelCut.after, tag },
    schemeRecognised: schemeEnd >= 0,
  };
}

/**
 * HEAD's `ParseNameBare`: the parts as written, `''` where absent, `!MISSING!` where a separator promised a part
 * that is empty. Never throws.
 */
export function parseNameRaw(input: string): ParsedName {
  return splitName(input).name;
}

/** Fills empty scheme, host, namespace and tag with the defaults. The model is never defaulted; sentinels stay. */
export function withDefaults(name: ParsedName): ParsedName {
  return {
    scheme: name.scheme || DEFAULT_SCHEME,
    host: name.host || DEFAULT_HOST,
    namespace: name.namespace || DEFAULT_NAMESPACE,
    model: name.model,
    tag: name.tag || DEFAULT_TAG,
  };
}

/** HEAD's `ParseName`: the raw parse with defaults filled. Never throws; check the result with `validateName`. */
export function parseName(input: string): ParsedName {
  return withDefaults(parseNameRaw(input));
}

const PART_LABELS: Readonly<Record<NamePart, string>> = {
  host: 'the host',
  namespace: 'the namespace',
  model: 'the model name',
  tag: 'the tag',
};

const ALLOWED_AFTER_FIRST: Readonly<Record<NamePart, string>> = {
  host: "'_', '-', '.' and ':'",
  namespace: "'_' and '-'",
  model: "'_', '-' and '.'",
  tag: "'_', '-' and '.'",
};

function isLetterDigitOrUnderscore(code: number): boolean {
  return (
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    (code >= 0x30 && code <= 0x39) || // 0-9
    code === 0x5f // _
  );
}

function describeCharacter(text: string, at: number): string {
  const codePoint = text.codePointAt(at) ?? 0;
  const hex = codePoint.toString(16).toUpperCase().padStart(4, '0');
  return `U+${hex} ${JSON.stringify(String.fromCodePoint(codePoint))}`;
}

/** Why `value` is not a valid `part`, or undefined when it is valid (spec §2.1). */
export function checkNamePart(part: NamePart, value: string): string | undefined {
  const label = PART_LABELS[part];
  if (value === '') return `${label} is missing`;
  if (value === MISSING_PART) return `${label} is empty`;
  for (let at = 0; at < value.length; at++) {
    if (value.charCodeAt(at) > 0x7f) return `${label} contains a non-ASCII character (${describeCharacter(value, at)})`;
  }
  const maxLength = part === 'host' ? MAX_HOST_LENGTH : MAX_PART_LENGTH;
  if (value.length > maxLength) return `${label} is longer than ${maxLength} characters`;
  if (!isLetterDigitOrUnderscore(value.charCodeAt(0))) return `${label} must start with a letter, digit or '_'`;
  for (let at = 1; at < value.length; at++) {
    const code = value.charCodeAt(at);
    if (isLetterDigitOrUnderscore(code) || code === 0x2d /* - */) continue;
    if (code === 0x2e /* . */ && part !== 'namespace') continue;
    if (code === 0x3a /* : */ && part === 'host') continue;
    if (code === 0x2e) return `${label} may not contain '.'`;
    if (code === 0x3a) return `${label} may not contain ':'`;
    if (code === 0x2f /* / */) return `${label} may not contain '/' (a name is at most host/namespace/model:tag)`;
    return `${label} may only contain letters, digits, ${ALLOWED_AFTER_FIRST[part]}`;
  }
  return undefined;
}

/** HEAD's `IsValid` (≡ `IsFullyQualified`) with the first failing part and why; parts are checked host → tag. */
export function validateName(name: ParsedName): NameValidation {
  for (const part of NAME_PARTS) {
    const reason = checkNamePart(part, name[part]);
    if (reason !== undefined) return { valid: false, part, reason };
  }
  return { valid: true };
}

/** True when Ollama accepts `input` as a model name (HEAD `ParseName(input).IsValid()`). */
export function isValidName(input: string): boolean {
  return validateName(parseName(input)).valid;
}

/** HEAD `String()`: `host/namespace/model:tag`, leaving out empty parts; never prints the scheme. */
export function nameString(name: ParsedName): string {
  let text = '';
  if (name.host !== '') text += `${name.host}/`;
  if (name.namespace !== '') text += `${name.namespace}/`;
  text += name.model;
  if (name.tag !== '') text += `:${name.tag}`;
  return text;
}

/** ASCII-only case folding: every valid part is ASCII, and non-ASCII text must never equal a valid part. */
function foldCase(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

/** Case-insensitive equality of one part (ASCII letters only). */
export function equalFoldPart(a: string, b: string): boolean {
  return a === b || foldCase(a) === foldCase(b);
}

/** HEAD `EqualFold`: host, namespace, model and tag each equal ignoring case; the scheme is not compared. */
export function equalFold(a: ParsedName, b: ParsedName): boolean {
  return NAME_PARTS.every((part) => equalFoldPart(a[part], b[part]));
}

/**
 * HEAD `DisplayShortest()`: `model:tag`, preceded by `namespace/` when the namespace is not `library`, or by
 * `host/namespace/` when the host is not `registry.ollama.ai` (both compared ignoring case).
 */
export function displayShortest(name: ParsedName): string {
  let prefix = '';
  if (!equalFoldPart(name.host, DEFAULT_HOST)) prefix = `${name.host}/${name.namespace}/`;
  else if (!equalFoldPart(name.namespace, DEFAULT_NAMESPACE)) prefix = `${name.namespace}/`;
  return `${prefix}${name.model}:${name.tag}`;
}

/** HEAD `DisplayNamespaceModel()`: `namespace/model`, the repository part of registry URLs. */
export function displayNamespaceModel(name: ParsedName): string {
  return `${name.namespace}/${name.model}`;
}
