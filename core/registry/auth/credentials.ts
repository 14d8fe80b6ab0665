// Where user names and passwords for a registry host come from, in this order:
//   1. explicit credentials (CLI flags, editor settings), keyed by host[:port];
//   2. the environment, per host: MODELFILE_REGISTRY_AUTH_<HOST> = "user:password", where <HOST> is the host[:port]
//      in upper case with every character other than A–Z and 0–9 replaced by "_" (localhost:5000 → LOCALHOST_5000);
//   3. the environment, any host: MODELFILE_REGISTRY_USER + MODELFILE_REGISTRY_PASSWORD, limited to the hosts
//      listed (comma-separated) in MODELFILE_REGISTRY_HOSTS when that is set;
//   4. Docker's config file ($DOCKER_CONFIG/config.json or ~/.docker/config.json), `auths` entries with `auth`
//      (base64 "user:password") or `username`/`password`; keys may be written with or without a scheme and path
//      (`https://index.docker.io/v1/` style). Credential helpers (`credsStore`, `credHelpers`) are not run.
// Credentials are only handed out when a registry asks for them. Their text never goes into messages or logs.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** A user name and password (or token used as a password). */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** Looks up credentials for a registry host[:port]; undefined when none are configured. */
export type CredentialsProvider = (host: string) => Promise<BasicCredentials | undefined>;

/** Where `credentialsProvider` looks; every source may be left out. */
export interface CredentialSources {
  /** Explicit credentials by host[:port] (case-insensitive). */
  explicit?: Readonly<Record<string, BasicCredentials>>;
  /** The environment to read; default `process.env`. Pass `{}` to ignore the environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Docker's config.json; default from DOCKER_CONFIG or ~/.docker. `null` turns the Docker config off. */
  dockerConfigPath?: string | null;
}

/** The environment variable holding credentials for one host: MODELFILE_REGISTRY_AUTH_<HOST>. */
export function envVarForHost(host: string): string {
  return `MODELFILE_REGISTRY_AUTH_${host.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Splits `user:password` at the first colon; undefined without a colon or with an empty user. */
export function splitUserPassword(text: string): BasicCredentials | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

const DOCKER_HUB_ALIASES = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** host[:port] of a config key, lower case: scheme and path are dropped (`https://index.docker.io/v1/` → `index.docker.io`). */
export function normaliseRegistryKey(key: string): string {
  let k = key.trim().toLowerCase();
  const scheme = k.indexOf('://');
  if (scheme >= 0) k = k.slice(scheme + 3);
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  return k;
}

function sameRegistry(a: string, b: string): boolean {
  if (a === b) return true;
  return DOCKER_HUB_ALIASES.includes(a) && DOCKER_HUB_ALIASES.includes(b);
}

/** Finds credentials for `host` in a parsed Docker config (`{"auths": {…}}`). */
export function dockerConfigLookup(config: unknown, host: string): BasicCredentials | undefined {
  if (config === null || typeof config !== 'object') return undefined;
  const auths = (config as Record<string, unknown>)['auths'];
  if (auths === null || typeof auths !== 'object') return undefined;
  const wanted = normaliseRegistryKey(host);
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    if (!sameRegistry(normaliseRegistryKey(key), wanted)) continue;
    if (entry === null || typeof entry !== 'object') continue;
    const e = entry as Record<string, unknown>;
    if (typeof e['auth'] === 'string' && e['auth'] !== '') {
      const found = splitUserPassword(Buffer.from(e['auth'], 'base64').toString('utf8'));
      if (found) return found;
    }
    if (typeof e['username'] === 'string' && e['username'] !== '' && typeof e['password'] === 'string') {
      return { username: e['username'], password: e['password'] };
    }
  }
  return undefined;
}

function defaultDockerConfigPath(env: Readonly<Record<string, string | undefined>>): string {
  const dir = env['DOCKER_CONFIG'];
  return dir ? join(dir, 'config.json') : join(homedir(), '.docker', 'config.json');
}

/** A provider over the sources above. The Docker config is read once, on first use; a missing file is no error. */
export function credentialsProvider(sources: CredentialSources = {}): CredentialsProvider {
  const env = sources.env ?? process.env;
  const explicit = new Map<string, BasicCredentials>();
  for (const [host, creds] of Object.entries(sources.explicit ?? {})) explicit.set(normaliseRegistryKey(host), creds);
  const configPath = sources.dockerConfigPath === undefined ? defaultDockerConfigPath(env) : sources.dockerConfigPath;
  let dockerConfig: Promise<unknown> | undefined;
  const loadDockerConfig = (): Promise<unknown> => {
    dockerConfig ??=
      configPath === null
        ? Promise.resolve(undefined)
        : readFile(configPath, 'utf8').then(
            (text): unknown => {
              try {
                return JSON.parse(text);
              } catch {
                return undefined;
              }
            },
            () => undefined,
          );
    return dockerConfig;
  };

  return async (host: string) => {
    const key = normaliseRegistryKey(host);
    const fromExplicit = explicit.get(key);
    if (fromExplicit) return fromExplicit;

    const perHost = env[envVarForHost(key)];
    if (perHost) {
      const parsed = splitUserPassword(perHost);
      if (parsed) return parsed;
    }

    const user = env['MODELFILE_REGISTRY_USER'];
    const password = env['MODELFILE_REGISTRY_PASSWORD'];
    if (user && password !== undefined) {
      const hosts = env['MODELFILE_REGISTRY_HOSTS'];
      const allowed = !hosts || hosts.split(',').some((h) => h.trim() !== '' && normaliseRegistryKey(h) === key);
      if (allowed) return { username: user, password };
    }

    return dockerConfigLookup(await loadDockerConfig(), key);
  };
}

/** A provider that never has credentials. */
export const noCredentials: CredentialsProvider = () => Promise.resolve(undefined);
