// The public face of core/cache: Ollama's models directory — where it is, blobs, manifests, list, show, cp, rm,
// prune and the cross-process lock. Import from 'core/cache', not its files.
export {
  BLOBS_DIR_NAME,
  MANIFESTS_DIR_NAME,
  PARTIALS_DIR_NAME,
  STUDIO_DIR_NAME,
  blobsDir,
  cleanEnvValue,
  manifestsDir,
  partialsDir,
  resolveModelsDir,
  studioDir,
  type ResolveModelsDirOptions,
} from './layout';
export { BlobMissing, CacheBusy, SizeMismatch } from './errors';
export {
  BLOB_TEMP_PREFIX,
  EMPTY_DIGEST,
  blobExists,
  blobPath,
  importFile,
  installBlobFile,
  touchBlob,
  writeBlobFromBytes,
  writeBlobFromStream,
  type ImportFileOptions,
  type WriteBlobOptions,
  type WrittenBlob,
} from './blobs';
export {
  MANIFEST_TEMP_PREFIX,
  MAX_MANIFEST_BYTES,
  findManifestName,
  fullName,
  loadManifest,
  manifestDigests,
  manifestSize,
  parseManifest,
  readManifest,
  readManifestBytes,
  requireName,
  storageSpelling,
  walkManifestFiles,
  writeManifest,
  type ManifestFile,
  type ParsedManifest,
  type StoredManifest,
  type WriteManifestOptions,
  type WrittenManifest,
} from './manifests';
export { collectReferences, digestsInFile, type CacheWarning, type References } from './references';
export { clearListMemory, listModels, modelLayerOf, type ListOptions, type ListResult, type ModelListEntry } from './list';
export {
  copyModel,
  removeEmptyParents,
  removeModel,
  removeOrphanedBlobs,
  type BlobRemoval,
  type CopyResult,
  type RemoveResult,
} from './remove';
export { DEFAULT_PRUNE_AGE_MS, prune, type PruneOptions, type PruneResult, type PrunedFile, type PrunedKind } from './prune';
export {
  LOCK_FILE_NAME,
  acquireCacheLock,
  livePinnedDigests,
  lockFilePath,
  pinBlobs,
  processAlive,
  withCacheLock,
  type BlobPin,
  type CacheLock,
  type LockInfo,
  type LockOptions,
} from './lock';
export { goFormatFloat, goPadRight, goSharpV, goV, type GoJsonValue } from './go-format';
export type { ConfigSummary, GgufSummary } from './summaries';
export {
  DEFAULT_TEMPLATE,
  renderShowModelfile,
  renderShowParameters,
  showModel,
  type ShowLayer,
  type ShowMessage,
  type ShowModelfileInput,
  type ShowResult,
} from './show';
