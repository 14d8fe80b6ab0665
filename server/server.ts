// The language server: wires LSP requests and notifications to the feature functions in features/, keeps the open
// documents, the settings (workspace/configuration, section `modelfileStudio`) and the models-directory snapshot,
// pushes diagnostics after every change, and re-checks open documents when the models directory changes.
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type CodeAction,
  type Command,
  type Connection,
  type DocumentSymbol,
  type InitializeParams,
  type InitializeResult,
  type SemanticTokens,
  type SymbolInformation,
  type TextEdit,
} from 'vscode-languageserver';
import { resolveModelsDir } from '../core/cache';
import type { LintDiagnostic } from '../core/lint';
import { offsetAt } from '../core/text';
import { FileSystemCache, ModelCatalog, readGgufSummary, type ModelLister } from './context';
import { DocumentStore, type ModelfileDocument } from './documents';
import { chooseEncoding, type PositionCodec, type PositionEncoding } from './encoding';
import { codeActions, pullCommand } from './features/codeActions';
import { completions } from './features/completion';
import { lintDocument, toLspDiagnostics } from './features/diagnostics';
import { foldingRanges } from './features/folding';
import { formatModelfile } from './features/formatting';
import { hover } from './features/hover';
import { definition, documentLinks } from './features/links';
import { semanticTokens, tokenTypeIndex, TOKEN_MODIFIERS, TOKEN_TYPES } from './features/semanticTokens';
import { documentSymbols } from './features/symbols';
import type { ClientOptions, FeatureContext, HoverContext } from './features/types';
import { DEFAULT_SETTINGS, readSettings, sameSettings, SETTINGS_SECTION, type ServerSettings } from './settings';
import { watchManifests, type Disposable } from './watch';

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export interface ServerOptions {
  /** Replaces reading the models directory (tests). */
  listModels?: ModelLister;
  /** Debounce of models-directory changes in milliseconds. */
  watchDebounceMs?: number;
}

interface ClientSupport {
  hoverMarkdown: boolean;
  completionMarkdown: boolean;
  snippets: boolean;
  configuration: boolean;
  dynamicConfiguration: boolean;
  hierarchicalSymbols: boolean;
  codeActionLiterals: boolean;
}

