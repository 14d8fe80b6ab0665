// The report `modelfile name <input>` prints: one flat object with a fixed key order, built from the extended
// reference parser so that schemes and digests are understood while plain names validate exactly as in HEAD.
import { checkReference } from './reference';
import { displayShortest, type ParsedName } from './names';
import { manifestPath } from './paths';

/**
 * Keys appear in this order when serialised. `digest` is present when the input has an `@`; `path` (relative to
 * `manifests/`, always with '/') and `display` only when valid, `path` only when there is a name (not for a bare
 * `@digest`); `error` only when not valid.
 */
export interface NameReport {
  input: string;
  valid: boolean;
  scheme: string;
  host: string;
  namespace: string;
  model: string;
  tag: string;
  digest?: string;
  path?: string;
  display?: string;
  error?: string;
}

const NO_NAME: ParsedName = { scheme: '', host: '', namespace: '', model: '', tag: '' };

/** Describes `input` for users: its parts with defaults filled, and either where it is stored or why it is invalid. */
export function describeName(input: string): NameReport {
  const checked = checkReference(input);
  const scheme = checked.valid ? checked.reference.scheme : checked.scheme;
  const name = (checked.valid ? checked.reference.name : checked.name) ?? NO_NAME;
  const digest = checked.valid ? checked.reference.digest : checked.digest;

  const report: NameReport = {
    input,
    valid: checked.valid,
    scheme,
    host: name.host,
    namespace: name.namespace,
    model: name.model,
    tag: name.tag,
  };
  if (digest !== undefined) report.digest = digest;
  if (checked.valid) {
    const named = checked.reference.name;
    if (named !== undefined) report.path = manifestPath(named).join('/');
    const suffix = digest === undefined ? '' : `@${digest}`;
    report.display = named === undefined ? suffix : `${displayShortest(named)}${suffix}`;
  } else {
    report.error = checked.reason;
  }
  return report;
}
