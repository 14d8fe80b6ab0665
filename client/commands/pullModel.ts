// Pull Model: asks for a name (validated as it is typed, see model/names), then pulls it from its registry into
// the models directory under a cancellable progress notification; a cancelled pull leaves a partial download that
// the next pull resumes. Also registered under the id the language server's MF028 quick fix runs.
import * as vscode from 'vscode';
import { displayShortest, parseReference } from '../../core/names';
import { pullModel, type PullResult } from '../../core/registry';
import { refuse, type CommandOutcome } from '../feedback';
import { formatBytes, plural } from '../model/format';
import { checkPullName, modelNameOf } from '../model/names';
import { stepFromPull } from '../model/progress';
import { insecureRefusal } from '../model/registryOptions';
import { runTransfer } from '../progress/runTransfer';
import { COMMANDS, SERVER_PULL_MODEL_COMMAND } from './ids';
import type { CommandServices } from './index';

export interface PullSummary {
  /** As stored (DisplayShortest). */
  readonly name: string;
  /** Model ID (hex SHA-256 of the manifest). */
  readonly id: string;
  readonly bytesReceived: number;
  readonly downloaded: number;
  readonly reused: number;
}

async function askName(): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'Pull Model',
    prompt: 'The model to pull from its registry into the models directory',
    placeHolder: 'llama3.2, llama3.2:1b, me/model:tag, host:port/namespace/model:tag',
    ignoreFocusOut: true,
    validateInput: (text) => {
      const check = checkPullName(text);
      return { message: check.message, severity: check.valid ? vscode.InputBoxValidationSeverity.Info : vscode.InputBoxValidationSeverity.Error };
    },
  });
}

export async function pull(services: CommandServices, arg: unknown): Promise<CommandOutcome<PullSummary>> {
  const { output, models } = services;
  const input = modelNameOf(arg) ?? (await askName());
  if (input === undefined) return { status: 'cancelled' };
  const check = checkPullName(input);
  if (!check.valid) return refuse(output, check.message);
  const reference = parseReference(check.name);
  const name = reference.name;
  if (name === undefined) return refuse(output, 'Give the name of a model to pull.');
  const refusal = insecureRefusal(reference.scheme, name.host, models.settings);
  if (refusal !== undefined) return refuse(output, refusal);

  const shown = displayShortest(name);
  const client = models.registryClient();
  try {
    const outcome = await runTransfer(
      services,
      {
        kind: 'pull',
        name: shown,
        title: `Pulling ${shown}`,
        cancelledMessage: `Pull of ${shown} cancelled. Pull it again to resume where it stopped.`,
      },
      (signal, step): Promise<PullResult> =>
        pullModel(reference, { modelsDir: models.modelsDir, client, signal, onProgress: (event) => step(stepFromPull(event)) }),
    );
    if (outcome.status !== 'done') return outcome;
    const result = outcome.result;
    const summary: PullSummary = {
      name: displayShortest(result.name),
      id: result.id,
      bytesReceived: result.bytesReceived,
      downloaded: result.downloaded.length,
      reused: result.reused.length,
    };
    const what = result.downloaded.length === 0 ? 'already up to date' : `${formatBytes(result.bytesReceived)} downloaded, ${plural(result.downloaded.length, 'blob')}`;
    void vscode.window.showInformationMessage(`Pulled ${summary.name} (${what}).`);
    return { status: 'done', result: summary };
  } finally {
    await client.close();
    models.refresh();
  }
}

export function registerPullModel(services: CommandServices): vscode.Disposable[] {
  const handler = (arg: unknown): Promise<CommandOutcome<PullSummary>> => pull(services, arg);
  return [vscode.commands.registerCommand(COMMANDS.pullModel, handler), vscode.commands.registerCommand(SERVER_PULL_MODEL_COMMAND, handler)];
}
