// CLI tests: run the bundled `modelfile` binary (dist/cli.js) as a user would, and check its output, formats
// and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = process.env.MODELFILE_STUDIO_ROOT ?? process.cwd();
const cli = join(root, 'dist', 'cli.js');

function run(args: string[], options: { input?: string | Buffer; cwd?: string } = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], { input: options.input, cwd: options.cwd ?? root, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function workspace(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mf-cli-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

test('--help and --version', () => {
  const help = run(['--help']);
  assert.equal(help.code, 0);
  for (const command of ['lint', 'parse', 'name', 'create', 'pull', 'push', 'list', 'show', 'cp', 'rm', 'prune', 'lsp', 'codes']) {
    assert.match(help.stdout, new RegExp(`^  ${command} `, 'm'));
  }
  assert.match(run(['--version']).stdout, /^modelfile \d+\.\d+\.\d+/);
  for (const command of ['lint', 'parse', 'name', 'create', 'pull', 'push', 'list', 'show', 'cp', 'rm', 'prune', 'lsp', 'codes']) {
    const sub = run([command, '--help']);
    assert.equal(sub.code, 0, command);
    assert.match(sub.stdout, /^Usage: modelfile /);
  }
});

test('wrong flags and commands exit 2 with a clear message', () => {
  const flag = run(['lint', '--bogus', 'x']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--bogus'.*--help/);
  const format = run(['lint', '--format', 'xml', 'x']);
  assert.equal(format.code, 2);
  assert.match(format.stderr, /must be one of text, json, sarif/);
  const command = run(['frobnicate']);
  assert.equal(command.code, 2);
  assert.match(command.stderr, /unknown command 'frobnicate'/);
  assert.equal(run(['parse']).code, 2);
  const missing = run(['lint', 'no/such/path']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file or folder/);
});

test('parse --json prints exactly the command list or the error', () => {
  const ok = run(['parse', '--json', '-'], { input: 'FROM llama3.2\nPARAMETER Temperature 1\nMESSAGE user hi: there\nSYSTEM """a\nb"""\n' });
  assert.equal(ok.code, 0);
  assert.equal(
    ok.stdout,
    '{"ok":true,"commands":[{"name":"model","args":"llama3.2"},{"name":"Temperature","args":"1"},{"name":"message","args":"user: hi: there"},{"name":"system","args":"a\\nb"}]}\n',
  );
  const bad = run(['parse', '--json', '-'], { input: 'FROM x\nFORM y\n' });
  assert.equal(bad.code, 1);
  assert.equal(
    bad.stdout,
    '{"ok":false,"error":"(line 2): command must be one of \\"from\\", \\"license\\", \\"template\\", \\"system\\", \\"adapter\\", \\"draft\\", \\"renderer\\", \\"parser\\", \\"parameter\\", \\"message\\", or \\"requires\\""}\n',
  );
  const noFrom = run(['parse', '--json', '-'], { input: 'SYSTEM x\n' });
  assert.equal(noFrom.stdout, '{"ok":false,"error":"no FROM line"}\n');
});

test('parse reads UTF-16 files with a BOM', () => {
  const text = 'FROM llama3\nSYSTEM héllo\n';
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const dir = workspace({ Modelfile: utf16 });
  const result = run(['parse', '--json', join(dir, 'Modelfile')]);
  assert.equal(result.stdout, '{"ok":true,"commands":[{"name":"model","args":"llama3"},{"name":"system","args":"héllo"}]}\n');
});

test('name --json prints one object per name with the documented keys', () => {
  const result = run(['name', '--json', 'llama3.2', 'bad.ns/m', 'https+insecure://localhost:5000/team/m:v1']);
  assert.equal(result.code, 1);
  const [a, b, c] = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(Object.keys(a), ['input', 'valid', 'scheme', 'host', 'namespace', 'model', 'tag', 'path', 'display']);
  assert.equal(a.path, 'registry.ollama.ai/library/llama3.2/latest');
  assert.equal(a.display, 'llama3.2:latest');
  assert.equal(b.valid, false);
  assert.match(String(b.error), /namespace/);
  assert.equal(c.scheme, 'https+insecure');
  assert.equal(c.display, 'localhost:5000/team/m:v1');
  assert.equal(run(['name', 'llama3.2']).code, 0);
});

test('lint: text format, exit codes, folder search and stdin', () => {
  const dir = workspace({
    'good/Modelfile': 'FROM llama3.2\nPARAMETER temperature 0.5\n',
    'bad/Modelfile.dev': 'FROM llama3.2\nPARAMETER temprature 0.5\n',
    'warn/x.modelfile': 'FROM llama3.2\nPARAMETER mirostat 1\n',
    'ignored/README.md': 'FORM nothing',
  });
  const clean = run(['lint', 'good'], { cwd: dir });
  assert.equal(clean.code, 0);
  assert.equal(clean.stdout, '');

  const all = run(['lint', '.'], { cwd: dir });
  assert.equal(all.code, 1);
  assert.equal(
    all.stdout,
    "bad/Modelfile.dev:2:11: error MF010 unknown parameter 'temprature': did you mean 'temperature'?\n" +
      'warn/x.modelfile:2:11: warning MF012 Parameter mirostat is deprecated: Ollama ignores it. Remove the line.\n',
  );
  assert.match(all.stderr, /1 error, 1 warning in 3 files/);

  const warnOnly = run(['lint', 'warn'], { cwd: dir });
  assert.equal(warnOnly.code, 0, 'warnings alone do not fail');
  assert.equal(run(['lint', '--severity', 'MF012=error', 'warn'], { cwd: dir }).code, 1);
  assert.equal(run(['lint', '--severity', 'MF999=error', 'warn'], { cwd: dir }).code, 2);

  const stdin = run(['lint', '-'], { input: 'FROM x\nFORM y\n' });
  assert.match(stdin.stdout, /^<stdin>:2:1: error MF001 /);
});

test('lint --format json uses 0-based LSP ranges and the documented keys', () => {
  const dir = workspace({ Modelfile: 'FROM llama3.2\nPARAMETER num_ctx big\n' });
  const result = run(['lint', '--format', 'json', 'Modelfile'], { cwd: dir });
  assert.equal(result.code, 1);
  const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
  assert.equal(rows.length, 1);
  assert.deepEqual(Object.keys(rows[0]), ['file', 'range', 'severity', 'code', 'message']);
  assert.deepEqual(rows[0].range, { start: { line: 1, character: 18 }, end: { line: 1, character: 21 } });
  assert.equal(rows[0].code, 'MF011');
});

test('lint --format sarif is SARIF 2.1.0 with rules and 1-based regions', () => {
  const dir = workspace({ Modelfile: 'FROM llama3.2\nPARAMETER num_ctx big\n' });
  const result = run(['lint', '--format', 'sarif', 'Modelfile'], { cwd: dir });
  const sarif = JSON.parse(result.stdout) as {
    version: string;
    runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number; startColumn: number } } }> }> }>;
  };
  assert.equal(sarif.version, '2.1.0');
  assert.ok(sarif.runs[0].tool.driver.rules.some((r) => r.id === 'MF011'));
  assert.equal(sarif.runs[0].results[0].ruleId, 'MF011');
  assert.deepEqual(sarif.runs[0].results[0].locations[0].physicalLocation.region.startLine, 2);
  assert.deepEqual(sarif.runs[0].results[0].locations[0].physicalLocation.region.startColumn, 19);
});

