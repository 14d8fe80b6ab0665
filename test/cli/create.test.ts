// `modelfile create` end to end: the bundled CLI when it has the command (in-process otherwise), then the result
// checked the way `list` sees it — manifest, config and the cache's own listing — plus --json, stdin, the models
// directory from OLLAMA_MODELS, clear errors with exit code 1, and Ctrl-C leaving no model behind.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listModels } from '../../core/cache';
import { writeGgufFile } from '../helpers/gguf-writer';
import { gguf, hasLibraryManifest, put, readBlob, readLibraryManifest, strayFiles, workspace, type Workspace } from '../helpers/create-fixtures';
import { runCreate } from '../helpers/create-cli';

let ws: Workspace;
beforeEach(() => {
  ws = workspace();
});
afterEach(() => ws.cleanup());

describe('modelfile create', () => {
  it('creates a model that list reports, with plain progress on stderr and a summary on stdout', async () => {
    await writeGgufFile(
      join(ws.src, 'llama.gguf'),
      { kv: [['general.architecture', 'string', 'llama'], ['general.file_type', 'uint32', 15]], tensors: [{ name: 'w', dims: [1000, 1000] }] },
      { padToBytes: 4_100_000 },
    );
    put(ws.src, { 'Modelfile': 'FROM ./llama.gguf\nSYSTEM You are terse.\nPARAMETER temperature 0.2\n' });
    const run = await runCreate(['my-llama', '--models', ws.models], { cwd: ws.src });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^created my-llama:latest {2}ID [0-9a-f]{12} {2}\d/);
    assert.match(run.stderr, /^parsing modelfile$/m);
    assert.match(run.stderr, /^llama\.gguf: [0-9a-f]{12} .* \(written\)$/m);
    assert.match(run.stderr, /^writing manifest$/m);
    assert.doesNotMatch(run.stderr, /\x1b\[/, 'no terminal codes when stderr is not a terminal');
    assert.doesNotMatch(run.stderr, new RegExp(ws.root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), 'no paths in the log');

    const { raw, json } = readLibraryManifest(ws.models, 'my-llama');
    assert.ok(run.stdout.includes(createHash('sha256').update(raw).digest('hex').slice(0, 12)));
    assert.deepEqual(json.layers.map((l) => l.mediaType.split('.').pop()), ['model', 'system', 'params']);
    assert.equal(readBlob(ws.models, json.layers[2].digest).toString(), '{"temperature":0.2}\n');

    const { models } = await listModels(ws.models);
    assert.equal(models.length, 1);
    assert.equal(models[0].name, 'my-llama:latest');
    assert.equal(models[0].family, 'llama');
    assert.equal(models[0].parameterSize, '1M');
    assert.equal(models[0].quantization, 'Q4_K_M');
    assert.equal(models[0].format, 'gguf');
    assert.equal(models[0].parentModel, '');
    assert.equal(models[0].id, createHash('sha256').update(raw).digest('hex'));
  });

  it('--json prints name, digest and layers; -f - reads standard input; OLLAMA_MODELS picks the directory', async () => {
    put(ws.src, { 'm.gguf': gguf({ arch: 'phi3' }) });
    const run = await runCreate(['me/tiny:v1', '-f', '-', '--json'], {
      cwd: ws.src,
      input: 'FROM m.gguf\nLICENSE MIT\n',
      env: { OLLAMA_MODELS: ws.models },
    });
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { name: string; digest: string; layers: Array<{ mediaType: string; digest: string; size: number }> };
    assert.deepEqual(Object.keys(out), ['name', 'digest', 'layers']);
    assert.equal(out.name, 'me/tiny:v1');
    const manifest = join(ws.models, 'manifests/registry.ollama.ai/me/tiny/v1');
    const raw = readFileSync(manifest);
    assert.equal(out.digest, createHash('sha256').update(raw).digest('hex'));
    assert.deepEqual(out.layers, JSON.parse(raw.toString()).layers);
  });

  it('builds on a created model', async () => {
    put(ws.src, { 'm.gguf': gguf(), 'Base': 'FROM m.gguf\nSYSTEM base\n', 'Child': 'FROM base\nPARAMETER num_ctx 8192\n' });
    assert.equal((await runCreate(['base', '-f', 'Base', '--models', ws.models], { cwd: ws.src })).code, 0);
    const child = await runCreate(['child', '-f', 'Child', '--models', '../models'], { cwd: ws.src });
    assert.equal(child.code, 0, child.stderr);
    assert.match(child.stderr, /^model \(base:latest\): [0-9a-f]{12} .* \(already present\)$/m);
    const { json } = readLibraryManifest(ws.models, 'child');
    assert.deepEqual(json.layers.map((l) => l.from), ['base:latest', 'base:latest', undefined]);
  });

  it('fails with one clear line and exit code 1', async () => {
    put(ws.src, { 'm.gguf': gguf(), 'Bad': 'FROM m.gguf\nPARAMETER temprature 1\n', 'Missing': 'FROM 127.0.0.1:9/library/missing\n' });
    const cases: Array<[string[], RegExp]> = [
      [['x', '-f', 'nope'], /^Error: no Modelfile at nope: create one, or name it with -f FILE$/m],
      [['x'], /^Error: no Modelfile at Modelfile: /m],
      [['x', '-f', 'Bad'], /^Error: unknown parameter 'temprature'$/m],
      // Not cached, so create pulls it first; nothing listens on the discard port of the loopback address.
      [['x', '-f', 'Missing', '--insecure'], /^Error: .*127\.0\.0\.1:9.*(refused|failed)/m],
      [['bad name!', '-f', 'Bad'], /^Error: invalid model name "bad name!"/m],
    ];
    for (const [argv, pattern] of cases) {
      const run = await runCreate([...argv, '--models', ws.models], { cwd: ws.src });
      assert.equal(run.code, 1, argv.join(' '));
      assert.match(run.stderr, pattern);
      assert.equal(run.stdout, '');
    }
    const usage = await runCreate([], { cwd: ws.src });
    assert.equal(usage.code, 2);
  });

  it('Ctrl-C cancels cleanly: exit 1, no manifest, no temp files', async () => {
    await writeGgufFile(join(ws.src, 'big.gguf'), { kv: [['general.architecture', 'string', 'llama']], tensors: [{ name: 'w', dims: [8] }] }, { padToBytes: 1024 * 1024 * 1024 });
    put(ws.src, { 'Modelfile': 'FROM big.gguf\n' });
    const controller = new AbortController();
    const pending = runCreate(['big', '--models', ws.models], { cwd: ws.src, signal: controller.signal });
    // Wait until the copy has started (the temp blob exists), then interrupt.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !strayFiles(ws.models).some((p) => p.startsWith('blobs/.tmp-'))) {
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort();
    const run = await pending;
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^Error: create cancelled$/m);
    assert.equal(hasLibraryManifest(ws.models, 'big'), false);
    assert.deepEqual(strayFiles(ws.models), []);
  });

  it('draws bars with rate and ETA when stderr is a terminal', async () => {
    await writeGgufFile(join(ws.src, 'big.gguf'), { kv: [['general.architecture', 'string', 'llama']], tensors: [{ name: 'w', dims: [8] }] }, { padToBytes: 400 * 1024 * 1024 });
    put(ws.src, { 'Modelfile': 'FROM big.gguf\n' });
    const run = await runCreate(['big', '--models', ws.models], { cwd: ws.src, tty: true, inProcess: true });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /\x1b\[2Kcopying big\.gguf +\[█* *\] +\d+%/);
    assert.match(run.stderr, /big\.gguf: [0-9a-f]{12} 419 MB \(written\)/);
  });
});
