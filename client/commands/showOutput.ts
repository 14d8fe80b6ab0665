// The "Modelfile Studio: Show Log" command: reveals the extension's output channel.
import * as vscode from 'vscode';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';

export function registerShowOutput(services: Pick<CommandServices, 'output'>): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.showOutput, () => services.output.show(true));
}
