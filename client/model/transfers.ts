// The transfers running right now (creates, pulls, pushes), for the status-bar item and the Cancel command: each
// has a kind, a model name, a percentage and an AbortController. The board computes the status-bar text and
// tooltip; it does not know VS Code. No vscode import.

export type TransferKind = 'pull' | 'push' | 'create';

export interface Transfer {
  readonly id: number;
  readonly kind: TransferKind;
  readonly name: string;
  readonly controller: AbortController;
  percent: number | undefined;
  detail: string;
}

const VERB: Readonly<Record<TransferKind, string>> = { pull: 'Pulling', push: 'Pushing', create: 'Creating' };
const ICON: Readonly<Record<TransferKind, string>> = { pull: '$(cloud-download)', push: '$(cloud-upload)', create: '$(package)' };

export class TransferBoard {
  private readonly running = new Map<number, Transfer>();
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  /** Registers a transfer; the returned object is updated in place by its runner. */
  start(kind: TransferKind, name: string, controller: AbortController): Transfer {
    const transfer: Transfer = { id: this.nextId++, kind, name, controller, percent: undefined, detail: '' };
    this.running.set(transfer.id, transfer);
    this.changed();
    return transfer;
  }

  update(transfer: Transfer, percent: number | undefined, detail: string): void {
    transfer.percent = percent;
    transfer.detail = detail;
    this.changed();
  }

  finish(transfer: Transfer): void {
    if (this.running.delete(transfer.id)) this.changed();
  }

  list(): Transfer[] {
    return [...this.running.values()];
  }

  /** Aborts every running transfer; returns how many were asked to stop. */
  cancelAll(): number {
    const all = this.list();
    for (const transfer of all) transfer.controller.abort();
    return all.length;
  }

  onChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** The status-bar text: one transfer in full, several as a count; empty when nothing runs. */
  statusText(): string {
    const all = this.list();
    const only = all[0];
    if (only === undefined) return '';
    if (all.length > 1) return `$(sync~spin) ${all.length} transfers`;
    const percent = only.percent === undefined ? '' : ` ${Math.floor(only.percent)}%`;
    return `${ICON[only.kind]} ${VERB[only.kind]} ${only.name}${percent}`;
  }

  /** One line per transfer, and how to cancel. */
  tooltip(): string {
    const lines = this.list().map((t) => {
      const percent = t.percent === undefined ? '' : ` ${Math.floor(t.percent)}%`;
      return `${VERB[t.kind]} ${t.name}${percent}${t.detail === '' ? '' : ` — ${t.detail}`}`;
    });
    return [...lines, '', 'Click to cancel.'].join('\n');
  }
}
