// Proof of life: the official Semaphore contracts, deployed by our deploy code, accept a proof made
// in Node with the pinned artifacts, and refuse it replayed or against another group.
import assert from "node:assert/strict"
import { after, before, test } from "node:test"
import { Group, Identity } from "@semaphore-protocol/core"
import { parseEventLogs } from "viem"
import { semaphoreAbi } from "../../sdk/generated/abis.ts"
import { loadSemaphoreArtifacts } from "../../sdk/semaphore/artifacts.node.ts"
import { generateSemaphoreProof, releaseProverThreads, toSemaphoreProofStruct, verifySemaphoreProof } from "../../sdk/semaphore/proof.ts"
import { revertErrorName, startTestChain, type TestChain } from "../../test/support/chain.ts"

let chain: TestChain
const members = Array.from({ length: 4 }, (_, i) => new Identity(`proof-of-life-${i}`))
const outsiders = Array.from({ length: 3 }, (_, i) => new Identity(`other-group-${i}`))
let groupId: bigint
let otherGroupId: bigint

async function write(functionName: "createGroup" | "addMembers" | "validateProof", args: readonly unknown[]) {
  const { request } = await chain.publicClient.simulateContract({
    address: chain.deployment.contracts.semaphore,
    abi: semaphoreAbi,
    functionName,
    args,
    account: chain.walletClient.account,
  } as never)
  const hash = await chain.walletClient.writeContract(request as never)
  return chain.publicClient.waitForTransactionReceipt({ hash })
}

async function createGroupWith(identities: Identity[]): Promise<bigint> {
  const receipt = await write("createGroup", [])
  const [created] = parseEventLogs({ abi: semaphoreAbi, logs: receipt.logs, eventName: "GroupCreated" })
  assert.ok(created, "GroupCreated was emitted")
  await write("addMembers", [created.args.groupId, identities.map((identity) => identity.commitment)])
  return created.args.groupId
}

const validate = (id: bigint, proof: Parameters<typeof toSemaphoreProofStruct>[0]) =>
  chain.publicClient.simulateContract({
    address: chain.deployment.contracts.semaphore,
    abi: semaphoreAbi,
    functionName: "validateProof",
    args: [id, toSemaphoreProofStruct(proof)],
    account: chain.walletClient.account,
  })

before(async () => {
  chain = await startTestChain()
  groupId = await createGroupWith(members)
  otherGroupId = await createGroupWith(outsiders)
})
after(async () => {
  await releaseProverThreads()
  await chain.stop()
})

test("the on-chain group root equals the root computed off chain", async () => {
  const onChainRoot = await chain.publicClient.readContract({
    address: chain.deployment.contracts.semaphore,
    abi: semaphoreAbi,
    functionName: "getMerkleTreeRoot",
    args: [groupId],
  })
  assert.equal(onChainRoot, new Group(members.map((m) => m.commitment)).root)
})

test("a proof made with the official artifacts validates on chain once, and only once", async () => {
  const group = new Group(members.map((m) => m.commitment))
  const proof = await generateSemaphoreProof({ identity: members[1]!, group, message: 7n, scope: 1001n, loadArtifacts: loadSemaphoreArtifacts })
  assert.equal(await verifySemaphoreProof(proof), true)

  const receipt = await write("validateProof", [groupId, toSemaphoreProofStruct(proof)])
  assert.equal(receipt.status, "success")
  const [validated] = parseEventLogs({ abi: semaphoreAbi, logs: receipt.logs, eventName: "ProofValidated" })
  assert.equal(validated?.args.nullifier, BigInt(proof.nullifier))
  assert.equal(validated?.args.message, 7n)

  assert.equal(await revertErrorName(validate(groupId, proof)), "Semaphore__YouAreUsingTheSameNullifierTwice")
})

test("a proof is rejected by a group it does not belong to", async () => {
  const group = new Group(members.map((m) => m.commitment))
  const proof = await generateSemaphoreProof({ identity: members[2]!, group, message: 1n, scope: 1002n, loadArtifacts: loadSemaphoreArtifacts })
  assert.equal(await revertErrorName(validate(otherGroupId, proof)), "Semaphore__MerkleTreeRootIsNotPartOfTheGroup")
})

test("a proof with an altered message is rejected on chain and off chain", async () => {
  const group = new Group(members.map((m) => m.commitment))
  const proof = await generateSemaphoreProof({ identity: members[3]!, group, message: 1n, scope: 1003n, loadArtifacts: loadSemaphoreArtifacts })
  const altered = { ...proof, message: "2" }
  assert.equal(await verifySemaphoreProof(altered), false)
  assert.equal(await revertErrorName(validate(groupId, altered)), "Semaphore__InvalidProof")
})
