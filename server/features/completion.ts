// Completion: instruction keywords at the start of an instruction; PARAMETER names with type, default and meaning;
// boolean values and defaults; MESSAGE roles; after FROM the cached models and local .gguf files and folders
// (relative to the document), after ADAPTER/DRAFT local paths; inside a TEMPLATE action the data fields (what dot
// is there), $variables, functions and keywords.
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type Range } from 'vscode-languageserver';
import { KEYWORDS, MESSAGE_ROLES, type KeywordName, type ParsedModelfile } from '../../core/modelfile';
import { PARAMETERS, parameterSpec, type ParameterSpec } from '../../core/modelfile/parameters';
import { TEMPLATE_FUNCTIONS, TEMPLATE_KEYWORDS } from '../../core/modelfile/template-catalog';
import { scanTemplate } from '../../core/modelfile/template';
import { positionAt, rangeOf } from '../../core/text';
import { formatBytes } from '../../core/registry/errors';
import { expandArgument, instructionAt, markup } from './locate';
import { KEYWORD_DOCS, ROLE_DOCS } from './keywords';
import { fieldsOf, scopeAt, templateAt } from './templateContext';
import type { CachedModel, FeatureContext } from './types';

export function completions(parsed: ParsedModelfile, offset: number, context: FeatureContext): CompletionItem[] {
  const template = templateAt(parsed, offset);
  if (template) return templateCompletions(parsed, template.base, template.source, template.local, context);
  const here = instructionAt(parsed, offset);
  const line = positionAt(parsed.lineStarts, offset).line;
  if (here && here.range.start.line < line && here.value && here.value.span.start < parsed.lineStarts[line]) {
    return []; // inside a value that started on an earlier line
  }
  const lineStart = parsed.lineStarts[line];
  const before = parsed.text.slice(lineStart, offset);
  const range = (from: number): Range => rangeOf(parsed.lineStarts, lineStart + from, offset);

  let match = /^[ \t]*([A-Za-z]*)$/.exec(before);
  if (match) return keywordItems(range(before.length - match[1].length), context);

  match = /^[ \t]*([A-Za-z]+)[ \t]/.exec(before);
  if (!match) return [];
  const keyword = match[1].toLowerCase() as KeywordName;
  const rest = before.slice(match[0].length);
  const restStart = match[0].length;
  switch (keyword) {
    case 'parameter': {
      const name = /^([A-Za-z0-9_]*)$/.exec(rest);
      if (name) return parameterItems(range(restStart), context);
      const withValue = /^([A-Za-z0-9_]+)[ \t]+(\S*)$/.exec(rest);
      if (withValue) {
        const spec = parameterSpec(withValue[1]);
        return spec ? valueItems(spec, range(before.length - withValue[2].length)) : [];
      }
      return [];
    }
    case 'message': {
      if (/^[a-z]*$/i.test(rest)) {
        return MESSAGE_ROLES.map((role, i) => ({
          label: role,
          kind: CompletionItemKind.EnumMember,
          detail: 'MESSAGE role',
          documentation: markup(context.client, ROLE_DOCS[role], ROLE_DOCS[role]),
          sortText: String(i),
          textEdit: { range: range(restStart), newText: `${role} ` },
        }));
      }
      return [];
    }
    case 'from':
    case 'adapter':
    case 'draft': {
      const lead = /^[ \t]*/.exec(rest)![0].length;
      const typed = rest.slice(lead);
      if (/^"/.test(typed)) return [];
      const replace = range(restStart + lead);
      const items = pathItems(typed, replace, context, keyword === 'from' ? 'model' : 'adapter');
      if (keyword === 'from') items.push(...modelItems(context.models.list(), replace, context));
      return items;
    }
    default:
      return [];
  }
}

const SNIPPETS: Partial<Record<KeywordName, string>> = {
  template: 'TEMPLATE """$0"""',
  system: 'SYSTEM """$0"""',
  license: 'LICENSE """$0"""',
  message: 'MESSAGE ${1|user,assistant,system|} $0',
};

function keywordItems(range: Range, context: FeatureContext): CompletionItem[] {
  return KEYWORDS.map((keyword, i) => {
    const doc = KEYWORD_DOCS[keyword];
    const upper = keyword.toUpperCase();
    const snippet = context.client.snippets ? SNIPPETS[keyword] : undefined;
    const item: CompletionItem = {
      label: upper,
      kind: CompletionItemKind.Keyword,
      detail: doc.syntax,
      documentation: markup(context.client, `${doc.summary}\n\n${doc.repetition}`, `${doc.summary}\n\n${doc.repetition}`),
      sortText: String(i).padStart(2, '0'),
      filterText: upper,
      textEdit: { range, newText: snippet ?? `${upper} ` },
    };
    if (snippet) item.insertTextFormat = InsertTextFormat.Snippet;
    return item;
  });
}

export function describeParameterType(spec: ParameterSpec): string {
  switch (spec.type) {
    case 'int':
      return spec.nullable ? 'integer (unset by default)' : 'integer';
    case 'float':
      return 'number';
    case 'bool':
      return spec.nullable ? 'boolean (unset by default)' : 'boolean';
    default:
      return 'text, one line per value';
  }
}

function parameterItems(range: Range, context: FeatureContext): CompletionItem[] {
  return PARAMETERS.map((spec, i) => ({
    label: spec.name,
    kind: CompletionItemKind.Property,
    detail: `${describeParameterType(spec)} · default ${spec.default}`,
    documentation: markup(
      context.client,
      `${spec.description}\n\n*Type:* ${describeParameterType(spec)}  \n*Default:* \`${spec.default}\``,
      `${spec.description}\n\nType: ${describeParameterType(spec)}\nDefault: ${spec.default}`,
    ),
    sortText: String(i).padStart(2, '0'),
    textEdit: { range, newText: `${spec.name} ` },
  }));
}

function valueItems(spec: ParameterSpec, range: Range): CompletionItem[] {
  if (spec.type === 'bool') {
    return ['true', 'false'].map((value) => ({ label: value, kind: CompletionItemKind.Value, detail: spec.name, textEdit: { range, newText: value } }));
  }
  const number = /^-?\d+(\.\d+)?/.exec(spec.default);
  if ((spec.type === 'int' || spec.type === 'float') && number) {
    return [{ label: number[0], kind: CompletionItemKind.Value, detail: `default of ${spec.name}`, textEdit: { range, newText: number[0] } }];
  }
  return [];
}

function modelItems(models: readonly CachedModel[], range: Range, context: FeatureContext): CompletionItem[] {
  return models.map((model) => {
    const facts = [model.parameterSize, model.quantization, model.size !== undefined ? formatBytes(model.size) : undefined].filter((f): f is string => !!f);
    const doc = [model.fullName, model.family ? `family ${model.family}` : '', model.contextLength ? `context ${model.contextLength}` : ''].filter(Boolean).join(' · ');
    return {
      label: model.name,
      kind: CompletionItemKind.Module,
      detail: facts.length ? `cached model · ${facts.join(' · ')}` : 'cached model',
      documentation: markup(context.client, doc, doc),
      sortText: `1${model.name}`,
      textEdit: { range, newText: model.name },
    };
  });
}

/** Local files and folders below the folder the typed text points into (`.gguf` files for FROM and ADAPTER). */
function pathItems(typed: string, range: Range, context: FeatureContext, what: 'model' | 'adapter'): CompletionItem[] {
  if (context.documentDir === undefined) return [];
  const slash = Math.max(typed.lastIndexOf('/'), typed.lastIndexOf('\\'));
  const dirPart = slash >= 0 ? typed.slice(0, slash + 1) : '';
  const partial = slash >= 0 ? typed.slice(slash + 1) : typed;
  const dir = dirPart === '' ? context.documentDir : expandArgument(dirPart, context.documentDir);
  if (dir === undefined) return [];
  const entries = context.fs.list(dir);
  if (!entries) return [];
  const prefix = dirPart === '' ? './' : dirPart;
  const items: CompletionItem[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') && !partial.startsWith('.')) continue;
    if (entry.kind === 'directory') {
      items.push({
        label: `${entry.name}/`,
        kind: CompletionItemKind.Folder,
        detail: what === 'model' ? 'model folder' : 'folder',
        sortText: `0${entry.name}`,
        filterText: `${prefix}${entry.name}/`,
        textEdit: { range, newText: `${prefix}${entry.name}/` },
      });
    } else if (/\.gguf$/i.test(entry.name)) {
      items.push({
        label: entry.name,
        kind: CompletionItemKind.File,
        detail: 'GGUF file',
        sortText: `0${entry.name}`,
        filterText: `${prefix}${entry.name}`,
        textEdit: { range, newText: `${prefix}${entry.name}` },
      });
    }
  }
  return items;
}

function templateCompletions(parsed: ParsedModelfile, base: number, source: string, local: number, context: FeatureContext): CompletionItem[] {
  const scan = scanTemplate(source.slice(0, local));
  const scope = scopeAt(scan, local);
  if (scope.actionStart === undefined || scope.inComment) return [];
  const inAction = source.slice(scope.actionStart, local);
  const range = (from: number): Range => rangeOf(parsed.lineStarts, base + from, base + local);
  const chain = /(\$[A-Za-z0-9_]*)?((?:\.[A-Za-z0-9_]*)+)$/.exec(inAction);
  if (chain) {
    const names = chain[2].split('.').slice(1);
    const partial = names.pop() ?? '';
    const head = chain[1];
    let path = head === undefined ? scope.dot : head === '$' ? [] : scope.vars.has(head) ? scope.vars.get(head) : undefined;
    if (path !== undefined) path = [...path, ...names];
    const fields = fieldsOf(path);
    return fields.map((field) => ({
      label: field.name,
      kind: field.fields ? CompletionItemKind.Struct : CompletionItemKind.Field,
      detail: field.type,
      documentation: markup(context.client, field.description, field.description),
      textEdit: { range: range(local - partial.length), newText: field.name },
    }));
  }
  const word = /\$?[A-Za-z0-9_]*$/.exec(inAction)![0];
  const replace = range(local - word.length);
  const items: CompletionItem[] = [];
  for (const [name, path] of scope.vars) {
    const detail = path === undefined ? 'variable' : path.length === 0 ? 'the top-level data' : `element of .${path.join('.')}`;
    items.push({ label: name, kind: CompletionItemKind.Variable, detail, sortText: `0${name}`, textEdit: { range: replace, newText: name } });
  }
  if (word.startsWith('$')) return items;
  for (const keyword of TEMPLATE_KEYWORDS) {
    items.push({
      label: keyword.name,
      kind: CompletionItemKind.Keyword,
      detail: keyword.syntax,
      documentation: markup(context.client, keyword.description, keyword.description),
      sortText: `1${keyword.name}`,
      textEdit: { range: replace, newText: keyword.name },
    });
  }
  for (const fn of TEMPLATE_FUNCTIONS) {
    items.push({
      label: fn.name,
      kind: CompletionItemKind.Function,
      detail: fn.signature,
      documentation: markup(context.client, `${fn.description}\n\n${fn.origin === 'ollama' ? '*Added by Ollama.*' : '*Go text/template builtin.*'}`, fn.description),
      sortText: `2${fn.name}`,
      textEdit: { range: replace, newText: fn.name },
    });
  }
  // `.` alone offers dot's fields too, so that typing `{{ ` then `.` is not needed to discover them.
  for (const field of fieldsOf(scope.dot)) {
    items.push({
      label: `.${field.name}`,
      kind: CompletionItemKind.Field,
      detail: field.type,
      documentation: markup(context.client, field.description, field.description),
      sortText: `3${field.name}`,
      textEdit: { range: replace, newText: `.${field.name}` },
    });
  }
  return items;
}
