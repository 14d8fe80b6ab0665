// The lexer of Go's text/template (package text/template/parse, lex.go) for the default delimiters, ported state
// for state so that it splits and rejects exactly what Go does: trim markers, comments, strings, raw strings,
// character constants, numbers, fields, variables, keywords and punctuation. It is pull-based like Go's (the parser
// asks for one item at a time), runs in linear time, and reports offsets in UTF-16 code units. Error items carry
// Go's message and a range chosen to be useful in an editor.

import { goQuote, goRuneName } from './template-literals';

export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // keywords
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

/** One lexical item. For errors `val` is Go's message; otherwise it is the source text of the item. */
export interface Item {
  type: ItemType;
  start: number;
  end: number;
  val: string;
}

export const KEYWORD_ITEMS: ReadonlySet<ItemType> = new Set<ItemType>([
  'block',
  'break',
  'continue',
  'dot',
  'define',
  'else',
  'end',
  'if',
  'nil',
  'range',
  'template',
  'with',
]);

const KEYWORDS: ReadonlyMap<string, ItemType> = new Map<string, ItemType>([
  ['block', 'block'],
  ['break', 'break'],
  ['continue', 'continue'],
  ['define', 'define'],
  ['else', 'else'],
  ['end', 'end'],
  ['if', 'if'],
  ['range', 'range'],
  ['nil', 'nil'],
  ['template', 'template'],
  ['with', 'with'],
]);

/** Pieces of the source that Go's lexer consumes without emitting an item: comments (the whole comment action,
 *  trim markers included) and the trim markers of other actions. */
export type SideKind = 'comment' | 'trimMarker';
export type SideListener = (kind: SideKind, start: number, end: number) => void;

const EOF = -1;
const AT_DELIM = 1;
const AT_TRIM_DELIM = 2;
const LEFT = '{{';
const RIGHT = '}}';

type State =
  | 'text'
  | 'leftDelim'
  | 'comment'
  | 'rightDelim'
  | 'insideAction'
  | 'space'
  | 'identifier'
  | 'field'
  | 'variable'
  | 'char'
  | 'number'
  | 'quote'
  | 'rawQuote';

function isSpace(r: number): boolean {
  return r === 32 || r === 9 || r === 13 || r === 10;
}

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;

/** Go's isAlphaNumeric: '_', unicode.IsLetter or unicode.IsDigit. */
export function isAlphaNumeric(r: number): boolean {
  if (r < 0x80) {
    return r === 95 || (r >= 48 && r <= 57) || (r >= 65 && r <= 90) || (r >= 97 && r <= 122);
  }
  if (r >= 0xd800 && r <= 0xdfff) return false;
  return LETTER_OR_DIGIT.test(String.fromCodePoint(r));
}

function isSpaceCode(input: string, i: number): boolean {
  return i < input.length && isSpace(input.charCodeAt(i));
}

export class TemplateLexer {
  private pos = 0;
  private start = 0;
  private atEOF = false;
  private parenDepth = 0;
  private insideAction = false;
  private dead = false;
  private item: Item | undefined;
  /** Where the current action's `{{` starts and where its opening delimiter (with any trim marker) ends. */
  private actionStart = 0;
  private actionOpenEnd = 0;
  /** Offsets of the unclosed '(' of the current action, innermost last. */
  private readonly parens: number[] = [];
  private commentStart = 0;

  constructor(
    private readonly input: string,
    private readonly side?: SideListener,
  ) {}

  /** Where lexing has got to (after an error: where it stopped). */
  get offset(): number {
    return this.pos;
  }

  /** True once an error item has been returned; Go's lexer stops there. */
  get failed(): boolean {
    return this.dead;
  }

  /** The next item; after an error, EOF forever. */
  nextItem(): Item {
    if (this.dead) return { type: 'eof', start: this.input.length, end: this.input.length, val: 'EOF' };
    let state: State | null = this.insideAction ? 'insideAction' : 'text';
    while (state !== null) state = this.step(state);
    const item = this.item as Item;
    this.item = undefined;
    return item;
  }

