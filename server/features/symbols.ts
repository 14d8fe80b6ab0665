// The outline: one symbol per instruction (FROM, each PARAMETER, TEMPLATE with its {{define}}s, MESSAGE…), named
// the way people scan a Modelfile, with a short preview of the value as detail.
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { analyzeTemplate } from '../../core/modelfile/template';
import type { InstructionSyntax, KeywordName, ParsedModelfile } from '../../core/modelfile';
import { rangeOf } from '../../core/text';

const KINDS: Readonly<Record<KeywordName, SymbolKind>> = {
  from: SymbolKind.Module,
  parameter: SymbolKind.Property,
  template: SymbolKind.Object,
  system: SymbolKind.String,
  adapter: SymbolKind.File,
  draft: SymbolKind.File,
  license: SymbolKind.Key,
  message: SymbolKind.Event,
  requires: SymbolKind.Constant,
  renderer: SymbolKind.Interface,
  parser: SymbolKind.Interface,
};

/** The first line of a value, shortened for an outline. */
function preview(text: string, max = 60): string {
  const line = text.replace(/^\s+/, '').split(/\r\n|\r|\n/, 1)[0];
  const more = line.length < text.trim().length;
  if (line.length > max) return `${line.slice(0, max - 1)}…`;
  return more ? `${line} …` : line;
}

function symbolName(instruction: InstructionSyntax): string {
  const keyword = (instruction.name ?? instruction.keyword.text).toUpperCase();
  if (instruction.parameter) return `${keyword} ${instruction.parameter.text || "''"}`;
  if (instruction.role) return `${keyword} ${instruction.role.text}`;
  if (instruction.name === 'from' && instruction.value) return `${keyword} ${preview(instruction.value.value || instruction.value.content.text)}`;
  return keyword;
}

export function documentSymbols(parsed: ParsedModelfile): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  for (const instruction of parsed.instructions) {
    if (!instruction.name) continue;
    const selection = instruction.parameter && instruction.parameter.text !== '' ? instruction.parameter.range : instruction.keyword.range;
    const symbol: DocumentSymbol = {
      name: symbolName(instruction),
      kind: KINDS[instruction.name],
      range: instruction.range,
      selectionRange: selection,
    };
    const value = instruction.value;
    if (value && instruction.name !== 'from') {
      const detail = preview(value.complete ? value.value : value.content.text);
      if (detail !== '') symbol.detail = detail;
    }
    if (instruction.name === 'template' && value && value.content.text.includes('define')) {
      const children: DocumentSymbol[] = [];
      for (const definition of analyzeTemplate(value.content.text).definitions) {
        const range = rangeOf(parsed.lineStarts, value.content.start + definition.start, value.content.start + definition.end);
        children.push({ name: `define ${definition.name}`, kind: SymbolKind.Function, range, selectionRange: range });
      }
      if (children.length > 0) symbol.children = children;
    }
    symbols.push(symbol);
  }
  return symbols;
}
