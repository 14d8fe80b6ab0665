// `modelfile list`, `show`, `cp`, `rm` and `prune`: the models directory as `ollama` shows and changes it,
// without an Ollama server.
import { flagBool, flagString, UsageError } from '../args';
import { EXIT_FAILURE, EXIT_OK, type CliCommand } from '../command';
import { formatAgo, formatBytes, formatTable, parseDuration } from '../format';
import { modelsDirFor, modelsFlag, printWarnings } from '../models-dir';
import { copyModel, listModels, prune, removeModel, showModel, DEFAULT_PRUNE_AGE_MS } from '../../core/cache';
import { StudioError } from '../../core/errors';

const jsonFlag = { name: 'json', kind: 'boolean' as const, description: 'Print JSON.' };

export const listCommand: CliCommand = {
  spec: {
    name: 'list',
    summary: 'List the models in the models directory (name, ID, size, modified, details).',
    usage: 'modelfile list [--json] [--models DIR]',
    maxPositionals: 0,
    flags: [jsonFlag, modelsFlag],
    details:
      'JSON: [{"name","id","size","modifiedAt","format","family","families","parameterSize","quantization",\n"contextLength","capabilities"}]. Invalid or foreign files in manifests/ are skipped with a warning on stderr.',
  },
  async run(args, context) {
    const { models, warnings } = await listModels(modelsDirFor(args, context));
    printWarnings(warnings, context);
    if (flagBool(args, 'json')) {
      const rows = models.map((m) => ({
        name: m.name,
        id: m.id,
        size: m.size,
        modifiedAt: m.modifiedAt,
        format: m.format,
        family: m.family,
        families: m.families,
        parameterSize: m.parameterSize,
        quantization: m.quantization,
        contextLength: m.contextLength ?? null,
        capabilities: m.capabilities,
      }));
      context.stdout.write(JSON.stringify(rows) + '\n');
      return EXIT_OK;
    }
    const now = Date.now();
    context.stdout.write(
      formatTable(
        ['NAME', 'ID', 'SIZE', 'MODIFIED'],
        models.map((m) => [m.name, m.id.slice(0, 12), formatBytes(m.size), formatAgo(m.modifiedMs, now)]),
      ),
    );
    return EXIT_OK;
  },
};

const showParts = ['modelfile', 'parameters', 'template', 'system', 'license'] as const;

export const showCommand: CliCommand = {
  spec: {
    name: 'show',
    summary: 'Show a model: details and layers, or one part (--modelfile, --parameters, --template, --system, --license).',
    usage: 'modelfile show NAME [--modelfile|--parameters|--template|--system|--license] [--json] [--models DIR]',
    minPositionals: 1,
    maxPositionals: 1,
    flags: [
      { name: 'modelfile', kind: 'boolean', description: 'Print the Modelfile as `ollama show --modelfile` does.' },
      { name: 'parameters', kind: 'boolean', description: 'Print the parameters.' },
      { name: 'template', kind: 'boolean', description: 'Print the template.' },
      { name: 'system', kind: 'boolean', description: 'Print the system prompt.' },
      { name: 'license', kind: 'boolean', description: 'Print the license text.' },
      jsonFlag,
      modelsFlag,
    ],
  },
  async run(args, context) {
    const chosen = showParts.filter((p) => flagBool(args, p));
    if (chosen.length > 1) throw new UsageError(`choose one of --${showParts.join(', --')}`);
    const shown = await showModel(modelsDirFor(args, context), args.positionals[0]);
    printWarnings(shown.warnings, context);
    if (flagBool(args, 'json')) {
      const { warnings: _warnings, ...rest } = shown;
      void _warnings;
      context.stdout.write(JSON.stringify(rest) + '\n');
      return EXIT_OK;
    }
    const part = chosen[0];
    const withNewline = (text: string) => (text === '' || text.endsWith('\n') ? text : text + '\n');
    if (part === 'modelfile') context.stdout.write(shown.modelfile);
    else if (part === 'parameters') context.stdout.write(withNewline(shown.parametersText));
    else if (part === 'template') context.stdout.write(withNewline(shown.template));
    else if (part === 'system') context.stdout.write(withNewline(shown.system));
    else if (part === 'license') context.stdout.write(withNewline(shown.license));
    else context.stdout.write(describeModel(shown));
    return EXIT_OK;
  },
};

