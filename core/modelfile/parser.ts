// Ollama's Modelfile state machine (spec §1.1–1.3), run once over the text. The same pass yields the exact outcome
// of Ollama's own parser (its command list or its first error text) and a lossless syntax tree with LSP ranges, in
// which every syntax problem is recorded and parsing resumes on the next line so that later problems show too.
import { lineStarts, type Position, type Range } from '../text';
import { decodeModelfile } from './decode';
import {
  KEYWORDS,
  MESSAGE_ROLES,
  type CommentSyntax,
  type InstructionSyntax,
  type KeywordName,
  type OllamaCommand,
  type OllamaOutcome,
  type ParsedModelfile,
  type QuoteStyle,
  type Span,
  type SyntaxProblem,
  type SyntaxProblemKind,
  type ValueSyntax,
} from './syntax';

/** Ollama's message for a bad instruction keyword (without its `(line N): ` prefix). */
export const INVALID_COMMAND_MESSAGE =
  'command must be one of "from", "license", "template", "system", "adapter", "draft", "renderer", "parser", "parameter", "message", or "requires"';
/** Ollama's message for a MESSAGE role other than system/user/assistant (without its `(line N): ` prefix). */
export const INVALID_ROLE_MESSAGE = 'message role must be one of "system", "user", or "assistant"';
/** Ollama's error when input ends inside an instruction or an open quote. */
export const UNEXPECTED_EOF = 'unexpected EOF';
/** Ollama's error when no FROM instruction exists. */
export const NO_FROM = 'no FROM line';

// ---------------------------------------------------------------------------------------------------------------
// Go's notion of characters

const PRINTABLE_CLASS = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const printableReady = new Uint8Array(0x110000 >> 8);
const printableBits = new Uint8Array(0x110000 >> 3);

function fillPrintableBlock(block: number): void {
  const first = block << 8;
  for (let cp = first; cp < first + 256; cp++) {
    if (PRINTABLE_CLASS.test(String.fromCodePoint(cp))) printableBits[cp >> 3] |= 1 << (cp & 7);
  }
  printableReady[block] = 1;
}

/**
 * Go's `strconv.IsPrint`: general category L, M, N, P or S, or the ASCII space. Categories come from the JavaScript
 * engine's Unicode tables; characters assigned after the Unicode version of Ollama's Go toolchain may differ.
 */
