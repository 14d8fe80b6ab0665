// The Modelfile linter: every problem the editor shows and `modelfile lint` prints, as a plain function of the
// parsed document and a small host (file system and model cache look-ups). Each diagnostic carries a stable code,
// an LSP range and, where one is obvious, fixes as text edits.
import { rangeOf, type Range } from '../text';
import type { InstructionSyntax, ParsedModelfile, SyntaxProblemKind } from '../modelfile/syntax';
import { expandModelfilePath, looksLikePath } from '../modelfile/paths';
import { roundTripHazard } from '../modelfile/render';
import { suggestKeyword } from '../modelfile/parser';
import { PARAMETER_CATALOG, similarParameter, typeParameterValue, normalizeRequires } from '../modelfile/parameters';
import { checkTemplate } from '../modelfile/template';
import { parseName, validateName, stripSourceSuffix } from '../names';
import { codeInfo, type Severity } from './codes';
import { applySuppressions } from './suppress';

/** File-system and cache look-ups the linter needs; every member is optional so that lint works without them. */
export interface LintHost {
  /** 'file', 'directory', or undefined when the path does not exist. */
  statPath?(path: string): 'file' | 'directory' | undefined;
  /** The first `length` bytes of a file, or undefined when it cannot be read. */
  readHead?(path: string, length: number): Uint8Array | undefined;
  /** Names of the entries of a directory, or undefined. */
  listDirectory?(path: string): string[] | undefined;
  /** Whether a model (fully qualified name) is in the local cache; undefined when unknown. */
  hasModel?(name: string): boolean | undefined;
}

export interface LintOptions {
  /** The folder relative paths are resolved against; without it, paths are not checked. */
  modelfileDir?: string;
  host?: LintHost;
  /** Per-code severity overrides; 'off' removes the code. */
  severities?: Readonly<Record<string, Severity | 'off'>>;
  home?: string;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  preferred?: boolean;
}

export interface LintDiagnostic {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  fixes?: Fix[];
  tags?: ('unnecessary' | 'deprecated')[];
  /** For MF028: the model a "pull now" action would fetch. */
  model?: string;
}

const syntaxCodes: Record<SyntaxProblemKind, string> = {
  'invalid-command': 'MF001',
  'invalid-role': 'MF002',
  'invalid-name-character': 'MF003',
  'unexpected-eof': 'MF003',
  'unclosed-quote': 'MF004',
  'text-after-quote': 'MF005',
  'no-from': 'MF006',
};

/** Instructions where a later occurrence silently replaces an earlier one. */
const lastWins = new Set(['template', 'system', 'adapter', 'requires', 'renderer', 'parser']);

const GGUF_MAGIC = [0x47, 0x47, 0x55, 0x46];
// Invisible characters that Ollama's printable filter drops: C* controls other than TAB/CR/LF, format characters,
// and separators other than the ASCII space.
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00A0\u00AD\u0600-\u0605\u061C\u06DD\u070F\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F-\u2064\u2066-\u206F\u3000\uFEFF\uFFF9-\uFFFB]/g;

class Collector {
  readonly items: LintDiagnostic[] = [];

  constructor(readonly parsed: ParsedModelfile) {}

  range(start: number, end: number): Range {
    return rangeOf(this.parsed.lineStarts, start, end);
  }

  add(code: string, message: string, range: Range, extra: Partial<LintDiagnostic> = {}): void {
    this.items.push({ code, severity: codeInfo(code).severity, message, range, ...extra });
  }
}

