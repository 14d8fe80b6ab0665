// Typed errors of the core library. Every error names the problem and, where one exists, the user's next step;
// callers test for a kind with `instanceof` or by its stable `code`, never by parsing the message.

/** Base class of every error the core throws on purpose. */
export class StudioError extends Error {
  /** A stable identifier, e.g. "NameInvalid"; safe to switch on. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = code;
  }
}

/** A model name that does not follow Ollama's grammar. `reason` says which part is wrong and why. */
export class NameInvalid extends StudioError {
  constructor(
    readonly input: string,
    readonly reason: string,
  ) {
    super('NameInvalid', `invalid model name "${input}": ${reason}`);
  }
}

/** A digest that is not `sha256:<64 hex>` (or `sha256-<64 hex>`). */
export class DigestInvalid extends StudioError {
  constructor(readonly input: string) {
    super('DigestInvalid', `invalid digest: "${input}": expected sha256:<64 hexadecimal digits>`);
  }
}

/** A Modelfile that Ollama's parser or create step rejects; `message` is Ollama's own text where it has one. */
export class ModelfileInvalid extends StudioError {
  constructor(message: string) {
    super('ModelfileInvalid', message);
  }
}

/** A model that is not in the models directory (or not in the registry). */
export class ModelNotFound extends StudioError {
  constructor(
    readonly model: string,
    hint = 'check the name with `modelfile list`, or pull it first',
  ) {
    super('ModelNotFound', `model '${model}' not found: ${hint}`);
  }
}

/** Content whose SHA-256 is not the one it was announced with. */
export class DigestMismatch extends StudioError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super('DigestMismatch', `digest mismatch, file must be downloaded again: want ${expected}, got ${actual}`);
  }
}

/** Fewer bytes than announced. */
export class Incomplete extends StudioError {
  constructor(
    readonly received: number,
    readonly expected: number,
    what = 'data',
  ) {
    super('Incomplete', `incomplete ${what}: received ${received}/${expected} bytes; run the command again to resume`);
  }
}

/** A registry or key refused access. */
export class Unauthorized extends StudioError {
  constructor(message: string) {
    super('Unauthorized', message);
  }
}

/** A manifest that is not valid JSON or lacks what Ollama needs. */
export class ManifestInvalid extends StudioError {
  constructor(
    readonly where: string,
    reason: string,
  ) {
    super('ManifestInvalid', `invalid manifest ${where}: ${reason}`);
  }
}

/** A GGUF file that is truncated, hostile or not GGUF at all. */
export class GgufInvalid extends StudioError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('GgufInvalid', `${file}: not a valid GGUF file: ${reason}`);
  }
}

/** An operation stopped by its AbortSignal. */
export class Cancelled extends StudioError {
  constructor(what = 'operation') {
    super('Cancelled', `${what} cancelled`);
  }
}
