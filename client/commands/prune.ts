// Prune: a dry run first, whose summary (model/prune) is the modal question; then the real run, which removes
// unused blobs, stale partial downloads, temp files and empty folders older than an hour, like `modelfile prune`.
// `{ dryRun: true }` only reports; `{ confirmed: true }` skips the question.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { prune, type PruneResult } from '../../core/cache';
import { reportFailure, type CommandOutcome } from '../feedback';
import { isConfirmed } from '../model/names';
import { summarisePruneDone, summarisePruneDryRun } from '../model/prune';
import { COMMANDS } from './ids';
import type { CommandServices } from './index';

export interface PruneSummary {
  readonly dryRun: boolean;
  readonly headline: string;
  readonly files: number;
  readonly bytesFreed: number;
  readonly paths: readonly string[];
}

function summaryOf(result: PruneResult, headline: string): PruneSummary {
  return {
    dryRun: result.dryRun,
    headline,
    files: result.removed.filter((file) => file.kind !== 'directory').length,
    bytesFreed: result.bytesFreed,
    paths: result.removed.map((file) => file.path),
  };
}

function isDryRunOnly(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && (arg as Record<string, unknown>)['dryRun'] === true;
}

export async function pruneModels(services: CommandServices, arg: unknown): Promise<CommandOutcome<PruneSummary>> {
  const { output, models } = services;
  const dir = models.modelsDir;
  if (!existsSync(dir)) {
    const message = 'The models directory does not exist yet; there is nothing to prune.';
    void vscode.window.showInformationMessage(message);
    return { status: 'done', result: { dryRun: true, headline: message, files: 0, bytesFreed: 0, paths: [] } };
  }
  try {
    const dry = await prune(dir, { dryRun: true });
    const summary = summarisePruneDryRun(dry);
    for (const warning of dry.warnings) output.warn(`prune: manifests/${warning.path}: ${warning.message}`);
    if (isDryRunOnly(arg) || summary.empty) {
      if (!isDryRunOnly(arg)) void vscode.window.showInformationMessage(summary.headline);
      return { status: 'done', result: summaryOf(dry, summary.headline) };
    }
    if (!isConfirmed(arg)) {
      const choice = await vscode.window.showWarningMessage(summary.headline, { modal: true, detail: summary.detail }, 'Prune');
      if (choice !== 'Prune') return { status: 'cancelled' };
    }
    const result = await prune(dir);
    const message = summarisePruneDone(result);
    output.info(`prune: ${message}`);
    for (const file of result.removed) output.info(`prune: removed ${file.path}`);
    void vscode.window.showInformationMessage(message);
    return { status: 'done', result: summaryOf(result, message) };
  } catch (error) {
    return reportFailure(output, 'Pruning the models directory', error);
  } finally {
    models.refresh();
  }
}

export function registerPrune(services: CommandServices): vscode.Disposable {
  return vscode.commands.registerCommand(COMMANDS.prune, (arg: unknown) => pruneModels(services, arg));
}
