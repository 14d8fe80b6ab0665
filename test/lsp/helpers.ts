// Shared set-up for the protocol tests: a temp workspace with files, a temp models directory with models written
// the way Ollama writes them, and a server session (dist/server.js over stdio) with HOME and OLLAMA_MODELS pointed
// at temp folders so that no test ever reads the real ~/.ollama.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ggufModel, manifestBytes, putBlob, putConfig, putRaw, MODEL } from '../helpers/cache-fixtures';
import { LspDriver, type InitializeResult } from './driver';

export const root = process.env.MODELFILE_STUDIO_ROOT ?? process.cwd();
export const serverPath = join(root, 'dist', 'server.js');
export const cliPath = join(root, 'dist', 'cli.js');

/** A temp folder holding `files` (paths relative to it; parents are created). */
export function workspace(files: Record<string, string | Uint8Array> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mf-lsp-ws-'));
  for (const [name, content] of Object.entries(files)) {
    const full = join(dir, name);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

/** A small valid GGUF file (architecture `llama`). */
export function ggufBytes(arch = 'llama'): Uint8Array {
  return ggufModel(arch, [['general.name', 'string', 'Tiny Test Model']]);
}

/** Writes a model into a models directory like `ollama pull` leaves it: GGUF layer, config blob, manifest. */
export function addModel(modelsDir: string, name: { host?: string; namespace?: string; model: string; tag?: string }, family = 'llama'): void {
  const model = putBlob(modelsDir, ggufModel(family), MODEL);
  const config = putConfig(modelsDir, { model_family: family, model_families: [family], model_type: '1.2B', file_type: 'Q4_K_M' });
  const rel = [name.host ?? 'registry.ollama.ai', name.namespace ?? 'library', name.model, name.tag ?? 'latest'].join('/');
  putRaw(modelsDir, rel, manifestBytes(config, [model]));
}

export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}

export interface Session {
  driver: LspDriver;
  init: InitializeResult;
  /** The workspace folder. */
  dir: string;
  modelsDir: string;
  home: string;
  uri(name?: string): string;
  /** Opens `text` as `name` (default Modelfile) and waits for its first diagnostics. */
  openAndWait(text: string, name?: string): Promise<import('./driver').PublishedDiagnostics>;
  close(): Promise<void>;
}

export interface SessionOptions {
  files?: Record<string, string | Uint8Array>;
  /** Models to put in the models directory before the server starts. */
  models?: { host?: string; namespace?: string; model: string; tag?: string }[];
  /** The `modelfileStudio` settings answered to workspace/configuration (modelsDirectory defaults to the temp one). */
  settings?: Record<string, unknown>;
  capabilities?: Record<string, unknown>;
  initializationOptions?: unknown;
  args?: string[];
  env?: Record<string, string>;
}

export async function startSession(options: SessionOptions = {}): Promise<Session> {
  const dir = workspace(options.files);
  const modelsDir = mkdtempSync(join(tmpdir(), 'mf-lsp-models-'));
  const home = mkdtempSync(join(tmpdir(), 'mf-lsp-home-'));
  for (const model of options.models ?? []) addModel(modelsDir, model);
  const driver = LspDriver.spawnNode([serverPath, ...(options.args ?? ['--stdio'])], {
    env: { ...process.env, HOME: home, OLLAMA_MODELS: modelsDir, ...options.env },
  });
  driver.settings = { modelfileStudio: { modelsDirectory: modelsDir, ...options.settings } };
  const init = await driver.initialize({
    rootUri: fileUri(dir),
    capabilities: options.capabilities,
    initializationOptions: options.initializationOptions,
  });
  const session: Session = {
    driver,
    init,
    dir,
    modelsDir,
    home,
    uri: (name = 'Modelfile') => fileUri(join(dir, name)),
    async openAndWait(text, name = 'Modelfile') {
      const uri = session.uri(name);
      const waiting = driver.waitForDiagnostics(uri, () => true, { fresh: true });
      driver.open(uri, text);
      return waiting;
    },
    async close() {
      await driver.stop();
      for (const folder of [dir, modelsDir, home]) rmSync(folder, { recursive: true, force: true });
    },
  };
  return session;
}

/** Codes of a diagnostics list, sorted. */
export function codesOf(published: { diagnostics: { code?: string | number }[] }): string[] {
  return published.diagnostics.map((d) => String(d.code)).sort();
}
