// The SDK entry for Node: everything in ./index.ts plus what needs the file system.
export * from "./index.ts"
export { loadSemaphoreArtifacts, semaphoreArtifactsDir } from "./semaphore/artifacts.node.ts"
export { sha256File } from "./anchors/digest.node.ts"
export {
  C2PA_ERROR_CODES,
  C2PA_MAX_BYTES,
  checkTrustAnchorsPem,
  readC2pa,
  type ReadC2paErrorType,
  type ReadC2paParameters,
  type ReadC2paReturnType,
} from "./c2pa/read.ts"
export type {
  C2paAction,
  C2paIngredient,
  C2paIngredientResult,
  C2paManifestSummary,
  C2paSigner,
  C2paStatusCodes,
  C2paSummary,
  C2paValidationState,
} from "./c2pa/summary.ts"
// Batch verification runs where tallies are made; it builds the BN254 curve with ffjavascript.
export {
  MAX_PROOFS_PER_PAIRING,
  batchVerifySemaphoreProofs,
  createSemaphoreBatchVerifier,
  parseSemaphoreVerificationKey,
  semaphoreSignalHash,
  type BatchVerificationResult,
  type SemaphoreBatchVerifier,
} from "./semaphore/batch-verify.ts"
export { loadSemaphoreVerificationKey } from "./semaphore/batch-verify.node.ts"