export function lintModelfile(parsed: ParsedModelfile, options: LintOptions = {}): LintDiagnostic[] {
  const out = new Collector(parsed);
  reportSyntax(parsed, out);
  const fromPaths: { path: string; instruction: InstructionSyntax }[] = [];
  const fromNames: InstructionSyntax[] = [];
  for (const instruction of parsed.instructions) {
    if (!instruction.command || !instruction.value || !instruction.name) continue;
    checkValueShape(instruction, out);
    switch (instruction.name) {
      case 'from':
        checkFrom(instruction, options, out, fromPaths, fromNames);
        break;
      case 'adapter':
      case 'draft':
        checkLocalFile(instruction, options, out, fromPaths);
        break;
      case 'template':
        checkTemplateValue(instruction, out);
        break;
      case 'system':
        if (instruction.value.value === '') {
          out.add('MF032', 'An empty SYSTEM does not clear the system prompt inherited from the base model.', instruction.keyword.range);
        }
        break;
      case 'parameter':
        checkParameter(instruction, out);
        break;
      case 'requires': {
        const result = normalizeRequires(instruction.value.value);
        if (!result.ok) out.add('MF033', `${result.error}.`, instruction.value.span.range);
        break;
      }
      default:
        break;
    }
  }
  reportReplacements(parsed, out, fromPaths, fromNames);
  return finish(parsed, out.items, options);
}

function reportSyntax(parsed: ParsedModelfile, out: Collector): void {
  const byLine = new Map<number, InstructionSyntax>();
  for (const instruction of parsed.instructions) byLine.set(instruction.keyword.range.start.line, instruction);
  for (const problem of parsed.problems) {
    const code = syntaxCodes[problem.kind];
    const fixes: Fix[] = [];
    if (problem.kind === 'invalid-command') {
      const instruction = byLine.get(problem.range.start.line);
      const word = instruction?.keyword.text ?? '';
      const suggestion = word ? suggestKeyword(word) : undefined;
      if (instruction && suggestion) {
        fixes.push({ title: `Change to ${suggestion.toUpperCase()}`, edits: [{ range: instruction.keyword.range, newText: suggestion.toUpperCase() }], preferred: true });
      }
    }
    out.add(code, problem.message, problem.range, fixes.length ? { fixes } : {});
  }
}

function checkValueShape(instruction: InstructionSyntax, out: Collector): void {
  const value = instruction.value!;
  const raw = value.span.text;
  INVISIBLE.lastIndex = 0;
  let match: RegExpExecArray | null;
  const invisible: number[] = [];
  while ((match = INVISIBLE.exec(raw)) !== null) invisible.push(match.index);
  if (invisible.length > 0) {
    const first = value.span.start + invisible[0];
    const last = value.span.start + invisible[invisible.length - 1] + 1;
    const cleaned = raw.replace(INVISIBLE, '');
    const names = [...new Set(invisible.map((i) => `U+${raw.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`))];
    out.add('MF041', `Ollama drops the invisible character${invisible.length > 1 ? 's' : ''} ${names.join(', ')} from this value.`, out.range(first, last), {
      fixes: [{ title: 'Remove invisible characters', edits: [{ range: value.span.range, newText: cleaned }], preferred: true }],
    });
  }
  if (value.quote === 'none') {
    const hash = / #/.exec(value.content.text);
    if (hash && instruction.name !== 'template' && instruction.name !== 'system' && instruction.name !== 'message' && instruction.name !== 'license') {
      const start = value.content.start + hash.index + 1;
      out.add('MF042', '`#` after a value is not a comment: Ollama keeps it as part of the value. Put comments on their own line.', out.range(start, value.content.end), {
        fixes: [{ title: 'Remove the trailing text', edits: [{ range: out.range(value.content.start + hash.index, value.content.end), newText: '' }] }],
      });
    }
    const text = value.content.text;
    if (text.length >= 2 && text.startsWith("'") && text.endsWith("'")) {
      out.add('MF043', 'Single quotes are not quotes to Ollama: they stay part of the value.', value.content.range, {
        fixes: [{ title: 'Use double quotes', edits: [{ range: value.content.range, newText: `"${text.slice(1, -1)}"` }], preferred: true }],
      });
    }
  }
  if (instruction.name !== 'from') {
    const hazard = roundTripHazard(value.value);
    if (hazard) out.add('MF040', hazard, value.span.range);
  }
}

function pathHost(options: LintOptions): { dir: string; host: LintHost } | undefined {
  if (options.modelfileDir === undefined || !options.host?.statPath) return undefined;
  return { dir: options.modelfileDir, host: options.host };
}

