// Expansion of FROM/ADAPTER/DRAFT arguments into file-system paths exactly as `ollama create` does (spec 4.1),
// and the classification of a FROM argument as a local path or a model name (spec 4.2).
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, normalize, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { StudioError } from '../errors';

/** A `~user/...` path whose user does not exist on this machine. */
export class UnknownUser extends StudioError {
  constructor(readonly user: string) {
    super('UnknownUser', `failed to find user '${user}': check the path, or write it relative to the Modelfile`);
  }
}

/** Looks up a user's home directory in /etc/passwd (what Go's os/user does without cgo). */
function homeOfUser(user: string): string | undefined {
  if (user === userInfo().username) return homedir();
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const fields = line.split(':');
      if (fields[0] === user && fields.length >= 6) return fields[5];
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Expands a path argument the way Ollama's client does: absolute paths are cleaned; `~` and `~/x` use the
 * current user's home; `~user/x` that user's home; anything else is joined to the Modelfile's directory and
 * made absolute against the process's working directory.
 */
export function expandModelfilePath(arg: string, modelfileDir: string, home: string = homedir()): string {
  if (arg.startsWith('/') || arg.startsWith('\\') || isAbsolute(arg)) return normalize(arg);
  if (arg === '~') return home;
  if (arg.startsWith('~/')) return join(home, arg.slice(2));
  if (arg.startsWith('~')) {
    const slash = arg.indexOf('/');
    const user = slash < 0 ? arg.slice(1) : arg.slice(1, slash);
    const userHome = homeOfUser(user);
    if (userHome === undefined) throw new UnknownUser(user);
    return slash < 0 ? userHome : join(userHome, arg.slice(slash + 1));
  }
  return resolve(modelfileDir, arg);
}

/** True when an argument is written like a path (so a missing file is almost certainly a mistake, not a name). */
export function looksLikePath(arg: string): boolean {
  return (
    arg.startsWith('./') ||
    arg.startsWith('../') ||
    arg.startsWith('/') ||
    arg.startsWith('~') ||
    arg.startsWith('\\') ||
    arg === '.' ||
    arg === '..' ||
    /\.(gguf|safetensors|bin|pth)$/i.test(arg)
  );
}
