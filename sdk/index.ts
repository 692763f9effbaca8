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
export { contentAnchorAbi, poseidonT3Abi, semaphoreAbi, semaphoreVerifierAbi } from "./generated/abis.ts"
export { digestOf, normalizeDigest, parseDigest } from "./anchors/digest.ts"
export {
  MERKLE_HASH_RULE,
  buildMerkleTree,
  merkleLeafHash,
  merkleNodeHash,
  merklePath,
  rootFromPath,
  type DigestInput,
  type MerklePath,
  type MerklePathStep,
  type MerkleTree,
} from "./anchors/merkle.ts"
export {
  RECEIPT_VERSION,
  createAnchoredReceipt,
  createPendingReceipt,
  isAnchoredReceipt,
  parseReceipt,
  type AnchoredReceipt,
  type CreateAnchoredReceiptParameters,
  type CreatePendingReceiptParameters,
  type HumanAttestation,
  type PendingReceipt,
  type Receipt,
  type ReceiptAnchor,
  type ReceiptMerkle,
  type ReceiptStatus,
} from "./anchors/receipt.ts"
export {
  verifyReceipt,
  type CheckResult,
  type CheckStatus,
  type VerifyReceiptChecks,
  type VerifyReceiptErrorType,
  type VerifyReceiptParameters,
  type VerifyReceiptResult,
} from "./anchors/verify.ts"
export {
  MAX_DIGESTS_PER_REQUEST,
  getReceipt,
  submitDigests,
  verifyReceiptOnServer,
  waitForReceipt,
  type SubmitDigestsParameters,
  type WaitForReceiptParameters,
} from "./anchors/client.ts"
export { humanAttestationMessage } from "./anchors/human.ts"
export { createFetchingArtifactLoader, type ArtifactDownloadProgress, type CreateFetchingArtifactLoaderParameters } from "./semaphore/artifacts.browser.ts"
export { governorPersonhoodAbi, humanPollsAbi, personhoodTimelockAbi } from "./generated/abis.ts"
export { pairScope, pollScope, proposalScope } from "./voting/scope.ts"
export { approvalMessage, proposalVoteMessage, voteMessage } from "./voting/message.ts"
export { fitBradleyTerry, type BradleyTerryRanking, type FitBradleyTerryParameters, type PairwiseJudgement } from "./voting/bradley-terry.ts"
export { nextPair } from "./voting/pairing.ts"
export { tallyApproval, tallySingleChoice } from "./voting/tally.ts"
export {
  IDENTITY_BACKUP_VERSION,
  createIdentity,
  exportIdentity,
  importIdentity,
  type ExportIdentityParameters,
  type IdentityBackup,
  type ImportIdentityReturnType,
} from "./enrollment/identity.ts"
export { SEMAPHORE_FIELD_ORDER, parseCommitment } from "./enrollment/commitment.ts"
export {
  enroll,
  enrollWithDevAttester,
  enrollmentToJson,
  getEnrollment,
  getMerkleProof,
  listGroups,
  requestChallenge,
  waitForEnrollment,
  type Enrollment,
  type EnrollmentMerkleProof,
  type EnrollmentStatus,
  type PersonhoodGroup,
} from "./enrollment/client.ts"
export {
  castGovernorVote,
  castVote,
  createPoll,
  fetchWithAdminToken,
  getGovernorVoteStatus,
  getMembershipProof,
  getNextPair,
  getPoll,
  getProposal,
  getResults,
  getVoteStatus,
  listPolls,
  submitVote,
  waitForVote,
  type Ballot,
  type CastVoteParameters,
  type CreatePollParameters,
  type Poll,
  type PollResults,
  type Vote,
} from "./voting/client.ts"
