// The SDK's public surface is deliberate: adding or removing an export should be a visible change.
import assert from "node:assert/strict"
import { test } from "node:test"
import * as browserEntry from "./index.ts"
import * as nodeEntry from "./index.node.ts"

const browserExports = [
  "HumanmarkError",
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
  "toSemaphoreProofStruct",
  "verifyReceipt",
  "verifySemaphoreProof",
]

test("the browser entry exports exactly the public API", () => {
  assert.deepEqual(Object.keys(browserEntry).sort(), browserExports)
})

test("the Node entry adds only what reads the file system", () => {
  assert.deepEqual(Object.keys(nodeEntry).sort(), [...browserExports, "loadSemaphoreArtifacts", "semaphoreArtifactsDir", "sha256File"].sort())
})
