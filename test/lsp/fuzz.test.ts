// A seeded fuzz run over the protocol: thousands of random incremental edits (Modelfile syntax, quotes, template
// actions, CR/LF, astral and invisible characters) streamed into one open document, with a request of every kind in
// between. The server must never crash or log an error, must answer every request, and must end with exactly the
// text the client has (checked by comparing its formatting edits with the formatter run on the client's copy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModelfile } from '../../core/modelfile';
import { formatModelfile } from '../../server/features/formatting';
import { applyEdits, type Position, type Range } from './driver';
import { startSession } from './helpers';

const EDITS = Number(process.env.LSP_FUZZ_EDITS ?? 3000);
const SEED = Number(process.env.LSP_FUZZ_SEED ?? 0x5eed);

/** mulberry32: a small seeded generator. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'FROM ', 'from ', 'PARAMETER ', 'temperature ', 'stop ', 'num_ctx 4096', 'MESSAGE user ', 'MESSAGE User ', 'SYSTEM ',
  'TEMPLATE """', '"""', '"', "'", '\n', '\r\n', '\r', '{{', '}}', '{{ .Prompt }}', '{{ range .Messages }}', '{{ end }}',
  '{{ if', ' .', '$', '#', '# modelfile-ignore MF010', ' ', '  ', '\t', 'é', '😀', '\ud83d', '\u200b', '\u00a0', '\u0000',
  'x', 'llama3.2', './model.gguf', '~/m', '0.7', 'true', 'ADAPTER ', 'REQUIRES 0.1.0', 'DRAFT ', 'LICENSE """MIT',
];

const SEED_TEXT = [
  '# fuzz',
  'FROM llama3.2',
  'PARAMETER temperature 0.7',
  'PARAMETER stop "<|eot_id|>"',
  'TEMPLATE """{{ if .System }}<|system|>{{ .System }}{{ end }}',
  '{{ range .Messages }}{{ .Role }}: {{ .Content }}{{ end }}"""',
  'SYSTEM You are a fuzzer.',
  'MESSAGE user hi',
  '',
].join('\n');

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10) starts.push(i + 1);
  }
  return starts;
}

/** The position of an offset; an offset inside a line break (between CR and LF) becomes the end of its line, as
 *  positions never point into a line break. */
function positionOf(text: string, offset: number): Position {
  const starts = lineStarts(text);
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1] <= offset) line++;
  let end = line + 1 < starts.length ? starts[line + 1] : text.length;
  while (end > starts[line] && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13)) end--;
  return { line, character: Math.min(offset, end) - starts[line] };
}

test(`fuzz: ${EDITS} random incremental edits never crash the server`, { timeout: 240_000 }, async () => {
  const session = await startSession();
  const rand = random(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const uri = session.uri();
  let text = SEED_TEXT;
  let version = 1;
  try {
    await session.openAndWait(text);
    for (let i = 0; i < EDITS; i++) {
      const changes: { range: Range; text: string }[] = [];
      const count = rand() < 0.1 ? 3 : 1;
      for (let c = 0; c < count; c++) {
        // A position inside the text, possibly between a CR and its LF or inside a surrogate pair.
        const start = Math.floor(rand() * (text.length + 1));
        const roll = rand();
        const end = roll < 0.4 ? start : Math.min(text.length, start + Math.floor(rand() * 12));
        const insert = roll < 0.8 ? Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(PIECES)).join('') : '';
        const range = { start: positionOf(text, start), end: positionOf(text, end) };
        const applied = applyEdits(text, [{ range, newText: insert }]);
        changes.push({ range, text: insert });
        text = applied;
      }
      version++;
      session.driver.change(uri, version, changes);
      if (text.length > 20_000) {
        text = SEED_TEXT;
        version++;
        session.driver.change(uri, version, [{ text }] as never);
      }
      if (i % 97 === 0) {
        const at = positionOf(text, Math.floor(rand() * (text.length + 1)));
        const method = pick([
          'textDocument/hover',
          'textDocument/completion',
          'textDocument/documentSymbol',
          'textDocument/foldingRange',
          'textDocument/semanticTokens/full',
          'textDocument/documentLink',
          'textDocument/codeAction',
          'textDocument/definition',
        ]);
        const params: Record<string, unknown> = { textDocument: { uri }, position: at };
        if (method === 'textDocument/codeAction') Object.assign(params, { range: { start: at, end: at }, context: { diagnostics: [] } });
        await session.driver.request(method, params, 15_000);
      }
    }
    const last = await session.driver.waitForDiagnostics(uri, (p) => p.version === version, { timeoutMs: 30_000 });
    assert.equal(last.version, version);
    const edits = await session.driver.request<{ range: Range; newText: string }[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    assert.deepEqual(edits, formatModelfile(parseModelfile(text)), 'the server holds the same text as the client');
    assert.equal(session.driver.child!.exitCode, null, 'the server is still running');
    const errors = session.driver.notifications.filter((n) => n.method === 'window/logMessage' && (n.params as { type: number }).type === 1);
    assert.deepEqual(errors.map((e) => (e.params as { message: string }).message), []);
  } finally {
    await session.close();
  }
});
