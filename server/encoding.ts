// Position encodings (LSP 3.17 `general.positionEncodings`): the server works in UTF-16 code units like the core
// library; when the client prefers UTF-8 or UTF-32 columns, positions are converted at the edge, line by line.
export type PositionEncoding = 'utf-16' | 'utf-8' | 'utf-32';

export interface Position {
  line: number;
  character: number;
}

/** The first encoding of the client's list that the server supports; UTF-16 when the list is absent. */
export function chooseEncoding(offered: readonly string[] | undefined): PositionEncoding {
  for (const encoding of offered ?? []) {
    if (encoding === 'utf-16' || encoding === 'utf-8' || encoding === 'utf-32') return encoding;
  }
  return 'utf-16';
}

/** Units of one UTF-16 code unit sequence starting at `i` in the client's encoding, and its UTF-16 length. */
function unitAt(line: string, i: number, encoding: PositionEncoding): { units: number; width: number } {
  const c = line.charCodeAt(i);
  const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < line.length && (line.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
  if (encoding === 'utf-32') return { units: 1, width: pair ? 2 : 1 };
  // utf-8
  if (pair) return { units: 4, width: 2 };
  return { units: c < 0x80 ? 1 : c < 0x800 ? 2 : 3, width: 1 };
}

/** Converts a column on `line` (the line's text without its line break) from UTF-16 to the client's encoding. */
export function columnToClient(line: string, character: number, encoding: PositionEncoding): number {
  if (encoding === 'utf-16') return character;
  let units = 0;
  let i = 0;
  const end = Math.min(character, line.length);
  while (i < end) {
    const unit = unitAt(line, i, encoding);
    units += unit.units;
    i += unit.width;
  }
  return units + Math.max(0, character - line.length);
}

/** Converts a column on `line` from the client's encoding to UTF-16 (clamped to the line). */
export function columnFromClient(line: string, character: number, encoding: PositionEncoding): number {
  if (encoding === 'utf-16') return character;
  let units = 0;
  let i = 0;
  while (i < line.length) {
    const unit = unitAt(line, i, encoding);
    if (units + unit.units > character) break;
    units += unit.units;
    i += unit.width;
  }
  return i;
}

/** Conversions for one document text. */
export class PositionCodec {
  constructor(
    readonly encoding: PositionEncoding,
    private readonly lineText: (line: number) => string,
  ) {}

  get identity(): boolean {
    return this.encoding === 'utf-16';
  }

  toClient(position: Position): Position {
    if (this.encoding === 'utf-16') return position;
    return { line: position.line, character: columnToClient(this.lineText(position.line), position.character, this.encoding) };
  }

  fromClient(position: Position): Position {
    if (this.encoding === 'utf-16') return position;
    return { line: position.line, character: columnFromClient(this.lineText(position.line), position.character, this.encoding) };
  }

  rangeToClient<R extends { start: Position; end: Position }>(range: R): R {
    if (this.encoding === 'utf-16') return range;
    return { ...range, start: this.toClient(range.start), end: this.toClient(range.end) };
  }

  rangeFromClient<R extends { start: Position; end: Position }>(range: R): R {
    if (this.encoding === 'utf-16') return range;
    return { ...range, start: this.fromClient(range.start), end: this.fromClient(range.end) };
  }
}

/** The text of `line` without its line break, from a text and its line starts. */
export function lineTextOf(text: string, lineStarts: readonly number[], line: number): string {
  if (line < 0 || line >= lineStarts.length) return '';
  const start = lineStarts[line];
  let end = line + 1 < lineStarts.length ? lineStarts[line + 1] : text.length;
  while (end > start && (text.charCodeAt(end - 1) === 0x0a || text.charCodeAt(end - 1) === 0x0d)) end--;
  return text.slice(start, end);
}
