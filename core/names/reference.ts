// Extended references `[scheme://]name[@digest]` (spec §2.4, the form of the removed client2 registry client):
// scheme and digest handling as client2 did it, with the name part parsed and validated by HEAD's rules.
//
// Which parse for the name part: HEAD's (`splitName` in names.ts), not client2's. The product must accept exactly
// the plain names Ollama accepts today, and client2 differs from HEAD on them (`m:`, `/m` and `mm:` were valid,
// `m:a:b` meant tag `a`, whole names over 593 bytes were dropped). So a reference without `://` and `@` is valid
// exactly when HEAD's `ParseName(...).IsValid()` is true. The scheme is also recognised as HEAD does: only in the
// four-part form `scheme://host/namespace/model[:tag]` (`http://ns/m` is refused with a reason instead of being
// read as host `http:/`). The mask `registry.ollama.ai/library/_:latest` fills the same parts as HEAD's defaults.
// What this form adds to HEAD: a digest after the last `@`, and a closed set of schemes.
import { NamePartInvalid, type ReferencePart } from './errors';
import { tryParseDigest } from './digest';
import { DEFAULT_SCHEME, type ParsedName, splitName, validateName, withDefaults } from './names';

export type ReferenceScheme = 'http' | 'https' | 'https+insecure';

export const SUPPORTED_SCHEMES: readonly ReferenceScheme[] = ['http', 'https', 'https+insecure'];

/** A checked reference. `name` is undefined only for a bare digest (`@sha256:…`), good for local lookup only. */
export interface NameReference {
  /** `https+insecure` means: speak https but do not verify the certificate. */
  readonly scheme: ReferenceScheme;
  /** Valid and with defaults filled; its `scheme` equals the reference's. */
  readonly name: ParsedName | undefined;
  /** Canonical `sha256:<lowercase hex>`. */
  readonly digest: string | undefined;
}

/** The outcome of `checkReference`; a failure still carries whatever could be parsed, for reports. */
export type ReferenceCheck =
  | { readonly valid: true; readonly reference: NameReference }
  | {
      readonly valid: false;
      readonly part: ReferencePart;
      readonly reason: string;
      /** As written, or the default when none was written. */
      readonly scheme: string;
      /** The name part with defaults filled (sentinels kept), undefined when the reference has no name part. */
      readonly name: ParsedName | undefined;
      /** Canonical when it parsed, otherwise as written; undefined when there is no `@`. */
      readonly digest: string | undefined;
    };

function isSupportedScheme(scheme: string): scheme is ReferenceScheme {
  return (SUPPORTED_SCHEMES as readonly string[]).includes(scheme);
}

/** Checks an extended reference without throwing; problems are reported in the order scheme, digest, name. */
export function checkReference(input: string): ReferenceCheck {
  const schemeEnd = input.indexOf('://');
  const nameStart = schemeEnd >= 0 ? schemeEnd + 3 : 0;
  const scheme = (schemeEnd >= 0 ? input.slice(0, schemeEnd) : '') || DEFAULT_SCHEME;

  // The digest follows the last '@' after the scheme; an '@' inside a scheme does not count (as in client2).
  const digestSeparator = input.lastIndexOf('@');
  const hasDigest = digestSeparator >= nameStart;
  const digestText = hasDigest ? input.slice(digestSeparator + 1) : undefined;
  const digest = digestText === undefined ? undefined : tryParseDigest(digestText);
  const nameWithScheme = hasDigest ? input.slice(0, digestSeparator) : input;
  const nameIsEmpty = nameWithScheme.length === nameStart;

  // A bare digest has no name to parse; anything else goes through HEAD's parser, scheme included.
  const split = nameIsEmpty && hasDigest ? undefined : splitName(nameWithScheme);
  const name: ParsedName | undefined = split && { ...withDefaults(split.name), scheme };

  const failure = (part: ReferencePart, reason: string): ReferenceCheck => ({
    valid: false,
    part,
    reason,
    scheme,
    name,
    digest: digest ?? digestText,
  });

  if (!isSupportedScheme(scheme)) {
    const supported = SUPPORTED_SCHEMES.join(', ');
    return failure('scheme', `unsupported scheme: ${JSON.stringify(scheme)}: supported schemes are ${supported}`);
  }
  if (digestText !== undefined && digest === undefined) {
    return failure('digest', `invalid digest: ${JSON.stringify(digestText)}`);
  }
  if (split !== undefined && name !== undefined) {
    if (nameIsEmpty) return failure('model', 'the model name is missing');
    if (schemeEnd >= 0 && !split.schemeRecognised) {
      return failure('scheme', 'a scheme is only allowed in the full form scheme://host/namespace/model[:tag]');
    }
    const validation = validateName(name);
    if (!validation.valid) return failure(validation.part, validation.reason);
  }
  return { valid: true, reference: { scheme, name, digest } };
}

/** Parses an extended reference; throws NamePartInvalid (a NameInvalid) with the reason when it is not valid. */
export function parseReference(input: string): NameReference {
  const checked = checkReference(input);
  if (!checked.valid) throw new NamePartInvalid(input, checked.part, checked.reason);
  return checked.reference;
}
