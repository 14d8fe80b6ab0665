// Protocol tests of document links and go-to-definition: local FROM/ADAPTER/DRAFT paths open the file, library
// and user models link to their ollama.com pages, other hosts and missing paths get no link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileUri, ggufBytes, startSession } from './helpers';

interface Link {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  target?: string;
}

test('links: local paths to files, models to ollama.com', async () => {
  const session = await startSession({ files: { 'model.gguf': ggufBytes(), 'lora/adapter.gguf': ggufBytes(), weights: '' } });
  try {
    const text = [
      'FROM ./model.gguf',
      'FROM llama3.2:1b',
      'FROM someone/tuned',
      'FROM example.com/ns/private',
      'ADAPTER lora/adapter.gguf',
      'DRAFT ./missing.gguf',
      'FROM ./lora',
      '',
    ].join('\n');
    await session.openAndWait(text);
    const links = await session.driver.request<Link[]>('textDocument/documentLink', { textDocument: { uri: session.uri() } });
    const byLine = new Map(links.map((l) => [l.range.start.line, l]));
    assert.equal(byLine.get(0)!.target, fileUri(join(session.dir, 'model.gguf')));
    assert.deepEqual(byLine.get(0)!.range, { start: { line: 0, character: 5 }, end: { line: 0, character: 17 } });
    assert.equal(byLine.get(1)!.target, 'https://ollama.com/library/llama3.2');
    assert.equal(byLine.get(2)!.target, 'https://ollama.com/someone/tuned');
    assert.equal(byLine.has(3), false, 'other registries have no page');
    assert.equal(byLine.get(4)!.target, fileUri(join(session.dir, 'lora', 'adapter.gguf')));
    assert.equal(byLine.has(5), false, 'missing files have no link');
    assert.equal(byLine.get(6)!.target, fileUri(join(session.dir, 'lora')));
  } finally {
    await session.close();
  }
});

test('definition on a FROM/ADAPTER path opens the file; nothing on model names', async () => {
  const session = await startSession({ files: { 'model.gguf': ggufBytes() } });
  try {
    await session.openAndWait('FROM model.gguf\nFROM llama3.2\n');
    const location = await session.driver.request<{ uri: string; range: unknown } | null>('textDocument/definition', {
      textDocument: { uri: session.uri() },
      position: { line: 0, character: 8 },
    });
    assert.equal(location!.uri, fileUri(join(session.dir, 'model.gguf')));
    const none = await session.driver.request('textDocument/definition', { textDocument: { uri: session.uri() }, position: { line: 1, character: 8 } });
    assert.equal(none, null);
  } finally {
    await session.close();
  }
});
