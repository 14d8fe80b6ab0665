// The pure half of create: from Ollama's command list and the resolved sources to a create plan, applying the
// Modelfile semantics of spec 1.4/1.5 and 4.1/4.2 — FROM as model name or file set (name wins, last name wins),
// `:cloud` references, ADAPTER (last wins, one file), DRAFT (paths merge, never the FROM path), typed PARAMETERs,
// TEMPLATE/SYSTEM (last wins; empty keeps the inherited one), LICENSE (accumulates), MESSAGE, REQUIRES, RENDERER,
// PARSER — with Ollama's error texts. No I/O: sources.ts has already looked at the disk.
import { dirname, relative, sep } from 'node:path';
import { ModelfileInvalid, NameInvalid } from '../errors';
import { JsonUnsupportedValue, type ChatMessage } from '../json/go-json';
import { collectParameters, normalizeRequires, splitMessage, type ParameterMap } from '../modelfile/parameters';
import { looksLikePath } from '../modelfile/paths';
import type { OllamaCommand } from '../modelfile/syntax';
import { checkTemplate } from '../modelfile/template';
import { parseName, stripSourceSuffix, validateName, type ParsedName } from '../names';
import { NeedsConverter, SourceMissing } from './errors';
import type { FileHead, ResolvedSource, SourceFile, SourceInstruction, SourceLookup } from './sources';

/** One file of a FROM/ADAPTER/DRAFT file set. */
export interface PlannedFile {
  /** Expanded path (symbolic links not resolved). */
  path: string;
  real: string;
  /** The name Ollama's client gives it in the request (spec 4.1 step 4): the base name, or for two or more files
   *  the `/`-separated path relative to their deepest common folder. Used in messages and as layer `from`. */
  rel: string;
  size: number;
  head: FileHead;
  /** The instruction and argument that contributed it, for messages. */
  instruction: SourceInstruction;
  arg: string;
  /** Added by folder selection although it is not a weights file (JSON, tokenizer, chat template). */
  extra: boolean;
}

export type FromPlan =
  /** A model in the models directory (or to be pulled). `reference` is the argument without its source suffix. */
  | { kind: 'model'; arg: string; reference: string; name: ParsedName; localOnly: boolean }
  /** A `:cloud` reference: a remote model with no weights (spec 2.5). */
  | { kind: 'remote'; arg: string; reference: string; name: ParsedName }
  /** Local GGUF files (model and projector layers). */
  | { kind: 'files'; files: PlannedFile[] };

export interface CreatePlan {
  from: FromPlan;
  /** At most one GGUF file (the last ADAPTER). */
  adapters: PlannedFile[];
  /** GGUF files of every DRAFT (paths merge). */
  drafts: PlannedFile[];
  /** The last TEMPLATE; '' keeps the inherited template. */
  template: string;
  /** The last SYSTEM; '' keeps the inherited system prompt. */
  system: string;
  licenses: string[];
  /** Empty keeps the inherited messages. */
  messages: ChatMessage[];
  params: ParameterMap;
  /** Normalised (no `v`); '' when not set. */
  requires: string;
  renderer: string;
  parser: string;
  /** Ollama's warnings (deprecated parameters) and ours (ignored FROM paths). */
  warnings: string[];
}

/** `template error: template: :LINE: <detail>` — what `ollama create` prints for a template Go cannot parse. */
export function templateError(template: string): string | undefined {
  const problem = checkTemplate(template).find((p) => p.severity === 'error');
  if (problem === undefined) return undefined;
  let line = 1;
  for (let i = 0; i < problem.start && i < template.length; i++) if (template.charCodeAt(i) === 0x0a) line++;
  return `template error: template: :${line}: ${problem.goMessage}`;
}

function toPlanned(file: SourceFile, instruction: SourceInstruction, arg: string, extra: boolean): PlannedFile {
  return { path: file.path, real: file.real, rel: '', size: file.size, head: file.head, instruction, arg, extra };
}

