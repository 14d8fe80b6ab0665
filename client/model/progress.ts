// Progress of a create, pull or push as one view: core's typed events (per layer: total, completed, state) become
// steps; a tracker adds them up into an overall fraction, a transfer rate over a sliding window, an ETA and the
// one-line message a notification shows, plus one log line per step (a status, a layer starting, changing state or
// finishing). No vscode import: the notification and the status bar only render what this computes.
import { layerRole, type CreateProgress } from '../../core/create';
import type { PullEvent, PushEvent } from '../../core/registry';
import { formatBytes, formatDuration, formatRate, plural, shortId } from './format';

/** One layer as the tracker sees it, whatever the operation. */
export interface ProgressItem {
  /** Stable within one operation. */
  readonly id: string;
  /** What a person sees: `model 3f2a1b2c3d4e`, a file name, `template`. */
  readonly label: string;
  /** A word for what is happening: downloading, uploading, copying, verifying, checking, done. */
  readonly state: string;
  readonly completed: number;
  readonly total: number;
  /** True when it ended without transferring anything (already present, already on the registry, mounted). */
  readonly finished: boolean;
  /** Nothing had to be transferred. */
  readonly reused: boolean;
}

export type ProgressStep =
  | { readonly kind: 'item'; readonly item: ProgressItem }
  | { readonly kind: 'status'; readonly message: string }
  | { readonly kind: 'warning'; readonly message: string };

function layerLabel(mediaType: string, digest: string): string {
  return `${layerRole(mediaType)} ${shortId(digest)}`;
}

/** A pull event as a step; `prefix` tells apart the layers of a base model pulled during a create. */
export function stepFromPull(event: PullEvent, prefix = ''): ProgressStep {
  if (event.type === 'status') return { kind: 'status', message: prefix === '' ? event.status : `${prefix}: ${event.status}` };
  const reused = event.state === 'reused';
  const finished = reused || event.state === 'done';
  return {
    kind: 'item',
    item: {
      id: `${prefix}pull:${event.digest}`,
      label: prefix === '' ? layerLabel(event.mediaType, event.digest) : `${prefix}: ${layerLabel(event.mediaType, event.digest)}`,
      state: finished ? 'done' : event.state,
      completed: event.completed,
      total: event.total,
      finished,
      reused,
    },
  };
}

export function stepFromPush(event: PushEvent): ProgressStep {
  if (event.type === 'status') return { kind: 'status', message: event.status };
  const reused = event.state === 'exists' || event.state === 'mounted';
  const finished = reused || event.state === 'done';
  return {
    kind: 'item',
    item: {
      id: `push:${event.digest}`,
      label: layerLabel(event.mediaType, event.digest),
      state: finished ? 'done' : event.state,
      completed: finished ? event.total : event.completed,
      total: event.total,
      finished,
      reused,
    },
  };
}

export function stepFromCreate(event: CreateProgress): ProgressStep {
  switch (event.kind) {
    case 'status':
      return { kind: 'status', message: event.message };
    case 'warning':
      return { kind: 'warning', message: event.message };
    case 'writing-manifest':
      return { kind: 'status', message: 'writing manifest' };
    case 'success':
      return { kind: 'status', message: 'success' };
    case 'layer':
      return {
        kind: 'item',
        item: {
          id: `create:${event.id}`,
          label: event.label,
          state: event.state,
          completed: event.completed,
          total: event.total,
          finished: event.state === 'done',
          reused: event.reused === true,
        },
      };
  }
}

/** What a notification shows at one moment. */
export interface ProgressView {
  /** One line: the current layer, its bytes, the overall rate and the time left. */
  readonly message: string;
  /** 0–100 over every layer seen so far; undefined before the first layer. */
  readonly percent: number | undefined;
  /** Bytes per second over the last few seconds, once measurable. */
  readonly rate: number | undefined;
  readonly etaSeconds: number | undefined;
  readonly completed: number;
  readonly total: number;
  readonly layers: number;
  readonly layersDone: number;
}

