// Crash safety of create: a child process creates a model from a large (sparse) GGUF and is killed with SIGKILL at
// random moments of the copy. Afterwards no manifest exists for it, every manifest present references complete
// blobs, and what is left over (temp files, the dead process's lock and pins, unreferenced blobs) is exactly what
// prune removes. This file is also the child: with MF_CREATE_KILL_CHILD set it runs one create and exits.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { collectReferences, prune } from '../../core/cache';
import { createModel } from '../../core/create';
import { writeGgufFile } from '../helpers/gguf-writer';
import { blobFile, hasLibraryManifest, put, gguf, strayFiles, tree, workspace, type Workspace } from '../helpers/create-fixtures';

const SIZE = 300 * 1024 * 1024;

interface ChildArgs {
  models: string;
  src: string;
  name: string;
}

function runChild(): void {
  const args = JSON.parse(process.env.MF_CREATE_KILL_ARGS ?? '{}') as ChildArgs;
  let copying = false;
  createModel({
    modelsDir: args.models,
    name: args.name,
    modelfile: `FROM big.gguf\nSYSTEM ${args.name}\n`,
    modelfileDir: args.src,
    onProgress: (event) => {
      if (event.kind === 'layer' && event.state === 'copying' && !copying) {
        copying = true;
        process.stdout.write('copying\n');
      }
      if (event.kind === 'writing-manifest') process.stdout.write('writing-manifest\n');
    },
  }).then(
    () => {
      process.stdout.write('done\n');
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    },
  );
}

interface ChildRun {
  lines: string[];
  signal: NodeJS.Signals | null;
  code: number | null;
  copyMs: number;
}

/** Starts the child; `killAfterMs` after it reports the copy started, SIGKILL (undefined: let it finish). */
function spawnChild(args: ChildArgs, killAfterMs: number | undefined): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [__filename], {
      env: { ...process.env, MF_CREATE_KILL_CHILD: '1', MF_CREATE_KILL_ARGS: JSON.stringify(args) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buffered = '';
    let copyStart = 0;
    let copyMs = 0;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let at;
      while ((at = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        lines.push(line);
        if (line === 'copying') {
          copyStart = Date.now();
          if (killAfterMs !== undefined) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        }
        if (line === 'writing-manifest') copyMs = Date.now() - copyStart;
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== null && code !== 0) reject(new Error(`child failed: ${stderr}`));
      else resolve({ lines, signal, code, copyMs });
    });
  });
}

/** Every manifest present parses and references complete blobs. */
async function assertManifestsComplete(models: string): Promise<void> {
  const references = await collectReferences(models);
  assert.deepEqual(references.warnings.filter((w) => !w.path.startsWith('.tmp-')), [], 'no invalid manifests');
  for (const manifest of references.manifests) {
    for (const layer of [...(manifest.config ? [manifest.config] : []), ...manifest.layers]) {
      assert.equal(statSync(blobFile(models, layer.digest)).size, layer.size, `${manifest.shortName}: ${layer.digest}`);
    }
  }
}

/** Leftovers are only what prune removes: temp files in blobs/ and manifests/, and our private folder. */
function assertOnlyPrunable(models: string): void {
  for (const path of strayFiles(models)) {
    assert.match(path, /^(blobs|manifests)\/\.tmp-[^/]+$/, `unexpected leftover ${path}`);
  }
}

if (process.env.MF_CREATE_KILL_CHILD === '1') {
  runChild();
} else {
  describe('SIGKILL during create', () => {
    let ws: Workspace;
    before(async () => {
      ws = workspace();
      await writeGgufFile(join(ws.src, 'big.gguf'), { kv: [['general.architecture', 'string', 'llama']], tensors: [{ name: 'w', dims: [16] }] }, { padToBytes: SIZE });
      put(ws.src, { 'small.gguf': gguf() });
      await createModel({ modelsDir: ws.models, name: 'keep', modelfile: 'FROM small.gguf\nSYSTEM keep\n', modelfileDir: ws.src });
    });
    after(() => ws.cleanup());

    it('leaves no manifest and only prunable leftovers, at random moments', { timeout: 300_000 }, async () => {
      const keepManifest = readFileSync(join(ws.models, 'manifests/registry.ollama.ai/library/keep/latest'));
      const full = await spawnChild({ models: ws.models, src: ws.src, name: 'full' }, undefined);
      assert.ok(full.lines.includes('done'));
      assert.equal(hasLibraryManifest(ws.models, 'full'), true);
      const window = Math.max(50, full.copyMs);
      let killedBeforeCommit = 0;
      for (let round = 0; round < 5; round++) {
        const name = `killed-${round}`;
        const delay = Math.floor(Math.random() * window * 0.9);
        const run = await spawnChild({ models: ws.models, src: ws.src, name }, delay);
        const committed = run.lines.includes('writing-manifest');
        if (!committed) {
          killedBeforeCommit++;
          assert.equal(run.signal, 'SIGKILL');
          assert.equal(hasLibraryManifest(ws.models, name), false, `${name}: killed after ${delay} ms`);
        }
        await assertManifestsComplete(ws.models);
        assertOnlyPrunable(ws.models);
        assert.deepEqual(readFileSync(join(ws.models, 'manifests/registry.ollama.ai/library/keep/latest')), keepManifest);
      }
      assert.ok(killedBeforeCommit > 0, 'at least one kill landed during the copy');

      // Everything left over is removed by prune; what stays is exactly the referenced blobs and the manifests.
      await prune(ws.models, { olderThanMs: 0 });
      assert.deepEqual(strayFiles(ws.models), []);
      const references = await collectReferences(ws.models);
      const blobs = tree(join(ws.models, 'blobs'));
      assert.deepEqual(blobs, [...references.digests].map((d) => d.replace(':', '-')).sort());
      await assertManifestsComplete(ws.models);
    });
  });
}
