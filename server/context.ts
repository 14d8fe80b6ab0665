// What the features and the linter may know about the machine: a briefly cached view of the file system (so a
// keystroke does not stat the same paths again), and the models directory as a snapshot of the cached models with
// their details (read through core/cache), refreshed when the directory changes.
import { readdirSync, statSync } from 'node:fs';
import { readGgufInfo, type GgufInfo } from '../core/gguf';
import { listModels } from '../core/cache';
import { nameString, parseName, stripSourceSuffix, validateName } from '../core/names';
import { readFileHead, type LintHost } from '../core/lint';
import type { CachedModel, DirectoryEntry, FileSystemView, ModelsView, PathKind } from './features/types';

interface Cached<T> {
  value: T;
  at: number;
}

/** File-system look-ups cached for `ttlMs` (stat results, directory listings, file heads). */
export class FileSystemCache implements FileSystemView {
  private readonly stats = new Map<string, Cached<PathKind | undefined>>();
  private readonly listings = new Map<string, Cached<DirectoryEntry[] | undefined>>();
  private readonly heads = new Map<string, Cached<Uint8Array | undefined>>();

  constructor(
    private readonly ttlMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  private cached<T>(map: Map<string, Cached<T>>, key: string, read: () => T): T {
    const time = this.now();
    const hit = map.get(key);
    if (hit && time - hit.at < this.ttlMs) return hit.value;
    const value = read();
    if (map.size > 2000) map.clear();
    map.set(key, { value, at: time });
    return value;
  }

  stat(path: string): PathKind | undefined {
    return this.cached(this.stats, path, () => {
      try {
        return statSync(path).isDirectory() ? 'directory' : 'file';
      } catch {
        return undefined;
      }
    });
  }

  list(path: string): readonly DirectoryEntry[] | undefined {
    return this.cached(this.listings, path, () => {
      try {
        return readdirSync(path, { withFileTypes: true })
          .map((entry): DirectoryEntry | undefined => {
            if (entry.isDirectory()) return { name: entry.name, kind: 'directory' };
            if (entry.isFile()) return { name: entry.name, kind: 'file' };
            if (entry.isSymbolicLink()) {
              const kind = this.stat(`${path}/${entry.name}`);
              return kind ? { name: entry.name, kind } : undefined;
            }
            return undefined;
          })
          .filter((e): e is DirectoryEntry => e !== undefined)
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      } catch {
        return undefined;
      }
    });
  }

  head(path: string, length: number): Uint8Array | undefined {
    return this.cached(this.heads, `${length}:${path}`, () => readFileHead(path, length));
  }

  clear(): void {
    this.stats.clear();
    this.listings.clear();
    this.heads.clear();
  }

  /** The linter's host on top of this cache and a model look-up. */
  lintHost(hasModel: (name: string) => boolean | undefined): LintHost {
    return {
      statPath: (path) => this.stat(path),
      readHead: (path, length) => this.head(path, length),
      listDirectory: (path) => this.list(path)?.map((e) => e.name),
      hasModel,
    };
  }
}

const ggufInfos = new Map<string, GgufInfo | undefined>();

/** GGUF metadata and parameter count of a local file for hover, cached by path, size and modification time. */
export async function readGgufSummary(path: string): Promise<GgufInfo | undefined> {
  let key: string;
  try {
    const info = statSync(path);
    key = `${path}\0${info.size}\0${info.mtimeMs}`;
  } catch {
    return undefined;
  }
  if (ggufInfos.has(key)) return ggufInfos.get(key);
  let info: GgufInfo | undefined;
  try {
    info = await readGgufInfo(path);
  } catch {
    info = undefined;
  }
  if (ggufInfos.size > 64) ggufInfos.clear();
  ggufInfos.set(key, info);
  return info;
}

/** The folded `host/namespace/model:tag` a FROM name stands for, or undefined when it is not a valid name. */
export function modelKey(name: string): string | undefined {
  try {
    const parsed = parseName(stripSourceSuffix(name).base);
    if (!validateName(parsed).valid) return undefined;
    return nameString(parsed).toLowerCase();
  } catch {
    return undefined;
  }
}

/** The source of the model list; core/cache's listModels in the server, a fixed list in tests. */
export type ModelLister = (modelsDir: string) => Promise<CachedModel[]>;

export const listCachedModels: ModelLister = async (modelsDir) => {
  const { models } = await listModels(modelsDir, { persistentCache: false, concurrency: 8 });
  return models.map((m) => ({
    name: m.name,
    fullName: m.fullName,
    id: m.id,
    size: m.size,
    modifiedMs: m.modifiedMs,
    format: m.format,
    family: m.family,
    parameterSize: m.parameterSize,
    quantization: m.quantization,
    contextLength: m.contextLength,
    capabilities: m.capabilities,
  }));
};

/** A snapshot of the models directory, refreshed on demand. */
export class ModelCatalog implements ModelsView {
  private models: CachedModel[] = [];
  private byKey = new Map<string, CachedModel>();
  private loaded = false;
  private refreshing: Promise<boolean> | undefined;
  private again = false;

  constructor(
    readonly modelsDir: string,
    private readonly lister: ModelLister = listCachedModels,
  ) {}

  get ready(): boolean {
    return this.loaded;
  }

  list(): readonly CachedModel[] {
    return this.models;
  }

  find(name: string): CachedModel | undefined {
    const key = modelKey(name);
    return key === undefined ? undefined : this.byKey.get(key);
  }

  /** Whether a model is cached; undefined until the directory has been read once. */
  has(name: string): boolean | undefined {
    if (!this.loaded) return undefined;
    const key = modelKey(name);
    return key === undefined ? undefined : this.byKey.has(key);
  }

  /** Re-reads the directory; resolves true when the set of model names changed. Calls made while a refresh runs
   *  are folded into one more refresh after it. */
  refresh(): Promise<boolean> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      let changed = false;
      do {
        this.again = false;
        let models: CachedModel[];
        try {
          models = await this.lister(this.modelsDir);
        } catch {
          models = [];
        }
        const before = [...this.byKey.keys()].sort().join('\n');
        this.models = models;
        this.byKey = new Map(models.map((m) => [m.fullName.toLowerCase(), m]));
        changed = changed || !this.loaded || before !== [...this.byKey.keys()].sort().join('\n');
        this.loaded = true;
      } while (this.again);
      this.refreshing = undefined;
      return changed;
    })();
    return this.refreshing;
  }
}
