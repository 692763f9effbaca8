// GovernorPersonhood votes through the relayer on the whole running system: members enroll, a governor
// is deployed for the personhood group, a proposal pins the root, and anonymous votes sent to
// POST /v1/governor/:proposalId/votes are checked off chain, queued and counted with the standard VoteCast;
// a passed proposal is then queued and executed through the TimelockController.
import assert from "node:assert/strict"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, test } from "node:test"
import { Identity } from "@semaphore-protocol/core"
import { encodeFunctionData, getAddress, keccak256, parseEventLogs, stringToHex, type Address } from "viem"
import { deployGovernorPersonhood } from "../../contracts/deploy.ts"
import { createHumanmarkClient, type HumanmarkClient } from "../../sdk/client.ts"
import { enrollWithDevAttester, listGroups, waitForEnrollment } from "../../sdk/enrollment/client.ts"
import { governorPersonhoodAbi } from "../../sdk/generated/abis.ts"
import { loadSemaphoreArtifacts } from "../../sdk/semaphore/artifacts.node.ts"
import { generateSemaphoreProof, releaseProverThreads } from "../../sdk/semaphore/proof.ts"
import { castGovernorVote, getGovernorVoteStatus, getProposal } from "../../sdk/voting/client.ts"
import { proposalVoteMessage } from "../../sdk/voting/message.ts"
import { proposalScope } from "../../sdk/voting/scope.ts"
import { walletClientFor } from "../../server/chain/clients.ts"
import { startTestStack, type TestStack } from "../support/stack.ts"

/** anvil's fourth development account: the DAO's deployer and proposer, apart from the server's accounts. */
const PROPOSER_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"
const env = { ENROLLMENT_BATCH_INTERVAL_MS: "100" }
const members = Array.from({ length: 3 }, (_, index) => new Identity(`governor-integration-member-${index}`))

