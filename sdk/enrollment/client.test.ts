// The enrollment client against the whole running system: dev attester, durable queue, group
// worker on anvil, and a Semaphore proof from the Merkle proof the server hands out.
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { createHumanmarkClient, type HumanmarkClient } from "../client.ts"
import { isHumanmarkError } from "../errors.ts"
import { semaphoreAbi } from "../generated/abis.ts"
import { loadSemaphoreArtifacts } from "../semaphore/artifacts.node.ts"
import { generateSemaphoreProof, releaseProverThreads, verifySemaphoreProof } from "../semaphore/proof.ts"
import { startTestStack, type TestStack } from "../../test/support/stack.ts"
import {
  enroll,
  enrollWithDevAttester,
  getEnrollment,
  getMerkleProof,
  listGroups,
  requestChallenge,
  waitForEnrollment,
  type Enrollment,
} from "./client.ts"
import { SEMAPHORE_FIELD_ORDER } from "./commitment.ts"
import { createIdentity } from "./identity.ts"

async function rejectsWith(promise: Promise<unknown>, code: string, status?: number) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isHumanmarkError(error), `expected a HumanmarkError, got ${String(error)}`)
    assert.equal(error.code, code, `${error.message} ${error.details ?? ""}`)
    if (status !== undefined) assert.equal(error.status, status)
    return true
  })
}

