// Shared look-ups for the features: which instruction or span an offset falls in, what a FROM/ADAPTER/DRAFT
// argument stands for (an existing local path or a model name, exactly as `ollama create` decides), and markup in
// the format the client renders.
import type { InstructionSyntax, ParsedModelfile, Span } from '../../core/modelfile';
import { expandModelfilePath, looksLikePath } from '../../core/modelfile/paths';
import { parseName, stripSourceSuffix, validateName, type ParsedName } from '../../core/names';
import type { ClientOptions, FeatureContext, PathKind } from './types';

/** The instruction whose text (keyword to end of value) contains `offset`, ends included. */
export function instructionAt(parsed: ParsedModelfile, offset: number): InstructionSyntax | undefined {
  const list = parsed.instructions;
  let low = 0;
  let high = list.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (list[mid].start <= offset) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  if (found < 0) return undefined;
  const instruction = list[found];
  return offset <= instruction.end ? instruction : undefined;
}

/** True when `offset` lies in the span, its end included (a cursor right after a word is "in" it). */
export function inSpan(span: Span | undefined, offset: number): span is Span {
  return span !== undefined && span.start <= offset && offset <= span.end;
}

export type ArgumentTarget =
  | { kind: 'path'; path: string; pathKind: PathKind }
  | { kind: 'missing-path'; path: string | undefined }
  | { kind: 'model'; base: string; name: ParsedName };

/** Expands a path argument like `ollama create`; undefined when it cannot be (unknown `~user`). */
export function expandArgument(arg: string, documentDir: string): string | undefined {
  try {
    return expandModelfilePath(arg, documentDir);
  } catch {
    return undefined;
  }
}

/**
 * What the argument of FROM (or ADAPTER/DRAFT with `pathOnly`) refers to: an existing path next to the document
 * wins (spec 4.2), a missing FROM path that does not look like one becomes a model name.
 */
export function argumentTarget(arg: string, context: FeatureContext, pathOnly = false): ArgumentTarget | undefined {
  if (arg === '') return undefined;
  if (context.documentDir !== undefined) {
    const path = expandArgument(arg, context.documentDir);
    const kind = path === undefined ? undefined : context.fs.stat(path);
    if (path !== undefined && kind !== undefined) return { kind: 'path', path, pathKind: kind };
    if (pathOnly || looksLikePath(arg)) return { kind: 'missing-path', path };
  } else if (pathOnly || looksLikePath(arg)) {
    return { kind: 'missing-path', path: undefined };
  }
  try {
    const base = stripSourceSuffix(arg).base;
    const name = parseName(base);
    return validateName(name).valid ? { kind: 'model', base, name } : undefined;
  } catch {
    return undefined;
  }
}

/** Markdown when the client renders it, else the plain-text variant. */
export function markup(client: ClientOptions, markdown: string, plain: string): { kind: 'markdown' | 'plaintext'; value: string } {
  return client.markdown ? { kind: 'markdown', value: markdown } : { kind: 'plaintext', value: plain };
}

/** Escapes text for inline use in markdown (never at the start of a line, so list and heading markers are safe). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
}
