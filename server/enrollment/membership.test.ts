// A reader with only an RPC endpoint rebuilds a group (additions, an update, a removal) from events.
import assert from "node:assert/strict"
import { after, before, it } from "node:test"
import { Identity } from "@semaphore-protocol/core"
import { parseEventLogs } from "viem"
import { semaphoreAbi } from "../../sdk/generated/abis.ts"
import { startTestChain, type TestChain } from "../../test/support/chain.ts"
import { readGroupMembers, readMerkleProof } from "./membership.ts"

let chain: TestChain
before(async () => {
  chain = await startTestChain()
})
after(async () => {
  await chain.stop()
})

async function write(functionName: string, args: readonly unknown[]) {
  const { request } = await chain.publicClient.simulateContract({
    address: chain.deployment.contracts.semaphore,
    abi: semaphoreAbi,
    functionName,
    args,
    account: chain.walletClient.account,
  } as never)
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash: await chain.walletClient.writeContract(request as never) })
  assert.equal(receipt.status, "success")
  return receipt
}

it("rebuilds members and root from chain events alone, equal to getMerkleTreeRoot", async () => {
  const fromBlock = await chain.publicClient.getBlockNumber()
  const created = await write("createGroup", [])
  const [event] = parseEventLogs({ abi: semaphoreAbi, logs: created.logs, eventName: "GroupCreated" })
  const groupId = event!.args.groupId
  const [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map((name) => new Identity(`membership-${name}`).commitment) as [bigint, bigint, bigint, bigint, bigint]
  await write("addMembers", [groupId, [a, b, c]])
  await write("addMember", [groupId, d])
  const read = () => readGroupMembers({ publicClient: chain.publicClient, semaphore: chain.deployment.contracts.semaphore, groupId, fromBlock, blockRange: 2n })
  let members = await read()
  await write("updateMember", [groupId, b, e, members.group.generateMerkleProof(1).siblings])
  members = await read()
  await write("removeMember", [groupId, c, members.group.generateMerkleProof(2).siblings])

  members = await read()
  assert.deepEqual(members.members, [a, e, 0n, d])
  const onChainRoot = await chain.publicClient.readContract({
    address: chain.deployment.contracts.semaphore,
    abi: semaphoreAbi,
    functionName: "getMerkleTreeRoot",
    args: [groupId],
  })
  assert.equal(members.root, onChainRoot)
  assert.equal(members.group.root, onChainRoot)
  assert.equal(members.insertions.get(e)?.leafIndex, 1)

  const proof = await readMerkleProof({ publicClient: chain.publicClient, semaphore: chain.deployment.contracts.semaphore, groupId, fromBlock, commitment: d })
  assert.equal(proof.root, onChainRoot)
  assert.equal(proof.index, 3)
  await assert.rejects(
    readMerkleProof({ publicClient: chain.publicClient, semaphore: chain.deployment.contracts.semaphore, groupId, fromBlock, commitment: c }),
    { code: "not_a_member" },
  )
})
