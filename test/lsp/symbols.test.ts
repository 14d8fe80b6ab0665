// Protocol tests of the outline: one symbol per instruction with readable names and value previews, TEMPLATE
// definitions as children, and flat SymbolInformation for clients without hierarchical support.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClientCapabilities } from './driver';
import { startSession } from './helpers';

interface Symbol {
  name: string;
  kind: number;
  detail?: string;
  range: { start: { line: number }; end: { line: number } };
  selectionRange?: { start: { line: number; character: number } };
  children?: Symbol[];
  location?: { uri: string };
}

const text = [
  'FROM llama3.2',
  'PARAMETER temperature 0.7',
  'TEMPLATE """{{ define "sys" }}S{{ end }}',
  '{{ template "sys" . }}"""',
  'SYSTEM """You are Mario.',
  'Be nice."""',
  'MESSAGE user Hello there',
  'BOGUS line',
  '',
].join('\n');

test('document symbols: one per instruction, with details and template definitions', async () => {
  const session = await startSession();
  try {
    await session.openAndWait(text);
    const symbols = await session.driver.request<Symbol[]>('textDocument/documentSymbol', { textDocument: { uri: session.uri() } });
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['FROM llama3.2', 'PARAMETER temperature', 'TEMPLATE', 'SYSTEM', 'MESSAGE user'],
    );
    const parameter = symbols[1];
    assert.equal(parameter.detail, '0.7');
    assert.deepEqual(parameter.selectionRange!.start, { line: 1, character: 10 });
    const template = symbols[2];
    assert.deepEqual([template.range.start.line, template.range.end.line], [2, 3]);
    assert.deepEqual(template.children!.map((c) => c.name), ['define sys']);
    assert.equal(symbols[3].detail, 'You are Mario. …');
    assert.equal(symbols[4].detail, 'Hello there');
  } finally {
    await session.close();
  }
});

test('flat symbols for clients without hierarchical support', async () => {
  const capabilities = defaultClientCapabilities() as { textDocument: { documentSymbol: { hierarchicalDocumentSymbolSupport: boolean } } };
  capabilities.textDocument.documentSymbol.hierarchicalDocumentSymbolSupport = false;
  const session = await startSession({ capabilities });
  try {
    await session.openAndWait(text);
    const symbols = await session.driver.request<Symbol[]>('textDocument/documentSymbol', { textDocument: { uri: session.uri() } });
    assert.equal(symbols.length, 5);
    assert.equal(symbols[0].location!.uri, session.uri());
  } finally {
    await session.close();
  }
});
