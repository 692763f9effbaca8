// Enrollment on the whole running system: a person enrolls through the embedded dev attester, the
// worker puts the commitment in the on-chain personhood group, and that person can then anchor a
// digest "as a verified human" without saying who they are. A restart keeps all of it.
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { Identity } from "@semaphore-protocol/core"
import { bytesToHex, type Hex } from "viem"
import { humanAttestationMessage } from "../../sdk/anchors/human.ts"
import { verifyReceipt } from "../../sdk/anchors/verify.ts"
import { semaphoreAbi } from "../../sdk/generated/abis.ts"
import { loadSemaphoreArtifacts } from "../../sdk/semaphore/artifacts.node.ts"
import { generateSemaphoreProof, releaseProverThreads } from "../../sdk/semaphore/proof.ts"
import { startTestStack, type TestStack } from "../support/stack.ts"

const dataDir = await mkdtemp(join(tmpdir(), "humanmark-enrollment-integration-"))
after(async () => {
  await releaseProverThreads()
  await rm(dataDir, { recursive: true, force: true })
})

const env = { ENROLLMENT_BATCH_INTERVAL_MS: "100", ANCHOR_BATCH_INTERVAL_MS: "100" }

async function call<T>(stack: TestStack, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${stack.url}${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as T }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const value = await read()
    if (done(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function enroll(stack: TestStack, identity: Identity, person: string) {
  const commitment = identity.commitment.toString()
  const challenge = await call<{ nonce: string }>(stack, "/v1/enrollments/challenge", { commitment })
  assert.equal(challenge.status, 200)
  const attested = await call<{ format: string; attestation: string }>(stack, "/v1/enrollments/dev-attestation", { commitment, nonce: challenge.body.nonce, person })
  assert.equal(attested.status, 200)
  return call<{ status: string; level: string }>(stack, "/v1/enrollments", { ...attested.body, commitment, nonce: challenge.body.nonce })
}

test("enroll, get into the on-chain group, anchor as a verified human, and keep it all across a restart", async () => {
  const alice = new Identity("integration-alice")
  const stack = await startTestStack({ dataDir, keepData: true, env })
  let groupId: string
  try {
    const attesters = await call<{ formats: string[]; devAttester: boolean }>(stack, "/v1/enrollments/attesters")
    assert.deepEqual(attesters.body, { formats: ["device-statement"], devAttester: true })

    const accepted = await enroll(stack, alice, "Alice Example")
    assert.equal(accepted.status, 202)
    assert.equal(accepted.body.level, "person")

    const inGroup = await until(
      () => call<{ status: string; leafIndex?: number; root?: string; groupId?: string }>(stack, `/v1/enrollments/${alice.commitment}`),
      (answer) => answer.body.status === "in_group",
      "the enrollment to reach the group",
    )
    groupId = inGroup.body.groupId!
    const onChainRoot = await stack.clients.publicClient.readContract({
      address: stack.deployment.contracts.semaphore,
      abi: semaphoreAbi,
      functionName: "getMerkleTreeRoot",
      args: [BigInt(groupId)],
    })
    assert.equal(inGroup.body.root, onChainRoot.toString())

    // The same person again is refused: one person, one commitment.
    const twice = await enroll(stack, new Identity("integration-alice-second-device"), "alice example")
    assert.equal(twice.status, 409)
    assert.equal((twice.body as unknown as { error: { code: string } }).error.code, "already_enrolled")

    // A human-attested anchor: a Semaphore proof over the digest from the personhood group.
    const merkle = await call<{ root: string; index: number; siblings: string[] }>(stack, `/v1/enrollments/${alice.commitment}/merkle-proof`)
    assert.equal(merkle.status, 200)
    const digest = bytesToHex(randomBytes(32)) as Hex
    const proof = await generateSemaphoreProof({
      identity: alice,
      group: { root: BigInt(merkle.body.root), leaf: alice.commitment, index: merkle.body.index, siblings: merkle.body.siblings.map(BigInt) },
      message: humanAttestationMessage(digest),
      scope: BigInt(bytesToHex(randomBytes(16))),
      loadArtifacts: loadSemaphoreArtifacts,
    })
    const anchored = await call<{ receipts: { status: string }[] }>(stack, "/v1/anchors", { digest, humanProof: { groupId, ...proof } })
    assert.equal(anchored.status, 202, JSON.stringify(anchored.body))
    const receipt = await until(
      () => call<{ status: string; humanAttestation?: { groupId: string } }>(stack, `/v1/anchors/${digest}`),
      (answer) => answer.body.status !== "pending",
      "the human-attested digest to be anchored",
    )
    assert.equal(receipt.body.humanAttestation?.groupId, groupId)
    const verified = await verifyReceipt({ receipt: receipt.body, digest, rpcUrl: stack.rpcUrl })
    assert.equal(verified.valid, true, JSON.stringify(verified.checks))
    assert.equal(verified.checks.humanAttestation.status, "passed")
  } finally {
    await stack.cleanup()
  }

  const restarted = await startTestStack({ dataDir, keepData: true, env })
  try {
    const status = await call<{ status: string; groupId?: string }>(restarted, `/v1/enrollments/${alice.commitment}`)
    assert.equal(status.body.status, "in_group")
    assert.equal(status.body.groupId, groupId!)
    const groups = await call<{ groups: { level: string; size: number }[] }>(restarted, "/v1/groups")
    assert.equal(groups.body.groups.find((group) => group.level === "person")?.size, 1)
  } finally {
    await restarted.cleanup()
  }
})
