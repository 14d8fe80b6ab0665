// The extension's settings (package.json `contributes.configuration`, section `modelfileStudio`) as one checked
// object: whatever the user wrote, the rest of the client gets sane values. The language server reads the same
// section itself (server/settings.ts: `modelsDirectory`, `diagnostics.severity`). No vscode import: the caller
// passes a getter over the configuration.

import { DEFAULT_STREAMS } from '../../core/registry';

export const SETTINGS_SECTION = 'modelfileStudio';

/** Where user names and passwords for registries come from (see core/registry/auth/credentials.ts). */
export type CredentialsSource = 'auto' | 'dockerConfig' | 'none';

export interface StudioSettings {
  /** As written; empty means OLLAMA_MODELS, else ~/.ollama/models (core/cache resolveModelsDir). */
  readonly modelsDirectory: string;
  /** host[:port] entries, lower case, spoken to over plain http. */
  readonly insecureRegistries: readonly string[];
  /** Parallel transfers per blob. */
  readonly streams: number;
  readonly credentialsSource: CredentialsSource;
}

export { DEFAULT_STREAMS };
export const MAX_STREAMS = 64;

/** `http://Host:5000/` → `host:5000`; empty for nothing usable. */
export function normaliseRegistryHost(text: string): string {
  let host = text.trim().toLowerCase();
  const scheme = host.indexOf('://');
  if (scheme >= 0) host = host.slice(scheme + 3);
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  return host;
}

/** Reads the settings through `get(key)` (keys relative to the section, e.g. `credentials.source`). */
export function readStudioSettings(get: (key: string) => unknown): StudioSettings {
  const dir = get('modelsDirectory');
  const insecure = get('insecureRegistries');
  const streams = get('streams');
  const source = get('credentials.source');
  return {
    modelsDirectory: typeof dir === 'string' ? dir.trim() : '',
    insecureRegistries: Array.isArray(insecure)
      ? [...new Set(insecure.filter((h): h is string => typeof h === 'string').map(normaliseRegistryHost).filter((h) => h !== ''))]
      : [],
    streams:
      typeof streams === 'number' && Number.isFinite(streams) ? Math.min(MAX_STREAMS, Math.max(1, Math.floor(streams))) : DEFAULT_STREAMS,
    credentialsSource: source === 'dockerConfig' || source === 'none' ? source : 'auto',
  };
}

/** Ollama's OLLAMA_NOPRUNE (Go's envconfig.Bool): keep a replaced model's unused blobs when it is set and not false. */
export function keepUnusedBlobs(env: Readonly<Record<string, string | undefined>>): boolean {
  const text = (env['OLLAMA_NOPRUNE'] ?? '').trim().replace(/^["']+|["']+$/g, '');
  if (text === '') return false;
  return !['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text);
}
