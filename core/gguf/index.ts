// Public surface of the GGUF module: the bounded header reader, the summary create/list/show use, layer
// classification, capabilities and file-type names.
export {
  GGUF_LIMITS,
  GGUF_VALUE_TYPES,
  isGgufFile,
  isGgufMagic,
  readGguf,
  type GgufArray,
  type GgufHeader,
  type GgufNumberType,
  type GgufReadOptions,
  type GgufTensorInfo,
  type GgufValue,
  type GgufValueType,
} from './reader';
export {
  MEDIA_TYPE_ADAPTER,
  MEDIA_TYPE_MODEL,
  MEDIA_TYPE_PROJECTOR,
  capabilitiesFromGguf,
  ggufInfoFromHeader,
  layerMediaTypeFor,
  lookupGgufKey,
  readGgufInfo,
  stopAtTokenizerKeys,
  type GgufCapability,
  type GgufInfo,
  type GgufLayerMediaType,
  countOf,
} from './info';
export { GGUF_FILE_TYPES, ggufFileTypeName } from './file-types';
