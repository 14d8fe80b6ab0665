// The model a command works on: from its argument (a name, `{ name }`, a tree row), else chosen from a quick pick
// of the models in the directory.
import * as vscode from 'vscode';
import { modelDescription } from '../model/format';
import { modelNameOf } from '../model/names';
import type { ModelsService } from '../models';

export async function modelFromArgOrPick(models: ModelsService, arg: unknown, placeHolder: string): Promise<string | undefined> {
  const given = modelNameOf(arg);
  if (given !== undefined) return given;
  const { models: entries } = await models.list();
  if (entries.length === 0) {
    void vscode.window.showInformationMessage('There are no models in the models directory yet: pull or create one first.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    entries.map((entry) => ({ label: entry.name, description: modelDescription(entry), detail: entry.fullName })),
    { placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.label;
}