test('bad input never crashes the CLI: binary garbage, invalid UTF-8, huge and deeply nested files', () => {
  const garbage = Buffer.alloc(64 * 1024);
  for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
  const dir = workspace({
    'garbage.modelfile': garbage,
    'invalid.modelfile': Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x20, 0xc3, 0x28, 0xff, 0x0a]),
    'deep.modelfile': `FROM x\nTEMPLATE """${'{{ if .System }}'.repeat(10_000)}${'{{ end }}'.repeat(10_000)}"""\n`,
    'unbalanced.modelfile': `FROM x\nTEMPLATE """${'{{ if .System }}'.repeat(10_000)}"""\n`,
    'big.modelfile': 'FROM x\n' + 'PARAMETER stop "abc"\n'.repeat(2_500_000),
  });
  for (const file of ['garbage.modelfile', 'invalid.modelfile', 'deep.modelfile', 'unbalanced.modelfile', 'big.modelfile']) {
    const result = run(['lint', '--format', 'json', file], { cwd: dir });
    assert.ok(result.code === 0 || result.code === 1, `${file}: exit ${result.code} ${result.stderr}`);
    assert.doesNotThrow(() => JSON.parse(result.stdout), file);
    assert.equal(result.stderr, '', file);
  }
  const unbalanced = JSON.parse(run(['lint', '--format', 'json', 'unbalanced.modelfile'], { cwd: dir }).stdout) as Array<{ code: string }>;
  assert.ok(unbalanced.some((d) => d.code === 'MF030'));
  const deep = JSON.parse(run(['lint', '--format', 'json', 'deep.modelfile'], { cwd: dir }).stdout) as Array<{ code: string }>;
  assert.deepEqual(deep, []);
});

test('codes lists every code', () => {
  const result = run(['codes', '--json']);
  const list = JSON.parse(result.stdout) as Array<{ code: string }>;
  assert.ok(list.length >= 30);
  assert.equal(list[0].code, 'MF001');
});