function expand(arg: string, dir: string, options: LintOptions): string | undefined {
  try {
    return expandModelfilePath(arg, dir, options.home);
  } catch {
    return undefined;
  }
}

function isGguf(host: LintHost, path: string): boolean | undefined {
  const head = host.readHead?.(path, 4);
  if (!head) return undefined;
  return head.length === 4 && GGUF_MAGIC.every((b, i) => head[i] === b);
}

function checkFrom(
  instruction: InstructionSyntax,
  options: LintOptions,
  out: Collector,
  fromPaths: { path: string; instruction: InstructionSyntax }[],
  fromNames: InstructionSyntax[],
): void {
  const value = instruction.value!;
  const arg = value.value;
  const range = value.content.range;
  const fs = pathHost(options);
  if (fs) {
    const path = expand(arg, fs.dir, options);
    const kind = path ? fs.host.statPath!(path) : undefined;
    if (path && kind) {
      fromPaths.push({ path, instruction });
      checkSourceKind(path, kind, fs.host, out, range, 'FROM');
      if (!looksLikePath(arg) && validModelName(arg) !== undefined) {
        const cached = options.host?.hasModel?.(arg);
        if (cached) {
          out.add('MF027', `"${arg}" names a ${kind === 'file' ? 'file' : 'folder'} next to the Modelfile and a cached model: Ollama uses the ${kind === 'file' ? 'file' : 'folder'}. Write ./${arg} to make that explicit.`, range);
        }
      }
      return;
    }
    if (looksLikePath(arg)) {
      out.add('MF021', `File not found: ${arg}. Ollama would read it as a model name and fail; check the path relative to the Modelfile.`, range);
      return;
    }
  } else if (looksLikePath(arg)) {
    fromPaths.push({ path: arg, instruction });
    return;
  }
  let base: string;
  try {
    base = stripSourceSuffix(arg).base;
  } catch (error) {
    out.add('MF020', `${(error as Error).message}.`, range);
    return;
  }
  const check = validateName(parseName(base));
  if (!check.valid) {
    out.add('MF020', `"${arg}" is not a file next to the Modelfile, and not a valid model name: ${check.reason}.`, range);
    return;
  }
  fromNames.push(instruction);
  const cached = options.host?.hasModel?.(base);
  if (cached === false) {
    out.add('MF028', `${base} is not in the local models directory; create will pull it first.`, range, { model: base });
  }
}

/** The model name a FROM argument stands for, when it is a valid one. */
function validModelName(arg: string): string | undefined {
  try {
    const base = stripSourceSuffix(arg).base;
    return validateName(parseName(base)).valid ? base : undefined;
  } catch {
    return undefined;
  }
}

function checkSourceKind(path: string, kind: 'file' | 'directory', host: LintHost, out: Collector, range: Range, what: string): void {
  if (kind === 'file') {
    if (/\.safetensors$/i.test(path)) {
      out.add('MF026', `${what} a safetensors file needs Ollama's converter: \`ollama create\` can build it, \`modelfile create\` cannot.`, range);
      return;
    }
    if (isGguf(host, path) === false) {
      out.add('MF022', `${what} file is not in GGUF format (it does not start with the GGUF magic bytes).`, range);
    }
    return;
  }
  const entries = host.listDirectory?.(path);
  if (!entries) return;
  if (entries.some((e) => /\.(safetensors|pth)$/i.test(e) || /^pytorch_model.*\.bin$/i.test(e))) {
    out.add('MF026', `This folder holds safetensors or PyTorch weights, which need Ollama's converter: \`ollama create\` can build it, \`modelfile create\` cannot.`, range);
  }
}

