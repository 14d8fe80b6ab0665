// Every command id the extension contributes (package.json `contributes.commands`), in one place. The language
// server's MF028 quick fix runs `modelfile.pullModel` (server/features/codeActions.ts); that id is registered too,
// as an alias of Pull Model, and kept out of the Command Palette.
export const COMMANDS = {
  pullModel: 'modelfileStudio.pullModel',
  pushModel: 'modelfileStudio.pushModel',
  createModel: 'modelfileStudio.createModel',
  deleteModel: 'modelfileStudio.deleteModel',
  copyModel: 'modelfileStudio.copyModel',
  showModelfile: 'modelfileStudio.showModelfile',
  editModel: 'modelfileStudio.editModel',
  prune: 'modelfileStudio.prune',
  refresh: 'modelfileStudio.refresh',
  revealModelsFolder: 'modelfileStudio.revealModelsFolder',
  copyName: 'modelfileStudio.copyName',
  cancelTransfers: 'modelfileStudio.cancelTransfers',
  showOutput: 'modelfileStudio.showOutput',
} as const;

/** The id the language server's "Pull … now" quick fix runs, with the model name as its argument. */
export const SERVER_PULL_MODEL_COMMAND = 'modelfile.pullModel';
