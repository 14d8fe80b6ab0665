// Create Model from Modelfile: takes the Modelfile in the active editor (or the one the editor-title button, the
// CodeLens or an argument names), asks for the model's name — unless the document came from Edit Model, whose
// model it writes back — and creates the model in the models directory under a cancellable progress notification.
// A base model missing from the directory is pulled first, as Ollama does.
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { createModel, type CreateResult } from '../../core/create';
import { pullMissingFor } from '../../core/registry';
import { refuse, type CommandOutcome } from '../feedback';
import { plural } from '../model/format';
import { suggestModelName } from '../model/modelfileInfo';
import { argString, checkTargetName } from '../model/names';
import { stepFromCreate, stepFromPull } from '../model/progress';
import { SHOW_SCHEME } from '../model/showUri';
import { keepUnusedBlobs } from '../model/settings';
import { runTransfer } from '../progress/runTransfer';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';

export interface CreateSummary {
  readonly name: string;
  /** Model ID (hex SHA-256 of the manifest). */
  readonly id: string;
  readonly layers: number;
  readonly warnings: readonly string[];
}

/**
 * The document to create from: the argument's URI (a Uri, or `{ uri }` as text or Uri), else the active editor's
 * Modelfile, else one chosen in an open dialog.
 */
async function documentOf(arg: unknown): Promise<vscode.TextDocument | undefined> {
  let uri: vscode.Uri | undefined;
  if (arg instanceof vscode.Uri) uri = arg;
  else if (typeof arg === 'object' && arg !== null) {
    const field: unknown = (arg as Record<string, unknown>)['uri'];
    if (field instanceof vscode.Uri) uri = field;
    else if (typeof field === 'string' && field !== '') uri = vscode.Uri.parse(field);
  }
  if (uri !== undefined) {
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri?.toString());
    return open ?? vscode.workspace.openTextDocument(uri);
  }
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === 'modelfile' && active.uri.scheme !== SHOW_SCHEME) return active;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Create from This Modelfile', title: 'Create Model from Modelfile' });
  return picked?.[0] === undefined ? undefined : vscode.workspace.openTextDocument(picked[0]);
}

async function askName(suggested: string): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Create Model',
    prompt: 'The name of the model to create from this Modelfile',
    value: suggested,
    ignoreFocusOut: true,
    validateInput: (text) => {
      const check = checkTargetName(text);
      return { message: check.message, severity: check.valid ? vscode.InputBoxValidationSeverity.Info : vscode.InputBoxValidationSeverity.Error };
    },
  });
}

export async function create(services: CommandServices, arg: unknown): Promise<CommandOutcome<CreateSummary>> {
  const { output, models, documents } = services;
  const document = await documentOf(arg);
  if (document === undefined) return { status: 'cancelled' };
  const edited = documents.editedModel(document.uri);
  const suggested = document.uri.scheme === 'file' ? suggestModelName(document.uri.fsPath) : 'my-model';
  const input = argString(arg, 'name') ?? edited ?? (await askName(suggested));
  if (input === undefined) return { status: 'cancelled' };
  const check = checkTargetName(input);
  if (!check.valid) return refuse(output, check.message);
  const name = check.name;

  const folder = vscode.workspace.getWorkspaceFolder(document.uri) ?? vscode.workspace.workspaceFolders?.[0];
  const modelfileDir = document.uri.scheme === 'file' ? dirname(document.uri.fsPath) : (folder?.uri.fsPath ?? homedir());
  const client = models.registryClient();
  try {
    const outcome = await runTransfer(
      services,
      { kind: 'create', name, title: `Creating ${name}`, cancelledMessage: `Create of ${name} cancelled; nothing was stored.` },
      (signal, step): Promise<CreateResult> =>
        createModel({
          modelsDir: models.modelsDir,
          name,
          modelfile: document.getText(),
          modelfileDir,
          signal,
          keepUnusedBlobs: keepUnusedBlobs(process.env),
          onProgress: (event) => step(stepFromCreate(event)),
          pullMissing: pullMissingFor(client, models.modelsDir, (event, base) => step(stepFromPull(event, base))),
        }),
    );
    if (outcome.status !== 'done') return outcome;
    const result = outcome.result;
    if (document.isUntitled && edited === undefined) documents.trackEdit(document, result.name);
    const summary: CreateSummary = {
      name: result.name,
      id: result.digest,
      layers: result.manifest.layers?.length ?? 0,
      warnings: result.warnings,
    };
    const warned = result.warnings.length === 0 ? '' : ` with ${plural(result.warnings.length, 'warning')} (see the log)`;
    void vscode.window.showInformationMessage(`Created ${result.name}${warned}.`);
    return { status: 'done', result: summary };
  } finally {
    await client.close();
    models.refresh();
  }
}

export function registerCreateModel(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.createModel, (arg: unknown) => create(services, arg));
}
