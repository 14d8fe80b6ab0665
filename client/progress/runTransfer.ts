// Runs one create, pull or push under a cancellable progress notification: per-layer detail with rate and ETA
// (from ProgressTracker), the status-bar entry (TransferBoard), one log line per step, and an AbortSignal that the
// notification's Cancel button and the Cancel Transfers command fire.
import * as vscode from 'vscode';
import { isCancellation } from '../model/errors';
import { ProgressTracker, type ProgressStep } from '../model/progress';
import type { TransferBoard, TransferKind } from '../model/transfers';
import { cancelled, done, reportFailure, type CommandOutcome } from '../feedback';

export interface TransferSpec {
  readonly kind: TransferKind;
  /** The model, as the user named it. */
  readonly name: string;
  /** The notification's title, e.g. "Pulling llama3.2". */
  readonly title: string;
  /** Shown (not awaited) when the user cancels; e.g. that a pull resumes. */
  readonly cancelledMessage: string;
}

export interface TransferServices {
  readonly output: vscode.LogOutputChannel;
  readonly transfers: TransferBoard;
}

/** Least time between two notification updates for byte counts (state changes always update). */
const REPORT_INTERVAL_MS = 200;

export function runTransfer<T>(
  services: TransferServices,
  spec: TransferSpec,
  work: (signal: AbortSignal, step: (step: ProgressStep) => void) => Promise<T>,
): Thenable<CommandOutcome<T>> {
  const { output, transfers } = services;
  const controller = new AbortController();
  const tracker = new ProgressTracker();
  const transfer = transfers.start(spec.kind, spec.name, controller);
  const prefix = `[${spec.kind} ${spec.name}]`;
  output.info(`${prefix} started`);
  const started = Date.now();

  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: spec.title, cancellable: true },
    async (progress, token): Promise<CommandOutcome<T>> => {
      const cancelListener = token.onCancellationRequested(() => controller.abort());
      let lastReport = 0;
      const report = (force: boolean): void => {
        const now = Date.now();
        if (!force && now - lastReport < REPORT_INTERVAL_MS) return;
        lastReport = now;
        const view = tracker.view();
        progress.report({ message: view.message, increment: tracker.takeIncrement() });
        transfers.update(transfer, view.percent, view.message);
      };
      const step = (event: ProgressStep): void => {
        const lines = tracker.apply(event);
        for (const line of lines) output.info(`${prefix} ${line}`);
        report(lines.length > 0);
      };
      try {
        const result = await work(controller.signal, step);
        output.info(`${prefix} finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return done(result);
      } catch (error) {
        if (controller.signal.aborted || isCancellation(error)) {
          output.info(`${prefix} cancelled`);
          void vscode.window.showInformationMessage(spec.cancelledMessage);
          return cancelled;
        }
        return reportFailure(output, spec.title, error);
      } finally {
        cancelListener.dispose();
        transfers.finish(transfer);
      }
    },
  );
}
