/// <reference types="mocha" />
// Extension-host tests, run inside code-server by suite/index.ts: activation and the language client, the modelfile
// language and its file associations, snippets, comment toggling and the auto-closed triple quote.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'modelfile-studio.modelfile-studio';

interface ModelfileStudioApi {
  readonly state: () => { readonly languageServer: string };
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window has a workspace folder');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function untitledModelfile(content = ''): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ language: 'modelfile', content });
  return vscode.window.showTextDocument(document);
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

suite('Modelfile Studio in VS Code', () => {
  let api: ModelfileStudioApi | undefined;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<ModelfileStudioApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    api = await extension.activate();
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('the extension activates without errors', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.equal(extension?.isActive, true);
    assert.ok(api, 'activate() returns the API');
    assert.notEqual(api.state().languageServer, 'failed');
  });

  test('the language client reaches the bundled server, which reports a broken instruction', async function () {
    assert.notEqual(api?.state().languageServer, 'absent', 'dist/server.js is bundled with the extension');
    await waitFor(() => api?.state().languageServer === 'running', 15_000, 'the language server to run');
    const editor = await untitledModelfile('FROM llama3.2\nBOGUS instruction\n');
    const uri = editor.document.uri;
    await waitFor(() => vscode.languages.getDiagnostics(uri).some((d) => d.range.start.line === 1), 15_000, 'a diagnostic on line 2');
  });

  test('the modelfile language is registered', async () => {
    const languages = await vscode.languages.getLanguages();
    assert.ok(languages.includes('modelfile'), `languages: ${languages.length}`);
  });

  for (const name of ['Modelfile', 'Modelfile.qwen', 'plain.modelfile']) {
    test(`${name} opens as a modelfile`, async () => {
      const document = await vscode.workspace.openTextDocument(workspaceFile(name));
      await vscode.window.showTextDocument(document);
      assert.equal(document.languageId, 'modelfile');
    });
  }

  test('the chat-template snippet inserts a complete TEMPLATE and its stop parameter', async () => {
    const editor = await untitledModelfile('FROM llama3.2\n');
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    await vscode.commands.executeCommand('editor.action.insertSnippet', { langId: 'modelfile', name: 'Chat template' });
    const text = editor.document.getText();
    assert.match(text, /^TEMPLATE """\{\{- if \.System \}\}<\|im_start\|>system$/m);
    assert.match(text, /^\{\{- range \$i, \$m := \.Messages \}\}$/m);
    assert.match(text, /^<\|im_start\|>\{\{ \$m\.Role \}\}$/m);
    assert.match(text, /^\{\{- end \}\}"""$/m);
    assert.match(text, /^PARAMETER stop "<\|im_end\|>"$/m);
  });

  test('Toggle Line Comment uses #', async () => {
    const editor = await untitledModelfile('FROM llama3.2\n');
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await vscode.commands.executeCommand('editor.action.commentLine');
    assert.equal(editor.document.lineAt(0).text, '# FROM llama3.2');
  });

  test('typing """ after TEMPLATE closes the triple quote', async () => {
    const editor = await untitledModelfile('TEMPLATE ');
    editor.selection = new vscode.Selection(0, 9, 0, 9);
    for (const character of '"""') await vscode.commands.executeCommand('type', { text: character });
    assert.equal(editor.document.lineAt(0).text, 'TEMPLATE """"""');
    assert.equal(editor.selection.active.character, 12, 'the cursor sits between the quotes');
  });

  test('the Show Log command is registered and runs', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('modelfileStudio.showOutput'));
    await vscode.commands.executeCommand('modelfileStudio.showOutput');
  });
});
