// Gas per on-chain vote: HumanPolls (single choice, approval, pairwise) and GovernorPersonhood, beside
// Semaphore's own validateProof in the same run. Every vote carries a real proof made with the official
// artifacts; the figures are each transaction's gasUsed on anvil.
import { Group, Identity } from "@semaphore-protocol/core"
import { keccak256, parseEventLogs, stringToHex, type Abi, type Address, type Hash, type Hex } from "viem"
import { deployGovernorPersonhood, deployHumanmark } from "../contracts/deploy.ts"
import { governorPersonhoodAbi, humanPollsAbi, semaphoreAbi } from "../sdk/generated/abis.ts"
import { loadSemaphoreArtifacts } from "../sdk/semaphore/artifacts.node.ts"
import { generateSemaphoreProof, releaseProverThreads, toSemaphoreProofStruct } from "../sdk/semaphore/proof.ts"
import { approvalMessage, proposalVoteMessage, voteMessage } from "../sdk/voting/message.ts"
import { pairScope, pollScope, proposalScope } from "../sdk/voting/scope.ts"
import { startAnvil } from "../server/chain/anvil.ts"
import { connectChain } from "../server/chain/clients.ts"
import { ANVIL_DEV_PRIVATE_KEY } from "../server/config.ts"
import type { BenchModule, Report } from "./report.ts"

export const name = "voting-gas"
export const description = "Gas per on-chain vote: HumanPolls (single choice, approval, pairwise) and GovernorPersonhood, real proofs"
export const baseline = "Semaphore 4.14 validateProof on the same group (its own root check and nullifier set), same run"

/** Voters per measured kind: each needs its own proof (about a second each here). */
const VOTERS = 3
const GROUP_SIZE = 16
const APPROVAL_SETS = [1, 10, 50]
const zeroHash: Hex = `0x${"00".repeat(32)}`

