// What list and show learn from a model's blobs, keyed by blob digest: the config blob's details, the GGUF header
// facts of the model layer (read only up to the first `tokenizer.*` key), and the template's capability hints.
// Blobs are content-addressed and never change, so a summary is valid forever. Also the facts of each manifest
// file, valid while the file's inode, size, mtime and ctime are unchanged. All of it is kept in memory and in
// `.modelfile-studio/summaries.json` (best effort; a read-only models directory just skips the file).
import { promises as fsp, statSync } from 'node:fs';
import { join } from 'node:path';
import { readGgufInfo, stopAtTokenizerKeys, capabilitiesFromGguf } from '../gguf';
import { templateCapabilities } from '../modelfile/template';
import { blobPath } from './blobs';
import { ensureDir, FILE_MODE, randomToken, removeQuietly } from './fs-util';
import { studioDir } from './layout';
import { parseManifest, readManifestBytesSync, type ParsedManifest } from './manifests';

/** The details a config blob gives (spec 3.5). */
export interface ConfigSummary {
  kind: 'config';
  format: string;
  family: string;
  families: string[] | null;
  parameterSize: string;
  quantization: string;
  renderer?: string;
  parser?: string;
  requires?: string;
  capabilities?: string[];
  contextLength?: number;
  embeddingLength?: number;
  remoteHost?: string;
  remoteModel?: string;
}

/** What list needs from a model layer's GGUF header (spec 3.7). */
export interface GgufSummary {
  kind: 'gguf';
  architecture?: string;
  contextLength?: number;
  embeddingLength?: number;
  fileTypeName: string;
  /** "completion" or "embedding", plus "vision" when the header has a vision block count. */
  capabilities: string[];
}

/** Capability hints from a template (spec 1.6): variables `tools` and `suffix`. */
export interface TemplateSummary {
  kind: 'template';
  tools: boolean;
  insert: boolean;
}

export type BlobSummary = ConfigSummary | GgufSummary | TemplateSummary;

/** What list needs from a manifest file (everything but its bytes), valid while the file's identity is unchanged. */
export type ManifestFacts = Omit<ParsedManifest, 'raw'> & { mtimeMs: number };

interface StoredFacts {
  /** inode:size:mtime:ctime of the file the facts were read from (ctime changes on every write and rename). */
  key: string;
  facts: ManifestFacts;
}

const SUMMARIES_FILE = 'summaries.json';
const FORMAT_VERSION = 2;
const MEMORY_LIMIT = 20_000;

const memory = new Map<string, BlobSummary>();

/** Manifest facts by absolute path, for re-listing in a long-running process with one stat per model. */
const factsMemory = new Map<string, StoredFacts>();

/** What this process last read from or wrote to each summaries file (to skip re-reading an unchanged file). */
const fileStates = new Map<string, { mtimeMs: number; size: number; digests: Set<string>; manifests: Map<string, string> }>();

function remember(digest: string, summary: BlobSummary): void {
  if (memory.size >= MEMORY_LIMIT) memory.delete(memory.keys().next().value as string);
  memory.set(digest, summary);
}

function rememberFacts(path: string, stored: StoredFacts): void {
  if (factsMemory.size >= MEMORY_LIMIT) factsMemory.delete(factsMemory.keys().next().value as string);
  factsMemory.set(path, stored);
}

