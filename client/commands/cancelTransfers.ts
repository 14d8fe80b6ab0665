// Cancel Transfers (also the status-bar item's click): lists the running creates, pulls and pushes and cancels the
// one chosen, or all of them. `{ all: true }` cancels everything without asking.
import * as vscode from 'vscode';
import type { CommandOutcome } from '../feedback';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';

export async function cancelTransfers(services: CommandServices, arg: unknown): Promise<CommandOutcome<{ cancelled: number }>> {
  const { transfers } = services;
  const running = transfers.list();
  if (typeof arg === 'object' && arg !== null && (arg as Record<string, unknown>)['all'] === true) {
    return { status: 'done', result: { cancelled: transfers.cancelAll() } };
  }
  if (running.length === 0) {
    void vscode.window.showInformationMessage('No pull, push or create is running.');
    return { status: 'done', result: { cancelled: 0 } };
  }
  const verb = { pull: 'Pull', push: 'Push', create: 'Create' } as const;
  const items = running.map((transfer) => ({
    label: `${verb[transfer.kind]} ${transfer.name}`,
    description: transfer.percent === undefined ? '' : `${Math.floor(transfer.percent)}%`,
    detail: transfer.detail,
    transfer,
  }));
  const all = { label: 'Cancel all', description: '', detail: undefined, transfer: undefined };
  const picked = await vscode.window.showQuickPick(running.length > 1 ? [...items, all] : items, { placeHolder: 'Cancel which transfer?' });
  if (picked === undefined) return { status: 'cancelled' };
  if (picked.transfer === undefined) return { status: 'done', result: { cancelled: transfers.cancelAll() } };
  picked.transfer.controller.abort();
  return { status: 'done', result: { cancelled: 1 } };
}

export function registerCancelTransfers(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.cancelTransfers, (arg: unknown) => cancelTransfers(services, arg));
}
