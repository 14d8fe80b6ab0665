// Delete Model: asks in a modal dialog, naming the space the deletion frees (blobs nothing else needs, see
// model/spaceFreed), then removes the model like `ollama rm`. `{ name, confirmed: true }` skips the dialog.
import * as vscode from 'vscode';
import { removeModel } from '../../core/cache';
import { reportFailure, type CommandOutcome } from '../feedback';
import { formatBytes, plural } from '../model/format';
import { isConfirmed } from '../model/names';
import { deleteDetail, estimateSpaceFreed } from '../model/spaceFreed';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';
import { modelFromArgOrPick } from './pickModel';

export interface DeleteSummary {
  readonly name: string;
  readonly bytesFreed: number;
  readonly blobsRemoved: number;
}

export async function deleteModel(services: CommandServices, arg: unknown): Promise<CommandOutcome<DeleteSummary>> {
  const { output, models } = services;
  const name = await modelFromArgOrPick(models, arg, 'The model to delete');
  if (name === undefined) return { status: 'cancelled' };
  try {
    if (!isConfirmed(arg)) {
      const freed = await estimateSpaceFreed(models.modelsDir, name);
      const choice = await vscode.window.showWarningMessage(`Delete ${name}?`, { modal: true, detail: deleteDetail(freed) }, 'Delete');
      if (choice !== 'Delete') return { status: 'cancelled' };
    }
    const result = await removeModel(models.modelsDir, name);
    output.info(`deleted ${result.name}: ${plural(result.removed.length, 'blob')} removed, ${formatBytes(result.bytesFreed)} freed`);
    void vscode.window.showInformationMessage(`Deleted ${result.name} and freed ${formatBytes(result.bytesFreed)}.`);
    return { status: 'done', result: { name: result.name, bytesFreed: result.bytesFreed, blobsRemoved: result.removed.length } };
  } catch (error) {
    return reportFailure(output, `Deleting ${name}`, error);
  } finally {
    models.refresh();
  }
}

export function registerDeleteModel(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.deleteModel, (arg: unknown) => deleteModel(services, arg));
}
