// The TEMPLATE syntax checker: a port of Go's text/template parser (text/template/parse, parse.go) as Ollama runs
// it (default delimiters, Ollama's functions plus Go's builtins), so that it rejects exactly what `ollama create`
// rejects, with Go's wording and an editor range, and accepts everything else. Control structures and parenthesised
// pipelines are parsed with explicit stacks (no recursion), so depth and size cost only linear time and memory.
// Also here: Ollama's view of a template (identifiers → capabilities, the implicit `{{ .Response }}`), the
// structure (blocks, definitions) an editor folds and outlines, and what `.` and `$x` are at an offset.

import { KEYWORD_ITEMS, TemplateLexer, type Item, type ItemType } from './template-lexer';
import { TEMPLATE_FUNCTION_NAMES } from './template-catalog';
import { goCharConstantError, goNumberError, goQuote, goQuoteTruncated, goUnquote } from './template-literals';

export { scanTemplate } from './template-scan';
export type { TemplateScan, TemplateToken, TemplateTokenKind, TemplateActionInfo } from './template-scan';

/** A problem in a TEMPLATE value, with UTF-16 offsets into the value. */
export interface TemplateProblem {
  /** Go's message, with a short explanation in parentheses where Go's is terse. */
  message: string;
  /** Exactly the text Go puts after `template: :LINE: ` (what `ollama create` prints after `template error: `). */
  goMessage: string;
  start: number;
  end: number;
  /** `error`: Go's parser rejects the template, so `ollama create` fails. `warning`: Go parses it, but executing
   *  the action always fails (e.g. assigning to a variable that was never declared). */
  severity: 'error' | 'warning';
}

export interface TemplateSpan {
  start: number;
  end: number;
}

/** An if/range/with/define/block from its opening action to its `{{end}}` (an `else if` chain is one block). */
export interface TemplateBlock {
  keyword: 'if' | 'range' | 'with' | 'define' | 'block';
  start: number;
  end: number;
  /** The `{{else …}}` actions of this block, in order. */
  elses: TemplateSpan[];
}

export interface TemplateDefinition {
  name: string;
  /** The range of the quoted name. */
  start: number;
  end: number;
}

/** A stretch of the template where dot (`.`) is something other than the top-level data. */
export interface TemplateScope {
  start: number;
  end: number;
  /** Dot's path in the data model (TEMPLATE_DATA), e.g. ['Messages'] inside `{{range .Messages}}` (slices and maps
   *  are stepped through to their element); undefined when it cannot be known (a {{define}}, a computed value). */
  dot: string[] | undefined;
  /** Set on the body of a {{define}} or {{block}}: the template's name (its variables are its own). */
  template?: string;
}

/** A variable declared with `:=`, where it is visible, and its path in the data model when known. */
export interface TemplateVariable {
  name: string;
  /** The template it belongs to: '' for the main template, else the {{define}}/{{block}} name. */
  template: string;
  /** Visible from the end of the declaring action… */
  start: number;
  /** …to the {{end}} of the enclosing block (or the end of the template). */
  end: number;
  path: string[] | undefined;
}

export interface TemplateAnalysis {
  /** The first error Go reports (at most one, as Go stops there), and warnings found before it, by position. */
  problems: TemplateProblem[];
  /** Ollama's Template.Vars(): the field and variable names the template mentions, lower-cased, sorted. */
  identifiers: string[];
  blocks: TemplateBlock[];
  definitions: TemplateDefinition[];
  /** Where dot changes (range/with bodies, define/block bodies), outermost first. */
  scopes: TemplateScope[];
  variables: TemplateVariable[];
}

/** What `.` and `$…` refer to at an offset, for completion and hover. */
export interface TemplateContext {
  /** Dot's path in the data model ([] for the top level); undefined when unknown. `$` is always the top level. */
  dot: string[] | undefined;
  /** The variables in scope (besides `$`), innermost declaration last. */
  variables: TemplateVariable[];
}

export interface TemplateCapabilities {
  /** Capabilities Ollama derives from the template: "tools" when it mentions `tools`, "insert" for `suffix`. */
  capabilities: Array<'tools' | 'insert'>;
  /** The template mentions `messages`, so Ollama renders the whole conversation in one pass (chat mode). */
  usesMessages: boolean;
  /** The template mentions neither `messages` nor `response`, so Ollama appends `{{ .Response }}` to it. */
  appendsResponse: boolean;
  /** Lower-cased identifiers as Ollama collects them (sorted). */
  identifiers: string[];
  /** False when the template does not parse; the rest is then a best effort. */
  parsed: boolean;
}

