// Protocol tests of the models-directory watch: open documents are re-checked when a model appears in or leaves
// `<models>/manifests` (debounced), also when that folder does not exist when the server starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { addModel, codesOf, startSession } from './helpers';

test('a model written into the models directory clears MF028; removing it brings it back', async () => {
  const session = await startSession({ models: [{ model: 'other' }] });
  try {
    const first = await session.openAndWait('FROM qwen3:8b\n');
    assert.deepEqual(codesOf(first), ['MF028']);
    const cleared = session.driver.waitForDiagnostics(session.uri(), (p) => p.diagnostics.length === 0, { fresh: true, timeoutMs: 10_000 });
    addModel(session.modelsDir, { model: 'qwen3', tag: '8b' });
    await cleared;
    const back = session.driver.waitForDiagnostics(session.uri(), (p) => codesOf(p).includes('MF028'), { fresh: true, timeoutMs: 10_000 });
    rmSync(join(session.modelsDir, 'manifests', 'registry.ollama.ai', 'library', 'qwen3'), { recursive: true });
    await back;
  } finally {
    await session.close();
  }
});

test('the manifests folder may appear after the server started', async () => {
  const session = await startSession();
  try {
    const first = await session.openAndWait('FROM llama3.2\n');
    assert.deepEqual(codesOf(first), ['MF028']);
    const cleared = session.driver.waitForDiagnostics(session.uri(), (p) => p.diagnostics.length === 0, { fresh: true, timeoutMs: 10_000 });
    addModel(session.modelsDir, { model: 'llama3.2' });
    await cleared;
  } finally {
    await session.close();
  }
});
