// Neovim as a second, independent LSP client (TESTING.md §2): a headless `nvim --clean` runs
// test/lsp/neovim/client.lua, which starts dist/server.js over stdio with vim.lsp.start_client, waits for pushed
// diagnostics, requests a hover and a completion, edits a line (didChange) and writes what it saw as JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addModel, root, serverPath, workspace } from './helpers';

interface NeovimResult {
  steps: string[];
  error?: string;
  got_diagnostics?: boolean;
  diagnostics?: { line: number; col: number; code: string; severity: number; message: string; source: string }[];
  hover?: { kind: string; value: string };
  completion?: string[];
  fixed?: boolean;
  after_change?: { code: string }[];
  offset_encoding?: string;
}

const nvimVersion = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const hasNeovim = nvimVersion.status === 0;

test('Neovim (headless) sees diagnostics, hover, completion and a didChange', { timeout: 90_000 }, () => {
  assert.ok(hasNeovim, 'nvim is not installed: run `bash scripts/setup-system.sh` as root');
  const dir = workspace({
    Modelfile: ['FROM llama3.2', 'PARAMETER temprature 0.7', 'PARAMETER num_ctx 4096', 'PARAMETER mirostat 1', 'PA', ''].join('\n'),
  });
  const scratch = mkdtempSync(join(tmpdir(), 'mf-nvim-'));
  const models = join(scratch, 'models');
  addModel(models, { model: 'llama3.2' });
  const resultPath = join(scratch, 'result.json');
  try {
    const run = spawnSync('timeout', ['60', 'nvim', '--headless', '--clean', '-n', '-u', join(root, 'test', 'lsp', 'neovim', 'client.lua'), join(dir, 'Modelfile')], {
      encoding: 'utf8',
      env: {
        ...process.env,
        HOME: scratch,
        XDG_CONFIG_HOME: join(scratch, 'config'),
        XDG_DATA_HOME: join(scratch, 'data'),
        XDG_STATE_HOME: join(scratch, 'state'),
        XDG_CACHE_HOME: join(scratch, 'cache'),
        MODELFILE_NVIM_RESULT: resultPath,
        MODELFILE_NVIM_NODE: process.execPath,
        MODELFILE_NVIM_SERVER: serverPath,
        MODELFILE_NVIM_MODELS: models,
      },
    });
    assert.equal(run.status, 0, `nvim exited with ${run.status}: ${run.stderr}${run.stdout}`);
    const result = JSON.parse(readFileSync(resultPath, 'utf8')) as NeovimResult;
    assert.equal(result.error, undefined);
    assert.deepEqual(result.steps, ['attached', 'diagnostics', 'hover', 'completion', 'changed']);
    assert.equal(result.offset_encoding, 'utf-16');
    assert.equal(result.got_diagnostics, true);
    const seen = result.diagnostics!.map((d) => `${d.line}:${d.code}`);
    for (const expected of ['1:MF010', '3:MF012']) assert.ok(seen.includes(expected), `${expected} in ${seen.join(' ')}`);
    assert.ok(!seen.some((s) => s.endsWith('MF028')), 'llama3.2 is in the models directory given in settings');
    const misspelt = result.diagnostics!.find((d) => d.code === 'MF010')!;
    assert.equal(misspelt.col, 10);
    assert.equal(misspelt.source, 'modelfile');
    assert.match(result.hover!.value, /Context window/);
    assert.ok(result.completion!.includes('PARAMETER'), result.completion!.join(' '));
    assert.equal(result.fixed, true);
    assert.ok(!result.after_change!.some((d) => d.code === 'MF010'));
    assert.ok(result.after_change!.some((d) => d.code === 'MF012'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
});
