// The SDK's public surface is deliberate: adding or removing an export should be a visible change.
import assert from "node:assert/strict"
import { test } from "node:test"
import * as browserEntry from "./index.ts"
import * as nodeEntry from "./index.node.ts"

const browserExports = [
  "HumanmarkError",
  "MAX_DIGESTS_PER_REQUEST",
  "MAX_TREE_DEPTH",
  "MERKLE_HASH_RULE",
  "MIN_TREE_DEPTH",
  "RECEIPT_VERSION",
  "buildMerkleTree",
  "checkArtifactBytes",
  "contentAnchorAbi",
  "createAnchoredReceipt",
  "createHumanmarkClient",
  "createPendingReceipt",
  "digestOf",
  "generateSemaphoreProof",
  "getHealth",
  "getReceipt",
  "humanAttestationMessage",
  "isAnchoredReceipt",
  "isHumanmarkError",
  "merkleLeafHash",
  "merkleNodeHash",
  "merklePath",
  "normalizeDigest",
  "parseDigest",
  "parseReceipt",
  "poseidonT3Abi",
  "redactUrl",
  "releaseProverThreads",
  "rootFromPath",
  "semaphoreAbi",
  "semaphoreArtifactName",
  "semaphoreArtifactsVersion",
  "semaphoreVerifierAbi",
  "submitDigests",
  "toSemaphoreProofStruct",
  "verifyReceipt",
  "verifyReceiptOnServer",
  "verifySemaphoreProof",
  "waitForReceipt",
]

test("the browser entry exports exactly the public API", () => {
  assert.deepEqual(Object.keys(browserEntry).sort(), browserExports)
})

// C2PA reading is Node-only for now: it loads c2pa-wasm's 9 MB module from the installed package.
const nodeOnlyExports = ["C2PA_ERROR_CODES", "C2PA_MAX_BYTES", "checkTrustAnchorsPem", "loadSemaphoreArtifacts", "readC2pa", "semaphoreArtifactsDir", "sha256File"]

test("the Node entry adds only what reads the file system", () => {
  assert.deepEqual(Object.keys(nodeEntry).sort(), [...browserExports, ...nodeOnlyExports].sort())
})
