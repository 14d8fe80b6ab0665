// Test-only: the registry test harness in one import — a real docker-registry, our token endpoint, a CDN stand-in,
// a fault-injecting proxy, an Ollama-style upload server, certificates, seeding helpers, local models and cleanup.
export { makeSelfSignedCert, type SelfSignedCert } from './certs';
export { startCdn, type CdnServer, type CdnRequestRecord } from './cdn';
export { startFaultProxy, seededRandom, type Fault, type FaultProxy, type FaultProxyOptions } from './fault-proxy';
export { htpasswdLine, registryAvailable, startRegistry, type RegistryConfig, type RunningRegistry } from './registry';
export { pushBlob, pushManifest, seedModel, sha256Digest, type SeededModel } from './seed';
export { Cleanup, makeTempDir, onExit } from './temp';
export { startTokenServer, type TokenServer, type TokenRequestRecord } from './token-server';
export {
  CONFIG_TYPE,
  MODEL_TYPE,
  TEMPLATE_TYPE,
  blobSums,
  makeLocalModel,
  manifestFiles,
  modelsDirProblems,
  sha256Hex,
  type LocalLayer,
  type LocalModel,
} from './local-model';
export { startOllamaUploadServer, type OllamaUploadRecord, type OllamaUploadServer } from './ollama-uploads';
