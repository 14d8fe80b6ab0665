// End-to-end tests in a real VS Code (code-server 4.100.3, Debian's Chromium): installs code-server on first use
// (scripts/setup-code-server.sh), checks the grammar with VS Code's own TextMate engine, then runs the extension-host
// suite and the UI walk through test/e2e/run.ts. Screenshots and the workbench console go to test-results/.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { fixturesDir, repositoryRoot } from './paths';
import { runE2E } from './run';
import { loadTokenizer, type Token } from './textmate';

const root = repositoryRoot();
const grammarPath = join(root, 'syntaxes', 'modelfile.tmLanguage.json');

before(() => {
  // A no-op (a fraction of a second) once code-server is installed; repairs an interrupted install.
  const setup = spawnSync('bash', [join(root, 'scripts', 'setup-code-server.sh')], {
    cwd: root,
    stdio: 'inherit',
    timeout: 300_000,
  });
  assert.equal(setup.status, 0, 'scripts/setup-code-server.sh failed');
});

/** The innermost scopes of the first token on `line` whose text is `text`. */
function scopesOf(tokens: readonly Token[], line: number, text: string): readonly string[] {
  const token = tokens.find((t) => t.line === line && t.text === text);
  assert.ok(token, `no token "${text}" on line ${line}: ${JSON.stringify(tokens.filter((t) => t.line === line).map((t) => t.text))}`);
  return token.scopes;
}

function assertScope(tokens: readonly Token[], line: number, text: string, scope: string): void {
  const scopes = scopesOf(tokens, line, text);
  assert.ok(scopes.includes(scope), `"${text}" on line ${line} has ${scopes.join(' ')}, expected ${scope}`);
}

function assertNoScopeLike(tokens: readonly Token[], line: number, pattern: RegExp): void {
  for (const token of tokens.filter((t) => t.line === line)) {
    assert.ok(!token.scopes.some((s) => pattern.test(s)), `"${token.text}" on line ${line} has ${token.scopes.join(' ')}`);
  }
}

