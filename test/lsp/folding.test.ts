// Protocol tests of folding: multi-line values, runs of comment lines, and if/range blocks inside a TEMPLATE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSession } from './helpers';

test('folding ranges for multi-line values, comment blocks and template blocks', async () => {
  const session = await startSession();
  try {
    const text = [
      '# A Modelfile',
      '# with a comment block',
      'FROM llama3.2',
      'TEMPLATE """',
      '{{- range .Messages }}',
      '{{ .Role }}: {{ .Content }}',
      '{{ end }}',
      '"""',
      '# single comment',
      'SYSTEM one line',
      'LICENSE """MIT',
      'text"""',
      '',
    ].join('\n');
    await session.openAndWait(text);
    const ranges = await session.driver.request<{ startLine: number; endLine: number; kind?: string }[]>('textDocument/foldingRange', {
      textDocument: { uri: session.uri() },
    });
    const rows = ranges.map((r) => `${r.startLine}-${r.endLine}${r.kind ? `:${r.kind}` : ''}`);
    assert.deepEqual(rows, ['0-1:comment', '3-7', '4-5', '10-11']);
  } finally {
    await session.close();
  }
});
