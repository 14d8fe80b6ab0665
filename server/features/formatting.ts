// Document and range formatting: upper-case keywords, one space after the keyword, parameter name and role,
// Ollama's canonical quoting (spec 1.7 q()), no indentation and no trailing blanks. Every rewritten instruction is
// parsed again on its own and must yield the same command, and the whole result is parsed again and must give the
// same command list and outcome; whatever would change what Ollama reads is left as it was.
import { isGoPrintable, isGoSpace, parseModelfile, quoteValue, type InstructionSyntax, type OllamaCommand, type ParsedModelfile } from '../../core/modelfile';
import { rangeOf, type Range } from '../../core/text';

export interface FormatEdit {
  range: Range;
  newText: string;
}

interface OffsetEdit {
  start: number;
  end: number;
  newText: string;
}

/** How a value is written: Ollama's q(), except that a multi-line value already in """ quotes keeps them, and an
 *  empty value keeps `""` (a keyword followed by a lone blank is too easily broken by an editor trimming lines). */
function quoting(value: string, current: 'none' | 'double' | 'triple'): 'none' | 'double' | 'triple' {
  if (value === '') return current === 'none' ? 'none' : 'double';
  const canonical = quoteValue(value);
  if (canonical === value) return 'none';
  if (canonical.startsWith('"""')) return 'triple';
  return current === 'triple' && /[\r\n]/.test(value) ? 'triple' : 'double';
}

/** Whether a code point disappears at the edge of a bare value: Go white space, or a character Ollama drops. */
function vanishesAtEdge(cp: number): boolean {
  return isGoSpace(cp) || !isGoPrintable(cp);
}

function trimBare(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end) {
    const cp = text.codePointAt(start)!;
    if (!vanishesAtEdge(cp)) break;
    start += cp > 0xffff ? 2 : 1;
  }
  while (end > start) {
    let cp = text.charCodeAt(end - 1);
    let width = 1;
    if (cp >= 0xdc00 && cp <= 0xdfff && end - 2 >= start) {
      cp = text.codePointAt(end - 2)!;
      width = cp > 0xffff ? 2 : 1;
      if (width === 1) cp = text.charCodeAt(end - 1);
    }
    if (!vanishesAtEdge(cp)) break;
    end -= width;
  }
  return text.slice(start, end);
}

function wrap(content: string, style: 'none' | 'double' | 'triple'): string {
  if (style === 'triple') return `"""${content}"""`;
  if (style === 'double') return `"${content}"`;
  return content;
}

function sameCommand(a: OllamaCommand | undefined, b: OllamaCommand | undefined): boolean {
  return a !== undefined && b !== undefined && a.name === b.name && a.args === b.args;
}

/** True when `text`, parsed alone, is exactly one instruction that yields `command`. */
function yieldsCommand(text: string, command: OllamaCommand): boolean {
  const parsed = parseModelfile(text);
  if (parsed.instructions.length !== 1) return false;
  if (parsed.problems.some((p) => p.kind !== 'no-from')) return false;
  return sameCommand(parsed.instructions[0].command, command);
}

/** The formatted text of one instruction, or undefined when it should stay as written. */
export function formatInstruction(instruction: InstructionSyntax): string | undefined {
  const { name, command, value } = instruction;
  if (name === undefined || command === undefined || value === undefined || !value.complete) return undefined;
  let head = name.toUpperCase();
  if (instruction.parameter) head += ` ${instruction.parameter.text}`;
  if (instruction.role) head += ` ${instruction.role.text}`;
  const candidates: string[] = [];
  // The raw text between the quotes (or the trimmed bare text) keeps characters Ollama drops, so formatting never
  // deletes anything; quoting is decided on the value Ollama stores.
  const style = name === 'from' ? 'none' : quoting(value.value, value.quote);
  // A bare value is read back trimmed of white space and of the characters Ollama drops: trim it the same way, so
  // that formatting the result again finds nothing to do.
  const raw = style === 'none' ? trimBare(value.content.text) : value.content.text;
  candidates.push(`${head} ${wrap(raw, style)}`);
  const written = value.span.text.replace(/^[ \t]+|[ \t]+$/g, '');
  candidates.push(`${head} ${written}`);
  for (const candidate of candidates) {
    if (yieldsCommand(candidate, command)) return candidate;
  }
  return undefined;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Start of the line's indentation before `offset`, when only blanks precede it on its line. */
function indentStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && isBlank(text.charCodeAt(i - 1))) i--;
  return i === 0 || text.charCodeAt(i - 1) === 0x0a || text.charCodeAt(i - 1) === 0x0d ? i : offset;
}

/** End of trailing blanks after `offset` on the same line. */
function trailingEnd(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  return i === text.length || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d ? i : offset;
}

