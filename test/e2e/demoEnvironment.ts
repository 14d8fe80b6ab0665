// The offline demo world shared by `npm start` (scripts/demo-env.ts) and the UI walk: a fresh models directory with
// one ready model (`demo-base`), a local registry (test/e2e/demoRegistry.ts) holding `demo/tiny:latest` — a tiny but
// valid GGUF with a TEMPLATE, a SYSTEM prompt and parameters, created with core/create and pushed with core/registry —
// and, in a workspace, the GGUF files that demo/local-weights.modelfile refers to. Not part of the extension bundle.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createModel } from '../../core/create';
import { pushModel, RegistryClient } from '../../core/registry';
import { writeGguf, writeGgufFile, type GgufWriterKv, type GgufWriterSpec, type GgufWriterTensor } from '../helpers/gguf-writer';
import { startDemoRegistry, type DemoRegistry } from './demoRegistry';

export interface DemoEnvironmentOptions {
  /** A folder owned by the demo; `models/`, `registry/` and `scratch/` below it are made afresh. */
  readonly dir: string;
  /** When given, `weights/` with the GGUF files of demo/local-weights.modelfile is written into this folder. */
  readonly workspace?: string;
  /** Size of the pushed model's weights layer in bytes. Default 48 MiB. */
  readonly modelBytes?: number;
  /** Pace blob downloads from the registry to about this rate (bytes per second); undefined: full speed. */
  readonly paceBytesPerSecond?: number;
  readonly log?: (line: string) => void;
}

export interface DemoEnvironment {
  /** The models directory to point the extension at (`modelfileStudio.modelsDirectory`, OLLAMA_MODELS). */
  readonly modelsDir: string;
  /** `127.0.0.1:<port>`: the registry as clients should use it, over plain http. */
  readonly registryHost: string;
  /** The registry without the pacing proxy. */
  readonly directRegistryHost: string;
  /** What to type into "Pull Model": `127.0.0.1:<port>/demo/tiny` (needs the host among the insecure registries). */
  readonly pullName: string;
  /** The model already in the models directory. */
  readonly localModel: string;
  /** Size in bytes of the pullable model's weights layer. */
  readonly modelBytes: number;
  readonly registryPid: number;
  stop(): Promise<void>;
}

export const DEMO_REPOSITORY = 'demo/tiny';
export const DEMO_LOCAL_MODEL = 'demo-base';
const DEFAULT_MODEL_BYTES = 48 * 1024 * 1024;

/** The Modelfile of the pullable demo model (FROM is the generated GGUF beside it). */
const TINY_MODELFILE = `# The pullable demo model of Modelfile Studio: a tiny GGUF with a chat template.
FROM ./tiny.gguf
TEMPLATE """{{- if .System }}<|system|>
{{ .System }}</s>
{{ end }}{{- range .Messages }}<|{{ .Role }}|>
{{ .Content }}</s>
{{ end }}<|assistant|>
"""
SYSTEM """You are a tiny demo model served by a local registry. You cannot really answer, but you pull fast."""
PARAMETER temperature 0.2
PARAMETER num_ctx 2048
PARAMETER stop "</s>"
PARAMETER stop "<|user|>"
LICENSE """MIT"""
`;

/** The Modelfile of the model that is in the models directory from the start. */
const BASE_MODELFILE = `# The demo base model: FROM in the demo Modelfiles resolves to it, so they create offline.
FROM ./base.gguf
TEMPLATE """{{ if .System }}### System:
{{ .System }}

{{ end }}### User:
{{ .Prompt }}

### Response:
{{ .Response }}"""
PARAMETER temperature 0.7
PARAMETER stop "### User:"
`;

/** Llama-shaped metadata for a small model; the tensors are zeros. */
function modelSpec(name: string, tensors: readonly GgufWriterTensor[], extra: readonly GgufWriterKv[] = []): GgufWriterSpec {
  return {
    kv: [
      ['general.architecture', 'string', 'llama'],
      ['general.name', 'string', name],
      ['general.file_type', 'uint32', 0],
      ['llama.block_count', 'uint32', 1],
      ['llama.context_length', 'uint32', 2048],
      ['llama.embedding_length', 'uint32', 64],
      ['llama.attention.head_count', 'uint32', 4],
      ...extra,
    ],
    tensors,
    dataBytes: 0,
  };
}

