// The config blob and manifest as Ollama's Go structs define them (field order, omitempty, nil slices), encoded
// byte-for-byte like Go's encoder (spec §3.3, §3.5, §3.6), so that what we write has the digest Ollama would give it.
import { goEncode, goMarshal, goValue, utf8, type GoField, type GoValue } from './go-json';

export const MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
export const CONFIG_MEDIA_TYPE = 'application/vnd.docker.container.image.v1+json';

/** Layer media types (spec §3.4). */
export const LAYER_MEDIA_TYPES = {
  model: 'application/vnd.ollama.image.model',
  projector: 'application/vnd.ollama.image.projector',
  adapter: 'application/vnd.ollama.image.adapter',
  draft: 'application/vnd.ollama.image.draft',
  template: 'application/vnd.ollama.image.template',
  prompt: 'application/vnd.ollama.image.prompt',
  system: 'application/vnd.ollama.image.system',
  license: 'application/vnd.ollama.image.license',
  params: 'application/vnd.ollama.image.params',
  messages: 'application/vnd.ollama.image.messages',
  embed: 'application/vnd.ollama.image.embed',
  tensor: 'application/vnd.ollama.image.tensor',
  json: 'application/vnd.ollama.image.json',
} as const;

/** `draft` in the config: every field is omitted when empty. */
export interface OllamaDraft {
  model_format?: string;
  architecture?: string;
  tensor_prefix?: string;
  config?: string;
}

/**
 * The config blob (`application/vnd.docker.container.image.v1+json`) as HEAD writes it. Optional fields are
 * omitempty in Go: absent, "" , 0 and [] are all left out. `model_families` is not omitempty: null when there is
 * none. Readers may meet more fields (e.g. the old `rootfs`); this type carries only what writers produce.
 */
export interface OllamaConfig {
  model_format: string;
  model_family: string;
  model_families: string[] | null;
  model_type: string;
  file_type: string;
  renderer?: string;
  parser?: string;
  requires?: string;
  remote_host?: string;
  remote_model?: string;
  capabilities?: string[];
  context_length?: number;
  embedding_length?: number;
  base_name?: string;
  draft?: OllamaDraft;
  architecture: string;
  os: string;
}

/** One manifest entry (layer or config). `from` and `name` are omitted when empty. */
export interface ManifestLayer {
  mediaType: string;
  digest: string;
  size: number;
  from?: string;
  name?: string;
}

export interface OllamaManifest {
  schemaVersion: number;
  mediaType: string;
  config: ManifestLayer;
  /** Go's nil slice encodes as null. */
  layers: ManifestLayer[] | null;
}

/** A config with HEAD's starting values (`architecture: amd64`, `os: linux`) and nothing else set. */
export function emptyConfig(): OllamaConfig {
  return {
    model_format: '',
    model_family: '',
    model_families: null,
    model_type: '',
    file_type: '',
    architecture: 'amd64',
    os: 'linux',
  };
}

const str = (value: string | undefined): GoValue => goValue.string(value ?? '');
const int = (value: number | undefined): GoValue => goValue.int(value ?? 0);

function draftValue(draft: OllamaDraft): GoValue {
  return goValue.struct([
    goValue.field('model_format', str(draft.model_format), true),
    goValue.field('architecture', str(draft.architecture), true),
    goValue.field('tensor_prefix', str(draft.tensor_prefix), true),
    goValue.field('config', str(draft.config), true),
  ]);
}

/** The config as a GoValue in HEAD's field order. */
export function configGoValue(config: OllamaConfig): GoValue {
  const fields: GoField[] = [
    goValue.field('model_format', str(config.model_format)),
    goValue.field('model_family', str(config.model_family)),
    goValue.field('model_families', goValue.strings(config.model_families)),
    goValue.field('model_type', str(config.model_type)),
    goValue.field('file_type', str(config.file_type)),
    goValue.field('renderer', str(config.renderer), true),
    goValue.field('parser', str(config.parser), true),
    goValue.field('requires', str(config.requires), true),
    goValue.field('remote_host', str(config.remote_host), true),
    goValue.field('remote_model', str(config.remote_model), true),
    goValue.field('capabilities', goValue.strings(config.capabilities), true),
    goValue.field('context_length', int(config.context_length), true),
    goValue.field('embedding_length', int(config.embedding_length), true),
    goValue.field('base_name', str(config.base_name), true),
    goValue.field('draft', goValue.pointer(config.draft && draftValue(config.draft)), true),
    goValue.field('architecture', str(config.architecture)),
    goValue.field('os', str(config.os)),
  ];
  return goValue.struct(fields);
}

/** The config blob text: compact JSON plus `\n`, as `json.NewEncoder(...).Encode(config)` writes it. */
export function encodeConfig(config: OllamaConfig): string {
  return goEncode(configGoValue(config));
}

export function encodeConfigBytes(config: OllamaConfig): Uint8Array {
  return utf8(encodeConfig(config));
}

function layerValue(layer: ManifestLayer): GoValue {
  return goValue.struct([
    goValue.field('mediaType', str(layer.mediaType)),
    goValue.field('digest', str(layer.digest)),
    goValue.field('size', int(layer.size)),
    goValue.field('from', str(layer.from), true),
    goValue.field('name', str(layer.name), true),
  ]);
}

/** The manifest as a GoValue: schemaVersion, mediaType, config, layers. */
export function manifestGoValue(manifest: OllamaManifest): GoValue {
  return goValue.struct([
    goValue.field('schemaVersion', int(manifest.schemaVersion)),
    goValue.field('mediaType', str(manifest.mediaType)),
    goValue.field('config', layerValue(manifest.config)),
    goValue.field('layers', goValue.slice(manifest.layers?.map(layerValue))),
  ]);
}

/**
 * The manifest text. `newline: true` (default) is what create writes to disk (compact JSON + `\n`);
 * `newline: false` is what push sends (`json.Marshal` of the parsed struct, spec §5.4).
 */
export function encodeManifest(manifest: OllamaManifest, options: { newline?: boolean } = {}): string {
  const value = manifestGoValue(manifest);
  return options.newline === false ? goMarshal(value) : goEncode(value);
}

export function encodeManifestBytes(manifest: OllamaManifest, options: { newline?: boolean } = {}): Uint8Array {
  return utf8(encodeManifest(manifest, options));
}
