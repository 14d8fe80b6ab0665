// Hover: what an instruction keyword, parameter or role means (type, default); what FROM resolves to (a cached
// model with its size, family, parameter size, quantization, context length, ID and date; a local GGUF file with
// its metadata; a model that create would pull); and the fields, variables, functions and keywords of a TEMPLATE.
import type { Hover, Range } from 'vscode-languageserver';
import { displayShortest, nameString } from '../../core/names';
import type { ParsedModelfile } from '../../core/modelfile';
import { humanNumber } from '../../core/modelfile/human';
import { isDeprecatedParameter, parameterSpec, similarParameter } from '../../core/modelfile/parameters';
import { TEMPLATE_KEYWORDS, templateField, templateFunction } from '../../core/modelfile/template-catalog';
import { scanTemplate } from '../../core/modelfile/template';
import { layerMediaTypeFor, type GgufInfo } from '../../core/gguf';
import { rangeOf } from '../../core/text';
import { formatBytes } from '../../core/registry/errors';
import { describeParameterType } from './completion';
import { KEYWORD_DOCS, ROLE_DOCS } from './keywords';
import { argumentTarget, escapeMarkdown, inSpan, instructionAt, markup } from './locate';
import { modelPageUrl } from './links';
import { chainEndingAt, resolveChain, scopeAt, templateAt, tokenAt } from './templateContext';
import type { CachedModel, ClientOptions, HoverContext } from './types';

/** A title and `label: value` rows, rendered as markdown or plain text. */
interface Card {
  title: string;
  body?: string;
  rows?: [string, string | number | undefined][];
  footer?: string;
}

function render(client: ClientOptions, card: Card, range: Range): Hover {
  const rows = (card.rows ?? []).filter((r): r is [string, string | number] => r[1] !== undefined && r[1] !== '');
  const md = [
    `**${escapeMarkdown(card.title)}**`,
    card.body ?? '',
    rows.map(([k, v]) => `*${k}:* ${escapeMarkdown(String(v))}`).join('  \n'),
    card.footer ?? '',
  ].filter((p) => p !== '');
  const plain = [card.title, card.body ?? '', rows.map(([k, v]) => `${k}: ${v}`).join('\n'), card.footer ?? ''].filter((p) => p !== '');
  return { contents: markup(client, md.join('\n\n'), plain.join('\n\n')), range };
}

export async function hover(parsed: ParsedModelfile, offset: number, context: HoverContext): Promise<Hover | undefined> {
  const template = templateAt(parsed, offset);
  if (template) {
    const card = templateHover(template.source, template.local);
    if (!card) return undefined;
    return render(context.client, card.card, rangeOf(parsed.lineStarts, template.base + card.start, template.base + card.end));
  }
  const instruction = instructionAt(parsed, offset);
  if (!instruction) return undefined;
  const { name } = instruction;
  if (inSpan(instruction.keyword, offset)) {
    if (!name) return undefined;
    const doc = KEYWORD_DOCS[name];
    return render(context.client, { title: name.toUpperCase(), body: doc.summary, rows: [['Syntax', doc.syntax]], footer: doc.repetition }, instruction.keyword.range);
  }
  if (instruction.parameter && (inSpan(instruction.parameter, offset) || inSpan(instruction.value?.span, offset))) {
    const card = parameterCard(instruction.parameter.text);
    return card ? render(context.client, card, instruction.parameter.range) : undefined;
  }
  if (instruction.role && inSpan(instruction.role, offset)) {
    const doc = ROLE_DOCS[instruction.role.text];
    return doc ? render(context.client, { title: `Role ${instruction.role.text}`, body: doc }, instruction.role.range) : undefined;
  }
  const value = instruction.value;
  if (!value || !value.complete || !inSpan(value.content, offset)) return undefined;
  if (name === 'from' || name === 'adapter' || name === 'draft') {
    const target = argumentTarget(value.value, context, name !== 'from');
    if (!target) return undefined;
    if (target.kind === 'path') {
      if (target.pathKind === 'directory') {
        return render(context.client, { title: value.value, body: 'A model folder next to the Modelfile: its files are imported as they are (safetensors need Ollama\'s converter).' }, value.content.range);
      }
      const info = await context.readGguf(target.path);
      const card = info ? ggufCard(value.value, info) : { title: value.value, body: 'This file is not a readable GGUF file.' };
      return render(context.client, card, value.content.range);
    }
    if (target.kind === 'missing-path') {
      return render(context.client, { title: value.value, body: 'No such file next to the Modelfile.' }, value.content.range);
    }
    const cached = context.models.find(target.base);
    const url = modelPageUrl(target.name);
    const card = cached
      ? modelCard(cached)
      : { title: displayShortest(target.name), body: 'Not in the local models directory: create pulls it from its registry first.', rows: [['Full name', nameString(target.name)]] as [string, string][] };
    if (url) card.footer = context.client.markdown ? `[${target.name.model} on ollama.com](${url})` : url;
    return render(context.client, card, value.content.range);
  }
  return undefined;
}

