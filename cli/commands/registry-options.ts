// What `modelfile pull` and `modelfile push` share: the registry options (--insecure, --user/--password-stdin,
// --ca, --models, --json), the client built from them and the environment, the refusal of http:// names without
// --insecure, Ollama key creation with registration advice, layer labels, and how errors are printed.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError, flagBool, flagString, type FlagSpec, type ParsedArgs } from '../args';
import { EXIT_FAILURE } from '../command';
import { readAll, type CliContext } from '../context';
import { resolveModelsDir } from '../../core/cache';
import { StudioError } from '../../core/errors';
import { parseReference, type ParsedName } from '../../core/names';
import {
  RegistryClient,
  credentialsProvider,
  ollamaKeyLoader,
  registrationAdvice,
  type BasicCredentials,
  type RegistryClientOptions,
} from '../../core/registry';

export const registryFlags: FlagSpec[] = [
  {
    name: 'insecure',
    kind: 'boolean',
    description: 'Talk to the registry over plain http (required for http:// names); credentials may then travel unencrypted.',
  },
  {
    name: 'user',
    kind: 'string',
    valueName: 'NAME',
    description: 'Registry user name; the password comes from --password-stdin or MODELFILE_REGISTRY_PASSWORD.',
  },
  { name: 'password-stdin', kind: 'boolean', description: 'Read the password for --user from standard input.' },
  { name: 'ca', kind: 'string', valueName: 'FILE', description: 'Also trust this certificate authority (PEM) for https.' },
  { name: 'models', kind: 'string', valueName: 'DIR', description: 'The models directory (default $OLLAMA_MODELS or ~/.ollama/models).' },
  { name: 'json', kind: 'boolean', description: 'Print progress and the result as JSON lines on stdout.' },
];

export const credentialsHelp = [
  'Credentials: --user with --password-stdin; MODELFILE_REGISTRY_AUTH_<HOST>="user:password" (HOST upper-case,',
  'other characters as _, e.g. MODELFILE_REGISTRY_AUTH_LOCALHOST_5000); MODELFILE_REGISTRY_USER and',
  'MODELFILE_REGISTRY_PASSWORD (limited to MODELFILE_REGISTRY_HOSTS when set); or `docker login` entries in',
  '~/.docker/config.json. Ollama\'s registry uses your Ollama key (~/.ollama/id_ed25519), created when missing.',
  'https+insecure://host/… skips certificate checks; NODE_EXTRA_CA_CERTS or --ca add trusted authorities.',
].join('\n');

/** A model reference that cannot be used as given (an http:// name without --insecure). */
export class InsecureRefused extends StudioError {
  constructor(input: string) {
    super('InsecureRefused', `insecure protocol http: ${input} names a plain-http registry; add --insecure to allow it`);
  }
}

export interface RegistrySetup {
  client: RegistryClient;
  modelsDir: string;
  /** The model named on the command line (defaults filled, scheme as written). */
  name: ParsedName;
  json: boolean;
}

/** The models directory: --models (relative to the working directory), else OLLAMA_MODELS, else ~/.ollama/models. */
export function modelsDirOf(args: ParsedArgs, context: CliContext): string {
  const explicit = flagString(args, 'models');
  const absolute = explicit === undefined || explicit.startsWith('~') ? explicit : resolve(context.cwd, explicit);
  return resolveModelsDir({ explicit: absolute, env: context.env });
}

async function explicitCredentials(args: ParsedArgs, context: CliContext, host: string): Promise<Record<string, BasicCredentials>> {
  const user = flagString(args, 'user');
  const fromStdin = flagBool(args, 'password-stdin');
  if (user === undefined) {
    if (fromStdin) throw new UsageError('--password-stdin needs --user');
    return {};
  }
  let password: string | undefined;
  if (fromStdin) password = Buffer.from(await readAll(context.stdin)).toString('utf8').replace(/\r?\n$/, '');
  else password = context.env.MODELFILE_REGISTRY_PASSWORD;
  if (password === undefined) throw new UsageError('--user needs a password: pass it on standard input with --password-stdin, or set MODELFILE_REGISTRY_PASSWORD');
  return { [host]: { username: user, password } };
}

/** Parses NAME, checks the scheme against --insecure and builds the client. */
export async function registrySetup(
  args: ParsedArgs,
  context: CliContext,
  input: string,
  extra: Pick<RegistryClientOptions, 'streams'> = {},
): Promise<RegistrySetup> {
  const reference = parseReference(input);
  const name = reference.name;
  if (!name) throw new UsageError(`'${input}' has no model name; give NAME[:TAG] (a digest alone is for local lookups)`);
  const insecure = flagBool(args, 'insecure');
  if (reference.scheme === 'http' && !insecure) throw new InsecureRefused(input);
  const caFile = flagString(args, 'ca');
  const ca = caFile === undefined ? undefined : await readFile(resolve(context.cwd, caFile), 'utf8');
  const explicit = await explicitCredentials(args, context, name.host);
  const client = new RegistryClient({
    ...extra,
    insecureHosts: insecure ? [name.host] : [],
    ca,
    credentials: credentialsProvider({ explicit, env: context.env }),
    ollamaKey: ollamaKeyLoader({
      onCreated: (registration) =>
        context.stderr.write(`Created a new Ollama key for this computer; to push to ollama.com, ${registrationAdvice(registration)}\n`),
    }),
  });
  return { client, modelsDir: modelsDirOf(args, context), name, json: flagBool(args, 'json') };
}

/** `--streams N`: a whole number from 1 to 64. */
export function streamsOf(args: ParsedArgs): number | undefined {
  const text = flagString(args, 'streams');
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 64) throw new UsageError(`--streams must be a whole number from 1 to 64, not '${text}'`);
  return Number(text);
}

/** A short word for what a layer is: `model`, `template`, `params`, `config`, … */
export function layerLabel(mediaType: string): string {
  if (mediaType === 'application/vnd.docker.container.image.v1+json') return 'config';
  const m = /^application\/vnd\.ollama\.image\.([a-z0-9.-]+)/.exec(mediaType);
  return m ? m[1] : 'layer';
}

/** Prints a core error (stderr, or a JSON line on stdout) and returns the exit code; anything else is rethrown. */
export function reportError(error: unknown, context: CliContext, json: boolean, hint?: string): number {
  if (!(error instanceof StudioError)) throw error;
  if (json) context.stdout.write(`${JSON.stringify({ error: error.message, code: error.code })}\n`);
  else context.stderr.write(`Error: ${error.message}\n${hint ? `${hint}\n` : ''}`);
  return EXIT_FAILURE;
}
