// The `--models DIR` option shared by every command that touches Ollama's models directory, and its resolution
// (option, else OLLAMA_MODELS, else ~/.ollama/models).
import { resolve } from 'node:path';
import type { FlagSpec, ParsedArgs } from './args';
import { flagString } from './args';
import type { CliContext } from './context';
import { resolveModelsDir } from '../core/cache';
import type { CacheWarning } from '../core/cache';

export const modelsFlag: FlagSpec = {
  name: 'models',
  kind: 'string',
  valueName: 'DIR',
  description: 'Models directory (default: $OLLAMA_MODELS, else ~/.ollama/models).',
};

export function modelsDirFor(args: ParsedArgs, context: CliContext): string {
  const explicit = flagString(args, 'models');
  const absolute = explicit === undefined || explicit.startsWith('~') ? explicit : resolve(context.cwd, explicit);
  return resolveModelsDir({ explicit: absolute, env: context.env });
}

/** Prints cache warnings (invalid manifests and the like) to stderr, one line each. */
export function printWarnings(warnings: readonly CacheWarning[], context: CliContext): void {
  for (const warning of warnings) context.stderr.write(`warning: ${warning.path}: ${warning.message}\n`);
}

/** Ollama's envconfig.Bool: unset or empty is false, a parsable boolean is itself, anything else is true. */
export function envBool(value: string | undefined): boolean {
  const text = (value ?? '').trim().replace(/^["']+|["']+$/g, '');
  if (text === '') return false;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return true;
}
