// Reveal Models Folder: shows the models directory in the operating system's file manager; where that is not
// possible (a browser-based VS Code), says where it is and offers to copy the path.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { CommandOutcome } from '../feedback';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';

export async function revealModelsFolder(services: CommandServices): Promise<CommandOutcome<{ path: string; revealed: boolean }>> {
  const dir = services.models.modelsDir;
  if (!existsSync(dir)) {
    void vscode.window.showInformationMessage(`The models directory ${dir} does not exist yet; the first pull or create makes it.`);
    return { status: 'done', result: { path: dir, revealed: false } };
  }
  try {
    await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir));
    return { status: 'done', result: { path: dir, revealed: true } };
  } catch {
    void vscode.window.showInformationMessage(`The models directory is ${dir}`, 'Copy Path').then(async (choice) => {
      if (choice === 'Copy Path') await vscode.env.clipboard.writeText(dir);
    });
    return { status: 'done', result: { path: dir, revealed: false } };
  }
}

export function registerRevealModelsFolder(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.revealModelsFolder, () => revealModelsFolder(services));
}
