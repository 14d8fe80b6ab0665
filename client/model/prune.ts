// The words around Prune: what a dry run found, as the confirmation's question and detail, and what a real run
// did, as the closing message. No vscode import.
import type { PruneResult, PrunedKind } from '../../core/cache';
import { formatBytes, plural } from './format';

const KIND_WORDS: Readonly<Record<PrunedKind, readonly [string, string]>> = {
  blob: ['unused blob', 'unused blobs'],
  temp: ['temporary file', 'temporary files'],
  partial: ['stale partial download', 'stale partial downloads'],
  'manifest-temp': ['leftover temporary manifest', 'leftover temporary manifests'],
  directory: ['empty folder', 'empty folders'],
};

const KIND_ORDER: readonly PrunedKind[] = ['blob', 'partial', 'temp', 'manifest-temp', 'directory'];

export interface PruneSummary {
  /** Nothing would be removed (or renamed). */
  readonly empty: boolean;
  /** One sentence: "Prune would remove 3 files and free 1.2 GB." */
  readonly headline: string;
  /** What, by kind, and what is kept and why. */
  readonly detail: string;
}

function kindLines(result: PruneResult): string[] {
  const lines: string[] = [];
  for (const kind of KIND_ORDER) {
    const items = result.removed.filter((file) => file.kind === kind);
    if (items.length === 0) continue;
    const [one, many] = KIND_WORDS[kind];
    const bytes = items.reduce((sum, file) => sum + file.size, 0);
    lines.push(`• ${plural(items.length, one, many)}${kind === 'directory' ? '' : ` (${formatBytes(bytes)})`}`);
  }
  return lines;
}

function keptLines(result: PruneResult): string[] {
  const lines: string[] = [];
  if (result.tooRecent > 0) {
    lines.push(`${plural(result.tooRecent, 'unused file')} younger than the age limit or still being written ${result.tooRecent === 1 ? 'is' : 'are'} kept.`);
  }
  if (result.warnings.length > 0) {
    lines.push(`${plural(result.warnings.length, 'file')} below manifests/ ${result.warnings.length === 1 ? 'is' : 'are'} not a valid manifest; the blobs ${result.warnings.length === 1 ? 'it names' : 'they name'} are kept (see the log).`);
  }
  return lines;
}

/** The summary of a dry run, for the confirmation. */
export function summarisePruneDryRun(result: PruneResult): PruneSummary {
  const files = result.removed.filter((file) => file.kind !== 'directory').length;
  const folders = result.removed.length - files;
  const renamed = result.renamed.length;
  const empty = result.removed.length === 0 && renamed === 0;
  const what: string[] = [];
  if (files > 0) what.push(plural(files, 'file'));
  if (folders > 0) what.push(plural(folders, 'empty folder'));
  let headline: string;
  if (empty) headline = 'Nothing to prune: every file in the models directory is in use.';
  else if (what.length === 0) headline = `Prune would rename ${plural(renamed, 'blob file')} to the name Ollama expects.`;
  else headline = `Prune would remove ${what.join(' and ')} and free ${formatBytes(result.bytesFreed)}.`;
  const detail = [...kindLines(result)];
  if (renamed > 0 && what.length > 0) detail.push(`• ${plural(renamed, 'blob file')} renamed to the name Ollama expects`);
  const kept = keptLines(result);
  if (kept.length > 0) detail.push('', ...kept);
  return { empty, headline, detail: detail.join('\n') };
}

/** The message after a real run. */
export function summarisePruneDone(result: PruneResult): string {
  const files = result.removed.filter((file) => file.kind !== 'directory').length;
  if (result.removed.length === 0 && result.renamed.length === 0) return 'Nothing was pruned.';
  const parts = [`Pruned ${plural(files, 'file')}, freed ${formatBytes(result.bytesFreed)}`];
  const folders = result.removed.length - files;
  if (folders > 0) parts.push(`removed ${plural(folders, 'empty folder')}`);
  if (result.renamed.length > 0) parts.push(`renamed ${plural(result.renamed.length, 'blob file')}`);
  return `${parts.join(', ')}.`;
}
