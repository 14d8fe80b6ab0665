// Small facts about a Modelfile document that the editor integration needs: where its FROM line is (for the
// CodeLens) and which model name to suggest when creating from it. No vscode import.
import { basename, dirname } from 'node:path';
import { parseModelfile } from '../../core/modelfile';
import { isValidName } from '../../core/names';

/** The line (0-based) of the first FROM instruction, if any. */
export function fromLine(text: string): number | undefined {
  const parsed = parseModelfile(text);
  for (const instruction of parsed.instructions) {
    if (instruction.name === 'from') return instruction.range.start.line;
  }
  return undefined;
}

/** A plausible model name for a Modelfile at `path`: `foo` for `…/foo/Modelfile`, `Modelfile.foo` or `foo.modelfile`. */
export function suggestModelName(path: string): string {
  const file = basename(path);
  let stem = '';
  const lower = file.toLowerCase();
  if (lower === 'modelfile') stem = basename(dirname(path));
  else if (lower.startsWith('modelfile.')) stem = file.slice('modelfile.'.length);
  else if (lower.endsWith('.modelfile')) stem = file.slice(0, -'.modelfile'.length);
  else stem = file.replace(/\.[^.]*$/, '');
  const cleaned = stem
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/-+$/, '')
    .slice(0, 80);
  return cleaned !== '' && isValidName(cleaned) ? cleaned : 'my-model';
}
