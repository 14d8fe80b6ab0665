// Positions and ranges in the shape the Language Server Protocol uses: 0-based lines, characters counted in
// UTF-16 code units. Core code produces these so that every adapter can hand them on unchanged.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Offsets of the first character of every line in `text`; CR, LF and CRLF each end a line. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10) {
      starts.push(i + 1);
    }
  }
  return starts;
}

/** Converts a UTF-16 offset into a line/character position using precomputed line starts. */
export function positionAt(starts: readonly number[], offset: number): Position {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid] <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: offset - starts[low] };
}

/** Converts a line/character position back into a UTF-16 offset (clamped to the text). */
export function offsetAt(starts: readonly number[], textLength: number, position: Position): number {
  if (position.line >= starts.length) return textLength;
  if (position.line < 0) return 0;
  const next = position.line + 1 < starts.length ? starts[position.line + 1] : textLength;
  return Math.min(Math.max(starts[position.line] + position.character, starts[position.line]), next);
}

export function rangeOf(starts: readonly number[], startOffset: number, endOffset: number): Range {
  return { start: positionAt(starts, startOffset), end: positionAt(starts, endOffset) };
}