function checkLocalFile(
  instruction: InstructionSyntax,
  options: LintOptions,
  out: Collector,
  fromPaths: { path: string; instruction: InstructionSyntax }[],
): void {
  const fs = pathHost(options);
  if (!fs) return;
  const value = instruction.value!;
  const keyword = instruction.name!.toUpperCase();
  const path = expand(value.value, fs.dir, options);
  const kind = path ? fs.host.statPath!(path) : undefined;
  if (!path || !kind) {
    out.add('MF021', `${keyword} file not found: ${value.value}. Paths are relative to the Modelfile's folder.`, value.content.range);
    return;
  }
  checkSourceKind(path, kind, fs.host, out, value.content.range, keyword);
  if (instruction.name === 'draft' && fromPaths.some((f) => f.path === path)) {
    out.add('MF023', `DRAFT must not reference the same local path as FROM: ${value.value}`, value.content.range);
  }
  if (instruction.name === 'adapter' && kind === 'directory') {
    const ggufs = (fs.host.listDirectory?.(path) ?? []).filter((e) => /\.gguf$/i.test(e));
    if (ggufs.length > 1) out.add('MF034', `This folder holds ${ggufs.length} GGUF files, but Ollama supports only one adapter.`, value.content.range);
  }
}

function checkTemplateValue(instruction: InstructionSyntax, out: Collector): void {
  const value = instruction.value!;
  if (value.value === '') {
    out.add('MF032', 'An empty TEMPLATE does not clear the template inherited from the base model.', instruction.keyword.range);
    return;
  }
  const problems = checkTemplate(value.value);
  if (problems.length === 0) return;
  const toSource = templateOffsetMap(value.content.text, value.value);
  for (const problem of problems) {
    const start = value.content.start + toSource(problem.start);
    const end = value.content.start + toSource(Math.max(problem.end, problem.start));
    if (problem.severity === 'warning') out.add('MF035', `${problem.message}: Ollama accepts the template, but this action fails every time the model runs.`, out.range(start, Math.max(end, start)));
    else out.add('MF030', `template error: ${problem.message}`, out.range(start, Math.max(end, start)));
  }
}

/**
 * Maps offsets in the stored value (printable characters only) back to offsets in the raw source between the
 * quotes. When nothing was filtered the two are the same text and the map is the identity.
 */
function templateOffsetMap(raw: string, stored: string): (offset: number) => number {
  const lead = raw.indexOf(stored);
  if (lead >= 0) return (offset) => lead + offset;
  const map: number[] = [];
  let i = 0;
  for (let r = 0; r < raw.length && i < stored.length; r++) {
    if (raw[r] === stored[i]) {
      map.push(r);
      i++;
    }
  }
  map.push(raw.length);
  return (offset) => map[Math.min(offset, map.length - 1)];
}

function checkParameter(instruction: InstructionSyntax, out: Collector): void {
  const name = instruction.parameter!.text;
  const value = instruction.value!;
  const nameRange = instruction.parameter!.text === '' ? instruction.keyword.range : instruction.parameter!.range;
  const typed = typeParameterValue(name, value.value);
  if (!typed.ok) {
    if (!PARAMETER_CATALOG.has(name)) {
      if (name === '') {
        out.add('MF010', `unknown parameter '': PARAMETER is followed by more than one blank, so Ollama reads an empty name. Use a single space.`, nameRange, {
          fixes: [{ title: 'Remove the extra blanks', edits: [{ range: out.range(instruction.keyword.end, value.span.start + (value.span.text.length - value.span.text.trimStart().length)), newText: ' ' }], preferred: true }],
        });
        return;
      }
      const suggestion = similarParameter(name);
      out.add('MF010', `${typed.error}${suggestion ? `: did you mean '${suggestion}'?` : ''}`, nameRange, suggestion
        ? { fixes: [{ title: `Change to ${suggestion}`, edits: [{ range: nameRange, newText: suggestion }], preferred: true }] }
        : {});
      return;
    }
    const entry = PARAMETER_CATALOG.get(name)!;
    out.add('MF011', `${typed.error}: ${name} expects ${describeType(entry.type)}.`, value.content.range);
    return;
  }
  if (typed.deprecated) {
    out.add('MF012', `Parameter ${name} is deprecated: Ollama ignores it. Remove the line.`, nameRange, {
      tags: ['deprecated'],
      fixes: [{ title: `Remove PARAMETER ${name}`, edits: [{ range: out.range(instruction.start, lineEndAfter(out, instruction)), newText: '' }], preferred: true }],
    });
    return;
  }
  if (typeof typed.value === 'number' && !Number.isFinite(typed.value)) {
    out.add('MF013', `${name} ${value.value} parses, but Ollama cannot store Inf or NaN in the parameters JSON; create fails.`, value.content.range);
  }
}

