// `modelfile pull NAME`: downloads a model from its registry straight into Ollama's models directory — parallel,
// verified, resumable — with a bar per layer on stderr (plain lines when stderr is not a terminal, JSON lines on
// stdout with --json). Ctrl-C keeps what has arrived and says how to resume.
import { flagBool } from '../args';
import { EXIT_FAILURE, EXIT_OK, type CliCommand } from '../command';
import type { CliContext } from '../context';
import { createProgressRenderer, formatBytes, type ProgressRenderer } from '../progress';
import { envBool } from '../models-dir';
import { credentialsHelp, layerLabel, registryFlags, registrySetup, reportError, streamsOf } from './registry-options';
import { Cancelled } from '../../core/errors';
import { displayShortest } from '../../core/names';
import { DEFAULT_STREAMS, pullModel, type PullEvent, type PullResult } from '../../core/registry';

interface LayerTally {
  total: number;
  completed: number;
  reused: boolean;
}

/** Turns pull events into renderer calls (text mode) or Ollama-style JSON lines (--json), and keeps a tally. */
export function progressHandler(context: CliContext, renderer: ProgressRenderer | undefined, tally: Map<string, LayerTally>): (event: PullEvent) => void {
  return (event) => {
    if (event.type === 'status') {
      if (event.status === 'success') return; // printed with the result
      if (renderer) renderer.status(event.status);
      else context.stdout.write(`${JSON.stringify({ status: event.status })}\n`);
      return;
    }
    tally.set(event.digest, { total: event.total, completed: event.completed, reused: event.state === 'reused' });
    if (!renderer) {
      context.stdout.write(`${JSON.stringify({ status: event.status, digest: event.digest, total: event.total, completed: event.completed })}\n`);
      return;
    }
    const finished = event.state === 'done' || event.state === 'reused';
    renderer.item({
      id: event.digest,
      label: layerLabel(event.mediaType),
      state: finished ? 'done' : event.state,
      completed: event.completed,
      total: event.total,
      digest: event.digest,
      reused: event.state === 'reused',
      note: event.state === 'reused' ? 'already present' : 'downloaded',
    });
  };
}

function summary(result: PullResult, tally: Map<string, LayerTally>): string {
  const size = [...tally.values()].reduce((n, l) => n + l.total, 0);
  return `pulled ${displayShortest(result.name)}  ID ${result.id.slice(0, 12)}  ${formatBytes(size)}  (${formatBytes(result.bytesReceived)} downloaded)\n`;
}

export const pullCommand: CliCommand = {
  spec: {
    name: 'pull',
    summary: "Download a model from a registry into Ollama's models directory (verified, resumable; no Ollama server needed).",
    usage: 'modelfile pull [--insecure] [--streams N] [--models DIR] [--json] NAME',
    minPositionals: 1,
    maxPositionals: 1,
    flags: [
      ...registryFlags,
      { name: 'streams', kind: 'string', valueName: 'N', description: `Parallel connections per layer (1–64, default ${DEFAULT_STREAMS}).` },
    ],
    details: [
      'NAME is [scheme://][host/][namespace/]model[:tag][@sha256:…]; the default registry is registry.ollama.ai.',
      'Layers are downloaded in parallel ranged parts and checked against their SHA-256 before they appear in',
      'blobs/; the manifest is written last, exactly as the registry sent it. An interrupted pull (Ctrl-C, a lost',
      'connection, a full disk) keeps what has arrived; running the same command again resumes it. OLLAMA_NOPRUNE',
      "keeps the replaced version's unused layers.",
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
      setup = await registrySetup(args, context, input, { streams: streamsOf(args) });
    } catch (error) {
      return reportError(error, context, json);
    }
    const { client, modelsDir, name } = setup;
    const renderer = json ? undefined : createProgressRenderer(context.stderr);
    const tally = new Map<string, LayerTally>();
    try {
      const result = await pullModel(input, {
        modelsDir,
        client,
        signal: context.signal,
        onProgress: progressHandler(context, renderer, tally),
        keepUnusedBlobs: envBool(context.env.OLLAMA_NOPRUNE),
      });
      renderer?.status('success');
      renderer?.done();
      if (json) {
        context.stdout.write(
          `${JSON.stringify({ status: 'success', name: displayShortest(result.name), id: result.id, bytesReceived: result.bytesReceived })}\n`,
        );
      } else {
        context.stdout.write(summary(result, tally));
      }
      return EXIT_OK;
    } catch (error) {
      renderer?.done();
      if (error instanceof Cancelled) {
        const missing = [...tally.values()].filter((l) => !l.reused);
        const total = missing.reduce((n, l) => n + l.total, 0);
        const have = missing.reduce((n, l) => n + l.completed, 0);
        const kept = total > 0 ? `${formatBytes(have)} of ${formatBytes(total)} is kept; ` : '';
        const message = `pull of ${displayShortest(name)} interrupted: ${kept}run \`modelfile pull ${input}\` again (with the same options) to resume`;
        if (json) context.stdout.write(`${JSON.stringify({ error: message, code: 'Cancelled' })}\n`);
        else context.stderr.write(`${message}\n`);
        return EXIT_FAILURE;
      }
      return reportError(error, context, json);
    } finally {
      await client.close();
    }
  },
};
