// The hook `create` calls when a FROM model is not in the models directory (Ollama pulls it automatically, spec
// §6.6): a function of (name, signal) that pulls the model with a given client into a given models directory and
// forwards pull progress, tagged with the model being pulled.
import type { RegistryClient } from './client';
import { pullModel, type PullEvent } from './pull';

/** Called for every pull event of a base model that `create` pulls; `name` is the model being pulled. */
export type PullMissingProgress = (event: PullEvent, name: string) => void;

/**
 * A `pullMissing(name, signal)` callback for `createModel`: pulls `name` (a full name such as
 * `registry.ollama.ai/library/llama3.2:latest`) into `modelsDir` with `client`. Unused-blob removal follows
 * OLLAMA_NOPRUNE as a pull does when `keepUnusedBlobs` is not given.
 */
export function pullMissingFor(
  client: RegistryClient,
  modelsDir: string,
  onProgress?: PullMissingProgress,
  options: { keepUnusedBlobs?: boolean } = {},
): (name: string, signal?: AbortSignal) => Promise<void> {
  return async (name, signal) => {
    await pullModel(name, {
      modelsDir,
      client,
      signal,
      keepUnusedBlobs: options.keepUnusedBlobs,
      onProgress: onProgress ? (event) => onProgress(event, name) : undefined,
    });
  };
}
