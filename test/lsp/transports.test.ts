// Protocol tests of how the server is started and spoken to: dist/server.js with --socket=PORT and --node-ipc as
// well as --stdio, `modelfile lsp --stdio` from the CLI bundle, and UTF-8/UTF-32 position encodings when the client
// prefers them (UTF-16 otherwise).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { defaultClientCapabilities, LspDriver, streamTransport } from './driver';
import { cliPath, codesOf, serverPath, startSession, workspace, fileUri } from './helpers';
import { join } from 'node:path';

async function exercise(driver: LspDriver, uri: string): Promise<void> {
  const init = await driver.initialize();
  assert.equal(init.serverInfo?.name, 'modelfile-studio');
  const waiting = driver.waitForDiagnostics(uri, () => true, { fresh: true });
  driver.open(uri, 'FROM ./absent.gguf\nPARAMETER top_k x\n');
  assert.deepEqual(codesOf(await waiting), ['MF011', 'MF021']);
  const hover = await driver.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 12 } });
  assert.match(hover!.contents.value, /K most likely/);
}

test('--socket=PORT: the server connects to a port the client listens on', async () => {
  const dir = workspace();
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const child = spawn(process.execPath, [serverPath, `--socket=${port}`], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HOME: dir, OLLAMA_MODELS: join(dir, 'models') } });
  const [socket] = await accepted;
  server.close();
  const driver = new LspDriver(streamTransport(socket, socket), child);
  try {
    await exercise(driver, fileUri(join(dir, 'Modelfile')));
  } finally {
    await driver.stop();
  }
});

test('--node-ipc: the server speaks over the Node IPC channel', async () => {
  const dir = workspace();
  const driver = LspDriver.spawnNode([serverPath, '--node-ipc'], { env: { ...process.env, HOME: dir, OLLAMA_MODELS: join(dir, 'models') } });
  try {
    await exercise(driver, fileUri(join(dir, 'Modelfile')));
  } finally {
    assert.equal(await driver.stop(), 0);
  }
});

test('modelfile lsp --stdio runs the same server from the CLI', async () => {
  const dir = workspace();
  const driver = LspDriver.spawnNode([cliPath, 'lsp', '--stdio'], { env: { ...process.env, HOME: dir, OLLAMA_MODELS: join(dir, 'models') } });
  try {
    await exercise(driver, fileUri(join(dir, 'Modelfile')));
  } finally {
    assert.equal(await driver.stop(), 0);
  }
});

test('the server exits when the client closes standard input without exit', async () => {
  const dir = workspace();
  const driver = LspDriver.spawnNode([serverPath, '--stdio'], { env: { ...process.env, HOME: dir } });
  await driver.initialize();
  driver.child!.stdin!.end();
  const code = await driver.exited;
  assert.equal(code, 1);
});

// A line with characters of 1, 2, 3 and 4 bytes in UTF-8 (and a surrogate pair in UTF-16) before an error (MF005 on `x`).
const wide = 'SYSTEM "é€😀" x\nFROM m\n';

for (const [encoding, start, end] of [
  ['utf-16', 14, 15],
  ['utf-8', 19, 20],
  ['utf-32', 13, 14],
] as const) {
  test(`position encoding ${encoding}: diagnostics, hover and incremental changes in ${encoding} columns`, async () => {
    const capabilities = { ...defaultClientCapabilities(), general: { positionEncodings: [encoding, 'utf-16'] } };
    const session = await startSession({ capabilities });
    try {
      assert.equal(session.init.capabilities.positionEncoding, encoding);
      const first = await session.openAndWait(wide);
      const after = first.diagnostics.find((d) => d.code === 'MF005')!;
      assert.deepEqual([after.range.start.character, after.range.end.character], [start, end]);
      // Insert "1" right after the emoji (before the closing quote): the column is in the client's units.
      const column = { 'utf-16': 12, 'utf-8': 17, 'utf-32': 11 }[encoding];
      const changed = session.driver.waitForDiagnostics(session.uri(), (p) => p.version === 2, { fresh: true });
      session.driver.change(session.uri(), 2, [{ range: { start: { line: 0, character: column }, end: { line: 0, character: column } }, text: '1' }]);
      await changed;
      const symbols = await session.driver.request<{ detail?: string }[]>('textDocument/documentSymbol', { textDocument: { uri: session.uri() } });
      assert.match(symbols[0].detail ?? '', /é€😀1/);
      const hover = await session.driver.request<{ range: { start: { character: number }; end: { character: number } } } | null>('textDocument/hover', {
        textDocument: { uri: session.uri() },
        position: { line: 1, character: 1 },
      });
      assert.deepEqual([hover!.range.start.character, hover!.range.end.character], [0, 4]);
    } finally {
      await session.close();
    }
  });
}
