// Inline suppression: a comment line `# modelfile-ignore MF010 MF012` silences those codes on the next
// instruction (no codes: every code); `# modelfile-ignore-file MF0xx` silences them in the whole file.
// (A `#` after a value is part of the value in Ollama, so suppression comments always stand on their own line.)
import type { ParsedModelfile } from '../modelfile/syntax';
import type { LintDiagnostic } from './lint';
import { codeInfo } from './codes';

interface Directive {
  codes: Set<string> | 'all';
  /** Offsets of the instruction the directive applies to; undefined for file-wide directives. */
  target?: { start: number; end: number; line: number };
  range: LintDiagnostic['range'];
  used: Set<string>;
}

const directivePattern = /^#\s*modelfile-ignore(-file)?\b(.*)$/;

function parseDirectives(parsed: ParsedModelfile): Directive[] {
  const directives: Directive[] = [];
  let next = 0;
  for (const comment of parsed.comments) {
    const match = directivePattern.exec(comment.span.text.trimEnd());
    if (!match) continue;
    const codes = match[2].split(/[\s,]+/).filter((c) => /^MF\d{3}$/i.test(c)).map((c) => c.toUpperCase());
    const directive: Directive = { codes: codes.length ? new Set(codes) : 'all', range: comment.span.range, used: new Set() };
    if (!match[1]) {
      while (next < parsed.instructions.length && parsed.instructions[next].start < comment.span.end) next++;
      const instruction = parsed.instructions[next];
      if (instruction) directive.target = { start: instruction.start, end: instruction.end, line: instruction.range.start.line };
      else continue;
    }
    directives.push(directive);
  }
  return directives;
}

/** Removes suppressed diagnostics and reports directives that name a code that did not occur (MF044). */
export function applySuppressions(parsed: ParsedModelfile, items: LintDiagnostic[]): LintDiagnostic[] {
  const directives = parseDirectives(parsed);
  if (directives.length === 0) return items;
  const offsetOf = (position: LintDiagnostic['range']['start']): number => parsed.lineStarts[position.line] + position.character;
  const kept = items.filter((item) => {
    const offset = offsetOf(item.range.start);
    for (const directive of directives) {
      const applies = directive.target ? offset >= directive.target.start && offset <= directive.target.end : true;
      if (!applies) continue;
      if (directive.codes === 'all' || directive.codes.has(item.code)) {
        directive.used.add(item.code);
        return false;
      }
    }
    return true;
  });
  for (const directive of directives) {
    if (directive.codes === 'all') continue;
    for (const code of directive.codes) {
      if (directive.used.has(code)) continue;
      const known = (() => {
        try {
          codeInfo(code);
          return true;
        } catch {
          return false;
        }
      })();
      kept.push({
        code: 'MF044',
        severity: codeInfo('MF044').severity,
        message: known ? `${code} is not reported ${directive.target ? 'on the next instruction' : 'in this file'}; remove it from the ignore comment.` : `${code} is not a Modelfile Studio diagnostic code.`,
        range: directive.range,
        tags: ['unnecessary'],
      });
    }
  }
  return kept;
}
