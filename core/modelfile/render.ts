// Canonical rendering of Ollama commands back into Modelfile text (spec §1.7, as `ollama show --modelfile` writes
// them), and the check that says when a value would not come back unchanged if that text were parsed again.
import { describeCharacter, isGoPrintable } from './parser';
import { MESSAGE_ROLES, type OllamaCommand } from './syntax';

/** Command names rendered as `UPPERCASE <quoted args>`; `model` is FROM, `message` is MESSAGE, the rest PARAMETER. */
const QUOTED_INSTRUCTIONS: ReadonlySet<string> = new Set([
  'license',
  'template',
  'system',
  'adapter',
  'renderer',
  'parser',
  'requires',
  'draft',
]);

const ROLES: ReadonlySet<string> = new Set(MESSAGE_ROLES);

/** Ollama's quoting: a value with a line feed, or starting or ending with a space, is wrapped in `"""` when it
 *  contains `"`, else in `"`; any other value is written bare. */
export function quoteValue(value: string): string {
  if (value.includes('\n') || value.startsWith(' ') || value.endsWith(' ')) {
    return value.includes('"') ? `"""${value}"""` : `"${value}"`;
  }
  return value;
}

/** One command as Ollama renders it (without the trailing newline). */
export function renderCommand(command: OllamaCommand): string {
  const { name, args } = command;
  if (name === 'model') return `FROM ${args}`;
  if (QUOTED_INSTRUCTIONS.has(name)) return `${name.toUpperCase()} ${quoteValue(args)}`;
  if (name === 'message') {
    const cut = args.indexOf(': ');
    const role = cut < 0 ? args : args.slice(0, cut);
    const content = cut < 0 ? '' : args.slice(cut + 2);
    return `MESSAGE ${role} ${quoteValue(content)}`;
  }
  return `PARAMETER ${name} ${quoteValue(args)}`;
}

/** A whole command list, each command followed by a newline. */
export function renderModelfile(commands: readonly OllamaCommand[]): string {
  let out = '';
  for (const command of commands) out += renderCommand(command) + '\n';
  return out;
}

/**
 * Why `value` would not survive being rendered (as the argument of a command named `commandName`, default: any
 * quoted instruction such as SYSTEM) and parsed again, or undefined when it would. FROM (`model`) values are never
 * quoted and have stricter rules.
 */
export function roundTripHazard(value: string, commandName?: string): string | undefined {
  const invisible = firstDroppedCharacter(value);
  if (invisible !== undefined) {
    return `This value contains ${invisible}, which Ollama drops when it reads a Modelfile, so it cannot be written back unchanged.`;
  }
  const rendered = commandName === 'model' ? value : quoteValue(value);
  if (rendered === value) return bareHazard(value, commandName === 'model');
  if (rendered.startsWith('"""') && closesTripleEarly(value)) {
    return 'This value contains """ at the end of a line; written back inside """ quotes, that line would end the value early.';
  }
  return undefined;
}

/** roundTripHazard for a whole command: also checks that its name and MESSAGE role can be written back. */
export function commandRoundTripHazard(command: OllamaCommand): string | undefined {
  const { name, args } = command;
  if (name === 'model' || QUOTED_INSTRUCTIONS.has(name)) return roundTripHazard(args, name);
  if (name === 'message') {
    const cut = args.indexOf(': ');
    if (cut < 0) return 'A MESSAGE argument must have the form "<role>: <text>".';
    const role = args.slice(0, cut);
    if (!ROLES.has(role)) return `The message role "${role}" is not system, user or assistant.`;
    return roundTripHazard(args.slice(cut + 2), name);
  }
  if (!/^[A-Za-z0-9_]*$/.test(name)) return `The parameter name "${name}" has characters other than letters, digits and _.`;
  return roundTripHazard(args, name);
}

/** The first character a value cannot hold because Ollama does not store it (described for a message). */
function firstDroppedCharacter(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        if (!isGoPrintable(cp)) return describeCharacter(cp);
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) return 'an unpaired surrogate';
    if (!isGoPrintable(c)) return describeCharacter(c);
  }
  return undefined;
}

/** Hazards of a value written without quotes, then read back up to the end of its line and trimmed. */
function bareHazard(value: string, isFrom: boolean): string | undefined {
  if (value.includes('\n')) return 'A FROM value cannot contain a line break.';
  if (value.includes('\r')) return 'This value contains a carriage return; written without quotes, it would end the line.';
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  const trimmed = (c: number): boolean => c === 0x09 || (isFrom && c === 0x20);
  if (trimmed(first) || trimmed(last)) {
    const edge = trimmed(first) ? first : last;
    return `This value ${trimmed(first) ? 'starts' : 'ends'} with ${edge === 0x09 ? 'a tab' : 'a space'}; it is written without quotes and the white space is trimmed when the file is read back.`;
  }
  if (first === 0x22) {
    const closes = value.startsWith('"""') ? value.length >= 6 && value.endsWith('"""') : value.length >= 2 && value.endsWith('"');
    return closes
      ? 'This value starts and ends with a double quote but is written without quotes, so reading it back strips the quotes.'
      : 'This value starts with a double quote but is written without quotes, so reading it back takes the quote as an opening quote and reads the following lines into the value.';
  }
  return undefined;
}

/** Whether some line of `value` (before a CR or LF), with trailing white space removed, ends with `"""`: inside
 *  `"""` quotes Ollama would take that as the closing quote. */
function closesTripleEarly(value: string): boolean {
  let quotes = 0;
  let gap = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) {
      if (quotes >= 3) return true;
      gap = true;
    } else if (c === 0x20 || c === 0x09) {
      gap = true;
    } else if (c === 0x22) {
      quotes = gap ? 1 : quotes + 1;
      gap = false;
    } else {
      quotes = 0;
      gap = false;
    }
  }
  return false;
}
