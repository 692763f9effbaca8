// The group worker against a real anvil: batches, recovery, revocation, and a crash between
// broadcast and the record of inclusion.
import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { Identity } from "@semaphore-protocol/core"
import Database from "better-sqlite3"
import { semaphoreAbi } from "../../sdk/generated/abis.ts"
import { createDeviceHierarchy, type TestDeviceHierarchy } from "../../test/support/attestation/certificates.ts"
import { signDeviceStatement } from "../../test/support/attestation/device-statement.ts"
import { startTestChain, type TestChain } from "../../test/support/chain.ts"
import { createDeviceStatementVerifier } from "./attestation/device-statement.ts"
import { encodeBase64url } from "./attestation/encoding.ts"
import { createAttestationRegistry } from "./attestation/registry.ts"
import { startGroupWorker, type StartGroupWorkerParameters } from "./group-worker.ts"
import { readGroupMembers } from "./membership.ts"
import { createEnrollmentService, type EnrollmentService } from "./service.ts"
import { openEnrollmentStore, type EnrollmentStore } from "./store.ts"

let chain: TestChain
let hierarchy: TestDeviceHierarchy

before(async () => {
  chain = await startTestChain()
  hierarchy = await createDeviceHierarchy()
})
after(async () => {
  await chain.stop()
})

function personKey(name: string): string {
  return encodeBase64url(new TextEncoder().encode(`person:${name}`.padEnd(16, ".")))
}

function setup() {
  const db = new Database(":memory:")
  const store = openEnrollmentStore(db)
  const registry = createAttestationRegistry([createDeviceStatementVerifier({ trustedRoots: [hierarchy.root.pem] })])
  const service = createEnrollmentService({ store, registry, serverSecret: new Uint8Array(32).fill(7) })
  return { db, store, service }
}

async function enroll(service: EnrollmentService, person: string, identity: Identity, recover = false) {
  const { nonce } = await service.createChallenge(identity.commitment)
  const attestation = await signDeviceStatement({
    statement: { commitment: identity.commitment.toString(), challenge: nonce, personKey: personKey(person), issuedAt: new Date().toISOString() },
    leaf: hierarchy.leaf,
    chain: hierarchy.chain,
  })
  return service.enroll({ format: "device-statement", attestation: encodeBase64url(attestation), commitment: identity.commitment, nonce, recover })
}

function worker(store: EnrollmentStore, extra: Partial<StartGroupWorkerParameters> = {}) {
  return startGroupWorker({
    store,
    publicClient: chain.publicClient,
    walletClient: chain.walletClient,
    semaphore: chain.deployment.contracts.semaphore,
    levels: ["person"],
    intervalMs: 50,
    batchSize: 5,
    ...extra,
  })
}

async function onChain(store: EnrollmentStore) {
  const group = (await store.getGroup("person"))!
  const members = await readGroupMembers({
    publicClient: chain.publicClient,
    semaphore: chain.deployment.contracts.semaphore,
    groupId: group.groupId!,
    fromBlock: group.createdBlock!,
  })
  const root = await chain.publicClient.readContract({
    address: chain.deployment.contracts.semaphore,
    abi: semaphoreAbi,
    functionName: "getMerkleTreeRoot",
    args: [group.groupId!],
  })
  assert.equal(members.root, root, "events rebuild the on-chain root")
  return members
}

describe("group worker", () => {
  it("creates the group on first use and adds pending commitments in batches", async () => {
    const { store, service } = setup()
    const identities = Array.from({ length: 7 }, (_, index) => new Identity(`batch-${index}`))
    for (const [index, identity] of identities.entries()) await enroll(service, `batch person ${index}`, identity)
    const running = worker(store)
    await running.whenIdle()
    await running.stop()

    const members = await onChain(store)
    assert.deepEqual(members.members, identities.map((identity) => identity.commitment))
    const transactions = new Set<string>()
    for (const [index, identity] of identities.entries()) {
      const view = await service.getEnrollment(identity.commitment)
      assert.equal(view.status, "in_group")
      assert.equal(view.leafIndex, index)
      assert.ok(view.root !== undefined && view.txHash)
      transactions.add(view.txHash)
    }
    assert.equal(transactions.size, 2, "7 commitments in batches of 5: two transactions")
  })

  it("replaces a recovered commitment in place and removes a revoked one", async () => {
    const { store, service } = setup()
    const alice = new Identity("alice-1")
    const bob = new Identity("bob-1")
    await enroll(service, "alice", alice)
    await enroll(service, "bob", bob)
    const running = worker(store)
    await running.whenIdle()

    const aliceAgain = new Identity("alice-2")
    await assert.rejects(enroll(service, "alice", aliceAgain), { code: "already_enrolled" })
    const recovered = await enroll(service, "alice", aliceAgain, true)
    assert.equal(recovered.status, "pending")
    assert.equal(recovered.replacesCommitment, alice.commitment)
    await service.revoke(bob.commitment)
    running.wake()
    await running.whenIdle()
    await running.stop()

    const members = await onChain(store)
    assert.deepEqual(members.members, [aliceAgain.commitment, 0n])
    assert.equal((await service.getEnrollment(alice.commitment)).status, "replaced")
    const aliceView = await service.getEnrollment(aliceAgain.commitment)
    assert.equal(aliceView.status, "in_group")
    assert.equal(aliceView.leafIndex, 0)
    assert.equal((await store.getEnrollment(bob.commitment))?.status, "revoked")
    assert.ok((await store.getEnrollment(bob.commitment))?.removedTxHash)
    await assert.rejects(enroll(service, "bob", new Identity("bob-2"), true), { code: "person_revoked" })
  })

  for (const moment of ["beforeBroadcast", "afterBroadcast"] as const) {
    it(`survives a crash ${moment === "beforeBroadcast" ? "before the broadcast" : "after the broadcast"}: one leaf per commitment`, async () => {
      const { store, service } = setup()
      const identities = Array.from({ length: 3 }, (_, index) => new Identity(`crash-${moment}-${index}`))
      for (const [index, identity] of identities.entries()) await enroll(service, `crash ${moment} ${index}`, identity)
      let crashed = false
      const first = worker(store, {
        hooks: {
          [moment]: () => {
            crashed = true
            void first.stop()
          },
        },
      })
      while (!crashed) await new Promise((resolve) => setTimeout(resolve, 20))
      await first.stop()
      assert.equal((await store.listSubmitted("person")).length, 1, "the transaction is recorded as submitted")
      assert.equal((await service.getEnrollment(identities[0]!.commitment)).status, "pending")

      const second = worker(store)
      await second.whenIdle()
      await second.stop()
      const members = await onChain(store)
      assert.deepEqual(members.members, identities.map((identity) => identity.commitment))
      for (const identity of identities) assert.equal((await service.getEnrollment(identity.commitment)).status, "in_group")
      assert.equal((await store.listSubmitted("person")).length, 0)
    })
  }
})