function parameterCard(name: string): Card | undefined {
  const spec = parameterSpec(name);
  if (spec) {
    return {
      title: `PARAMETER ${spec.name}`,
      body: spec.description,
      rows: [
        ['Type', describeParameterType(spec)],
        ['Default', spec.default],
      ],
    };
  }
  if (isDeprecatedParameter(name)) return { title: `PARAMETER ${name}`, body: 'Deprecated: Ollama accepts it, prints a warning and ignores it.' };
  const suggestion = similarParameter(name);
  return { title: `PARAMETER ${name}`, body: `Not a parameter Ollama knows${suggestion ? `; did you mean ${suggestion}?` : '.'}` };
}

function modelCard(model: CachedModel): Card {
  return {
    title: model.name,
    body: 'Cached model in the local models directory.',
    rows: [
      ['Full name', model.fullName],
      ['Size', model.size !== undefined ? formatBytes(model.size) : undefined],
      ['Family', model.family],
      ['Parameter size', model.parameterSize],
      ['Quantization', model.quantization],
      ['Context length', model.contextLength],
      ['Capabilities', model.capabilities && model.capabilities.length > 0 ? model.capabilities.join(', ') : undefined],
      ['ID', model.id ? model.id.slice(0, 12) : undefined],
      ['Modified', model.modifiedMs !== undefined ? new Date(model.modifiedMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : undefined],
    ],
  };
}

const LAYER_KINDS: Readonly<Record<string, string>> = {
  'application/vnd.ollama.image.model': 'model weights',
  'application/vnd.ollama.image.adapter': 'LoRA adapter',
  'application/vnd.ollama.image.projector': 'multimodal projector',
};

function ggufCard(title: string, info: GgufInfo): Card {
  return {
    title,
    body: `GGUF v${info.version} file (${LAYER_KINDS[layerMediaTypeFor(info)] ?? 'model weights'}).`,
    rows: [
      ['Name', info.name],
      ['Architecture', info.architecture],
      ['Parameters', info.parameterCount !== undefined ? humanNumber(info.parameterCount) : undefined],
      ['Quantization', info.fileTypeName],
      ['Context length', info.contextLength],
      ['Embedding length', info.embeddingLength],
      ['Layers', info.blockCount],
      ['File size', formatBytes(info.fileSize)],
    ],
  };
}

function templateHover(source: string, local: number): { card: Card; start: number; end: number } | undefined {
  const scan = scanTemplate(source);
  const found = tokenAt(scan, local);
  if (!found) return undefined;
  const { token, index } = found;
  switch (token.kind) {
    case 'field':
    case 'variable':
    case 'dot': {
      const chain = chainEndingAt(scan.tokens, index);
      const scope = scopeAt(scan, chain[0].start);
      if (token.kind === 'variable') {
        const path = token.text === '$' ? [] : scope.vars.get(token.text);
        const body = path === undefined ? 'A template variable.' : path.length === 0 ? 'The top-level data (.System, .Messages, .Tools, …).' : `An element of .${path.join('.')}.`;
        return { card: { title: token.text, body }, start: token.start, end: token.end };
      }
      if (token.kind === 'dot') {
        const body = scope.dot === undefined ? 'The current value.' : scope.dot.length === 0 ? 'The top-level data (.System, .Messages, .Tools, …).' : `An element of .${scope.dot.join('.')}.`;
        return { card: { title: '.', body }, start: token.start, end: token.end };
      }
      const path = resolveChain(chain, scope.dot, scope.vars);
      const field = path ? templateField(path) : undefined;
      if (!field) return { card: { title: token.text, body: 'A field of the current value; Ollama executes templates with missingkey=zero, so an unknown field renders as empty.' }, start: token.start, end: token.end };
      return { card: { title: `.${path!.join('.')}`, body: field.description, rows: [['Type', field.type]] }, start: token.start, end: token.end };
    }
    case 'function': {
      const fn = templateFunction(token.text);
      if (!fn) return { card: { title: token.text, body: 'Not a function Ollama\'s templates know: `ollama create` fails with "function not defined".' }, start: token.start, end: token.end };
      return { card: { title: fn.signature, body: fn.description, footer: fn.origin === 'ollama' ? 'Added by Ollama.' : 'Go text/template builtin.' }, start: token.start, end: token.end };
    }
    case 'keyword':
    case 'bool': {
      const keyword = TEMPLATE_KEYWORDS.find((k) => k.name === token.text);
      if (!keyword) return undefined;
      return { card: { title: keyword.syntax, body: keyword.description }, start: token.start, end: token.end };
    }
    default:
      return undefined;
  }
}
