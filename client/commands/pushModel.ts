// Push Model: pushes a local model (from the tree row, an argument or a quick pick) to the registry its name
// points at, under a cancellable progress notification.
import * as vscode from 'vscode';
import { parseReference } from '../../core/names';
import { pushModel, type PushResult } from '../../core/registry';
import { refuse, type CommandOutcome } from '../feedback';
import { formatBytes, plural } from '../model/format';
import { stepFromPush } from '../model/progress';
import { insecureRefusal } from '../model/registryOptions';
import { runTransfer } from '../progress/runTransfer';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';
import { modelFromArgOrPick } from './pickModel';

export interface PushSummary {
  readonly name: string;
  /** `sha256:<hex>` of the manifest as pushed. */
  readonly digest: string;
  readonly uploaded: number;
  readonly existing: number;
  readonly mounted: number;
  readonly bytesSent: number;
}

export async function push(services: CommandServices, arg: unknown): Promise<CommandOutcome<PushSummary>> {
  const { output, models } = services;
  const name = await modelFromArgOrPick(models, arg, 'The model to push to its registry');
  if (name === undefined) return { status: 'cancelled' };
  let host: string;
  try {
    const reference = parseReference(name);
    if (reference.name === undefined || reference.digest !== undefined) return refuse(output, `"${name}": a model is pushed by name and tag.`);
    host = reference.name.host;
    const refusal = insecureRefusal(reference.scheme, host, models.settings);
    if (refusal !== undefined) return refuse(output, refusal);
  } catch (error) {
    return refuse(output, error instanceof Error ? error.message : String(error));
  }

  const client = models.registryClient();
  try {
    const outcome = await runTransfer(
      services,
      {
        kind: 'push',
        name,
        title: `Pushing ${name}`,
        cancelledMessage: `Push of ${name} cancelled. Blobs that reached the registry are skipped next time.`,
      },
      (signal, step): Promise<PushResult> =>
        pushModel(name, { modelsDir: models.modelsDir, client, signal, onProgress: (event) => step(stepFromPush(event)) }),
    );
    if (outcome.status !== 'done') return outcome;
    const result = outcome.result;
    const summary: PushSummary = {
      name,
      digest: result.digest,
      uploaded: result.uploaded.length,
      existing: result.existing.length,
      mounted: result.mounted.length,
      bytesSent: result.bytesSent,
    };
    const sent = result.uploaded.length === 0 ? 'the registry had every blob' : `${plural(result.uploaded.length, 'blob')}, ${formatBytes(result.bytesSent)} sent`;
    void vscode.window.showInformationMessage(`Pushed ${name} to ${host} (${sent}).`);
    return { status: 'done', result: summary };
  } finally {
    await client.close();
  }
}

export function registerPushModel(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.pushModel, (arg: unknown) => push(services, arg));
}
