// GovernorPersonhood as deployed by deployGovernorPersonhood, with real proofs: the whole life of a
// proposal (propose -> relayed anonymous votes -> queue -> execute through the timelock), a proposal
// defeated without quorum, and every bad vote refused with its custom error.
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { Identity } from "@semaphore-protocol/core"
import { encodeFunctionData, keccak256, parseEventLogs, stringToHex, type Abi, type Address, type Hex } from "viem"
import { compileFixture } from "../compile.ts"
import { deployGovernorPersonhood, type GovernorPersonhoodDeployment } from "../deploy.ts"
import { governorPersonhoodAbi, personhoodTimelockAbi } from "../../sdk/generated/abis.ts"
import { releaseProverThreads } from "../../sdk/semaphore/proof.ts"
import { proposalVoteMessage } from "../../sdk/voting/message.ts"
import { proposalScope } from "../../sdk/voting/scope.ts"
import { startTestChain, type TestChain } from "../../test/support/chain.ts"
import { addMembers, createGroupWith, groupRoot, mineBlocks, prove, relayerAccount, revertAt, send, type ProofStruct } from "./voting-fixture.ts"

/** IGovernor.ProposalState */
const State = { Pending: 0, Active: 1, Canceled: 2, Defeated: 3, Succeeded: 4, Queued: 5, Expired: 6, Executed: 7 } as const
const Support = { Against: 0, For: 1, Abstain: 2 } as const
const EIP170_LIMIT = 24_576
const votingDelay = 2
const votingPeriod = 30
const timelockMinDelay = 120n

let chain: TestChain
let governance: GovernorPersonhoodDeployment
let groupId: bigint
let relayer: Address
let target: { address: Address; abi: Abi }
const members = Array.from({ length: 5 }, (_, i) => new Identity(`governor-member-${i}`))
const latecomer = new Identity("governor-latecomer")

const onGovernor = (functionName: string, args: readonly unknown[]) => ({ address: governance.governor, abi: governorPersonhoodAbi as Abi, functionName, args })
const read = <T>(functionName: string, args: readonly unknown[] = []) =>
  chain.publicClient.readContract({ address: governance.governor, abi: governorPersonhoodAbi, functionName, args } as never) as Promise<T>
const scopeOf = (proposalId: bigint) => proposalScope({ chainId: chain.chain.id, governor: governance.governor, proposalId })
const voteWith = (proposalId: bigint, support: number, proof: ProofStruct) => onGovernor("castVoteWithProof", [proposalId, support, proof])

interface Proposal {
  id: bigint
  targets: Address[]
  values: bigint[]
  calldatas: Hex[]
  descriptionHash: Hex
}

async function propose(calls: { to: Address; data: Hex }[], description: string): Promise<Proposal> {
  const targets = calls.map((call) => call.to)
  const values = calls.map(() => 0n)
  const calldatas = calls.map((call) => call.data)
  const receipt = await send(chain, onGovernor("propose", [targets, values, calldatas, description]))
  const [created] = parseEventLogs({ abi: governorPersonhoodAbi, logs: receipt.logs, eventName: "ProposalCreated" })
  assert.ok(created)
  return { id: created.args.proposalId, targets, values, calldatas, descriptionHash: keccak256(stringToHex(description)) }
}

const stateOf = (proposalId: bigint) => read<number>("state", [proposalId])

before(async () => {
  chain = await startTestChain()
  groupId = await createGroupWith(chain, members)
  relayer = await relayerAccount(chain)
  governance = await deployGovernorPersonhood({
    publicClient: chain.publicClient,
    walletClient: chain.walletClient,
    contracts: chain.deployment.contracts,
    groupId,
    name: "Humans of humanmark",
    votingDelay,
    votingPeriod,
    quorumFraction: { numerator: 1n, denominator: 2n },
    timelockMinDelay,
  })
  const [compiled] = compileFixture("contracts/test/fixtures/GovernedValue.sol")
  assert.ok(compiled)
  const hash = await chain.walletClient.deployContract({ abi: compiled.abi as Abi, bytecode: compiled.bytecode, args: [governance.timelock] })
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash })
  target = { address: receipt.contractAddress!, abi: compiled.abi as Abi }
})
after(async () => {
  await releaseProverThreads()
  await chain.stop()
})

test("deployed code fits EIP-170 (24,576 bytes): GovernorPersonhood and HumanPolls", async (t) => {
  for (const [name, address] of [
    ["GovernorPersonhood", governance.governor],
    ["HumanPolls", chain.deployment.contracts.humanPolls],
  ] as const) {
    const code = await chain.publicClient.getCode({ address })
    assert.ok(code)
    const size = (code.length - 2) / 2
    t.diagnostic(`${name}: ${size} bytes of deployed code`)
    assert.ok(size > 0 && size <= EIP170_LIMIT, `${name} is ${size} bytes`)
  }
})

