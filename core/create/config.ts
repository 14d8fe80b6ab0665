// The config blob of a created model (spec 3.5, 4.5, 4.6): inherited from the base model's config when FROM names
// a model (RENDERER/PARSER/REQUIRES override), filled from the GGUF model layers (format, family, families,
// parameter size, quantization; first value wins), the DRAFT model's `draft` object, the architecture defaults
// (gemma4, laguna, nemotron_h*) and, for `:cloud` references, the remote host and model. Pure.
import { ManifestInvalid } from '../errors';
import { emptyConfig, type OllamaConfig, type OllamaDraft } from '../json/ollama-json';
import { humanNumber } from '../modelfile/human';
import { LAYER_MEDIA_TYPES } from '../json/ollama-json';

/** What the config needs to know about one GGUF layer. */
export interface GgufLayerFacts {
  mediaType: string;
  /** `general.architecture`, or "unknown". */
  architecture: string;
  parameterCount: number;
  /** Ollama's quantization name ("Q4_K_M", "unknown" for F32 or a missing value). */
  fileTypeName: string;
}

export interface ConfigInputs {
  /** The base model's config (FROM a model name); absent for file imports and remote models. */
  base?: OllamaConfig;
  /** `:cloud` references: where the model runs. */
  remote?: { host: string; model: string };
  /** From the Modelfile; '' when not set. */
  renderer: string;
  parser: string;
  requires: string;
  /** The GGUF layers the model is made of, in layer order (only `…image.model` layers count). */
  layers: readonly GgufLayerFacts[];
  /** New DRAFT layers (the last one names the config's `draft`). */
  drafts: readonly GgufLayerFacts[];
  /** True when the Modelfile sets `stop` (then the gemma4 default stop is not added). */
  modelfileSetsStop: boolean;
}

export interface BuiltConfig {
  config: OllamaConfig;
  /** Parameters the architecture defaults add to the Modelfile's (gemma4: `stop`). */
  defaultParams: Record<string, string[]>;
}

/** The host Ollama gives `:cloud` models (spec 2.5). */
export const CLOUD_REMOTE_HOST = 'https://ollama.com:443';

function cloneConfig(config: OllamaConfig): OllamaConfig {
  const copy: OllamaConfig = { ...config, model_families: config.model_families ? [...config.model_families] : null };
  if (config.capabilities) copy.capabilities = [...config.capabilities];
  if (config.draft) copy.draft = { ...config.draft };
  return copy;
}

/** Builds the config of a new model. */
export function buildConfig(inputs: ConfigInputs): BuiltConfig {
  const config = inputs.base ? cloneConfig(inputs.base) : emptyConfig();
  if (inputs.renderer !== '') config.renderer = inputs.renderer;
  if (inputs.parser !== '') config.parser = inputs.parser;
  if (inputs.requires !== '') config.requires = inputs.requires;
  if (inputs.remote) {
    config.remote_host = inputs.remote.host;
    config.remote_model = inputs.remote.model;
  }
  const defaultParams: Record<string, string[]> = {};
  for (const layer of inputs.layers) {
    if (layer.mediaType !== LAYER_MEDIA_TYPES.model) continue;
    config.model_format = config.model_format || 'gguf';
    config.model_family = config.model_family || layer.architecture;
    config.model_type = config.model_type || humanNumber(layer.parameterCount);
    config.file_type = config.file_type || layer.fileTypeName;
    const families = config.model_families ?? [];
    if (!families.includes(layer.architecture)) families.push(layer.architecture);
    config.model_families = families;
    if (!config.renderer || !config.parser) applyArchitectureDefaults(config, layer.architecture, inputs, defaultParams);
  }
  for (const draft of inputs.drafts) config.draft = { model_format: 'gguf', architecture: draft.architecture };
  return { config, defaultParams };
}

function applyArchitectureDefaults(
  config: OllamaConfig,
  architecture: string,
  inputs: ConfigInputs,
  defaultParams: Record<string, string[]>,
): void {
  let renderer: string | undefined;
  switch (architecture) {
    case 'gemma4':
      renderer = 'gemma4';
      if (!inputs.modelfileSetsStop) defaultParams.stop = ['<turn|>'];
      break;
    case 'laguna':
      renderer = 'laguna';
      break;
    case 'nemotron_h':
    case 'nemotron_h_moe':
    case 'nemotron_h_omni':
      renderer = 'nemotron-3-nano';
      break;
    default:
      return;
  }
  config.renderer = config.renderer || renderer;
  config.parser = config.parser || renderer;
}

// ----- reading a base model's config ------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A base model's config blob as Go decodes it into its ConfigV2 struct: known fields typed, unknown ones (such as
 * the old `rootfs`) dropped, absent strings empty. Throws ManifestInvalid for a wrong type (Go fails there too).
 */
export function parseBaseConfig(text: string, where: string): OllamaConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ManifestInvalid(where, 'its config is not valid JSON; pull or create the base model again');
  }
  if (!isObject(value)) throw new ManifestInvalid(where, 'its config is not a JSON object');
  const bad = (field: string, type: string): never => {
    throw new ManifestInvalid(where, `config field "${field}" must be ${type}`);
  };
  const str = (field: string): string => {
    const v = value[field];
    if (v === undefined || v === null) return '';
    return typeof v === 'string' ? v : bad(field, 'a string');
  };
  const strings = (field: string): string[] | null => {
    const v = value[field];
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v) || !v.every((s): s is string => typeof s === 'string')) return bad(field, 'a list of strings');
    return [...v];
  };
  const int = (field: string): number => {
    const v = value[field];
    if (v === undefined || v === null) return 0;
    return typeof v === 'number' && Number.isSafeInteger(v) ? v : bad(field, 'an integer');
  };
  const config: OllamaConfig = {
    model_format: str('model_format'),
    model_family: str('model_family'),
    model_families: strings('model_families'),
    model_type: str('model_type'),
    file_type: str('file_type'),
    architecture: str('architecture'),
    os: str('os'),
  };
  const optionalStrings = ['renderer', 'parser', 'requires', 'remote_host', 'remote_model', 'base_name'] as const;
  for (const field of optionalStrings) {
    const v = str(field);
    if (v !== '') config[field] = v;
  }
  const capabilities = strings('capabilities');
  if (capabilities && capabilities.length > 0) config.capabilities = capabilities;
  const contextLength = int('context_length');
  if (contextLength !== 0) config.context_length = contextLength;
  const embeddingLength = int('embedding_length');
  if (embeddingLength !== 0) config.embedding_length = embeddingLength;
  const draft = value.draft;
  if (draft !== undefined && draft !== null) {
    if (!isObject(draft)) bad('draft', 'an object');
    const parsed: OllamaDraft = {};
    for (const field of ['model_format', 'architecture', 'tensor_prefix', 'config'] as const) {
      const v = (draft as Record<string, unknown>)[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') bad(`draft.${field}`, 'a string');
      if (v !== '') parsed[field] = v as string;
    }
    config.draft = parsed;
  }
  return config;
}
