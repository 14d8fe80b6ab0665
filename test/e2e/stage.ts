// Lays out the extension as VS Code installs it: a folder `<publisher>.<name>-<version>` in an extensions directory,
// holding only what ships (manifest, bundles, grammar, snippets, icons, language configuration).
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Manifest {
  readonly name: string;
  readonly publisher: string;
  readonly version: string;
  readonly main: string;
}

/** Top-level entries of the repository that belong to the installed extension (those that exist are copied). */
const SHIPPED = ['package.json', 'dist', 'syntaxes', 'snippets', 'icons', 'language-configuration.json', 'README.md', 'LICENSE', 'CHANGELOG.md'];

export interface StagedExtension {
  readonly id: string;
  readonly folder: string;
}

export function readManifest(root: string): Manifest {
  const parsed: unknown = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error('package.json is not an object');
  const field = (key: string): string => {
    const value: unknown = (parsed as Record<string, unknown>)[key];
    if (typeof value !== 'string') throw new Error(`package.json has no string field "${key}"`);
    return value;
  };
  return { name: field('name'), publisher: field('publisher'), version: field('version'), main: field('main') };
}

export function stageExtension(root: string, extensionsDir: string): StagedExtension {
  const manifest = readManifest(root);
  const main = join(root, manifest.main);
  if (!existsSync(main)) throw new Error(`${manifest.main} is missing: run "node scripts/build.mjs" first`);
  const folder = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  mkdirSync(folder, { recursive: true });
  for (const entry of SHIPPED) {
    const source = join(root, entry);
    if (existsSync(source)) cpSync(source, join(folder, entry), { recursive: true });
  }
  return { id: `${manifest.publisher}.${manifest.name}`, folder };
}
