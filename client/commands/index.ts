// Registers every command the extension contributes (package.json `contributes.commands`). Each command lives in its
// own file in this folder and receives only the services it needs.
import type * as vscode from 'vscode';
import { registerShowOutput } from './showOutput';

/** Services that commands may use; grows as features land (models directory, registry client, progress). */
export interface CommandServices {
  readonly output: vscode.LogOutputChannel;
}

export function registerCommands(services: CommandServices): vscode.Disposable[] {
  return [registerShowOutput(services)];
}
