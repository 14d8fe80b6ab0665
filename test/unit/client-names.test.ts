// Tests for the extension's name handling without VS Code: what the input boxes say as a name is typed
// (client/model/names.ts), how commands read model names from their arguments, the Show Modelfile URI path
// (client/model/showUri.ts), and the FROM line and suggested names of Modelfile documents (modelfileInfo.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromLine, suggestModelName } from '../../client/model/modelfileInfo';
import { argString, checkPullName, checkTargetName, isConfirmed, modelNameOf } from '../../client/model/names';
import { modelNameFromShowPath, SHOW_SCHEME, showPathFor } from '../../client/model/showUri';

describe('checkPullName', () => {
  it('accepts what the CLI pulls and says where it comes from', () => {
    assert.deepEqual(checkPullName(' llama3.2 '), { valid: true, name: 'llama3.2', message: 'Pulls registry.ollama.ai/library/llama3.2:latest' });
    assert.equal(checkPullName('me/m:q4').message, 'Pulls registry.ollama.ai/me/m:q4');
    assert.equal(checkPullName('127.0.0.1:5000/e2e/tiny').message, 'Pulls 127.0.0.1:5000/e2e/tiny:latest');
    assert.equal(checkPullName('http://127.0.0.1:5000/e2e/tiny').message, 'Pulls 127.0.0.1:5000/e2e/tiny:latest over http');
    const pinned = checkPullName(`m@sha256:${'a'.repeat(64)}`);
    assert.ok(pinned.valid);
    assert.equal(pinned.message, `Pulls registry.ollama.ai/library/m:latest at sha256:${'a'.repeat(12)}…`);
  });

  it('refuses with the reason', () => {
    const empty = checkPullName('   ');
    assert.equal(empty.valid, false);
    assert.match(empty.message, /^Type the name of a model, e\.g\. llama3\.2/);
    const bad = checkPullName('bad name');
    assert.equal(bad.valid, false);
    assert.match(bad.message, /^Not a valid model name: /);
    assert.equal(checkPullName(`@sha256:${'a'.repeat(64)}`).valid, false);
    assert.match(checkPullName('ftp://h/n/m').message, /unsupported scheme/);
  });
});

describe('checkTargetName', () => {
  it('accepts plain names and gives the stored (shortest) form', () => {
    assert.deepEqual(checkTargetName('my-model'), { valid: true, name: 'my-model:latest', message: 'Stored as registry.ollama.ai/library/my-model:latest' });
    const full = checkTargetName('registry.ollama.ai/me/m:v2');
    assert.ok(full.valid);
    assert.equal(full.name, 'me/m:v2');
    assert.equal(checkTargetName('127.0.0.1:5000/e2e/tiny:copy').valid, true);
  });

  it('refuses schemes, digests and invalid names', () => {
    assert.match(checkTargetName('http://h/n/m:t').message, /scheme/);
    assert.match(checkTargetName(`m@sha256:${'b'.repeat(64)}`).message, /not by digest/);
    assert.equal(checkTargetName('a/b/c/d/e').valid, false);
    assert.equal(checkTargetName('').valid, false);
  });
});

describe('command arguments', () => {
  it('reads the model name from a string, { name }, a tree row or a Show Modelfile URI', () => {
    assert.equal(modelNameOf(' llama3.2 '), 'llama3.2');
    assert.equal(modelNameOf(''), undefined);
    assert.equal(modelNameOf({ name: 'me/m:t', confirmed: true }), 'me/m:t');
    assert.equal(modelNameOf({ kind: 'model', label: 'm:t', model: { name: 'me/m:t', fullName: 'registry.ollama.ai/me/m:t' } }), 'me/m:t');
    assert.equal(modelNameOf({ scheme: SHOW_SCHEME, path: '/me/m:t.Modelfile' }), 'me/m:t');
    assert.equal(modelNameOf({ scheme: 'file', path: '/x/Modelfile' }), undefined);
    assert.equal(modelNameOf(undefined), undefined);
    assert.equal(modelNameOf(42), undefined);
  });

  it('reads confirmations and string fields', () => {
    assert.equal(isConfirmed({ confirmed: true }), true);
    assert.equal(isConfirmed({ confirmed: 'yes' }), false);
    assert.equal(isConfirmed('x'), false);
    assert.equal(argString({ destination: 'a:b' }, 'destination'), 'a:b');
    assert.equal(argString({ destination: 3 }, 'destination'), undefined);
    assert.equal(argString(null, 'destination'), undefined);
  });
});

describe('Show Modelfile paths', () => {
  it('round-trips model names, including namespaces and hosts with ports', () => {
    for (const name of ['llama3.2:latest', 'me/m:t', '127.0.0.1:5000/e2e/tiny:latest']) {
      assert.equal(modelNameFromShowPath(showPathFor(name)), name);
    }
    assert.equal(showPathFor('me/m:t'), '/me/m:t.Modelfile');
    assert.equal(modelNameFromShowPath('/x.txt'), undefined);
    assert.equal(modelNameFromShowPath('/.Modelfile'), undefined);
    assert.equal(modelNameFromShowPath('m.Modelfile'), undefined);
  });
});

describe('Modelfile documents', () => {
  it('finds the first FROM line, wherever it is and however it is spelt', () => {
    assert.equal(fromLine('# comment\n\nfrom llama3.2\nFROM other\n'), 2);
    assert.equal(fromLine('SYSTEM """\nFROM is text here\n"""\n  From x'), 3);
    assert.equal(fromLine('PARAMETER temperature 1\n'), undefined);
  });

  it('suggests a model name from the file name or its folder', () => {
    assert.equal(suggestModelName('/projects/models/pirate/Modelfile'), 'pirate');
    assert.equal(suggestModelName('/projects/Modelfile.qwen'), 'qwen');
    assert.equal(suggestModelName('/projects/tiny-chat.modelfile'), 'tiny-chat');
    assert.equal(suggestModelName('/projects/My Model!/Modelfile'), 'My-Model');
    assert.equal(suggestModelName('/projects/__/Modelfile'), 'my-model');
  });
});