function describeType(type: string): string {
  switch (type) {
    case 'int':
      return 'a whole number in base 10 (for example 4096)';
    case 'float':
      return 'a number (for example 0.7)';
    case 'bool':
      return 'true or false';
    default:
      return 'text';
  }
}

/** Offset just past the newline that ends an instruction, so that deleting start..end removes the whole line. */
function lineEndAfter(out: Collector, instruction: InstructionSyntax): number {
  const { line } = instruction.range.end;
  const starts = out.parsed.lineStarts;
  return line + 1 < starts.length ? starts[line + 1] : instruction.end;
}

function reportReplacements(
  parsed: ParsedModelfile,
  out: Collector,
  fromPaths: { path: string; instruction: InstructionSyntax }[],
  fromNames: InstructionSyntax[],
): void {
  const lastByKeyword = new Map<string, InstructionSyntax>();
  const lastScalarParameter = new Map<string, InstructionSyntax>();
  for (const instruction of parsed.instructions) {
    if (!instruction.command || !instruction.name) continue;
    if (lastWins.has(instruction.name)) lastByKeyword.set(instruction.name, instruction);
    if (instruction.name === 'parameter') {
      const name = instruction.parameter!.text;
      const entry = PARAMETER_CATALOG.get(name);
      if (entry && entry.type !== 'string-list') lastScalarParameter.set(name, instruction);
    }
  }
  for (const instruction of parsed.instructions) {
    if (!instruction.command || !instruction.name) continue;
    const last = lastByKeyword.get(instruction.name);
    if (last && last !== instruction && lastWins.has(instruction.name)) {
      const keyword = instruction.name.toUpperCase();
      out.add('MF031', `This ${keyword} is replaced by the ${keyword} on line ${last.range.start.line + 1}: only the last one is used.`, instruction.keyword.range, {
        tags: ['unnecessary'],
        fixes: [{ title: `Remove this ${keyword}`, edits: [{ range: out.range(instruction.start, lineEndAfter(out, instruction)), newText: '' }] }],
      });
    }
    if (instruction.name === 'parameter') {
      const name = instruction.parameter!.text;
      const lastParam = lastScalarParameter.get(name);
      if (lastParam && lastParam !== instruction) {
        out.add('MF014', `${name} is set again on line ${lastParam.range.start.line + 1}: only the last value is used.`, instruction.parameter!.range, { tags: ['unnecessary'] });
      }
    }
  }
  if (fromNames.length > 1) {
    const last = fromNames[fromNames.length - 1];
    for (const instruction of fromNames.slice(0, -1)) {
      out.add('MF025', `This FROM is replaced by the FROM on line ${last.range.start.line + 1}: only the last model name is used.`, instruction.value!.content.range, { tags: ['unnecessary'] });
    }
  }
  if (fromNames.length > 0) {
    for (const { instruction } of fromPaths) {
      out.add('MF024', `Ollama ignores this file because FROM on line ${fromNames[fromNames.length - 1].range.start.line + 1} names a model.`, instruction.value!.content.range, { tags: ['unnecessary'] });
    }
  }
}

function finish(parsed: ParsedModelfile, items: LintDiagnostic[], options: LintOptions): LintDiagnostic[] {
  const kept = applySuppressions(parsed, items);
  const result: LintDiagnostic[] = [];
  for (const item of kept) {
    const override = options.severities?.[item.code];
    if (override === 'off') continue;
    result.push(override ? { ...item, severity: override } : item);
  }
  result.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code));
  return result;
}
