// Registry errors: the typed errors of the registry client, and the decoder that turns an HTTP error response
// (Docker-registry `{"errors":[…]}`, Ollama `{"code","error"}`, plain text or HTML) into one of them. Bodies are
// read with a byte cap; a Content-Length is never trusted for reading.
import { ModelNotFound, StudioError, Unauthorized } from '../errors';

/** Most bytes of an error body that are read; the rest is discarded. */
export const ERROR_BODY_CAP = 64 * 1024;

/** A registry answered with an HTTP error that has no more specific type. */
export class RegistryError extends StudioError {
  /** For temporary errors: how long the registry asked us to wait (Retry-After), if it did. */
  retryAfterMs: number | undefined;

  constructor(
    /** HTTP status code. */
    readonly status: number,
    /** The registry's error code (e.g. `MANIFEST_INVALID`), when it sent one. */
    readonly registryCode: string | undefined,
    /** The registry's own message (sanitised, shortened), possibly empty. */
    readonly detail: string,
    /** True for 5xx and 429: the same request may succeed later. */
    readonly temporary: boolean,
    message: string,
  ) {
    super('RegistryError', message);
  }
}

/** Something the registry sent is larger than this client accepts (a manifest, a token, an error body). */
export class TooLarge extends StudioError {
  constructor(
    readonly what: string,
    readonly limit: number,
  ) {
    super('TooLarge', `${what} is larger than ${limit} bytes; it is refused (is this really an Ollama registry?)`);
  }
}

/** The connection failed, was reset or ended early. Temporary unless the cause is permanent (TLS, DNS). */
export class TransportError extends StudioError {
  constructor(
    readonly host: string,
    reason: string,
    readonly temporary: boolean,
    hint: string,
    options?: { cause?: unknown },
  ) {
    super('TransportError', `connection to ${host} failed: ${reason}; ${hint}`, options);
  }
}

/** No data arrived for longer than the stall timeout. Always temporary. */
export class Stalled extends StudioError {
  readonly temporary = true;
  constructor(
    readonly host: string,
    readonly timeoutMs: number,
  ) {
    super(
      'Stalled',
      `no data from ${host} for ${Math.round(timeoutMs / 100) / 10} s; check the network and run the command again (downloads resume)`,
    );
  }
}

/** A chain of redirects longer than the client follows. */
export class TooManyRedirects extends StudioError {
  constructor(
    readonly host: string,
    readonly limit: number,
  ) {
    super('TooManyRedirects', `maximum redirects exceeded (${limit}) starting at ${host}; the registry or its CDN is misconfigured`);
  }
}

/** No Ollama key file where one was expected. */
export class KeyMissing extends StudioError {
  constructor(readonly file: string) {
    super(
      'KeyMissing',
      `${file}: no Ollama key found; run \`ollama serve\` once, or let this tool create a key, then add the public key to your ollama.com account`,
    );
  }
}

/** An authentication challenge the client cannot or must not answer (bad realm, realm on another host, …). */
export class AuthChallengeInvalid extends StudioError {
  constructor(message: string) {
    super('AuthChallengeInvalid', message);
  }
}

/** A private key file that cannot be used (wrong type, encrypted, damaged). */
export class KeyInvalid extends StudioError {
  constructor(
    readonly file: string,
    reason: string,
    hint: string,
  ) {
    super('KeyInvalid', `${file}: ${reason}; ${hint}`);
  }
}

/** What the failed request was for; chooses the error type and the advice in its message. */
export interface ErrorContext {
  /** Registry host[:port], as in the model name. */
  host: string;
  /** `namespace/model`. */
  repository: string;
  /** What was asked for. */
  operation: 'manifest' | 'blob' | 'upload' | 'push-manifest' | 'token' | 'other';
  /** A tag or digest for manifests, a digest for blobs. */
  reference?: string;
  /** Whether the request needed push access (for 401/403 advice). */
  push?: boolean;
  /** The `error` parameter of the last WWW-Authenticate challenge (`insufficient_scope`, `invalid_token`…). */
  challengeError?: string;
  /** True if the request carried credentials or a token that was refused. */
  authenticated?: boolean;
}