describe("enrollment client", () => {
  let stack: TestStack
  let client: HumanmarkClient
  before(async () => {
    stack = await startTestStack({ env: { ENROLLMENT_BATCH_INTERVAL_MS: "100" } })
    client = createHumanmarkClient({ serverUrl: stack.url })
  })
  after(async () => {
    await releaseProverThreads()
    await stack?.cleanup()
  })

  it("enrolls through the dev attester, waits until in the group, and proves membership with the Merkle proof", async () => {
    const identity = createIdentity()
    const accepted = await enrollWithDevAttester(client, { identity, person: "Client Test Person" })
    assert.equal(accepted.commitment, identity.commitment)
    assert.equal(accepted.level, "person")
    assert.ok(accepted.status === "pending" || accepted.status === "in_group")
    assert.ok(accepted.expiresAt.getTime() > Date.now())

    const seen: Enrollment[] = []
    const inGroup = await waitForEnrollment(client, { commitment: identity.commitment, intervalMs: 100, timeoutMs: 60_000, onProgress: (each) => seen.push(each) })
    assert.equal(inGroup.status, "in_group")
    assert.equal(seen.at(-1)?.status, "in_group")
    assert.equal(typeof inGroup.leafIndex, "number")
    assert.match(inGroup.txHash ?? "", /^0x[0-9a-f]{64}$/)
    assert.deepEqual(await getEnrollment(client, identity.commitment.toString()), inGroup)

    const { groups, semaphore } = await listGroups(client)
    assert.equal(semaphore.toLowerCase(), stack.deployment.contracts.semaphore.toLowerCase())
    const personGroup = groups.find((group) => group.level === "person")
    assert.equal(personGroup?.groupId, inGroup.groupId)
    assert.ok(personGroup!.size >= 1)

    const merkleProof = await getMerkleProof(client, identity.commitment)
    assert.equal(merkleProof.leaf, identity.commitment)
    assert.equal(merkleProof.index, inGroup.leafIndex)
    assert.equal(merkleProof.groupId, inGroup.groupId)
    assert.equal(merkleProof.root, personGroup!.root)
    const onChainRoot = await stack.clients.publicClient.readContract({
      address: stack.deployment.contracts.semaphore,
      abi: semaphoreAbi,
      functionName: "getMerkleTreeRoot",
      args: [merkleProof.groupId],
    })
    assert.equal(merkleProof.root, onChainRoot)

    const proof = await generateSemaphoreProof({ identity, group: merkleProof, message: 1n, scope: 42n, loadArtifacts: loadSemaphoreArtifacts })
    assert.equal(BigInt(proof.merkleTreeRoot), onChainRoot)
    assert.equal(await verifySemaphoreProof(proof), true)
  })

  it("enrolls with a commitment alone and an attestation obtained separately", async () => {
    const identity = createIdentity()
    const { nonce, expiresAt } = await requestChallenge(client, identity.commitment)
    assert.ok(expiresAt.getTime() > Date.now())
    const attested = (await (
      await fetch(`${stack.url}/v1/enrollments/dev-attestation`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ commitment: identity.commitment.toString(), nonce, person: "Separate Attestation Person" }),
      })
    ).json()) as { format: string; attestation: string }
    const accepted = await enroll(client, { commitment: identity.commitment.toString(), format: attested.format, attestation: attested.attestation, nonce })
    assert.equal(accepted.commitment, identity.commitment)

    // The same challenge again is a replay.
    await rejectsWith(enroll(client, { identity, format: attested.format, attestation: attested.attestation, nonce }), "challenge_used", 409)
  })

  it("refuses the same person twice unless it is a recovery, which replaces the old commitment", async () => {
    const first = createIdentity()
    await enrollWithDevAttester(client, { identity: first, person: "Twice Person" })
    await waitForEnrollment(client, { commitment: first.commitment, intervalMs: 100, timeoutMs: 60_000 })

    const second = createIdentity()
    await rejectsWith(enrollWithDevAttester(client, { identity: second, person: "  twice person " }), "already_enrolled", 409)
    await rejectsWith(enrollWithDevAttester(client, { identity: first, person: "Someone Else" }), "commitment_already_enrolled", 409)

    const recovered = await enrollWithDevAttester(client, { identity: second, person: "Twice Person", recover: true })
    assert.equal(recovered.replacesCommitment, first.commitment)
    const inGroup = await waitForEnrollment(client, { commitment: second.commitment, intervalMs: 100, timeoutMs: 60_000 })
    assert.equal(inGroup.leafIndex, (await getEnrollment(client, first.commitment)).leafIndex, "the recovery takes the old leaf")
    await rejectsWith(waitForEnrollment(client, { commitment: first.commitment, intervalMs: 100, timeoutMs: 5_000 }), "enrollment_replaced", 410)
  })

  it("reports unknown commitments, pending ones and bad input with typed errors", async () => {
    const stranger = createIdentity()
    await rejectsWith(getEnrollment(client, stranger.commitment), "enrollment_not_found", 404)
    await rejectsWith(getMerkleProof(client, stranger.commitment), "enrollment_not_found", 404)
    await rejectsWith(waitForEnrollment(client, { commitment: stranger.commitment }), "enrollment_not_found", 404)

    // Checked here, before anything is sent.
    await rejectsWith(getEnrollment(client, SEMAPHORE_FIELD_ORDER), "invalid_commitment")
    await rejectsWith(getEnrollment(client, "12abc"), "invalid_commitment")
    await rejectsWith(requestChallenge(client, -1n), "invalid_commitment")

    const { nonce } = await requestChallenge(client, stranger.commitment)
    await rejectsWith(enroll(client, { identity: stranger, format: "no-such-format", attestation: "x", nonce }), "unknown_attestation_format", 400)
    await rejectsWith(enroll(client, { identity: stranger, format: "device-statement", attestation: "x", nonce: "never-issued" }), "challenge_unknown", 400)
    await rejectsWith(enroll(client, { identity: createIdentity(), format: "device-statement", attestation: "x", nonce }), "challenge_commitment_mismatch", 400)
  })

  it("times out with enrollment_timeout while the commitment is still pending", async () => {
    // With mining paused the worker's addMembers waits in the mempool, so the commitment stays pending.
    const rpc = stack.clients.publicClient
    await rpc.request({ method: "evm_setAutomine" as never, params: [false] as never })
    try {
      const identity = createIdentity()
      await enrollWithDevAttester(client, { identity, person: "Pending Person" })
      const seen: string[] = []
      await rejectsWith(
        waitForEnrollment(client, { commitment: identity.commitment, intervalMs: 100, timeoutMs: 500, onProgress: (each) => seen.push(each.status) }),
        "enrollment_timeout",
        504,
      )
      assert.ok(seen.length >= 2 && seen.every((status) => status === "pending"))
      await rejectsWith(getMerkleProof(client, identity.commitment), "enrollment_not_in_group", 409)
    } finally {
      await rpc.request({ method: "evm_setAutomine" as never, params: [true] as never })
      await rpc.request({ method: "evm_mine" as never, params: [] as never })
    }
  })
})
