// Errors specific to model names: which part of a name or reference is wrong (a NameInvalid that callers can still
// catch as such), and the conflicting `:local`/`:cloud` source suffixes.
import { NameInvalid, StudioError } from '../errors';
import type { NamePart } from './names';

/** Every piece of an extended reference `scheme://host/namespace/model:tag@digest` that can be wrong. */
export type ReferencePart = NamePart | 'scheme' | 'digest';

/** A NameInvalid that also says which part is wrong; `code` stays "NameInvalid". */
export class NamePartInvalid extends NameInvalid {
  constructor(
    input: string,
    readonly part: ReferencePart,
    reason: string,
  ) {
    super(input, reason);
  }
}

/** A reference that carries both a `:local` and a `:cloud` style suffix; the message is Ollama's own. */
export class SourceSuffixConflict extends StudioError {
  constructor(readonly input: string) {
    super('SourceSuffixConflict', `use either :local or :cloud, not both: ${JSON.stringify(input)}`);
  }
}
