// Ollama's signing key for pushes and pulls against Ollama's registry: loaded lazily the first time a registry asks
// for it, and created the way `ollama serve` creates it when there is none — after which the user must register
// the public key on ollama.com, so the caller is told the public-key line and where to paste it.
import { KeyInvalid, KeyMissing } from './errors';
import { authorizedKeyLine, defaultKeyPath, readKeyFile, writeNewKeyFiles, type Ed25519KeyPair } from './auth/openssh-key';

/** Where ollama.com lists the keys allowed to push for an account. */
export const OLLAMA_KEYS_URL = 'https://ollama.com/settings/keys';

/** What the user needs to register a key: the `ssh-ed25519 …` line of the public key, and the settings page. */
export interface KeyRegistration {
  /** The private key file (`<dir>/id_ed25519`); the public key is beside it with `.pub`. */
  path: string;
  /** `ssh-ed25519 <base64>` without the newline. */
  publicKeyLine: string;
  settingsUrl: string;
}

/** Registration details for an existing key pair. */
export function keyRegistration(key: Ed25519KeyPair, path = defaultKeyPath()): KeyRegistration {
  return { path, publicKeyLine: authorizedKeyLine(key.publicKey).trimEnd(), settingsUrl: OLLAMA_KEYS_URL };
}

/** How to register a key, in words, for messages (no private material). */
export function registrationAdvice(registration: KeyRegistration): string {
  return (
    `add this public key to your ollama.com account at ${registration.settingsUrl}:\n` +
    `  ${registration.publicKeyLine}\n(it is also in ${registration.path}.pub)`
  );
}

/**
 * A loader for the `ollamaKey` client option: reads `path` once, on first use; when there is no key there, creates
 * one as `ollama serve` does (0600 key, 0644 `.pub`, folder 0755) and calls `onCreated` with what the user must
 * register. A damaged key file is an error (KeyInvalid), never replaced.
 */
export function ollamaKeyLoader(
  options: { path?: string; onCreated?: (registration: KeyRegistration) => void } = {},
): () => Promise<Ed25519KeyPair> {
  const path = options.path ?? defaultKeyPath();
  let loaded: Promise<Ed25519KeyPair> | undefined;
  const load = async (): Promise<Ed25519KeyPair> => {
    try {
      return await readKeyFile(path);
    } catch (err) {
      if (!(err instanceof KeyMissing)) throw err;
    }
    let key: Ed25519KeyPair;
    try {
      key = await writeNewKeyFiles(path);
    } catch (err) {
      // Created meanwhile by another process (an Ollama server starting, another push): use that one.
      if (err instanceof KeyInvalid) return readKeyFile(path);
      throw err;
    }
    options.onCreated?.(keyRegistration(key, path));
    return key;
  };
  return () => {
    loaded ??= load().catch((err: unknown) => {
      loaded = undefined;
      throw err;
    });
    return loaded;
  };
}

