// The "Create Model" CodeLens on a Modelfile's FROM line (client-side: it only needs the FROM line, found with
// core's parser). For a document opened by Edit Model it names the model that Create will write back.
import * as vscode from 'vscode';
import { COMMANDS } from './commands/ids';
import { fromLine } from './model/modelfileInfo';
import type { ModelfileDocuments } from './modelfileDocuments';

export class CreateModelCodeLens implements vscode.CodeLensProvider {
  constructor(private readonly documents: ModelfileDocuments) {}

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const line = fromLine(document.getText());
    if (line === undefined) return [];
    const edited = this.documents.editedModel(document.uri);
    const range = new vscode.Range(line, 0, line, 0);
    return [
      new vscode.CodeLens(range, {
        title: edited === undefined ? '$(package) Create Model…' : `$(package) Create ${edited}`,
        tooltip: edited === undefined ? 'Create a model from this Modelfile in the models directory' : `Write this Modelfile back to ${edited}`,
        command: COMMANDS.createModel,
        arguments: [{ uri: document.uri.toString() }],
      }),
    ];
  }
}

export function registerCreateModelCodeLens(documents: ModelfileDocuments): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider(
    [
      { scheme: 'file', language: 'modelfile' },
      { scheme: 'untitled', language: 'modelfile' },
    ],
    new CreateModelCodeLens(documents),
  );
}