function clientSupport(capabilities: ClientCapabilities): ClientSupport {
  const text = capabilities.textDocument;
  return {
    hoverMarkdown: text?.hover?.contentFormat?.includes('markdown') ?? false,
    completionMarkdown: text?.completion?.completionItem?.documentationFormat?.includes('markdown') ?? false,
    snippets: text?.completion?.completionItem?.snippetSupport ?? false,
    configuration: capabilities.workspace?.configuration ?? false,
    dynamicConfiguration: capabilities.workspace?.didChangeConfiguration?.dynamicRegistration ?? false,
    hierarchicalSymbols: text?.documentSymbol?.hierarchicalDocumentSymbolSupport ?? false,
    codeActionLiterals: text?.codeAction?.codeActionLiteralSupport !== undefined,
  };
}

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  let support: ClientSupport = clientSupport({});
  let encoding: PositionEncoding = 'utf-16';
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let initialSettings: unknown;
  let catalog: ModelCatalog | undefined;
  let firstLoad: Promise<unknown> = Promise.resolve();
  // Settings and the first read of the models directory decide the first diagnostics: checks wait for them (briefly).
  let startup: Promise<unknown> | undefined;
  let started = false;
  let watcher: Disposable | undefined;
  // Bumped whenever something the linter reads changes (settings, the models directory): cached results are stale.
  let lintGeneration = 0;
  const fsCache = new FileSystemCache();
  const documents = new DocumentStore(() => encoding);
  const lintCache = new Map<string, { version: number; generation: number; items: LintDiagnostic[] }>();

  const log = (message: string): void => connection.console.log(message);
  const fail = (what: string, error: unknown): void => {
    connection.console.error(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  };

  // ---- settings and the models directory ------------------------------------------------------------------

  const hasModel = (name: string): boolean | undefined => catalog?.has(name);

  function useModelsDirectory(explicit: string): void {
    const dir = resolveModelsDir({ explicit });
    if (catalog && catalog.modelsDir === dir) return;
    watcher?.dispose();
    const next = new ModelCatalog(dir, options.listModels);
    catalog = next;
    firstLoad = next.refresh().then(
      () => revalidateAll(),
      (error: unknown) => fail('reading the models directory', error),
    );
    watcher = watchManifests(
      dir,
      () => {
        void next.refresh().then((changed) => {
          if (changed && catalog === next) {
            fsCache.clear();
            revalidateAll();
          }
        });
      },
      options.watchDebounceMs,
    );
  }

  async function loadSettings(pushed?: unknown): Promise<void> {
    let raw: unknown = pushed;
    if (support.configuration) {
      try {
        raw = await withTimeout(connection.workspace.getConfiguration(SETTINGS_SECTION), 5000);
      } catch (error) {
        fail('workspace/configuration', error);
      }
    }
    const next = raw === undefined || raw === null ? (initialSettings === undefined ? DEFAULT_SETTINGS : readSettings(initialSettings)) : readSettings(raw);
    const changed = !sameSettings(next, settings) || catalog === undefined;
    settings = next;
    useModelsDirectory(settings.modelsDirectory);
    if (changed) revalidateAll();
  }

  // ---- diagnostics ----------------------------------------------------------------------------------------

  function lintOf(document: ModelfileDocument): LintDiagnostic[] {
    const cached = lintCache.get(document.uri);
    if (cached && cached.version === document.version && cached.generation === lintGeneration) return cached.items;
    const items = lintDocument(document.parsed, { modelfileDir: document.directory, host: fsCache.lintHost(hasModel), severities: settings.severities });
    lintCache.set(document.uri, { version: document.version, generation: lintGeneration, items });
    return items;
  }

  const pending = new Set<string>();
  let flushing = false;

  function schedule(uri: string): void {
    pending.add(uri);
    if (flushing) return;
    flushing = true;
    // vscode-jsonrpc handles one queued message per turn of the event loop; a timer (rather than setImmediate) lets
    // a burst of queued changes be applied first, so only the latest version is checked.
    setTimeout(() => void flush(), 0);
  }

  async function flush(): Promise<void> {
    try {
      if (!started) {
        await Promise.race([startup ?? Promise.resolve(), new Promise((resolve) => setTimeout(resolve, 1500))]);
        started = true;
        if (catalog === undefined) useModelsDirectory(settings.modelsDirectory);
      }
      for (const uri of [...pending]) {
        pending.delete(uri);
        const document = documents.get(uri);
        if (!document) continue;
        try {
          const items = lintOf(document);
          const codec = document.codec;
          const diagnostics = toLspDiagnostics(items).map((d) => ({ ...d, range: codec.rangeToClient(d.range) }));
          void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
        } catch (error) {
          fail('checking a document', error);
        }
      }
    } finally {
      flushing = false;
      if (pending.size > 0) schedule([...pending][0]);
    }
  }

  function revalidateAll(): void {
    lintGeneration++;
    for (const document of documents.all()) schedule(document.uri);
  }

  // ---- feature contexts -----------------------------------------------------------------------------------

  function context(document: ModelfileDocument, markdown: boolean): FeatureContext {
    const client: ClientOptions = { markdown, snippets: support.snippets };
    return {
      documentDir: document.directory,
      fs: fsCache,
      models: catalog ?? { list: () => [], find: () => undefined },
      client,
    };
  }

  /** Runs a request handler on an open document with the position converted; never throws. */
  function withDocument<T>(what: string, uri: string, fallback: T, run: (document: ModelfileDocument, codec: PositionCodec) => T): T {
    const document = documents.get(uri);
    if (!document) return fallback;
    try {
      return run(document, document.codec);
    } catch (error) {
      fail(what, error);
      return fallback;
    }
  }

  function offsetOf(document: ModelfileDocument, codec: PositionCodec, position: { line: number; character: number }): number {
    const parsed = document.parsed;
    return offsetAt(parsed.lineStarts, parsed.text.length, codec.fromClient(position));
  }

  // ---- lifecycle ------------------------------------------------------------------------------------------

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    support = clientSupport(params.capabilities);
    encoding = chooseEncoding(params.capabilities.general?.positionEncodings);
    const init = params.initializationOptions as Record<string, unknown> | undefined;
    initialSettings = init && typeof init === 'object' ? (init[SETTINGS_SECTION] ?? init.settings ?? init) : undefined;
    return {
      capabilities: {
        positionEncoding: encoding,
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: [' ', '.', '/', ':', '$'], resolveProvider: false },
        hoverProvider: true,
        definitionProvider: true,
        documentLinkProvider: { resolveProvider: false },
        documentSymbolProvider: { label: 'Modelfile' },
        foldingRangeProvider: true,
        semanticTokensProvider: {
          legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] },
          full: true,
          range: true,
        },
        documentFormattingProvider: true,
        documentRangeFormattingProvider: true,
        codeActionProvider: support.codeActionLiterals ? { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite] } : true,
      },
      serverInfo: { name: 'modelfile-studio', version: VERSION },
    };
  });

  connection.onInitialized(() => {
    if (support.dynamicConfiguration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }).catch((error: unknown) => fail('registering for configuration changes', error));
    }
    startup = loadSettings()
      .then(() => firstLoad)
      .catch((error: unknown) => fail('loading settings', error));
    log(`Modelfile Studio language server ${VERSION} (positions in ${encoding})`);
  });

  connection.onDidChangeConfiguration((params) => {
    const pushed = (params.settings as Record<string, unknown> | null | undefined)?.[SETTINGS_SECTION] ?? params.settings;
    void loadSettings(pushed).catch((error: unknown) => fail('loading settings', error));
  });

  connection.onShutdown(() => {
    watcher?.dispose();
    watcher = undefined;
  });

  // ---- documents ------------------------------------------------------------------------------------------

  connection.onDidOpenTextDocument(({ textDocument }) => {
    documents.open(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
    schedule(textDocument.uri);
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    try {
      if (documents.change(textDocument.uri, textDocument.version ?? 0, contentChanges)) schedule(textDocument.uri);
    } catch (error) {
      fail('applying a change', error);
    }
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    documents.close(textDocument.uri);
    lintCache.delete(textDocument.uri);
    pending.delete(textDocument.uri);
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
  });

  // ---- requests -------------------------------------------------------------------------------------------

  connection.onCompletion(({ textDocument, position }) =>
    withDocument('completion', textDocument.uri, [], (document, codec) => {
      const items = completions(document.parsed, offsetOf(document, codec, position), context(document, support.completionMarkdown));
      if (codec.identity) return items;
      return items.map((item) => (item.textEdit && 'range' in item.textEdit ? { ...item, textEdit: { ...item.textEdit, range: codec.rangeToClient(item.textEdit.range) } } : item));
    }),
  );

  connection.onHover(async ({ textDocument, position }) => {
    const document = documents.get(textDocument.uri);
    if (!document) return null;
    try {
      const codec = document.codec;
      const hoverContext: HoverContext = { ...context(document, support.hoverMarkdown), readGguf: readGgufSummary };
      const result = await hover(document.parsed, offsetOf(document, codec, position), hoverContext);
      if (!result) return null;
      return result.range ? { ...result, range: codec.rangeToClient(result.range) } : result;
    } catch (error) {
      fail('hover', error);
      return null;
    }
  });

  connection.onDefinition(({ textDocument, position }) =>
    withDocument('definition', textDocument.uri, null, (document, codec) => definition(document.parsed, offsetOf(document, codec, position), context(document, false)) ?? null),
  );

  connection.onDocumentLinks(({ textDocument }) =>
    withDocument('document links', textDocument.uri, [], (document, codec) =>
      documentLinks(document.parsed, context(document, false)).map((link) => ({ ...link, range: codec.rangeToClient(link.range) })),
    ),
  );

  connection.onDocumentSymbol(({ textDocument }) =>
    withDocument<DocumentSymbol[] | SymbolInformation[]>('document symbols', textDocument.uri, [], (document, codec) => {
      const convert = (symbol: DocumentSymbol): DocumentSymbol => ({
        ...symbol,
        range: codec.rangeToClient(symbol.range),
        selectionRange: codec.rangeToClient(symbol.selectionRange),
        children: symbol.children?.map(convert),
      });
      const symbols = documentSymbols(document.parsed).map(convert);
      if (support.hierarchicalSymbols) return symbols;
      return symbols.map((s) => ({ name: s.name, kind: s.kind, location: { uri: document.uri, range: s.range } }));
    }),
  );

  connection.onFoldingRanges(({ textDocument }) => withDocument('folding ranges', textDocument.uri, [], (document) => foldingRanges(document.parsed)));

  function encodeTokens(document: ModelfileDocument, codec: PositionCodec, firstLine?: number, lastLine?: number): SemanticTokens {
    const data: number[] = [];
    let line = 0;
    let character = 0;
    for (const token of semanticTokens(document.parsed, firstLine, lastLine)) {
      let start = token.character;
      let length = token.length;
      if (!codec.identity) {
        const from = codec.toClient({ line: token.line, character: token.character });
        const to = codec.toClient({ line: token.line, character: token.character + token.length });
        start = from.character;
        length = to.character - from.character;
      }
      data.push(token.line - line, token.line === line ? start - character : start, length, tokenTypeIndex(token.type), token.modifiers);
      line = token.line;
      character = start;
    }
    return { data };
  }

  connection.languages.semanticTokens.on(({ textDocument }) =>
    withDocument('semantic tokens', textDocument.uri, { data: [] }, (document, codec) => encodeTokens(document, codec)),
  );

  connection.languages.semanticTokens.onRange(({ textDocument, range }) =>
    withDocument('semantic tokens', textDocument.uri, { data: [] }, (document, codec) => encodeTokens(document, codec, range.start.line, range.end.line)),
  );

  const formatWith = (uri: string, range?: { start: { line: number; character: number }; end: { line: number; character: number } }): TextEdit[] =>
    withDocument('formatting', uri, [], (document, codec) =>
      formatModelfile(document.parsed, range ? codec.rangeFromClient(range) : undefined).map((e) => ({ range: codec.rangeToClient(e.range), newText: e.newText })),
    );

  connection.onDocumentFormatting(({ textDocument }) => formatWith(textDocument.uri));
  connection.onDocumentRangeFormatting(({ textDocument, range }) => formatWith(textDocument.uri, range));

  connection.onCodeAction(({ textDocument, range, context: actionContext }) =>
    withDocument<(CodeAction | Command)[]>('code actions', textDocument.uri, [], (document, codec) => {
      const actions = codeActions(document.parsed, lintOf(document), { uri: document.uri, range: codec.rangeFromClient(range), only: actionContext.only });
      if (!support.codeActionLiterals) {
        return actions.filter((a) => a.command).map((a) => pullCommand(String(a.command!.arguments?.[0] ?? '')));
      }
      if (codec.identity) return actions;
      return actions.map((action) => convertAction(action, codec));
    }),
  );

  connection.listen();
}

/** The promise's value, or a rejection when it takes longer than `ms` (a client that never answers). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function convertAction(action: CodeAction, codec: PositionCodec): CodeAction {
  const changes = action.edit?.changes;
  const converted: CodeAction = { ...action };
  if (action.diagnostics) converted.diagnostics = action.diagnostics.map((d) => ({ ...d, range: codec.rangeToClient(d.range) }));
  if (changes) {
    const next: Record<string, TextEdit[]> = {};
    for (const [uri, edits] of Object.entries(changes)) next[uri] = edits.map((e) => ({ range: codec.rangeToClient(e.range), newText: e.newText }));
    converted.edit = { changes: next };
  }
  return converted;
}
