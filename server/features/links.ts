// Document links and go-to-definition: FROM/ADAPTER/DRAFT paths open the file (or reveal the folder); a FROM model
// name on Ollama's default registry links to its page on ollama.com (library models at /library/<model>, other
// namespaces at /<namespace>/<model>).
import type { DocumentLink, Location } from 'vscode-languageserver';
import { pathToFileURL } from 'node:url';
import { DEFAULT_HOST, DEFAULT_NAMESPACE, equalFoldPart, type ParsedName } from '../../core/names';
import type { InstructionSyntax, ParsedModelfile } from '../../core/modelfile';
import { argumentTarget, inSpan, instructionAt } from './locate';
import type { FeatureContext } from './types';

/** The ollama.com page of a model on the default registry, or undefined for other hosts. */
export function modelPageUrl(name: ParsedName): string | undefined {
  if (!equalFoldPart(name.host, DEFAULT_HOST)) return undefined;
  const model = encodeURIComponent(name.model);
  if (equalFoldPart(name.namespace, DEFAULT_NAMESPACE)) return `https://ollama.com/library/${model}`;
  return `https://ollama.com/${encodeURIComponent(name.namespace)}/${model}`;
}

function isPathInstruction(instruction: InstructionSyntax): boolean {
  return instruction.name === 'from' || instruction.name === 'adapter' || instruction.name === 'draft';
}

export function documentLinks(parsed: ParsedModelfile, context: FeatureContext): DocumentLink[] {
  const links: DocumentLink[] = [];
  for (const instruction of parsed.instructions) {
    const value = instruction.value;
    if (!value || !value.complete || !instruction.command || !isPathInstruction(instruction)) continue;
    const target = argumentTarget(value.value, context, instruction.name !== 'from');
    if (!target) continue;
    if (target.kind === 'path') {
      links.push({ range: value.content.range, target: pathToFileURL(target.path).href, tooltip: target.pathKind === 'file' ? 'Open the file' : 'Reveal the folder' });
    } else if (target.kind === 'model') {
      const url = modelPageUrl(target.name);
      if (url) links.push({ range: value.content.range, target: url, tooltip: `Open ${target.name.model} on ollama.com` });
    }
  }
  return links;
}

/** The file a FROM/ADAPTER/DRAFT path at `offset` names. */
export function definition(parsed: ParsedModelfile, offset: number, context: FeatureContext): Location | undefined {
  const instruction = instructionAt(parsed, offset);
  const value = instruction?.value;
  if (!instruction || !value || !value.complete || !isPathInstruction(instruction) || !inSpan(value.content, offset)) return undefined;
  const target = argumentTarget(value.value, context, instruction.name !== 'from');
  if (target?.kind !== 'path' || target.pathKind !== 'file') return undefined;
  return { uri: pathToFileURL(target.path).href, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}
