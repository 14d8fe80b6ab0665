// Folding: multi-line values (TEMPLATE, SYSTEM, LICENSE, MESSAGE in quotes), runs of comment lines, and the
// if/range/with/define/block structure inside a TEMPLATE.
import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import { analyzeTemplate } from '../../core/modelfile/template';
import type { ParsedModelfile } from '../../core/modelfile';
import { positionAt } from '../../core/text';

export function foldingRanges(parsed: ParsedModelfile): FoldingRange[] {
  const ranges: FoldingRange[] = [];
  for (const instruction of parsed.instructions) {
    const { start, end } = instruction.range;
    if (end.line > start.line) ranges.push({ startLine: start.line, endLine: end.line });
    const value = instruction.value;
    if (instruction.name === 'template' && value && end.line > start.line && value.content.text.includes('{{')) {
      for (const block of analyzeTemplate(value.content.text).blocks) {
        const first = positionAt(parsed.lineStarts, value.content.start + block.start).line;
        const closer = positionAt(parsed.lineStarts, value.content.start + block.end);
        // Keep the line of {{ end }} visible when the action starts that line.
        const lineStart = parsed.lineStarts[closer.line];
        const beforeCloser = parsed.text.slice(lineStart, value.content.start + block.end).replace(/\{\{-?\s*end\s*-?\}\}$/, '');
        const last = /^[ \t]*$/.test(beforeCloser) ? closer.line - 1 : closer.line;
        if (last > first) ranges.push({ startLine: first, endLine: last });
      }
    }
  }
  let runStart = -1;
  let runEnd = -1;
  const flush = (): void => {
    if (runStart >= 0 && runEnd > runStart) ranges.push({ startLine: runStart, endLine: runEnd, kind: FoldingRangeKind.Comment });
  };
  for (const comment of parsed.comments) {
    const line = comment.span.range.start.line;
    if (line === runEnd + 1 && runStart >= 0) {
      runEnd = line;
    } else {
      flush();
      runStart = line;
      runEnd = line;
    }
  }
  flush();
  ranges.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine);
  return ranges;
}
