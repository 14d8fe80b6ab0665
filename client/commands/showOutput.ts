// The "Modelfile Studio: Show Output" command: reveals the extension's output channel.
import * as vscode from 'vscode';
import type { CommandServices } from './index';

export const SHOW_OUTPUT_COMMAND = 'modelfile.showOutput';

export function registerShowOutput(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_OUTPUT_COMMAND, () => services.output.show(true));
}
