// Entry point of the bundled language server (dist/server.js): the transport comes from the command line
// (--stdio, --node-ipc or --socket=PORT), as vscode-languageserver reads it.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
