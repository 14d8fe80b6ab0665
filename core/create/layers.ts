// Layer assembly exactly as spec 4.5 orders it: the base layers (from the base manifest, or the imported FROM
// files), then the adapter, then the drafts; then TEMPLATE and SYSTEM (non-empty replaces), LICENSE (appended),
// the parameters (merged with every inherited params layer, whole-key replacement, moved to the end when
// non-empty) and MESSAGE (replaces only when given). Text blobs are the raw UTF-8, JSON blobs Go-exact. Pure: the
// caller writes the new blobs this returns.
import { createHash } from 'node:crypto';
import {
  encodeMessagesBytes,
  encodeParamsBytes,
  goValue,
  type ChatMessage,
  type GoValue,
  type ParamsBlobValue,
} from '../json/go-json';
import { LAYER_MEDIA_TYPES, type ManifestLayer } from '../json/ollama-json';

/** A blob the new manifest needs that does not exist yet (template, system, license, params, messages). */
export interface NewBlob {
  mediaType: string;
  digest: string;
  bytes: Uint8Array;
  /** The layer's role, for progress: "template", "system", "license", "params", "messages". */
  label: string;
}

/** A JSON value as JSON.parse returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface AssembleInputs {
  /** The base model's layers (each with `from` already set), or the imported FROM file layers, in order. */
  base: readonly ManifestLayer[];
  /** The new adapter layer (at most one), appended after the base layers. */
  adapters: readonly ManifestLayer[];
  /** New draft layers; when there are any, draft layers inherited from the base are replaced. */
  drafts: readonly ManifestLayer[];
  /** '' keeps the inherited template / system prompt. */
  template: string;
  system: string;
  licenses: readonly string[];
  /** The Modelfile's parameters (typed), plus architecture defaults. */
  params: Readonly<Record<string, ParamsBlobValue>>;
  /** The decoded content of each inherited params layer, by digest. */
  inheritedParams: ReadonlyMap<string, Readonly<Record<string, JsonValue>>>;
  /** Empty keeps the inherited messages. */
  messages: readonly ChatMessage[];
}

export interface AssembledLayers {
  layers: ManifestLayer[];
  /** New blobs, in layer order, each once. */
  blobs: NewBlob[];
}

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function textBytes(text: string): Uint8Array {
  const buffer = Buffer.from(text, 'utf8');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** How Go re-encodes a value it decoded into `any`: every number is a float64, objects are maps (sorted keys). */
export function inheritedGoValue(value: JsonValue): GoValue {
  if (value === null) return goValue.null();
  if (typeof value === 'boolean') return goValue.bool(value);
  if (typeof value === 'number') return goValue.float64(value);
  if (typeof value === 'string') return goValue.string(value);
  if (Array.isArray(value)) return goValue.slice(value.map(inheritedGoValue));
  return goValue.map(Object.entries(value).map(([k, v]) => [k, inheritedGoValue(v)] as const));
}

/** Assembles the layer list of the new manifest. */
export function assembleLayers(inputs: AssembleInputs): AssembledLayers {
  const blobs: NewBlob[] = [];
  let layers: ManifestLayer[] = inputs.base.map((layer) => ({ ...layer }));
  const append = (mediaType: string, bytes: Uint8Array, label: string): void => {
    const digest = sha256(bytes);
    layers.push({ mediaType, digest, size: bytes.byteLength });
    if (!blobs.some((b) => b.digest === digest)) blobs.push({ mediaType, digest, bytes, label });
  };
  const without = (mediaType: string): void => {
    layers = layers.filter((layer) => layer.mediaType !== mediaType);
  };

  layers.push(...inputs.adapters.map((layer) => ({ ...layer })));
  if (inputs.drafts.length > 0) {
    without(LAYER_MEDIA_TYPES.draft);
    layers.push(...inputs.drafts.map((layer) => ({ ...layer })));
  }

  if (inputs.template !== '') {
    without(LAYER_MEDIA_TYPES.template);
    append(LAYER_MEDIA_TYPES.template, textBytes(inputs.template), 'template');
  }
  if (inputs.system !== '') {
    without(LAYER_MEDIA_TYPES.system);
    append(LAYER_MEDIA_TYPES.system, textBytes(inputs.system), 'system');
  }
  for (const license of inputs.licenses) append(LAYER_MEDIA_TYPES.license, textBytes(license), 'license');

  // A null-prototype record, so that any key (even "__proto__") is an ordinary entry.
  const merged: Record<string, ParamsBlobValue> = Object.create(null) as Record<string, ParamsBlobValue>;
  for (const [key, value] of Object.entries(inputs.params)) merged[key] = value;
  for (const layer of layers) {
    if (layer.mediaType !== LAYER_MEDIA_TYPES.params) continue;
    const inherited = inputs.inheritedParams.get(layer.digest) ?? {};
    for (const [key, value] of Object.entries(inherited)) {
      if (!Object.prototype.hasOwnProperty.call(merged, key)) merged[key] = inheritedGoValue(value);
    }
  }
  if (Object.keys(merged).length > 0) {
    without(LAYER_MEDIA_TYPES.params);
    append(LAYER_MEDIA_TYPES.params, encodeParamsBytes(merged), 'params');
  }

  if (inputs.messages.length > 0) {
    without(LAYER_MEDIA_TYPES.messages);
    append(LAYER_MEDIA_TYPES.messages, encodeMessagesBytes(inputs.messages), 'messages');
  }
  return { layers, blobs };
}
