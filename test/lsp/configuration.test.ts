// Protocol tests of settings: per-code severities from workspace/configuration (section modelfileStudio), changes
// announced with didChangeConfiguration, a different models directory, and clients without workspace/configuration
// (initializationOptions and pushed settings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultClientCapabilities } from './driver';
import { addModel, startSession } from './helpers';

const text = 'FROM qwen3:8b\nPARAMETER mirostat 1\nPARAMETER top_k 1.5\n';

test('severity overrides from workspace/configuration, and their changes', async () => {
  const session = await startSession({ settings: { diagnostics: { severity: { MF028: 'error', MF012: 'off', MF011: 'hint', BOGUS: 'error', MF010: 'loud' } } } });
  try {
    const first = await session.openAndWait(text);
    const severity = new Map(first.diagnostics.map((d) => [d.code, d.severity]));
    assert.deepEqual([...severity.entries()].sort(), [['MF011', 4], ['MF028', 1]]);
    const modelfileStudio = (session.driver.settings as { modelfileStudio: Record<string, unknown> }).modelfileStudio;
    modelfileStudio.diagnostics = { severity: { MF028: 'off' } };
    const changed = session.driver.waitForDiagnostics(session.uri(), (p) => !p.diagnostics.some((d) => d.code === 'MF028'), { fresh: true });
    session.driver.notify('workspace/didChangeConfiguration', { settings: null });
    const second = await changed;
    assert.deepEqual(second.diagnostics.map((d) => [d.code, d.severity]).sort(), [['MF011', 1], ['MF012', 2]]);
  } finally {
    await session.close();
  }
});

test('changing modelsDirectory re-checks FROM against the new directory', async () => {
  const other = mkdtempSync(join(tmpdir(), 'mf-lsp-other-'));
  addModel(other, { model: 'qwen3', tag: '8b' });
  const session = await startSession();
  try {
    const first = await session.openAndWait('FROM qwen3:8b\n');
    assert.deepEqual(first.diagnostics.map((d) => d.code), ['MF028']);
    (session.driver.settings as { modelfileStudio: Record<string, unknown> }).modelfileStudio.modelsDirectory = other;
    const cleared = session.driver.waitForDiagnostics(session.uri(), (p) => p.diagnostics.length === 0, { fresh: true });
    session.driver.notify('workspace/didChangeConfiguration', { settings: null });
    await cleared;
  } finally {
    await session.close();
  }
});

test('clients without workspace/configuration: initializationOptions, then pushed settings', async () => {
  const capabilities = defaultClientCapabilities() as { workspace: Record<string, unknown> };
  capabilities.workspace = {};
  const session = await startSession({
    capabilities,
    initializationOptions: { modelfileStudio: { diagnostics: { severity: { MF011: 'warning' } } } },
  });
  try {
    const first = await session.openAndWait(text);
    assert.equal(first.diagnostics.find((d) => d.code === 'MF011')!.severity, 2);
    const changed = session.driver.waitForDiagnostics(session.uri(), (p) => p.diagnostics.find((d) => d.code === 'MF011')?.severity === 3, { fresh: true });
    session.driver.notify('workspace/didChangeConfiguration', { settings: { modelfileStudio: { modelsDirectory: session.modelsDir, diagnostics: { severity: { MF011: 'information' } } } } });
    await changed;
  } finally {
    await session.close();
  }
});
