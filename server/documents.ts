// Open documents: full and incremental synchronisation (change ranges converted from the client's position
// encoding), and one parse per document version, shared by every feature.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { parseModelfile, type ParsedModelfile } from '../core/modelfile';
import { lineTextOf, PositionCodec, type PositionEncoding } from './encoding';

export class ModelfileDocument {
  private parsedVersion = -1;
  private parsedTree: ParsedModelfile | undefined;

  constructor(
    private doc: TextDocument,
    private readonly encoding: PositionEncoding,
  ) {}

  get uri(): string {
    return this.doc.uri;
  }

  get version(): number {
    return this.doc.version;
  }

  get text(): string {
    return this.doc.getText();
  }

  /** The folder relative paths resolve against, for file: URIs. */
  get directory(): string | undefined {
    if (!this.doc.uri.startsWith('file:')) return undefined;
    try {
      return dirname(fileURLToPath(this.doc.uri));
    } catch {
      return undefined;
    }
  }

  /** The syntax tree of the current version (parsed on first use). */
  get parsed(): ParsedModelfile {
    if (this.parsedTree === undefined || this.parsedVersion !== this.doc.version) {
      this.parsedTree = parseModelfile(this.doc.getText());
      this.parsedVersion = this.doc.version;
    }
    return this.parsedTree;
  }

  /** Position conversions against the current text. */
  get codec(): PositionCodec {
    const parsed = this.encoding === 'utf-16' ? undefined : this.parsed;
    return new PositionCodec(this.encoding, (line) => (parsed ? lineTextOf(parsed.text, parsed.lineStarts, line) : ''));
  }

  apply(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    if (this.encoding === 'utf-16') {
      this.doc = TextDocument.update(this.doc, changes as TextDocumentContentChangeEvent[], version);
      return;
    }
    // Each change's range refers to the text left by the previous one: convert and apply them one by one.
    for (const change of changes) {
      if ('range' in change && change.range) {
        const lineText = (line: number): string =>
          this.doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$|\r$/, '');
        const codec = new PositionCodec(this.encoding, lineText);
        this.doc = TextDocument.update(this.doc, [{ range: codec.rangeFromClient(change.range), text: change.text }], version);
      } else {
        this.doc = TextDocument.update(this.doc, [{ text: change.text }], version);
      }
    }
  }
}

export class DocumentStore {
  private readonly documents = new Map<string, ModelfileDocument>();

  constructor(private readonly encoding: () => PositionEncoding) {}

  open(uri: string, languageId: string, version: number, text: string): ModelfileDocument {
    const document = new ModelfileDocument(TextDocument.create(uri, languageId, version, text), this.encoding());
    this.documents.set(uri, document);
    return document;
  }

  change(uri: string, version: number, changes: readonly TextDocumentContentChangeEvent[]): ModelfileDocument | undefined {
    const document = this.documents.get(uri);
    document?.apply(changes, version);
    return document;
  }

  close(uri: string): void {
    this.documents.delete(uri);
  }

  get(uri: string): ModelfileDocument | undefined {
    return this.documents.get(uri);
  }

  all(): ModelfileDocument[] {
    return [...this.documents.values()];
  }
}