/** The parts of a registry error body the client uses. */
export interface DecodedBody {
  code: string | undefined;
  message: string;
}

const MAX_DETAIL = 300;

/** Collapses whitespace, removes control characters and HTML tags, and shortens the text for a message. */
function cleanText(text: string): string {
  let t = text;
  if (/^\s*</.test(t)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(t);
    t = title ? title[1] : t.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/gi, ' ').replace(/<[^>]*>/g, ' ');
  }
  // eslint-disable-next-line no-control-regex
  t = t.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length > MAX_DETAIL ? `${t.slice(0, MAX_DETAIL)}…` : t;
}

function stringField(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** Decodes an error body in any of the formats registries use; never throws. */
export function decodeErrorBody(body: Uint8Array): DecodedBody {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const o = parsed as Record<string, unknown>;
        const errors = o['errors'];
        if (Array.isArray(errors) && errors.length > 0) {
          const first: unknown = errors[0];
          if (first !== null && typeof first === 'object') {
            const e = first as Record<string, unknown>;
            const code = stringField(e, 'code');
            const message = stringField(e, 'message') ?? '';
            return { code, message: cleanText(message) };
          }
        }
        const code = stringField(o, 'code');
        const message = stringField(o, 'error') ?? stringField(o, 'message');
        if (code !== undefined || message !== undefined) return { code, message: cleanText(message ?? '') };
      }
    } catch {
      // Not JSON after all: fall through to the raw text.
    }
  }
  return { code: undefined, message: cleanText(text) };
}

function describe(ctx: ErrorContext): string {
  switch (ctx.operation) {
    case 'manifest':
      return `manifest ${ctx.repository}${ctx.reference ? `:${ctx.reference}` : ''}`;
    case 'blob':
      return `blob ${ctx.reference ?? ''} of ${ctx.repository}`;
    case 'upload':
      return `upload to ${ctx.repository}`;
    case 'push-manifest':
      return `manifest push to ${ctx.repository}`;
    case 'token':
      return `token request for ${ctx.repository}`;
    default:
      return ctx.repository;
  }
}

function namespaceOf(repository: string): string {
  const slash = repository.indexOf('/');
  return slash < 0 ? repository : repository.slice(0, slash);
}

/** The Unauthorized error for a refused request, with the advice that fits what was asked for. */
export function unauthorizedFor(ctx: ErrorContext, registryMessage = ''): Unauthorized {
  const reason = ctx.challengeError === 'insufficient_scope' ? 'insufficient scope' : registryMessage;
  const why = reason ? ` (${reason})` : '';
  if (ctx.push) {
    return new Unauthorized(
      `you are not authorized to push to ${namespaceOf(ctx.repository)} on ${ctx.host}${why}: ` +
        `create the model under a namespace you own, and check that your key or credentials for ${ctx.host} are set up`,
    );
  }
  if (ctx.authenticated) {
    return new Unauthorized(
      `access to ${ctx.repository} on ${ctx.host} was denied${why}: check that the credentials for ${ctx.host} ` +
        'are right and allowed to pull this model',
    );
  }
  return new Unauthorized(
    `${ctx.host} requires you to log in to pull ${ctx.repository}${why}: set MODELFILE_REGISTRY_USER and ` +
      `MODELFILE_REGISTRY_PASSWORD, or run \`docker login ${ctx.host}\``,
  );
}

/**
 * Turns an error response into a typed error. `body` is at most ERROR_BODY_CAP bytes (see readCapped);
 * `status` must be ≥ 400.
 */
