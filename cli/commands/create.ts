// `modelfile create NAME [-f Modelfile]`: creates a model from a Modelfile directly in Ollama's models directory,
// with progress on stderr (bars on a terminal, plain lines otherwise), Ctrl-C cancelling cleanly, and the result
// on stdout (one line, or a JSON object with --json).
import { resolve } from 'node:path';
import { flagBool, flagString } from '../args';
import { EXIT_OK, type CliCommand } from '../command';
import { readAll, type CliContext } from '../context';
import { envBool, modelsDirFor, modelsFlag } from '../models-dir';
import { progressHandler } from './pull';
import { createProgressRenderer, formatBytes, type ProgressRenderer } from '../progress';
import { createFromModelfilePath, createModel, type CreateProgress, type CreateResult } from '../../core/create';
import { parseName } from '../../core/names';
import { RegistryClient, credentialsProvider, ollamaKeyLoader, pullMissingFor, registrationAdvice } from '../../core/registry';

function onProgress(renderer: ProgressRenderer): (event: CreateProgress) => void {
  return (event) => {
    switch (event.kind) {
      case 'status':
        renderer.status(event.message);
        break;
      case 'warning':
        renderer.warn(event.message);
        break;
      case 'layer':
        renderer.item(event);
        break;
      case 'writing-manifest':
        renderer.status('writing manifest');
        break;
      case 'success':
        renderer.done();
        break;
    }
  };
}

function summary(result: CreateResult): string {
  const size = result.manifest.config.size + (result.manifest.layers ?? []).reduce((sum, layer) => sum + layer.size, 0);
  return `created ${result.name}  ID ${result.digest.slice(0, 12)}  ${formatBytes(size)}\n`;
}

export const createCommand: CliCommand = {
  spec: {
    name: 'create',
    summary: "Create a model from a Modelfile, directly in Ollama's models directory (no Ollama server needed).",
    usage: 'modelfile create NAME [-f Modelfile] [--models DIR] [--json]',
    minPositionals: 1,
    maxPositionals: 1,
    flags: [
      { name: 'file', short: 'f', kind: 'string', valueName: 'FILE', description: 'The Modelfile (default ./Modelfile; - reads standard input).' },
      modelsFlag,
      { name: 'insecure', kind: 'boolean', description: "Allow pulling a missing base model from a plain-http registry." },
      { name: 'json', kind: 'boolean', description: 'Print {"name","digest","layers":[…]} on success.' },
    ],
    details: [
      'FROM takes a model in the models directory, a GGUF file, or a folder of GGUF files (split GGUFs are merged',
      'into one layer). ADAPTER (GGUF LoRA), DRAFT, projector GGUFs, TEMPLATE, SYSTEM, LICENSE, PARAMETER, MESSAGE,',
      'REQUIRES, RENDERER and PARSER follow Ollama\'s rules. Safetensors and PyTorch weights need Ollama\'s converter.',
      'Relative paths start from the Modelfile\'s folder. Progress goes to stderr; Ctrl-C cancels and leaves no',
      'model behind. A FROM model that is not in the models directory is pulled from its registry first',
      '(credentials as for `modelfile pull`).',
    ].join('\n'),
  },
  async run(args, context: CliContext) {
    const name = args.positionals[0];
    const file = flagString(args, 'file');
    const modelsDir = modelsDirFor(args, context);
    const renderer = createProgressRenderer(context.stderr);
    const insecure = flagBool(args, 'insecure');
    const pullMissing = async (fullName: string, signal?: AbortSignal): Promise<void> => {
      renderer.status(`pulling ${fullName}, which is not in the models directory`);
      const client = new RegistryClient({
        insecureHosts: insecure ? [parseName(fullName).host] : [],
        credentials: credentialsProvider({ env: context.env }),
        ollamaKey: ollamaKeyLoader({
          onCreated: (registration) => context.stderr.write(`Created a new Ollama key for this computer; ${registrationAdvice(registration)}\n`),
        }),
      });
      try {
        await pullMissingFor(client, modelsDir, progressHandler(context, renderer, new Map()), { keepUnusedBlobs: envBool(context.env.OLLAMA_NOPRUNE) })(fullName, signal);
      } finally {
        await client.close();
      }
    };
    const common = {
      modelsDir,
      pullMissing,
      signal: context.signal,
      onProgress: onProgress(renderer),
      keepUnusedBlobs: envBool(context.env.OLLAMA_NOPRUNE),
    };
    let result: CreateResult;
    try {
      if (file === '-') {
        const modelfile = await readAll(context.stdin);
        result = await createModel({ ...common, name, modelfile, modelfileDir: context.cwd });
      } else {
        const shown = file ?? 'Modelfile';
        result = await createFromModelfilePath(resolve(context.cwd, shown), name, { ...common, shownPath: shown });
      }
    } finally {
      renderer.done();
    }
    if (flagBool(args, 'json')) {
      context.stdout.write(`${JSON.stringify({ name: result.name, digest: result.digest, layers: result.manifest.layers ?? [] })}\n`);
    } else {
      context.stdout.write(summary(result));
    }
    return EXIT_OK;
  },
};
