// Protocol tests of pushed diagnostics: lint codes and ranges as a client sees them, FROM resolved against the
// models directory and local files (MF028, MF022, MF027), the inline ignore comment, incremental changes with
// versions, and clearing on close.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codesOf, ggufBytes, startSession } from './helpers';

test('diagnostics carry stable codes, severities, source and ranges', async () => {
  const session = await startSession({ models: [{ model: 'llama3.2' }] });
  try {
    const published = await session.openAndWait(['FORM llama3.2', 'FROM llama3.2', 'PARAMETER temprature 0.7', 'PARAMETER mirostat 1', ''].join('\n'));
    assert.equal(published.version, 1);
    const byCode = new Map(published.diagnostics.map((d) => [d.code, d]));
    assert.deepEqual([...byCode.keys()].sort(), ['MF001', 'MF010', 'MF012']);
    const unknown = byCode.get('MF001')!;
    assert.equal(unknown.source, 'modelfile');
    assert.equal(unknown.severity, 1);
    assert.deepEqual(unknown.range.start, { line: 0, character: 0 });
    const misspelt = byCode.get('MF010')!;
    assert.deepEqual(misspelt.range, { start: { line: 2, character: 10 }, end: { line: 2, character: 20 } });
    assert.match(misspelt.message, /temperature/);
    const deprecated = byCode.get('MF012')!;
    assert.equal(deprecated.severity, 2);
    assert.deepEqual(deprecated.tags, [2]);
  } finally {
    await session.close();
  }
});

test('FROM: cached model is fine, a missing one gets MF028 (information) with the model name', async () => {
  const session = await startSession({ models: [{ model: 'llama3.2' }, { namespace: 'me', model: 'tiny', tag: 'v1' }] });
  try {
    assert.deepEqual(codesOf(await session.openAndWait('FROM llama3.2\n')), []);
    assert.deepEqual(codesOf(await session.openAndWait('FROM LLAMA3.2:latest\n', 'a.modelfile')), []);
    assert.deepEqual(codesOf(await session.openAndWait('FROM me/tiny:v1\n', 'b.modelfile')), []);
    const missing = await session.openAndWait('FROM qwen3:8b\n', 'c.modelfile');
    assert.deepEqual(codesOf(missing), ['MF028']);
    assert.equal(missing.diagnostics[0].severity, 3);
    assert.deepEqual(missing.diagnostics[0].range, { start: { line: 0, character: 5 }, end: { line: 0, character: 13 } });
    assert.match(missing.diagnostics[0].message, /qwen3:8b/);
  } finally {
    await session.close();
  }
});

test('FROM local paths: a GGUF file is fine, another file is MF022, a missing ./path is MF021', async () => {
  const session = await startSession({ files: { 'model.gguf': ggufBytes(), 'notes.gguf': 'not a gguf file', 'weights/model.gguf': ggufBytes() } });
  try {
    assert.deepEqual(codesOf(await session.openAndWait('FROM ./model.gguf\n')), []);
    assert.deepEqual(codesOf(await session.openAndWait('FROM ./weights\n', 'w.modelfile')), []);
    assert.deepEqual(codesOf(await session.openAndWait('FROM ./notes.gguf\n', 'n.modelfile')), ['MF022']);
    assert.deepEqual(codesOf(await session.openAndWait('FROM ./absent.gguf\n', 'm.modelfile')), ['MF021']);
    assert.deepEqual(codesOf(await session.openAndWait('FROM ./model.gguf\nADAPTER ./lora.gguf\n', 'l.modelfile')), ['MF021']);
  } finally {
    await session.close();
  }
});

test('a bare word naming both a local file and a cached model is MF027', async () => {
  const session = await startSession({ files: { llama3: ggufBytes() }, models: [{ model: 'llama3' }] });
  try {
    const published = await session.openAndWait('FROM llama3\n');
    assert.deepEqual(codesOf(published), ['MF027']);
    assert.match(published.diagnostics[0].message, /\.\/llama3/);
  } finally {
    await session.close();
  }
});

test('the ignore comment silences a code on the next instruction', async () => {
  const session = await startSession();
  try {
    const text = ['FROM ./x.gguf', '# modelfile-ignore MF021', 'ADAPTER ./missing.gguf', 'ADAPTER ./other.gguf', ''].join('\n');
    const published = await session.openAndWait(text);
    const lines = published.diagnostics.filter((d) => d.code === 'MF021').map((d) => d.range.start.line);
    assert.deepEqual(lines, [0, 3]);
  } finally {
    await session.close();
  }
});

test('incremental changes update diagnostics with the document version; close clears them', async () => {
  const session = await startSession({ models: [{ model: 'llama3.2' }] });
  try {
    const uri = session.uri();
    const first = await session.openAndWait('FROM llama3.2\nPARAMETER temperature 0.7\n');
    assert.deepEqual(codesOf(first), []);
    // temperature → temperatur (delete one character)
    const waiting = session.driver.waitForDiagnostics(uri, (p) => p.version === 2, { fresh: true });
    session.driver.change(uri, 2, [{ range: { start: { line: 1, character: 20 }, end: { line: 1, character: 21 } }, text: '' }]);
    const second = await waiting;
    assert.deepEqual(codesOf(second), ['MF010']);
    // Several changes in one notification, applied in order.
    const third = session.driver.waitForDiagnostics(uri, (p) => p.version === 3, { fresh: true });
    session.driver.change(uri, 3, [
      { range: { start: { line: 1, character: 20 }, end: { line: 1, character: 20 } }, text: 'e' },
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } }, text: 'from' },
    ]);
    assert.deepEqual(codesOf(await third), []);
    // A full-text change.
    const fourth = session.driver.waitForDiagnostics(uri, (p) => p.version === 4, { fresh: true });
    session.driver.change(uri, 4, [{ text: 'SYSTEM hi\n' }]);
    assert.deepEqual(codesOf(await fourth), ['MF006']);
    const cleared = session.driver.waitForDiagnostics(uri, (p) => p.diagnostics.length === 0, { fresh: true });
    session.driver.close(uri);
    await cleared;
  } finally {
    await session.close();
  }
});

test('documents that are not files (untitled) are checked without path look-ups', async () => {
  const session = await startSession();
  try {
    const uri = 'untitled:Untitled-1';
    const waiting = session.driver.waitForDiagnostics(uri, () => true, { fresh: true });
    session.driver.open(uri, 'FROM ./model.gguf\nPARAMETER top_k 1.5\n');
    assert.deepEqual(codesOf(await waiting), ['MF011']);
  } finally {
    await session.close();
  }
});
