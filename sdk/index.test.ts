// The SDK's public surface is deliberate: adding or removing an export should be a visible change.
import assert from "node:assert/strict"
import { test } from "node:test"
import * as browserEntry from "./index.ts"
import * as nodeEntry from "./index.node.ts"

const browserExports = [
  "HumanmarkError",
  "IDENTITY_BACKUP_VERSION",
  "MAX_DIGESTS_PER_REQUEST",
  "MAX_TREE_DEPTH",
  "MERKLE_HASH_RULE",
  "MIN_TREE_DEPTH",
  "RECEIPT_VERSION",
  "SEMAPHORE_FIELD_ORDER",
  "approvalMessage",
  "buildMerkleTree",
  "checkArtifactBytes",
  "contentAnchorAbi",
  "createAnchoredReceipt",
  "createFetchingArtifactLoader",
  "createHumanmarkClient",
  "createIdentity",
  "createPendingReceipt",
  "digestOf",
  "enroll",
  "enrollWithDevAttester",
  "enrollmentToJson",
  "exportIdentity",
  "fitBradleyTerry",
  "generateSemaphoreProof",
  "getEnrollment",
  "getHealth",
  "getMerkleProof",
  "getReceipt",
  "governorPersonhoodAbi",
  "humanAttestationMessage",
  "humanPollsAbi",
  "importIdentity",
  "isAnchoredReceipt",
  "isHumanmarkError",
  "listGroups",
  "merkleLeafHash",
  "merkleNodeHash",
  "merklePath",
  "nextPair",
  "normalizeDigest",
  "pairScope",
  "parseCommitment",
  "parseDigest",
  "parseReceipt",
  "personhoodTimelockAbi",
  "pollScope",
  "poseidonT3Abi",
  "proposalScope",
  "proposalVoteMessage",
  "redactUrl",
  "releaseProverThreads",
  "requestChallenge",
  "rootFromPath",
  "semaphoreAbi",
  "semaphoreArtifactName",
  "semaphoreArtifactsVersion",
  "semaphoreVerifierAbi",
  "submitDigests",
  "tallyApproval",
  "tallySingleChoice",
  "toSemaphoreProofStruct",
  "verifyReceipt",
  "verifyReceiptOnServer",
  "verifySemaphoreProof",
  "voteMessage",
  "waitForEnrollment",
  "waitForReceipt",
]

test("the browser entry exports exactly the public API", () => {
  assert.deepEqual(Object.keys(browserEntry).sort(), browserExports)
})

// C2PA reading is Node-only for now: it loads c2pa-wasm's 9 MB module from the installed package.
const nodeOnlyExports = [
  "C2PA_ERROR_CODES",
  "C2PA_MAX_BYTES",
  "MAX_PROOFS_PER_PAIRING",
  "batchVerifySemaphoreProofs",
  "checkTrustAnchorsPem",
  "createSemaphoreBatchVerifier",
  "loadSemaphoreArtifacts",
  "loadSemaphoreVerificationKey",
  "parseSemaphoreVerificationKey",
  "readC2pa",
  "semaphoreArtifactsDir",
  "semaphoreSignalHash",
  "sha256File",
]

test("the Node entry adds only the Node-side parts: file loaders, C2PA reading, batch verification", () => {
  assert.deepEqual(Object.keys(nodeEntry).sort(), [...browserExports, ...nodeOnlyExports].sort())
})
