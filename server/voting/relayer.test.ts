// The vote relayer and its store on a real anvil and SQLite: a ballot signed and recorded just before a
// crash is broadcast (the same bytes) after the restart; a ballot the contract would refuse is marked
// rejected with the contract's error name and costs no gas; the queue refuses a second copy by itself.
import assert from "node:assert/strict"
import { after, before, test } from "node:test"
import { Group, Identity, type SemaphoreProof } from "@semaphore-protocol/core"
import { keccak256, parseEventLogs, zeroHash } from "viem"
import { createGroupWith, now, send } from "../../contracts/test/voting-fixture.ts"
import { humanPollsAbi } from "../../sdk/generated/abis.ts"
import { loadSemaphoreArtifacts } from "../../sdk/semaphore/artifacts.node.ts"
import { generateSemaphoreProof, releaseProverThreads } from "../../sdk/semaphore/proof.ts"
import { voteMessage } from "../../sdk/voting/message.ts"
import { pollScope } from "../../sdk/voting/scope.ts"
import { startTestChain, type TestChain } from "../../test/support/chain.ts"
import { walletClientFor } from "../chain/clients.ts"
import { ANVIL_VOTING_PRIVATE_KEY } from "../config.ts"
import { openSqliteStorage } from "../storage/sqlite.ts"
import type { Storage } from "../storage/storage.ts"
import { ballotCallData, createSendLock, pollRelayQueue, startVoteRelayer } from "./relayer.ts"
import type { StoredVote } from "./store.ts"

const members = [new Identity("relayer-test-a"), new Identity("relayer-test-b")]
let chain: TestChain
let storage: Storage
let pollId: bigint
let proof: SemaphoreProof

const poll = () => storage.voting
const readPoll = () =>
  chain.publicClient.readContract({ address: chain.deployment.contracts.humanPolls, abi: humanPollsAbi, functionName: "getPoll", args: [pollId] })

async function until(done: () => Promise<boolean>, what: string) {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await done()) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}

before(async () => {
  chain = await startTestChain()
  storage = openSqliteStorage({ path: ":memory:" })
  const groupId = await createGroupWith(chain, members)
  const start = await now(chain)
  const receipt = await send(chain, {
    address: chain.deployment.contracts.humanPolls,
    abi: humanPollsAbi,
    functionName: "createPoll",
    args: [{ groupId, kind: 0, start, end: start + 86_400n, optionCount: 2, candidatesRoot: zeroHash, metadataHash: zeroHash }],
  })
  pollId = parseEventLogs({ abi: humanPollsAbi, logs: receipt.logs, eventName: "PollCreated" })[0]!.args.pollId
  await poll().savePoll({
    id: pollId,
    title: "relayer",
    kind: "single",
    options: ["a", "b"],
    candidates: [],
    candidatesRoot: zeroHash,
    level: "person",
    groupId,
    merkleTreeRoot: (await readPoll()).merkleTreeRoot,
    merkleTreeSize: 2,
    merkleTreeDepth: 1,
    startsAt: Number(start),
    endsAt: Number(start) + 86_400,
    createdBlock: receipt.blockNumber,
    metadataHash: zeroHash,
    txHash: receipt.transactionHash,
    createdAt: new Date(),
  })
  const scope = pollScope({ chainId: chain.chain.id, contract: chain.deployment.contracts.humanPolls, pollId })
  proof = await generateSemaphoreProof({
    identity: members[0]!,
    group: new Group(members.map((member) => member.commitment)),
    message: voteMessage({ choice: 1n }),
    scope,
    loadArtifacts: loadSemaphoreArtifacts,
  })
})
after(async () => {
  await releaseProverThreads()
  await storage?.close()
  await chain?.stop()
})

test("the queue refuses a second copy of a ballot by itself", async () => {
  const vote = { pollId, scope: BigInt(proof.scope), nullifier: BigInt(proof.nullifier), ballot: { choice: 1 }, reasonHash: zeroHash, proof }
  const first = await poll().enqueueVote(vote, new Date())
  assert.equal(first?.status, "queued")
  assert.equal(await poll().enqueueVote(vote, new Date()), undefined)
  assert.deepEqual(await poll().countVotes(pollId), { queued: 1, submitted: 0, included: 0, rejected: 0 })
})

test("a ballot signed and recorded before a crash is broadcast after the restart; a refused one is rejected with the contract's reason", async () => {
  const walletClient = walletClientFor(chain, ANVIL_VOTING_PRIVATE_KEY)
  const queued: StoredVote = (await poll().getVote(pollId, BigInt(proof.nullifier)))!
  // What the relayer does before broadcasting, as if the process died right after the durable write.
  const request = await walletClient.prepareTransactionRequest({ to: chain.deployment.contracts.humanPolls, data: ballotCallData(queued), gas: 1_000_000n })
  const raw = await walletClient.signTransaction(request)
  await poll().recordSigned(queued.id, { hash: keccak256(raw), nonce: request.nonce, raw }, new Date())

  // The same ballot again under another key (a second relayer's copy): only the contract can refuse it.
  const copy = await poll().enqueueVote({ ...queued, scope: queued.scope + 1n }, new Date())
  assert.ok(copy)

  const lines: string[] = []
  const relayer = startVoteRelayer({
    queues: [pollRelayQueue(poll(), chain.deployment.contracts.humanPolls)],
    publicClient: chain.publicClient,
    walletClient,
    lock: createSendLock(),
    log: (line) => lines.push(line),
    intervalMs: 50,
  })
  try {
    await until(async () => (await poll().countVotes(pollId)).submitted + (await poll().countVotes(pollId)).queued === 0, "the queue to drain")
  } finally {
    await relayer.stop()
  }
  const included = await poll().getVote(pollId, queued.nullifier)
  assert.equal(included?.status, "included")
  assert.equal(included?.transaction?.hash, keccak256(raw), "the recorded bytes were sent, not a new transaction")
  // The copy shares the nullifier (the lookup key), so it shows in the counts and the log.
  assert.deepEqual(await poll().countVotes(pollId), { queued: 0, submitted: 0, included: 1, rejected: 1 })
  assert.equal((await readPoll()).ballotCount, 1)
  assert.ok(lines.some((line) => line.includes(`vote ${copy.id}`) && line.includes("(NullifierAlreadyUsed); not sent")), lines.join("\n"))
})
