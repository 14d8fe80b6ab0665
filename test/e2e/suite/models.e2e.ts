/// <reference types="mocha" />
// Extension-host tests of the model commands, the Models view and the settings, in a real VS Code. The suite brings
// its own world and takes it away again: a temporary models directory holding models made with core/create from a
// tiny GGUF, a real docker-registry on loopback with a throttling proxy in front (test/registry/harness), and
// workspace settings that point the extension at both (restored at the end, so the UI walk that follows sees the
// harness's own settings). Commands run with the arguments that skip their prompts — the scripting API.
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { partialsDir, showModel } from '../../../core/cache';
import { createModel } from '../../../core/create';
import { ggufModel } from '../../helpers/cache-fixtures';
import { registryAvailable, seedModel, startFaultProxy, startRegistry, type FaultProxy, type RunningRegistry } from '../../registry/harness';

const EXTENSION_ID = 'modelfile-studio.modelfile-studio';

interface TreeRow {
  readonly label: string;
  readonly description: string;
  readonly contextValue: string;
  readonly children?: readonly TreeRow[];
}

interface StudioApi {
  readonly state: () => { readonly languageServer: string };
  readonly modelsDirectory: () => string;
  readonly modelsView: () => Promise<TreeRow[]>;
}

type Outcome<T> = { status: 'done'; result: T } | { status: 'cancelled' } | { status: 'failed'; message: string };

async function run<T>(command: string, ...args: unknown[]): Promise<Outcome<T>> {
  return (await vscode.commands.executeCommand(`modelfileStudio.${command}`, ...args)) as Outcome<T>;
}

async function done<T>(command: string, ...args: unknown[]): Promise<T> {
  const outcome = await run<T>(command, ...args);
  assert.equal(outcome.status, 'done', `${command}: ${JSON.stringify(outcome)}`);
  return (outcome as { result: T }).result;
}

