// Protocol tests of semantic tokens: the legend, keywords, parameter names (deprecated marked), roles, numbers,
// strings and comments, Go template tokens inside TEMPLATE, one line per token, and range requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSemanticTokens } from './driver';
import { startSession } from './helpers';

test('semantic tokens for instructions, values, comments and template tokens', async () => {
  const session = await startSession();
  try {
    const legend = session.init.capabilities.semanticTokensProvider!.legend;
    const text = [
      '# comment',
      'FROM llama3.2',
      'PARAMETER temperature 0.7',
      'PARAMETER mirostat 1',
      'MESSAGE user "hi',
      'there"',
      'TEMPLATE """{{ if .System }}{{ json .System }}{{ end }}"""',
      '',
    ].join('\n');
    await session.openAndWait(text);
    const result = await session.driver.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: session.uri() } });
    const rows = decodeSemanticTokens(result.data, legend);
    const lines = text.split('\n');
    const show = rows.map((r) => `${r.line}:${lines[r.line].slice(r.character, r.character + r.length)}:${r.type}${r.modifiers.length ? `+${r.modifiers.join('+')}` : ''}`);
    for (const expected of [
      '0:# comment:comment',
      '1:FROM:keyword',
      '1:llama3.2:string',
      '2:temperature:property',
      '2:0.7:number',
      '3:mirostat:property+deprecated',
      '4:user:enumMember',
      '4:"hi:string',
      '5:there":string',
      '6:""":string',
      '6:{{:operator',
      '6:if:keyword',
      '6:.System:property',
      '6:json:function+defaultLibrary',
      '6:end:keyword',
    ]) {
      assert.ok(show.includes(expected), `${expected} not in ${show.join(' | ')}`);
    }
    // Sorted, and no token crosses a line.
    for (let i = 1; i < rows.length; i++) {
      assert.ok(rows[i].line > rows[i - 1].line || rows[i].character >= rows[i - 1].character + rows[i - 1].length);
    }
    for (const row of rows) assert.ok(row.character + row.length <= lines[row.line].length);
    const ranged = await session.driver.request<{ data: number[] }>('textDocument/semanticTokens/range', {
      textDocument: { uri: session.uri() },
      range: { start: { line: 2, character: 0 }, end: { line: 3, character: 0 } },
    });
    const lineSet = new Set(decodeSemanticTokens(ranged.data, legend).map((r) => r.line));
    assert.deepEqual([...lineSet], [2, 3]);
  } finally {
    await session.close();
  }
});
