// What the input boxes say while a model name is typed (core/names decides what is valid): an error with the
// reason, or — for a valid name — where it will be stored, so that `me/model` visibly becomes
// `registry.ollama.ai/me/model:latest`. Also reads model names out of command arguments. No vscode import.
import { checkReference, displayShortest, nameString } from '../../core/names';
import { modelNameFromShowPath, SHOW_SCHEME } from './showUri';

export type NameCheck =
  | { readonly valid: true; readonly name: string; readonly message: string }
  | { readonly valid: false; readonly message: string };

const EXAMPLES = 'e.g. llama3.2, llama3.2:1b, me/my-model:q4 or host:port/namespace/model:tag';

/** A name to pull: `[scheme://]name[@digest]`, as the CLI takes it. */
export function checkPullName(input: string): NameCheck {
  const text = input.trim();
  if (text === '') return { valid: false, message: `Type the name of a model, ${EXAMPLES}` };
  const checked = checkReference(text);
  if (!checked.valid) return { valid: false, message: `Not a valid model name: ${checked.reason}` };
  const { name, digest, scheme } = checked.reference;
  if (name === undefined) return { valid: false, message: 'A digest alone cannot be pulled: give the model name too, e.g. name@sha256:…' };
  const over = scheme === 'https' ? '' : ` over ${scheme}`;
  const at = digest === undefined ? '' : ` at ${digest.slice(0, 19)}…`;
  return { valid: true, name: text, message: `Pulls ${nameString(name)}${at}${over}` };
}

/** A name to create or copy to: a plain model name (no scheme, no digest). */
export function checkTargetName(input: string): NameCheck {
  const text = input.trim();
  if (text === '') return { valid: false, message: `Type a name for the model, ${EXAMPLES}` };
  if (text.includes('://')) return { valid: false, message: 'A scheme is not part of a model name: leave out "…://"' };
  const checked = checkReference(text);
  if (!checked.valid) return { valid: false, message: `Not a valid model name: ${checked.reason}` };
  const { name, digest } = checked.reference;
  if (name === undefined || digest !== undefined) return { valid: false, message: 'A model is named by name and tag, not by digest' };
  return { valid: true, name: displayShortest(name), message: `Stored as ${nameString(name)}` };
}

function stringField(value: object, key: string): string | undefined {
  const field: unknown = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field !== '' ? field : undefined;
}

/**
 * The model a command was invoked for: a string, an object with `name` (the scripting form, e.g.
 * `{ name: 'llama3.2', confirmed: true }`), a tree item, which carries the list entry as `model`, or the URI of a
 * Show Modelfile view (the editor-title button passes it).
 */
export function modelNameOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg.trim() === '' ? undefined : arg.trim();
  if (typeof arg !== 'object' || arg === null) return undefined;
  const record = arg as Record<string, unknown>;
  if (record['scheme'] === SHOW_SCHEME && typeof record['path'] === 'string') return modelNameFromShowPath(record['path']);
  const model: unknown = record['model'];
  if (typeof model === 'object' && model !== null) {
    const fromEntry = stringField(model, 'name');
    if (fromEntry !== undefined) return fromEntry;
  }
  return stringField(arg, 'name');
}

/** Whether a command argument says the confirmation was already given (`{ confirmed: true }`). */
export function isConfirmed(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && (arg as Record<string, unknown>)['confirmed'] === true;
}

/** A string field of an argument object, if present. */
export function argString(arg: unknown, key: string): string | undefined {
  return typeof arg === 'object' && arg !== null ? stringField(arg, key) : undefined;
}
