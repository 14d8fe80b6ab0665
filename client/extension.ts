// The extension's entry point: creates the "Modelfile Studio" output channel, starts the language client when the
// bundled server exists, and registers the commands. Feature code lives beside it (commands/, later tree/); this file
// only wires them together.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { startLanguageClient, type LanguageClientHandle } from './languageClient';
import { OUTPUT_CHANNEL_NAME, type ClientState } from './state';

let languageClient: LanguageClientHandle | undefined;

/** What activate() returns: read by the end-to-end tests, and by nothing else yet. */
export interface ModelfileStudioApi {
  readonly state: () => ClientState;
}

export function activate(context: vscode.ExtensionContext): ModelfileStudioApi {
  const output = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  context.subscriptions.push(output);

  languageClient = startLanguageClient(context, output);
  context.subscriptions.push(...registerCommands({ output }));

  return { state: () => ({ languageServer: languageClient?.status() ?? 'absent' }) };
}

export async function deactivate(): Promise<void> {
  const client = languageClient;
  languageClient = undefined;
  await client?.stop();
}
