// Protocol tests of completion: keywords at the start of an instruction (snippets only for clients that take
// them), parameter names with type and default, boolean values, MESSAGE roles, cached models and local paths after
// FROM, and the fields, variables, functions and keywords inside TEMPLATE actions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultClientCapabilities } from './driver';
import { ggufBytes, startSession, type Session } from './helpers';

interface Item {
  label: string;
  kind?: number;
  detail?: string;
  documentation?: { kind: string; value: string } | string;
  insertTextFormat?: number;
  textEdit?: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string };
}

async function complete(session: Session, text: string, line: number, character: number, name = 'Modelfile'): Promise<Item[]> {
  await session.openAndWait(text, name);
  const result = await session.driver.request<Item[] | { items: Item[] } | null>('textDocument/completion', {
    textDocument: { uri: session.uri(name) },
    position: { line, character },
  });
  return Array.isArray(result) ? result : (result?.items ?? []);
}

const labels = (items: Item[]): string[] => items.map((i) => i.label);

test('keywords at the start of a line, replacing the typed word; none inside a value', async () => {
  const session = await startSession();
  try {
    const items = await complete(session, 'FROM x\npa', 1, 2);
    assert.ok(labels(items).includes('PARAMETER'));
    assert.equal(labels(items).length, 11);
    const parameter = items.find((i) => i.label === 'PARAMETER')!;
    assert.deepEqual(parameter.textEdit!.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 2 } });
    assert.equal(parameter.textEdit!.newText, 'PARAMETER ');
    const template = items.find((i) => i.label === 'TEMPLATE')!;
    assert.equal(template.insertTextFormat, 2);
    assert.equal(template.textEdit!.newText, 'TEMPLATE """$0"""');
    assert.deepEqual(await complete(session, 'FROM x\nSYSTEM """hello\nwor\n"""\n', 2, 3, 'b.modelfile'), []);
  } finally {
    await session.close();
  }
});

test('without snippet support, keywords are plain text', async () => {
  const capabilities = defaultClientCapabilities() as { textDocument: { completion: { completionItem: { snippetSupport: boolean } } } };
  capabilities.textDocument.completion.completionItem.snippetSupport = false;
  const session = await startSession({ capabilities });
  try {
    const items = await complete(session, '', 0, 0);
    const template = items.find((i) => i.label === 'TEMPLATE')!;
    assert.equal(template.insertTextFormat, undefined);
    assert.equal(template.textEdit!.newText, 'TEMPLATE ');
  } finally {
    await session.close();
  }
});

test('parameter names with type, default and meaning; values for booleans; MESSAGE roles', async () => {
  const session = await startSession();
  try {
    const names = await complete(session, 'FROM x\nPARAMETER te', 1, 12);
    const temperature = names.find((i) => i.label === 'temperature')!;
    assert.match(temperature.detail!, /number · default 0\.8/);
    assert.equal((temperature.documentation as { kind: string }).kind, 'markdown');
    assert.deepEqual(temperature.textEdit!.range, { start: { line: 1, character: 10 }, end: { line: 1, character: 12 } });
    assert.ok(labels(names).includes('num_ctx'));
    assert.ok(!labels(names).includes('mirostat'), 'deprecated parameters are not offered');
    assert.deepEqual(labels(await complete(session, 'FROM x\nPARAMETER use_mmap ', 1, 19, 'b.modelfile')), ['true', 'false']);
    assert.deepEqual(labels(await complete(session, 'FROM x\nPARAMETER top_k ', 1, 16, 'c.modelfile')), ['40']);
    assert.deepEqual(labels(await complete(session, 'FROM x\nMESSAGE ', 1, 8, 'd.modelfile')), ['system', 'user', 'assistant']);
  } finally {
    await session.close();
  }
});

test('after FROM: cached models (name and tag) and local .gguf files and folders', async () => {
  const session = await startSession({
    models: [{ model: 'llama3.2' }, { model: 'llama3.2', tag: '1b' }, { namespace: 'me', model: 'tiny' }],
    files: { 'model.gguf': ggufBytes(), 'weights/part.gguf': ggufBytes(), 'README.md': 'x', '.hidden/x.gguf': ggufBytes() },
  });
  try {
    const items = await complete(session, 'FROM ', 0, 5);
    const names = labels(items);
    for (const expected of ['llama3.2:latest', 'llama3.2:1b', 'me/tiny:latest', 'model.gguf', 'weights/']) assert.ok(names.includes(expected), `${expected} in ${names}`);
    assert.ok(!names.includes('README.md'));
    assert.ok(!names.includes('.hidden/'));
    const model = items.find((i) => i.label === 'llama3.2:1b')!;
    assert.match(model.detail!, /cached model/);
    assert.equal(items.find((i) => i.label === 'model.gguf')!.textEdit!.newText, './model.gguf');
    const inner = await complete(session, 'FROM ./weights/', 0, 15, 'b.modelfile');
    const part = inner.find((i) => i.label === 'part.gguf')!;
    assert.equal(part.textEdit!.newText, './weights/part.gguf');
    assert.deepEqual(part.textEdit!.range, { start: { line: 0, character: 5 }, end: { line: 0, character: 15 } });
    const adapter = await complete(session, 'FROM x\nADAPTER ', 1, 8, 'c.modelfile');
    assert.ok(labels(adapter).includes('model.gguf'));
    assert.ok(!labels(adapter).includes('llama3.2:latest'), 'ADAPTER takes paths only');
  } finally {
    await session.close();
  }
});

test('inside TEMPLATE: top-level fields, message fields inside range .Messages, functions and keywords', async () => {
  const session = await startSession();
  try {
    const top = await complete(session, 'FROM x\nTEMPLATE """{{ .Sy }}"""\n', 1, 18);
    assert.ok(labels(top).includes('System'));
    assert.ok(labels(top).includes('Messages'));
    const system = top.find((i) => i.label === 'System')!;
    assert.deepEqual(system.textEdit!.range, { start: { line: 1, character: 16 }, end: { line: 1, character: 18 } });
    const text = 'FROM x\nTEMPLATE """{{ range .Messages }}{{ . }}{{ end }}"""\n';
    const inRange = await complete(session, text, 1, 37, 'b.modelfile');
    assert.ok(labels(inRange).includes('Role'), labels(inRange).join());
    assert.ok(labels(inRange).includes('ToolCalls'));
    const tools = await complete(session, 'FROM x\nTEMPLATE """{{ range $t := .Tools }}{{ $t.Function. }}{{ end }}"""\n', 1, 51, 'c.modelfile');
    assert.ok(labels(tools).includes('Parameters'), labels(tools).join());
    const words = await complete(session, 'FROM x\nTEMPLATE """{{ js }}"""\n', 1, 16, 'd.modelfile');
    for (const expected of ['json', 'if', 'range', 'currentDate', 'eq', '$']) assert.ok(labels(words).includes(expected), expected);
    // Outside an action there is nothing to complete.
    assert.deepEqual(await complete(session, 'FROM x\nTEMPLATE """hello """\n', 1, 16, 'e.modelfile'), []);
  } finally {
    await session.close();
  }
});

test('inside a TEMPLATE whose """ is not closed yet, later lines are template text', async () => {
  const session = await startSession();
  try {
    const items = await complete(session, 'FROM x\nTEMPLATE """{{ if .System }}\n{{ .Pr', 2, 6);
    assert.ok(labels(items).includes('Prompt'));
  } finally {
    await session.close();
  }
});