export async function run(report: Report): Promise<void> {
  report.progress("starting anvil and deploying through deployHumanmark")
  const anvil = await startAnvil()
  try {
    const { publicClient, walletClient, chain } = await connectChain({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
    if (!walletClient) throw new Error("no wallet client")
    const deployment = await deployHumanmark({ publicClient, walletClient })
    const { humanPolls, semaphore } = deployment.contracts

    const write = async (address: Address, abi: Abi, functionName: string, args: readonly unknown[]) => {
      const hash: Hash = await walletClient.writeContract({ address, abi, functionName, args } as never)
      const receipt = await publicClient.waitForTransactionReceipt({ hash })
      if (receipt.status !== "success") throw new Error(`${functionName} reverted (tx ${hash})`)
      return receipt
    }

    const members = Array.from({ length: GROUP_SIZE }, (_, i) => new Identity(`voting-gas-${i}`))
    const group = new Group(members.map((member) => member.commitment))
    const created = await write(semaphore, semaphoreAbi, "createGroup", [])
    const groupId = parseEventLogs({ abi: semaphoreAbi, logs: created.logs, eventName: "GroupCreated" })[0]!.args.groupId
    await write(semaphore, semaphoreAbi, "addMembers", [groupId, members.map((member) => member.commitment)])
    let proofs = 0
    const prove = async (identity: Identity, message: bigint, scope: bigint) => {
      proofs += 1
      report.progress(`proof ${proofs}`)
      return toSemaphoreProofStruct(await generateSemaphoreProof({ identity, group, message, scope, loadArtifacts: loadSemaphoreArtifacts }))
    }

    const now = (await publicClient.getBlock()).timestamp
    const createPoll = async (kind: number, optionCount: number) => {
      const parameters = { groupId, kind, start: now, end: now + 86_400n, optionCount, candidatesRoot: zeroHash, metadataHash: zeroHash }
      const receipt = await write(humanPolls, humanPollsAbi, "createPoll", [parameters])
      return { pollId: parseEventLogs({ abi: humanPollsAbi, logs: receipt.logs, eventName: "PollCreated" })[0]!.args.pollId, gas: Number(receipt.gasUsed) }
    }
    const scopeOf = (pollId: bigint) => pollScope({ chainId: chain.id, contract: humanPolls, pollId })

    // Baseline: Semaphore's own validateProof.
    const validateProof: number[] = []
    for (let i = 0; i < VOTERS; i++) {
      const proof = await prove(members[i]!, 1n, 9_000n + BigInt(i))
      validateProof.push(Number((await write(semaphore, semaphoreAbi, "validateProof", [groupId, proof])).gasUsed))
    }

    const single = await createPoll(0, 10)
    const singleChoice: number[] = []
    for (let i = 0; i < VOTERS; i++) {
      // All for option 0: only the first vote writes a fresh counter slot, as in any poll with many voters.
      const choice = 0n
      const proof = await prove(members[i]!, voteMessage({ choice }), scopeOf(single.pollId))
      singleChoice.push(Number((await write(humanPolls, humanPollsAbi, "castVote", [single.pollId, choice, zeroHash, proof])).gasUsed))
    }
    report.figure({
      operation: "HumanPolls.castVote (single choice), vs Semaphore.validateProof",
      unit: "gas",
      statistic: "median",
      ours: singleChoice,
      baseline: validateProof,
      note: `tx gasUsed, ${VOTERS} voters each; a ${GROUP_SIZE}-member group (proof depth ${group.depth}: the verifier's cost does not depend on depth). All vote for one option: the first vote writes a fresh counter slot (${singleChoice[0]} gas), later ones update it.`,
    })

    const approval = await createPoll(1, 1000)
    const approvalGas: number[] = []
    for (const [i, size] of APPROVAL_SETS.entries()) {
      const choices = Array.from({ length: size }, (_, k) => BigInt(k * Math.floor(1000 / size) + i))
      const proof = await prove(members[i]!, approvalMessage({ choices }), scopeOf(approval.pollId))
      approvalGas.push(Number((await write(humanPolls, humanPollsAbi, "castApprovalVote", [approval.pollId, choices, zeroHash, proof])).gasUsed))
    }
    // Another voter approving the same 10 candidates: counters already non-zero, the steady state of a busy poll.
    const repeatedSet = Array.from({ length: 10 }, (_, k) => BigInt(k * 100 + 1))
    const repeatedProof = await prove(members[VOTERS]!, approvalMessage({ choices: repeatedSet }), scopeOf(approval.pollId))
    const repeatedGas = Number((await write(humanPolls, humanPollsAbi, "castApprovalVote", [approval.pollId, repeatedSet, zeroHash, repeatedProof])).gasUsed)
    report.context({
      operation: "HumanPolls.castApprovalVote, 10 of 1,000 approved, counters already non-zero",
      unit: "gas",
      statistic: "single",
      samples: [repeatedGas],
      note: "the same 10 candidates as the 10-candidate ballot above, approved again by another voter.",
    })
    for (const [i, size] of APPROVAL_SETS.entries()) {
      report.context({
        operation: `HumanPolls.castApprovalVote, ${size} of 1,000 candidates approved`,
        unit: "gas",
        statistic: "single",
        samples: [approvalGas[i]!],
        note: "each approved candidate's counter is a fresh slot here (the worst case); one proof per ballot whatever the set.",
      })
    }

    const pairwise = await createPoll(2, 350)
    const pairScopeOf = (first: bigint, second: bigint) => pairScope({ chainId: chain.id, contract: humanPolls, pollId: pairwise.pollId, first, second })
    const firstOfPair: number[] = []
    const laterOfPair: number[] = []
    for (let i = 0; i < VOTERS; i++) {
      // Every voter judges pair (0, 1) (fresh slot for the first judge, then an update) ...
      const proof = await prove(members[i]!, voteMessage({ choice: 1n }), pairScopeOf(0n, 1n))
      const gas = Number((await write(humanPolls, humanPollsAbi, "castPairwiseVote", [pairwise.pollId, 0n, 1n, 1n, proof])).gasUsed)
      ;(i === 0 ? firstOfPair : laterOfPair).push(gas)
      // ... and a pair nobody judged before.
      const fresh = BigInt(10 + i)
      const freshProof = await prove(members[i]!, voteMessage({ choice: fresh }), pairScopeOf(2n, fresh))
      firstOfPair.push(Number((await write(humanPolls, humanPollsAbi, "castPairwiseVote", [pairwise.pollId, 2n, fresh, fresh, freshProof])).gasUsed))
    }
    report.figure({
      operation: "HumanPolls.castPairwiseVote, first judgement of a pair, vs Semaphore.validateProof",
      unit: "gas",
      statistic: "median",
      ours: firstOfPair,
      baseline: validateProof,
      note: "per-pair counts on chain: one packed slot per pair (both sides' wins), written from zero by a pair's first judgement.",
    })
    report.context({
      operation: "HumanPolls.castPairwiseVote, a pair already judged",
      unit: "gas",
      statistic: "median",
      samples: laterOfPair,
      note: "the pair's slot is updated (non-zero to non-zero); the difference to the first judgement is what on-chain per-pair counts cost over events only.",
    })

    report.progress("deploying GovernorPersonhood and its timelock")
    const governance = await deployGovernorPersonhood({
      publicClient,
      walletClient,
      contracts: deployment.contracts,
      groupId,
      name: "bench",
      votingDelay: 1,
      votingPeriod: 100,
      quorumFraction: { numerator: 1n, denominator: 2n },
      timelockMinDelay: 1n,
    })
    const proposed = await write(governance.governor, governorPersonhoodAbi, "propose", [[governance.governor], [0n], ["0x"], "bench proposal"])
    const proposalId = parseEventLogs({ abi: governorPersonhoodAbi, logs: proposed.logs, eventName: "ProposalCreated" })[0]!.args.proposalId
    await publicClient.request({ method: "anvil_mine" as never, params: ["0x2"] as never })
    const governorVotes: number[] = []
    for (let i = 0; i < VOTERS; i++) {
      const support = 1
      const proof = await prove(members[i]!, proposalVoteMessage(support), proposalScope({ chainId: chain.id, governor: governance.governor, proposalId }))
      governorVotes.push(Number((await write(governance.governor, governorPersonhoodAbi, "castVoteWithProof", [proposalId, support, proof])).gasUsed))
    }
    report.figure({
      operation: "GovernorPersonhood.castVoteWithProof, vs Semaphore.validateProof",
      unit: "gas",
      statistic: "median",
      ours: governorVotes,
      baseline: validateProof,
      note: "tx gasUsed; includes the Governor's state check (proposal snapshot and deadline reads) and the standard VoteCast event.",
    })
    report.context({ operation: "HumanPolls.createPoll (pins root, size, depth)", unit: "gas", statistic: "single", samples: [single.gas] })
    report.context({ operation: "GovernorPersonhood.propose (one call; pins root, size, quorum)", unit: "gas", statistic: "single", samples: [Number(proposed.gasUsed)] })
    report.setting("voters", VOTERS)
    report.setting("groupSize", GROUP_SIZE)
    report.setting("proofDepth", group.depth)
    report.setting("proofs", proofs)
  } finally {
    await releaseProverThreads()
    await anvil.stop()
    report.progress("anvil stopped")
  }
}

export default { name, description, baseline, run } satisfies BenchModule
