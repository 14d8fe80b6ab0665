// Edit Model: opens a model's Modelfile as a new untitled document; Create Model (the CodeLens, the editor-title
// button) then writes it back under the same name.
import * as vscode from 'vscode';
import { showModel } from '../../core/cache';
import { reportFailure, type CommandOutcome } from '../feedback';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';
import { modelFromArgOrPick } from './pickModel';

export async function editModel(services: CommandServices, arg: unknown): Promise<CommandOutcome<{ uri: string; name: string }>> {
  const { output, models, documents } = services;
  const name = await modelFromArgOrPick(models, arg, 'The model to edit');
  if (name === undefined) return { status: 'cancelled' };
  try {
    const shown = await showModel(models.modelsDir, name);
    const document = await vscode.workspace.openTextDocument({ language: 'modelfile', content: shown.modelfile });
    documents.trackEdit(document, shown.model.name);
    await vscode.window.showTextDocument(document);
    output.info(`editing the Modelfile of ${shown.model.name}; Create Model writes it back`);
    return { status: 'done', result: { uri: document.uri.toString(), name: shown.model.name } };
  } catch (error) {
    return reportFailure(output, `Opening ${name} for editing`, error);
  }
}

export function registerEditModel(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.editModel, (arg: unknown) => editModel(services, arg));
}
