// Test-only: puts blobs and Ollama-style manifests into a registry with raw undici requests (independent of the
// client under test): POST an upload session, PUT the data with ?digest=, PUT the manifest.
import { createHash } from 'node:crypto';
import { request, type Dispatcher } from 'undici';

export interface SeedOptions {
  /** Extra headers, e.g. `{ authorization: 'Basic …' }`. */
  headers?: Record<string, string>;
  dispatcher?: Dispatcher;
}

export function sha256Digest(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function expectStatus(res: Dispatcher.ResponseData, wanted: number, what: string): Promise<void> {
  if (res.statusCode !== wanted) {
    const text = await res.body.text();
    throw new Error(`${what}: expected ${wanted}, got ${res.statusCode}: ${text.slice(0, 300)}`);
  }
  await res.body.dump();
}

/** Uploads one blob; returns its digest. */
export async function pushBlob(base: string, repository: string, data: Buffer, options: SeedOptions = {}): Promise<string> {
  const digest = sha256Digest(data);
  const headers = options.headers ?? {};
  const start = await request(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers, dispatcher: options.dispatcher });
  const location = start.headers['location'];
  await expectStatus(start, 202, `start upload to ${repository}`);
  if (typeof location !== 'string') throw new Error('no upload location');
  const target = new URL(location, base);
  target.searchParams.set('digest', digest);
  const put = await request(target, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
    body: data,
    dispatcher: options.dispatcher,
  });
  await expectStatus(put, 201, `finish upload of ${digest}`);
  return digest;
}

/** PUTs manifest bytes under a tag. */
export async function pushManifest(base: string, repository: string, tag: string, manifest: Buffer, options: SeedOptions = {}): Promise<void> {
  const res = await request(`${base}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...(options.headers ?? {}), 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' },
    body: manifest,
    dispatcher: options.dispatcher,
  });
  await expectStatus(res, 201, `push manifest ${repository}:${tag}`);
}

export interface SeededModel {
  manifest: Buffer;
  manifestDigest: string;
  config: { digest: string; size: number; data: Buffer };
  layers: Array<{ digest: string; size: number; data: Buffer; mediaType: string }>;
}

/** Pushes a small Ollama model (layers + config + manifest) and returns what was pushed. */
export async function seedModel(
  base: string,
  repository: string,
  tag: string,
  layers: Array<{ data: Buffer; mediaType?: string }>,
  options: SeedOptions = {},
): Promise<SeededModel> {
  const pushed: SeededModel['layers'] = [];
  for (const layer of layers) {
    const digest = await pushBlob(base, repository, layer.data, options);
    pushed.push({ digest, size: layer.data.length, data: layer.data, mediaType: layer.mediaType ?? 'application/vnd.ollama.image.model' });
  }
  const configData = Buffer.from(
    '{"model_format":"gguf","model_family":"test","model_families":["test"],"model_type":"0","file_type":"unknown","architecture":"amd64","os":"linux"}\n',
  );
  const configDigest = await pushBlob(base, repository, configData, options);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: configDigest, size: configData.length },
      layers: pushed.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  await pushManifest(base, repository, tag, manifest, options);
  return {
    manifest,
    manifestDigest: sha256Digest(manifest),
    config: { digest: configDigest, size: configData.length, data: configData },
    layers: pushed,
  };
}
