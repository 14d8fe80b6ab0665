// The demo back end of `npm start` (bundled to out/scripts/demo-env.js by `scripts/build.mjs --demo`): builds the
// offline demo world of test/e2e/demoEnvironment.ts — a fresh models directory with a ready model, a local registry
// holding a pullable model, the GGUF files the demo workspace refers to — prints one line
// `MODELFILE-DEMO-READY {json}` and keeps the registry running until SIGINT/SIGTERM or until its stdin closes
// (the parent went away). Lines `stop-group <pgid>` on stdin name process groups of the parent's (code-server) that
// are sent SIGTERM when stdin closes, so that nothing outlives a launcher that was killed outright.
// Usage: node out/scripts/demo-env.js --dir <folder> [--workspace <folder>] [--model-mib N] [--pace-mib N]
import { startDemoEnvironment, type DemoEnvironment } from '../test/e2e/demoEnvironment';

const READY_PREFIX = 'MODELFILE-DEMO-READY ';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

function numberOption(name: string, fallback: number): number {
  const text = option(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`demo-env: ${name} needs a number, got ${text}`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const dir = option('--dir');
  if (dir === undefined) {
    console.error('Usage: demo-env --dir <folder> [--workspace <folder>] [--model-mib N] [--pace-mib N]');
    process.exit(2);
  }
  const workspace = option('--workspace');
  const mib = 1024 * 1024;
  const pace = numberOption('--pace-mib', 16);
  const env: DemoEnvironment = await startDemoEnvironment({
    dir,
    ...(workspace !== undefined ? { workspace } : {}),
    modelBytes: Math.round(numberOption('--model-mib', 48) * mib),
    ...(pace > 0 ? { paceBytesPerSecond: pace * mib } : {}),
    log: (line) => console.error(`demo: ${line}`),
  });

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void env.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);

  const groups = new Set<number>();
  let pending = '';
  const parentGone = (): void => {
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    stop();
  };
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^stop-group (\d+)$/.exec(line.trim());
      if (match?.[1] !== undefined && Number(match[1]) > 1) groups.add(Number(match[1]));
    }
  });
  process.stdin.on('end', parentGone);
  process.stdin.on('error', parentGone);

  const ready = {
    modelsDir: env.modelsDir,
    registryHost: env.registryHost,
    pullName: env.pullName,
    localModel: env.localModel,
    modelBytes: env.modelBytes,
    paceMiBPerSecond: pace,
  };
  process.stdout.write(READY_PREFIX + JSON.stringify(ready) + '\n');
}

main().catch((error: unknown) => {
  console.error(`demo-env: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
