// Where Ollama's models directory is (spec 3.1) and the fixed names inside it (spec 3.2), including the private
// folder `.modelfile-studio/` that holds our lock, pins, list cache and partial downloads — outside `blobs/` and
// `manifests/`, so a running Ollama server neither lists nor prunes anything in it (DESIGN rule 5).
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Folder names directly below the models directory. */
export const BLOBS_DIR_NAME = 'blobs';
export const MANIFESTS_DIR_NAME = 'manifests';
/** Our private folder below the models directory; Ollama never looks into it. */
export const STUDIO_DIR_NAME = '.modelfile-studio';
/**
 * Partial downloads (resumable, private to this project), relative to the models directory. They survive
 * restarts and are never touched by an Ollama server's startup prune; `prune()` removes the stale ones.
 */
export const PARTIALS_DIR_NAME = `${STUDIO_DIR_NAME}/partials`;

export interface ResolveModelsDirOptions {
  /** The user's explicit choice (CLI flag or editor setting); wins when non-empty. A leading `~/` is expanded. */
  explicit?: string;
  /** The environment to read `OLLAMA_MODELS` from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The home directory for the default; default `os.homedir()`. */
  home?: string;
}

// Go's unicode.IsSpace: the ASCII blanks plus NEL, NBSP and the Unicode space separators (not U+FEFF).
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

/** Ollama's `envconfig.Var`: trim surrounding white space, then any surrounding `"` and `'` characters. */
export function cleanEnvValue(raw: string | undefined): string {
  if (raw === undefined) return '';
  return raw.replace(GO_SPACE, '').replace(/^["']+|["']+$/g, '');
}

/**
 * The models directory, as an absolute path: the explicit option, else `OLLAMA_MODELS` (cleaned like Ollama),
 * else `<home>/.ollama/models`. Nothing is created or checked here.
 */
export function resolveModelsDir(options: ResolveModelsDirOptions = {}): string {
  const home = options.home ?? homedir();
  const explicit = options.explicit?.trim() ?? '';
  if (explicit !== '') {
    if (explicit === '~') return resolve(home);
    if (explicit.startsWith('~/')) return resolve(home, explicit.slice(2));
    return resolve(explicit);
  }
  const fromEnv = cleanEnvValue((options.env ?? process.env).OLLAMA_MODELS);
  if (fromEnv !== '') return isAbsolute(fromEnv) ? fromEnv : resolve(fromEnv);
  return join(home, '.ollama', 'models');
}

export function blobsDir(modelsDir: string): string {
  return join(modelsDir, BLOBS_DIR_NAME);
}

export function manifestsDir(modelsDir: string): string {
  return join(modelsDir, MANIFESTS_DIR_NAME);
}

export function studioDir(modelsDir: string): string {
  return join(modelsDir, STUDIO_DIR_NAME);
}

/** `<models>/.modelfile-studio/partials`: where resumable downloads keep their data until verified. */
export function partialsDir(modelsDir: string): string {
  return join(modelsDir, ...PARTIALS_DIR_NAME.split('/'));
}
