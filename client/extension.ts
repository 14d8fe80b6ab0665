// The extension's entry point: creates the "Modelfile Studio" output channel, starts the language client when the
// bundled server exists, and wires the models directory (ModelsService), the Models view, the read-only and
// editable Modelfile documents, the FROM-line CodeLens, the transfer status bar and the commands. Feature code
// lives beside it; this file only wires them together.
import * as vscode from 'vscode';
import { registerCreateModelCodeLens } from './codeLens';
import { registerCommands } from './commands';
import { startLanguageClient, type LanguageClientHandle } from './languageClient';
import { ModelfileDocuments } from './modelfileDocuments';
import { TransferBoard } from './model/transfers';
import { ModelsService } from './models';
import { createTransferStatusBar } from './progress/statusBar';
import { OUTPUT_CHANNEL_NAME, type ClientState } from './state';
import { MODELS_VIEW_ID, ModelsTreeProvider, type TreeRow } from './tree/modelsTree';

let languageClient: LanguageClientHandle | undefined;

/** What activate() returns, for scripts and other extensions (and the end-to-end tests). */
export interface ModelfileStudioApi {
  readonly state: () => ClientState;
  /** The models directory in use (the setting, else OLLAMA_MODELS, else ~/.ollama/models). */
  readonly modelsDirectory: () => string;
  /** The Models view's rows as it shows them: groups with their models (label, description). */
  readonly modelsView: () => Promise<TreeRow[]>;
}

export function activate(context: vscode.ExtensionContext): ModelfileStudioApi {
  const output = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  context.subscriptions.push(output);

  languageClient = startLanguageClient(context, output);

  const models = new ModelsService(output);
  const transfers = new TransferBoard();
  const documents = new ModelfileDocuments(models);
  const tree = new ModelsTreeProvider(models);
  const view = vscode.window.createTreeView(MODELS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(models, documents, tree, view, createTransferStatusBar(transfers), registerCreateModelCodeLens(documents));
  context.subscriptions.push(...registerCommands({ output, models, transfers, documents }));
  output.info(`Models directory: ${models.modelsDir}`);

  return {
    state: () => ({ languageServer: languageClient?.status() ?? 'absent' }),
    modelsDirectory: () => models.modelsDir,
    modelsView: () => tree.rows(),
  };
}

export async function deactivate(): Promise<void> {
  const client = languageClient;
  languageClient = undefined;
  await client?.stop();
}