test("the deployment wires governor and timelock and leaves no admin behind", async () => {
  assert.equal((await read<Address>("timelock")).toLowerCase(), governance.timelock.toLowerCase())
  assert.equal(await read<bigint>("groupId"), groupId)
  assert.deepEqual(await read<[bigint, bigint]>("quorumFraction"), [1n, 2n])
  assert.equal(await read<bigint>("proposalThreshold"), 0n)
  assert.equal(await read<string>("COUNTING_MODE"), "support=bravo&quorum=for,abstain")
  const timelockAbi = personhoodTimelockAbi
  const hasRole = async (role: "PROPOSER_ROLE" | "CANCELLER_ROLE" | "EXECUTOR_ROLE" | "DEFAULT_ADMIN_ROLE", account: Address) =>
    chain.publicClient.readContract({
      address: governance.timelock,
      abi: timelockAbi,
      functionName: "hasRole",
      args: [await chain.publicClient.readContract({ address: governance.timelock, abi: timelockAbi, functionName: role }), account],
    })
  assert.equal(await hasRole("PROPOSER_ROLE", governance.governor), true)
  assert.equal(await hasRole("CANCELLER_ROLE", governance.governor), true)
  assert.equal(await hasRole("EXECUTOR_ROLE", "0x0000000000000000000000000000000000000000"), true)
  assert.equal(await hasRole("DEFAULT_ADMIN_ROLE", chain.walletClient.account.address), false)
})

test("proposalScope computed in TypeScript equals the contract's view", async () => {
  for (const proposalId of [1n, 2n ** 255n + 12345n, 98765432109876543210n]) {
    assert.equal(await read<bigint>("proposalScope", [proposalId]), scopeOf(proposalId))
  }
})