async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  detail: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}${detail() === '' ? '' : `; ${detail()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `group → [label (description)]` of the Models view. */
function viewMap(rows: readonly TreeRow[]): Record<string, string[]> {
  return Object.fromEntries(rows.map((group) => [group.label, (group.children ?? []).map((row) => `${row.label} (${row.description})`)]));
}

function labels(rows: readonly TreeRow[], group: string): string[] {
  return (rows.find((row) => row.label === group)?.children ?? []).map((row) => row.label);
}

function workspaceFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window has a workspace folder');
  return folder.uri;
}

/** Deterministic incompressible bytes. */
function noise(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function codeOf(diagnostic: vscode.Diagnostic): string {
  const code = diagnostic.code;
  if (typeof code === 'object' && code !== null) return String(code.value);
  return String(code ?? '');
}

suite('Models: commands, view and settings', function () {
  this.timeout(60_000);
  const configuration = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('modelfileStudio');
  let api: StudioApi;
  let temp = '';
  let models = '';
  let registry: RunningRegistry | undefined;
  let proxy: FaultProxy | undefined;
  let slowSize = 0;
  let settingsFolderExisted = true;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<StudioApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    temp = mkdtempSync(join(tmpdir(), 'modelfile-e2e-models-'));
    models = join(temp, 'models');
    const hosts: string[] = [];
    // scripts/setup-system.sh installs docker-registry; without it these tests fail rather than skip.
    assert.ok(registryAvailable(), 'docker-registry is not installed: run `bash scripts/setup-system.sh` as root');
    {
      registry = await startRegistry();
      // ~256 KB/s per connection: a 3 MB pull through it takes long enough to be cancelled half way.
      proxy = await startFaultProxy({ upstream: registry.url, bytesPerSecond: 256 * 1024 });
      const slow = noise(3 * 1024 * 1024, 7);
      slowSize = slow.length;
      await seedModel(registry.url, 'e2e/slow', 'latest', [{ data: slow }]);
      hosts.push(registry.host, proxy.host);
    }
    settingsFolderExisted = existsSync(vscode.Uri.joinPath(workspaceFolder(), '.vscode').fsPath);
    await configuration().update('modelsDirectory', models, vscode.ConfigurationTarget.Workspace);
    await configuration().update('insecureRegistries', hosts, vscode.ConfigurationTarget.Workspace);
    await configuration().update('streams', 4, vscode.ConfigurationTarget.Workspace);
    await waitFor(() => api.modelsDirectory() === models || undefined, 10_000, 'the extension to use the temporary models directory');

    // Models made by core/create from a tiny GGUF, after the extension started watching the (missing) directory.
    const sources = join(temp, 'sources');
    mkdirSync(sources, { recursive: true });
    writeFileSync(join(sources, 'tiny.gguf'), ggufModel('llama'));
    writeFileSync(join(vscode.Uri.joinPath(workspaceFolder(), 'create').fsPath, 'tiny.gguf'), ggufModel('llama'));
    await createModel({
      modelsDir: models,
      name: 'tiny',
      modelfile: 'FROM ./tiny.gguf\nTEMPLATE {{ .Prompt }}\nSYSTEM You are tiny.\nPARAMETER temperature 0.5\n',
      modelfileDir: sources,
    });
    await createModel({ modelsDir: models, name: 'me/tiny-chat:v1', modelfile: 'FROM tiny\nSYSTEM You chat.\n', modelfileDir: sources });
  });

  suiteTeardown(async () => {
    for (const key of ['modelsDirectory', 'insecureRegistries', 'streams', 'diagnostics.severity']) {
      await configuration().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
    // Leave the workspace as the harness made it (the UI walk that follows photographs the Explorer).
    const settingsFolder = vscode.Uri.joinPath(workspaceFolder(), '.vscode').fsPath;
    const settingsFile = join(settingsFolder, 'settings.json');
    if (!settingsFolderExisted && existsSync(settingsFile) && readFileSync(settingsFile, 'utf8').replace(/\s/g, '') === '{}') {
      rmSync(settingsFolder, { recursive: true, force: true });
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await proxy?.stop();
    await registry?.stop();
    rmSync(join(vscode.Uri.joinPath(workspaceFolder(), 'create').fsPath, 'tiny.gguf'), { force: true });
    if (temp !== '') rmSync(temp, { recursive: true, force: true });
  });

  test('every contributed command is registered, and the id of the server\'s pull quick fix too', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as { contributes: { commands: Array<{ command: string; category: string }> } };
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 13, contributed.join(', '));
    for (const command of manifest.contributes.commands) {
      assert.match(command.command, /^modelfileStudio\./);
      assert.equal(command.category, 'Modelfile Studio');
    }
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const id of [...contributed, 'modelfile.pullModel']) assert.ok(registered.has(id), `${id} is registered`);
  });

  test('the Models view groups by registry and namespace, with size and quantization, and follows the directory', async () => {
    // The models were created behind the extension's back: the watcher must have refreshed the view.
    const rows = await waitFor(async () => {
      const current = await api.modelsView();
      return labels(current, 'registry.ollama.ai/me').includes('tiny-chat:v1') ? current : undefined;
    }, 10_000, 'the created models to appear');
    const view = viewMap(rows);
    assert.deepEqual(Object.keys(view), ['registry.ollama.ai/library', 'registry.ollama.ai/me']);
    assert.deepEqual(labels(rows, 'registry.ollama.ai/library'), ['tiny:latest']);
    for (const row of [...(view['registry.ollama.ai/library'] ?? []), ...(view['registry.ollama.ai/me'] ?? [])]) {
      assert.match(row, /\([\d.]+ (B|KB) · Q4_K_M\)$/, row);
    }
    assert.match(rows[0]?.description ?? '', /^1 model · [\d.]+ (B|KB)$/);
    assert.equal(rows[0]?.contextValue, 'modelGroup');
    assert.equal(rows[0]?.children?.[0]?.contextValue, 'model');
  });

  test('Show Modelfile opens a read-only modelfile document as ollama show --modelfile prints it', async () => {
    const result = await done<{ uri: string }>('showModelfile', { name: 'tiny' });
    const uri = vscode.Uri.parse(result.uri);
    assert.deepEqual([uri.scheme, uri.path], ['modelfile-studio', '/tiny:latest.Modelfile']);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    const document = editor.document;
    assert.equal(document.uri.toString(), uri.toString());
    assert.equal(document.languageId, 'modelfile');
    const text = document.getText();
    assert.match(text, /^# Modelfile generated by "ollama show"\n/);
    assert.match(text, /^# FROM tiny:latest$/m);
    assert.match(text, /^FROM .*sha256-[0-9a-f]{64}$/m);
    assert.match(text, /^TEMPLATE \{\{ \.Prompt \}\}$/m);
    assert.match(text, /^SYSTEM You are tiny\.$/m);
    assert.match(text, /^PARAMETER temperature 0\.5$/m);
    const failed = await run('showModelfile', { name: 'no-such-model' });
    assert.equal(failed.status, 'failed');
  });

  test('Copy/Tag stores the model under a new tag; Delete frees only what nothing else uses', async () => {
    const copied = await done<{ from: string; to: string }>('copyModel', { source: 'tiny', destination: 'tiny:copy' });
    assert.deepEqual([copied.from, copied.to], ['tiny:latest', 'tiny:copy']);
    await waitFor(async () => labels(await api.modelsView(), 'registry.ollama.ai/library').includes('tiny:copy') || undefined, 5_000, 'tiny:copy in the view');
    // The copy shares every blob with tiny: deleting it frees nothing.
    const deleted = await done<{ name: string; bytesFreed: number }>('deleteModel', { name: 'tiny:copy', confirmed: true });
    assert.deepEqual(deleted, { name: 'tiny:copy', bytesFreed: 0, blobsRemoved: 0 });
    assert.deepEqual(labels(await api.modelsView(), 'registry.ollama.ai/library'), ['tiny:latest']);
    const missing = await run('deleteModel', { name: 'tiny:copy', confirmed: true });
    assert.equal(missing.status, 'failed');
    assert.match((missing as { message: string }).message, /not found/);
  });

  test('Create Model from a fixture Modelfile, offered by a CodeLens on its FROM line', async () => {
    const uri = vscode.Uri.joinPath(workspaceFolder(), 'create', 'Modelfile');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const lenses = await waitFor(async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return found.some((lens) => lens.command?.command === 'modelfileStudio.createModel') ? found : undefined;
    }, 10_000, 'the Create Model CodeLens');
    const lens = lenses.find((l) => l.command?.command === 'modelfileStudio.createModel');
    assert.equal(lens?.range.start.line, 1, 'on the FROM line');
    const created = await done<{ name: string; layers: number }>('createModel', { uri: uri.toString(), name: 'fixture-model' });
    assert.equal(created.name, 'fixture-model:latest');
    assert.equal(created.layers, 4, 'model, template, system, params');
    const shown = await showModel(models, 'fixture-model');
    assert.equal(shown.system, 'You are the fixture model of the end-to-end suite.');
    assert.deepEqual(shown.parameters, { stop: ['<|end|>'], temperature: 0.2 });
    await waitFor(async () => labels(await api.modelsView(), 'registry.ollama.ai/library').includes('fixture-model:latest') || undefined, 5_000, 'fixture-model in the view');
  });

  test('Edit Model opens an untitled copy; Create writes it back under the same name', async () => {
    const opened = await done<{ uri: string; name: string }>('editModel', { name: 'tiny' });
    assert.equal(opened.name, 'tiny:latest');
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor && editor.document.isUntitled && editor.document.languageId === 'modelfile');
    assert.equal(editor.document.uri.toString(), opened.uri);
    const line = editor.document.getText().split('\n').findIndex((l) => l.startsWith('SYSTEM '));
    assert.ok(line >= 0);
    await editor.edit((edit) => edit.replace(editor.document.lineAt(line).range, 'SYSTEM You were edited.'));
    const created = await done<{ name: string }>('createModel', { uri: opened.uri });
    assert.equal(created.name, 'tiny:latest');
    assert.equal((await showModel(models, 'tiny')).system, 'You were edited.');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Prune reports a dry run first, then removes what nothing needs', async () => {
    const stray = join(models, 'blobs', `sha256-${'e'.repeat(64)}`);
    writeFileSync(stray, 'an unused blob from long ago');
    const old = new Date(Date.now() - 24 * 3600_000);
    utimesSync(stray, old, old);
    const dry = await done<{ dryRun: boolean; files: number; paths: string[]; headline: string }>('prune', { dryRun: true });
    assert.equal(dry.dryRun, true);
    assert.deepEqual(dry.paths, [`blobs/sha256-${'e'.repeat(64)}`]);
    assert.equal(dry.headline, 'Prune would remove 1 file and free 28 B.');
    assert.ok(existsSync(stray), 'a dry run removes nothing');
    const pruned = await done<{ dryRun: boolean; files: number }>('prune', { confirmed: true });
    assert.deepEqual([pruned.dryRun, pruned.files], [false, 1]);
    assert.equal(existsSync(stray), false);
  });

  test('settings reach the language server: diagnostics.severity changes a diagnostic', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'modelfile', content: 'FROM definitely-not-pulled-yet\n' });
    await vscode.window.showTextDocument(document);
    const find = (): vscode.Diagnostic | undefined => vscode.languages.getDiagnostics(document.uri).find((d) => codeOf(d) === 'MF028');
    const seen = (): string =>
      `language server ${api.state().languageServer}, diagnostics ${JSON.stringify(vscode.languages.getDiagnostics(document.uri).map((d) => `${codeOf(d)} ${d.message}`))}`;
    const before = await waitFor(find, 30_000, 'MF028 for a model missing from the models directory', seen);
    assert.notEqual(before.severity, vscode.DiagnosticSeverity.Error);
    await configuration().update('diagnostics.severity', { MF028: 'error' }, vscode.ConfigurationTarget.Workspace);
    await waitFor(() => find()?.severity === vscode.DiagnosticSeverity.Error || undefined, 15_000, 'MF028 to become an error', seen);
    await configuration().update('diagnostics.severity', { MF028: 'off' }, vscode.ConfigurationTarget.Workspace);
    await waitFor(() => (find() === undefined ? true : undefined), 15_000, 'MF028 to be turned off', seen);
    await configuration().update('diagnostics.severity', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('Push to and pull from a local registry; the server\'s quick-fix id pulls too', async function () {
    assert.ok(registry, 'the local registry started');
    const remote = `${registry.host}/e2e/tiny:latest`;
    await done('copyModel', { source: 'tiny', destination: remote, confirmed: true });
    const pushed = await done<{ uploaded: number; existing: number }>('pushModel', { name: remote });
    assert.ok(pushed.uploaded >= 3, JSON.stringify(pushed));
    await done('deleteModel', { name: remote, confirmed: true });
    const pulled = await done<{ name: string; downloaded: number }>('pullModel', remote);
    assert.equal(pulled.name, remote);
    const rows = await waitFor(async () => {
      const current = await api.modelsView();
      return labels(current, `${registry?.host}/e2e`).includes('tiny:latest') ? current : undefined;
    }, 5_000, 'the pulled model in its registry group');
    assert.ok(rows.some((row) => row.label === `${registry?.host}/e2e`));
    const again = (await vscode.commands.executeCommand('modelfile.pullModel', remote)) as Outcome<{ downloaded: number; reused: number }>;
    assert.equal(again.status, 'done');
    assert.deepEqual(again.status === 'done' ? [again.result.downloaded, again.result.reused > 0] : [], [0, true]);
    const refused = await run('pullModel', 'http://unlisted.example:5000/e2e/tiny');
    assert.equal(refused.status, 'failed');
    assert.match((refused as { message: string }).message, /modelfileStudio\.insecureRegistries/);
  });

  test('a cancelled pull leaves a partial download that the next pull resumes', async function () {
    assert.ok(registry && proxy, 'the local registry and its throttling proxy started');
    const partials = partialsDir(models);
    const partialBytes = (): number =>
      existsSync(partials) ? readdirSync(partials).filter((n) => n.endsWith('.partial')).reduce((s, n) => s + statSync(join(partials, n)).size, 0) : 0;
    const throttled = proxy;
    const pulling = run<unknown>('pullModel', `${throttled.host}/e2e/slow:latest`);
    // The partial file has its full size from the start; what counts is the data that came through the proxy.
    await waitFor(() => throttled.bytes.toClient > 300 * 1024 || undefined, 20_000, 'the slow pull to receive part of the blob');
    const cancelled = await done<{ cancelled: number }>('cancelTransfers', { all: true });
    assert.equal(cancelled.cancelled, 1);
    assert.equal((await pulling).status, 'cancelled');
    assert.ok(partialBytes() > 0, 'the partial download stays');
    assert.equal(labels(await api.modelsView(), `${proxy.host}/e2e`).length, 0, 'no manifest was written');
    const resumed = await done<{ bytesReceived: number }>('pullModel', `${registry.host}/e2e/slow:latest`);
    assert.ok(resumed.bytesReceived < slowSize, `resumed: ${resumed.bytesReceived} of ${slowSize} bytes downloaded`);
    assert.equal(partialBytes(), 0, 'the partial became a blob');
  });

  test('Refresh, Reveal Models Folder and Copy Name run', async () => {
    await vscode.commands.executeCommand('modelfileStudio.refresh');
    const revealed = await done<{ path: string }>('revealModelsFolder');
    assert.equal(revealed.path, models);
    const copied = await run<{ name: string }>('copyName', { name: 'tiny:latest' });
    assert.equal(copied.status, 'done');
  });
});