function describeModel(shown: Awaited<ReturnType<typeof showModel>>): string {
  const m = shown.model;
  const section = (title: string, rows: [string, string][]) =>
    rows.length ? `  ${title}\n${rows.map(([k, v]) => `    ${k.padEnd(20)}${v}`).join('\n')}\n\n` : '';
  const details: [string, string][] = [
    ['name', m.name],
    ['id', m.id.slice(0, 12)],
    ['size', formatBytes(m.size)],
    ['architecture', m.family],
    ['parameters', m.parameterSize],
    ['quantization', m.quantization],
  ];
  if (m.contextLength !== undefined) details.push(['context length', String(m.contextLength)]);
  if (m.embeddingLength !== undefined) details.push(['embedding length', String(m.embeddingLength)]);
  if (m.parentModel) details.push(['parent model', m.parentModel]);
  const firstLine = (text: string) => {
    const line = text.split('\n')[0];
    return line.length > 60 || text.includes('\n') ? `${line.slice(0, 60)}…` : line;
  };
  return (
    section('Model', details.filter(([, v]) => v !== '')) +
    section('Capabilities', m.capabilities.map((c) => [c, ''])) +
    section('Parameters', shown.parametersText ? shown.parametersText.split('\n').map((line) => {
      const [key, ...value] = line.trim().split(/\s+/);
      return [key, value.join(' ')] as [string, string];
    }) : []) +
    section('System', shown.system ? [[firstLine(shown.system), '']] : []) +
    section('License', shown.license ? [[firstLine(shown.license), '']] : []) +
    section('Layers', shown.layers.map((l) => [l.mediaType.replace('application/vnd.ollama.image.', ''), `${l.digest.slice(7, 19)}  ${formatBytes(l.size)}${l.from ? `  from ${l.from}` : ''}`]))
  );
}

export const copyCommand: CliCommand = {
  spec: {
    name: 'cp',
    summary: 'Copy a model under a new name (the manifest is copied byte for byte; no weights are duplicated).',
    usage: 'modelfile cp SOURCE DESTINATION [--models DIR]',
    minPositionals: 2,
    maxPositionals: 2,
    flags: [modelsFlag],
  },
  async run(args, context) {
    const [source, destination] = args.positionals;
    const result = await copyModel(modelsDirFor(args, context), source, destination, { op: 'cp', signal: context.signal });
    context.stdout.write(`copied '${result.from}' to '${result.to}'\n`);
    return EXIT_OK;
  },
};

export const removeCommand: CliCommand = {
  spec: {
    name: 'rm',
    summary: 'Delete models, and the blobs no other model uses.',
    usage: 'modelfile rm NAME... [--models DIR]',
    minPositionals: 1,
    flags: [modelsFlag],
    details: 'A blob that any other model references is never removed. Exit code 1 when any name could not be deleted.',
  },
  async run(args, context) {
    const dir = modelsDirFor(args, context);
    let failed = false;
    for (const name of args.positionals) {
      try {
        const result = await removeModel(dir, name, { op: 'rm', signal: context.signal });
        printWarnings(result.warnings, context);
        context.stdout.write(`deleted '${result.name}' (${formatBytes(result.bytesFreed)} freed)\n`);
      } catch (error) {
        if (!(error instanceof StudioError)) throw error;
        context.stderr.write(`Error: ${error.message}\n`);
        failed = true;
      }
    }
    return failed ? EXIT_FAILURE : EXIT_OK;
  },
};

export const pruneCommand: CliCommand = {
  spec: {
    name: 'prune',
    summary: 'Remove blobs no model references, and stale temporary and partial files.',
    usage: 'modelfile prune [--dry-run] [--older-than DURATION] [--json] [--models DIR]',
    maxPositionals: 0,
    flags: [
      { name: 'dry-run', kind: 'boolean', description: 'Only list what would be removed.' },
      { name: 'older-than', kind: 'string', valueName: 'DURATION', description: 'Only files untouched for this long, e.g. 30m, 2h, 7d (default 1h, as Ollama).' },
      jsonFlag,
      modelsFlag,
    ],
    details: 'Blobs referenced by any model are never removed; neither are files a running pull is still writing.',
  },
  async run(args, context) {
    const olderThanText = flagString(args, 'older-than');
    const olderThanMs = olderThanText === undefined ? DEFAULT_PRUNE_AGE_MS : parseDuration(olderThanText);
    if (olderThanMs === undefined) throw new UsageError(`--older-than expects a duration such as 30m, 2h or 7d, not '${olderThanText}'`);
    const result = await prune(modelsDirFor(args, context), { dryRun: flagBool(args, 'dry-run'), olderThanMs, op: 'prune', signal: context.signal });
    printWarnings(result.warnings, context);
    if (flagBool(args, 'json')) {
      context.stdout.write(JSON.stringify(result) + '\n');
      return EXIT_OK;
    }
    const verb = result.dryRun ? 'would remove' : 'removed';
    for (const file of result.removed) context.stdout.write(`${verb} ${file.kind} ${file.path} (${formatBytes(file.size)})\n`);
    context.stdout.write(
      `${result.dryRun ? 'Would free' : 'Freed'} ${formatBytes(result.bytesFreed)} in ${result.removed.length} file${result.removed.length === 1 ? '' : 's'}` +
        `${result.tooRecent ? `; ${result.tooRecent} recent file${result.tooRecent === 1 ? '' : 's'} kept` : ''}.\n`,
    );
    return EXIT_OK;
  },
};
