// Code actions: the linter's fixes as quick fixes keyed on diagnostic codes (misspelt keyword or parameter,
// deprecated parameter, quoting, invisible characters…), "pull now" for a model missing from the cache (MF028, a
// command the client runs), and the rewrite of a double-quoted multi-line value into """ quotes.
import { CodeActionKind, type CodeAction, type Command, type Range } from 'vscode-languageserver';
import { parseModelfile, type InstructionSyntax, type ParsedModelfile } from '../../core/modelfile';
import type { LintDiagnostic } from '../../core/lint';
import { rangeOf } from '../../core/text';
import { toLspDiagnostic } from './diagnostics';

/** The client-side command that pulls a model (argument: the model name). */
export const PULL_MODEL_COMMAND = 'modelfile.pullModel';

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']): boolean => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function wants(only: readonly string[] | undefined, kind: string): boolean {
  return only === undefined || only.length === 0 || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

export interface CodeActionRequest {
  uri: string;
  range: Range;
  /** The kinds the client asked for (context.only). */
  only?: readonly string[];
}

export function codeActions(parsed: ParsedModelfile, diagnostics: readonly LintDiagnostic[], request: CodeActionRequest): CodeAction[] {
  const actions: CodeAction[] = [];
  if (wants(request.only, CodeActionKind.QuickFix)) {
    for (const item of diagnostics) {
      if (!overlaps(item.range, request.range)) continue;
      const diagnostic = toLspDiagnostic(item);
      for (const fix of item.fixes ?? []) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: fix.preferred === true,
          edit: { changes: { [request.uri]: fix.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
        });
      }
      if (item.code === 'MF028' && item.model) {
        actions.push({
          title: `Pull ${item.model} now`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: true,
          command: pullCommand(item.model),
        });
      }
    }
  }
  if (wants(request.only, CodeActionKind.RefactorRewrite)) {
    for (const instruction of parsed.instructions) {
      if (instruction.range.start.line > request.range.end.line) break;
      if (!overlaps(instruction.range, request.range)) continue;
      const rewrite = tripleQuoteRewrite(parsed, instruction);
      if (rewrite) {
        actions.push({
          title: 'Convert to """ quotes',
          kind: CodeActionKind.RefactorRewrite,
          edit: { changes: { [request.uri]: rewrite } },
        });
      }
    }
  }
  return actions;
}

export function pullCommand(model: string): Command {
  return { title: `Pull ${model}`, command: PULL_MODEL_COMMAND, arguments: [model] };
}

/**
 * Edits that turn `"…"` spanning several lines into `"""…"""`, when the instruction then still yields the same
 * command (checked by parsing it again).
 */
export function tripleQuoteRewrite(parsed: ParsedModelfile, instruction: InstructionSyntax): { range: Range; newText: string }[] | undefined {
  const value = instruction.value;
  if (!value || !instruction.command || value.quote !== 'double' || !value.complete) return undefined;
  if (!/[\r\n]/.test(value.content.text)) return undefined;
  const open = value.content.start - 1;
  const close = value.content.end;
  const { text } = parsed;
  if (text.charCodeAt(open) !== 0x22 || text.charCodeAt(close) !== 0x22) return undefined;
  const rewritten = `${text.slice(instruction.start, open)}"""${value.content.text}"""${text.slice(close + 1, instruction.end)}`;
  const check = parseModelfile(rewritten);
  const command = check.instructions.length === 1 ? check.instructions[0].command : undefined;
  if (!command || command.name !== instruction.command.name || command.args !== instruction.command.args) return undefined;
  return [
    { range: rangeOf(parsed.lineStarts, open, open + 1), newText: '"""' },
    { range: rangeOf(parsed.lineStarts, close, close + 1), newText: '"""' },
  ];
}
