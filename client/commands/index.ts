// Registers every command the extension contributes (ids in ./ids, package.json `contributes.commands`). Each
// command lives in its own file in this folder and receives only the services it needs; every model command
// returns a CommandOutcome, so that scripts (and the end-to-end tests) can run it with arguments that skip the
// prompts — a model name, `{ name, confirmed: true }`, `{ source, destination }`, `{ uri, name }` — and see
// what happened.
import * as vscode from 'vscode';
import type { ModelfileDocuments } from '../modelfileDocuments';
import type { TransferBoard } from '../model/transfers';
import type { ModelsService } from '../models';
import { registerCancelTransfers } from './cancelTransfers';
import { registerCopyModel } from './copyModel';
import { registerCopyName } from './copyName';
import { registerCreateModel } from './createModel';
import { registerDeleteModel } from './deleteModel';
import { registerEditModel } from './editModel';
import { COMMANDS } from './ids';
import { registerPrune } from './prune';
import { registerPullModel } from './pullModel';
import { registerPushModel } from './pushModel';
import { registerRevealModelsFolder } from './revealModelsFolder';
import { registerShowModelfile } from './showModelfile';
import { registerShowOutput } from './showOutput';

/** Services that commands may use. */
export interface CommandServices {
  readonly output: vscode.LogOutputChannel;
  readonly models: ModelsService;
  readonly transfers: TransferBoard;
  readonly documents: ModelfileDocuments;
}

export function registerCommands(services: CommandServices): vscode.Disposable[] {
  return [
    registerShowOutput(services),
    ...registerPullModel(services),
    registerPushModel(services),
    registerCreateModel(services),
    registerDeleteModel(services),
    registerCopyModel(services),
    registerShowModelfile(services),
    registerEditModel(services),
    registerPrune(services),
    vscode.commands.registerCommand(COMMANDS.refresh, () => services.models.refresh()),
    registerRevealModelsFolder(services),
    registerCopyName(services),
    registerCancelTransfers(services),
  ];
}
