// The public face of core/registry: the registry client (transport, auth, retries), pull, push, the hook that
// lets create pull a missing base model, Ollama key set-up, the auth building blocks (Ollama key file, signed
// flow, Docker token/Basic, credential sources) and the typed errors.
// Import from 'core/registry', not its files.
export {
  DEFAULT_STREAMS,
  DOCKER_MANIFEST_TYPE,
  MANIFEST_ACCEPT,
  RegistryClient,
  defaultUserAgent,
  redactUrl,
  type BlobDownload,
  type BlobPresence,
  type ByteRange,
  type CallOptions,
  type ManifestResult,
  type RegistryClientOptions,
  type RegistryRepository,
  type TraceEvent,
  type UploadBody,
  type UploadPartResult,
  type UploadStart,
} from './client';
export { pullModel, type PullEvent, type PullOptions, type PullResult, type PullTarget } from './pull';
export {
  mountSource,
  pushModel,
  uploadEtag,
  type PushEvent,
  type PushLayerState,
  type PushOptions,
  type PushResult,
  type PushTarget,
} from './push';
export { pullMissingFor, type PullMissingProgress } from './pull-missing';
export { OLLAMA_KEYS_URL, keyRegistration, ollamaKeyLoader, registrationAdvice, type KeyRegistration } from './key-setup';
export {
  DOWNLOAD_MIN_PART_SIZE,
  DOWNLOAD_PART_COUNT_TARGET,
  MAX_PART_SIZE,
  MIN_PART_SIZE,
  PART_COUNT_TARGET,
  defaultDownloadPartSize,
  defaultPartSize,
  planParts,
  type PartRange,
} from './parts';
export {
  AuthChallengeInvalid,
  DiskFull,
  KeyInvalid,
  KeyMissing,
  LayerMissing,
  RegistryError,
  Stalled,
  TooLarge,
  TooManyRedirects,
  TransportError,
  decodeErrorBody,
  decodeRegistryError,
  formatBytes,
  isTemporary,
  type ErrorContext,
} from './errors';
export { OLLAMA_REGISTRY_HOSTS, authFlowFor, type AuthEvent, type AuthFlow } from './auth/authenticator';
export {
  credentialsProvider,
  dockerConfigLookup,
  envVarForHost,
  noCredentials,
  type BasicCredentials,
  type CredentialSources,
  type CredentialsProvider,
} from './auth/credentials';
export {
  authorizedKeyLine,
  defaultKeyPath,
  encodeOpenSshPrivateKey,
  loadOrCreateKey,
  newKeyPair,
  parseOpenSshPrivateKey,
  publicKeyField,
  readKeyFile,
  writeNewKeyFiles,
  type Ed25519KeyPair,
} from './auth/openssh-key';
export { ZERO_SUM, makeProactiveToken, ollamaTokenUrl, parseOllamaChallenge, signedAuthorization } from './auth/ollama-auth';
