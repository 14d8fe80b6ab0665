// Where the end-to-end harness finds things: the repository root, the code-server install made by
// scripts/setup-code-server.sh, Debian's Chromium, and the folders it writes (test-results/).
import { join, resolve } from 'node:path';

/** The repository root: set by scripts/test.mjs, else derived from this bundle's place (out/test/e2e/). */
export function repositoryRoot(): string {
  const fromEnv = process.env['MODELFILE_STUDIO_ROOT'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return resolve(__dirname, '..', '..', '..');
}

export const CODE_SERVER_VERSION = '4.100.3';
export const CHROMIUM = '/usr/bin/chromium';

export function codeServerPrefix(root: string): string {
  return join(root, '.vscode-test', 'code-server');
}

export function codeServerBinary(root: string): string {
  return join(codeServerPrefix(root), 'node_modules', '.bin', 'code-server');
}

/** VS Code's own node_modules inside code-server (vscode-textmate, vscode-oniguruma, …). */
export function vscodeNodeModules(root: string): string {
  return join(codeServerPrefix(root), 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
}

export function resultsDir(root: string): string {
  return join(root, 'test-results');
}

export function fixturesDir(root: string): string {
  return join(root, 'test', 'e2e', 'fixtures');
}
