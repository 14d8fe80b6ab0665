// Turns a failure into what the user reads: core's typed errors already say what to do next, so their message is
// used as is; anything else is named as unexpected. Cancellation is told apart, since
// it is not an error to show. No vscode import.
import { StudioError } from '../../core/errors';

/** Whether the failure is a cancellation (core's Cancelled, or a DOM AbortError from below). */
export function isCancellation(error: unknown): boolean {
  if (error instanceof StudioError) return error.code === 'Cancelled';
  return error instanceof Error && error.name === 'AbortError';
}

/** `<what> failed: <reason>`; `what` is e.g. "Pulling llama3.2". */
export function failureMessage(what: string, error: unknown): string {
  if (error instanceof StudioError) return `${what} failed: ${error.message}`;
  const text = error instanceof Error ? error.message : String(error);
  return `${what} failed unexpectedly: ${text}. See the log for details.`;
}
