// The public face of core/names: Ollama's model-name grammar, extended references, digests, manifest paths and
// the case rules. Everything other folders need is re-exported here; import from 'core/names', not its files.
export {
  DEFAULT_HOST,
  DEFAULT_NAMESPACE,
  DEFAULT_SCHEME,
  DEFAULT_TAG,
  MAX_HOST_LENGTH,
  MAX_PART_LENGTH,
  MISSING_PART,
  NAME_PARTS,
  checkNamePart,
  displayNamespaceModel,
  displayShortest,
  equalFold,
  equalFoldPart,
  isValidName,
  nameString,
  parseName,
  parseNameRaw,
  validateName,
  withDefaults,
  type NamePart,
  type NameValidation,
  type ParsedName,
} from './names';
export { isDigest, digestToFileName, fileNameToDigest, isBlobFileName, parseDigest, tryParseDigest } from './digest';
export {
  adoptExistingSpelling,
  findExistingName,
  manifestPath,
  nameFromManifestPath,
  type ManifestPathParts,
} from './paths';
export {
  SUPPORTED_SCHEMES,
  checkReference,
  parseReference,
  type NameReference,
  type ReferenceCheck,
  type ReferenceScheme,
} from './reference';
export { legacyCloudPullName, stripSourceSuffix, type ModelSource, type SourcedReference } from './source';
export { describeName, type NameReport } from './report';
export { NamePartInvalid, SourceSuffixConflict, type ReferencePart } from './errors';
