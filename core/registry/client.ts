// The registry client: one object with a few documented knobs that speaks the Docker-Registry-v2 endpoints Ollama
// uses (spec §5.1) over undici. It owns the name → base URL rule, manual redirects (Authorization never leaves the
// origin it was meant for), 401 → authentication → one retry, retries with backoff and jitter for temporary
// failures, the stall timeout, byte caps on everything it buffers, and the trace hook. Pull and push build on it:
// push uses the upload calls (PATCH parts, the upload-status GET, the final PUT, redirected part PUTs, the manifest
// PUT), which are sent once each — a half-sent part changes the registry's session, so push decides what to retry.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { Agent, request, type Dispatcher } from 'undici';
import { Cancelled, DigestMismatch, NameInvalid, StudioError } from '../errors';
import { checkNamePart, parseDigest } from '../names';
import { Authenticator, type AuthEvent, type AuthFlow } from './auth/authenticator';
import { noCredentials, type CredentialsProvider } from './auth/credentials';
import { repositoryScope } from './auth/docker-auth';
import { readKeyFile, type Ed25519KeyPair } from './auth/openssh-key';
import { discard, readCapped, sleep, type ResponseBody } from './body';
import type { DirectTarget } from './range-writer';
import {
  ERROR_BODY_CAP,
  RegistryError,
  Stalled,
  TooLarge,
  TooManyRedirects,
  TransportError,
  decodeErrorBody,
  decodeRegistryError,
  isTemporary,
  type ErrorContext,
} from './errors';

/** What the client needs of a model name: where it lives. `ParsedName` from core/names fits. */
export interface RegistryRepository {
  /** `http`, `https` (default) or `https+insecure`. */
  readonly scheme?: string;
  /** host[:port]. */
  readonly host: string;
  readonly namespace: string;
  readonly model: string;
}

/** Media types a manifest GET accepts: Docker v2 schema 2 (what Ollama stores) and its OCI twin. */
export const MANIFEST_ACCEPT = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

/** Something that happened on the wire, for logs and progress; URLs carry no query string. */
export type TraceEvent =
  | { type: 'request'; method: string; url: string; attempt: number }
  | { type: 'response'; method: string; url: string; status: number }
  | { type: 'redirect'; from: string; to: string; authorizationDropped: boolean }
  | { type: 'retry'; method: string; url: string; attempt: number; delayMs: number; reason: string }
  | ({ type: 'auth' } & AuthEvent);

