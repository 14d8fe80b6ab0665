// The public face of core/create: Modelfile → blobs → config → manifest with Ollama's inheritance rules. Import
// from 'core/create', not its files.
export {
  createFromModelfilePath,
  createModel,
  layerRole,
  MAX_MODELFILE_BYTES,
  type CreateFromPathOptions,
  type CreateOptions,
  type CreateResult,
} from './create';
export type { CreateProgress, CreateProgressListener, LayerProgress, LayerState } from './progress';
export { ModelfileMissing, NeedsConverter, SourceChanged, SourceMissing } from './errors';
export {
  assignRelativeNames,
  planCreate,
  requireGgufSet,
  templateError,
  type CreatePlan,
  type FromPlan,
  type PlannedFile,
} from './plan';
export {
  contentTypeOf,
  resolveSources,
  selectFolder,
  sniffHead,
  type FileHead,
  type FolderSelection,
  type ResolvedSource,
  type SourceFile,
  type SourceInstruction,
  type SourceLookup,
} from './sources';
export { inspectGgufSet, MAX_SPLIT_PARTS, type GgufRole, type ImportUnit, type InspectedGguf } from './inspect';
export { planSplitMerge, splitMergeStream, type SplitMerge } from './split';
export { assembleLayers, inheritedGoValue, type AssembleInputs, type AssembledLayers, type JsonValue, type NewBlob } from './layers';
export {
  buildConfig,
  CLOUD_REMOTE_HOST,
  parseBaseConfig,
  type BuiltConfig,
  type ConfigInputs,
  type GgufLayerFacts,
} from './config';
export { findBaseManifest, readBaseModel, type BaseModel, type PullMissing } from './base';
export { tensorByteSize } from './ggml-types';
