// Progress rendering for long CLI operations (create now; pull and push reuse it): one bar per layer with size,
// rate and ETA redrawn in place when the stream is a terminal; plain, append-only lines otherwise (CI logs, pipes).
// Renders what core reports per layer — id, label, state, completed/total — and knows nothing about create itself.
import type { Output } from './context';
import { formatBytes } from './format';

export { formatBytes };

/** One layer's progress as core reports it (create's LayerProgress fits; pull/push map theirs onto it). */
export interface ProgressItem {
  /** Stable key within one operation. */
  id: string;
  /** What to show, e.g. a file name or `model (llama3.2:latest)`. */
  label: string;
  /** A word for the current state: copying, downloading, verifying, done, … ("done" ends the item). */
  state: string;
  completed: number;
  total: number;
  /** `sha256:<hex>`, shown shortened when the item is done. */
  digest?: string;
  /** Nothing had to be transferred: the blob was already there. */
  reused?: boolean;
  /** How the finished line ends, e.g. "downloaded", "pushed", "mounted"; default "written" or "already present". */
  note?: string;
}

export interface ProgressRenderer {
  item(update: ProgressItem): void;
  status(message: string): void;
  warn(message: string): void;
  /** Stops live redrawing; the final state of every bar stays on screen. Safe to call twice. */
  done(): void;
}

export interface ProgressOptions {
  /** Force live (terminal) rendering on or off; default: `out.isTTY`. */
  tty?: boolean;
  /** Terminal width; default `out.columns` or 80. */
  columns?: number;
  /** Clock in milliseconds, for tests. */
  now?: () => number;
  /** Least time between two redraws of the live block; default 100 ms. */
  redrawMs?: number;
}

/** Bytes the way Ollama prints them (decimal units): `512 B`, `4.7 GB`, `123 MB`. */
/** A duration as `45s`, `3m20s` or `1h05m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

interface Tracked extends ProgressItem {
  /** Recent (time, completed) samples for the rate. */
  samples: Array<[number, number]>;
  /** Plain mode: the last quarter reported. */
  quarter: number;
  announced: boolean;
}

const RATE_WINDOW_MS = 3000;

function rateOf(item: Tracked): number | undefined {
  const first = item.samples[0];
  const last = item.samples[item.samples.length - 1];
  if (!first || !last || last[0] - first[0] < 200) return undefined;
  return ((last[1] - first[1]) * 1000) / (last[0] - first[0]);
}

function truncate(text: string, width: number): string {
  if (width <= 1) return '';
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The line of a finished item (both modes). */
function finishedLine(item: ProgressItem): string {
  const what = item.note ?? (item.reused ? 'already present' : 'written');
  const digest = item.digest ? ` ${shortDigest(item.digest)}` : '';
  return `${item.label}:${digest} ${formatBytes(item.total)} (${what})`;
}

/** Creates a renderer writing to `out` (normally stderr). */
export function createProgressRenderer(out: Output, options: ProgressOptions = {}): ProgressRenderer {
  const live = options.tty ?? out.isTTY === true;
  const columns = Math.max(40, options.columns ?? out.columns ?? 80);
  const now = options.now ?? Date.now;
  const redrawMs = options.redrawMs ?? 100;
  const items = new Map<string, Tracked>();
  let drawnLines = 0;
  let lastDraw = -Infinity;
  let finished = false;

  const active = (): Tracked[] => [...items.values()].filter((item) => item.state !== 'done');

  function barLine(item: Tracked): string {
    const fraction = item.total > 0 ? Math.min(1, item.completed / item.total) : 0;
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const rate = rateOf(item);
    const sizes = `${formatBytes(item.completed)}/${formatBytes(item.total)}`;
    const speed = rate !== undefined && rate > 0 ? `${formatBytes(rate)}/s` : '';
    const eta = rate !== undefined && rate > 0 ? `ETA ${formatDuration((item.total - item.completed) / rate)}` : '';
    const tail = [percent, sizes, speed, eta].filter(Boolean).join('  ');
    const labelWidth = Math.min(32, Math.max(10, Math.floor(columns / 3)));
    const label = truncate(`${item.state} ${item.label}`, labelWidth).padEnd(labelWidth);
    const barWidth = Math.max(10, columns - labelWidth - tail.length - 6);
    const filled = Math.round(fraction * barWidth);
    return truncate(`${label} [${'█'.repeat(filled)}${' '.repeat(barWidth - filled)}] ${tail}`, columns - 1);
  }

  /** Live mode: erases the block of bars, prints `permanent` lines above it, redraws the bars. */
  function redraw(permanent: string[] = []): void {
    let text = '';
    if (drawnLines > 0) text += `\x1b[${drawnLines}F`;
    for (const line of permanent) text += `\x1b[2K${line}\n`;
    const bars = finished ? [] : active().map(barLine);
    for (const line of bars) text += `\x1b[2K${line}\n`;
    // Clear lines left over from a taller block.
    const extra = drawnLines - permanent.length - bars.length;
    for (let i = 0; i < extra; i++) text += '\x1b[2K\n';
    if (extra > 0) text += `\x1b[${extra}F`;
    drawnLines = bars.length;
    lastDraw = now();
    if (text !== '') out.write(text);
  }

  function line(text: string): void {
    if (live) redraw([text]);
    else out.write(`${text}\n`);
  }

  return {
    item(update) {
      if (finished) return;
      const time = now();
      let item = items.get(update.id);
      if (item === undefined) {
        item = { ...update, samples: [], quarter: 0, announced: false };
        items.set(update.id, item);
      } else {
        Object.assign(item, update);
      }
      item.samples.push([time, update.completed]);
      while (item.samples.length > 2 && time - item.samples[0][0] > RATE_WINDOW_MS) item.samples.shift();

      if (update.state === 'done') {
        line(finishedLine(item));
        return;
      }
      if (live) {
        if (time - lastDraw >= redrawMs) redraw();
        return;
      }
      if (!item.announced) {
        item.announced = true;
        out.write(`${item.state} ${item.label} (${formatBytes(item.total)})\n`);
      }
      // Plain mode: a line at each quarter of a large transfer, so that a long copy does not look stuck.
      if (item.total >= 64 * 1024 * 1024) {
        const quarter = Math.floor((item.completed / item.total) * 4);
        if (quarter > item.quarter && quarter < 4) {
          item.quarter = quarter;
          const rate = rateOf(item);
          const speed = rate !== undefined && rate > 0 ? `, ${formatBytes(rate)}/s` : '';
          out.write(`${item.state} ${item.label}: ${quarter * 25}% of ${formatBytes(item.total)}${speed}\n`);
        }
      }
    },
    status(message) {
      if (!finished) line(message);
    },
    warn(message) {
      if (!finished) line(message);
    },
    done() {
      if (finished) return;
      const last = live ? active().map(barLine) : [];
      finished = true;
      if (live) redraw(last);
    },
  };
}