  /** Resumes lexing as plain text at `offset` after an error (used by the editor scanner, never by the checker). */
  resumeAt(offset: number): void {
    this.dead = false;
    this.atEOF = false;
    this.insideAction = false;
    this.parenDepth = 0;
    this.parens.length = 0;
    this.pos = offset;
    this.start = offset;
  }

  private step(state: State): State | null {
    switch (state) {
      case 'text':
        return this.lexText();
      case 'leftDelim':
        return this.lexLeftDelim();
      case 'comment':
        return this.lexComment();
      case 'rightDelim':
        return this.lexRightDelim();
      case 'insideAction':
        return this.lexInsideAction();
      case 'space':
        return this.lexSpace();
      case 'identifier':
        return this.lexIdentifier();
      case 'field':
        return this.lexFieldOrVariable('field');
      case 'variable':
        return this.lexVariable();
      case 'char':
        return this.lexQuoted(0x27, 'unterminated character constant', 'charConstant');
      case 'number':
        return this.lexNumber();
      case 'quote':
        return this.lexQuoted(0x22, 'unterminated quoted string', 'string');
      case 'rawQuote':
        return this.lexRawQuote();
    }
  }

  // ---- primitive moves (Go: next, backup, peek, accept, acceptRun) ----

  private next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF;
    }
    const c = this.input.charCodeAt(this.pos);
    if (c >= 0xd800 && c <= 0xdbff && this.pos + 1 < this.input.length) {
      const d = this.input.charCodeAt(this.pos + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        this.pos += 2;
        return (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
      }
    }
    this.pos += 1;
    return c;
  }

  private backup(): void {
    if (this.atEOF || this.pos <= 0) return;
    const c = this.input.charCodeAt(this.pos - 1);
    if (c >= 0xdc00 && c <= 0xdfff && this.pos >= 2) {
      const h = this.input.charCodeAt(this.pos - 2);
      if (h >= 0xd800 && h <= 0xdbff) {
        this.pos -= 2;
        return;
      }
    }
    this.pos -= 1;
  }

  private peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  private accept(valid: string): boolean {
    const r = this.next();
    if (r >= 0 && r < 0x80 && valid.includes(String.fromCharCode(r))) return true;
    this.backup();
    return false;
  }

  private acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (!(r >= 0 && r < 0x80 && valid.includes(String.fromCharCode(r)))) break;
    }
    this.backup();
  }

  private thisItem(type: ItemType): Item {
    const item: Item = { type, start: this.start, end: this.pos, val: this.input.slice(this.start, this.pos) };
    this.start = this.pos;
    return item;
  }

  private emit(type: ItemType): null {
    this.item = this.thisItem(type);
    return null;
  }

  private emitItem(item: Item): null {
    this.item = item;
    return null;
  }

  private ignore(): void {
    this.start = this.pos;
  }

  private errorf(message: string, start: number, end: number): null {
    this.item = { type: 'error', start, end: Math.max(end, start), val: message };
    this.dead = true;
    return null;
  }

  private hasLeftTrimMarker(at: number): boolean {
    return this.input.charCodeAt(at) === 0x2d && isSpaceCode(this.input, at + 1);
  }

  private hasRightTrimMarker(at: number): boolean {
    return isSpaceCode(this.input, at) && this.input.charCodeAt(at + 1) === 0x2d;
  }

  /** Go's atRightDelim: AT_DELIM at "}}", AT_TRIM_DELIM at " -}}" (a trim-marked right delimiter), else 0. */
  private atRightDelim(): number {
    const c = this.input.charCodeAt(this.pos);
    if (c === 0x7d) return this.input.charCodeAt(this.pos + 1) === 0x7d ? AT_DELIM : 0;
    if (isSpace(c) && this.input.charCodeAt(this.pos + 1) === 0x2d && this.input.startsWith(RIGHT, this.pos + 2)) return AT_TRIM_DELIM;
    return 0;
  }

  private rightTrimLength(from: number, to: number): number {
    let i = to;
    while (i > from && isSpace(this.input.charCodeAt(i - 1))) i--;
    return to - i;
  }

  private leftTrimLength(from: number): number {
    let i = from;
    while (i < this.input.length && isSpace(this.input.charCodeAt(i))) i++;
    return i - from;
  }

  /** The range of the character at `at` (one code point). */
  private charEnd(at: number): number {
    const cp = this.input.codePointAt(at);
    return at + (cp !== undefined && cp > 0xffff ? 2 : 1);
  }

  // ---- states ----

  private lexText(): State | null {
    const x = this.input.indexOf(LEFT, this.pos);
    if (x >= 0) {
      if (x > this.pos) {
        this.pos = x;
        let trimLength = 0;
        if (this.hasLeftTrimMarker(x + LEFT.length)) trimLength = this.rightTrimLength(this.start, this.pos);
        this.pos -= trimLength;
        const item = this.thisItem('text');
        this.pos += trimLength;
        this.ignore();
        if (item.end > item.start) return this.emitItem(item);
      }
      return 'leftDelim';
    }
    this.pos = this.input.length;
    if (this.pos > this.start) return this.emit('text');
    return this.emit('eof');
  }

  private lexLeftDelim(): State | null {
    const delimStart = this.pos;
    this.pos += LEFT.length;
    const trimSpace = this.hasLeftTrimMarker(this.pos);
    const afterMarker = trimSpace ? 2 : 0;
    if (this.input.startsWith('/*', this.pos + afterMarker)) {
      this.commentStart = delimStart;
      this.pos += afterMarker;
      this.ignore();
      return 'comment';
    }
    const item = this.thisItem('leftDelim');
    if (trimSpace) this.side?.('trimMarker', this.pos, this.pos + 1);
    this.insideAction = true;
    this.actionStart = delimStart;
    this.actionOpenEnd = this.pos + (trimSpace ? 1 : 0);
    this.pos += afterMarker;
    this.ignore();
    this.parenDepth = 0;
    if (this.parens.length > 0) this.parens.length = 0;
    return this.emitItem(item);
  }

  private lexComment(): State | null {
    const open = this.pos;
    this.pos += 2;
    const x = this.input.indexOf('*/', this.pos);
    if (x < 0) return this.errorf('unclosed comment', this.commentStart, open + 2);
    this.pos = x + 2;
    const at = this.atRightDelim();
    const trim = at === AT_TRIM_DELIM;
    if (at === 0) return this.errorf('comment ends before closing delimiter', x, x + 2);
    this.side?.('comment', this.commentStart, this.pos + (trim ? 2 : 0) + RIGHT.length);
    this.ignore();
    if (trim) this.pos += 2;
    this.pos += RIGHT.length;
    if (trim) this.pos += this.leftTrimLength(this.pos);
    this.ignore();
    return 'text';
  }

  private lexRightDelim(): State | null {
    const trim = this.atRightDelim() === AT_TRIM_DELIM;
    if (trim) {
      this.side?.('trimMarker', this.pos + 1, this.pos + 2);
      this.pos += 2;
      this.ignore();
    }
    this.pos += RIGHT.length;
    const item = this.thisItem('rightDelim');
    if (trim) {
      this.pos += this.leftTrimLength(this.pos);
      this.ignore();
    }
    this.insideAction = false;
    return this.emitItem(item);
  }

  private lexInsideAction(): State | null {
    if (this.atRightDelim() !== 0) {
      if (this.parenDepth === 0) return 'rightDelim';
      const open = this.parens[this.parens.length - 1] ?? this.pos;
      return this.errorf('unclosed left paren', open, open + 1);
    }
    const r = this.next();
    if (r === EOF) return this.errorf('unclosed action', this.actionStart, this.actionOpenEnd);
    if (isSpace(r)) {
      this.backup();
      return 'space';
    }
    switch (r) {
      case 0x3d: // =
        return this.emit('assign');
      case 0x3a: // :
        if (this.next() !== 0x3d) return this.errorf('expected :=', this.start, this.pos);
        return this.emit('declare');
      case 0x7c: // |
        return this.emit('pipe');
      case 0x22: // "
        return 'quote';
      case 0x60: // `
        return 'rawQuote';
      case 0x24: // $
        return 'variable';
      case 0x27: // '
        return 'char';
      case 0x28: // (
        this.parenDepth++;
        this.parens.push(this.start);
        return this.emit('leftParen');
      case 0x29: // )
        this.parenDepth--;
        this.parens.pop();
        if (this.parenDepth < 0) return this.errorf('unexpected right paren', this.start, this.pos);
        return this.emit('rightParen');
    }
    if (r === 0x2e) {
      // '.': a field unless a digit follows (then it starts a number)
      if (this.pos < this.input.length) {
        const c = this.input.charCodeAt(this.pos);
        if (c < 48 || c > 57) return 'field';
      }
      this.backup();
      return 'number';
    }
    if (r === 0x2b || r === 0x2d || (r >= 48 && r <= 57)) {
      this.backup();
      return 'number';
    }
    if (isAlphaNumeric(r)) {
      this.backup();
      return 'identifier';
    }
    if (r < 0x80 && r >= 0x20 && r < 0x7f) return this.emit('char');
    return this.errorf(`unrecognized character in action: ${goRuneName(r)}`, this.start, this.pos);
  }

  private lexSpace(): State | null {
    let numSpaces = 0;
    for (;;) {
      const r = this.peek();
      if (!isSpace(r)) break;
      this.next();
      numSpaces++;
    }
    if (this.hasRightTrimMarker(this.pos - 1) && this.input.startsWith(RIGHT, this.pos + 1)) {
      this.backup();
      if (numSpaces === 1) return 'rightDelim';
    }
    return this.emit('space');
  }

  private atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return this.input.startsWith(RIGHT, this.pos);
  }

  private badCharacter(r: number): null {
    return this.errorf(`bad character ${goRuneName(r)}`, this.pos, this.charEnd(this.pos));
  }

  private lexIdentifier(): State | null {
    for (;;) {
      const r = this.next();
      if (isAlphaNumeric(r)) continue;
      this.backup();
      const word = this.input.slice(this.start, this.pos);
      if (!this.atTerminator()) return this.badCharacter(r);
      const keyword = KEYWORDS.get(word);
      if (keyword !== undefined) return this.emit(keyword);
      if (word === 'true' || word === 'false') return this.emit('bool');
      return this.emit('identifier');
    }
  }

  private lexVariable(): State | null {
    if (this.atTerminator()) return this.emit('variable');
    return this.lexFieldOrVariable('variable');
  }

  private lexFieldOrVariable(type: 'field' | 'variable'): State | null {
    if (this.atTerminator()) return this.emit(type === 'variable' ? 'variable' : 'dot');
    let r: number;
    for (;;) {
      r = this.next();
      if (!isAlphaNumeric(r)) {
        this.backup();
        break;
      }
    }
    if (!this.atTerminator()) return this.badCharacter(r);
    return this.emit(type);
  }

  /** Quoted strings and character constants: a backslash escapes any character but a newline. */
  private lexQuoted(quote: number, unterminated: string, type: ItemType): State | null {
    for (;;) {
      let r = this.next();
      if (r === 0x5c) {
        r = this.next();
        if (r !== EOF && r !== 10) continue;
      }
      if (r === EOF || r === 10) {
        const end = r === 10 ? this.pos - 1 : this.pos;
        return this.errorf(unterminated, this.start, end);
      }
      if (r === quote) return this.emit(type);
    }
  }

  private lexRawQuote(): State | null {
    const close = this.input.indexOf('`', this.pos);
    if (close < 0) {
      this.pos = this.input.length;
      this.atEOF = true;
      return this.errorf('unterminated raw quoted string', this.start, this.start + 1);
    }
    this.pos = close + 1;
    return this.emit('rawString');
  }

  private lexNumber(): State | null {
    if (!this.scanNumber()) return this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`, this.start, this.pos);
    const sign = this.peek();
    if (sign === 0x2b || sign === 0x2d) {
      // complex: 1+2i, no spaces, must end in 'i'
      if (!this.scanNumber() || this.input.charCodeAt(this.pos - 1) !== 0x69) {
        return this.errorf(`bad number syntax: ${goQuote(this.input.slice(this.start, this.pos))}`, this.start, this.pos);
      }
      return this.emit('complex');
    }
    return this.emit('number');
  }

  private scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }
}
