// Tests of the pure create planner: FROM kinds (name wins over files, last name wins, :cloud/:local), ADAPTER
// and DRAFT rules, TEMPLATE/SYSTEM/LICENSE/MESSAGE/REQUIRES/RENDERER/PARSER semantics, typed parameters with
// Ollama's texts, relative request names and the GGUF file-set checks — with hand-made resolved sources.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  assignRelativeNames,
  planCreate,
  requireGgufSet,
  templateError,
  type PlannedFile,
  type ResolvedSource,
  type SourceFile,
  type SourceInstruction,
  type SourceLookup,
} from '../../core/create';
import { JsonUnsupportedValue } from '../../core/json/go-json';
import { ModelfileInvalid, NameInvalid } from '../../core/errors';
import type { OllamaCommand } from '../../core/modelfile/syntax';

const DIR = '/projects/src';

function file(path: string, head: SourceFile['head'] = 'gguf'): SourceFile {
  return { path: join(DIR, path), real: join(DIR, path), size: 100, head };
}

/** A lookup where `files` maps an argument to a file, `folders` to folder selections; everything else is missing. */
function lookup(entries: Record<string, SourceFile | ResolvedSource> = {}): SourceLookup {
  return (_instruction: SourceInstruction, arg: string): ResolvedSource => {
    const entry = entries[arg];
    if (entry === undefined) return { kind: 'missing', arg, path: join(DIR, arg) };
    if ('kind' in entry) return entry;
    return { kind: 'file', arg, file: entry };
  };
}

function cmds(...pairs: Array<[string, string]>): OllamaCommand[] {
  return pairs.map(([name, args]) => ({ name, args }));
}

function throws(fn: () => unknown, type: new (...args: never[]) => Error, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.match((error as Error).message, pattern);
    return true;
  });
}

describe('planCreate: FROM', () => {
  it('uses the model name when one FROM is not a path, and ignores the files beside it', () => {
    const plan = planCreate(cmds(['model', './m.gguf'], ['model', 'llama3.2'], ['model', 'qwen3:8b']), lookup({ './m.gguf': file('m.gguf') }));
    assert.equal(plan.from.kind, 'model');
    if (plan.from.kind !== 'model') return;
    assert.equal(plan.from.reference, 'qwen3:8b');
    assert.equal(plan.from.name.model, 'qwen3');
    assert.equal(plan.from.name.tag, '8b');
    assert.equal(plan.warnings.length, 1);
    assert.match(plan.warnings[0], /FROM \.\/m\.gguf is ignored because FROM qwen3:8b names a model/);
  });

  it('merges every FROM path into one file set with request names', () => {
    const plan = planCreate(cmds(['model', 'a/m.gguf'], ['model', 'b/p.gguf']), lookup({ 'a/m.gguf': file('a/m.gguf'), 'b/p.gguf': file('b/p.gguf') }));
    assert.equal(plan.from.kind, 'files');
    if (plan.from.kind !== 'files') return;
    assert.deepEqual(plan.from.files.map((f) => f.rel), ['a/m.gguf', 'b/p.gguf']);
  });

  it('does not refuse a safetensors folder that a model name makes irrelevant', () => {
    const folder: ResolvedSource = { kind: 'folder', arg: './st', path: join(DIR, 'st'), real: join(DIR, 'st'), selection: { kind: 'safetensors' } };
    const plan = planCreate(cmds(['model', './st'], ['model', 'llama3']), lookup({ './st': folder }));
    assert.equal(plan.from.kind, 'model');
    throws(() => planCreate(cmds(['model', './st']), lookup({ './st': folder })), Error, /^FROM \.\/st holds safetensors weights/);
  });

  it('recognises :cloud and :local references', () => {
    const cloud = planCreate(cmds(['model', 'gpt-oss:20b-cloud']), lookup());
    assert.equal(cloud.from.kind, 'remote');
    if (cloud.from.kind === 'remote') assert.equal(cloud.from.reference, 'gpt-oss:20b');
    const local = planCreate(cmds(['model', 'llama3:local']), lookup());
    assert.ok(local.from.kind === 'model' && local.from.localOnly && local.from.reference === 'llama3');
    throws(() => planCreate(cmds(['model', 'm:local:cloud']), lookup()), Error, /use either :local or :cloud, not both/);
  });

  it('tells a missing path from an invalid name', () => {
    throws(() => planCreate(cmds(['model', './gone.gguf']), lookup()), Error, /^FROM \.\/gone\.gguf: no such file or folder/);
    throws(() => planCreate(cmds(['model', 'x@sha256:abc']), lookup()), NameInvalid, /invalid model name "x@sha256:abc"/);
    throws(() => planCreate(cmds(['system', 'x']), lookup()), ModelfileInvalid, /^no FROM line$/);
  });
});

