// The public entry of the humanmark SDK (browser and Node). Node-only additions: ./index.node.ts.
export { HumanmarkError, isHumanmarkError, redactUrl, type HumanmarkErrorOptions } from "./errors.ts"
export { createHumanmarkClient, type HumanmarkClient, type HumanmarkClientOptions } from "./client.ts"
export { getHealth, type HealthReport } from "./health.ts"
export type { HumanmarkContracts, HumanmarkDeployment } from "./deployment.ts"
export {
  MAX_TREE_DEPTH,
  MIN_TREE_DEPTH,
  checkArtifactBytes,
  semaphoreArtifactName,
  semaphoreArtifactsVersion,
  type SemaphoreArtifacts,
} from "./semaphore/artifacts.ts"
export {
  generateSemaphoreProof,
  releaseProverThreads,
  toSemaphoreProofStruct,
  verifySemaphoreProof,
  type GenerateSemaphoreProofParameters,
} from "./semaphore/proof.ts"
export { poseidonT3Abi, semaphoreAbi, semaphoreVerifierAbi } from "./generated/abis.ts"