/** Relative request names (spec 4.1 step 4): base name for one file, else relative to the deepest common folder. */
export function assignRelativeNames(files: PlannedFile[]): PlannedFile[] {
  if (files.length === 0) return files;
  if (files.length === 1) {
    const parts = files[0].path.split(sep);
    return [{ ...files[0], rel: parts[parts.length - 1] }];
  }
  let common = dirname(files[0].path).split(sep);
  for (const file of files.slice(1)) {
    const parts = dirname(file.path).split(sep);
    let n = 0;
    while (n < common.length && n < parts.length && common[n] === parts[n]) n++;
    common = common.slice(0, n);
  }
  const base = common.join(sep) || sep;
  return files.map((file) => ({ ...file, rel: relative(base, file.path).split(sep).join('/') }));
}

function dedupe(files: PlannedFile[]): PlannedFile[] {
  const seen = new Set<string>();
  return files.filter((file) => (seen.has(file.path) ? false : (seen.add(file.path), true)));
}

/** The files a resolved path contributes; throws for folders Ollama cannot use without its converter. */
function filesOf(source: ResolvedSource, instruction: SourceInstruction): PlannedFile[] {
  if (source.kind === 'file') return [toPlanned(source.file, instruction, source.arg, false)];
  if (source.kind !== 'folder') return [];
  const selection = source.selection;
  switch (selection.kind) {
    case 'safetensors':
    case 'pytorch':
      throw new NeedsConverter(`${instruction} ${source.arg}`, selection.kind);
    case 'empty':
      throw new ModelfileInvalid(
        `no Modelfile or safetensors files found (${instruction} ${source.arg}: the folder holds no .gguf, ` +
          '.safetensors or weights .bin files)',
      );
    case 'weights':
      return [
        ...selection.files.map((f) => toPlanned(f, instruction, source.arg, false)),
        ...selection.extras.map((f) => toPlanned(f, instruction, source.arg, true)),
      ];
  }
}

/**
 * Checks that a file set is GGUF (spec 4.4): a `.safetensors` name or a zip archive needs the converter; with
 * GGUF present every file must be GGUF (`supplied file was not in GGUF format`); otherwise `unknown type`.
 */
export function requireGgufSet(files: readonly PlannedFile[]): void {
  const safetensors = files.find((f) => f.rel.endsWith('.safetensors') || f.path.endsWith('.safetensors'));
  if (safetensors) throw new NeedsConverter(`${safetensors.instruction} ${safetensors.arg}`, 'safetensors');
  const gguf = files.some((f) => f.head === 'gguf' || f.path.endsWith('.gguf'));
  if (!gguf) {
    const zip = files.find((f) => f.head === 'zip');
    if (zip) throw new NeedsConverter(`${zip.instruction} ${zip.arg}`, 'pytorch');
    const first = files[0];
    throw new ModelfileInvalid(
      `unknown type: ${first ? `${first.instruction} ${first.arg}` : 'the file set'} is neither GGUF nor safetensors; ` +
        'point it at a .gguf file',
    );
  }
  for (const file of files) {
    if (file.head === 'gguf') continue;
    const hint = file.extra
      ? ` (Ollama adds the folder's JSON, tokenizer and chat-template files to a GGUF folder import and then rejects ` +
        `them: move the .gguf files into a folder of their own, or name the .gguf file in ${file.instruction})`
      : ` (${file.instruction} ${file.arg} does not start with the GGUF magic bytes)`;
    throw new ModelfileInvalid(`supplied file was not in GGUF format: ${file.rel}${hint}`);
  }
}

function fromName(arg: string): FromPlan {
  const sourced = stripSourceSuffix(arg);
  const name = parseName(sourced.base);
  const validation = validateName(name);
  if (!validation.valid) {
    if (looksLikePath(arg)) throw new SourceMissing('FROM', arg);
    throw new NameInvalid(arg, `${validation.reason}; FROM takes a model name or the path of a GGUF file or folder`);
  }
  if (sourced.source === 'cloud') return { kind: 'remote', arg, reference: sourced.base, name };
  return { kind: 'model', arg, reference: sourced.base, name, localOnly: sourced.source === 'local' };
}

/**
 * Builds the create plan. Throws ModelfileInvalid (Ollama's texts), NeedsConverter, SourceMissing, NameInvalid
 * or JsonUnsupportedValue.
 */