describe('planCreate: instructions', () => {
  it('last TEMPLATE/SYSTEM wins (an empty last one keeps the inherited value), LICENSE and MESSAGE accumulate', () => {
    const plan = planCreate(
      cmds(
        ['model', 'base'],
        ['template', '{{ .Prompt }}'],
        ['template', ''],
        ['system', 'a'],
        ['system', 'b'],
        ['license', 'L1'],
        ['license', 'L2'],
        ['message', 'user: q: with colon'],
        ['message', 'assistant: a'],
        ['renderer', 'r'],
        ['parser', 'p'],
        ['requires', 'v1.2.3-rc.1'],
      ),
      lookup(),
    );
    assert.equal(plan.template, '');
    assert.equal(plan.system, 'b');
    assert.deepEqual(plan.licenses, ['L1', 'L2']);
    assert.deepEqual(plan.messages, [
      { role: 'user', content: 'q: with colon' },
      { role: 'assistant', content: 'a' },
    ]);
    assert.equal(plan.renderer, 'r');
    assert.equal(plan.parser, 'p');
    assert.equal(plan.requires, '1.2.3-rc.1');
  });

  it('types parameters with Ollama\'s texts and warnings', () => {
    const plan = planCreate(cmds(['model', 'b'], ['stop', 'x'], ['stop', 'y'], ['top_k', '5'], ['top_k', '6'], ['use_mlock', 'true'], ['use_mmap', 'False']), lookup());
    assert.deepEqual({ ...plan.params }, { stop: ['x', 'y'], top_k: 6, use_mmap: false });
    assert.deepEqual(plan.warnings, ['warning: parameter use_mlock is deprecated']);
    throws(() => planCreate(cmds(['model', 'b'], ['Temperature', '1']), lookup()), ModelfileInvalid, /^unknown parameter 'Temperature'$/);
    throws(() => planCreate(cmds(['model', 'b'], ['use_mmap', 'yes']), lookup()), ModelfileInvalid, /^invalid bool value \[yes\]$/);
    throws(() => planCreate(cmds(['model', 'b'], ['temperature', 'x']), lookup()), ModelfileInvalid, /^invalid float value \[x\]$/);
    throws(() => planCreate(cmds(['model', 'b'], ['temperature', 'Inf']), lookup()), JsonUnsupportedValue, /json: unsupported value: \+Inf/);
    throws(() => planCreate(cmds(['model', 'b'], ['requires', '01.2']), lookup()), ModelfileInvalid, /^requires must be a valid semver \(e\.g\. 0\.14\.0\)$/);
  });

  it('checks the template', () => {
    throws(() => planCreate(cmds(['model', 'b'], ['template', '{{ if .X }}']), lookup()), ModelfileInvalid, /^template error: template: :1: /);
    assert.equal(templateError('{{ .Prompt }}'), undefined);
    assert.match(templateError('a\nb\n{{ end }}') ?? '', /^template error: template: :3: unexpected \{\{end\}\}/);
  });

  it('takes the last ADAPTER only, and one adapter file only', () => {
    const plan = planCreate(cmds(['model', 'm.gguf'], ['adapter', 'a.gguf'], ['adapter', 'b.gguf']), lookup({ 'm.gguf': file('m.gguf'), 'a.gguf': file('a.gguf'), 'b.gguf': file('b.gguf') }));
    assert.deepEqual(plan.adapters.map((a) => a.rel), ['b.gguf']);
    const folder: ResolvedSource = {
      kind: 'folder',
      arg: './two',
      path: join(DIR, 'two'),
      real: join(DIR, 'two'),
      selection: { kind: 'weights', group: 'gguf', files: [file('two/x.gguf'), file('two/y.gguf')], extras: [] },
    };
    throws(() => planCreate(cmds(['model', 'm.gguf'], ['adapter', './two']), lookup({ 'm.gguf': file('m.gguf'), './two': folder })), ModelfileInvalid, /^only one adapter is currently supported/);
    throws(() => planCreate(cmds(['model', 'm.gguf'], ['adapter', 'gone']), lookup({ 'm.gguf': file('m.gguf') })), Error, /^ADAPTER gone: no such file/);
  });

  it('merges DRAFT paths and refuses the FROM path (after symbolic links)', () => {
    const plan = planCreate(cmds(['model', 'm.gguf'], ['draft', 'd1.gguf'], ['draft', 'd2.gguf']), lookup({ 'm.gguf': file('m.gguf'), 'd1.gguf': file('d/1.gguf'), 'd2.gguf': file('d/2.gguf') }));
    assert.deepEqual(plan.drafts.map((d) => d.rel), ['1.gguf', '2.gguf']);
    const link: SourceFile = { ...file('link.gguf'), real: join(DIR, 'm.gguf') };
    throws(
      () => planCreate(cmds(['model', 'm.gguf'], ['draft', 'link.gguf']), lookup({ 'm.gguf': file('m.gguf'), 'link.gguf': link })),
      ModelfileInvalid,
      /^DRAFT must not reference the same local path as FROM: link\.gguf$/,
    );
    throws(() => planCreate(cmds(['model', 'm.gguf'], ['draft', 'nope']), lookup({ 'm.gguf': file('m.gguf') })), Error, /^DRAFT nope: no such file/);
  });
});

