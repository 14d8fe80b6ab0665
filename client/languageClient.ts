// Starts and stops the language client that talks to the bundled server (dist/server.js) over Node IPC.
// A missing or failing server is logged to the output channel and never breaks activation.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { DOCUMENT_SELECTOR, SERVER_MODULE, type LanguageServerStatus } from './state';

export interface LanguageClientHandle {
  status(): LanguageServerStatus;
  stop(): Promise<void>;
}

export function startLanguageClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClientHandle {
  const serverModule = context.asAbsolutePath(SERVER_MODULE);
  if (!existsSync(serverModule)) {
    output.info('The language server is not bundled in this build; syntax highlighting and snippets still work.');
    return { status: () => 'absent', stop: async () => {} };
  }

  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR.map((filter) => ({ ...filter })),
    outputChannel: output,
  };
  const client = new LanguageClient('modelfileStudio', 'Modelfile Studio', serverOptions, clientOptions);

  let status: LanguageServerStatus = 'starting';
  client.start().then(
    () => {
      if (status === 'starting') status = 'running';
    },
    (error: unknown) => {
      status = 'failed';
      output.error(`The language server did not start: ${error instanceof Error ? error.message : String(error)}`);
    },
  );

  return {
    status: () => status,
    stop: async () => {
      if (status === 'stopped') return;
      const wasRunning = status === 'running' || status === 'starting';
      status = 'stopped';
      if (wasRunning) await client.stop();
    },
  };
}