export function planCreate(commands: readonly OllamaCommand[], lookup: SourceLookup): CreatePlan {
  const warnings: string[] = [];

  const collected = collectParameters(commands);
  if (!collected.ok) throw new ModelfileInvalid(collected.error);
  warnings.push(...collected.warnings);
  for (const index of collected.nonFinite) {
    const value = collected.params[commands[index].name];
    if (typeof value === 'number') throw new JsonUnsupportedValue(value);
  }

  let template = '';
  let system = '';
  let requires = '';
  let renderer = '';
  let parser = '';
  const licenses: string[] = [];
  const messages: ChatMessage[] = [];
  let lastName: string | undefined;
  const fromSources: ResolvedSource[] = [];
  let adapterArg: string | undefined;
  const draftSources: ResolvedSource[] = [];

  for (const command of commands) {
    switch (command.name) {
      case 'model': {
        const source = lookup('FROM', command.args);
        fromSources.push(source);
        if (source.kind === 'missing') lastName = command.args;
        break;
      }
      case 'adapter':
        adapterArg = command.args;
        break;
      case 'draft': {
        const source = lookup('DRAFT', command.args);
        if (source.kind === 'missing') throw new SourceMissing('DRAFT', command.args);
        draftSources.push(source);
        break;
      }
      case 'template':
        template = command.args;
        break;
      case 'system':
        system = command.args;
        break;
      case 'license':
        licenses.push(command.args);
        break;
      case 'message':
        messages.push(splitMessage(command.args));
        break;
      case 'requires': {
        if (command.args === '') {
          requires = '';
          break;
        }
        const normalized = normalizeRequires(command.args);
        if (!normalized.ok) throw new ModelfileInvalid(normalized.error);
        requires = normalized.version;
        break;
      }
      case 'renderer':
        renderer = command.args;
        break;
      case 'parser':
        parser = command.args;
        break;
      default:
        break; // parameters, handled by collectParameters
    }
  }

  if (fromSources.length === 0) throw new ModelfileInvalid('no FROM line');

  // DRAFT must not be a FROM path (compared after resolving symbolic links).
  const fromReals = new Set(
    fromSources.flatMap((s) => (s.kind === 'file' ? [s.file.real] : s.kind === 'folder' ? [s.real] : [])),
  );
  for (const draft of draftSources) {
    const real = draft.kind === 'file' ? draft.file.real : draft.kind === 'folder' ? draft.real : undefined;
    if (real !== undefined && fromReals.has(real)) {
      throw new ModelfileInvalid(`DRAFT must not reference the same local path as FROM: ${draft.arg}`);
    }
  }

  let from: FromPlan;
  if (lastName !== undefined) {
    from = fromName(lastName);
    for (const source of fromSources) {
      if (source.kind !== 'missing') {
        warnings.push(
          `warning: FROM ${source.arg} is ignored because FROM ${lastName} names a model (Ollama uses only the model ` +
            'name when a Modelfile has both)',
        );
      }
    }
  } else {
    const files = assignRelativeNames(dedupe(fromSources.flatMap((s) => filesOf(s, 'FROM'))));
    requireGgufSet(files);
    from = { kind: 'files', files };
  }

  let adapters: PlannedFile[] = [];
  if (adapterArg !== undefined) {
    const source = lookup('ADAPTER', adapterArg);
    if (source.kind === 'missing') throw new SourceMissing('ADAPTER', adapterArg);
    adapters = assignRelativeNames(dedupe(filesOf(source, 'ADAPTER')));
    if (adapters.length > 1) {
      requireGgufSet(adapters);
      throw new ModelfileInvalid(
        `only one adapter is currently supported (ADAPTER ${adapterArg} holds ${adapters.length} files)`,
      );
    }
    requireGgufSet(adapters);
  }

  const drafts = assignRelativeNames(dedupe(draftSources.flatMap((s) => filesOf(s, 'DRAFT'))));
  if (drafts.length > 0) {
    if (from.kind === 'remote') throw new ModelfileInvalid('DRAFT cannot be used with remote models');
    requireGgufSet(drafts);
  }

  if (template !== '') {
    const error = templateError(template);
    if (error !== undefined) throw new ModelfileInvalid(error);
  }

  return {
    from,
    adapters,
    drafts,
    template,
    system,
    licenses,
    messages,
    params: collected.params,
    requires,
    renderer,
    parser,
    warnings,
  };
}
