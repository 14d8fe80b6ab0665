// A small JSON-RPC client for protocol tests and benchmarks: Content-Length framing over a byte stream (stdio or a
// socket) or Node IPC messages, requests with ids and time-outs, notifications, answers to the server's own
// requests (workspace/configuration, client/registerCapability…), and waiting for publishDiagnostics.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

export interface Message {
  jsonrpc: '2.0';
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

/** How messages travel: framed bytes on a stream pair, or whole objects over Node IPC. */
export interface Transport {
  send(message: Message): void;
  onMessage(handler: (message: Message) => void): void;
  close(): void;
}

/** Content-Length framing (the base protocol of LSP) on a readable/writable pair. */
export function streamTransport(input: Readable, output: Writable): Transport {
  let handler: (message: Message) => void = () => {};
  let buffer: Buffer = Buffer.alloc(0);
  input.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = buffer.subarray(0, headerEnd).toString('ascii');
      const match = /content-length:\s*(\d+)/i.exec(header);
      if (!match) throw new Error(`a frame without Content-Length: ${JSON.stringify(header)}`);
      const length = Number(match[1]);
      const start = headerEnd + 4;
      if (buffer.length < start + length) return;
      const body = buffer.subarray(start, start + length).toString('utf8');
      buffer = buffer.subarray(start + length);
      handler(JSON.parse(body) as Message);
    }
  });
  return {
    send(message) {
      const body = Buffer.from(JSON.stringify(message), 'utf8');
      output.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
    },
    onMessage(next) {
      handler = next;
    },
    close() {
      output.end();
    },
  };
}

/** Node IPC (`--node-ipc`): the child's `process.send` channel carries the message objects unframed. */
export function ipcTransport(child: ChildProcess): Transport {
  let handler: (message: Message) => void = () => {};
  child.on('message', (message) => handler(message as Message));
  return {
    send(message) {
      child.send(message);
    },
    onMessage(next) {
      handler = next;
    },
    close() {
      child.disconnect();
    },
  };
}

export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}

export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface Diagnostic {
  range: Range;
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
  tags?: number[];
  data?: unknown;
}

