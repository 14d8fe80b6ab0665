// What a position inside a TEMPLATE means: which template value it is in, whether it is inside a {{ … }} action,
// and what dot and the $variables stand for there (range/with over .Messages, .Tools, … change dot), so completion
// and hover can offer and explain the right fields.
import type { TemplateScan, TemplateToken } from '../../core/modelfile/template';
import { TEMPLATE_DATA, templateField, type TemplateField } from '../../core/modelfile/template-catalog';
import type { InstructionSyntax, ParsedModelfile } from '../../core/modelfile';
import { instructionAt } from './locate';

export interface TemplateLocation {
  instruction: InstructionSyntax;
  /** The template source as written (between the quotes; for an unclosed value, up to the end of the document). */
  source: string;
  /** Document offset of source[0]. */
  base: number;
  /** `offset - base`. */
  local: number;
}

/**
 * The TEMPLATE value that `offset` is in. While a `"""` value is still being typed (not closed yet), Ollama's
 * reading continues to the end of the file, so the lines after it count as template text too.
 */
export function templateAt(parsed: ParsedModelfile, offset: number): TemplateLocation | undefined {
  const here = instructionAt(parsed, offset);
  if (here?.name === 'template' && here.value && here.value.content.start <= offset && offset <= here.value.content.end) {
    return { instruction: here, source: here.value.content.text, base: here.value.content.start, local: offset - here.value.content.start };
  }
  if (here?.name !== undefined) return undefined;
  for (let i = parsed.instructions.length - 1; i >= 0; i--) {
    const instruction = parsed.instructions[i];
    if (instruction.start > offset) continue;
    if (instruction.name === 'template' && instruction.value && !instruction.value.complete && instruction.value.quote !== 'none') {
      const base = instruction.value.content.start;
      if (offset < base) return undefined;
      return { instruction, source: parsed.text.slice(base), base, local: offset - base };
    }
    if (instruction.name !== undefined) return undefined;
  }
  return undefined;
}

/** A data path from the top level: [] is the top level, ['Messages'] an element of .Messages, and so on. */
export type DataPath = readonly string[];

interface Frame {
  dot: DataPath | undefined;
  vars: Map<string, DataPath | undefined>;
}

export interface ActionScope {
  dot: DataPath | undefined;
  vars: ReadonlyMap<string, DataPath | undefined>;
  /** The action `local` is in (start offset), if any. */
  actionStart?: number;
  actionEnd?: number;
  inComment: boolean;
}

/** The fields a path's value has (for slices and maps: those of an element). */
export function fieldsOf(path: DataPath | undefined): readonly TemplateField[] {
  if (path === undefined || path.length === 0) return TEMPLATE_DATA;
  return templateField(path)?.fields ?? [];
}

/** Consecutive variable/dot/field tokens starting at index `i` (no gaps between them). */
function chainAt(tokens: readonly TemplateToken[], i: number): TemplateToken[] {
  const chain: TemplateToken[] = [];
  let at = i;
  while (at < tokens.length) {
    const t = tokens[at];
    if (t.kind !== 'field' && t.kind !== 'variable' && t.kind !== 'dot') break;
    if (chain.length > 0 && (t.start !== chain[chain.length - 1].end || t.kind !== 'field')) break;
    chain.push(t);
    at++;
  }
  return chain;
}

/** Field names of a `.A.B` or `$x.A.B` text, without the dots. */
function fieldNames(text: string): string[] {
  return text.split('.').slice(1).filter((s) => s !== '');
}

/** Resolves a chain of tokens to a data path, given the scope's dot and variables. */
export function resolveChain(chain: readonly TemplateToken[], dot: DataPath | undefined, vars: ReadonlyMap<string, DataPath | undefined>): DataPath | undefined {
  if (chain.length === 0) return undefined;
  let path: DataPath | undefined;
  let rest = chain;
  const first = chain[0];
  if (first.kind === 'variable') {
    const name = first.text;
    path = name === '$' ? [] : vars.has(name) ? vars.get(name) : undefined;
    rest = chain.slice(1);
  } else if (first.kind === 'dot') {
    path = dot;
    rest = chain.slice(1);
  } else {
    path = dot;
  }
  if (path === undefined) return undefined;
  const names = rest.flatMap((t) => fieldNames(t.text));
  return [...path, ...names];
}

