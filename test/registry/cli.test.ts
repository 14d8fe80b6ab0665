// `modelfile pull` and `modelfile push` against a real docker-registry, run in-process through their CliCommand
// (the same code the bundled binary runs): plain and terminal progress, --json lines, --insecure and http://
// names, credentials from --user/--password-stdin, Ctrl-C leaving a resumable pull with a resume hint, exit codes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { UsageError, formatHelp, parseArgs } from '../../cli/args';
import type { CliCommand } from '../../cli/command';
import type { CliContext } from '../../cli/context';
import { pullCommand } from '../../cli/commands/pull';
import { pushCommand } from '../../cli/commands/push';
import { Cleanup, blobSums, makeLocalModel, makeTempDir, seedModel, startFaultProxy, startRegistry, type FaultProxy, type RunningRegistry, type SeededModel } from './harness';

const cleanup = new Cleanup();
after(() => cleanup.run());

function bytes(n: number, seed: number): Buffer {
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

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  command: CliCommand,
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; signal?: AbortSignal; stdin?: string; tty?: boolean } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t), isTTY: options.tty ?? false, columns: 100 },
    stdin: Readable.from([Buffer.from(options.stdin ?? '')]),
    cwd: process.cwd(),
    env: options.env ?? {},
    signal: options.signal ?? new AbortController().signal,
  };
  const code = await command.run(parseArgs(command.spec, argv), context);
  return { code, stdout, stderr };
}

function freshDir(): string {
  const dir = makeTempDir('modelfile-cli-');
  cleanup.add(() => dir.remove());
  return dir.path;
}