describe("a proposal's whole life", () => {
  let proposal: Proposal
  const ballots = new Map<number, ProofStruct>()

  before(async () => {
    proposal = await propose(
      [
        { to: target.address, data: encodeFunctionData({ abi: target.abi, functionName: "setValue", args: [42n] }) },
        { to: governance.governor, data: encodeFunctionData({ abi: governorPersonhoodAbi, functionName: "setQuorumFraction", args: [2n, 3n] }) },
      ],
      "Set the value to 42 and raise the quorum to two thirds",
    )
    // Members 0..2 vote For, 3 Against; member 4 stays home.
    const supports = [Support.For, Support.For, Support.For, Support.Against]
    for (const [index, support] of supports.entries()) {
      ballots.set(index, await prove({ identity: members[index]!, members, message: proposalVoteMessage(support), scope: scopeOf(proposal.id) }))
    }
  })

  test("propose pins the group's root, size and quorum", async () => {
    const pinned = await read<{ merkleTreeRoot: bigint; groupSize: number; quorumVotes: number }>("proposalGroup", [proposal.id])
    assert.equal(pinned.merkleTreeRoot, groupRoot(members))
    assert.equal(pinned.groupSize, 5)
    assert.equal(pinned.quorumVotes, 3, "ceil(5 / 2)")
    const snapshot = await read<bigint>("proposalSnapshot", [proposal.id])
    assert.equal(await read<bigint>("quorum", [snapshot]), 3n)
    assert.equal(await stateOf(proposal.id), State.Pending)
  })

  test("a vote before the proposal is active is refused", async () => {
    assert.equal(await revertAt(chain, voteWith(proposal.id, Support.For, ballots.get(0)!)), "GovernorUnexpectedProposalState")
  })

  test("anonymous votes relayed by another account count with weight 1 and emit the standard VoteCast", async () => {
    await mineBlocks(chain, votingDelay + 1)
    assert.equal(await stateOf(proposal.id), State.Active)
    for (const [index, proof] of ballots) {
      const support = index < 3 ? Support.For : Support.Against
      const receipt = await send(chain, { ...voteWith(proposal.id, support, proof), account: relayer })
      assert.equal(receipt.from.toLowerCase(), relayer.toLowerCase())
      const [cast] = parseEventLogs({ abi: governorPersonhoodAbi, logs: receipt.logs, eventName: "VoteCast" })
      const voter = `0x${(proof.nullifier & (2n ** 160n - 1n)).toString(16).padStart(40, "0")}`
      assert.equal(cast?.args.voter.toLowerCase(), voter)
      assert.equal(cast?.args.support, support)
      assert.equal(cast?.args.weight, 1n)
      assert.equal(await read<boolean>("hasVoted", [proposal.id, cast!.args.voter]), true)
    }
    assert.deepEqual(await read<[bigint, bigint, bigint]>("proposalVotes", [proposal.id]), [1n, 3n, 0n])
  })

  test("bad votes are refused and never counted", async () => {
    const first = ballots.get(0)!
    assert.equal(await revertAt(chain, voteWith(proposal.id, Support.For, first)), "NullifierAlreadyUsed")
    assert.equal(await revertAt(chain, voteWith(proposal.id, Support.Against, first)), "WrongMessage")
    assert.equal(await revertAt(chain, voteWith(proposal.id + 1n, Support.For, first)), "GovernorNonexistentProposal")
    assert.equal(await revertAt(chain, voteWith(proposal.id, 3, { ...first, message: 3n })), "GovernorInvalidVoteType")

    // Member 4's proof for another scope (say, another proposal of another governor).
    const elsewhere = await prove({ identity: members[4]!, members, message: proposalVoteMessage(Support.For), scope: scopeOf(proposal.id) + 1n })
    assert.equal(await revertAt(chain, voteWith(proposal.id, Support.For, elsewhere)), "WrongScope")
    assert.equal(await revertAt(chain, voteWith(proposal.id, Support.For, { ...elsewhere, scope: scopeOf(proposal.id) })), "InvalidProof")

    // A member added after propose proves against the live root: refused.
    await addMembers(chain, groupId, [latecomer])
    const late = await prove({ identity: latecomer, members: [...members, latecomer], message: proposalVoteMessage(Support.For), scope: scopeOf(proposal.id) })
    assert.equal(await revertAt(chain, voteWith(proposal.id, Support.For, late)), "WrongRoot")
    assert.equal(await revertAt(chain, voteWith(proposal.id, Support.For, { ...late, merkleTreeRoot: groupRoot(members) })), "InvalidProof")

    // Plain Governor paths would count token weight: there are none.
    assert.equal(await revertAt(chain, onGovernor("castVote", [proposal.id, Support.For])), "VoteRequiresProof")
    assert.equal(await revertAt(chain, onGovernor("castVoteWithReason", [proposal.id, Support.For, "token vote"])), "VoteRequiresProof")
    assert.equal(await revertAt(chain, onGovernor("castVoteWithReasonAndParams", [proposal.id, Support.For, "", "0x01"])), "VoteRequiresProof")
    assert.equal(await read<bigint>("getVotes", [chain.walletClient.account.address, 1n]), 0n)

    assert.deepEqual(await read<[bigint, bigint, bigint]>("proposalVotes", [proposal.id]), [1n, 3n, 0n])
  })

  test("succeeded with quorum, queued, and executed through the TimelockController", async () => {
    await mineBlocks(chain, votingPeriod)
    assert.equal(await stateOf(proposal.id), State.Succeeded)
    assert.equal(await revertAt(chain, voteWith(proposal.id, Support.For, ballots.get(0)!)), "GovernorUnexpectedProposalState")

    const lifecycleArgs = [proposal.targets, proposal.values, proposal.calldatas, proposal.descriptionHash]
    // Anyone may queue and execute; the relayer does.
    await send(chain, { ...onGovernor("queue", lifecycleArgs), account: relayer })
    assert.equal(await stateOf(proposal.id), State.Queued)
    // Too early: the timelock refuses (its error, so decode with both ABIs).
    const executeEarly = { ...onGovernor("execute", lifecycleArgs), abi: [...governorPersonhoodAbi, ...personhoodTimelockAbi] as Abi }
    assert.equal(await revertAt(chain, executeEarly), "TimelockUnexpectedOperationState")

    await chain.publicClient.request({ method: "evm_increaseTime" as never, params: [`0x${(timelockMinDelay + 1n).toString(16)}`] as never })
    await mineBlocks(chain, 1)
    await send(chain, { ...onGovernor("execute", lifecycleArgs), account: relayer })
    assert.equal(await stateOf(proposal.id), State.Executed)
    assert.equal(await chain.publicClient.readContract({ address: target.address, abi: target.abi, functionName: "value" }), 42n)
    assert.deepEqual(await read<[bigint, bigint]>("quorumFraction"), [2n, 3n])
    // Governance-only settings cannot be changed directly.
    assert.equal(await revertAt(chain, onGovernor("setQuorumFraction", [1n, 10n])), "GovernorOnlyExecutor")
  })
})

test("a proposal without quorum is defeated, even with only For votes", async () => {
  // The group has 6 members now, and the fraction is 2/3: quorum 4.
  const proposal = await propose(
    [{ to: target.address, data: encodeFunctionData({ abi: target.abi, functionName: "setValue", args: [7n] }) }],
    "Set the value to 7",
  )
  const pinned = await read<{ groupSize: number; quorumVotes: number }>("proposalGroup", [proposal.id])
  assert.deepEqual([pinned.groupSize, pinned.quorumVotes], [6, 4])
  const everyone = [...members, latecomer]
  const ballot = await prove({ identity: latecomer, members: everyone, message: proposalVoteMessage(Support.For), scope: scopeOf(proposal.id) })
  await mineBlocks(chain, votingDelay + 1)
  await send(chain, { ...voteWith(proposal.id, Support.For, ballot), account: relayer })
  await mineBlocks(chain, votingPeriod)
  assert.equal(await stateOf(proposal.id), State.Defeated)
  assert.equal(
    await revertAt(chain, onGovernor("queue", [proposal.targets, proposal.values, proposal.calldatas, proposal.descriptionHash])),
    "GovernorUnexpectedProposalState",
  )
  assert.equal(await chain.publicClient.readContract({ address: target.address, abi: target.abi, functionName: "value" }), 42n)
})