export function decodeRegistryError(status: number, body: Uint8Array, ctx: ErrorContext): StudioError {
  const { code, message } = decodeErrorBody(body);
  const upperCode = code?.toUpperCase();
  const target = `${ctx.host}/${ctx.repository}${ctx.reference && ctx.operation === 'manifest' ? `:${ctx.reference}` : ''}`;

  if (upperCode === 'MANIFEST_UNKNOWN' || upperCode === 'NAME_UNKNOWN' || (status === 404 && ctx.operation === 'manifest')) {
    const plainText = code === undefined && status === 404;
    const hint =
      plainText && /[A-Z]/.test(ctx.repository)
        ? `the registry has no repository ${ctx.repository}; this registry only knows lower-case repository names, so check the spelling and case`
        : `the registry ${ctx.host} has no such model or tag; check the spelling, or push it first`;
    return new ModelNotFound(target, hint);
  }
  if (status === 401 || status === 403 || upperCode === 'UNAUTHORIZED' || upperCode === 'DENIED') {
    return unauthorizedFor(ctx, message);
  }
  const temporary = status >= 500 || status === 429;
  let next: string;
  if (temporary) next = 'the registry is busy or failing; try again later';
  else if (upperCode === 'BLOB_UNKNOWN' || (status === 404 && ctx.operation === 'blob'))
    next = 'the registry lacks a blob that the manifest lists; the model on the registry is incomplete, ask its owner to push it again';
  else if (upperCode === 'MANIFEST_INVALID' && ctx.operation === 'manifest')
    next = 'the registry could not serve this manifest in Docker v2 schema 2 format';
  else if (upperCode === 'BLOB_UPLOAD_UNKNOWN') next = 'the upload session expired; push again';
  else if (status === 413) next = 'the registry refuses content this large';
  else next = 'check the model name and the registry address';
  const parts = [`registry ${ctx.host} responded with status ${status} to the ${describe(ctx)}`];
  if (code) parts.push(`code ${code}`);
  if (message) parts.push(message);
  return new RegistryError(status, code, message, temporary, `${parts.join(': ')}; ${next}`);
}

/** True if retrying the same request may help: 5xx/429 answers, resets, stalls. */
export function isTemporary(err: unknown): boolean {
  if (err instanceof RegistryError || err instanceof TransportError || err instanceof Stalled) return err.temporary;
  return false;
}

/** A blob the local manifest lists is missing from `blobs/` or has the wrong size, so the model cannot be pushed. */
export class LayerMissing extends StudioError {
  constructor(
    readonly model: string,
    readonly digest: string,
    /** What the blob is, e.g. "model layer", "template layer", "config". */
    readonly what: string,
    readonly problem: 'missing' | 'wrong size' | 'changed',
  ) {
    const how =
      problem === 'missing' ? 'is missing from' : problem === 'wrong size' ? 'has the wrong size in' : 'changed in';
    super(
      'LayerMissing',
      `cannot push ${model}: its ${what} ${digest} ${how} the models directory; ` +
        `run \`modelfile pull ${model}\` to fetch the model again, or re-create it with \`modelfile create\``,
    );
  }
}

/** The file system holding the models directory has no room (ENOSPC/EDQUOT) for what a transfer must write. */
export class DiskFull extends StudioError {
  constructor(
    /** Bytes that were still needed, when known. */
    readonly needed: number | undefined,
    /** Bytes free when the problem was seen, when known. */
    readonly available: number | undefined,
    what: string,
  ) {
    const amounts =
      needed !== undefined && available !== undefined ? ` (${formatBytes(needed)} needed, ${formatBytes(available)} free)` : '';
    super(
      'DiskFull',
      `not enough disk space in the models directory for ${what}${amounts}; free some space (for example ` +
        '`modelfile rm` or `modelfile prune`) and run the command again — finished blobs and partial downloads are kept',
    );
  }
}

/** Bytes for people: 1.5 GB, 320 MB, 12 kB, 999 B (decimal units, as Ollama prints them). */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}