export interface RegistryClientOptions {
  /** host[:port] entries spoken to over plain http (and allowed to receive credentials over it). */
  insecureHosts?: readonly string[];
  /**
   * Parallel transfers per blob (pull; push to a registry that redirects parts). Default DEFAULT_STREAMS (8): Ollama
   * uses 16; on a local registry 2 to 8 pull equally fast (bench/pull.bench.ts), and more help with CDNs.
   */
  streams?: number;
  /**
   * Part size for ranged transfers in bytes; default for pulls total/256 clamped to 32 MiB–1 GB, for pushes
   * Ollama's total/16 clamped to 100 MB–1 GB (see parts.ts).
   */
  partSize?: number;
  /** A request whose headers or body bytes do not arrive for this long fails as Stalled (temporary). Default 30 s. */
  stallTimeoutMs?: number;
  /** Sent with every registry request. Default `ollama/<version> (<arch> <os>) modelfile-studio`. */
  userAgent?: string;
  /** Where user names and passwords come from (Basic auth and Docker token services). Default: none. */
  credentials?: CredentialsProvider;
  /** Ollama's signing key, loaded when a host needs the signed flow. Default: ~/.ollama/id_ed25519. */
  ollamaKey?: () => Promise<Ed25519KeyPair>;
  /** Per-host choice of the bearer flow; see auth/authenticator.ts for the default rule. */
  authFlows?: Readonly<Record<string, AuthFlow>>;
  /** Extra certificate authorities (PEM) trusted for https, in addition to Node's. */
  ca?: string | readonly string[];
  /** Called for every request, response, redirect, retry and authentication. Must not throw. */
  trace?: (event: TraceEvent) => void;
  /** Retries after the first attempt for temporary failures. Default 6. */
  retries?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 1000 ms. */
  retryBaseMs?: number;
  /** Longest backoff delay (also caps Retry-After). Default 32 s. */
  retryMaxMs?: number;
  /** Largest manifest accepted. Default 4 MiB. */
  maxManifestBytes?: number;
  /** Use this dispatcher for everything instead of the client's own agents (tests, proxies). */
  dispatcher?: Dispatcher;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** A fetched manifest, exactly as received. */
export interface ManifestResult {
  bytes: Buffer;
  /** `sha256:<hex>` of `bytes` (the model ID once stored). */
  digest: string;
  /** The Content-Type the registry sent. */
  mediaType: string | undefined;
}

/** An inclusive byte range; `end` omitted means "to the end". */
export interface ByteRange {
  start: number;
  end?: number;
}

/** An open blob download. Consume `body` fully or call `cancel()`. */
export interface BlobDownload {
  /** 200 (whole blob) or 206 (the requested range). */
  status: number;
  /** Offset in the blob of the first body byte (0 when the server ignored the range). */
  start: number;
  /** Bytes the body announces (Content-Length), if given. Not trusted: count what arrives. */
  length: number | undefined;
  /** Total blob size, if the server said (Content-Range total, or Content-Length of a 200). */
  total: number | undefined;
  /** The final URL after redirects (may carry a CDN's signed query; never log it). */
  url: string;
  /** The data; errors are typed (Stalled, TransportError, Cancelled). */
  body: AsyncIterable<Buffer>;
  cancel(): void;
}

/** Whether a blob is in the repository. */
export interface BlobPresence {
  exists: boolean;
  size: number | undefined;
}

/** The start of an upload: either mounted from another repository, or a session URL to send data to. */
export type UploadStart = { mounted: true } | { mounted: false; location: URL };

/** Upload data that can be sent again: a factory that opens a fresh stream of exactly `length` bytes. */
export interface UploadBody {
  length: number;
  open: () => Readable;
}

/** What the registry said to one PATCH of an upload session. */
export interface UploadPartResult {
  /** Where the next part (or the final PUT) goes: Docker-Upload-Location, else Location. */
  next: URL;
  /**
   * Set when the registry answered 307 (Ollama's `X-Redirect-Uploads: 1`): the part's bytes must be PUT to this
   * URL instead (no Authorization), and the next part may start at once.
   */
  redirect?: URL;
}

/** Parallel transfers per blob unless told otherwise (the CLI's --streams and the extension's setting too). */
export const DEFAULT_STREAMS = 8;
const MAX_REDIRECTS = 10;
const TOKEN_REPLY_CAP = 64 * 1024;
const DEFAULT_MANIFEST_CAP = 4 * 1024 * 1024;

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Headers = Record<string, string | string[] | undefined>;

/** One logical request; the client may send it several times (auth, redirects, retries). */
interface Exchange {
  method: Method;
  url: URL;
  repository: string;
  push: boolean;
  headers?: Record<string, string>;
  /** Replayable: bytes, or a factory that opens a fresh stream per attempt. */
  body?: Uint8Array | (() => Readable);
  followRedirects: boolean;
  dispatcher: Dispatcher;
  signal?: AbortSignal;
}

interface ExchangeResult {
  response: Dispatcher.ResponseData;
  /** Whether the last request carried an Authorization header. */
  authenticated: boolean;
  /** The `error` parameter of the last challenge, if any. */
  challengeError: string | undefined;
  url: URL;
}

function goArch(): string {
  const map: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };
  return map[process.arch] ?? process.arch;
}

function goOs(): string {
  return process.platform === 'win32' ? 'windows' : process.platform;
}

/** The default User-Agent: Ollama's `ollama/<version> (<arch> <os>)` prefix (registries gate on it), then ours. */
export function defaultUserAgent(): string {
  return `ollama/0.33.0 (${goArch()} ${goOs()}) modelfile-studio`;
}

/** The URL without query or fragment: what trace events show. */
export function redactUrl(url: URL | string): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  return `${u.origin}${u.pathname}`;
}