export function isGoPrintable(cp: number): boolean {
  if (cp < 0x7f) return cp >= 0x20;
  if (cp <= 0xa0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  const block = cp >> 8;
  if (printableReady[block] === 0) fillPrintableBlock(block);
  return (printableBits[cp >> 3] & (1 << (cp & 7))) !== 0;
}

/** Go's `unicode.IsSpace`, the set `strings.TrimSpace` removes. */
export function isGoSpace(cp: number): boolean {
  if (cp <= 0xff) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
  return (
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** Go's `strings.TrimSpace`. */
export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end) {
    const cp = s.codePointAt(start) as number;
    if (!isGoSpace(cp)) break;
    start += cp > 0xffff ? 2 : 1;
  }
  while (end > start) {
    const c = s.charCodeAt(end - 1);
    // Go spaces are all in the BMP, so a trailing low surrogate is never a space.
    if (!isGoSpace(c)) break;
    end--;
  }
  return s.slice(start, end);
}

/** Ollama's unquote: `"""x"""` → x, `"x"` → x, bare text unchanged; `undefined` while a quote is still open. */
export function ollamaUnquote(s: string): string | undefined {
  if (s.startsWith('"""')) return s.length >= 6 && s.endsWith('"""') ? s.slice(3, -3) : undefined;
  if (s.startsWith('"')) return s.length >= 2 && s.endsWith('"') ? s.slice(1, -1) : undefined;
  return s;
}

const ROLES = new Set<string>(MESSAGE_ROLES);

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isParameterChar(c: number): boolean {
  return isAsciiLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

const KEYWORDS_BY_LENGTH: KeywordName[][] = [];
for (const keyword of KEYWORDS) (KEYWORDS_BY_LENGTH[keyword.length] ??= []).push(keyword);

/** The keyword a stored keyword buffer names (case-insensitive), if any. Only ASCII letters can spell one (the
 *  only non-ASCII characters Go lower-cases to ASCII letters are U+0130 → i and U+212A → k, and no keyword starts
 *  with either). */
function keywordOf(stored: string): KeywordName | undefined {
  const candidates = KEYWORDS_BY_LENGTH[stored.length];
  if (candidates === undefined) return undefined;
  for (const keyword of candidates) {
    let k = 0;
    while (k < keyword.length) {
      const c = stored.charCodeAt(k);
      if (!isAsciiLetter(c) || (c | 0x20) !== keyword.charCodeAt(k)) break;
      k++;
    }
    if (k === keyword.length) return keyword;
  }
  return undefined;
}

/** lineStarts from core/text, with a fast path for text without CR. */
function computeLineStarts(text: string): number[] {
  if (text.indexOf('\r') >= 0) return lineStarts(text);
  const starts = [0];
  let at = text.indexOf('\n');
  while (at >= 0) {
    starts.push(at + 1);
    at = text.indexOf('\n', at + 1);
  }
  return starts;
}

/** The characters Ollama stores from raw value text: printable ones plus blanks and newlines (lone surrogates
 *  become U+FFFD, as they would when the editor saves the text as UTF-8). */
export function storedValueText(text: string, start: number, end: number): string {
  let parts: string[] | undefined;
  let runStart = start;
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    let len = 1;
    let replacement: string | undefined;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end && isLowSurrogate(text.charCodeAt(i + 1))) {
      len = 2;
      if (isGoPrintable(((c - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000)) {
        i += 2;
        continue;
      }
    } else if (c >= 0xd800 && c <= 0xdfff) {
      replacement = '\ufffd';
    } else if (isGoPrintable(c)) {
      i++;
      continue;
    }
    parts ??= [];
    parts.push(text.slice(runStart, i));
    if (replacement !== undefined) parts.push(replacement);
    i += len;
    runStart = i;
  }
  if (parts === undefined) return text.slice(start, end);
  parts.push(text.slice(runStart, end));
  return parts.join('');
}

/** Whether unquote(trim(buffer)) is complete, from the facts scanValue tracks: the offset of the first stored
 *  non-blank character, the number of quotes opening the trimmed buffer (max 3) and the offset of the third, the
 *  length of the quote run ending it (max 3) and the offsets of its last and third-last quote. */
function isComplete(first: number, openQuotes: number, openThird: number, tail: number, tq1: number, tq3: number): boolean {
  if (first < 0 || openQuotes === 0) return true;
  if (openQuotes >= 3) return tail >= 3 && tq3 > openThird;
  return tail >= 1 && tq1 > first;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

// ---------------------------------------------------------------------------------------------------------------
// Tree nodes. Ranges are computed when asked for: a file of millions of instructions would otherwise hold tens of
// millions of Position objects. `toJSON` keeps them in serialised output.

class LineIndex {
  private hint = 0;

  constructor(readonly starts: readonly number[]) {}

  position(offset: number): Position {
    const starts = this.starts;
    const last = starts.length - 1;
    let line = this.hint;
    if (!(starts[line] <= offset && (line === last || offset < starts[line + 1]))) {
      if (line < last && starts[line + 1] <= offset && (line + 1 === last || offset < starts[line + 2])) {
        line++;
      } else {
        let low = 0;
        let high = last;
        while (low < high) {
          const mid = (low + high + 1) >> 1;
          if (starts[mid] <= offset) low = mid;
          else high = mid - 1;
        }
        line = low;
      }
      this.hint = line;
    }
    return { line, character: offset - starts[line] };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

class SourceSpan implements Span {
  readonly #lines: LineIndex;

  constructor(
    lines: LineIndex,
    readonly text: string,
    readonly start: number,
    readonly end: number,
  ) {
    this.#lines = lines;
  }

  get range(): Range {
    return this.#lines.range(this.start, this.end);
  }

  toJSON(): Span {
    return { text: this.text, range: this.range, start: this.start, end: this.end };
  }
}

class Instruction implements InstructionSyntax {
  readonly #lines: LineIndex;

  constructor(
    lines: LineIndex,
    readonly keyword: Span,
    readonly name: KeywordName | undefined,
    readonly parameter: Span | undefined,
    readonly role: Span | undefined,
    readonly value: ValueSyntax | undefined,
    readonly start: number,
    readonly end: number,
    readonly command: OllamaCommand | undefined,
  ) {
    this.#lines = lines;
  }

  get range(): Range {
    return this.#lines.range(this.start, this.end);
  }

  toJSON(): InstructionSyntax {
    return {
      keyword: this.keyword,
      name: this.name,
      parameter: this.parameter,
      role: this.role,
      value: this.value,
      range: this.range,
      start: this.start,
      end: this.end,
      command: this.command,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Messages for the editor

const KEYWORD_LIST = 'FROM, PARAMETER, TEMPLATE, SYSTEM, MESSAGE, ADAPTER, LICENSE, REQUIRES, RENDERER, PARSER or DRAFT';

const CHARACTER_NAMES: Record<number, string> = {
  0x00: 'a NUL character',
  0x0b: 'a vertical tab',
  0x0c: 'a form feed',
  0x85: 'a next-line control character',
  0xa0: 'a no-break space',
  0xad: 'a soft hyphen',
  0x200b: 'a zero-width space',
  0x200c: 'a zero-width non-joiner',
  0x200d: 'a zero-width joiner',
  0x2028: 'a line separator',
  0x2029: 'a paragraph separator',
  0x202f: 'a narrow no-break space',
  0x2060: 'a word joiner',
  0x3000: 'an ideographic space',
  0xfeff: 'a zero-width no-break space (byte-order mark)',
};

function hex(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `"x"` for a visible character, `a no-break space (U+00A0)` for an invisible one. */
export function describeCharacter(cp: number): string {
  if (cp === 0x0a) return 'the end of the line';
  if (cp === 0x0d) return 'the end of the line (carriage return)';
  if (cp === 0x22) return "'\"'";
  if (isGoPrintable(cp)) return `"${String.fromCodePoint(cp)}"`;
  const name = CHARACTER_NAMES[cp];
  if (name) return `${name} (${hex(cp)})`;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return `a control character (${hex(cp)})`;
  return `an invisible character (${hex(cp)})`;
}

/** Optimal-string-alignment distance (edits, with adjacent transpositions), for keyword suggestions. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[i].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i].push(d);
    }
  }
  return rows[a.length][b.length];
}

/** The valid keyword a mistyped instruction word most likely meant (lower case), if one is close enough. */
export function suggestKeyword(word: string): KeywordName | undefined {
  const lower = word.toLowerCase().replace(/[^a-z]/g, '');
  if (lower.length < 3 || word.length > 40) return undefined;
  if (lower === 'model' || lower === 'base') return 'from';
  if (lower === 'param' || lower === 'params' || lower === 'parameters') return 'parameter';
  let best: KeywordName | undefined;
  let bestDistance = Infinity;
  for (const keyword of KEYWORDS) {
    const d = editDistance(lower, keyword);
    if (d < bestDistance) {
      bestDistance = d;
      best = keyword;
    }
  }
  const allowed = lower.length <= 4 ? 1 : 2;
  return bestDistance <= allowed ? best : undefined;
}

function unknownInstructionMessage(word: string): string {
  const suggestion = suggestKeyword(word);
  const hint = suggestion ? ` Did you mean ${suggestion.toUpperCase()}?` : '';
  return `Unknown instruction "${word}".${hint} An instruction starts with ${KEYWORD_LIST}; a line starting with # is a comment.`;
}

const EXAMPLES: Record<KeywordName, string> = {
  from: 'FROM llama3.2',
  license: 'LICENSE "MIT"',
  template: 'TEMPLATE """{{ .Prompt }}"""',
  system: 'SYSTEM "You are a helpful assistant"',
  adapter: 'ADAPTER ./adapter.gguf',
  draft: 'DRAFT ./draft.gguf',
  renderer: 'RENDERER qwen3',
  parser: 'PARSER qwen3',
  parameter: 'PARAMETER temperature 0.7',
  message: 'MESSAGE user "Hello"',
  requires: 'REQUIRES 0.14.0',
};

function missingValueMessage(keyword: KeywordName): string {
  const upper = keyword.toUpperCase();
  if (keyword === 'parameter') {
    return `PARAMETER must be followed by a space, the parameter name, a space and the value on the same line, e.g. ${EXAMPLES.parameter}.`;
  }
  if (keyword === 'message') {
    return `MESSAGE must be followed by a space, the role (system, user or assistant), a space and the text on the same line, e.g. ${EXAMPLES.message}.`;
  }
  const empty = keyword === 'from' ? '' : ` For an empty value write ${upper} "".`;
  return `${upper} must be followed by a space and its value on the same line, e.g. ${EXAMPLES[keyword]}.${empty}`;
}

function quoteName(quote: QuoteStyle): string {
  return quote === 'triple' ? '"""' : '"';
}

// ---------------------------------------------------------------------------------------------------------------
// The scanner

const CACHE_MAX = 32;

/** Parses a Modelfile. A string is the editor's text: a leading U+FEFF is skipped as a byte-order mark, but every
 *  offset and range still refers to the string as given (`text` is that string). Bytes are decoded as Ollama does
 *  (spec §1.1) and `text` is the decoded text without its byte-order mark. */
export function parseModelfile(source: string | Uint8Array): ParsedModelfile {
  const text = typeof source === 'string' ? source : decodeModelfile(source);
  const begin = typeof source === 'string' && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  return new Scanner(text).parse(begin);
}

class Scanner {
  private readonly n: number;
  private readonly hasCarriageReturn: boolean;
  private readonly starts: number[];
  private readonly lines: LineIndex;
  private readonly instructions: InstructionSyntax[] = [];
  private readonly comments: CommentSyntax[] = [];
  private readonly problems: SyntaxProblem[] = [];
  private readonly commands: OllamaCommand[] = [];
  private readonly messageCache = new Map<string, string>();
  /** Still running Ollama's machine exactly, i.e. no error met yet. */
  private exact = true;
  private ollamaError: string | undefined;
  /** Ollama's line counter: starts at 1, +1 for every CR and every LF read. */
  private goLine = 1;
  /** A double- (or triple-) quoted value was found to stay open to the end of the file. Any later value with the
   *  same quotes (or triple quotes after an open double quote) then stays open too: its trimmed buffer is always a
   *  suffix of the earlier one's. Knowing this lets recovery skip re-reading the rest of the file for each one. */
  private openDoubleToEnd = false;
  private openTripleToEnd = false;
  /** Last strings cut out of the text, reused when the same short text recurs (keywords, names, small values). */
  private readonly recent: string[] = ['', '', '', ''];

  // State of the value being scanned (see scanValue).
  private vFirst = -1;
  private vOpenQuotes = 0;
  private vOpenThird = -1;
  private vTq1 = -1;
  private vTq3 = -1;
  private vLastEnd = 0;
  private vDirty = false;
  private vFirstNl = -1;
  private vGoLineAfterFirstNl = 0;
  private vComplete = false;
  private vAbandoned = false;

  constructor(private readonly text: string) {
    this.n = text.length;
    this.starts = computeLineStarts(text);
    this.hasCarriageReturn = text.indexOf('\r') >= 0;
    this.lines = new LineIndex(this.starts);
  }

  parse(begin: number): ParsedModelfile {
    const { text, n } = this;
    let i = begin;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09) {
        i++;
      } else if (c === 0x0a || c === 0x0d) {
        this.goLine++;
        i++;
      } else if (c === 0x23) {
        i = this.comment(i);
      } else {
        i = this.instruction(i);
      }
    }

    let ollama: OllamaOutcome;
    if (this.ollamaError !== undefined) ollama = { ok: false, error: this.ollamaError };
    else if (!this.commands.some((command) => command.name === 'model')) ollama = { ok: false, error: NO_FROM };
    else ollama = { ok: true, commands: this.commands };

    if (!this.instructions.some((instruction) => instruction.name === 'from')) {
      const firstLineEnd = this.lineEnd(begin);
      this.problems.push({
        kind: 'no-from',
        message: 'No FROM instruction: a Modelfile must name its base model, e.g. FROM llama3.2 or FROM ./model.gguf.',
        ollamaMessage: NO_FROM,
        range: this.lines.range(begin, firstLineEnd),
      });
    }

    return {
      text,
      lineStarts: this.starts,
      instructions: this.instructions,
      comments: this.comments,
      problems: this.problems,
      ollama,
    };
  }

  // --- helpers ---------------------------------------------------------------------------------------------------

  private span(start: number, end: number, slot = -1): Span {
    return new SourceSpan(this.lines, this.slice(start, end, slot), start, end);
  }

  /** text.slice, reusing the string last cut for `slot` when the text is the same (saves memory on big files). */
  private slice(start: number, end: number, slot: number): string {
    const length = end - start;
    if (slot < 0 || length > CACHE_MAX) return this.text.slice(start, end);
    const previous = this.recent[slot];
    if (previous.length === length) {
      let k = 0;
      while (k < length && previous.charCodeAt(k) === this.text.charCodeAt(start + k)) k++;
      if (k === length) return previous;
    }
    const fresh = this.text.slice(start, end);
    this.recent[slot] = fresh;
    return fresh;
  }

  private cachedMessage(key: string, build: () => string): string {
    let message = this.messageCache.get(key);
    if (message === undefined) {
      message = build();
      if (this.messageCache.size < 10_000) this.messageCache.set(key, message);
    }
    return message;
  }

  /** Records Ollama's error if it is the first one; the exact machine stops there. */
  private fail(ollamaText: string): void {
    if (this.exact) {
      this.exact = false;
      this.ollamaError = ollamaText;
    }
  }

  private problem(kind: SyntaxProblemKind, message: string, ollamaMessage: string, start: number, end: number): void {
    this.problems.push({ kind, message, ollamaMessage, range: this.lines.range(start, end) });
  }

  /** Offset of the next CR or LF at or after `i` (not consumed), or the end of the text. */
  private lineEnd(i: number): number {
    const { text, n } = this;
    if (!this.hasCarriageReturn) {
      const at = i < n ? text.indexOf('\n', i) : -1;
      return at < 0 ? n : at;
    }
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x0a || c === 0x0d) return i;
      i++;
    }
    return n;
  }

  private codePointAt(i: number): number {
    const c = this.text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < this.n) {
      const d = this.text.charCodeAt(i + 1);
      if (isLowSurrogate(d)) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
    }
    if (c >= 0xd800 && c <= 0xdfff) return 0xfffd;
    return c;
  }

  private charLength(i: number): number {
    const c = this.text.charCodeAt(i);
    return c >= 0xd800 && c <= 0xdbff && i + 1 < this.n && isLowSurrogate(this.text.charCodeAt(i + 1)) ? 2 : 1;
  }

  // --- comment and instruction -------------------------------------------------------------------------------------

  /** `#` in state Nil: the comment runs to the end of the line; the newline itself is left to state Nil. */
  private comment(start: number): number {
    const end = this.lineEnd(start + 1);
    this.comments.push({ span: this.span(start, end) });
    return end;
  }

  /** One instruction starting at `ks` (state Name). Returns where state Nil resumes. */
  private instruction(ks: number): number {
    const { text, n } = this;
    const firstLength = this.charLength(ks);
    const firstStored = isGoPrintable(this.codePointAt(ks));
    let j = ks + firstLength;
    while (j < n && isAsciiLetter(text.charCodeAt(j))) j++;
    const keyword = this.span(ks, j, 0);
    const stored = firstStored ? keyword.text : text.slice(ks + firstLength, j);
    const name = keywordOf(stored);

    // End of input inside the keyword.
    if (j >= n) {
      this.fail(UNEXPECTED_EOF);
      const message = name
        ? `The file ends right after ${name.toUpperCase()}: ${missingValueMessage(name)}`
        : this.cachedMessage(`eof-kw:${stored}`, () => `The file ends inside an instruction: ${unknownInstructionMessage(stored)}`);
      this.problem('unexpected-eof', message, UNEXPECTED_EOF, ks, j);
      this.pushInstruction(keyword, name, undefined, undefined, undefined, ks, j, undefined);
      return n;
    }

    const c = text.charCodeAt(j);
    if (c !== 0x20 && c !== 0x09) {
      // Anything but a blank right after the keyword letters: Ollama's "invalid command".
      const newline = c === 0x0a || c === 0x0d;
      if (newline) this.goLine++;
      const ollamaMessage = `(line ${this.goLine}): ${INVALID_COMMAND_MESSAGE}`;
      this.fail(ollamaMessage);
      if (newline) {
        const message = name
          ? missingValueMessage(name)
          : stored === ''
            ? this.invisibleStartMessage(ks)
            : this.cachedMessage(`kw:${stored}`, () => unknownInstructionMessage(stored));
        this.problem('invalid-command', message, ollamaMessage, ks, j);
        this.pushInstruction(keyword, name, undefined, undefined, undefined, ks, j, undefined);
        return j + 1;
      }
      const bad = this.codePointAt(j);
      const badEnd = j + this.charLength(j);
      let message: string;
      if (name) {
        message = `Expected a space or tab after ${name.toUpperCase()}, found ${describeCharacter(bad)}.${
          isGoSpace(bad) ? ' Replace it with a normal space.' : ''
        }`;
      } else {
        const wordEnd = this.wordEnd(j);
        const word = text.slice(ks, Math.min(wordEnd, ks + 40));
        message = this.cachedMessage(`bad:${bad}:${word}`, () => {
          const suggestion = suggestKeyword(word);
          const hint = suggestion ? ` Did you mean ${suggestion.toUpperCase()}?` : '';
          return `Unexpected ${describeCharacter(bad)} in the instruction "${word}": an instruction keyword is letters only and is followed by a space or tab.${hint}`;
        });
      }
      this.problem('invalid-command', message, ollamaMessage, j, badEnd);
      this.pushInstruction(keyword, name, undefined, undefined, undefined, ks, badEnd, undefined);
      return this.lineEnd(badEnd);
    }

    if (name === undefined) {
      const ollamaMessage = `(line ${this.goLine}): ${INVALID_COMMAND_MESSAGE}`;
      this.fail(ollamaMessage);
      const message = stored === '' ? this.invisibleStartMessage(ks) : this.cachedMessage(`kw:${stored}`, () => unknownInstructionMessage(stored));
      this.problem('invalid-command', message, ollamaMessage, ks, j);
      this.pushInstruction(keyword, undefined, undefined, undefined, undefined, ks, j, undefined);
      return this.lineEnd(j);
    }

    if (name === 'parameter' || name === 'message') return this.nameThenValue(ks, keyword, name, j + 1);
    return this.value(ks, keyword, name, undefined, undefined, j + 1, name === 'from' ? 'model' : name, undefined);
  }

  private invisibleStartMessage(ks: number): string {
    return `${describeCharacter(this.codePointAt(ks)).replace(/^./, (s) => s.toUpperCase())} starts this line: Ollama reads it as the start of an instruction keyword. Delete it.`;
  }

  /** End of the word starting at `i`: the next blank, newline or end of text. */
  private wordEnd(i: number): number {
    const { text, n } = this;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) return i;
      i++;
    }
    return n;
  }

  /** State Parameter (PARAMETER) or Message (MESSAGE) starting at `ps`, then the value. */
  private nameThenValue(ks: number, keyword: Span, name: 'parameter' | 'message', ps: number): number {
    const { text, n } = this;
    const isParameter = name === 'parameter';
    let j = ps;
    if (isParameter) while (j < n && isParameterChar(text.charCodeAt(j))) j++;
    else while (j < n && isAsciiLetter(text.charCodeAt(j))) j++;
    const part = this.span(ps, j, 1);
    const partSpan = (): [Span | undefined, Span | undefined] => (isParameter ? [part, undefined] : [undefined, part]);
    const what = isParameter ? 'parameter name' : 'message role';

    if (j >= n) {
      this.fail(UNEXPECTED_EOF);
      const message =
        part.text === ''
          ? `The file ends right after ${name.toUpperCase()}: ${missingValueMessage(name)}`
          : `The file ends after ${name.toUpperCase()} ${part.text}: add a space and ${isParameter ? 'the value' : 'the message text'}.`;
      this.problem('unexpected-eof', message, UNEXPECTED_EOF, part.text === '' ? ks : ps, j);
      const [parameter, role] = partSpan();
      this.pushInstruction(keyword, name, parameter, role, undefined, ks, j, undefined);
      return n;
    }

    const c = text.charCodeAt(j);
    if (c !== 0x20 && c !== 0x09) {
      const newline = c === 0x0a || c === 0x0d;
      if (newline) this.goLine++;
      const ollamaMessage = `${UNEXPECTED_EOF}: ${part.text}`;
      this.fail(ollamaMessage);
      let message: string;
      let start: number;
      let end: number;
      if (newline) {
        if (part.text === '') {
          message = missingValueMessage(name);
          start = ks;
          end = keyword.end;
        } else {
          message = isParameter
            ? `PARAMETER ${part.text} has no value: write the value after the name on the same line, e.g. PARAMETER ${part.text} 1.`
            : `MESSAGE ${part.text} has no text: write the message after the role on the same line, e.g. MESSAGE ${part.text} "Hello".`;
          start = ps;
          end = j;
        }
      } else {
        const bad = this.codePointAt(j);
        const allowed = isParameter ? 'letters, digits and _' : 'letters';
        message = `Unexpected ${describeCharacter(bad)} in the ${what}${part.text ? ` "${part.text}"` : ''}: a ${what} is ${allowed} only, followed by a space or tab and then the ${
          isParameter ? 'value' : 'text'
        }.${isGoSpace(bad) ? ' Replace it with a normal space.' : ''}`;
        start = j;
        end = j + this.charLength(j);
      }
      this.problem('invalid-name-character', message, ollamaMessage, start, end);
      const [parameter, role] = partSpan();
      this.pushInstruction(keyword, name, parameter, role, undefined, ks, newline ? j : end, undefined);
      return newline ? j + 1 : this.lineEnd(end);
    }

    if (isParameter) return this.value(ks, keyword, name, part, undefined, j + 1, part.text, undefined);

    if (!ROLES.has(part.text)) {
      const ollamaMessage = `(line ${this.goLine}): ${INVALID_ROLE_MESSAGE}`;
      this.fail(ollamaMessage);
      const lower = part.text.toLowerCase();
      const message =
        part.text === ''
          ? 'MESSAGE needs its role (system, user or assistant) after a single space; found a second space or tab.'
          : ROLES.has(lower)
            ? `Message roles are case-sensitive: write "${lower}" instead of "${part.text}".`
            : `Unknown message role "${part.text}": use system, user or assistant (lower case).`;
      if (part.text === '') this.problem('invalid-role', message, ollamaMessage, j, j + 1);
      else this.problem('invalid-role', message, ollamaMessage, ps, j);
      this.pushInstruction(keyword, name, undefined, part, undefined, ks, j, undefined);
      return this.lineEnd(j);
    }
    return this.value(ks, keyword, name, undefined, part, j + 1, 'message', part.text);
  }

  private pushInstruction(
    keyword: Span,
    name: KeywordName | undefined,
    parameter: Span | undefined,
    role: Span | undefined,
    value: ValueSyntax | undefined,
    start: number,
    end: number,
    command: OllamaCommand | undefined,
  ): void {
    this.instructions.push(new Instruction(this.lines, keyword, name, parameter, role, value, start, end, command));
  }

  // --- values --------------------------------------------------------------------------------------------------------

  /**
   * State Value from `vs` until a newline at which unquote(trim(buffer)) is complete, or the end of the text.
   * Instead of a buffer it tracks what completeness depends on: the first stored non-blank character and how many
   * quotes open the trimmed buffer, and the run of quotes that ends it. Characters Ollama does not store (non-
   * printable ones other than blanks and newlines) change neither. Returns the end offset of the value.
   */
  private scanValue(vs: number): number {
    const { text, n } = this;
    let first = -1;
    let openQuotes = 0;
    let openDone = false;
    let openThird = -1;
    let tail = 0;
    let tq1 = -1;
    let tq2 = -1;
    let tq3 = -1;
    let wsPending = false;
    let lastEnd = vs;
    let dirty = false;
    let firstNl = -1;
    let goLineAfterFirstNl = 0;
    let complete = false;
    let abandoned = false;
    let i = vs;

    for (;;) {
      if (i >= n) {
        complete = isComplete(first, openQuotes, openThird, tail, tq1, tq3);
        break;
      }
      const c = text.charCodeAt(i);
      if (c > 0x20 && c < 0x7f) {
        // A run of visible ASCII: only its first and last three characters can matter.
        let j = i + 1;
        while (j < n) {
          const d = text.charCodeAt(j);
          if (d <= 0x20 || d >= 0x7f) break;
          j++;
        }
        if (first < 0) first = i;
        if (!openDone) {
          let k = i;
          while (k < j && openQuotes < 3 && text.charCodeAt(k) === 0x22) {
            openQuotes++;
            if (openQuotes === 3) openThird = k;
            k++;
          }
          if (openQuotes === 3 || k < j) openDone = true;
        }
        if (text.charCodeAt(j - 1) !== 0x22) {
          tail = 0;
        } else {
          let s = j;
          while (s > i && j - s < 3 && text.charCodeAt(s - 1) === 0x22) s--;
          if (s > i || wsPending) tail = 0;
          for (let q = s; q < j; q++) {
            tq3 = tq2;
            tq2 = tq1;
            tq1 = q;
            if (tail < 3) tail++;
          }
        }
        wsPending = false;
        lastEnd = j;
        i = j;
        continue;
      }
      if (c === 0x20 || c === 0x09) {
        wsPending = true;
        if (first >= 0) openDone = true;
        i++;
        continue;
      }
      if (c === 0x0a || c === 0x0d) {
        this.goLine++;
        if (isComplete(first, openQuotes, openThird, tail, tq1, tq3)) {
          complete = true;
          break;
        }
        // Still inside a quote: the newline is stored raw and the value goes on.
        wsPending = true;
        openDone = true;
        if (firstNl < 0) {
          firstNl = i;
          goLineAfterFirstNl = this.goLine;
          if (!this.exact && (this.openDoubleToEnd || (openQuotes >= 3 && this.openTripleToEnd))) {
            abandoned = true;
            break;
          }
        }
        i++;
        continue;
      }
      // Control characters and everything beyond ASCII.
      let len = 1;
      let stored: boolean;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && isLowSurrogate(text.charCodeAt(i + 1))) {
        len = 2;
        stored = isGoPrintable(((c - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00) + 0x10000);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        stored = true; // becomes U+FFFD
        dirty = true;
      } else {
        stored = isGoPrintable(c);
      }
      if (stored) {
        if (first < 0) first = i;
        openDone = true;
        tail = 0;
        wsPending = false;
        lastEnd = i + len;
      } else {
        dirty = true;
      }
      i += len;
    }

    this.vFirst = first;
    this.vOpenQuotes = openQuotes;
    this.vOpenThird = openThird;
    this.vTq1 = tq1;
    this.vTq3 = tq3;
    this.vLastEnd = lastEnd;
    this.vDirty = dirty;
    this.vFirstNl = firstNl;
    this.vGoLineAfterFirstNl = goLineAfterFirstNl;
    this.vComplete = complete;
    this.vAbandoned = abandoned;
    return abandoned ? firstNl : i;
  }

  /** Scans the value starting at `vs`, records the instruction (and its command or its problem), returns where state
   *  Nil resumes. `commandName` is what Ollama names the command; `role` prefixes a MESSAGE's argument. */
  private value(
    ks: number,
    keyword: Span,
    name: KeywordName,
    parameter: Span | undefined,
    role: Span | undefined,
    vs: number,
    commandName: string,
    roleText: string | undefined,
  ): number {
    const end = this.scanValue(vs);
    const first = this.vFirst;
    const quote: QuoteStyle = first < 0 || this.vOpenQuotes === 0 ? 'none' : this.vOpenQuotes >= 3 ? 'triple' : 'double';
    const openEnd = quote === 'triple' ? this.vOpenThird + 1 : first + 1;

    if (this.vComplete) {
      let contentStart: number;
      let contentEnd: number;
      if (quote === 'none') {
        contentStart = first < 0 ? vs : first;
        contentEnd = first < 0 ? vs : this.vLastEnd;
      } else {
        contentStart = openEnd;
        contentEnd = quote === 'triple' ? this.vTq3 : this.vTq1;
      }
      const content = this.span(contentStart, contentEnd, 3);
      const valueText = this.vDirty ? storedValueText(this.text, contentStart, contentEnd) : content.text;
      const textAfterQuote = quote !== 'none' && this.vFirstNl >= 0 ? this.textAfterQuote(openEnd, this.vFirstNl, quote) : undefined;
      const value: ValueSyntax = {
        span: this.span(vs, end, 2),
        quote,
        content,
        value: valueText,
        complete: true,
        textAfterQuote,
      };
      const command: OllamaCommand = {
        name: commandName,
        args: roleText === undefined ? valueText : `${roleText}: ${valueText}`,
      };
      if (this.exact) this.commands.push(command);
      this.pushInstruction(keyword, name, parameter, role, value, ks, end, command);
      return end < this.n ? end + 1 : end;
    }

    // The quote never closes: Ollama reads to the end of the file and fails. The tree keeps only the value's first
    // line and parsing resumes on the next one.
    this.fail(UNEXPECTED_EOF);
    if (!this.vAbandoned) {
      if (quote === 'triple') this.openTripleToEnd = true;
      else this.openDoubleToEnd = true;
    }
    const firstNl = this.vFirstNl;
    const lineEnd = firstNl >= 0 ? firstNl : end;
    const content = this.span(openEnd, lineEnd);
    const textAfterQuote = this.textAfterQuote(openEnd, lineEnd, quote);
    const value: ValueSyntax = {
      span: this.span(vs, lineEnd),
      quote,
      content,
      value: this.vDirty ? storedValueText(this.text, openEnd, lineEnd) : content.text,
      complete: false,
      textAfterQuote,
    };
    const q = quoteName(quote);
    if (textAfterQuote) {
      this.problem(
        'text-after-quote',
        this.cachedMessage(`after:${quote}`, () => `Text after the closing ${q}: a quoted value ends only where a line ends with ${q}, so Ollama reads the following lines into this value, up to the end of the file, and stops with "unexpected EOF". Move this text inside the quotes or remove it${
          quote === 'double' ? '; for a value that itself contains " use """ … """' : ''
        }.`),
        UNEXPECTED_EOF,
        textAfterQuote.start,
        textAfterQuote.end,
      );
    } else {
      this.problem(
        'unclosed-quote',
        this.cachedMessage(
          `unclosed:${quote}`,
          () =>
            `Unclosed ${q}: no line of this value ends with ${q}, so Ollama reads the rest of the file into it and stops with "unexpected EOF". End the value's last line with ${q}.`,
        ),
        UNEXPECTED_EOF,
        first,
        lineEnd,
      );
    }
    this.pushInstruction(keyword, name, parameter, role, value, ks, lineEnd, undefined);
    if (firstNl < 0) return end;
    this.goLine = this.vGoLineAfterFirstNl;
    return firstNl + 1;
  }

  /** On a quoted value's first line (from just after its opening quotes to `lineEnd`): the text that follows the
   *  first closing quote(s), which Ollama does not treat as the end of the value. */
  private textAfterQuote(openEnd: number, lineEnd: number, quote: QuoteStyle): Span | undefined {
    const { text } = this;
    const needed = quote === 'triple' ? 3 : 1;
    let run = 0;
    let i = openEnd;
    let after = -1;
    while (i < lineEnd) {
      const c = text.charCodeAt(i);
      const len = this.charLength(i);
      if (c === 0x22) {
        run++;
        if (run === needed) {
          after = i + 1;
          break;
        }
      } else if (this.isStoredAt(i)) {
        run = 0;
      }
      i += len;
    }
    if (after < 0) return undefined;
    let start = after;
    while (start < lineEnd && !this.isVisibleAt(start)) start += this.charLength(start);
    let end = lineEnd;
    while (end > start && !this.isVisibleAt(this.startOfCharBefore(end))) end = this.startOfCharBefore(end);
    return start < end ? this.span(start, end) : undefined;
  }

  private startOfCharBefore(i: number): number {
    return i >= 2 && isLowSurrogate(this.text.charCodeAt(i - 1)) && this.charLength(i - 2) === 2 ? i - 2 : i - 1;
  }

  /** Whether Ollama stores the character at `i` in a value. */
  private isStoredAt(i: number): boolean {
    const c = this.text.charCodeAt(i);
    return c === 0x09 || c === 0x0a || c === 0x0d || isGoPrintable(this.codePointAt(i));
  }

  /** Stored and not white space (what trimming keeps at the edges). */
  private isVisibleAt(i: number): boolean {
    const c = this.text.charCodeAt(i);
    return c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && isGoPrintable(this.codePointAt(i));
  }
}