describe("grammar, tokenized by VS Code's TextMate engine", () => {
  let tokenize: (text: string) => Token[];
  before(async () => {
    tokenize = await loadTokenizer(root, grammarPath, 'source.modelfile');
  });

  test('instruction keywords are case-insensitive and only at the start of an instruction', () => {
    const tokens = tokenize('FROM llama3.2\n  from x\nFrom y\nSYSTEM FROM is text here\nFROMX z');
    assertScope(tokens, 0, 'FROM', 'keyword.other.instruction.modelfile');
    assertScope(tokens, 1, 'from', 'keyword.other.instruction.modelfile');
    assertScope(tokens, 2, 'From', 'keyword.other.instruction.modelfile');
    assertScope(tokens, 3, 'FROM is text here', 'string.unquoted.modelfile');
    assertScope(tokens, 4, 'FROMX', 'invalid.illegal.unknown-instruction.modelfile');
  });

  test('# starts a comment only where an instruction could start', () => {
    const tokens = tokenize('# top\n  # indented\nFROM foo # not a comment\nSYSTEM """\n# inside a value\n"""');
    assertScope(tokens, 0, '#', 'comment.line.number-sign.modelfile');
    assertScope(tokens, 1, '#', 'comment.line.number-sign.modelfile');
    assertNoScopeLike(tokens, 2, /^comment/);
    assertNoScopeLike(tokens, 4, /^comment/);
    assertScope(tokens, 4, '# inside a value', 'string.quoted.triple.modelfile');
  });

  test('PARAMETER names: known, deprecated, unknown (case-sensitive); values typed', () => {
    const tokens = tokenize(
      'PARAMETER temperature 0.7\nPARAMETER mirostat 1\nPARAMETER Temperature 1\nPARAMETER use_mmap false\nPARAMETER stop "<|eot|>"\nPARAMETER stop <|x|>',
    );
    assertScope(tokens, 0, 'temperature', 'variable.parameter.modelfile');
    assertScope(tokens, 0, '0.7', 'constant.numeric.modelfile');
    assertScope(tokens, 1, 'mirostat', 'invalid.deprecated.parameter.modelfile');
    assertScope(tokens, 2, 'Temperature', 'invalid.illegal.unknown-parameter.modelfile');
    assertScope(tokens, 3, 'false', 'constant.language.boolean.modelfile');
    assertScope(tokens, 4, '<|eot|>', 'string.quoted.double.modelfile');
    assertScope(tokens, 5, '<|x|>', 'string.unquoted.modelfile');
  });

  test('MESSAGE roles are exact; FROM tells model names from paths', () => {
    const tokens = tokenize('MESSAGE user hi\nMESSAGE User hi\nFROM hf.co/org/repo:Q4_K_M\nFROM ./weights/model.gguf');
    assertScope(tokens, 0, 'user', 'entity.name.type.role.modelfile');
    assertScope(tokens, 1, 'User', 'invalid.illegal.role.modelfile');
    assertScope(tokens, 2, 'hf.co/org/repo', 'entity.name.type.model.modelfile');
    assertScope(tokens, 2, 'Q4_K_M', 'entity.name.tag.model-tag.modelfile');
    assertScope(tokens, 3, './weights/model.gguf', 'string.unquoted.path.modelfile');
  });

  test('TEMPLATE values get Go-template highlighting in all three quotings', () => {
    const tokens = tokenize(
      [
        'TEMPLATE """{{- range $i, $m := .Messages }}',
        '{{ $m.Content | printf "%s" }}{{/* note */}}{{ end -}}"""',
        'TEMPLATE "{{ if eq .Role "user" }}U{{ end }}"',
        'TEMPLATE {{ .Prompt }}',
      ].join('\n'),
    );
    assertScope(tokens, 0, '{{', 'punctuation.section.embedded.begin.go-template');
    assertScope(tokens, 0, '-', 'punctuation.section.embedded.trim.go-template');
    assertScope(tokens, 0, 'range', 'keyword.control.go-template');
    assertScope(tokens, 0, ':=', 'keyword.operator.assignment.go-template');
    assertScope(tokens, 0, 'Messages', 'support.variable.property.ollama.go-template');
    assertScope(tokens, 1, '|', 'keyword.operator.pipe.go-template');
    assertScope(tokens, 1, 'printf', 'support.function.builtin.go-template');
    assertScope(tokens, 1, '%s', 'string.quoted.double.go-template');
    assertScope(tokens, 1, ' note ', 'comment.block.go-template');
    assertScope(tokens, 1, '"""', 'punctuation.definition.string.end.modelfile');
    assertScope(tokens, 2, 'eq', 'support.function.builtin.go-template');
    assertScope(tokens, 2, 'user', 'string.quoted.double.go-template');
    assertScope(tokens, 2, 'U', 'string.quoted.double.template.modelfile');
    assertScope(tokens, 3, 'Prompt', 'support.variable.property.ollama.go-template');
  });

  test('SYSTEM and MESSAGE values are plain text, even with {{ }}', () => {
    const tokens = tokenize('SYSTEM """Say {{ .Prompt }}"""\nMESSAGE user {{ if }}');
    assertNoScopeLike(tokens, 0, /go-template/);
    assertNoScopeLike(tokens, 1, /go-template/);
  });

  test('a quoted value closes only at the end of a line, as in Ollama', () => {
    const tokens = tokenize('SYSTEM """a""" b\nstill the value"""\nFROM x');
    assertScope(tokens, 1, 'still the value', 'string.quoted.triple.modelfile');
    assertScope(tokens, 2, 'FROM', 'keyword.other.instruction.modelfile');
  });

  test('every fixture line is tokenized without falling out of its instruction', () => {
    for (const name of ['Modelfile', 'Modelfile.qwen', 'plain.modelfile']) {
      const tokens = tokenize(readFileSync(join(fixturesDir(root), name), 'utf8'));
      assert.ok(tokens.length > 0, name);
    }
  });
});

