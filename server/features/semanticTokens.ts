// Semantic tokens: instruction keywords, parameter names (deprecated ones marked), MESSAGE roles, values as
// strings (numbers and booleans of typed parameters as such), comments, and inside a TEMPLATE the Go template
// tokens (delimiters, keywords, fields, variables, functions, literals, comments). Tokens never span lines.
import type { ParsedModelfile } from '../../core/modelfile';
import { isDeprecatedParameter, parameterSpec } from '../../core/modelfile/parameters';
import { scanTemplate, type TemplateTokenKind } from '../../core/modelfile/template';
import { positionAt } from '../../core/text';

export const TOKEN_TYPES = ['keyword', 'property', 'enumMember', 'string', 'number', 'comment', 'variable', 'function', 'operator'] as const;
export const TOKEN_MODIFIERS = ['deprecated', 'defaultLibrary'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];

/** One token on one line, in UTF-16 code units. */
export interface SemanticToken {
  line: number;
  character: number;
  length: number;
  type: TokenType;
  modifiers: number;
}

const TYPE_INDEX = new Map<TokenType, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const DEPRECATED = 1 << TOKEN_MODIFIERS.indexOf('deprecated');
const DEFAULT_LIBRARY = 1 << TOKEN_MODIFIERS.indexOf('defaultLibrary');

const TEMPLATE_TYPES: Partial<Record<TemplateTokenKind, TokenType>> = {
  text: 'string',
  leftDelim: 'operator',
  rightDelim: 'operator',
  trimMarker: 'operator',
  comment: 'comment',
  keyword: 'keyword',
  variable: 'variable',
  field: 'property',
  function: 'function',
  dot: 'variable',
  bool: 'keyword',
  number: 'number',
  string: 'string',
  rawString: 'string',
  char: 'string',
  pipe: 'operator',
  declare: 'operator',
  assign: 'operator',
};

class TokenBuilder {
  readonly tokens: SemanticToken[] = [];

  constructor(
    private readonly parsed: ParsedModelfile,
    private readonly firstLine: number,
    private readonly lastLine: number,
  ) {}

  /** Adds [start, end) as one token per line it covers (line breaks excluded). */
  add(start: number, end: number, type: TokenType, modifiers = 0): void {
    if (end <= start) return;
    const { lineStarts, text } = this.parsed;
    let line = positionAt(lineStarts, start).line;
    let at = start;
    while (at < end && line < lineStarts.length) {
      const next = line + 1 < lineStarts.length ? lineStarts[line + 1] : text.length;
      let stop = Math.min(end, next);
      while (stop > at && (text.charCodeAt(stop - 1) === 0x0a || text.charCodeAt(stop - 1) === 0x0d)) stop--;
      if (stop > at && line >= this.firstLine && line <= this.lastLine) {
        this.tokens.push({ line, character: at - lineStarts[line], length: stop - at, type, modifiers });
      }
      at = next;
      line++;
    }
  }
}

/** Tokens of the document (or of the lines firstLine..lastLine), sorted by position. */
export function semanticTokens(parsed: ParsedModelfile, firstLine = 0, lastLine = Number.MAX_SAFE_INTEGER): SemanticToken[] {
  const out = new TokenBuilder(parsed, firstLine, lastLine);
  const items: { start: number; run(): void }[] = [];
  for (const comment of parsed.comments) {
    if (comment.span.range.end.line < firstLine || comment.span.range.start.line > lastLine) continue;
    items.push({ start: comment.span.start, run: () => out.add(comment.span.start, comment.span.end, 'comment') });
  }
  for (const instruction of parsed.instructions) {
    if (instruction.range.end.line < firstLine || instruction.range.start.line > lastLine) continue;
    items.push({
      start: instruction.start,
      run: () => {
        if (!instruction.name) return;
        out.add(instruction.keyword.start, instruction.keyword.end, 'keyword');
        const parameter = instruction.parameter;
        if (parameter) out.add(parameter.start, parameter.end, 'property', isDeprecatedParameter(parameter.text) ? DEPRECATED : 0);
        if (instruction.role) out.add(instruction.role.start, instruction.role.end, 'enumMember');
        const value = instruction.value;
        if (!value) return;
        const content = value.content;
        const quoteLength = value.quote === 'triple' ? 3 : value.quote === 'double' ? 1 : 0;
        if (instruction.name === 'template') {
          if (quoteLength > 0) out.add(content.start - quoteLength, content.start, 'string');
          for (const token of scanTemplate(content.text).tokens) {
            const type = TEMPLATE_TYPES[token.kind];
            if (!type) continue;
            const modifiers = token.kind === 'function' && token.known ? DEFAULT_LIBRARY : 0;
            out.add(content.start + token.start, content.start + token.end, type, modifiers);
          }
          if (quoteLength > 0 && value.complete) out.add(content.end, content.end + quoteLength, 'string');
          return;
        }
        const spec = parameter ? parameterSpec(parameter.text) : undefined;
        if (spec && value.quote === 'none' && (spec.type === 'int' || spec.type === 'float') && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(content.text)) {
          out.add(content.start, content.end, 'number');
        } else if (spec && value.quote === 'none' && spec.type === 'bool') {
          out.add(content.start, content.end, 'enumMember');
        } else {
          const end = value.complete ? content.end + quoteLength : content.end;
          out.add(content.start - quoteLength, end, 'string');
        }
      },
    });
  }
  items.sort((a, b) => a.start - b.start);
  for (const item of items) item.run();
  return out.tokens;
}

/** Index of a token type in the legend. */
export function tokenTypeIndex(type: TokenType): number {
  return TYPE_INDEX.get(type)!;
}