export function headerValue(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

const TEMPORARY_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

function errorCode(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return undefined;
}

function firstCode(err: unknown): string | undefined {
  const own = errorCode(err);
  const cause = err !== null && typeof err === 'object' ? (err as { cause?: unknown }).cause : undefined;
  const inner = errorCode(cause);
  // undici wraps the real socket problem; the cause is more telling than UND_ERR_SOCKET.
  if (own === 'UND_ERR_SOCKET' && inner) return inner;
  return own ?? inner;
}

/** Splits a Content-Range `bytes a-b/total` into numbers. */
function parseContentRange(value: string | undefined): { start: number; end: number; total: number | undefined } | undefined {
  if (!value) return undefined;
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(value.trim());
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

function parseLength(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** Retry-After in ms (seconds or an HTTP date), if present and sensible. */
function retryAfterMs(headers: Headers): number | undefined {
  const v = headerValue(headers, 'retry-after');
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * A registry client. Create one per operation or keep one for the session (it caches tokens); call `close()`
 * when done to free connections.
 */
export class RegistryClient {
  readonly streams: number;
  readonly partSize: number | undefined;
  readonly stallTimeoutMs: number;
  readonly userAgent: string;
  private readonly insecureHosts: Set<string>;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly maxManifestBytes: number;
  private readonly auth: Authenticator;
  private readonly trace: (event: TraceEvent) => void;
  private readonly ownAgents: Agent[] = [];
  private verifyingAgent: Dispatcher | undefined;
  private insecureAgent: Dispatcher | undefined;

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.streams = Math.max(1, Math.floor(options.streams ?? DEFAULT_STREAMS));
    this.partSize = options.partSize;
    this.stallTimeoutMs = options.stallTimeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? defaultUserAgent();
    this.insecureHosts = new Set((options.insecureHosts ?? []).map((h) => h.toLowerCase()));
    this.retries = Math.max(0, Math.floor(options.retries ?? 6));
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.retryMaxMs = options.retryMaxMs ?? 32_000;
    this.maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MANIFEST_CAP;
    const userTrace = options.trace;
    this.trace = (event) => {
      if (!userTrace) return;
      try {
        userTrace(event);
      } catch {
        // A broken trace hook must not break a transfer.
      }
    };
    this.auth = new Authenticator({
      credentials: options.credentials ?? noCredentials,
      ollamaKey: options.ollamaKey ?? (() => readKeyFile()),
      authFlows: options.authFlows,
      fetchToken: (url, headers, ctx) => this.fetchToken(url, headers, ctx.signal, ctx.dispatcher),
      mayCarryCredentials: (url) => this.mayCarryCredentials(url),
      onAuth: (event) => this.trace({ type: 'auth', ...event }),
    });
  }

  /** Retries after the first attempt that the client (and pull/push per part) allows for temporary failures. */
  get maxRetries(): number {
    return this.retries;
  }

  /** The delay before retry number `n` (0-based): exponential from retryBaseMs, capped, with jitter (50–100 %). */
  backoffMs(n: number): number {
    const exp = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** Math.min(n, 30));
    return exp / 2 + Math.random() * (exp / 2);
  }

  /** Maps any failure (undici, Node, ours) to the client's typed errors, as every client method does. */
  toTypedError(err: unknown, host: string, signal?: AbortSignal): StudioError {
    return this.typedError(err, host, signal);
  }

  /** Frees the client's connections. Pending requests fail. */
  async close(): Promise<void> {
    await Promise.all(this.ownAgents.map((a) => a.close().catch(() => undefined)));
    this.ownAgents.length = 0;
    this.verifyingAgent = undefined;
    this.insecureAgent = undefined;
  }

  /**
   * The base URL of a repository's registry and whether TLS verification is off. https by default; http for an
   * `http` scheme or a host in `insecureHosts`; `https+insecure` speaks https without verifying the certificate.
   */
  endpoint(repo: RegistryRepository): { base: URL; verifyTls: boolean } {
    const hostProblem = checkNamePart('host', repo.host);
    if (hostProblem) throw new NameInvalid(repo.host, hostProblem);
    const scheme = (repo.scheme ?? '').toLowerCase();
    let protocol: 'http' | 'https';
    let verifyTls = true;
    if (scheme === 'http') protocol = 'http';
    else if (scheme === 'https+insecure') {
      protocol = 'https';
      verifyTls = false;
    } else if (scheme === '' || scheme === 'https') protocol = this.insecureHosts.has(repo.host.toLowerCase()) ? 'http' : 'https';
    else {
      throw new NameInvalid(
        `${repo.scheme ?? ''}://${repo.host}`,
        `unsupported scheme: "${repo.scheme ?? ''}": supported schemes are http, https, https+insecure`,
      );
    }
    return { base: new URL(`${protocol}://${repo.host}`), verifyTls };
  }

  /** `namespace/model`, validated (these parts go into URL paths). */
  repositoryPath(repo: RegistryRepository): string {
    for (const part of ['namespace', 'model'] as const) {
      const problem = checkNamePart(part, repo[part]);
      if (problem) throw new NameInvalid(`${repo.namespace}/${repo.model}`, problem);
    }
    return `${repo.namespace}/${repo.model}`;
  }

  /** The URL of a blob in a repository. */
  blobUrl(repo: RegistryRepository, digest: string): URL {
    const d = parseDigest(digest);
    return new URL(`/v2/${this.repositoryPath(repo)}/blobs/${d}`, this.endpoint(repo).base);
  }

  /**
   * GET a manifest by tag or digest, with the Accept header the registry needs, capped at `maxManifestBytes`
   * (a larger manifest is refused without reading it). By digest, the bytes are checked against it; by tag,
   * against the Docker-Content-Digest the registry announces, when it does.
   */
  async getManifest(repo: RegistryRepository, reference: string, options: CallOptions = {}): Promise<ManifestResult> {
    const ref = this.manifestReference(reference);
    const repository = this.repositoryPath(repo);
    const { base } = this.endpoint(repo);
    const url = new URL(`/v2/${repository}/manifests/${ref}`, base);
    const ctx: ErrorContext = { host: repo.host, repository, operation: 'manifest', reference: ref };
    const spec = { method: 'GET', url, repository, push: false, headers: { accept: MANIFEST_ACCEPT }, followRedirects: true } as const;
    return this.call(repo, spec, options.signal, async (result) => {
      const { response } = result;
      if (response.statusCode >= 300) throw await this.errorFrom(result, ctx);
      const declared = parseLength(headerValue(response.headers, 'content-length'));
      if (declared !== undefined && declared > this.maxManifestBytes) {
        response.body.destroy();
        throw new TooLarge(`the manifest of ${repository}:${ref}`, this.maxManifestBytes);
      }
      const bytes = await this.guardBody(repo.host, options.signal, () =>
        readCapped(response.body, this.maxManifestBytes, `the manifest of ${repository}:${ref}`),
      );
      const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      if (ref.startsWith('sha256:') && digest !== ref) throw new DigestMismatch(ref, digest);
      // By tag, the registry's Docker-Content-Digest is the only check the bytes get: damage in transit that still
      // parses as JSON would otherwise be stored as the model's manifest. A mismatch is retried.
      const announced = headerValue(response.headers, 'docker-content-digest')?.trim().toLowerCase();
      if (announced !== undefined && /^sha256:[0-9a-f]{64}$/.test(announced) && announced !== digest) {
        throw new RegistryError(
          response.statusCode,
          'DIGEST_INVALID',
          '',
          true,
          `the manifest of ${repository}:${ref} from ${repo.host} arrived damaged (its SHA-256 is not the ${announced} the registry announced); try again`,
        );
      }
      return { bytes, digest, mediaType: headerValue(response.headers, 'content-type') };
    });
  }

  /**
   * HEAD a blob (following redirects, as Ollama does): exists and size. With `push`, the request asks for push
   * access (one token serves the whole push) and a refusal carries the push advice.
   */
  async headBlob(repo: RegistryRepository, digest: string, options: CallOptions & { push?: boolean } = {}): Promise<BlobPresence> {
    const url = this.blobUrl(repo, digest);
    const repository = this.repositoryPath(repo);
    const push = options.push === true;
    const ctx: ErrorContext = { host: repo.host, repository, operation: 'blob', reference: parseDigest(digest), push };
    const spec = { method: 'HEAD', url, repository, push, followRedirects: true } as const;
    return this.call(repo, spec, options.signal, async (result) => {
      const { response } = result;
      if (response.statusCode === 404) {
        await discard(response.body);
        return { exists: false, size: undefined };
      }
      if (response.statusCode >= 300) throw await this.errorFrom(result, ctx);
      await discard(response.body);
      return { exists: true, size: parseLength(headerValue(response.headers, 'content-length')) };
    });
  }

  /**
   * GET a blob, or an inclusive byte range of it, following redirects (Authorization is dropped when a redirect
   * leaves the registry's origin). Retries until the response headers arrive; a failure while reading the body
   * is thrown from the body iterator as a typed error and is the caller's to retry from where it got to.
   */
  async getBlob(repo: RegistryRepository, digest: string, range?: ByteRange, options: CallOptions = {}): Promise<BlobDownload> {
    const url = this.blobUrl(repo, digest);
    const repository = this.repositoryPath(repo);
    const ctx: ErrorContext = { host: repo.host, repository, operation: 'blob', reference: parseDigest(digest) };
    const headers: Record<string, string> = {};
    if (range) headers['range'] = `bytes=${range.start}-${range.end ?? ''}`;
    const spec = { method: 'GET', url, repository, push: false, headers, followRedirects: true } as const;
    return this.call(repo, spec, options.signal, async (result) => {
      const { response } = result;
      if (response.statusCode !== 200 && response.statusCode !== 206) throw await this.errorFrom(result, ctx);
      const length = parseLength(headerValue(response.headers, 'content-length'));
      let start = 0;
      let total: number | undefined;
      if (response.statusCode === 206) {
        const cr = parseContentRange(headerValue(response.headers, 'content-range'));
        if (!cr || (range && cr.start !== range.start)) {
          response.body.destroy();
          throw new RegistryError(
            206,
            undefined,
            '',
            true,
            `registry ${repo.host} answered a range request for ${ctx.reference ?? ''} with a different range; try again`,
          );
        }
        start = cr.start;
        total = cr.total;
      } else {
        total = length;
      }
      const body = response.body;
      return {
        status: response.statusCode,
        start,
        length,
        total,
        url: result.url.href,
        body: this.typedBody(body, repo.host, options.signal),
        cancel: () => {
          body.destroy();
        },
      };
    });
  }

  /**
   * Where a pull can fetch a blob's ranges directly (range-writer.ts): GETs its first byte — following redirects
   * and authenticating — and returns the URL that answered with the headers to send there (Authorization only when
   * it is the registry's own origin) and the blob size it gave. Undefined when the server does not answer ranges,
   * or when the client was given a dispatcher (whose routing the direct path could not follow).
   */
  async directBlobTarget(
    repo: RegistryRepository,
    digest: string,
    options: CallOptions = {},
  ): Promise<{ target: DirectTarget; status: number; total: number | undefined } | undefined> {
    if (this.options.dispatcher) return undefined;
    const download = await this.getBlob(repo, digest, { start: 0, end: 0 }, options);
    try {
      for await (const chunk of download.body) void chunk; // one byte; reading it frees the connection
    } catch {
      // The byte is not needed; a broken body here says nothing about the parts.
    }
    if (download.status !== 206) return undefined;
    const url = new URL(download.url);
    const headers: Record<string, string> = { 'user-agent': this.userAgent };
    if (url.origin === this.blobUrl(repo, digest).origin) {
      const authorization = this.auth.authorization(url.host, repositoryScope(this.repositoryPath(repo), false));
      if (authorization) headers['authorization'] = authorization;
    }
    const { verifyTls } = this.endpoint(repo);
    const extra = this.extraCa();
    return {
      target: { url: url.href, headers, rejectUnauthorized: verifyTls, ca: extra.length > 0 ? [...rootCertificates, ...extra] : undefined },
      status: download.status,
      total: download.total,
    };
  }

  /**
   * POST to start a blob upload (push scope). With `mount`, asks the registry to mount the blob from another
   * repository; 201 means mounted, otherwise the session URL comes from Docker-Upload-Location or Location.
   */
  async startUpload(
    repo: RegistryRepository,
    options: CallOptions & { mount?: { digest: string; from: string } } = {},
  ): Promise<UploadStart> {
    const repository = this.repositoryPath(repo);
    const url = new URL(`/v2/${repository}/blobs/uploads/`, this.endpoint(repo).base);
    if (options.mount) {
      url.searchParams.set('mount', parseDigest(options.mount.digest));
      url.searchParams.set('from', options.mount.from);
    }
    const ctx: ErrorContext = { host: repo.host, repository, operation: 'upload', push: true };
    const spec = { method: 'POST', url, repository, push: true, headers: { 'content-length': '0' }, followRedirects: false } as const;
    return this.call(repo, spec, options.signal, async (result) => {
      const { response } = result;
      if (response.statusCode === 201) {
        await discard(response.body);
        return { mounted: true };
      }
      if (response.statusCode !== 202) throw await this.errorFrom(result, ctx);
      await discard(response.body);
      const location = headerValue(response.headers, 'docker-upload-location') ?? headerValue(response.headers, 'location');
      if (!location) {
        throw new RegistryError(202, undefined, '', false, `registry ${repo.host} started an upload but sent no upload URL; it is not a Docker v2 registry`);
      }
      return { mounted: false, location: new URL(location, result.url) };
    });
  }

  /**
   * PATCH one part of an upload session (spec §5.4): `Content-Range: <start>-<end>` without `bytes `, the
   * octet-stream type and `X-Redirect-Uploads: 1`. Sent once: the caller decides what to retry (see
   * `uploadStatus`), because a part that reached the registry only in part has changed the session.
   */
  async patchUpload(
    repo: RegistryRepository,
    location: URL,
    range: { start: number; end: number },
    body: () => Readable,
    options: CallOptions = {},
  ): Promise<UploadPartResult> {
    const repository = this.repositoryPath(repo);
    const ctx: ErrorContext = { host: repo.host, repository, operation: 'upload', push: true };
    const headers = {
      'content-type': 'application/octet-stream',
      'content-length': String(range.end - range.start + 1),
      'content-range': `${range.start}-${range.end}`,
      'x-redirect-uploads': '1',
    };
    const spec = { method: 'PATCH', url: location, repository, push: true, headers, body, followRedirects: false } as const;
    return this.call(
      repo,
      spec,
      options.signal,
      async (result) => {
        const { response } = result;
        const status = response.statusCode;
        if (status !== 202 && status !== 204 && status !== 307) throw await this.errorFrom(result, ctx);
        await discard(response.body);
        const uploadLocation = headerValue(response.headers, 'docker-upload-location');
        const location = headerValue(response.headers, 'location');
        if (status === 307) {
          if (!location || !uploadLocation) {
            throw new RegistryError(307, undefined, '', false, `registry ${repo.host} redirected an upload part without both upload URLs; it does not follow the upload protocol`);
          }
          return { next: new URL(uploadLocation, result.url), redirect: new URL(location, result.url) };
        }
        const next = uploadLocation ?? location;
        if (!next) throw new RegistryError(status, undefined, '', false, `registry ${repo.host} accepted an upload part but sent no URL for the next one`);
        return { next: new URL(next, result.url) };
      },
      0,
    );
  }

  /**
   * Asks an upload session how many bytes it holds (GET on the session URL: 204 with `Range: 0-<last>`).
   * Undefined when the session is gone or the registry does not say (start a new one).
   */
  async uploadStatus(repo: RegistryRepository, location: URL, options: CallOptions = {}): Promise<{ received: number; next: URL } | undefined> {
    const repository = this.repositoryPath(repo);
    const spec = { method: 'GET', url: location, repository, push: true, followRedirects: false } as const;
    return this.call(repo, spec, options.signal, async (result) => {
      const { response } = result;
      await discard(response.body);
      if (response.statusCode >= 500 || response.statusCode === 429) {
        throw new RegistryError(response.statusCode, undefined, '', true, `registry ${repo.host} is busy; try again later`);
      }
      if (response.statusCode !== 204 && response.statusCode !== 200) return undefined;
      const m = /^\s*(?:bytes[ =])?0-(\d+)\s*$/i.exec(headerValue(response.headers, 'range') ?? '');
      if (!m) return undefined;
      // docker-registry says `0-0` for an empty session as well as for one byte; a wrong guess costs a restart
      // (the final PUT checks the digest), never a corrupt blob.
      const last = Number(m[1]);
      const next = headerValue(response.headers, 'docker-upload-location') ?? headerValue(response.headers, 'location');
      return { received: last === 0 ? 0 : last + 1, next: next ? new URL(next, result.url) : location };
    });
  }

  /**
   * Finishes an upload session: `PUT <location>?digest=<d>[&etag=<e>]`, with the whole blob as the body (a
   * one-request upload) or empty after PATCH parts. The empty PUT is retried like any request; a PUT with a body
   * is sent once (the caller starts a new session if it fails).
   */
  async finishUpload(
    repo: RegistryRepository,
    location: URL,
    digest: string,
    options: CallOptions & { etag?: string; body?: UploadBody } = {},
  ): Promise<void> {
    const repository = this.repositoryPath(repo);
    const canonical = parseDigest(digest);
    const ctx: ErrorContext = { host: repo.host, repository, operation: 'upload', reference: canonical, push: true };
    // Appended rather than re-serialised, so the session's own query (docker-registry's `_state`) stays as sent.
    let query = `digest=${encodeURIComponent(canonical)}`;
    if (options.etag !== undefined) query += `&etag=${encodeURIComponent(options.etag)}`;
    const url = new URL(`${location.href}${location.search ? '&' : '?'}${query}`);
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(options.body?.length ?? 0) };
    const spec = { method: 'PUT', url, repository, push: true, headers, body: options.body?.open, followRedirects: false } as const;
    await this.call(
      repo,
      spec,
      options.signal,
      async (result) => {
        const { response } = result;
        if (response.statusCode !== 201 && response.statusCode !== 204 && response.statusCode !== 200) throw await this.errorFrom(result, ctx);
        await discard(response.body);
      },
      options.body ? 0 : this.retries,
    );
  }

  /**
   * PUTs one part's bytes to the URL a registry redirected it to (spec §5.4: Content-Type and Content-Length only,
   * never Authorization — the URL is usually a signed storage URL). Sent once; the caller retries.
   */
  async putRedirectedPart(repo: RegistryRepository, url: URL, body: UploadBody, options: CallOptions = {}): Promise<void> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TransportError(repo.host, `upload redirect to an unsupported scheme ${url.protocol}`, false, 'the registry is misconfigured');
    }
    try {
      this.trace({ type: 'request', method: 'PUT', url: redactUrl(url), attempt: 0 });
      const response = await request(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
        body: body.open(),
        dispatcher: this.dispatcherFor(repo),
        signal: options.signal,
        headersTimeout: this.stallTimeoutMs,
        bodyTimeout: this.stallTimeoutMs,
      });
      this.trace({ type: 'response', method: 'PUT', url: redactUrl(url), status: response.statusCode });
      if (response.statusCode >= 300) {
        const text = await readCapped(response.body, ERROR_BODY_CAP, 'error body', 'truncate').catch(() => Buffer.alloc(0));
        const { message } = decodeErrorBody(text);
        const temporary = response.statusCode >= 500 || response.statusCode === 429;
        throw new RegistryError(
          response.statusCode,
          undefined,
          message,
          temporary,
          `the storage that ${repo.host} redirected an upload part to answered http status ${response.statusCode}${message ? `: ${message}` : ''}; ` +
            (temporary ? 'try again later' : 'push again'),
        );
      }
      await discard(response.body);
    } catch (err) {
      throw this.typedError(err, url.host, options.signal);
    }
  }

  /**
   * PUTs a manifest under a tag (push scope) with the Docker v2 schema 2 Content-Type. Returns the digest the
   * registry reports (Docker-Content-Digest), or the SHA-256 of the bytes sent.
   */
  async putManifest(repo: RegistryRepository, tag: string, bytes: Uint8Array, options: CallOptions = {}): Promise<{ digest: string }> {
    const ref = this.manifestReference(tag);
    const repository = this.repositoryPath(repo);
    const url = new URL(`/v2/${repository}/manifests/${ref}`, this.endpoint(repo).base);
    const ctx: ErrorContext = { host: repo.host, repository, operation: 'push-manifest', reference: ref, push: true };
    const headers = { 'content-type': DOCKER_MANIFEST_TYPE, 'content-length': String(bytes.byteLength) };
    const spec = { method: 'PUT', url, repository, push: true, headers, body: bytes, followRedirects: false } as const;
    return this.call(repo, spec, options.signal, async (result) => {
      const { response } = result;
      if (response.statusCode !== 201 && response.statusCode !== 200 && response.statusCode !== 202) throw await this.errorFrom(result, ctx);
      await discard(response.body);
      const sent = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      const reported = headerValue(response.headers, 'docker-content-digest');
      return { digest: reported && /^sha256:[0-9a-f]{64}$/.test(reported) ? reported : sent };
    });
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  private manifestReference(reference: string): string {
    if (reference.includes(':')) return parseDigest(reference);
    const problem = checkNamePart('tag', reference);
    if (problem) throw new NameInvalid(reference, problem);
    return reference;
  }

  private dispatcherFor(repo: RegistryRepository): Dispatcher {
    if (this.options.dispatcher) return this.options.dispatcher;
    const { verifyTls } = this.endpoint(repo);
    const timeouts = { headersTimeout: this.stallTimeoutMs, bodyTimeout: this.stallTimeoutMs };
    if (!verifyTls) {
      if (!this.insecureAgent) {
        const agent = new Agent({ ...timeouts, connect: { rejectUnauthorized: false } });
        this.ownAgents.push(agent);
        this.insecureAgent = agent;
      }
      return this.insecureAgent;
    }
    if (!this.verifyingAgent) {
      const extra = this.extraCa();
      const agent =
        extra.length > 0
          ? new Agent({ ...timeouts, connect: { ca: [...rootCertificates, ...extra] } })
          : new Agent(timeouts);
      this.ownAgents.push(agent);
      this.verifyingAgent = agent;
    }
    return this.verifyingAgent;
  }

  /** The certificate authorities trusted in addition to Node's. */
  private extraCa(): string[] {
    return this.options.ca === undefined ? [] : typeof this.options.ca === 'string' ? [this.options.ca] : [...this.options.ca];
  }

  /** Credentials may travel over https, or over http to a host the user listed as insecure or named with http://. */
  private mayCarryCredentials(url: URL): boolean {
    if (url.protocol === 'https:') return true;
    return this.insecureHosts.has(url.host.toLowerCase());
  }

  /** One logical request with retries: `handle` turns each attempt's response into a result or a typed error. */
  private call<T>(
    repo: RegistryRepository,
    spec: Omit<Exchange, 'dispatcher' | 'signal'>,
    signal: AbortSignal | undefined,
    handle: (result: ExchangeResult) => Promise<T>,
    retries = this.retries,
  ): Promise<T> {
    return this.withRetries(
      spec.method,
      spec.url,
      signal,
      async () => handle(await this.exchange({ ...spec, dispatcher: this.dispatcherFor(repo), signal })),
      retries,
    );
  }

  /** Runs `attempt` until it succeeds, fails permanently, or the retries are used up. */
  private async withRetries<T>(
    method: string,
    url: URL,
    signal: AbortSignal | undefined,
    attempt: (n: number) => Promise<T>,
    retries = this.retries,
  ): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        if (signal?.aborted) throw new Cancelled(`${method} ${redactUrl(url)}`);
        return await attempt(n);
      } catch (raw) {
        const err = this.typedError(raw, url.host, signal);
        if (!isTemporary(err) || n >= retries) throw err;
        let delay = this.backoffMs(n);
        if (err instanceof RegistryError && err.retryAfterMs !== undefined) delay = Math.min(this.retryMaxMs, Math.max(delay, err.retryAfterMs));
        this.trace({ type: 'retry', method, url: redactUrl(url), attempt: n + 1, delayMs: Math.round(delay), reason: err.message });
        await sleep(delay, signal, `${method} ${redactUrl(url)}`);
      }
    }
  }

  /** Sends one logical request: handles a 401 once (authenticate, resend) and follows redirects manually. */
  private async exchange(x: Exchange): Promise<ExchangeResult> {
    const origin = x.url.origin;
    const scope = repositoryScope(x.repository, x.push);
    let url = x.url;
    let method = x.method;
    let body = x.body;
    let answered = false;
    let challengeError: string | undefined;
    for (let hops = 0; ; ) {
      const sameOrigin = url.origin === origin;
      const headers: Record<string, string> = { 'user-agent': this.userAgent, ...(x.headers ?? {}) };
      const authorization = sameOrigin ? this.auth.authorization(url.host, scope) : undefined;
      if (authorization) headers['authorization'] = authorization;
      this.trace({ type: 'request', method, url: redactUrl(url), attempt: hops });
      const response = await request(url, {
        method,
        headers,
        body: body === undefined ? null : typeof body === 'function' ? body() : body,
        dispatcher: x.dispatcher,
        signal: x.signal,
        headersTimeout: this.stallTimeoutMs,
        bodyTimeout: this.stallTimeoutMs,
      });
      this.trace({ type: 'response', method, url: redactUrl(url), status: response.statusCode });

      if (response.statusCode === 401 && sameOrigin) {
        const header = response.headers['www-authenticate'];
        const challenges = typeof header === 'string' ? [header] : (header ?? []);
        challengeError = /error="?([a-z_]+)/i.exec(challenges.join(', '))?.[1];
        if (!answered) {
          await discard(response.body);
          answered = true;
          await this.auth.answer(header, { requestUrl: url, repository: x.repository, push: x.push, scope, signal: x.signal, dispatcher: x.dispatcher });
          continue;
        }
        return { response, authenticated: authorization !== undefined, challengeError, url };
      }

      const location = headerValue(response.headers, 'location');
      if (x.followRedirects && isRedirect(response.statusCode) && location) {
        await discard(response.body);
        hops++;
        if (hops > MAX_REDIRECTS) throw new TooManyRedirects(x.url.host, MAX_REDIRECTS);
        const next = new URL(location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:') {
          throw new TransportError(x.url.host, `redirect to an unsupported scheme ${next.protocol}`, false, 'the registry is misconfigured');
        }
        this.trace({
          type: 'redirect',
          from: redactUrl(url),
          to: redactUrl(next),
          authorizationDropped: authorization !== undefined && next.origin !== origin,
        });
        if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        continue;
      }
      return { response, authenticated: authorization !== undefined, challengeError, url };
    }
  }

  /** Reads the (capped) body of an error response and turns it into a typed error. */
  private async errorFrom(result: ExchangeResult, ctx: ErrorContext): Promise<StudioError> {
    const { response } = result;
    let body: Buffer = Buffer.alloc(0);
    try {
      body = await readCapped(response.body, ERROR_BODY_CAP, 'error body', 'truncate');
    } catch {
      // A broken error body still gives an error from the status.
    }
    const err = decodeRegistryError(response.statusCode, body, {
      ...ctx,
      authenticated: result.authenticated,
      challengeError: result.challengeError,
    });
    if (err instanceof RegistryError && err.temporary) err.retryAfterMs = retryAfterMs(response.headers);
    return err;
  }

  /** The token GET used by the authenticator: the registry request's transport, no redirects, capped reply. */
  private async fetchToken(
    url: string,
    headers: Readonly<Record<string, string>>,
    signal: AbortSignal | undefined,
    dispatcher: Dispatcher | undefined,
  ): Promise<{ status: number; body: Buffer }> {
    const target = new URL(url);
    this.trace({ type: 'request', method: 'GET', url: redactUrl(target), attempt: 0 });
    const response = await request(target, {
      method: 'GET',
      headers: { 'user-agent': this.userAgent, ...headers },
      dispatcher: dispatcher ?? this.options.dispatcher ?? this.dispatcherFor({ host: target.host, namespace: '_', model: '_' }),
      signal,
      headersTimeout: this.stallTimeoutMs,
      bodyTimeout: this.stallTimeoutMs,
    });
    this.trace({ type: 'response', method: 'GET', url: redactUrl(target), status: response.statusCode });
    const body = await this.guardBody(target.host, signal, () =>
      readCapped(response.body, TOKEN_REPLY_CAP, 'the token reply', response.statusCode >= 400 ? 'truncate' : 'throw'),
    );
    return { status: response.statusCode, body };
  }

  /** Runs a body read and types its failure. */
  private async guardBody<T>(host: string, signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (err) {
      throw this.typedError(err, host, signal);
    }
  }

  /** Wraps a body so that its errors come out typed, and it is destroyed when the consumer stops early. */
  private typedBody(body: ResponseBody, host: string, signal: AbortSignal | undefined): AsyncIterable<Buffer> {
    const typed = (err: unknown): StudioError => this.typedError(err, host, signal);
    return {
      [Symbol.asyncIterator]: async function* () {
        try {
          for await (const chunk of body) {
            yield typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
          }
        } catch (err) {
          throw typed(err);
        } finally {
          body.destroy();
        }
      },
    };
  }

  /** Maps undici/Node errors to the client's typed errors; StudioErrors pass through. */
  private typedError(err: unknown, host: string, signal: AbortSignal | undefined): StudioError {
    if (err instanceof StudioError) return err;
    const code = firstCode(err);
    if (signal?.aborted || code === 'UND_ERR_ABORTED' || (err instanceof Error && err.name === 'AbortError')) {
      return new Cancelled(`request to ${host}`);
    }
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new Stalled(host, this.stallTimeoutMs);
    if (code !== undefined && TEMPORARY_CODES.has(code)) {
      return new TransportError(host, code, true, 'check the network; run the command again to resume', { cause: err });
    }
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_HTTP_REQUEST') {
      // The answer to our TLS hello was not TLS: almost always a plain-http server.
      return new TransportError(
        host,
        'it does not speak https (it looks like a plain-http registry)',
        false,
        `if ${host} is a plain-http registry on a trusted network, allow insecure http for it (the --insecure option, or an http:// name)`,
        { cause: err },
      );
    }
    if (code !== undefined && (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code))) {
      return new TransportError(
        host,
        `its TLS certificate is not trusted (${code})`,
        false,
        `add its certificate authority (NODE_EXTRA_CA_CERTS or the CA setting), or use https+insecure://${host}/… if you trust this network`,
        { cause: err },
      );
    }
    if (code === 'ENOTFOUND') return new TransportError(host, 'host not found', false, 'check the registry host name', { cause: err });
    const reason = code ?? (err instanceof Error ? err.message : String(err));
    return new TransportError(host, reason, false, 'check the registry address', { cause: err });
  }
}
