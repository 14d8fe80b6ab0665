// Protocol tests of hover: keywords and parameters (docs, type, default), FROM on a cached model (size, family,
// parameter size, quantization, context length, ID, modified), on a local GGUF file (its metadata) and on a model
// that is not cached, template fields and functions; markdown or plain text as the client asks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClientCapabilities } from './driver';
import { ggufBytes, startSession, type Session } from './helpers';

interface HoverResult {
  contents: { kind: string; value: string };
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
}

async function hoverAt(session: Session, name: string, line: number, character: number): Promise<HoverResult | null> {
  return session.driver.request<HoverResult | null>('textDocument/hover', { textDocument: { uri: session.uri(name) }, position: { line, character } });
}

test('hover on keywords, parameters and roles', async () => {
  const session = await startSession({ models: [{ model: 'llama3.2' }] });
  try {
    await session.openAndWait('FROM llama3.2\nPARAMETER num_ctx 8192\nMESSAGE user hi\n');
    const keyword = await hoverAt(session, 'Modelfile', 0, 2);
    assert.equal(keyword!.contents.kind, 'markdown');
    assert.match(keyword!.contents.value, /base model/);
    assert.deepEqual(keyword!.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } });
    const parameter = await hoverAt(session, 'Modelfile', 1, 12);
    assert.match(parameter!.contents.value, /Context window/);
    assert.match(parameter!.contents.value, /integer/);
    assert.match(parameter!.contents.value, /0 \(automatic\)/);
    const role = await hoverAt(session, 'Modelfile', 2, 9);
    assert.match(role!.contents.value, /from the user/);
  } finally {
    await session.close();
  }
});

test('hover on FROM: cached model details, a model to pull, a local GGUF file', async () => {
  const session = await startSession({ models: [{ model: 'llama3.2' }], files: { 'tiny.gguf': ggufBytes('qwen2') } });
  try {
    await session.openAndWait('FROM llama3.2\n');
    const cached = await hoverAt(session, 'Modelfile', 0, 8);
    const text = cached!.contents.value;
    for (const expected of [/llama3\.2:latest/, /Size/, /Family:\* llama/, /Parameter size:\* 1\.2B/, /Quantization:\* Q4\\_K\\_M/, /Context length:\* 4096/, /ID:\* [0-9a-f]{12}/, /Modified/, /ollama\.com\/library\/llama3\.2/]) {
      assert.match(text, expected);
    }
    await session.openAndWait('FROM mistral\n', 'b.modelfile');
    assert.match((await hoverAt(session, 'b.modelfile', 0, 7))!.contents.value, /pulls it/);
    await session.openAndWait('FROM ./tiny.gguf\n', 'c.modelfile');
    const gguf = (await hoverAt(session, 'c.modelfile', 0, 8))!.contents.value;
    assert.match(gguf, /GGUF v3/);
    assert.match(gguf, /Architecture:\* qwen2/);
    assert.match(gguf, /Tiny Test Model/);
  } finally {
    await session.close();
  }
});

test('hover inside TEMPLATE: fields (with dot from range), functions and keywords', async () => {
  const session = await startSession();
  try {
    await session.openAndWait('FROM x\nTEMPLATE """{{ range .Messages }}{{ .Content }}{{ json .Role }}{{ end }}"""\n');
    const messages = await hoverAt(session, 'Modelfile', 1, 24);
    assert.match(messages!.contents.value, /conversation/);
    const content = await hoverAt(session, 'Modelfile', 1, 38);
    assert.match(content!.contents.value, /Messages\.Content/);
    assert.deepEqual(content!.range, { start: { line: 1, character: 36 }, end: { line: 1, character: 44 } });
    const json = await hoverAt(session, 'Modelfile', 1, 51);
    assert.match(json!.contents.value, /JSON/);
    const range = await hoverAt(session, 'Modelfile', 1, 16);
    assert.match(range!.contents.value, /Repeats the body/);
  } finally {
    await session.close();
  }
});

test('plain-text hover for clients without markdown', async () => {
  const capabilities = defaultClientCapabilities() as { textDocument: { hover: { contentFormat: string[] } } };
  capabilities.textDocument.hover.contentFormat = ['plaintext'];
  const session = await startSession({ capabilities });
  try {
    await session.openAndWait('FROM x\nPARAMETER temperature 1\n');
    const result = await hoverAt(session, 'Modelfile', 1, 12);
    assert.equal(result!.contents.kind, 'plaintext');
    assert.match(result!.contents.value, /^PARAMETER temperature\n/);
    assert.doesNotMatch(result!.contents.value, /\*\*/);
  } finally {
    await session.close();
  }
});
