// Push (spec §5.4, DESIGN "How data flows"): load the local manifest (found case-insensitively) → check that every
// blob it lists is complete → pin them → per blob, in Ollama's order (layers, then config): HEAD to skip what the
// registry has, a cross-repository mount when the layer came `from` another model, else an upload — one PUT for a
// small blob, ordered PATCH parts and a final `PUT ?digest=` for a large one (parts that the registry redirects,
// as Ollama's does, are PUT to the redirect URL in parallel, and the final PUT carries Ollama's `etag`) → commit
// the manifest re-encoded compactly, as Ollama does. A part that fails is resent only where the registry's
// session still ends where the part starts; otherwise the blob starts over in a new session.
import { createHash, type Hash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { promises as fsp } from 'node:fs';
import { Readable } from 'node:stream';
import { Cancelled, ManifestInvalid, NameInvalid, Unauthorized } from '../errors';
import { blobExists, blobPath, manifestDigests, pinBlobs, readManifest, type StoredManifest } from '../cache';
import { encodeManifestBytes, type ManifestLayer } from '../json/ollama-json';
import { displayShortest, parseName, parseReference, validateName, type ParsedName } from '../names';
import { authFlowFor } from './auth/authenticator';
import { sleep } from './body';
import { DOCKER_MANIFEST_TYPE, type RegistryClient, type RegistryRepository, type UploadBody } from './client';
import { LayerMissing, RegistryError, isTemporary } from './errors';
import { planParts, type PartRange } from './parts';

/** What to push: `[scheme://]name` text or a parsed name. The local model is found case-insensitively. */
export type PushTarget = string | ParsedName;

/** Where one blob is: being checked, already on the registry, mounted from another repository, uploading, done. */
export type PushLayerState = 'checking' | 'exists' | 'mounted' | 'uploading' | 'done';

/** Progress, as one typed stream shaped like pull's. `status` strings are Ollama's own. */
export type PushEvent =
  | { type: 'status'; status: 'retrieving manifest' | 'pushing manifest' | 'success' }
  | {
      type: 'layer';
      /** `pushing <first 12 hex digits>` */
      status: string;
      digest: string;
      mediaType: string;
      total: number;
      completed: number;
      state: PushLayerState;
    };

export interface PushOptions {
  modelsDir: string;
  client: RegistryClient;
  signal?: AbortSignal;
  onProgress?: (event: PushEvent) => void;
  /**
   * How the registry takes uploads. 'ollama' (default for Ollama's hosts): always PATCH parts, the final PUT
   * carries the `etag`, a failed part is resent to the same URL. 'docker' (default elsewhere): a blob of one part
   * goes in a single PUT, a failed part is resent after asking the session where it stands.
   */
  protocol?: 'ollama' | 'docker';
  /** Send the `etag` with the final PUT even to a Docker registry (which ignores it). Default: only when needed. */
  etag?: boolean;
}

export interface PushResult {
  /** The local name as stored (its spelling is also the remote name). */
  name: ParsedName;
  /** `sha256:<hex>` of the manifest as pushed (it differs from the local file's: the manifest is re-encoded). */
  digest: string;
  /** Digests uploaded by this push. */
  uploaded: string[];
  /** Digests the registry already had. */
  existing: string[];
  /** Digests mounted from another repository of the same registry. */
  mounted: string[];
  /** Blob bytes sent (including bytes sent again after a failure). */
  bytesSent: number;
}

/** Progress events per layer at most this often (plus state changes). */
const PROGRESS_INTERVAL_MS = 100;
/** Bytes read from the blob file per chunk of a request body. */
const READ_CHUNK = 1024 * 1024;

const LAYER_WHAT: Readonly<Record<string, string>> = {
  'application/vnd.ollama.image.model': 'model layer',
  'application/vnd.ollama.image.projector': 'projector layer',
  'application/vnd.ollama.image.adapter': 'adapter layer',
  'application/vnd.ollama.image.draft': 'draft model layer',
  'application/vnd.ollama.image.template': 'template layer',
  'application/vnd.ollama.image.prompt': 'prompt layer',
  'application/vnd.ollama.image.system': 'system layer',
  'application/vnd.ollama.image.license': 'license layer',
  'application/vnd.ollama.image.params': 'parameters layer',
  'application/vnd.ollama.image.messages': 'messages layer',
  'application/vnd.ollama.image.tensor': 'tensor layer',
  'application/vnd.ollama.image.json': 'JSON layer',
  'application/vnd.docker.container.image.v1+json': 'config',
};

function describeLayer(layer: ManifestLayer): string {
  return LAYER_WHAT[layer.mediaType] ?? (layer.mediaType ? `layer (${layer.mediaType})` : 'layer');
}

function resolveTarget(target: PushTarget): ParsedName {
  if (typeof target !== 'string') return target;
  const ref = parseReference(target);
  if (!ref.name) throw new NameInvalid(target, 'give the name of a model to push');
  if (ref.digest) throw new NameInvalid(target, 'a model is pushed by name and tag, not by digest');
  return ref.name;
}

/** `namespace/model` of a layer's `from` (Ollama's `ParseModelPath(from).GetNamespaceRepository()`), if it is a name. */
export function mountSource(from: string | undefined): string | undefined {
  if (!from) return undefined;
  const name = parseName(from);
  if (!validateName(name).valid) return undefined;
  return `${name.namespace}/${name.model}`;
}

/** Ollama's upload etag: hex MD5 of the concatenated part MD5s, `-<part count>`. */
export function uploadEtag(partMd5s: readonly Buffer[]): string {
  return `${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${partMd5s.length}`;
}

/** Pushes a local model to its registry. See the file header for the steps. */
export async function pushModel(target: PushTarget, options: PushOptions): Promise<PushResult> {
  const requested = resolveTarget(target);
  const { modelsDir, client, signal } = options;
  const emit = (event: PushEvent): void => {
    try {
      options.onProgress?.(event);
    } catch {
      // a broken progress handler must not break the push
    }
  };

  emit({ type: 'status', status: 'retrieving manifest' });
  const manifest: StoredManifest = await readManifest(modelsDir, requested);
  const name: ParsedName = { ...manifest.name, scheme: requested.scheme };
  const shown = displayShortest(name);
  const config = manifest.config;
  if (!config) throw new ManifestInvalid(shown, 'it has no config blob, so no registry will take it; re-create the model');

  const blobs: ManifestLayer[] = [];
  const seen = new Set<string>();
  for (const layer of [...manifest.layers, config]) {
    if (seen.has(layer.digest)) continue;
    seen.add(layer.digest);
    blobs.push(layer);
  }
  for (const layer of blobs) {
    if (!(await blobExists(modelsDir, layer.digest, layer.size))) {
      const present = await blobExists(modelsDir, layer.digest);
      throw new LayerMissing(shown, layer.digest, describeLayer(layer), present ? 'wrong size' : 'missing');
    }
  }

  const repo: RegistryRepository = { scheme: name.scheme, host: name.host, namespace: name.namespace, model: name.model };
  const repository = client.repositoryPath(repo);
  const protocol = options.protocol ?? (authFlowFor(repo.host) === 'ollama' ? 'ollama' : 'docker');
  const result: PushResult = { name: manifest.name, digest: '', uploaded: [], existing: [], mounted: [], bytesSent: 0 };

  const pin = await pinBlobs(modelsDir, manifestDigests(manifest), { signal, op: `push ${shown}` });
  try {
    for (const layer of blobs) {
      if (signal?.aborted) throw new Cancelled(`push ${shown}`);
      const status = `pushing ${layer.digest.slice('sha256:'.length, 'sha256:'.length + 12)}`;
      const layerEvent = (state: PushLayerState, completed: number): void =>
        emit({ type: 'layer', status, digest: layer.digest, mediaType: layer.mediaType, total: layer.size, completed, state });
      layerEvent('checking', 0);
      if ((await client.headBlob(repo, layer.digest, { signal, push: true })).exists) {
        result.existing.push(layer.digest);
        layerEvent('exists', layer.size);
        continue;
      }
      const from = mountSource(layer.from);
      const start = from && from !== repository ? await startMounted(client, repo, layer.digest, from, signal) : await client.startUpload(repo, { signal });
      if (start.mounted) {
        result.mounted.push(layer.digest);
        layerEvent('mounted', layer.size);
        continue;
      }
      const upload = new BlobUpload(client, repo, layer, blobPath(modelsDir, layer.digest), {
        protocol,
        etag: options.etag,
        signal,
        progress: (completed) => layerEvent('uploading', completed),
        shown,
      });
      result.bytesSent += await upload.run(start.location);
      result.uploaded.push(layer.digest);
      layerEvent('done', layer.size);
    }

    emit({ type: 'status', status: 'pushing manifest' });
    const bytes = encodeManifestBytes(
      {
        schemaVersion: manifest.schemaVersion ?? 2,
        mediaType: manifest.mediaType ?? DOCKER_MANIFEST_TYPE,
        config,
        layers: manifest.layers,
      },
      { newline: false },
    );
    if (signal?.aborted) throw new Cancelled(`push ${shown}`);
    result.digest = (await client.putManifest(repo, name.tag, bytes, { signal })).digest;
  } finally {
    await pin.release();
  }
  emit({ type: 'status', status: 'success' });
  return result;
}

/** A mount request; a registry that refuses it (no pull access to the source) gets a plain upload instead. */
async function startMounted(
  client: RegistryClient,
  repo: RegistryRepository,
  digest: string,
  from: string,
  signal: AbortSignal | undefined,
): ReturnType<RegistryClient['startUpload']> {
  try {
    return await client.startUpload(repo, { signal, mount: { digest, from } });
  } catch (err) {
    if (err instanceof Unauthorized) return client.startUpload(repo, { signal });
    throw err;
  }
}

// ---- one blob ------------------------------------------------------------------------------------------------------

interface UploadSettings {
  protocol: 'ollama' | 'docker';
  etag: boolean | undefined;
  signal: AbortSignal | undefined;
  /** Completed bytes of this blob (throttled by the caller of this hook). */
  progress: (completed: number) => void;
  shown: string;
}

/** Registry error codes after which the session is useless and the blob must start over in a new one. */
const RESTART_CODES = new Set(['BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'SIZE_INVALID']);

function needsNewSession(err: unknown): boolean {
  if (isTemporary(err)) return true;
  return err instanceof RegistryError && err.registryCode !== undefined && RESTART_CODES.has(err.registryCode.toUpperCase());
}

/** Thrown inside a blob upload to start it over in a new session. */
class RestartUpload extends Error {
  constructor(readonly failure: unknown) {
    super('restart upload');
  }
}

/** The upload of one blob into an open session: parts, recovery, the final PUT. */
class BlobUpload {
  private sent = 0;
  /** Bytes of parts the registry has acknowledged (or received at the redirect URL). */
  private acknowledged = 0;
  /** Bytes of attempts in flight. */
  private readonly inFlight = new Map<number, number>();
  private lastEmit = 0;
  private failures = 0;

  constructor(
    private readonly client: RegistryClient,
    private readonly repo: RegistryRepository,
    private readonly layer: ManifestLayer,
    private readonly file: string,
    private readonly settings: UploadSettings,
  ) {}

  /** Uploads the blob starting in the session at `location`; returns the bytes sent. */
  async run(location: URL): Promise<number> {
    let session = location;
    this.report(true);
    for (;;) {
      try {
        await this.attempt(session);
        return this.sent;
      } catch (raw) {
        const err = raw instanceof RestartUpload ? raw.failure : raw;
        if (err instanceof Cancelled || this.settings.signal?.aborted) throw this.cancelled(err);
        if (!(raw instanceof RestartUpload) && !needsNewSession(err)) throw err;
        // A final PUT whose answer was lost may have finished the blob after all.
        const head = await this.client.headBlob(this.repo, this.layer.digest, { signal: this.settings.signal, push: true }).catch(() => undefined);
        if (head?.exists) {
          return this.sent;
        }
        await this.backoff(err);
        this.acknowledged = 0;
        this.inFlight.clear();
        this.report(true);
        const start = await this.client.startUpload(this.repo, { signal: this.settings.signal });
        if (start.mounted) return this.sent;
        session = start.location;
      }
    }
  }

  private cancelled(err: unknown): unknown {
    return err instanceof Cancelled ? err : new Cancelled(`push of ${this.layer.digest}`);
  }

  private async backoff(err: unknown): Promise<void> {
    if (this.failures >= this.client.maxRetries) throw err;
    await sleep(this.client.backoffMs(this.failures++), this.settings.signal, `push of ${this.layer.digest}`);
  }

  private report(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastEmit < PROGRESS_INTERVAL_MS) return;
    this.lastEmit = now;
    let completed = this.acknowledged;
    for (const n of this.inFlight.values()) completed += n;
    this.settings.progress(Math.min(completed, this.layer.size));
  }

  /** One pass over the blob in one session. */
  private async attempt(location: URL): Promise<void> {
    const { size, digest } = this.layer;
    const parts = planParts(size, this.client.partSize);
    const { signal } = this.settings;
    if (this.settings.protocol === 'docker' && parts.length <= 1) {
      // One request: the whole blob as the body of the final PUT (an empty blob has no part at all).
      const whole: PartRange = { index: 0, start: 0, end: size - 1 };
      const etag = this.settings.etag ? uploadEtag(size > 0 ? [await this.md5Of(whole)] : []) : undefined;
      let ok = false;
      try {
        await this.client.finishUpload(this.repo, location, digest, { signal, body: this.body(whole, undefined), etag });
        ok = true;
      } finally {
        this.settle(0, size, ok);
      }
      return;
    }

    const wantEtag = this.settings.etag ?? this.settings.protocol === 'ollama';
    const md5s: Array<Buffer | undefined> = parts.map(() => undefined);
    const redirected = new Set<Promise<void>>();
    let redirectFailure: unknown;
    const stopRedirected = new AbortController();
    const redirectSignal = signal ? AbortSignal.any([signal, stopRedirected.signal]) : stopRedirected.signal;
    // Every redirected part listens to it: more than Node's default of 10 listeners is expected, not a leak.
    setMaxListeners(Math.max(10, 4 * this.client.streams), redirectSignal);
    let anyRedirect = false;
    let next = location;
    try {
      for (const part of parts) {
        if (redirectFailure !== undefined) throw redirectFailure;
        const answer = await this.patchPart(part, next, md5s, wantEtag);
        next = answer.next;
        if (!answer.redirect) continue;
        anyRedirect = true;
        const target = answer.redirect;
        const job = this.putRedirected(part, target, md5s, redirectSignal).catch((err: unknown) => {
          redirectFailure ??= err;
          stopRedirected.abort();
        });
        redirected.add(job);
        void job.finally(() => redirected.delete(job));
        while (redirected.size >= this.client.streams) await Promise.race(redirected);
      }
      await Promise.all(redirected);
      if (redirectFailure !== undefined) throw redirectFailure;
    } catch (err) {
      stopRedirected.abort();
      await Promise.all(redirected);
      throw err;
    }

    let etag: string | undefined;
    if (wantEtag || anyRedirect) {
      for (const part of parts) md5s[part.index] ??= await this.md5Of(part);
      etag = uploadEtag(md5s.filter((m): m is Buffer => m !== undefined));
    }
    try {
      await this.client.finishUpload(this.repo, next, digest, { signal, etag });
    } catch (err) {
      // The session is spent either way: a failed final PUT starts the blob over (after the HEAD check in run()).
      throw new RestartUpload(err);
    }
    this.report(true);
  }

  /** PATCHes one part, resending it while the session still ends where the part starts. */
  private async patchPart(
    part: PartRange,
    location: URL,
    md5s: Array<Buffer | undefined>,
    wantMd5: boolean,
  ): Promise<{ next: URL; redirect?: URL }> {
    const { signal } = this.settings;
    let url = location;
    for (;;) {
      const md5 = wantMd5 ? createHash('md5') : undefined;
      const body = this.body(part, md5);
      let ok = false;
      try {
        const answer = await this.client.patchUpload(this.repo, url, { start: part.start, end: part.end }, body.open, { signal });
        ok = !answer.redirect;
        if (md5 && ok) md5s[part.index] = md5.digest();
        this.failures = 0;
        return answer;
      } catch (err) {
        if (err instanceof Cancelled || signal?.aborted) throw err;
        if (!isTemporary(err)) throw needsNewSession(err) ? new RestartUpload(err) : err;
        if (this.settings.protocol === 'docker') {
          // Only resend where the registry's session still ends at this part's start; otherwise start over.
          const state = await this.client.uploadStatus(this.repo, url, { signal }).catch(() => undefined);
          if (!state || state.received !== part.start) throw new RestartUpload(err);
          url = state.next;
        }
        await this.backoff(err);
      } finally {
        this.settle(part.index, part.end - part.start + 1, ok);
      }
    }
  }

  /** PUTs a redirected part to its URL, retrying as Ollama does. */
  private async putRedirected(part: PartRange, url: URL, md5s: Array<Buffer | undefined>, signal: AbortSignal): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const md5 = createHash('md5');
      const body = this.body(part, md5);
      let ok = false;
      try {
        await this.client.putRedirectedPart(this.repo, url, body, { signal });
        ok = true;
        md5s[part.index] = md5.digest();
        return;
      } catch (err) {
        if (err instanceof Cancelled || signal.aborted) throw err;
        if (attempt >= this.client.maxRetries) throw err;
        await sleep(this.client.backoffMs(attempt), signal, `push of ${this.layer.digest}`);
      } finally {
        this.settle(part.index, part.end - part.start + 1, ok);
      }
    }
  }

  /** Ends an attempt's in-flight count: its bytes become acknowledged, or are rolled back. */
  private settle(index: number, length: number, ok: boolean): void {
    this.inFlight.delete(index);
    if (ok) this.acknowledged += length;
    this.report(true);
  }

  /** A body that reads the part from the blob file, counting bytes (and hashing MD5) as they are sent. */
  private body(part: PartRange, md5: Hash | undefined): UploadBody {
    const length = part.end - part.start + 1;
    const { file, layer } = this;
    return {
      length,
      open: () => {
        this.inFlight.set(part.index, 0);
        const count = (n: number): void => {
          this.sent += n;
          this.inFlight.set(part.index, (this.inFlight.get(part.index) ?? 0) + n);
          this.report();
        };
        const shown = this.settings.shown;
        return Readable.from(
          (async function* () {
            const handle = await fsp.open(file, 'r');
            try {
              let position = part.start;
              const end = part.end + 1;
              while (position < end) {
                const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, end - position));
                const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
                if (bytesRead === 0) throw new LayerMissing(shown, layer.digest, describeLayer(layer), 'changed');
                const chunk = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
                position += bytesRead;
                md5?.update(chunk);
                count(bytesRead);
                yield chunk;
              }
            } finally {
              await handle.close();
            }
          })(),
          { objectMode: false },
        );
      },
    };
  }

  /** MD5 of a part read back from the file (for the etag of parts that were not hashed while sent). */
  private async md5Of(part: PartRange): Promise<Buffer> {
    const hash = createHash('md5');
    const handle = await fsp.open(this.file, 'r');
    try {
      const buffer = Buffer.allocUnsafe(4 * READ_CHUNK);
      for (let position = part.start; position <= part.end; ) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, part.end + 1 - position), position);
        if (bytesRead === 0) throw new LayerMissing(this.settings.shown, this.layer.digest, describeLayer(this.layer), 'changed');
        hash.update(buffer.subarray(0, bytesRead));
        position += bytesRead;
      }
    } finally {
      await handle.close();
    }
    return hash.digest();
  }
}
