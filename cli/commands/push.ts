// `modelfile push NAME`: uploads a model from Ollama's models directory to its registry — local blobs checked
// first, blobs the registry has skipped, layers mounted from the model they came from, the rest uploaded — with a
// bar per layer on stderr (plain lines off a terminal, JSON lines on stdout with --json). For Ollama's registry it
// creates the Ollama key when missing and says how to register it; a refused push shows the public key to add.
import { flagBool } from '../args';
import { EXIT_FAILURE, EXIT_OK, type CliCommand } from '../command';
import type { CliContext } from '../context';
import { createProgressRenderer, type ProgressRenderer } from '../progress';
import { credentialsHelp, layerLabel, registryFlags, registrySetup, reportError } from './registry-options';
import { Cancelled, Unauthorized } from '../../core/errors';
import { displayShortest, type ParsedName } from '../../core/names';
import {
  OLLAMA_REGISTRY_HOSTS,
  authFlowFor,
  keyRegistration,
  pushModel,
  readKeyFile,
  registrationAdvice,
  type PushEvent,
  type PushResult,
} from '../../core/registry';

/** Turns push events into renderer calls (text mode) or Ollama-style JSON lines (--json). */
function progressHandler(context: CliContext, renderer: ProgressRenderer | undefined): (event: PushEvent) => void {
  return (event) => {
    if (event.type === 'status') {
      if (event.status === 'success') return; // printed with the result
      if (renderer) renderer.status(event.status);
      else context.stdout.write(`${JSON.stringify({ status: event.status })}\n`);
      return;
    }
    if (!renderer) {
      context.stdout.write(`${JSON.stringify({ status: event.status, digest: event.digest, total: event.total, completed: event.completed })}\n`);
      return;
    }
    if (event.state === 'checking') return;
    const finished = event.state !== 'uploading';
    const note = event.state === 'exists' ? 'already on the registry' : event.state === 'mounted' ? 'mounted' : 'pushed';
    renderer.item({
      id: event.digest,
      label: layerLabel(event.mediaType),
      state: finished ? 'done' : 'uploading',
      completed: event.completed,
      total: event.total,
      digest: event.digest,
      reused: event.state === 'exists' || event.state === 'mounted',
      note,
    });
  };
}

function isOllamaHost(host: string): boolean {
  const bare = host.toLowerCase().replace(/:\d+$/, '');
  return OLLAMA_REGISTRY_HOSTS.includes(bare);
}

function summary(result: PushResult, name: ParsedName): string {
  const counts = [`${result.uploaded.length} uploaded`, `${result.existing.length} already there`];
  if (result.mounted.length > 0) counts.push(`${result.mounted.length} mounted`);
  let text = `pushed ${displayShortest(name)}  ${result.digest}  (${counts.join(', ')})\n`;
  if (isOllamaHost(name.host)) text += `You can find your model at: https://ollama.com/${name.namespace}/${name.model}\n`;
  return text;
}

/** For a push refused by Ollama's registry: the public key that must be registered, if there is a key. */
async function keyHint(name: ParsedName): Promise<string | undefined> {
  if (authFlowFor(name.host) !== 'ollama') return undefined;
  try {
    return `To push as yourself, ${registrationAdvice(keyRegistration(await readKeyFile()))}`;
  } catch {
    return undefined;
  }
}

export const pushCommand: CliCommand = {
  spec: {
    name: 'push',
    summary: "Upload a model from Ollama's models directory to its registry (no Ollama server needed).",
    usage: 'modelfile push [--insecure] [--models DIR] [--json] NAME',
    minPositionals: 1,
    maxPositionals: 1,
    flags: registryFlags,
    details: [
      'NAME is the model as stored locally ([host/][namespace/]model[:tag], found ignoring case); its host is the',
      'registry pushed to (default registry.ollama.ai, where the namespace must be yours). Every local layer is',
      'checked first; blobs the registry already has are skipped, layers taken FROM another model on the same',
      'registry are mounted, the rest uploaded; the manifest is sent last. Ctrl-C stops the push; running it again',
      'skips what already arrived.',
      '',
      credentialsHelp,
      '',
      'Exit code 0 on success, 1 on any failure (the message says what to do next).',
    ].join('\n'),
  },
  async run(args, context) {
    const input = args.positionals[0];
    const json = flagBool(args, 'json');
    let setup;
    try {
      setup = await registrySetup(args, context, input);
    } catch (error) {
      return reportError(error, context, json);
    }
    const { client, modelsDir, name } = setup;
    const renderer = json ? undefined : createProgressRenderer(context.stderr);
    try {
      const result = await pushModel(input, { modelsDir, client, signal: context.signal, onProgress: progressHandler(context, renderer) });
      renderer?.status('success');
      renderer?.done();
      const pushed = { ...name, ...result.name, scheme: name.scheme };
      if (json) {
        context.stdout.write(
          `${JSON.stringify({ status: 'success', name: displayShortest(pushed), digest: result.digest, uploaded: result.uploaded, existing: result.existing, mounted: result.mounted })}\n`,
        );
      } else {
        context.stdout.write(summary(result, pushed));
      }
      return EXIT_OK;
    } catch (error) {
      renderer?.done();
      if (error instanceof Cancelled) {
        const message = `push of ${displayShortest(name)} interrupted; run \`modelfile push ${input}\` again (blobs that arrived are skipped)`;
        if (json) context.stdout.write(`${JSON.stringify({ error: message, code: 'Cancelled' })}\n`);
        else context.stderr.write(`${message}\n`);
        return EXIT_FAILURE;
      }
      return reportError(error, context, json, error instanceof Unauthorized ? await keyHint(name) : undefined);
    } finally {
      await client.close();
    }
  },
};