/** What Go's template.Parse (as `ollama create` calls it) rejects, plus warnings for actions that always fail. */
export function checkTemplate(source: string): TemplateProblem[] {
  return analyzeTemplate(source).problems;
}

/** The checker's full result: problems plus the structure editor features need. */
export function analyzeTemplate(source: string): TemplateAnalysis {
  return new Parser(source).run();
}

/** What dot and the variables are at `offset`, from an analysis of the template. */
export function templateContextAt(analysis: TemplateAnalysis, offset: number): TemplateContext {
  let dot: string[] | undefined = [];
  let template = '';
  let innermost = -1;
  let innermostTemplate = -1;
  for (const scope of analysis.scopes) {
    if (scope.start > offset || offset > scope.end) continue;
    if (scope.start >= innermost) {
      innermost = scope.start;
      dot = scope.dot;
    }
    if (scope.template !== undefined && scope.start >= innermostTemplate) {
      innermostTemplate = scope.start;
      template = scope.template;
    }
  }
  const variables = analysis.variables.filter((v) => v.template === template && v.start <= offset && offset <= v.end);
  return { dot, variables };
}

/** Ollama's reading of a template: capabilities from its identifiers (spec §1.6) and the implicit response. */
export function templateCapabilities(source: string): TemplateCapabilities {
  const analysis = analyzeTemplate(source);
  const ids = new Set(analysis.identifiers);
  const capabilities: Array<'tools' | 'insert'> = [];
  if (ids.has('tools')) capabilities.push('tools');
  if (ids.has('suffix')) capabilities.push('insert');
  return {
    capabilities,
    usesMessages: ids.has('messages'),
    appendsResponse: !ids.has('messages') && !ids.has('response'),
    identifiers: analysis.identifiers,
    parsed: !analysis.problems.some((p) => p.severity === 'error'),
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** Thrown to stop parsing at the first error, as Go's parser panics. */
class Stop {
  constructor(readonly problem: TemplateProblem) {}
}

/** Variables in scope, in declaration order, with O(1) lookup (Go scans a slice; the answers are the same). */
class VarScope {
  private readonly names: string[] = ['$'];
  private readonly records: Array<TemplateVariable | undefined> = [undefined];
  private readonly counts = new Map<string, number>([['$', 1]]);

  get length(): number {
    return this.names.length;
  }

  has(name: string): boolean {
    return (this.counts.get(name) ?? 0) > 0;
  }

  push(name: string, record: TemplateVariable | undefined): void {
    this.names.push(name);
    this.records.push(record);
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  /** The data-model path of the innermost declaration of `name`, when known. */
  pathOf(name: string): string[] | undefined {
    if (name === '$') return [];
    for (let i = this.names.length - 1; i >= 0; i--) {
      if (this.names[i] === name) return this.records[i]?.path;
    }
    return undefined;
  }

  /** Drops the variables declared after the first `length`; they stop being visible at `at`. */
  truncate(length: number, at: number): void {
    while (this.names.length > length) {
      const name = this.names.pop() as string;
      const record = this.records.pop();
      if (record !== undefined) record.end = at;
      this.counts.set(name, (this.counts.get(name) ?? 1) - 1);
    }
  }
}

/** One parse tree of Go's: the main template, a {{define}} or a {{block}}. */
interface TreeState {
  name: string;
  nameSpan: TemplateSpan | undefined;
  vars: VarScope;
  rangeDepth: number;
  /** Go's !IsEmptyTree(Root): the tree holds more than blank text. */
  nonEmpty: boolean;
}

type FrameKind = 'root' | 'if' | 'range' | 'with' | 'define' | 'block';

/** An open control structure (Go: a parseControl / parseDefinition / blockControl call in progress). */
interface Frame {
  kind: FrameKind;
  tree: TreeState;
  varsMark: number;
  inElse: boolean;
  /** Opened by `{{else if}}` / `{{else with}}`: its {{end}} also ends the block that contains it. */
  chained: boolean;
  /** `{{ if` (delimiter to keyword) of the block, or of the first block of an else-if chain. */
  opener: TemplateSpan;
  start: number;
  elses: TemplateSpan[];
  /** Dot's data-model path in the branch being parsed. */
  dot: string[] | undefined;
  /** The dot scope of the branch being parsed, when this block changes dot. */
  scope: TemplateScope | undefined;
}

type ActionResult =
  | { kind: 'text'; start: number; end: number }
  | { kind: 'node' }
  | { kind: 'opened' }
  | { kind: 'end'; span: TemplateSpan }
  | { kind: 'else'; span: TemplateSpan };

type TermKind = 'identifier' | 'dot' | 'nil' | 'variable' | 'field' | 'bool' | 'number' | 'string' | 'pipe' | 'chain';

interface Term {
  kind: TermKind;
  start: number;
  end: number;
  text: string;
  /** Ollama's Identifiers() of this operand (fields and variables; a non-chained parenthesised pipeline's). */
  idents: string[] | undefined;
  /** The operand's path in the data model, when known. */
  path: string[] | undefined;
}

/** What a finished top-level pipeline tells its caller. */
interface PipeResult {
  /** After the closing "}}". */
  end: number;
  /** The data-model path of the pipeline's value when it is a single field, variable or dot. */
  value: string[] | undefined;
  /** Variables it declared with ":=" (in order), to be given paths and a start. */
  declared: TemplateVariable[];
  context: string;
}

/** A pipeline being parsed (Go: a pipeline() call in progress), the outermost first. */
interface PipeFrame {
  context: string;
  end: 'rightDelim' | 'rightParen';
  start: number;
  /** The first operand of each finished command. */
  cmds: Term[];
  first: Term | undefined;
  args: number;
  idents: string[];
  decls: number;
  declared: TemplateVariable[];
  /** The only operand of the only command so far, if there is exactly one. */
  only: Term | undefined;
}

const TERM_START: ReadonlySet<ItemType> = new Set<ItemType>([
  'bool',
  'charConstant',
  'complex',
  'dot',
  'field',
  'identifier',
  'number',
  'nil',
  'rawString',
  'string',
  'variable',
  'leftParen',
]);

const MISSING_VALUE_HINTS: Readonly<Record<string, string>> = {
  command: 'the action is empty',
  if: '{{if}} needs a condition',
  range: '{{range}} needs something to iterate over',
  with: '{{with}} needs a value',
  'block clause': 'give the block a value, usually "."',
  'parenthesized pipeline': 'the parentheses are empty',
};

const NON_EXECUTABLE: ReadonlySet<TermKind> = new Set<TermKind>(['bool', 'dot', 'nil', 'number', 'string']);

const EOF_ITEM: Item = { type: 'eof', start: 0, end: 0, val: 'EOF' };
const NODE: ActionResult = { kind: 'node' };
const OPENED: ActionResult = { kind: 'opened' };

function makeTerm(kind: TermKind, item: Item, idents: string[] | undefined, path?: string[]): Term {
  return { kind, start: item.start, end: item.end, text: item.val, idents, path };
}

/** Whether `s[start:end]` holds something other than Go's unicode.IsSpace characters. */
function hasNonSpace(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13) || c === 0x85 || c === 0xa0) continue;
    if (c < 0x1680) return true;
    if (c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000) continue;
    return true;
  }
  return false;
}