function applyOffsetEdits(text: string, edits: readonly OffsetEdit[]): string {
  let out = '';
  let at = 0;
  for (const edit of edits) {
    out += text.slice(at, edit.start) + edit.newText;
    at = edit.end;
  }
  return out + text.slice(at);
}

function sameOutcome(a: ParsedModelfile, b: ParsedModelfile): boolean {
  if (a.ollama.ok !== b.ollama.ok) return false;
  if (!a.ollama.ok || !b.ollama.ok) return !a.ollama.ok && !b.ollama.ok && a.ollama.error === b.ollama.error;
  const x = a.ollama.commands;
  const y = b.ollama.commands;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!sameCommand(x[i], y[i])) return false;
  const ia = a.instructions.filter((i) => i.command !== undefined);
  const ib = b.instructions.filter((i) => i.command !== undefined);
  return ia.length === ib.length && ia.every((inst, k) => sameCommand(inst.command, ib[k].command));
}

/**
 * Edits that format the document (or the lines `range` touches). Empty when nothing changes, and also when the
 * formatted text would not parse to exactly what the original parses to.
 */
export function formatModelfile(parsed: ParsedModelfile, range?: Range): FormatEdit[] {
  const { text } = parsed;
  const firstLine = range?.start.line ?? 0;
  const lastLine = range?.end.line ?? Number.MAX_SAFE_INTEGER;
  const touches = (startLine: number, endLine: number): boolean => endLine >= firstLine && startLine <= lastLine;
  // After a quote that never closes, Ollama reads everything that follows as part of that value: leave it alone.
  let cutoff = text.length + 1;
  for (const problem of parsed.problems) {
    if (problem.kind !== 'unclosed-quote' && problem.kind !== 'text-after-quote') continue;
    const at = parsed.lineStarts[problem.range.start.line] + problem.range.start.character;
    cutoff = Math.min(cutoff, at);
  }
  const edits: OffsetEdit[] = [];
  const items: { start: number; end: number; startLine: number; endLine: number; instruction?: InstructionSyntax }[] = [];
  for (const instruction of parsed.instructions) {
    items.push({ start: instruction.start, end: instruction.end, startLine: instruction.range.start.line, endLine: instruction.range.end.line, instruction });
  }
  for (const comment of parsed.comments) {
    items.push({ start: comment.span.start, end: comment.span.end, startLine: comment.span.range.start.line, endLine: comment.span.range.end.line });
  }
  items.sort((a, b) => a.start - b.start);
  for (const item of items) {
    if (!touches(item.startLine, item.endLine) || item.end >= cutoff) continue;
    const start = indentStart(text, item.start);
    const end = trailingEnd(text, item.end);
    const original = text.slice(item.start, item.end);
    let replacement: string | undefined;
    if (item.instruction) {
      replacement = formatInstruction(item.instruction);
    } else {
      replacement = original.replace(/[ \t]+$/, '');
    }
    if (replacement === undefined) continue;
    if (start === item.start && end === item.end && replacement === original) continue;
    edits.push({ start, end, newText: replacement });
  }
  // Lines holding only blanks between instructions become empty.
  const blankLine = /^[ \t]+$/;
  for (let line = Math.max(0, firstLine); line < parsed.lineStarts.length && line <= lastLine; line++) {
    const lineStart = parsed.lineStarts[line];
    let lineEnd = line + 1 < parsed.lineStarts.length ? parsed.lineStarts[line + 1] : text.length;
    while (lineEnd > lineStart && (text.charCodeAt(lineEnd - 1) === 0x0a || text.charCodeAt(lineEnd - 1) === 0x0d)) lineEnd--;
    if (lineEnd >= cutoff) break;
    if (lineEnd > lineStart && blankLine.test(text.slice(lineStart, lineEnd)) && !insideItem(items, lineStart)) {
      edits.push({ start: lineStart, end: lineEnd, newText: '' });
    }
  }
  if (edits.length === 0) return [];
  edits.sort((a, b) => a.start - b.start);
  for (let i = 1; i < edits.length; i++) if (edits[i].start < edits[i - 1].end) return [];
  const formatted = parseModelfile(applyOffsetEdits(text, edits));
  if (!sameOutcome(parsed, formatted)) return [];
  return edits.map((e) => ({ range: rangeOf(parsed.lineStarts, e.start, e.end), newText: e.newText }));
}

/** Whether an offset is inside an instruction's or comment's text (e.g. a blank line inside a quoted value). */
function insideItem(items: readonly { start: number; end: number }[], offset: number): boolean {
  let low = 0;
  let high = items.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (items[mid].end < offset) low = mid + 1;
    else if (items[mid].start > offset) high = mid - 1;
    else return true;
  }
  return false;
}