export interface TrackerOptions {
  /** Clock in ms; default Date.now. */
  readonly now?: () => number;
  /** How far back the rate looks; default 5 s. */
  readonly windowMs?: number;
}

/** Adds up the steps of one operation (see the file header). */
export class ProgressTracker {
  private readonly items = new Map<string, ProgressItem>();
  private readonly order: string[] = [];
  private readonly samples: Array<readonly [number, number]> = [];
  private readonly now: () => number;
  private readonly windowMs: number;
  private lastStatus = '';
  private reportedPercent = 0;
  private currentId: string | undefined;

  constructor(options: TrackerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.windowMs = options.windowMs ?? 5000;
  }

  /** Records a step; returns the log lines it deserves (none for a mere byte count update). */
  apply(step: ProgressStep): string[] {
    if (step.kind === 'status') {
      this.lastStatus = step.message;
      return [step.message];
    }
    if (step.kind === 'warning') return [`warning: ${step.message}`];
    const item = step.item;
    const before = this.items.get(item.id);
    if (before === undefined) this.order.push(item.id);
    this.items.set(item.id, item);
    if (!item.finished) this.currentId = item.id;
    this.sample();
    if (item.finished) {
      if (before?.finished === true) return [];
      return [`${item.label}: ${item.reused ? 'already present' : 'done'} (${formatBytes(item.total)})`];
    }
    if (before === undefined || before.state !== item.state) return [`${item.state} ${item.label} (${formatBytes(item.total)})`];
    return [];
  }

  /** Bytes actually moved (layers that were already present do not count towards the rate). */
  private transferred(): number {
    let sum = 0;
    for (const item of this.items.values()) if (!item.reused) sum += Math.min(item.completed, item.total);
    return sum;
  }

  private sample(): void {
    const time = this.now();
    this.samples.push([time, this.transferred()]);
    while (this.samples.length > 2 && time - (this.samples[0]?.[0] ?? time) > this.windowMs) this.samples.shift();
  }

  private rate(): number | undefined {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first === undefined || last === undefined) return undefined;
    const elapsed = last[0] - first[0];
    if (elapsed < 250) return undefined;
    const rate = ((last[1] - first[1]) * 1000) / elapsed;
    return rate > 0 ? rate : undefined;
  }

  view(): ProgressView {
    let completed = 0;
    let total = 0;
    let layersDone = 0;
    for (const item of this.items.values()) {
      completed += Math.min(item.completed, item.total);
      total += item.total;
      if (item.finished || item.state === 'done') layersDone++;
    }
    const layers = this.items.size;
    const percent = layers === 0 ? undefined : total === 0 ? (layersDone === layers ? 100 : 0) : (completed * 100) / total;
    const rate = this.rate();
    const current = this.currentId === undefined ? undefined : this.items.get(this.currentId);
    const active = current !== undefined && !current.finished && current.state !== 'done' ? current : undefined;
    const remaining = total - completed;
    const etaSeconds = active !== undefined && rate !== undefined && remaining > 0 ? remaining / rate : undefined;
    let message: string;
    if (active === undefined) {
      message = this.lastStatus;
    } else {
      const parts = [`${active.state} ${active.label}: ${formatBytes(active.completed)} / ${formatBytes(active.total)}`];
      if (layers > 1) parts.push(`${layersDone}/${plural(layers, 'layer')}`);
      if (rate !== undefined) parts.push(formatRate(rate));
      if (etaSeconds !== undefined) parts.push(`${formatDuration(etaSeconds)} left`);
      message = parts.join(' · ');
    }
    return { message, percent, rate, etaSeconds, completed, total, layers, layersDone };
  }

  /**
   * The percentage points gained since the last call, for `Progress.report({ increment })`, which only adds.
   * When new layers make the overall fraction smaller, nothing is reported until it catches up.
   */
  takeIncrement(): number {
    const percent = this.view().percent ?? 0;
    const increment = Math.max(0, Math.min(100, percent) - this.reportedPercent);
    this.reportedPercent += increment;
    return increment;
  }
}
