// A token list of a TEMPLATE value for editor features (semantic tokens, hover, completion): every item Go's
// lexer produces, plus the parts it consumes silently (comments, trim markers), and one record per action. Unlike
// the checker it keeps going after a lexical error, so the rest of the template is still highlighted.

import { TemplateLexer, type Item } from './template-lexer';
import { TEMPLATE_FUNCTION_NAMES } from './template-catalog';

export type TemplateTokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'trimMarker'
  | 'comment'
  | 'keyword'
  | 'variable'
  | 'field'
  | 'function'
  | 'dot'
  | 'bool'
  | 'number'
  | 'string'
  | 'rawString'
  | 'char'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'punctuation';

export interface TemplateToken {
  kind: TemplateTokenKind;
  start: number;
  end: number;
  /** The source text. */
  text: string;
  /** For `function`: whether Ollama's templates know the name. */
  known?: boolean;
}

/** One `{{ … }}` action (or `{{/* … *\/}}` comment). */
export interface TemplateActionInfo {
  start: number;
  /** After the closing `}}`; for an action that never closes, where lexing stopped. */
  end: number;
  trimLeft: boolean;
  trimRight: boolean;
  comment: boolean;
  /** The keyword the action starts with (if, else, end, range, with, define, block, template, break, continue). */
  keyword?: string;
  /** False when the action has a lexical error or no closing delimiter. */
  complete: boolean;
}

export interface TemplateScan {
  tokens: TemplateToken[];
  actions: TemplateActionInfo[];
  /** Lexical errors with Go's message (the checker reports only the first, with more context). */
  errors: Array<{ message: string; start: number; end: number }>;
}

const ACTION_KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'block', 'template', 'break', 'continue']);

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

function kindOf(item: Item): TemplateTokenKind | undefined {
  switch (item.type) {
    case 'text':
    case 'leftDelim':
    case 'rightDelim':
    case 'variable':
    case 'field':
    case 'dot':
    case 'bool':
    case 'number':
    case 'string':
    case 'rawString':
    case 'pipe':
    case 'leftParen':
    case 'rightParen':
    case 'declare':
    case 'assign':
      return item.type;
    case 'complex':
      return 'number';
    case 'charConstant':
      return 'char';
    case 'char':
      return 'punctuation';
    case 'identifier':
      return 'function';
    case 'space':
    case 'eof':
    case 'error':
      return undefined;
    default:
      return 'keyword';
  }
}

/** Tokens and actions of a template, in source order; tokens never overlap. Lexical errors are listed apart. */
export function scanTemplate(source: string): TemplateScan {
  const tokens: TemplateToken[] = [];
  const actions: TemplateActionInfo[] = [];
  const errors: TemplateScan['errors'] = [];
  let current: TemplateActionInfo | undefined;
  let firstInAction = false;
  const lexer = new TemplateLexer(source, (kind, start, end) => {
    if (kind === 'trimMarker') {
      tokens.push({ kind: 'trimMarker', start, end, text: '-' });
      return;
    }
    tokens.push({ kind: 'comment', start, end, text: source.slice(start, end) });
    const trimLeft = source.charCodeAt(start + 2) === 45;
    const trimRight = source.charCodeAt(end - 3) === 45 && isSpace(source.charCodeAt(end - 4));
    actions.push({ start, end, trimLeft, trimRight, comment: true, complete: true });
  });
  for (;;) {
    const item = lexer.nextItem();
    if (item.type === 'eof') break;
    if (item.type === 'error') {
      errors.push({ message: item.val, start: item.start, end: item.end });
      if (current !== undefined) {
        current.complete = false;
        current.end = Math.max(current.end, item.end);
        current = undefined;
      }
      if (item.val === 'unclosed comment' || item.val === 'unclosed action' || item.val === 'unterminated raw quoted string') break;
      const close = source.indexOf('}}', Math.max(item.end, lexer.offset));
      if (close < 0) break;
      lexer.resumeAt(close + 2);
      continue;
    }
    const kind = kindOf(item);
    if (item.type === 'leftDelim') {
      const trimLeft = source.charCodeAt(item.end) === 45 && isSpace(source.charCodeAt(item.end + 1));
      current = { start: item.start, end: item.end, trimLeft, trimRight: false, comment: false, complete: true };
      actions.push(current);
      firstInAction = true;
    } else if (item.type === 'rightDelim') {
      if (current !== undefined) {
        current.end = item.end;
        current.trimRight = source.charCodeAt(item.start - 1) === 45 && isSpace(source.charCodeAt(item.start - 2));
      }
      current = undefined;
    } else if (item.type !== 'space' && firstInAction && current !== undefined) {
      firstInAction = false;
      if (ACTION_KEYWORDS.has(item.type)) current.keyword = item.type;
    }
    if (kind === undefined) continue;
    const token: TemplateToken = { kind, start: item.start, end: item.end, text: item.val };
    if (kind === 'function') token.known = TEMPLATE_FUNCTION_NAMES.has(item.val);
    tokens.push(token);
  }
  if (current !== undefined) current.complete = false;
  tokens.sort((a, b) => a.start - b.start);
  actions.sort((a, b) => a.start - b.start);
  return { tokens, actions, errors };
}