let dataDir: string
let stack: TestStack
let client: HumanmarkClient
let governor: Address

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const value = await read()
    if (done(value)) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function post(path: string, body: unknown) {
  const response = await fetch(`${stack.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as { error?: { code: string }; vote?: { status: string; nullifier: string } } }
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "humanmark-governor-integration-"))
  stack = await startTestStack({ dataDir, keepData: true, env })
  client = createHumanmarkClient({ serverUrl: stack.url })
  for (const [index, identity] of members.entries()) await enrollWithDevAttester(client, { identity, person: `governor member ${index}` })
  for (const identity of members) await waitForEnrollment(client, { commitment: identity.commitment, intervalMs: 100, timeoutMs: 60_000 })
  const unconfigured = await fetch(`${stack.url}/v1/governor`)
  assert.deepEqual([unconfigured.status, ((await unconfigured.json()) as { error: { code: string } }).error.code], [404, "governor_not_configured"])
  const { groups } = await listGroups(client)
  const groupId = groups.find((group) => group.level === "person")!.groupId
  const deployed = await deployGovernorPersonhood({
    publicClient: stack.clients.publicClient,
    walletClient: walletClientFor(stack.clients, PROPOSER_KEY),
    contracts: stack.deployment.contracts,
    groupId,
    name: "Humans DAO",
    votingDelay: 1,
    votingPeriod: 200,
    quorumFraction: { numerator: 1n, denominator: 2n },
    timelockMinDelay: 1n,
  })
  governor = deployed.governor
  // The relayer learns its governor from the configuration, read at start.
  await stack.cleanup()
  stack = await startTestStack({ dataDir, keepData: true, env: { ...env, GOVERNOR_ADDRESS: governor } })
  client = createHumanmarkClient({ serverUrl: stack.url })
})
after(async () => {
  await releaseProverThreads()
  await stack?.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

test("anonymous governor votes are checked off chain, relayed and counted with the standard VoteCast", async () => {
  const proposer = walletClientFor(stack.clients, PROPOSER_KEY)
  const hash = await proposer.writeContract({
    address: governor,
    abi: governorPersonhoodAbi,
    functionName: "propose",
    args: [[governor], [0n], ["0x"], "Say hello to the humans"],
  })
  const receipt = await stack.clients.publicClient.waitForTransactionReceipt({ hash })
  const proposalId = parseEventLogs({ abi: governorPersonhoodAbi, logs: receipt.logs, eventName: "ProposalCreated" })[0]!.args.proposalId

  const proposal = await getProposal(client, proposalId)
  assert.equal(proposal.state, "pending")
  assert.equal(proposal.groupSize, 3)
  assert.equal(proposal.quorumVotes, 2)

  // A proof can be made at once (the root is pinned), but it counts only once voting is active.
  const membership = await (await fetch(`${stack.url}/v1/governor/${proposalId}/membership/${members[0]!.commitment}`)).json() as {
    root: string
    leaf: string
    index: number
    siblings: string[]
  }
  assert.equal(BigInt(membership.root), proposal.merkleTreeRoot)
  const forProof = await generateSemaphoreProof({
    identity: members[0]!,
    group: { root: BigInt(membership.root), leaf: BigInt(membership.leaf), index: membership.index, siblings: membership.siblings.map(BigInt) },
    message: proposalVoteMessage(1),
    scope: proposalScope({ chainId: proposal.chainId, governor, proposalId }),
    loadArtifacts: loadSemaphoreArtifacts,
  })
  const body = { support: 1, proof: { ...forProof, merkleTreeRoot: String(forProof.merkleTreeRoot), points: forProof.points.map(String) } }
  const early = await post(`/v1/governor/${proposalId}/votes`, body)
  assert.deepEqual([early.status, early.body.error?.code], [409, "proposal_not_active"])

  await stack.clients.publicClient.request({ method: "anvil_mine" as never, params: ["0x2"] as never })
  assert.equal((await getProposal(client, proposalId)).state, "active")

  const wrongMessage = await post(`/v1/governor/${proposalId}/votes`, { ...body, support: 0 })
  assert.deepEqual([wrongMessage.status, wrongMessage.body.error?.code], [400, "wrong_message"])
  const accepted = await post(`/v1/governor/${proposalId}/votes`, body)
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body))
  const duplicate = await post(`/v1/governor/${proposalId}/votes`, body)
  assert.deepEqual([duplicate.status, duplicate.body.error?.code], [409, "duplicate_vote"])

  const against = await castGovernorVote(client, { identity: members[1]!, proposalId, support: 0, loadArtifacts: loadSemaphoreArtifacts })
  assert.equal(against.status, "queued")
  for (const nullifier of [BigInt(forProof.nullifier), against.nullifier]) {
    await until(() => getGovernorVoteStatus(client, proposalId, nullifier), (vote) => vote.status === "included", "the governor vote to be included")
  }

  const tallied = await getProposal(client, proposalId)
  assert.deepEqual(tallied.votes, { against: 1, for: 1, abstain: 0 })
  const events = await stack.clients.publicClient.getContractEvents({ address: governor, abi: governorPersonhoodAbi, eventName: "VoteCast", fromBlock: receipt.blockNumber, strict: true })
  assert.equal(events.length, 2)
  const voter = getAddress(`0x${(BigInt(forProof.nullifier) & ((1n << 160n) - 1n)).toString(16).padStart(40, "0")}`)
  assert.ok(events.some((event) => event.args.voter === voter && event.args.support === 1), "the voter is the nullifier's address, not the relayer's")
  for (const event of events) assert.notEqual(event.transactionHash, undefined)

  const info = (await (await fetch(`${stack.url}/v1/governor`)).json()) as { governor: string }
  assert.equal(info.governor, governor)
  const unknown = await fetch(`${stack.url}/v1/governor/12345`)
  assert.deepEqual([unknown.status, ((await unknown.json()) as { error: { code: string } }).error.code], [404, "proposal_not_found"])
})

test("the whole life: propose, anonymous votes through the relayer, queue, and execute through the timelock", async () => {
  const proposer = walletClientFor(stack.clients, PROPOSER_KEY)
  const publicClient = stack.clients.publicClient
  const read = <T>(functionName: string, args: readonly unknown[] = []) =>
    publicClient.readContract({ address: governor, abi: governorPersonhoodAbi, functionName, args } as never) as Promise<T>
  // The governor changes its own quorum: only the timelock (executing a passed proposal) may.
  const call = encodeFunctionData({ abi: governorPersonhoodAbi, functionName: "setQuorumFraction", args: [2n, 3n] })
  const description = "Raise the quorum to two thirds of the members"
  const proposal = [[governor], [0n], [call]] as const
  const receipt = await publicClient.waitForTransactionReceipt({
    hash: await proposer.writeContract({ address: governor, abi: governorPersonhoodAbi, functionName: "propose", args: [...proposal, description] }),
  })
  const proposalId = parseEventLogs({ abi: governorPersonhoodAbi, logs: receipt.logs, eventName: "ProposalCreated" })[0]!.args.proposalId
  await publicClient.request({ method: "anvil_mine" as never, params: ["0x2"] as never })

  for (const identity of [members[0]!, members[2]!]) {
    const vote = await castGovernorVote(client, { identity, proposalId, support: 1, loadArtifacts: loadSemaphoreArtifacts })
    await until(() => getGovernorVoteStatus(client, proposalId, vote.nullifier), (each) => each.status === "included", "the vote to be counted")
  }
  assert.deepEqual((await getProposal(client, proposalId)).votes, { against: 0, for: 2, abstain: 0 })

  // Past the voting period: succeeded with quorum (2 of 3), then queued and executed by anyone.
  await publicClient.request({ method: "anvil_mine" as never, params: ["0xd0"] as never })
  assert.equal((await getProposal(client, proposalId)).state, "succeeded")
  const descriptionHash = keccak256(stringToHex(description))
  await publicClient.waitForTransactionReceipt({
    hash: await proposer.writeContract({ address: governor, abi: governorPersonhoodAbi, functionName: "queue", args: [...proposal, descriptionHash] }),
  })
  assert.equal((await getProposal(client, proposalId)).state, "queued")
  await publicClient.request({ method: "evm_increaseTime" as never, params: [5] as never })
  await publicClient.request({ method: "anvil_mine" as never, params: ["0x1"] as never })
  await publicClient.waitForTransactionReceipt({
    hash: await proposer.writeContract({ address: governor, abi: governorPersonhoodAbi, functionName: "execute", args: [...proposal, descriptionHash] }),
  })
  assert.equal((await getProposal(client, proposalId)).state, "executed")
  assert.deepEqual(await read<readonly [bigint, bigint]>("quorumFraction"), [2n, 3n])
})
