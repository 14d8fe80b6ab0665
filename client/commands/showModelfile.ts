// Show Modelfile: opens a model's Modelfile (as `ollama show --modelfile` prints it) in a read-only editor at
// `modelfile-studio:/<model>.Modelfile`.
import * as vscode from 'vscode';
import { findManifestName } from '../../core/cache';
import { displayShortest } from '../../core/names';
import { refuse, reportFailure, type CommandOutcome } from '../feedback';
import { ModelfileDocuments } from '../modelfileDocuments';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';
import { modelFromArgOrPick } from './pickModel';

export async function showModelfile(services: CommandServices, arg: unknown): Promise<CommandOutcome<{ uri: string }>> {
  const { output, models } = services;
  const name = await modelFromArgOrPick(models, arg, 'The model whose Modelfile to show');
  if (name === undefined) return { status: 'cancelled' };
  try {
    const found = await findManifestName(models.modelsDir, name);
    if (found === undefined) return refuse(output, `Model '${name}' is not in the models directory.`);
    const uri = ModelfileDocuments.uriFor(displayShortest(found));
    let document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== 'modelfile') document = await vscode.languages.setTextDocumentLanguage(document, 'modelfile');
    await vscode.window.showTextDocument(document, { preview: true });
    return { status: 'done', result: { uri: uri.toString() } };
  } catch (error) {
    return reportFailure(output, `Showing the Modelfile of ${name}`, error);
  }
}

export function registerShowModelfile(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.showModelfile, (arg: unknown) => showModelfile(services, arg));
}