/** Scope at `local`: walks the actions before it, following range/with/if/define/block … end. */
export function scopeAt(scan: TemplateScan, local: number): ActionScope {
  const stack: Frame[] = [{ dot: [], vars: new Map([['$', []]]) }];
  const tokens = scan.tokens;
  let inside: { start: number; end: number } | undefined;
  let inComment = false;
  let t = 0;
  const actions = scan.actions;
  for (let a = 0; a < actions.length; a++) {
    const action = actions[a];
    if (action.start >= local) break;
    const last = a + 1 >= actions.length || actions[a + 1].start >= local;
    // Inside a closed action before its `}}`; inside an unclosed one when nothing starts after it.
    const within = action.complete ? local < action.end : last || local <= action.end;
    if (within) {
      inside = { start: action.start, end: action.end };
      inComment = action.comment;
      break;
    }
    if (action.comment) continue;
    while (t < tokens.length && tokens[t].start < action.start) t++;
    const own: TemplateToken[] = [];
    for (let k = t; k < tokens.length && tokens[k].end <= action.end; k++) {
      const kind = tokens[k].kind;
      if (kind !== 'leftDelim' && kind !== 'rightDelim' && kind !== 'trimMarker') own.push(tokens[k]);
    }
    const frame = stack[stack.length - 1];
    const pipelineDot = (): { path: DataPath | undefined; declared: TemplateToken[] } => {
      const declared: TemplateToken[] = [];
      let k = 1;
      while (k < own.length && (own[k].kind === 'variable' || (own[k].kind === 'punctuation' && own[k].text === ','))) {
        if (own[k].kind === 'variable') declared.push(own[k]);
        k++;
      }
      if (k < own.length && (own[k].kind === 'declare' || own[k].kind === 'assign')) k++;
      else {
        declared.length = 0;
        k = 1;
      }
      const chain = chainAt(own, k);
      return { path: resolveChain(chain, frame.dot, frame.vars), declared };
    };
    switch (action.keyword) {
      case 'range':
      case 'with': {
        const { path, declared } = pipelineDot();
        const vars = new Map(frame.vars);
        if (action.keyword === 'range' && declared.length === 2) {
          vars.set(declared[0].text, undefined);
          vars.set(declared[1].text, path);
        } else if (declared.length === 1) {
          vars.set(declared[0].text, path);
        }
        stack.push({ dot: path, vars });
        break;
      }
      case 'if':
        stack.push({ dot: frame.dot, vars: new Map(frame.vars) });
        break;
      case 'define':
      case 'block':
        stack.push({ dot: undefined, vars: new Map([['$', undefined]]) });
        break;
      case 'end':
        if (stack.length > 1) stack.pop();
        break;
      default: {
        // `{{ $x := .Messages }}` declares a variable in the current scope.
        if (own.length >= 3 && own[0].kind === 'variable' && (own[1].kind === 'declare' || own[1].kind === 'assign')) {
          frame.vars.set(own[0].text, resolveChain(chainAt(own, 2), frame.dot, frame.vars));
        }
      }
    }
  }
  const top = stack[stack.length - 1];
  return { dot: top.dot, vars: top.vars, actionStart: inside?.start, actionEnd: inside?.end, inComment };
}

/** The token that contains `local` (its end included), preferring a token that starts there. */
export function tokenAt(scan: TemplateScan, local: number): { token: TemplateToken; index: number } | undefined {
  const tokens = scan.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.start > local) break;
    if (local < token.end || (local === token.end && (i + 1 >= tokens.length || tokens[i + 1].start > local))) {
      if (token.kind === 'text') return undefined;
      return { token, index: i };
    }
  }
  return undefined;
}

/** The chain (variable/dot/fields) that the token at `index` ends, from its start. */
export function chainEndingAt(tokens: readonly TemplateToken[], index: number): TemplateToken[] {
  let start = index;
  while (start > 0) {
    const prev = tokens[start - 1];
    const cur = tokens[start];
    if (cur.kind !== 'field' || prev.end !== cur.start) break;
    if (prev.kind !== 'field' && prev.kind !== 'variable' && prev.kind !== 'dot') break;
    start--;
  }
  return tokens.slice(start, index + 1);
}