function longerThan(s: string, max: number): boolean {
  if (s.length <= max) return false;
  if (s.length > 2 * max) return true;
  return Array.from(s).length > max;
}

/** Go's item.String(), as it appears in "unexpected X in Y". */
function describe(item: Item): string {
  if (item.type === 'eof') return 'EOF';
  if (item.type === 'error') return item.val;
  if (KEYWORD_ITEMS.has(item.type)) return `<${item.val}>`;
  if (longerThan(item.val, 10)) return `${goQuoteTruncated(item.val, 10)}...`;
  return goQuote(item.val);
}

/** A short explanation for Go's terser messages. */
function hintFor(goMessage: string): string | undefined {
  switch (goMessage) {
    case 'unclosed action':
      return 'no "}}" closes this "{{"';
    case 'unclosed comment':
      return 'no "*/" closes this comment';
    case 'comment ends before closing delimiter':
      return 'write "*/}}" or "*/ -}}" with nothing in between';
    case 'unclosed left paren':
      return 'this "(" is not closed before "}}"';
    case 'unexpected right paren':
      return 'there is no "(" for this ")"';
    case 'unterminated quoted string':
      return 'a "string" ends on the same line; use \\n or a `raw string` for line breaks';
    case 'unterminated raw quoted string':
      return 'no closing backquote';
    case 'unterminated character constant':
      return 'single quotes make a character constant; use "double quotes" for strings';
    case 'expected :=':
      return 'declare a variable with ":=" or assign with "="';
    case 'unexpected {{end}}':
      return 'there is no open {{if}}, {{range}}, {{with}}, {{define}} or {{block}} to close';
    case 'unexpected {{else}}':
      return '{{else}} belongs inside {{if}}, {{range}} or {{with}}';
    case 'expected end; found {{else}}':
      return 'a block has only one plain {{else}}';
    case 'unexpected <define> in command':
      return '{{define}} is only allowed at the top level, outside other blocks';
    case 'invalid syntax':
      return 'bad escape sequence in this literal';
  }
  if (goMessage.startsWith('malformed character constant')) {
    return 'single quotes make a character constant; use "double quotes" for strings';
  }
  if (goMessage === "bad character U+003D '='") return 'put a space before "="';
  if (goMessage === 'unexpected <if> in input' || goMessage === 'unexpected <with> in input') {
    return '"else if" continues only an {{if}}, "else with" only a {{with}}';
  }
  const fn = /^function "(.*)" not defined$/.exec(goMessage);
  if (fn !== null && /^[A-Z]/.test(fn[1] ?? '')) return `did you mean ".${fn[1]}"?`;
  return undefined;
}