describe('file sets', () => {
  const planned = (path: string, head: SourceFile['head'] = 'gguf', extra = false): PlannedFile => ({
    path: join(DIR, path),
    real: join(DIR, path),
    rel: '',
    size: 1,
    head,
    instruction: 'FROM',
    arg: path,
    extra,
  });

  it('names one file by its base name, several relative to their deepest common folder', () => {
    assert.deepEqual(assignRelativeNames([planned('x/y/m.gguf')]).map((f) => f.rel), ['m.gguf']);
    assert.deepEqual(assignRelativeNames([planned('x/y/m.gguf'), planned('x/z/p.gguf')]).map((f) => f.rel), ['y/m.gguf', 'z/p.gguf']);
    assert.deepEqual(assignRelativeNames([planned('x/m.gguf'), planned('x/p.gguf')]).map((f) => f.rel), ['m.gguf', 'p.gguf']);
  });

  it('accepts GGUF sets and refuses the rest with Ollama\'s words', () => {
    requireGgufSet(assignRelativeNames([planned('m.bin', 'gguf')]));
    throws(() => requireGgufSet(assignRelativeNames([planned('m.bin', 'binary')])), ModelfileInvalid, /^unknown type: FROM m\.bin is neither GGUF nor safetensors/);
    throws(() => requireGgufSet(assignRelativeNames([planned('m.gguf'), planned('n.gguf', 'text')])), ModelfileInvalid, /^supplied file was not in GGUF format: n\.gguf/);
    throws(() => requireGgufSet(assignRelativeNames([planned('m.pth', 'zip')])), Error, /holds PyTorch weights/);
    throws(() => requireGgufSet(assignRelativeNames([planned('m.gguf'), planned('m.safetensors', 'binary')])), Error, /holds safetensors weights/);
  });
});
