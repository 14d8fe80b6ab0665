// How commands report back: errors go to the log and to an error message with a "Show Log" button; outcomes are
// also returned to the caller as plain objects, so scripts and tests that run a command know what happened.
import type * as vscode from 'vscode';
import { window } from 'vscode';
import { StudioError } from '../core/errors';
import { failureMessage } from './model/errors';

/** What every model command returns: done with a result, cancelled (by the user or a signal), or failed. */
export type CommandOutcome<T> =
  | { readonly status: 'done'; readonly result: T }
  | { readonly status: 'cancelled' }
  | { readonly status: 'failed'; readonly message: string };

export function done<T>(result: T): CommandOutcome<T> {
  return { status: 'done', result };
}

export const cancelled: CommandOutcome<never> = { status: 'cancelled' };

/** Logs the failure and shows it with a "Show Log" button (not awaited: commands return at once). */
export function reportFailure(output: vscode.LogOutputChannel, what: string, error: unknown): CommandOutcome<never> {
  const message = failureMessage(what, error);
  output.error(message);
  if (error instanceof Error && !(error instanceof StudioError) && error.stack !== undefined) output.debug(error.stack);
  void window.showErrorMessage(message, 'Show Log').then((choice) => {
    if (choice === 'Show Log') output.show(true);
  });
  return { status: 'failed', message };
}

/** A refusal before anything started (an invalid name, nothing selected): shown, logged, returned. */
export function refuse(output: vscode.LogOutputChannel, message: string): CommandOutcome<never> {
  output.warn(message);
  void window.showWarningMessage(message);
  return { status: 'failed', message };
}
