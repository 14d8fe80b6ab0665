// Benchmark: the language server over stdio, next to dockerfile-language-server-nodejs in the same run and through
// the same JSON-RPC driver. Each server opens a 5,000-line document (a Modelfile; a Dockerfile of the same size
// and instruction mix), takes 200 single-character incremental edits, each timed until its diagnostics arrive,
// then answers 100 completion requests. Prints median and p95, the ratio ours/theirs (goal at p95: ≤ 0.25) and
// both servers' resident memory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { LspDriver } from '../test/lsp/driver';

const LINES = 5000;
const EDITS = 200;
const COMPLETIONS = 100;
const WARM_UP = 20;

function modelfile(count: number): string[] {
  const lines = ['FROM llama3.2:latest', 'TEMPLATE """{{ if .System }}<|system|>{{ .System }}{{ end }}{{ range .Messages }}<|{{ .Role }}|>{{ .Content }}{{ end }}"""'];
  const params = ['temperature 0.7', 'top_p 0.9', 'top_k 40', 'num_ctx 8192', 'stop "<|eot_id|>"', 'repeat_penalty 1.1', 'seed 42'];
  for (let i = lines.length; i < count; i++) {
    switch (i % 5) {
      case 0:
        lines.push(`PARAMETER ${params[i % params.length]}`);
        break;
      case 1:
        lines.push(`MESSAGE user What is item number ${i} in the list of things to do today?`);
        break;
      case 2:
        lines.push(`MESSAGE assistant Item ${i} is to write the report and send it before noon.`);
        break;
      case 3:
        lines.push(`# note ${i}: keep this example short and clear for the reader`);
        break;
      default:
        lines.push(`LICENSE "Licensed for evaluation, entry ${i}"`);
    }
  }
  return lines;
}

function dockerfile(count: number): string[] {
  const lines = ['FROM debian:bookworm', 'RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl git && rm -rf /var/lib/apt/lists/*'];
  for (let i = lines.length; i < count; i++) {
    switch (i % 5) {
      case 0:
        lines.push(`ENV SETTING_${i}=value${i}`);
        break;
      case 1:
        lines.push(`LABEL item${i}="What is item number ${i} in the list of things to do today"`);
        break;
      case 2:
        lines.push(`RUN echo "Item ${i} is to write the report and send it before noon"`);
        break;
      case 3:
        lines.push(`# note ${i}: keep this example short and clear for the reader`);
        break;
      default:
        lines.push(`EXPOSE ${1000 + (i % 60000)}`);
    }
  }
  return lines;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

interface Figures {
  name: string;
  open: number;
  diagnostics: number[];
  completion: number[];
  rssKiB: number | undefined;
  peakKiB: number | undefined;
}

async function measure(name: string, args: string[], uri: string, lines: string[], languageId: string, env: NodeJS.ProcessEnv): Promise<Figures> {
  const driver = LspDriver.spawnNode(args, { env });
  driver.settings = { modelfileStudio: {}, docker: { languageserver: { diagnostics: {}, formatter: {} } } };
  try {
    await driver.initialize();
    const text = lines.join('\n') + '\n';
    let start = performance.now();
    const opened = driver.waitForNotification('textDocument/publishDiagnostics', (p: { uri: string }) => p.uri === uri, 30_000);
    driver.open(uri, text, 1, languageId);
    await opened;
    const open = performance.now() - start;
    // A fixed walk over the middle of the document: insert one character, then delete it again.
    const diagnostics: number[] = [];
    let version = 1;
    const spot = (i: number): { line: number; character: number } => {
      const line = 3 + ((i * 7919) % (lines.length - 6));
      return { line, character: Math.min(lines[line].length, 12) };
    };
    for (let i = 0; i < WARM_UP + EDITS; i++) {
      const at = spot(i - (i % 2));
      const change =
        i % 2 === 0
          ? { range: { start: at, end: at }, text: 'x' }
          : { range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' };
      version++;
      start = performance.now();
      const published = driver.waitForNotification('textDocument/publishDiagnostics', (p: { uri: string }) => p.uri === uri, 30_000);
      driver.change(uri, version, [change]);
      await published;
      if (i >= WARM_UP) diagnostics.push(performance.now() - start);
    }
    const completion: number[] = [];
    for (let i = 0; i < WARM_UP + COMPLETIONS; i++) {
      // At the start of a line: keyword completion in both languages.
      const line = 3 + ((i * 104729) % (lines.length - 6));
      start = performance.now();
      await driver.request('textDocument/completion', { textDocument: { uri }, position: { line, character: 0 } }, 30_000);
      if (i >= WARM_UP) completion.push(performance.now() - start);
    }
    return { name, open, diagnostics, completion, rssKiB: driver.rssKiB(), peakKiB: driver.peakRssKiB() };
  } finally {
    await driver.stop();
  }
}

function row(label: string, values: number[]): string {
  return `${label.padEnd(22)} median ${percentile(values, 50).toFixed(2).padStart(7)} ms   p95 ${percentile(values, 95).toFixed(2).padStart(7)} ms`;
}

async function main(): Promise<void> {
  const root = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'mf-lsp-bench-'));
  const env = { ...process.env, HOME: dir, OLLAMA_MODELS: join(dir, 'models') };
  try {
    const ours = await measure('modelfile-studio', [join(root, 'dist', 'server.js'), '--stdio'], pathToFileURL(join(dir, 'Modelfile')).href, modelfile(LINES), 'modelfile', env);
    const theirs = await measure(
      'docker-langserver',
      [join(root, 'node_modules', 'dockerfile-language-server-nodejs', 'bin', 'docker-langserver'), '--stdio'],
      pathToFileURL(join(dir, 'Dockerfile')).href,
      dockerfile(LINES),
      'dockerfile',
      env,
    );
    console.log(`${LINES}-line document, ${EDITS} single-character edits, ${COMPLETIONS} completions (after ${WARM_UP} warm-up each)\n`);
    for (const figures of [ours, theirs]) {
      console.log(`${figures.name}`);
      console.log(`  open → diagnostics      ${figures.open.toFixed(1)} ms`);
      console.log(`  ${row('edit → diagnostics', figures.diagnostics)}`);
      console.log(`  ${row('completion', figures.completion)}`);
      console.log(`  memory                 RSS ${((figures.rssKiB ?? 0) / 1024).toFixed(1)} MiB, peak ${((figures.peakKiB ?? 0) / 1024).toFixed(1)} MiB\n`);
    }
    const ratio = (a: number[], b: number[], p: number): string => (percentile(a, p) / percentile(b, p)).toFixed(2);
    console.log(`ratio ours/theirs, edit → diagnostics: median ${ratio(ours.diagnostics, theirs.diagnostics, 50)}×, p95 ${ratio(ours.diagnostics, theirs.diagnostics, 95)}× (goal ≤ 0.25× at p95)`);
    console.log(`ratio ours/theirs, completion:         median ${ratio(ours.completion, theirs.completion, 50)}×, p95 ${ratio(ours.completion, theirs.completion, 95)}×`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