class Parser {
  private readonly lex: TemplateLexer;
  private readonly token: Item[] = [EOF_ITEM, EOF_ITEM, EOF_ITEM];
  private peekCount = 0;
  private tree: TreeState;
  private readonly stack: Frame[] = [];
  private readonly treeSet = new Map<string, TreeState>();
  private readonly identifiers = new Set<string>();
  private readonly seenIdentifiers = new Set<string>();
  private readonly warnings: TemplateProblem[] = [];
  private readonly blocks: TemplateBlock[] = [];
  private readonly definitions: TemplateDefinition[] = [];
  private readonly calls: Array<{ name: string; span: TemplateSpan }> = [];
  private readonly scopes: TemplateScope[] = [];
  private readonly variables: TemplateVariable[] = [];

  constructor(private readonly source: string) {
    this.lex = new TemplateLexer(source);
    this.tree = this.newTree('', undefined);
  }

  run(): TemplateAnalysis {
    const problems: TemplateProblem[] = [];
    try {
      this.parse();
      for (const call of this.calls) {
        if (!this.treeSet.has(call.name)) {
          this.warn(`template ${goQuote(call.name)} not defined`, call.span, 'no {{define}} or {{block}} gives this name; executing it fails');
        }
      }
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      problems.push(e.problem);
    }
    for (const frame of this.stack) frame.tree.vars.truncate(1, this.source.length);
    for (const warning of this.warnings) problems.push(warning);
    problems.sort((a, b) => a.start - b.start || (a.severity === 'error' ? -1 : 1));
    return {
      problems,
      identifiers: [...this.identifiers].sort(),
      blocks: this.blocks.sort((a, b) => a.start - b.start),
      definitions: this.definitions,
      scopes: this.scopes,
      variables: this.variables,
    };
  }

