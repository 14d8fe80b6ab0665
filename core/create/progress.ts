// The typed progress stream of `create`: per-layer events with total/completed/state (the same shape a pull or
// push reports, so one renderer serves all three), plus status lines, warnings and the final result.

/** Where one layer is: being hashed and copied into `blobs/`, or finished (written now, or already there). */
export type LayerState = 'copying' | 'done';

export interface LayerProgress {
  kind: 'layer';
  /** Stable within one operation: a source file's name, or the layer's role ("template", "config", …). */
  id: string;
  /** What a person sees: the file name relative to the Modelfile's sources, or the layer's role. */
  label: string;
  state: LayerState;
  /** Bytes hashed and copied so far (equal to `total` when done). */
  completed: number;
  total: number;
  mediaType?: string;
  /** `sha256:<hex>`, once known. */
  digest?: string;
  /** The blob was already in the models directory (nothing was copied, or the copy was discarded). */
  reused?: boolean;
}

export type CreateProgress =
  /** A phase of the work, e.g. "parsing GGUF", "reading base model llama3.2:latest". */
  | { kind: 'status'; message: string }
  /** Something Ollama would print as a warning (deprecated parameter, ignored FROM path, …). */
  | { kind: 'warning'; message: string }
  | LayerProgress
  /** The commit point: after this event the create is no longer cancelled by the signal. */
  | { kind: 'writing-manifest' }
  /** `name` as stored (DisplayShortest); `digest` is the model ID (hex SHA-256 of the manifest bytes). */
  | { kind: 'success'; name: string; digest: string };

export type CreateProgressListener = (event: CreateProgress) => void;