describe('modelfile pull / push', () => {
  let registry: RunningRegistry;
  let slow: FaultProxy;
  let model: SeededModel;
  let modelsDir: string;

  before(async () => {
    registry = await startRegistry();
    cleanup.add(() => registry.stop());
    model = await seedModel(registry.url, 'library/cli', 'latest', [
      { data: bytes(1_500_000, 1) },
      { data: Buffer.from('{{ .Prompt }}'), mediaType: 'application/vnd.ollama.image.template' },
    ]);
    slow = await startFaultProxy({ upstream: registry.url, bytesPerSecond: 1_000_000 });
    cleanup.add(() => slow.stop());
  });

  beforeEach(() => {
    modelsDir = freshDir();
  });

  test('pull with plain progress lines, a summary on stdout and exit code 0', async () => {
    const r = await run(pullCommand, [`${registry.host}/library/cli`, '--insecure', '--models', modelsDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^pulled ${registry.host.replace(/\./g, '\\.')}/library/cli:latest  ID ${model.manifestDigest.slice(7, 19)}  1\\.5 MB  \\(1\\.5 MB downloaded\\)\\n$`));
    const lines = r.stderr.split('\n');
    assert.equal(lines[0], 'pulling manifest');
    assert.ok(lines.includes(`model: ${model.layers[0].digest.slice(7, 19)} 1.5 MB (downloaded)`), r.stderr);
    assert.ok(lines.includes('success'));
    assert.doesNotMatch(r.stderr, /\x1b\[/);
    assert.deepEqual(readFileSync(join(modelsDir, 'manifests', registry.host, 'library', 'cli', 'latest')), model.manifest);

    const again = await run(pullCommand, [`${registry.host}/library/cli`, '--insecure', '--models', modelsDir]);
    assert.equal(again.code, 0);
    assert.match(again.stderr, /\(already present\)/);
    assert.match(again.stdout, /\(0 B downloaded\)/);
  });

  test('on a terminal: bars redrawn in place, with rate and ETA', async () => {
    const r = await run(pullCommand, [`${slow.host}/library/cli`, '--insecure', '--models', modelsDir], { tty: true });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\x1b\[\d+F/);
    assert.match(r.stderr, /downloading model +\[█* *\] +\d+%  [\d.]+ [KM]B\/1\.5 MB  [\d.]+ [KM]B\/s  ETA \d+s/);
  });

  test('--json: Ollama-style progress lines, then the result', async () => {
    const r = await run(pullCommand, [`${registry.host}/library/cli`, '--insecure', '--models', modelsDir, '--json']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines[0], { status: 'pulling manifest' });
    const layer = lines.find((l) => l.digest === model.layers[0].digest && l.completed === l.total);
    assert.deepEqual(layer, { status: `pulling ${model.layers[0].digest.slice(7, 19)}`, digest: model.layers[0].digest, total: 1_500_000, completed: 1_500_000 });
    const last = lines[lines.length - 1];
    assert.equal(last.status, 'success');
    assert.equal(last.id, model.manifestDigest.slice(7));
  });

  test('http:// names need --insecure; a plain-http registry is not spoken to as https by mistake', async () => {
    const refused = await run(pullCommand, [`http://${registry.host}/library/cli:latest`, '--models', modelsDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^Error: insecure protocol http: .* add --insecure/);
    const ok = await run(pullCommand, [`http://${registry.host}/library/cli:latest`, '--insecure', '--models', modelsDir]);
    assert.equal(ok.code, 0, ok.stderr);
    const tls = await run(pullCommand, [`${registry.host}/library/cli`, '--models', modelsDir]);
    assert.equal(tls.code, 1);
    assert.match(tls.stderr, /^Error: connection to .* failed: it does not speak https .*allow insecure http for it \(the --insecure option/m);
    const json = await run(pullCommand, [`${registry.host}/library/nothing`, '--insecure', '--models', modelsDir, '--json']);
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout.trim().split('\n').pop() ?? '{}') as { code?: string }).code, 'ModelNotFound');
  });

  test('Ctrl-C leaves a resumable pull and says how to resume; the next run resumes it', async () => {
    const controller = new AbortController();
    slow.bytes.toClient = 0;
    const timer = setInterval(() => {
      if (slow.bytes.toClient > 500_000) controller.abort();
    }, 20);
    const r = await run(pullCommand, [`${slow.host}/library/cli`, '--insecure', '--streams', '1', '--models', modelsDir], { signal: controller.signal });
    clearInterval(timer);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /pull of .*library\/cli:latest interrupted: [\d.]+ [KM]B of 1\.5 MB is kept; run `modelfile pull .*library\/cli` again \(with the same options\) to resume/);
    assert.equal(existsSync(join(modelsDir, 'manifests')), false);
    const resumed = await run(pullCommand, [`${registry.host}/library/cli`, '--insecure', '--models', modelsDir]);
    assert.equal(resumed.code, 0);
    const downloaded = /\(([\d.]+) (KB|MB) downloaded\)/.exec(resumed.stdout);
    assert.ok(downloaded && Number(downloaded[1]) * (downloaded[2] === 'MB' ? 1e6 : 1e3) < 1_300_000, resumed.stdout);
  });

  test('push: summary, --json, and a clear error for a model that is not there', async () => {
    await makeLocalModel(modelsDir, `${registry.host}/me/pushed:v1`, [{ data: bytes(300_000, 2) }]);
    const r = await run(pushCommand, [`${registry.host}/me/pushed:v1`, '--insecure', '--models', modelsDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^pushed .*\/me\/pushed:v1  sha256:[0-9a-f]{64}  \(2 uploaded, 0 already there\)\n$/);
    assert.deepEqual(r.stderr.split('\n').filter((l) => !/^(uploading )?(model|config)\b/.test(l)), ['retrieving manifest', 'pushing manifest', 'success', '']);
    assert.match(r.stderr, /^uploading model \(300 KB\)$/m);
    assert.match(r.stderr, /model: [0-9a-f]{12} 300 KB \(pushed\)/);

    const json = await run(pushCommand, [`${registry.host}/me/pushed:v1`, '--insecure', '--models', modelsDir, '--json']);
    assert.equal(json.code, 0);
    const last = JSON.parse(json.stdout.trim().split('\n').pop() ?? '{}') as { existing?: string[]; uploaded?: string[] };
    assert.equal(last.existing?.length, 2);
    assert.deepEqual(last.uploaded, []);

    const missing = await run(pushCommand, [`${registry.host}/me/absent`, '--insecure', '--models', modelsDir]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^Error: model '.*me\/absent:latest' not found/m);
  });

  test('options are checked: --streams range, --user needs a password, --help lists the options', async () => {
    await assert.rejects(run(pullCommand, ['m', '--streams', '0', '--models', modelsDir]), UsageError);
    await assert.rejects(run(pushCommand, [`${registry.host}/me/x`, '--user', 'me', '--models', modelsDir]), /needs a password/);
    await assert.rejects(run(pushCommand, [`${registry.host}/me/x`, '--password-stdin', '--models', modelsDir]), /needs --user/);
    for (const command of [pullCommand, pushCommand]) {
      const help = formatHelp(command.spec);
      for (const flag of ['--insecure', '--models', '--json', '--user', '--password-stdin']) assert.ok(help.includes(flag), `${command.spec.name} ${flag}`);
      assert.match(help, /MODELFILE_REGISTRY_AUTH_<HOST>/);
    }
    assert.match(formatHelp(pullCommand.spec), /--streams N/);
  });
});

describe('modelfile push with credentials', () => {
  let registry: RunningRegistry;

  before(async () => {
    registry = await startRegistry({ htpasswd: { erin: 'er1n-pw' } });
    cleanup.add(() => registry.stop());
  });

  test('--user with --password-stdin, or the per-host environment variable; no credentials: exit 1 with advice', async () => {
    const modelsDir = freshDir();
    await makeLocalModel(modelsDir, `${registry.host}/erin/m:latest`, [{ data: bytes(5000, 3) }]);
    const denied = await run(pushCommand, [`${registry.host}/erin/m`, '--insecure', '--models', modelsDir]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /not authorized to push to erin/);

    const flags = await run(pushCommand, [`${registry.host}/erin/m`, '--insecure', '--user', 'erin', '--password-stdin', '--models', modelsDir], { stdin: 'er1n-pw\n' });
    assert.equal(flags.code, 0, flags.stderr);
    assert.doesNotMatch(flags.stderr + flags.stdout, /er1n-pw/);

    const pulled = freshDir();
    const envVar = `MODELFILE_REGISTRY_AUTH_${registry.host.replace(/[^0-9]/g, '_')}`;
    const viaEnv = await run(pullCommand, [`${registry.host}/erin/m`, '--insecure', '--models', pulled], { env: { [envVar]: 'erin:er1n-pw' } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.deepEqual(blobSums(pulled), blobSums(modelsDir));
  });
});