describe('VS Code (code-server) end to end', () => {
  test('extension-host suite passes; the UI walk: highlighting, Problems, pull with Cancel and resume, delete', { timeout: 240_000 }, async () => {
    const result = await runE2E({ root, log: (line) => console.log(line) });
    console.log(`end-to-end run: ${result.seconds.toFixed(1)} s, screenshots: ${Object.values(result.ui.screenshots).join(', ')}`);
    console.log(`UI walk: ${JSON.stringify({ problems: result.ui.problems, pull: result.ui.pull, tree: result.ui.tree })}`);
    assert.ok(result.summary, 'the suite printed its summary (see test-results/e2e-console.log)');
    assert.deepEqual(result.summary.failed, []);
    assert.equal(result.summary.failures, 0);
    assert.ok(result.summary.passes >= 9, `only ${result.summary.passes} extension-host tests passed`);
    assert.equal(result.exitCode, 0);

    assert.equal(result.ui.languageMode, 'Modelfile');
    // Only the parentheses inside template actions are brackets; those in template text and in SYSTEM prose are not.
    assert.deepEqual([...result.ui.colouredBrackets].sort(), ['(', '(', ')', ')']);
    // Default Dark Modern colours: keyword blue, template keyword purple, function yellow, variable light blue, …
    const expected: Record<string, string> = {
      FROM: 'rgb(86, 156, 214)',
      range: 'rgb(197, 134, 192)',
      '{{': 'rgb(86, 156, 214)',
      printf: 'rgb(220, 220, 170)',
      Messages: 'rgb(156, 220, 254)',
      temperature: 'rgb(156, 220, 254)',
      '0.7': 'rgb(181, 206, 168)',
      '# A': 'rgb(106, 153, 85)',
      BOGUS: 'rgb(244, 71, 71)',
    };
    assert.deepEqual(
      Object.fromEntries(Object.keys(expected).map((k) => [k, result.ui.colours[k]])),
      expected,
      `colours seen: ${JSON.stringify(result.ui.colours)}`,
    );

    // The UI walk (screenshots in test-results/): Problems, a cancelled and a completed pull, a delete from the view.
    const { problems, pull, tree } = result.ui;
    for (const code of ['MF001', 'MF002', 'MF010', 'MF011', 'MF012', 'MF030', 'MF033']) {
      assert.ok(problems.some((row) => row.includes(code)), `${code} in the Problems panel: ${JSON.stringify(problems)}`);
    }
    assert.match(pull.progressText, /Pulling .*demo\/tiny/);
    assert.ok(pull.partialsAfterCancel > 0, 'a cancelled pull leaves its partial download');
    assert.equal(pull.listedAfterCancel, false, 'a cancelled pull writes no manifest');
    assert.equal(pull.listedAfterPull, true);
    assert.equal(pull.partialsAfterPull, 0);
    // The second pull resumed: it downloaded less than the whole model.
    const downloaded = /\(([\d.]+) MB downloaded/.exec(pull.doneText);
    assert.ok(downloaded?.[1] !== undefined && Number(downloaded[1]) * 1e6 < result.demoModelBytes, pull.doneText);
    assert.ok(tree.rowsAfterPull.some((row) => row.includes('demo/tiny:latest')), JSON.stringify(tree.rowsAfterPull));
    assert.ok(tree.rowsAfterPull.some((row) => row.startsWith('demo-base')), JSON.stringify(tree.rowsAfterPull));
    assert.match(tree.confirmText, /Delete .*demo\/tiny/);
    assert.ok(!tree.rowsAfterDelete.some((row) => row.includes('demo/tiny')), JSON.stringify(tree.rowsAfterDelete));
    assert.equal(tree.listedAfterDelete, false);
  });
});
