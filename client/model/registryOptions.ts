// How the settings become registry-client options: which hosts are spoken to over plain http, how many parallel
// streams, and where credentials come from (`credentials.source`: `auto` = core's full order — environment
// variables, then Docker's config.json; `dockerConfig` = Docker's config.json only; `none` = never send any).
// Also the refusal of an `http://` name whose host the user has not allowed. No vscode import.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { credentialsProvider, noCredentials, type CredentialsProvider, type RegistryClientOptions } from '../../core/registry';
import type { StudioSettings } from './settings';

/** Docker's config file: $DOCKER_CONFIG/config.json, else ~/.docker/config.json. */
export function dockerConfigPath(env: Readonly<Record<string, string | undefined>>, home = homedir()): string {
  const dir = env['DOCKER_CONFIG'];
  return dir !== undefined && dir !== '' ? join(dir, 'config.json') : join(home, '.docker', 'config.json');
}

export function credentialsFor(
  settings: Pick<StudioSettings, 'credentialsSource'>,
  env: Readonly<Record<string, string | undefined>> = process.env,
  home = homedir(),
): CredentialsProvider {
  switch (settings.credentialsSource) {
    case 'none':
      return noCredentials;
    case 'dockerConfig':
      return credentialsProvider({ env: {}, dockerConfigPath: dockerConfigPath(env, home) });
    case 'auto':
      return credentialsProvider({ env, dockerConfigPath: dockerConfigPath(env, home) });
  }
}

/** The options the settings decide (the caller adds the trace hook and the Ollama key loader). */
export function registryOptionsFor(
  settings: StudioSettings,
  env: Readonly<Record<string, string | undefined>> = process.env,
  home = homedir(),
): Pick<RegistryClientOptions, 'insecureHosts' | 'streams' | 'credentials'> {
  return {
    insecureHosts: settings.insecureRegistries,
    streams: settings.streams,
    credentials: credentialsFor(settings, env, home),
  };
}

/** Why a reference may not be used as given: an `http://` name for a host not listed in insecureRegistries. */
export function insecureRefusal(scheme: string, host: string, settings: Pick<StudioSettings, 'insecureRegistries'>): string | undefined {
  if (scheme !== 'http' || settings.insecureRegistries.includes(host.toLowerCase())) return undefined;
  return (
    `${host} would be reached over plain http, which this workspace does not allow: add "${host.toLowerCase()}" to ` +
    'the setting modelfileStudio.insecureRegistries if you trust the network to it'
  );
}