function statKey(path: string): string {
  const stat = statSync(path);
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

function stringField(value: Record<string, unknown>, key: string): string | undefined {
  const v = value[key];
  return typeof v === 'string' ? v : undefined;
}

function countField(value: Record<string, unknown>, key: string): number | undefined {
  const v = value[key];
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

/** Summarises config JSON text; throws SyntaxError for invalid JSON and TypeError for a non-object. */
export function summariseConfig(text: string): ConfigSummary {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('config is not a JSON object');
  const v = value as Record<string, unknown>;
  const families = Array.isArray(v.model_families) ? v.model_families.filter((f): f is string => typeof f === 'string') : null;
  const summary: ConfigSummary = {
    kind: 'config',
    format: stringField(v, 'model_format') ?? '',
    family: stringField(v, 'model_family') ?? '',
    families,
    parameterSize: stringField(v, 'model_type') ?? '',
    quantization: stringField(v, 'file_type') ?? '',
  };
  for (const [key, field] of [
    ['renderer', 'renderer'],
    ['parser', 'parser'],
    ['requires', 'requires'],
    ['remote_host', 'remoteHost'],
    ['remote_model', 'remoteModel'],
  ] as const) {
    const s = stringField(v, key);
    if (s) summary[field] = s;
  }
  if (Array.isArray(v.capabilities)) summary.capabilities = v.capabilities.filter((c): c is string => typeof c === 'string');
  const contextLength = countField(v, 'context_length');
  if (contextLength !== undefined) summary.contextLength = contextLength;
  const embeddingLength = countField(v, 'embedding_length');
  if (embeddingLength !== undefined) summary.embeddingLength = embeddingLength;
  return summary;
}

/** Capability hints from a template, as Ollama derives them from Template.Vars() (spec 1.6). */
export function summariseTemplate(template: string): TemplateSummary {
  const { capabilities } = templateCapabilities(template);
  return { kind: 'template', tools: capabilities.includes('tools'), insert: capabilities.includes('insert') };
}

async function summariseGguf(path: string, digest: string): Promise<GgufSummary> {
  const info = await readGgufInfo(path, {
    stopAtKey: stopAtTokenizerKeys,
    readTensors: false,
    windowBytes: 64 * 1024,
    name: `blob ${digest.slice(0, 19)}…`,
  });
  const summary: GgufSummary = { kind: 'gguf', fileTypeName: info.fileTypeName, capabilities: capabilitiesFromGguf(info) };
  if (info.architecture !== undefined) summary.architecture = info.architecture;
  if (info.contextLength !== undefined) summary.contextLength = info.contextLength;
  if (info.embeddingLength !== undefined) summary.embeddingLength = info.embeddingLength;
  return summary;
}

/** A per-listing view of the summaries: memory first, then the persistent file, then the blob itself. */
export class SummaryStore {
  private dirty = false;
  private readonly used = new Set<string>();
  private persisted = new Map<string, BlobSummary>();
  /** Manifest facts by path relative to `manifests/` (what the file stores), and the paths used this time. */
  private readonly persistedFacts = new Map<string, StoredFacts>();
  private readonly usedFacts = new Map<string, StoredFacts>();

  constructor(
    private readonly modelsDir: string,
    private readonly persistent: boolean,
  ) {}

  private loading: Promise<void> | undefined;

  /** Reads the persistent file once; concurrent callers share the same read. */
  private load(): Promise<void> {
    if (!this.persistent) return Promise.resolve();
    this.loading ??= this.readFile();
    return this.loading;
  }

  private get file(): string {
    return join(studioDir(this.modelsDir), SUMMARIES_FILE);
  }

  private async readFile(): Promise<void> {
    try {
      const stat = await fsp.stat(this.file);
      const value: unknown = JSON.parse(await fsp.readFile(this.file, 'utf8'));
      if (typeof value === 'object' && value !== null && (value as { version?: unknown }).version === FORMAT_VERSION) {
        const entries = (value as { entries?: unknown }).entries;
        if (typeof entries === 'object' && entries !== null) {
          for (const [digest, summary] of Object.entries(entries as Record<string, BlobSummary>)) {
            if (summary && typeof summary === 'object' && typeof summary.kind === 'string') this.persisted.set(digest, summary);
          }
        }
        const manifests = (value as { manifests?: unknown }).manifests;
        if (typeof manifests === 'object' && manifests !== null) {
          for (const [rel, stored] of Object.entries(manifests as Record<string, StoredFacts>)) {
            if (stored && typeof stored.key === 'string' && stored.facts && Array.isArray(stored.facts.layers)) {
              this.persistedFacts.set(rel, stored);
            }
          }
        }
      }
      fileStates.set(this.file, {
        mtimeMs: stat.mtimeMs,
        size: stat.size,
        digests: new Set(this.persisted.keys()),
        manifests: new Map([...this.persistedFacts].map(([rel, stored]) => [rel, stored.key])),
      });
    } catch {
      // No file yet, or unreadable: start empty.
    }
  }

  /** True when every summary used came from memory and the file, unchanged since we last read or wrote it,
   *  already holds exactly what it should: then it need not even be read. */
  private async fileIsCurrent(trim: boolean): Promise<boolean> {
    const known = fileStates.get(this.file);
    if (known === undefined) return false;
    const stat = await fsp.stat(this.file).catch(() => undefined);
    if (stat === undefined || stat.mtimeMs !== known.mtimeMs || stat.size !== known.size) return false;
    for (const digest of this.used) if (!known.digests.has(digest)) return false;
    for (const [rel, used] of this.usedFacts) if (known.manifests.get(rel) !== used.key) return false;
    if (trim) {
      for (const digest of known.digests) if (!this.used.has(digest)) return false;
      for (const rel of known.manifests.keys()) if (!this.usedFacts.has(rel)) return false;
    }
    return true;
  }

  private async get<T extends BlobSummary>(digest: string, kind: T['kind'], compute: () => Promise<T>): Promise<T> {
    this.used.add(digest);
    const cached = memory.get(digest);
    if (cached?.kind === kind) return cached as T;
    await this.load();
    const stored = this.persisted.get(digest);
    if (stored?.kind === kind) {
      remember(digest, stored);
      return stored as T;
    }
    const summary = await compute();
    remember(digest, summary);
    this.persisted.set(digest, summary);
    this.dirty = true;
    return summary;
  }

  /**
   * The facts of the manifest file at `path` (`rel` below `manifests/`): from memory or the summaries file when the
   * file's inode, size, mtime and ctime are unchanged, else read and parsed (throws like readManifestBytesSync and
   * parseManifest). For display only: rm and prune always read manifests afresh.
   */
  async manifest(path: string, rel: string, shortName: string): Promise<ManifestFacts> {
    const key = statKey(path);
    const inMemory = factsMemory.get(path);
    if (inMemory?.key === key) {
      this.usedFacts.set(rel, inMemory);
      return inMemory.facts;
    }
    await this.load();
    const stored = this.persistedFacts.get(rel);
    if (stored?.key === key) {
      rememberFacts(path, stored);
      this.usedFacts.set(rel, stored);
      return stored.facts;
    }
    const { raw, mtimeMs } = readManifestBytesSync(path, shortName);
    const { raw: _bytes, ...parsed } = parseManifest(raw, shortName);
    const fresh: StoredFacts = { key, facts: { ...parsed, mtimeMs } };
    rememberFacts(path, fresh);
    this.usedFacts.set(rel, fresh);
    this.dirty = true;
    return fresh.facts;
  }

  config(digest: string): Promise<ConfigSummary> {
    return this.get(digest, 'config', async () => summariseConfig(await fsp.readFile(blobPath(this.modelsDir, digest), 'utf8')));
  }

  gguf(digest: string): Promise<GgufSummary> {
    return this.get(digest, 'gguf', () => summariseGguf(blobPath(this.modelsDir, digest), digest));
  }

  template(digest: string): Promise<TemplateSummary> {
    return this.get(digest, 'template', async () =>
      summariseTemplate(await fsp.readFile(blobPath(this.modelsDir, digest), 'utf8')),
    );
  }

  /**
   * Writes the summaries to the file. With `trim` (a full listing) only the summaries used by it are kept, so the
   * file never outgrows the models present; without it new summaries are added to the old ones.
   */
  async save(options: { trim: boolean }): Promise<void> {
    if (!this.persistent) return;
    if (this.loading === undefined && !this.dirty && (await this.fileIsCurrent(options.trim))) return;
    await this.load();
    const stale =
      options.trim &&
      ([...this.persisted.keys()].some((d) => !this.used.has(d)) ||
        [...this.persistedFacts.keys()].some((rel) => !this.usedFacts.has(rel)));
    const incomplete =
      [...this.used].some((d) => !this.persisted.has(d) && memory.has(d)) ||
      [...this.usedFacts].some(([rel, used]) => this.persistedFacts.get(rel)?.key !== used.key);
    if (!this.dirty && !stale && !incomplete) return;
    const entries: Record<string, BlobSummary> = {};
    const keep = options.trim ? [...this.used] : [...new Set([...this.persisted.keys(), ...this.used])];
    for (const digest of keep.sort()) {
      const summary = this.persisted.get(digest) ?? memory.get(digest);
      if (summary) entries[digest] = summary;
    }
    const manifests: Record<string, StoredFacts> = {};
    const keepFacts = options.trim ? [...this.usedFacts.keys()] : [...new Set([...this.persistedFacts.keys(), ...this.usedFacts.keys()])];
    for (const rel of keepFacts.sort()) {
      const stored = this.usedFacts.get(rel) ?? this.persistedFacts.get(rel);
      if (stored) manifests[rel] = stored;
    }
    const dir = studioDir(this.modelsDir);
    const temp = join(dir, `${SUMMARIES_FILE}.${randomToken()}.tmp`);
    try {
      await ensureDir(dir);
      await fsp.writeFile(temp, JSON.stringify({ version: FORMAT_VERSION, entries, manifests }), { mode: FILE_MODE });
      await fsp.rename(temp, this.file);
      const stat = await fsp.stat(this.file);
      fileStates.set(this.file, {
        mtimeMs: stat.mtimeMs,
        size: stat.size,
        digests: new Set(Object.keys(entries)),
        manifests: new Map(Object.entries(manifests).map(([rel, stored]) => [rel, stored.key])),
      });
    } catch {
      await removeQuietly(temp);
    }
  }
}

/** Forgets the in-memory summaries (for tests and benchmarks). */
export function clearSummaryMemory(): void {
  memory.clear();
  factsMemory.clear();
  fileStates.clear();
}
