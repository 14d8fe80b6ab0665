// Protocol tests of code actions: the linter's fixes as quick fixes tied to their diagnostics (misspelt keyword and
// parameter, deprecated parameter, single quotes), "pull now" for a model missing from the cache as a client
// command, the """ rewrite of a double-quoted multi-line value, and filtering by the requested kinds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModelfile } from '../../core/modelfile';
import { applyEdits, type Range } from './driver';
import { startSession, type Session } from './helpers';

interface Action {
  title: string;
  kind?: string;
  isPreferred?: boolean;
  diagnostics?: { code?: string }[];
  edit?: { changes: Record<string, { range: Range; newText: string }[]> };
  command?: { command: string; arguments?: unknown[] };
}

async function actionsAt(session: Session, range: Range, only?: string[], name = 'Modelfile'): Promise<Action[]> {
  const uri = session.uri(name);
  const diagnostics = session.driver.diagnostics.get(uri)?.diagnostics ?? [];
  return session.driver.request<Action[]>('textDocument/codeAction', {
    textDocument: { uri },
    range,
    context: { diagnostics: diagnostics.filter((d) => d.range.start.line <= range.end.line && d.range.end.line >= range.start.line), only },
  });
}

const line = (n: number, from = 0, to = 0): Range => ({ start: { line: n, character: from }, end: { line: n, character: to } });

test('quick fixes from the linter, keyed on their diagnostics', async () => {
  const session = await startSession({ models: [{ model: 'llama3.2' }] });
  try {
    const text = ['FROM llama3.2', 'PARAMETR top_k 1', 'PARAMETER temprature 0.7', 'PARAMETER mirostat 1', "SYSTEM 'hello'", ''].join('\n');
    await session.openAndWait(text);
    const misspelt = await actionsAt(session, line(1, 1, 1));
    const change = misspelt.find((a) => a.title === 'Change to PARAMETER')!;
    assert.equal(change.kind, 'quickfix');
    assert.equal(change.isPreferred, true);
    assert.equal(change.diagnostics![0].code, 'MF001');
    assert.equal(applyEdits(text, change.edit!.changes[session.uri()]).split('\n')[1], 'PARAMETER top_k 1');
    const parameter = (await actionsAt(session, line(2, 12, 12))).find((a) => a.title === 'Change to temperature')!;
    assert.equal(applyEdits(text, parameter.edit!.changes[session.uri()]).split('\n')[2], 'PARAMETER temperature 0.7');
    const deprecated = (await actionsAt(session, line(3, 12, 12))).find((a) => a.title.startsWith('Remove PARAMETER mirostat'))!;
    assert.doesNotMatch(applyEdits(text, deprecated.edit!.changes[session.uri()]), /mirostat/);
    const quotes = (await actionsAt(session, line(4, 9, 9))).find((a) => a.title === 'Use double quotes')!;
    assert.equal(applyEdits(text, quotes.edit!.changes[session.uri()]).split('\n')[4], 'SYSTEM "hello"');
  } finally {
    await session.close();
  }
});

test('a model missing from the cache offers "pull now" as the client command modelfile.pullModel', async () => {
  const session = await startSession();
  try {
    await session.openAndWait('FROM qwen3:8b\n');
    const actions = await actionsAt(session, line(0, 7, 7));
    const pull = actions.find((a) => a.command?.command === 'modelfile.pullModel')!;
    assert.equal(pull.title, 'Pull qwen3:8b now');
    assert.deepEqual(pull.command!.arguments, ['qwen3:8b']);
    assert.equal(pull.diagnostics![0].code, 'MF028');
  } finally {
    await session.close();
  }
});

test('convert a double-quoted multi-line value to """ quotes (same command afterwards)', async () => {
  const session = await startSession();
  try {
    const text = 'FROM x\nSYSTEM "You are Mario.\nBe nice."\nSYSTEM "one line"\n';
    await session.openAndWait(text);
    const actions = await actionsAt(session, line(2, 2, 2));
    const convert = actions.find((a) => a.kind === 'refactor.rewrite')!;
    assert.equal(convert.title, 'Convert to """ quotes');
    const rewritten = applyEdits(text, convert.edit!.changes[session.uri()]);
    assert.equal(rewritten, 'FROM x\nSYSTEM """You are Mario.\nBe nice."""\nSYSTEM "one line"\n');
    assert.deepEqual(parseModelfile(rewritten).ollama, parseModelfile(text).ollama);
    assert.equal((await actionsAt(session, line(3, 9, 9))).filter((a) => a.kind === 'refactor.rewrite').length, 0);
    // Asking only for quick fixes leaves the rewrite out.
    assert.equal((await actionsAt(session, line(2, 2, 2), ['quickfix'])).length, 0);
  } finally {
    await session.close();
  }
});
