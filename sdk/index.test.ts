// The SDK's public surface is deliberate: adding or removing an export should be a visible change.
import assert from "node:assert/strict"
import { test } from "node:test"
import * as browserEntry from "./index.ts"
import * as nodeEntry from "./index.node.ts"

const browserExports = [
  "HumanmarkError",
  "MAX_TREE_DEPTH",
  "MIN_TREE_DEPTH",
  "checkArtifactBytes",
  "createHumanmarkClient",
  "generateSemaphoreProof",
  "getHealth",
  "isHumanmarkError",
  "poseidonT3Abi",
  "redactUrl",
  "releaseProverThreads",
  "semaphoreAbi",
  "semaphoreArtifactName",
  "semaphoreArtifactsVersion",
  "semaphoreVerifierAbi",
  "toSemaphoreProofStruct",
  "verifySemaphoreProof",
]

test("the browser entry exports exactly the public API", () => {
  assert.deepEqual(Object.keys(browserEntry).sort(), browserExports)
})

test("the Node entry adds only the file-system loaders", () => {
  assert.deepEqual(Object.keys(nodeEntry).sort(), [...browserExports, "loadSemaphoreArtifacts", "semaphoreArtifactsDir"].sort())
})