type RequestHandler = (params: unknown) => unknown;

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export class LspDriver {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly listeners = new Set<(message: Message) => void>();
  /** The latest publishDiagnostics per URI. */
  readonly diagnostics = new Map<string, PublishedDiagnostics>();
  /** Every notification received, in order (for assertions on logs and counts). */
  readonly notifications: Message[] = [];
  /** Settings answered to workspace/configuration, by section ('' for the whole object). */
  settings: Record<string, unknown> = {};
  exited: Promise<number | null> = Promise.resolve(null);
  stderr = '';

  constructor(
    private readonly transport: Transport,
    readonly child?: ChildProcess,
  ) {
    transport.onMessage((message) => this.receive(message));
    if (child) {
      this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      child.stderr?.on('data', (chunk: Buffer) => {
        this.stderr += chunk.toString('utf8');
      });
    }
    this.handlers.set('workspace/configuration', (params) => {
      const items = (params as { items: { section?: string }[] }).items;
      return items.map((item) => this.sectionValue(item.section));
    });
    for (const method of ['client/registerCapability', 'client/unregisterCapability', 'window/workDoneProgress/create']) {
      this.handlers.set(method, () => null);
    }
  }

  /** Starts `node <args>` with stdio framing (or Node IPC when args contain --node-ipc). */
  static spawnNode(args: string[], options: SpawnOptions = {}): LspDriver {
    const ipc = args.includes('--node-ipc');
    const child = spawn(process.execPath, args, { ...options, stdio: ipc ? ['pipe', 'pipe', 'pipe', 'ipc'] : ['pipe', 'pipe', 'pipe'] });
    const transport = ipc ? ipcTransport(child) : streamTransport(child.stdout!, child.stdin!);
    return new LspDriver(transport, child);
  }

  private sectionValue(section: string | undefined): unknown {
    if (!section) return this.settings;
    let value: unknown = this.settings;
    for (const part of section.split('.')) {
      if (typeof value !== 'object' || value === null) return null;
      value = (value as Record<string, unknown>)[part];
    }
    return value ?? null;
  }

  /** Answers a server-to-client request with the given function. */
  onRequest(method: string, handler: RequestHandler): void {
    this.handlers.set(method, handler);
  }

  private receive(message: Message): void {
    if (message.method !== undefined && message.id !== undefined && message.id !== null) {
      const handler = this.handlers.get(message.method);
      if (handler) {
        Promise.resolve()
          .then(() => handler(message.params))
          .then(
            (result) => this.transport.send({ jsonrpc: '2.0', id: message.id, result: result ?? null }),
            (error: unknown) => this.transport.send({ jsonrpc: '2.0', id: message.id, error: { code: -32603, message: String(error) } }),
          );
      } else {
        this.transport.send({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: `unhandled ${message.method}` } });
      }
    } else if (message.method !== undefined) {
      this.notifications.push(message);
      if (message.method === 'textDocument/publishDiagnostics') {
        const params = message.params as PublishedDiagnostics;
        this.diagnostics.set(params.uri, params);
      }
    } else if (typeof message.id === 'number') {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error) pending.reject(new RpcError(message.error.code, message.error.message));
      else pending.resolve(message.result);
    }
    for (const listener of [...this.listeners]) listener(message);
  }

  request<T = unknown>(method: string, params: unknown, timeoutMs = 10_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${method} within ${timeoutMs} ms${this.stderr ? `; server stderr:\n${this.stderr}` : ''}`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      this.transport.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.transport.send({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the params of the first matching notification that arrives from now on. */
  waitForNotification<T = unknown>(method: string, predicate: (params: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const listener = (message: Message): void => {
        if (message.method !== method || (message.id !== undefined && message.id !== null)) return;
        if (!predicate(message.params as T)) return;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(message.params as T);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no ${method} within ${timeoutMs} ms${this.stderr ? `; server stderr:\n${this.stderr}` : ''}`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }

  /**
   * The next diagnostics for `uri` that satisfy `predicate` — including the latest already received, unless
   * `fresh` asks for one that arrives from now on.
   */
  async waitForDiagnostics(
    uri: string,
    predicate: (published: PublishedDiagnostics) => boolean = () => true,
    options: { fresh?: boolean; timeoutMs?: number } = {},
  ): Promise<PublishedDiagnostics> {
    const latest = this.diagnostics.get(uri);
    if (!options.fresh && latest && predicate(latest)) return latest;
    return this.waitForNotification<PublishedDiagnostics>('textDocument/publishDiagnostics', (p) => p.uri === uri && predicate(p), options.timeoutMs);
  }

  /** initialize + initialized with sensible client capabilities (overridable). */
  async initialize(options: { rootUri?: string | null; capabilities?: Record<string, unknown>; initializationOptions?: unknown } = {}): Promise<InitializeResult> {
    const result = await this.request<InitializeResult>('initialize', {
      processId: process.pid,
      clientInfo: { name: 'modelfile-studio-tests' },
      rootUri: options.rootUri ?? null,
      capabilities: options.capabilities ?? defaultClientCapabilities(),
      initializationOptions: options.initializationOptions,
    });
    this.notify('initialized', {});
    return result;
  }

  open(uri: string, text: string, version = 1, languageId = 'modelfile'): void {
    this.notify('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, changes: { range?: Range; text: string }[]): void {
    this.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  close(uri: string): void {
    this.notify('textDocument/didClose', { textDocument: { uri } });
  }

  /** shutdown + exit, then waits for the process to end (kills it after a grace period). */
  async stop(): Promise<number | null> {
    try {
      await this.request('shutdown', null, 5_000);
      this.notify('exit', null);
    } catch {
      // the server may already be gone
    }
    if (!this.child) {
      this.transport.close();
      return null;
    }
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 5_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  /** Resident set size of the server process in KiB, from /proc (Linux). */
  rssKiB(): number | undefined {
    if (!this.child?.pid) return undefined;
    try {
      const match = /VmRSS:\s*(\d+)\s*kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Peak resident set size (VmHWM) in KiB. */
  peakRssKiB(): number | undefined {
    if (!this.child?.pid) return undefined;
    try {
      const match = /VmHWM:\s*(\d+)\s*kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }
}

export interface InitializeResult {
  capabilities: Record<string, unknown> & {
    positionEncoding?: string;
    semanticTokensProvider?: { legend: { tokenTypes: string[]; tokenModifiers: string[] } };
  };
  serverInfo?: { name: string; version?: string };
}

/** What a capable editor (like VS Code) announces. */
export function defaultClientCapabilities(): Record<string, unknown> {
  return {
    general: { positionEncodings: ['utf-16'] },
    workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true },
    textDocument: {
      synchronization: { dynamicRegistration: false, didSave: true },
      publishDiagnostics: { relatedInformation: true, tagSupport: { valueSet: [1, 2] }, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
      completion: {
        completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'], deprecatedSupport: true, tagSupport: { valueSet: [1] }, insertReplaceSupport: false },
        contextSupport: true,
      },
      hover: { contentFormat: ['markdown', 'plaintext'] },
      definition: { linkSupport: true },
      documentLink: { tooltipSupport: true },
      documentSymbol: { hierarchicalDocumentSymbolSupport: true },
      foldingRange: { lineFoldingOnly: true },
      codeAction: {
        codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.rewrite', 'source'] } },
        isPreferredSupport: true,
      },
      semanticTokens: {
        requests: { full: true, range: true },
        tokenTypes: ['keyword', 'property', 'enumMember', 'string', 'number', 'comment', 'variable', 'function', 'operator', 'parameter'],
        tokenModifiers: ['deprecated', 'readonly', 'defaultLibrary'],
        formats: ['relative'],
        multilineTokenSupport: false,
      },
      formatting: {},
      rangeFormatting: {},
    },
  };
}

/** Decodes relative semantic tokens into absolute rows. */
export function decodeSemanticTokens(data: number[], legend: { tokenTypes: string[]; tokenModifiers: string[] }): { line: number; character: number; length: number; type: string; modifiers: string[] }[] {
  const rows = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i + 4 < data.length; i += 5) {
    const [deltaLine, deltaStart, length, type, bits] = data.slice(i, i + 5);
    line += deltaLine;
    character = deltaLine === 0 ? character + deltaStart : deltaStart;
    const modifiers = legend.tokenModifiers.filter((_, index) => (bits & (1 << index)) !== 0);
    rows.push({ line, character, length, type: legend.tokenTypes[type], modifiers });
  }
  return rows;
}

/** Applies LSP text edits (UTF-16 positions) to a text. */
export function applyEdits(text: string, edits: { range: Range; newText: string }[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10) starts.push(i + 1);
  }
  const offset = (p: Position): number => {
    if (p.line >= starts.length) return text.length;
    const next = p.line + 1 < starts.length ? starts[p.line + 1] : text.length;
    return Math.min(starts[p.line] + p.character, next);
  };
  const sorted = edits
    .map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), text: e.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const edit of sorted) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

/** Waits for a child to exit, with a deadline. */
export async function exitOf(child: ChildProcess, timeoutMs = 5_000): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return code;
}
