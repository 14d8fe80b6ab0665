// Modelfiles of stored models in the editor: read-only views at `modelfile-studio:/<model>.Modelfile`, rendered
// like `ollama show --modelfile` and re-rendered when the models directory changes; and the editable copies Edit
// Model opens as untitled documents, remembered with the model they came from, so that Create writes back under
// that name.
import * as vscode from 'vscode';
import { showModel } from '../core/cache';
import { modelNameFromShowPath, SHOW_SCHEME, showPathFor } from './model/showUri';
import type { ModelsService } from './models';

export class ModelfileDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  /** Untitled document URI → the model its text came from. */
  private readonly edits = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly models: ModelsService) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(SHOW_SCHEME, this),
      models.onDidChange(() => {
        for (const document of vscode.workspace.textDocuments) {
          if (document.uri.scheme === SHOW_SCHEME) this.changed.fire(document.uri);
        }
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.edits.delete(document.uri.toString())),
    );
  }

  static uriFor(modelName: string): vscode.Uri {
    return vscode.Uri.from({ scheme: SHOW_SCHEME, path: showPathFor(modelName) });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const name = modelNameFromShowPath(uri.path);
    if (name === undefined) return '# Not a model: this view shows the Modelfile of a model in the models directory.\n';
    try {
      return (await showModel(this.models.modelsDir, name)).modelfile;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return `# The Modelfile of ${name} cannot be shown:\n# ${reason.replace(/\n/g, '\n# ')}\n`;
    }
  }

  /** Remembers that an untitled document holds the editable Modelfile of `modelName`. */
  trackEdit(document: vscode.TextDocument, modelName: string): void {
    this.edits.set(document.uri.toString(), modelName);
  }

  /** The model an Edit Model document came from, if it is one. */
  editedModel(uri: vscode.Uri): string | undefined {
    return this.edits.get(uri.toString());
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this.changed.dispose();
  }
}