/** Writes a GGUF whose F32 tensors fill about `bytes`; the data region is a hole (zeros). Returns the file size. */
async function writeModelGguf(path: string, name: string, bytes: number, extra: readonly GgufWriterKv[] = []): Promise<number> {
  // One 64×64 block tensor plus an embedding of width 64 long enough to reach the wanted size (F32: 4 bytes each).
  const block: GgufWriterTensor = { name: 'blk.0.attn_q.weight', dims: [64, 64] };
  const rows = Math.max(1, Math.floor((bytes - 64 * 64 * 4) / (64 * 4)));
  const tensors: GgufWriterTensor[] = [block, { name: 'token_embd.weight', dims: [64, rows] }];
  const spec = modelSpec(name, tensors, extra);
  const header = writeGguf(spec).length; // includes the padding up to the data region
  const data = 64 * 64 * 4 + 64 * rows * 4; // both sizes are multiples of the 32-byte alignment
  return writeGgufFile(path, spec, { padToBytes: header + data });
}

/** Writes the files that demo/local-weights.modelfile names, so that it creates for real. */
export async function writeWorkspaceWeights(workspace: string): Promise<void> {
  const weights = join(workspace, 'weights');
  mkdirSync(weights, { recursive: true });
  await writeModelGguf(join(weights, 'base-q4_k_m.gguf'), 'demo local weights', 256 * 1024);
  const adapter: GgufWriterSpec = {
    kv: [
      ['general.architecture', 'string', 'llama'],
      ['general.type', 'string', 'adapter'],
      ['adapter.type', 'string', 'lora'],
      ['adapter.lora.alpha', 'float32', 16],
    ],
    tensors: [
      { name: 'blk.0.attn_q.weight.lora_a', dims: [64, 8] },
      { name: 'blk.0.attn_q.weight.lora_b', dims: [8, 64] },
    ],
  };
  await writeGgufFile(join(weights, 'style-lora.gguf'), adapter);
}

/** Builds the demo world; see the file header. The caller must `stop()` it. */
export async function startDemoEnvironment(options: DemoEnvironmentOptions): Promise<DemoEnvironment> {
  const log = options.log ?? ((): void => undefined);
  const modelsDir = join(options.dir, 'models');
  const scratch = join(options.dir, 'scratch');
  const registryDir = join(options.dir, 'registry');
  for (const dir of [modelsDir, scratch, registryDir]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  const modelBytes = options.modelBytes ?? DEFAULT_MODEL_BYTES;

  const registry: DemoRegistry = await startDemoRegistry({
    dir: registryDir,
    ...(options.paceBytesPerSecond !== undefined ? { paceBytesPerSecond: options.paceBytesPerSecond } : {}),
  });
  try {
    log(`registry on ${registry.directHost}${registry.host !== registry.directHost ? ` (paced at ${registry.host})` : ''}`);
    const [layerBytes] = await Promise.all([
      writeModelGguf(join(scratch, 'tiny.gguf'), 'demo tiny', modelBytes),
      writeModelGguf(join(scratch, 'base.gguf'), 'demo base', 1024 * 1024),
      options.workspace !== undefined ? writeWorkspaceWeights(options.workspace) : Promise.resolve(),
    ]);

    // The pullable model: created in a scratch models directory under the registry's own name, then pushed.
    const scratchModels = join(scratch, 'models');
    const seededName = `${registry.directHost}/${DEMO_REPOSITORY}:latest`;
    await createModel({ modelsDir: scratchModels, name: seededName, modelfile: TINY_MODELFILE, modelfileDir: scratch });
    const client = new RegistryClient({ insecureHosts: [registry.directHost], retries: 2, retryBaseMs: 100 });
    await pushModel(seededName, { modelsDir: scratchModels, client });
    log(`pushed ${DEMO_REPOSITORY}:latest (${(layerBytes / (1024 * 1024)).toFixed(0)} MiB weights)`);

    // The model that is there from the start.
    await createModel({ modelsDir, name: DEMO_LOCAL_MODEL, modelfile: BASE_MODELFILE, modelfileDir: scratch });
    rmSync(scratch, { recursive: true, force: true });

    return {
      modelsDir,
      registryHost: registry.host,
      directRegistryHost: registry.directHost,
      pullName: `${registry.host}/${DEMO_REPOSITORY}`,
      localModel: DEMO_LOCAL_MODEL,
      modelBytes: layerBytes,
      registryPid: registry.pid,
      stop: () => registry.stop(),
    };
  } catch (error) {
    await registry.stop();
    throw error;
  }
}
