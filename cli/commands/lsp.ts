// `modelfile lsp`: runs the language server in this process for editors that start a command (Neovim, Helix,
// Emacs, …), over standard input/output by default, or Node IPC, or a socket the editor listens on.
import { createConnection, createServerSocketTransport, IPCMessageReader, IPCMessageWriter, ProposedFeatures } from 'vscode-languageserver/node';
import { flagBool, flagString, UsageError } from '../args';
import type { CliCommand } from '../command';
import { startServer } from '../../server/server';

export const lspCommand: CliCommand = {
  spec: {
    name: 'lsp',
    summary: 'Run the Modelfile language server for an editor (standard input/output by default).',
    usage: 'modelfile lsp [--stdio | --node-ipc | --socket=PORT]',
    maxPositionals: 0,
    flags: [
      { name: 'stdio', kind: 'boolean', description: 'Speak LSP over standard input and output (the default).' },
      { name: 'node-ipc', kind: 'boolean', description: 'Speak LSP over the Node IPC channel of a parent Node process.' },
      { name: 'socket', kind: 'string', valueName: 'PORT', description: 'Connect to an editor listening on 127.0.0.1:PORT.' },
      { name: 'clientProcessId', kind: 'string', valueName: 'PID', description: 'Exit when this editor process ends (sent by some clients).' },
    ],
    details:
      'Settings come from the editor (section "modelfileStudio": modelsDirectory, diagnostics.severity).\nThe models directory defaults to $OLLAMA_MODELS, else ~/.ollama/models. The server runs until the editor\nsends exit, or closes the connection.',
  },
  async run(args) {
    const socket = flagString(args, 'socket');
    const ipc = flagBool(args, 'node-ipc');
    const chosen = [flagBool(args, 'stdio'), ipc, socket !== undefined].filter(Boolean).length;
    if (chosen > 1) throw new UsageError('choose one transport: --stdio, --node-ipc or --socket=PORT');
    let connection;
    if (socket !== undefined) {
      const port = Number(socket);
      if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`--socket expects a port number, not '${socket}'`);
      const [reader, writer] = createServerSocketTransport(port);
      connection = createConnection(ProposedFeatures.all, reader, writer);
    } else if (ipc) {
      if (!process.send) throw new UsageError('--node-ipc needs a parent Node process with an IPC channel');
      connection = createConnection(ProposedFeatures.all, new IPCMessageReader(process), new IPCMessageWriter(process));
    } else {
      // Given as streams, the connection also ends the process when the editor closes standard input.
      connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
    }
    startServer(connection);
    // The connection ends the process on `exit` (or when the editor goes away); until then, keep running.
    return new Promise<number>(() => {});
  },
};
