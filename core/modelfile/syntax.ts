// The shape of a parsed Modelfile: a lossless syntax tree with LSP ranges for the editor, side by side with the
// exact outcome of Ollama's own parser (its command list or its error text) for the same input.
import type { Range } from '../text';

export const KEYWORDS = [
  'from',
  'license',
  'template',
  'system',
  'adapter',
  'draft',
  'renderer',
  'parser',
  'parameter',
  'message',
  'requires',
] as const;

export type KeywordName = (typeof KEYWORDS)[number];

export const MESSAGE_ROLES = ['system', 'user', 'assistant'] as const;

/** A piece of the decoded source: its raw text, its range, and its UTF-16 offsets into ParsedModelfile.text.
 *  In trees from parseModelfile, `range` (here and on instructions) is a getter computed on access, so spreading a
 *  node does not copy it; JSON.stringify includes it. */
export interface Span {
  text: string;
  range: Range;
  start: number;
  end: number;
}

/** How a value is delimited: bare, "double" or """triple""" quotes. */
export type QuoteStyle = 'none' | 'double' | 'triple';

export interface ValueSyntax {
  /** The raw value from the first character after the separating blank up to (not including) the newline that
   *  ends the instruction, or end of input; it includes leading blanks, quotes and inner newlines. */
  span: Span;
  quote: QuoteStyle;
  /** The raw source between the quotes; for a bare value the trimmed text. */
  content: Span;
  /** What Ollama stores: unquote(trim(printable characters)). Meaningful only when `complete`. */
  value: string;
  /** False when an opening quote never closes in the way Ollama requires. For such a value the tree keeps only its
   *  first line (span, content and the instruction end there) and parsing resumes on the next line. */
  complete: boolean;
  /** Quoted values only: the text that follows the first closing quote(s) on the value's first line (`"a" b` → `b`).
   *  Ollama does not end the value there; it reads on until a line ends with the quote. Set for complete multi-line
   *  values too (Ollama accepts them, but the user rarely meant it). */
  textAfterQuote?: Span;
}

export interface InstructionSyntax {
  /** The keyword as written (`FROM`, `from`, `Parameter`, or an invalid word). */
  keyword: Span;
  /** The lower-cased keyword when it is one Ollama knows. */
  name?: KeywordName;
  /** PARAMETER only: the parameter name as written (may be empty, see spec 1.2). */
  parameter?: Span;
  /** MESSAGE only: the role as written. */
  role?: Span;
  /** Absent when the instruction broke off before reaching its value. */
  value?: ValueSyntax;
  /** From the first character of the keyword to the end of the value (or of what was read). */
  range: Range;
  start: number;
  end: number;
  /** The command Ollama's parser emits for this instruction; absent when the instruction is broken. */
  command?: OllamaCommand;
}

export interface CommentSyntax {
  /** The comment including its `#`, up to the end of its line. */
  span: Span;
}

export type SyntaxProblemKind =
  | 'invalid-command' // unknown keyword, or a keyword not followed by a blank
  | 'invalid-role' // MESSAGE role other than system/user/assistant
  | 'invalid-name-character' // a character not allowed in a PARAMETER name or MESSAGE role
  | 'unexpected-eof' // input ended inside a keyword, parameter name or role
  | 'unclosed-quote' // a quoted value that never closes
  | 'text-after-quote' // `"a" b`: the quote closes, but more text follows on the line, so Ollama never ends the value
  | 'no-from'; // no FROM instruction at all

export interface SyntaxProblem {
  kind: SyntaxProblemKind;
  /** A message for the editor: what is wrong and what to do. */
  message: string;
  /** The text Ollama prints for this problem (e.g. `(line 3): command must be one of ...`). */
  ollamaMessage: string;
  range: Range;
}

/** One entry of Ollama's command list: `{name: "model", args: "llama3.2"}`. */
export interface OllamaCommand {
  name: string;
  args: string;
}

export type OllamaOutcome = { ok: true; commands: OllamaCommand[] } | { ok: false; error: string };

export interface ParsedModelfile {
  /** The text that all ranges and offsets refer to: decoded bytes without their byte-order mark, or the string given
   *  to the parser as is (a leading U+FEFF in a string is skipped as a byte-order mark but stays in `text`). */
  text: string;
  lineStarts: number[];
  instructions: InstructionSyntax[];
  comments: CommentSyntax[];
  /** Every syntax problem, found with error recovery so that an editor can show them all at once. */
  problems: SyntaxProblem[];
  /** Exactly what Ollama's parser yields for the same input: its command list, or its first error. */
  ollama: OllamaOutcome;
}
