// Unit tests of the linter: each code fires on the input that should trigger it, at the right range, and stays
// silent on Modelfiles that Ollama accepts as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModelfile } from '../../core/modelfile';
import { lintModelfile, nodeLintHost, allCodes, type LintDiagnostic } from '../../core/lint';

function lint(text: string, options: Parameters<typeof lintModelfile>[1] = {}): LintDiagnostic[] {
  return lintModelfile(parseModelfile(text), options);
}

function codes(text: string, options: Parameters<typeof lintModelfile>[1] = {}): string[] {
  return lint(text, options).map((d) => d.code);
}

function workspace(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mf-lint-'));
  for (const [name, content] of Object.entries(files)) {
    const full = join(dir, name);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

const GGUF_HEAD = Buffer.from([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0]);

test('a clean Modelfile has no diagnostics', () => {
  const text = [
    '# a comment',
    'FROM llama3.2',
    'PARAMETER temperature 0.7',
    'PARAMETER num_ctx 4096',
    'PARAMETER stop "<|eot_id|>"',
    'PARAMETER stop "<|end|>"',
    'TEMPLATE """{{- if .System }}{{ .System }}{{ end }}{{ range .Messages }}{{ .Content }}{{ end }}"""',
    'SYSTEM You are helpful.',
    'MESSAGE user Hello',
    'MESSAGE assistant Hi!',
    'LICENSE "MIT"',
    'REQUIRES 0.14.0',
    '',
  ].join('\n');
  assert.deepEqual(lint(text), []);
});

test('every syntax problem kind maps to its code', () => {
  assert.deepEqual(codes('FORM llama3\n'), ['MF001', 'MF006']);
  assert.ok(codes('FROM x\nMESSAGE User hi\n').includes('MF002'));
  assert.ok(codes('FROM x\nPARAMETER temp\n').includes('MF003'));
  assert.ok(codes('FROM x\nSYSTEM """never closed\n').includes('MF004'));
  assert.ok(codes('FROM x\nSYSTEM "a" b\n').includes('MF005'));
  assert.deepEqual(codes('SYSTEM hi\n'), ['MF006']);
});

test('unknown keyword gets a fix to the closest keyword', () => {
  const [d] = lint('FORM llama3\nFROM x\n');
  assert.equal(d.code, 'MF001');
  assert.deepEqual(d.range.start, { line: 0, character: 0 });
  assert.equal(d.fixes?.[0].edits[0].newText, 'FROM');
});

test('parameters: unknown, case, empty name, type errors, deprecated, Inf, repeated', () => {
  const unknown = lint('FROM x\nPARAMETER Temperature 0.5\n');
  assert.equal(unknown[0].code, 'MF010');
  assert.match(unknown[0].message, /unknown parameter 'Temperature'.*temperature/);
  assert.deepEqual(unknown[0].range, { start: { line: 1, character: 10 }, end: { line: 1, character: 21 } });
  assert.equal(unknown[0].fixes?.[0].edits[0].newText, 'temperature');

  assert.deepEqual(codes('FROM x\nPARAMETER numa true\n'), ['MF010']);
  assert.match(lint('FROM x\nPARAMETER  temperature 1\n')[0].message, /empty name/);

  const bad = lint('FROM x\nPARAMETER num_ctx 1.5\nPARAMETER top_p abc\nPARAMETER use_mmap yes\n');
  assert.deepEqual(bad.map((d) => d.code), ['MF011', 'MF011', 'MF011']);
  assert.match(bad[0].message, /^invalid int value \[1\.5\]/);
  assert.match(bad[1].message, /^invalid float value \[abc\]/);
  assert.match(bad[2].message, /^invalid bool value \[yes\]/);
  assert.deepEqual(bad[0].range, { start: { line: 1, character: 18 }, end: { line: 1, character: 21 } });

  const deprecated = lint('FROM x\nPARAMETER mirostat 1\n');
  assert.equal(deprecated[0].code, 'MF012');
  assert.deepEqual(deprecated[0].fixes?.[0].edits[0].range, { start: { line: 1, character: 0 }, end: { line: 2, character: 0 } });

  assert.deepEqual(codes('FROM x\nPARAMETER temperature Inf\n'), ['MF013']);
  assert.deepEqual(codes('FROM x\nPARAMETER temperature 1\nPARAMETER temperature 2\n'), ['MF014']);
  assert.deepEqual(codes('FROM x\nPARAMETER stop a\nPARAMETER stop b\n'), []);
});

test('FROM names are validated when they are not paths', () => {
  const [d] = lint('FROM my.ns/model\n');
  assert.equal(d.code, 'MF020');
  assert.match(d.message, /namespace/);
  assert.deepEqual(codes('FROM registry.example.com:5000/team/model:v1\n'), []);
});

test('local paths: missing, not GGUF, safetensors, DRAFT equal to FROM, adapter folders', () => {
  const dir = workspace({
    'model.gguf': GGUF_HEAD,
    'text.gguf': 'not gguf at all',
    'w.safetensors': 'x',
    'adapters/a.gguf': GGUF_HEAD,
    'adapters/b.gguf': GGUF_HEAD,
  });
  const options = { modelfileDir: dir, host: nodeLintHost() };
  assert.deepEqual(codes('FROM ./model.gguf\n', options), []);
  assert.deepEqual(codes('FROM ./missing.gguf\n', options), ['MF021']);
  assert.deepEqual(codes('FROM ./model.gguf\nADAPTER ./nope.gguf\n', options), ['MF021']);
  assert.deepEqual(codes('FROM ./text.gguf\n', options), ['MF022']);
  assert.deepEqual(codes('FROM ./w.safetensors\n', options), ['MF026']);
  assert.deepEqual(codes('FROM ./model.gguf\nDRAFT ./model.gguf\n', options), ['MF023']);
  assert.deepEqual(codes('FROM ./model.gguf\nADAPTER ./adapters\n', options), ['MF034']);
  assert.deepEqual(codes(`FROM ${join(dir, 'model.gguf')}\n`, options), []);
});

test('FROM name plus files, several names, bare word that is a file and a cached model', () => {
  const dir = workspace({ 'model.gguf': GGUF_HEAD, llama3: GGUF_HEAD });
  const options = { modelfileDir: dir, host: nodeLintHost((name) => name === 'llama3' || name === 'llama3.2') };
  assert.deepEqual(codes('FROM llama3.2\nFROM ./model.gguf\n', options), ['MF024']);
  assert.deepEqual(codes('FROM a\nFROM b\n', { ...options, host: nodeLintHost(() => true) }), ['MF025']);
  assert.deepEqual(codes('FROM llama3\n', options), ['MF027']);
  const missing = lint('FROM qwen3:8b\n', { ...options, host: nodeLintHost(() => false) });
  assert.deepEqual(missing.map((d) => [d.code, d.model]), [['MF028', 'qwen3:8b']]);
});

test('template errors are mapped into the Modelfile at the right position', () => {
  const text = 'FROM x\nTEMPLATE """{{ if .System }}\n{{ .System }}\n{{ bogus .Prompt }}"""\n';
  const found = lint(text).filter((d) => d.code === 'MF030');
  assert.ok(found.length >= 1, 'template problems reported');
  assert.ok(found.some((d) => d.range.start.line === 3), `a problem on line 4: ${JSON.stringify(found)}`);
  assert.ok(found.some((d) => /bogus/.test(d.message)));
});

test('template run-time failures are warnings, not errors', () => {
  const [d] = lint('FROM x\nTEMPLATE "{{ $x = 1 }}{{ .Prompt }}"\n');
  assert.equal(d.code, 'MF035');
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /undefined variable "\$x"/);
});

test('replaced instructions and empty values', () => {
  const result = lint('FROM x\nSYSTEM one\nSYSTEM two\nTEMPLATE ""\n');
  assert.deepEqual(result.map((d) => d.code), ['MF031', 'MF032']);
  assert.equal(result[0].range.start.line, 1);
  assert.match(result[0].message, /line 3/);
});

test('REQUIRES must be semver', () => {
  assert.deepEqual(codes('FROM x\nREQUIRES 0.14\n'), []);
  assert.deepEqual(codes('FROM x\nREQUIRES v1.2.3\n'), []);
  assert.deepEqual(codes('FROM x\nREQUIRES latest\n'), ['MF033']);
  assert.deepEqual(codes('FROM x\nREQUIRES 01.2.3\n'), ['MF033']);
});

test('values that Ollama reads differently: invisible characters, # after a value, single quotes, round trip', () => {
  const invisible = lint('FROM x\nSYSTEM hello\u200Bworld\n');
  assert.equal(invisible[0].code, 'MF041');
  assert.deepEqual(invisible[0].range, { start: { line: 1, character: 12 }, end: { line: 1, character: 13 } });
  assert.equal(invisible[0].fixes?.[0].edits[0].newText, 'helloworld');
  assert.deepEqual(codes('FROM x\nPARAMETER temperature 0.7 # warm\n'), ['MF011', 'MF042']);
  assert.deepEqual(codes("FROM x\nPARAMETER stop '<end>'\n"), ['MF043']);
  assert.deepEqual(codes('FROM x\nSYSTEM "\ttabbed"\n'), ['MF040']);
});

test('inline suppression: next instruction, whole file, unused codes', () => {
  assert.deepEqual(codes('FROM x\n# modelfile-ignore MF012\nPARAMETER mirostat 1\n'), []);
  assert.deepEqual(codes('FROM x\n# modelfile-ignore MF012\nPARAMETER mirostat 1\nPARAMETER mirostat_eta 1\n'), ['MF012']);
  assert.deepEqual(codes('# modelfile-ignore-file MF012\nFROM x\nPARAMETER mirostat 1\nPARAMETER mirostat_eta 1\n'), []);
  assert.deepEqual(codes('FROM x\n# modelfile-ignore MF010\nPARAMETER temperature 1\n'), ['MF044']);
  assert.deepEqual(codes('FROM x\n# modelfile-ignore\nPARAMETER bogus 1\n'), []);
});

test('severity overrides change or remove codes', () => {
  const text = 'FROM x\nPARAMETER mirostat 1\n';
  assert.equal(lint(text, { severities: { MF012: 'error' } })[0].severity, 'error');
  assert.deepEqual(lint(text, { severities: { MF012: 'off' } }), []);
});

test('every code in the catalog is unique, documented and has a valid severity', () => {
  const seen = new Set<string>();
  for (const info of allCodes()) {
    assert.match(info.code, /^MF\d{3}$/);
    assert.ok(!seen.has(info.code), `duplicate ${info.code}`);
    seen.add(info.code);
    assert.ok(info.description.length > 20);
    assert.ok(['error', 'warning', 'information', 'hint'].includes(info.severity));
  }
});

test('lint never throws on random text', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const alphabet = ['FROM ', 'PARAMETER ', 'TEMPLATE ', 'MESSAGE ', 'user ', '"', '"""', '\n', '\r\n', ' ', '#', '{{', '}}', 'x', 'temperature ', '0.5', '\u200B', '\t'];
  for (let i = 0; i < 2000; i++) {
    let text = '';
    const length = Math.floor(random() * 30);
    for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
    assert.doesNotThrow(() => lint(text), text);
  }
});
