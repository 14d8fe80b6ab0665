// Copy Name: puts the model's name (as `ollama run` takes it) on the clipboard.
import * as vscode from 'vscode';
import type { CommandOutcome } from '../feedback';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';
import { modelFromArgOrPick } from './pickModel';

export async function copyName(services: CommandServices, arg: unknown): Promise<CommandOutcome<{ name: string }>> {
  const name = await modelFromArgOrPick(services.models, arg, 'The model whose name to copy');
  if (name === undefined) return { status: 'cancelled' };
  await vscode.env.clipboard.writeText(name);
  vscode.window.setStatusBarMessage(`Copied ${name}`, 3000);
  return { status: 'done', result: { name } };
}

export function registerCopyName(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.copyName, (arg: unknown) => copyName(services, arg));
}
