// Copy or Tag Model: stores a model's manifest under another name (a new tag, namespace or registry) like
// `ollama cp`; the blobs are shared, nothing is duplicated. Asks before replacing an existing model.
// `{ source, destination }` (or `{ name, destination }`) skips the prompts; `confirmed: true` the replace question.
import * as vscode from 'vscode';
import { copyModel, findManifestName } from '../../core/cache';
import { displayShortest } from '../../core/names';
import { refuse, reportFailure, type CommandOutcome } from '../feedback';
import { argString, checkTargetName, isConfirmed } from '../model/names';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';
import { modelFromArgOrPick } from './pickModel';

export interface CopySummary {
  readonly from: string;
  readonly to: string;
  readonly id: string;
}

async function askDestination(source: string): Promise<string | undefined> {
  const colon = source.lastIndexOf(':');
  return vscode.window.showInputBox({
    title: `Copy or Tag ${source}`,
    prompt: 'The new name: another tag (model:tag), namespace (me/model) or registry (host/namespace/model:tag)',
    value: source,
    valueSelection: colon > 0 ? [colon + 1, source.length] : undefined,
    ignoreFocusOut: true,
    validateInput: (text) => {
      const check = checkTargetName(text);
      return { message: check.message, severity: check.valid ? vscode.InputBoxValidationSeverity.Info : vscode.InputBoxValidationSeverity.Error };
    },
  });
}

export async function copy(services: CommandServices, arg: unknown): Promise<CommandOutcome<CopySummary>> {
  const { output, models } = services;
  const source = argString(arg, 'source') ?? (await modelFromArgOrPick(models, arg, 'The model to copy or tag'));
  if (source === undefined) return { status: 'cancelled' };
  const input = argString(arg, 'destination') ?? (await askDestination(source));
  if (input === undefined) return { status: 'cancelled' };
  const check = checkTargetName(input);
  if (!check.valid) return refuse(output, check.message);
  try {
    const existing = await findManifestName(models.modelsDir, check.name);
    if (existing !== undefined && !isConfirmed(arg)) {
      const shown = displayShortest(existing);
      const choice = await vscode.window.showWarningMessage(
        `${shown} already exists. Replace it with ${source}?`,
        { modal: true, detail: 'Its blobs that no other model uses are deleted.' },
        'Replace',
      );
      if (choice !== 'Replace') return { status: 'cancelled' };
    }
    const result = await copyModel(models.modelsDir, source, check.name);
    output.info(`copied ${result.from} to ${result.to}`);
    void vscode.window.showInformationMessage(`Copied ${result.from} to ${result.to}.`);
    return { status: 'done', result: { from: result.from, to: result.to, id: result.id } };
  } catch (error) {
    return reportFailure(output, `Copying ${source}`, error);
  } finally {
    models.refresh();
  }
}

export function registerCopyModel(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.copyModel, (arg: unknown) => copy(services, arg));
}
