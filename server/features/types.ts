// The small context every editor feature receives instead of doing I/O itself: what the client can render, a
// cached view of the file system next to the document, and a snapshot of the models directory. The server fills
// it in; tests can build one from plain objects.
import type { GgufInfo } from '../../core/gguf';

/** What the client said it can render (from its capabilities at initialize). */
export interface ClientOptions {
  /** Hover and completion documentation as markdown (else plain text). */
  markdown: boolean;
  /** Completion items may be snippets. */
  snippets: boolean;
}

export type PathKind = 'file' | 'directory';

export interface DirectoryEntry {
  name: string;
  kind: PathKind;
}

/** Synchronous, cached look-ups; undefined when a path does not exist or cannot be read. */
export interface FileSystemView {
  stat(path: string): PathKind | undefined;
  list(path: string): readonly DirectoryEntry[] | undefined;
}

/** A model in the local models directory, with whatever details have been read so far. */
export interface CachedModel {
  /** DisplayShortest, e.g. `llama3.2:latest`, `me/model:tag`. */
  name: string;
  /** `host/namespace/model:tag` as stored. */
  fullName: string;
  id?: string;
  size?: number;
  modifiedMs?: number;
  format?: string;
  family?: string;
  parameterSize?: string;
  quantization?: string;
  contextLength?: number;
  capabilities?: readonly string[];
}

export interface ModelsView {
  /** Every cached model (empty until the models directory has been read). */
  list(): readonly CachedModel[];
  /** The cached model a FROM name stands for (defaults applied, case-insensitive), if any. */
  find(name: string): CachedModel | undefined;
}

export interface FeatureContext {
  /** The folder relative paths are resolved against; undefined for documents that are not files. */
  documentDir: string | undefined;
  fs: FileSystemView;
  models: ModelsView;
  client: ClientOptions;
}

/** Extra, asynchronous look-ups only hover needs. */
export interface HoverContext extends FeatureContext {
  readGguf(path: string): Promise<GgufInfo | undefined>;
}