  // ---- Go's token buffer: three-token look-ahead over the lexer ----

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount] as Item;
  }

  private backup(): void {
    this.peekCount++;
  }

  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }

  private nextNonSpace(): Item {
    let item: Item;
    do item = this.next();
    while (item.type === 'space');
    return item;
  }

  private peekNonSpace(): Item {
    const item = this.nextNonSpace();
    this.backup();
    return item;
  }

  // ---- errors ----

  private fail(goMessage: string, span: TemplateSpan, hint?: string): Stop {
    const explanation = hint ?? hintFor(goMessage);
    return new Stop({
      message: explanation === undefined ? goMessage : `${goMessage} (${explanation})`,
      goMessage,
      start: span.start,
      end: Math.max(span.end, span.start),
      severity: 'error',
    });
  }

  private warn(goMessage: string, span: TemplateSpan, hint: string): void {
    this.warnings.push({ message: `${goMessage} (${hint})`, goMessage, start: span.start, end: span.end, severity: 'warning' });
  }

  /** Go's Tree.unexpected: a lexer error is reported as itself. */
  private unexpected(item: Item, context: string): Stop {
    if (item.type === 'error') return this.fail(item.val, item);
    return this.fail(`unexpected ${describe(item)} in ${context}`, item);
  }

  private expect(type: ItemType, context: string): Item {
    const item = this.nextNonSpace();
    if (item.type !== type) throw this.unexpected(item, context);
    return item;
  }

  // ---- trees and control structures ----

  private newTree(name: string, nameSpan: TemplateSpan | undefined): TreeState {
    return { name, nameSpan, vars: new VarScope(), rangeDepth: 0, nonEmpty: false };
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1] as Frame;
  }

  /** Go's Tree.add: a second non-empty definition of a name is an error. */
  private addTree(tree: TreeState): void {
    const existing = this.treeSet.get(tree.name);
    if (existing === undefined || !existing.nonEmpty) {
      this.treeSet.set(tree.name, tree);
      return;
    }
    if (tree.nonEmpty) {
      const span = tree.nameSpan ?? existing.nameSpan ?? { start: 0, end: 0 };
      throw this.fail(`template: multiple definition of template ${goQuote(tree.name)}`, span, 'another {{define}} or {{block}} already gives this name a body');
    }
  }

  /** Go's Tree.parse with its itemList/textOrAction/action calls unrolled into a loop over a stack of frames. */
  private parse(): void {
    const root = this.tree;
    this.stack.push({ kind: 'root', tree: root, varsMark: 1, inElse: false, chained: false, opener: { start: 0, end: 0 }, start: 0, elses: [], dot: [], scope: undefined });
    for (;;) {
      const frame = this.top();
      if (frame.kind === 'root') {
        if (this.peek().type === 'eof') {
          this.addTree(root);
          return;
        }
        if (this.peek().type === 'leftDelim') {
          const delim = this.next();
          const word = this.nextNonSpace();
          if (word.type === 'define') {
            this.openDefinition(delim, word);
            continue;
          }
          this.backup2(delim);
        }
      } else if (this.peekNonSpace().type === 'eof') {
        throw this.fail('unexpected EOF', frame.opener, `this {{${frame.kind}}} has no matching {{end}}`);
      }
      this.handle(frame, this.textOrAction());
    }
  }

  private openDefinition(delim: Item, word: Item): void {
    const context = 'define clause';
    const nameItem = this.nextNonSpace();
    if (nameItem.type !== 'string' && nameItem.type !== 'rawString') throw this.unexpected(nameItem, context);
    const name = goUnquote(nameItem.val);
    if (name === undefined) throw this.fail('invalid syntax', nameItem);
    const close = this.expect('rightDelim', context);
    const tree = this.newTree(name, { start: nameItem.start, end: nameItem.end });
    this.definitions.push({ name, start: nameItem.start, end: nameItem.end });
    const scope = this.openScope(close.end, undefined);
    scope.template = name;
    this.stack.push({ kind: 'define', tree, varsMark: 1, inElse: false, chained: false, opener: { start: delim.start, end: word.end }, start: delim.start, elses: [], dot: undefined, scope });
    this.tree = tree;
  }

  private textOrAction(): ActionResult {
    const item = this.nextNonSpace();
    if (item.type === 'text') return { kind: 'text', start: item.start, end: item.end };
    if (item.type === 'leftDelim') return this.action(item);
    throw this.unexpected(item, 'input');
  }

  private action(delim: Item): ActionResult {
    const word = this.nextNonSpace();
    switch (word.type) {
      case 'block':
        return this.blockControl(delim, word);
      case 'break':
      case 'continue': {
        const close = this.nextNonSpace();
        if (close.type !== 'rightDelim') throw this.unexpected(close, `{{${word.val}}}`);
        if (this.tree.rangeDepth === 0) throw this.fail(`{{${word.val}}} outside {{range}}`, { start: delim.start, end: close.end });
        return NODE;
      }
      case 'else': {
        const peek = this.peekNonSpace();
        if (peek.type === 'if' || peek.type === 'with') return { kind: 'else', span: { start: delim.start, end: word.end } };
        const close = this.expect('rightDelim', 'else');
        return { kind: 'else', span: { start: delim.start, end: close.end } };
      }
      case 'end': {
        const close = this.expect('rightDelim', 'end');
        return { kind: 'end', span: { start: delim.start, end: close.end } };
      }
      case 'if':
      case 'range':
      case 'with':
        this.openControl(word.type, delim.start, word, undefined);
        return OPENED;
      case 'template': {
        const context = 'template clause';
        const nameItem = this.nextNonSpace();
        const name = this.templateName(nameItem, context);
        if (this.nextNonSpace().type !== 'rightDelim') {
          this.backup();
          this.finishPipeline(this.pipeline(context, delim.start));
        }
        this.calls.push({ name, span: { start: nameItem.start, end: nameItem.end } });
        return NODE;
      }
    }
    this.backup();
    this.finishPipeline(this.pipeline('command', delim.start));
    return NODE;
  }

  private templateName(item: Item, context: string): string {
    if (item.type !== 'string' && item.type !== 'rawString') throw this.unexpected(item, context);
    const name = goUnquote(item.val);
    if (name === undefined) throw this.fail('invalid syntax', item);
    return name;
  }

  /** Go's parseControl up to the body: the pipeline (variables declared there live until the block ends). */
  private openControl(kind: 'if' | 'range' | 'with', start: number, word: Item, chainOf: Frame | undefined): void {
    const tree = this.tree;
    const varsMark = tree.vars.length;
    const outer = this.top().dot;
    const pipe = this.pipeline(kind, start);
    this.finishPipeline(pipe);
    if (kind === 'range') tree.rangeDepth++;
    const dot = kind === 'if' ? outer : pipe.value;
    this.stack.push({
      kind,
      tree,
      varsMark,
      inElse: false,
      chained: chainOf !== undefined,
      opener: chainOf?.opener ?? { start, end: word.end },
      start,
      elses: chainOf?.elses ?? [],
      dot,
      scope: kind === 'if' ? undefined : this.openScope(pipe.end, dot),
    });
  }

  private openScope(start: number, dot: string[] | undefined): TemplateScope {
    const scope: TemplateScope = { start, end: this.source.length, dot };
    this.scopes.push(scope);
    return scope;
  }

  /** Gives the variables a pipeline declared their start and, when known, their data-model path. */
  private finishPipeline(pipe: PipeResult): void {
    const declared = pipe.declared;
    for (let i = 0; i < declared.length; i++) {
      const v = declared[i] as TemplateVariable;
      v.start = pipe.end;
      // In `range $i, $e := X` the first of two variables is the index; the element has X's path.
      const isIndex = pipe.context === 'range' && declared.length === 2 && i === 0;
      v.path = isIndex ? undefined : pipe.value;
    }
  }

  private blockControl(delim: Item, word: Item): ActionResult {
    const context = 'block clause';
    const nameItem = this.nextNonSpace();
    const name = this.templateName(nameItem, context);
    const pipe = this.pipeline(context, delim.start);
    this.finishPipeline(pipe);
    const tree = this.newTree(name, { start: nameItem.start, end: nameItem.end });
    this.definitions.push({ name, start: nameItem.start, end: nameItem.end });
    const scope = this.openScope(pipe.end, pipe.value);
    scope.template = name;
    this.stack.push({ kind: 'block', tree, varsMark: 1, inElse: false, chained: false, opener: { start: delim.start, end: word.end }, start: delim.start, elses: [], dot: pipe.value, scope });
    this.tree = tree;
    return OPENED;
  }

  private handle(frame: Frame, result: ActionResult): void {
    const ownsTree = frame.kind === 'root' || frame.kind === 'define' || frame.kind === 'block';
    switch (result.kind) {
      case 'text':
        if (ownsTree && !frame.tree.nonEmpty && hasNonSpace(this.source, result.start, result.end)) frame.tree.nonEmpty = true;
        return;
      case 'node':
      case 'opened':
        if (ownsTree) frame.tree.nonEmpty = true;
        return;
      case 'end':
        this.end(frame, result.span);
        return;
      case 'else':
        this.else(frame, result.span);
        return;
    }
  }

  private end(frame: Frame, span: TemplateSpan): void {
    if (frame.kind === 'root') throw this.fail('unexpected {{end}}', span);
    if (frame.scope !== undefined) frame.scope.end = span.start;
    if (frame.kind === 'define' || frame.kind === 'block') {
      this.addTree(frame.tree);
      frame.tree.vars.truncate(1, span.start);
      this.stack.pop();
      this.tree = this.top().tree;
      this.blocks.push({ keyword: frame.kind, start: frame.start, end: span.end, elses: [] });
      return;
    }
    if (frame.kind === 'range' && !frame.inElse) frame.tree.rangeDepth--;
    let f = frame;
    for (;;) {
      this.stack.pop();
      f.tree.vars.truncate(f.varsMark, span.start);
      if (f.scope !== undefined) f.scope.end = span.start;
      if (!f.chained) {
        this.blocks.push({ keyword: f.kind as 'if' | 'range' | 'with', start: f.start, end: span.end, elses: f.elses });
        return;
      }
      f = this.top();
    }
  }

  private else(frame: Frame, span: TemplateSpan): void {
    switch (frame.kind) {
      case 'root':
        throw this.fail('unexpected {{else}}', span);
      case 'define':
      case 'block':
        throw this.fail(`unexpected {{else}} in ${frame.kind} clause`, span, `{{${frame.kind}}} has no {{else}} branch`);
      default:
        break;
    }
    if (frame.inElse) throw this.fail('expected end; found {{else}}', span);
    if (frame.kind === 'range') frame.tree.rangeDepth--;
    frame.inElse = true;
    frame.elses.push(span);
    if (frame.scope !== undefined) {
      // In the else branch of range and with, dot is the enclosing block's again.
      frame.scope.end = span.start;
      const outer = (this.stack[this.stack.length - 2] as Frame).dot;
      frame.dot = outer;
      frame.scope = this.openScope(span.end, outer);
    }
    const peek = this.peek();
    if ((frame.kind === 'if' && peek.type === 'if') || (frame.kind === 'with' && peek.type === 'with')) {
      const word = this.next();
      this.openControl(peek.type as 'if' | 'with', span.start, word, frame);
    }
  }

  // ---- pipelines (Go: pipeline, command, operand, term), with parentheses on an explicit stack ----

  /** Go's pipeline() for an action or control clause; returns after consuming the closing "}}". */
  private pipeline(context: string, start: number): PipeResult {
    const stack: PipeFrame[] = [this.openPipe(context, 'rightDelim', start)];
    let mode: 'commands' | 'operand' | 'afterTerm' = 'commands';
    let term: Term | undefined;
    for (;;) {
      const pipe = stack[stack.length - 1] as PipeFrame;
      if (mode === 'commands') {
        const item = this.nextNonSpace();
        if (item.type === pipe.end) {
          this.checkPipeline(pipe, item);
          stack.pop();
          if (stack.length === 0) {
            const ids = pipe.idents;
            for (let i = 0; i < ids.length; i++) {
              const id = ids[i] as string;
              if (!this.seenIdentifiers.has(id)) {
                this.seenIdentifiers.add(id);
                this.identifiers.add(id.toLowerCase());
              }
            }
            return { end: item.end, value: pipe.only?.path, declared: pipe.declared, context: pipe.context };
          }
          term = { kind: 'pipe', start: pipe.start, end: item.end, text: '', idents: pipe.idents, path: pipe.only?.path };
          mode = 'afterTerm';
          continue;
        }
        if (!TERM_START.has(item.type)) throw this.unexpected(item, pipe.context);
        this.backup();
        pipe.first = undefined;
        pipe.args = 0;
        this.peekNonSpace();
        mode = 'operand';
        continue;
      }
      if (mode === 'operand') {
        this.peekNonSpace();
        const item = this.nextNonSpace();
        if (item.type === 'leftParen') {
          stack.push(this.openPipe('parenthesized pipeline', 'rightParen', item.start));
          mode = 'commands';
          continue;
        }
        term = this.term(item);
        mode = 'afterTerm';
        continue;
      }
      // afterTerm: the rest of Go's operand() and command() loop
      let node = term;
      term = undefined;
      if (node !== undefined && this.peek().type === 'field') {
        const fields: string[] = [];
        let end = node.end;
        while (this.peek().type === 'field') {
          const field = this.next();
          fields.push(field.val.slice(1));
          end = field.end;
        }
        switch (node.kind) {
          case 'field':
          case 'variable':
            node = { ...node, end, idents: [...(node.idents ?? []), ...fields], path: node.path === undefined ? undefined : [...node.path, ...fields] };
            break;
          case 'bool':
          case 'string':
          case 'number':
          case 'nil':
          case 'dot':
            throw this.fail(`unexpected . after term ${goQuote(node.text)}`, { start: node.start, end }, 'fields can only follow data, variables and parenthesised pipelines');
          default:
            node = { kind: 'chain', start: node.start, end, text: '', idents: undefined, path: node.path === undefined ? undefined : [...node.path, ...fields] };
        }
      }
      if (node !== undefined) {
        if (pipe.args === 0) pipe.first = node;
        pipe.args++;
        const ids = node.idents;
        if (ids !== undefined) for (let i = 0; i < ids.length; i++) pipe.idents.push(ids[i] as string);
      }
      const item = this.next();
      if (item.type === 'space') {
        mode = 'operand';
        continue;
      }
      if (item.type === 'rightDelim' || item.type === 'rightParen') this.backup();
      else if (item.type !== 'pipe') throw this.unexpected(item, 'operand');
      if (pipe.first === undefined) throw this.fail('empty command', item);
      pipe.cmds.push(pipe.first);
      pipe.only = pipe.cmds.length === 1 && pipe.args === 1 ? pipe.first : undefined;
      mode = 'commands';
    }
  }

  private openPipe(context: string, end: 'rightDelim' | 'rightParen', start: number): PipeFrame {
    const pipe: PipeFrame = { context, end, start, cmds: [], first: undefined, args: 0, idents: [], decls: 0, declared: [], only: undefined };
    this.declarations(pipe);
    return pipe;
  }

  /** Go's term() for everything but '(' (handled by the caller); undefined when the item is not a term. */
  private term(item: Item): Term | undefined {
    switch (item.type) {
      case 'identifier':
        if (!TEMPLATE_FUNCTION_NAMES.has(item.val)) throw this.fail(`function ${goQuote(item.val)} not defined`, item);
        return makeTerm('identifier', item, undefined);
      case 'dot':
        return makeTerm('dot', item, undefined, this.top().dot);
      case 'nil':
      case 'bool':
        return makeTerm(item.type, item, undefined);
      case 'variable':
        if (!this.tree.vars.has(item.val)) throw this.fail(`undefined variable ${goQuote(item.val)}`, item, 'declare it first with :=');
        return makeTerm('variable', item, [item.val], this.tree.vars.pathOf(item.val));
      case 'field': {
        const dot = this.top().dot;
        return makeTerm('field', item, [item.val.slice(1)], dot === undefined ? undefined : [...dot, item.val.slice(1)]);
      }
      case 'charConstant':
      case 'complex':
      case 'number': {
        const error = item.type === 'charConstant' ? goCharConstantError(item.val) : goNumberError(item.val, item.type === 'complex');
        if (error !== undefined) throw this.fail(error, item);
        return makeTerm('number', item, undefined);
      }
      case 'string':
      case 'rawString':
        if (goUnquote(item.val) === undefined) throw this.fail('invalid syntax', item);
        return makeTerm('string', item, undefined);
      default:
        this.backup();
        return undefined;
    }
  }

  /** Go's declarations at the start of a pipeline: `$x :=`, `$x =`, and `$i, $e :=` in range. */
  private declarations(pipe: PipeFrame): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') return;
      this.next();
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        this.nextNonSpace();
        if (next.type === 'assign' && !this.tree.vars.has(v.val)) {
          this.warn(`undefined variable ${goQuote(v.val)}`, v, `"=" assigns to a variable declared earlier with ":="; Go accepts this when the model is created but fails each time the action runs`);
        }
        pipe.decls++;
        this.tree.vars.push(v.val, next.type === 'declare' ? this.declare(pipe, v) : undefined);
        return;
      }
      if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decls++;
        this.tree.vars.push(v.val, this.declare(pipe, v));
        if (pipe.context === 'range' && pipe.decls < 2) {
          const after = this.peekNonSpace();
          if (after.type === 'variable' || after.type === 'rightDelim' || after.type === 'rightParen') continue;
          throw this.fail('range can only initialize variables', after, 'write {{range $i, $e := …}}');
        }
        throw this.fail(`too many declarations in ${pipe.context}`, v, pipe.context === 'range' ? 'range declares at most two variables' : 'only range declares two variables');
      }
      if (tokenAfterVariable.type === 'space') this.backup3(v, tokenAfterVariable);
      else this.backup2(v);
      return;
    }
  }

  private declare(pipe: PipeFrame, v: Item): TemplateVariable {
    const record: TemplateVariable = { name: v.val, template: this.tree.name, start: v.end, end: this.source.length, path: undefined };
    pipe.declared.push(record);
    this.variables.push(record);
    return record;
  }

  private checkPipeline(pipe: PipeFrame, close: Item): void {
    if (pipe.cmds.length === 0) {
      throw this.fail(`missing value for ${pipe.context}`, { start: pipe.start, end: close.end }, MISSING_VALUE_HINTS[pipe.context]);
    }
    for (let i = 1; i < pipe.cmds.length; i++) {
      const first = pipe.cmds[i] as Term;
      if (NON_EXECUTABLE.has(first.kind)) {
        throw this.fail(`non executable command in pipeline stage ${i + 1}`, first, 'after "|" comes a function, field or variable that takes the value');
      }
    }
  }
}
