// `modelfile create` with a FROM model that is not in the models directory: the base is pulled from its registry
// (a real docker-registry on 127.0.0.1) first, then the new model is derived from it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { parseArgs } from '../../cli/args';
import type { CliContext } from '../../cli/context';
import { createCommand } from '../../cli/commands/create';
import { gguf } from '../helpers/create-fixtures';
import { Cleanup, makeTempDir, seedModel, startRegistry, type RunningRegistry, type SeededModel } from './harness';

const cleanup = new Cleanup();
after(() => cleanup.run());

async function create(argv: string[], modelfile: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t), isTTY: false },
    stdin: Readable.from([Buffer.from(modelfile)]),
    cwd,
    env: {},
    signal: new AbortController().signal,
  };
  try {
    const code = await createCommand.run(parseArgs(createCommand.spec, argv), context);
    return { code, stdout, stderr };
  } catch (error) {
    return { code: 1, stdout, stderr: `${stderr}${(error as Error).name}: ${(error as Error).message}` };
  }
}

describe('create pulls a missing base model', () => {
  let registry: RunningRegistry;
  let base: SeededModel;

  before(async () => {
    registry = await startRegistry();
    cleanup.add(() => registry.stop());
    base = await seedModel(registry.url, 'team/base', 'v1', [
      { data: Buffer.from(gguf({ arch: 'llama', fileType: 15 })) },
      { data: Buffer.from('{{ .Prompt }}'), mediaType: 'application/vnd.ollama.image.template' },
    ]);
  });

  test('FROM host/team/base:v1 is pulled, then the new model reuses its layers', async () => {
    const dir = makeTempDir('modelfile-create-pull-');
    cleanup.add(() => dir.remove());
    const models = join(dir.path, 'models');
    const result = await create(['derived', '-f', '-', '--insecure', '--models', models], `FROM ${registry.host}/team/base:v1\nSYSTEM Be brief.\n`, dir.path);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /pulling .*team\/base:v1, which is not in the models directory/);
    assert.match(result.stdout, /^created derived:latest/);

    const pulled = join(models, 'manifests', registry.host, 'team', 'base', 'v1');
    assert.deepEqual(readFileSync(pulled), base.manifest, 'the base manifest is stored exactly as received');
    for (const layer of base.layers) assert.ok(existsSync(join(models, 'blobs', layer.digest.replace(':', '-'))), layer.digest);

    const derived = JSON.parse(readFileSync(join(models, 'manifests', 'registry.ollama.ai', 'library', 'derived', 'latest'), 'utf8')) as {
      layers: Array<{ mediaType: string; digest: string; from?: string }>;
    };
    const modelLayer = derived.layers.find((l) => l.mediaType === 'application/vnd.ollama.image.model');
    assert.equal(modelLayer?.digest, base.layers[0].digest);
    assert.equal(modelLayer?.from, `${registry.host}/team/base:v1`);
    assert.ok(derived.layers.some((l) => l.mediaType === 'application/vnd.ollama.image.system'));
  });

  test('without --insecure a plain-http registry is not used, and nothing is created', async () => {
    const dir = makeTempDir('modelfile-create-pull-');
    cleanup.add(() => dir.remove());
    const models = join(dir.path, 'models');
    const result = await create(['derived', '-f', '-', '--models', models], `FROM ${registry.host}/team/base:v1\n`, dir.path);
    assert.equal(result.code, 1);
    assert.equal(existsSync(join(models, 'manifests', 'registry.ollama.ai', 'library', 'derived')), false);
  });

  test('a base model the registry does not have gives a clear error', async () => {
    const dir = makeTempDir('modelfile-create-pull-');
    cleanup.add(() => dir.remove());
    const models = join(dir.path, 'models');
    const result = await create(['derived', '-f', '-', '--insecure', '--models', models], `FROM ${registry.host}/team/nothing:v1\n`, dir.path);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /nothing/);
    assert.match(result.stderr, /not found/);
  });
});
