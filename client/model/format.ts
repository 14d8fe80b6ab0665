// How the extension writes numbers, times and model details for people: byte sizes in Ollama's decimal units,
// durations, relative times, short IDs, and the tree's descriptions and Markdown tooltips. Plain functions of
// plain data (no vscode import), unit-tested in test/unit/client-format.test.ts.
import type { ModelListEntry } from '../../core/cache';

/** Bytes in decimal units, as `ollama list` prints them: "17 B", "4.7 GB", "512 MB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  // 999.96 MB would print as "1000 MB"; move to the next unit instead.
  if (value >= 999.5 && unit < units.length - 1) return `1.0 ${units[unit + 1]}`;
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** A transfer rate: "12 MB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** A duration for an ETA: "45s", "3m 20s", "1h 05m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** "just now", "5 minutes ago", "3 days ago" (like `ollama list`). */
export function formatAgo(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  const steps: ReadonlyArray<readonly [number, string]> = [
    [365 * 24 * 3600, 'year'],
    [30 * 24 * 3600, 'month'],
    [7 * 24 * 3600, 'week'],
    [24 * 3600, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, word] of steps) {
    if (seconds >= size) {
      const n = Math.floor(seconds / size);
      return `${n} ${word}${n === 1 ? '' : 's'} ago`;
    }
  }
  return seconds < 10 ? 'just now' : `${seconds} seconds ago`;
}

/** The first 12 hex digits of a model ID or digest, as Ollama shows IDs. */
export function shortId(idOrDigest: string): string {
  return idOrDigest.replace(/^sha256[:-]/, '').slice(0, 12);
}

/** A count with its noun: "1 file", "3 files". */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** The quantization worth showing: Ollama writes "unknown" for F32 weights or a missing file type; that says nothing. */
export function shownQuantization(quantization: string): string {
  return quantization.toLowerCase() === 'unknown' ? '' : quantization;
}

/** The tree item's description: size and quantization, e.g. "2.0 GB · Q4_K_M". */
export function modelDescription(model: Pick<ModelListEntry, 'size' | 'quantization'>): string {
  return [formatBytes(model.size), shownQuantization(model.quantization)].filter((part) => part !== '').join(' · ');
}

/** Escapes the characters Markdown would interpret, for text that comes from a model. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

/** The rows of a model's tooltip, in order; empty values are left out. */
export function modelDetails(model: ModelListEntry, now: number): Array<readonly [string, string]> {
  const rows: Array<readonly [string, string]> = [
    ['Family', model.families && model.families.length > 1 ? model.families.join(', ') : model.family],
    ['Parameters', model.parameterSize],
    ['Quantization', shownQuantization(model.quantization)],
    ['Context length', model.contextLength === undefined ? '' : model.contextLength.toLocaleString('en-US')],
    ['Size', formatBytes(model.size)],
    ['ID', shortId(model.id)],
    ['Modified', `${formatAgo(model.modifiedMs, now)} (${model.modifiedAt.slice(0, 19).replace('T', ' ')} UTC)`],
    ['Capabilities', model.capabilities.join(', ')],
    ['Created from', model.parentModel],
  ];
  return rows.filter(([, value]) => value !== '');
}

/** The tree item's tooltip: the model's full name, then a two-column table of its details (Markdown). */
export function modelTooltipMarkdown(model: ModelListEntry, now: number): string {
  const lines = [`**${escapeMarkdown(model.name)}**`, '', `${escapeMarkdown(model.fullName)}`, '', '| | |', '|---|---|'];
  for (const [label, value] of modelDetails(model, now)) lines.push(`| ${label} | ${escapeMarkdown(value)} |`);
  return lines.join('\n');
}
