// HumanPolls as deployed by deployHumanmark, with real proofs made with the official artifacts: good
// ballots of each kind count once; every bad ballot reverts with its custom error and counts nothing.
import assert from "node:assert/strict"
import { after, before, describe, test } from "node:test"
import { Identity } from "@semaphore-protocol/core"
import { keccak256, parseEventLogs, stringToHex, toHex, type Hex } from "viem"
import { buildMerkleTree } from "../../sdk/anchors/merkle.ts"
import { humanPollsAbi, semaphoreAbi } from "../../sdk/generated/abis.ts"
import { releaseProverThreads } from "../../sdk/semaphore/proof.ts"
import { approvalMessage, voteMessage } from "../../sdk/voting/message.ts"
import { pairScope, pollScope } from "../../sdk/voting/scope.ts"
import { startTestChain, type TestChain } from "../../test/support/chain.ts"
import {
  addMembers,
  createGroupWith,
  relayerAccount,
  groupRoot,
  mineAt,
  now,
  prove,
  revertAt,
  seededRandom,
  send,
  type ProofStruct,
} from "./voting-fixture.ts"

const PollKind = { SingleChoice: 0, Approval: 1, Pairwise: 2 } as const
const zeroHash: Hex = `0x${"00".repeat(32)}`
const day = 86_400n

let chain: TestChain
let groupId: bigint
/** Members when the group was created; every poll below pins this membership unless it says otherwise. */
const founders = Array.from({ length: 4 }, (_, i) => new Identity(`human-polls-founder-${i}`))
/** Added after the first polls were created. */
const latecomer = new Identity("human-polls-latecomer")
/** Another account than the deployer's, as the relayer that submits ballots. */
let relayer: `0x${string}`

const polls = () => chain.deployment.contracts.humanPolls
const onPolls = (functionName: string, args: readonly unknown[]) => ({ address: polls(), abi: humanPollsAbi, functionName, args })
const read = <T>(functionName: string, args: readonly unknown[]) =>
  chain.publicClient.readContract({ address: polls(), abi: humanPollsAbi, functionName, args } as never) as Promise<T>
const scopeOf = (pollId: bigint) => pollScope({ chainId: chain.chain.id, contract: polls(), pollId })

interface CreatePollOptions {
  kind: number
  optionCount: number
  start?: bigint
  end?: bigint
  candidatesRoot?: Hex
  group?: bigint
}

async function createPoll({ kind, optionCount, start, end, candidatesRoot = zeroHash, group = groupId }: CreatePollOptions): Promise<bigint> {
  const current = await now(chain)
  const parameters = {
    groupId: group,
    kind,
    start: start ?? current,
    end: end ?? current + day,
    optionCount,
    candidatesRoot,
    metadataHash: keccak256(stringToHex(`poll ${kind} ${optionCount}`)),
  }
  const receipt = await send(chain, onPolls("createPoll", [parameters]))
  const [created] = parseEventLogs({ abi: humanPollsAbi, logs: receipt.logs, eventName: "PollCreated" })
  assert.ok(created)
  return created.args.pollId
}

const castVote = (pollId: bigint, choice: bigint, proof: ProofStruct, reasonHash: Hex = zeroHash) =>
  onPolls("castVote", [pollId, choice, reasonHash, proof])

before(async () => {
  chain = await startTestChain()
  groupId = await createGroupWith(chain, founders)
  relayer = await relayerAccount(chain)
})
after(async () => {
  await releaseProverThreads()
  await chain.stop()
})

test("scopes and messages computed in TypeScript equal the contract's views", async () => {
  const random = seededRandom(7)
  for (let i = 0; i < 8; i++) {
    const pollId = BigInt(Math.floor(random() * 2 ** 40))
    const first = BigInt(Math.floor(random() * 1000))
    const second = first + 1n + BigInt(Math.floor(random() * 1000))
    const reasonHash = i % 2 === 0 ? zeroHash : keccak256(toHex(`reason ${i}`))
    const choices = [first, second, second + 7n]
    assert.equal(await read<bigint>("pollScope", [pollId]), scopeOf(pollId))
    assert.equal(
      await read<bigint>("pairScope", [pollId, first, second]),
      pairScope({ chainId: chain.chain.id, contract: polls(), pollId, first, second }),
    )
    assert.equal(await read<bigint>("voteMessage", [first, reasonHash]), voteMessage({ choice: first, reasonHash }))
    assert.equal(await read<bigint>("approvalMessage", [choices, reasonHash]), approvalMessage({ choices, reasonHash }))
  }
  // Every scope is a BN254 scalar field element.
  assert.ok(scopeOf(2n ** 200n) < 2n ** 248n)
})

test("createPoll pins the group's root, size and depth and refuses bad parameters", async () => {
  const pollId = await createPoll({ kind: PollKind.SingleChoice, optionCount: 3 })
  const poll = await read<{ merkleTreeRoot: bigint; merkleTreeSize: number; merkleTreeDepth: number; optionCount: number; creator: string }>(
    "getPoll",
    [pollId],
  )
  assert.equal(poll.merkleTreeRoot, groupRoot(founders))
  assert.equal(poll.merkleTreeSize, founders.length)
  assert.equal(poll.merkleTreeDepth, 2)
  assert.equal(poll.optionCount, 3)
  assert.equal(poll.creator, chain.walletClient.account.address)

  const current = await now(chain)
  const base = { groupId, kind: PollKind.SingleChoice, start: current, end: current + day, optionCount: 2, candidatesRoot: zeroHash, metadataHash: zeroHash }
  const create = (parameters: typeof base) => revertAt(chain, onPolls("createPoll", [parameters]))
  assert.equal(await create({ ...base, end: base.start }), "InvalidWindow")
  assert.equal(await create({ ...base, start: current - 2n * day, end: current - day }), "InvalidWindow")
  assert.equal(await create({ ...base, optionCount: 1 }), "TooFewOptions")
  const emptyGroup = await createGroupWith(chain, [])
  assert.equal(await create({ ...base, groupId: emptyGroup }), "GroupHasNoMembers")
  assert.equal(await revertAt(chain, onPolls("getPoll", [999n])), "PollNotFound")
})

describe("single choice", () => {
  let pollId: bigint
  let otherPollId: bigint
  let ballot: ProofStruct
  const reasonHash = keccak256(stringToHex("the blue one is the most human"))

  before(async () => {
    pollId = await createPoll({ kind: PollKind.SingleChoice, optionCount: 3 })
    otherPollId = await createPoll({ kind: PollKind.SingleChoice, optionCount: 3 })
    ballot = await prove({ identity: founders[0]!, members: founders, message: voteMessage({ choice: 2n, reasonHash }), scope: scopeOf(pollId) })
  })

  test("a good ballot, relayed from another account, counts once with its reason hash", async () => {
    const receipt = await send(chain, { ...castVote(pollId, 2n, ballot, reasonHash), account: relayer })
    assert.equal(receipt.from.toLowerCase(), relayer.toLowerCase())
    const [cast] = parseEventLogs({ abi: humanPollsAbi, logs: receipt.logs, eventName: "VoteCast" })
    assert.equal(cast?.args.pollId, pollId)
    assert.equal(cast?.args.nullifier, ballot.nullifier)
    assert.equal(cast?.args.choice, 2n)
    assert.equal(cast?.args.reasonHash, reasonHash)
    assert.deepEqual(await read<bigint[]>("results", [pollId]), [0n, 0n, 1n])
    assert.equal(await read<boolean>("isNullifierUsed", [pollId, ballot.nullifier]), true)
  })

  test("the same ballot again is refused: NullifierAlreadyUsed", async () => {
    assert.equal(await revertAt(chain, castVote(pollId, 2n, ballot, reasonHash)), "NullifierAlreadyUsed")
  })

  test("a relayer cannot change the choice or the reason: WrongMessage", async () => {
    assert.equal(await revertAt(chain, castVote(otherPollId, 1n, { ...ballot, scope: scopeOf(otherPollId) }, reasonHash)), "WrongMessage")
    assert.equal(await revertAt(chain, castVote(pollId, 1n, ballot, reasonHash)), "WrongMessage")
    assert.equal(await revertAt(chain, castVote(pollId, 2n, ballot, zeroHash)), "WrongMessage")
  })

  test("a proof for another poll is refused: WrongScope (and a relabelled scope fails the proof)", async () => {
    assert.equal(await revertAt(chain, castVote(otherPollId, 2n, ballot, reasonHash)), "WrongScope")
    assert.equal(await revertAt(chain, castVote(otherPollId, 2n, { ...ballot, scope: scopeOf(otherPollId) }, reasonHash)), "InvalidProof")
  })

  test("malformed proofs are refused: InvalidProof or MerkleTreeDepthNotSupported", async () => {
    const fresh = await prove({ identity: founders[1]!, members: founders, message: voteMessage({ choice: 0n }), scope: scopeOf(pollId) })
    const points = [...fresh.points] as unknown as ProofStruct["points"]
    const tampered = (index: number, value: bigint) => ({ ...fresh, points: points.map((p, i) => (i === index ? value : p)) as unknown as ProofStruct["points"] })
    assert.equal(await revertAt(chain, castVote(pollId, 0n, tampered(0, points[0] + 1n))), "InvalidProof")
    assert.equal(await revertAt(chain, castVote(pollId, 0n, tampered(7, 0n))), "InvalidProof")
    assert.equal(await revertAt(chain, castVote(pollId, 0n, { ...fresh, points: [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n] as never })), "InvalidProof")
    // A nullifier outside the scalar field is refused by the verifier's field check.
    assert.equal(await revertAt(chain, castVote(pollId, 0n, { ...fresh, nullifier: fresh.nullifier + 2n ** 254n })), "InvalidProof")
    assert.equal(await revertAt(chain, castVote(pollId, 0n, { ...fresh, merkleTreeDepth: 0n })), "MerkleTreeDepthNotSupported")
    assert.equal(await revertAt(chain, castVote(pollId, 0n, { ...fresh, merkleTreeDepth: 33n })), "MerkleTreeDepthNotSupported")
    assert.equal(await revertAt(chain, castVote(pollId, 0n, { ...fresh, merkleTreeDepth: 3n })), "InvalidProof")
    // The untouched proof still counts: nothing above spent its nullifier.
    await send(chain, castVote(pollId, 0n, fresh))
    assert.deepEqual(await read<bigint[]>("results", [pollId]), [1n, 0n, 1n])
  })

  test("a choice out of range, a wrong kind and an unknown poll are refused", async () => {
    assert.equal(await revertAt(chain, castVote(pollId, 3n, ballot)), "ChoiceOutOfRange")
    const approvalPoll = await createPoll({ kind: PollKind.Approval, optionCount: 3 })
    assert.equal(await revertAt(chain, castVote(approvalPoll, 0n, ballot)), "WrongPollKind")
    assert.equal(await revertAt(chain, castVote(999n, 0n, ballot)), "PollNotFound")
    assert.deepEqual(await read<bigint[]>("results", [pollId]), [1n, 0n, 1n])
  })
})

test("root pinning: a member added after creation cannot vote, and earlier members still can", async () => {
  // A group of its own, so that the other tests keep pinning the founders.
  const changingGroup = await createGroupWith(chain, founders)
  const pollId = await createPoll({ kind: PollKind.SingleChoice, optionCount: 2, group: changingGroup })
  const grown = [...founders, latecomer]
  await addMembers(chain, changingGroup, [latecomer])
  const liveRoot = await chain.publicClient.readContract({
    address: chain.deployment.contracts.semaphore,
    abi: semaphoreAbi,
    functionName: "getMerkleTreeRoot",
    args: [changingGroup],
  })
  assert.equal(liveRoot, groupRoot(grown))

  // The latecomer's proof against today's root: refused.
  const late = await prove({ identity: latecomer, members: grown, message: voteMessage({ choice: 1n }), scope: scopeOf(pollId) })
  assert.equal(await revertAt(chain, castVote(pollId, 1n, late)), "WrongRoot")
  // A founder proving against today's root is refused too: only the pinned root counts.
  const founderOnNewRoot = await prove({ identity: founders[2]!, members: grown, message: voteMessage({ choice: 0n }), scope: scopeOf(pollId) })
  assert.equal(await revertAt(chain, castVote(pollId, 0n, founderOnNewRoot)), "WrongRoot")
  // The same founder against the pinned root: counted, although the group has changed since.
  const founderOnPinnedRoot = await prove({ identity: founders[2]!, members: founders, message: voteMessage({ choice: 0n }), scope: scopeOf(pollId) })
  await send(chain, castVote(pollId, 0n, founderOnPinnedRoot))
  assert.deepEqual(await read<bigint[]>("results", [pollId]), [1n, 0n])

  // A poll created now pins the grown group, so the latecomer votes there.
  const laterPoll = await createPoll({ kind: PollKind.SingleChoice, optionCount: 2, group: changingGroup })
  const lateThere = await prove({ identity: latecomer, members: grown, message: voteMessage({ choice: 1n }), scope: scopeOf(laterPoll) })
  await send(chain, castVote(laterPoll, 1n, lateThere))
  assert.deepEqual(await read<bigint[]>("results", [laterPoll]), [0n, 1n])
})

describe("approval over 1,000 art candidates", () => {
  let pollId: bigint
  const candidateCount = 1000
  const approved = [3n, 500n, 999n]

  before(async () => {
    const digests = Array.from({ length: candidateCount }, (_, i) => new Uint8Array(32).fill(i % 251).map((byte, j) => (j === 0 ? i >> 8 : byte)))
    const { root } = buildMerkleTree(digests)
    pollId = await createPoll({ kind: PollKind.Approval, optionCount: candidateCount, candidatesRoot: root })
    const poll = await read<{ candidatesRoot: Hex }>("getPoll", [pollId])
    assert.equal(poll.candidatesRoot, root)
  })

  test("one proof approves a set; each approved candidate counts once", async () => {
    const ballot = await prove({ identity: founders[0]!, members: founders, message: approvalMessage({ choices: approved }), scope: scopeOf(pollId) })
    const castApproval = (choices: readonly bigint[], proof = ballot) => onPolls("castApprovalVote", [pollId, choices, zeroHash, proof])

    // Bad sets are refused before any proof check.
    assert.equal(await revertAt(chain, castApproval([])), "NoChoices")
    assert.equal(await revertAt(chain, castApproval([500n, 3n, 999n])), "ChoicesNotStrictlyIncreasing")
    assert.equal(await revertAt(chain, castApproval([3n, 3n, 999n])), "ChoicesNotStrictlyIncreasing")
    assert.equal(await revertAt(chain, castApproval([3n, 500n, 1000n])), "ChoiceOutOfRange")
    // A relayer dropping one approval.
    assert.equal(await revertAt(chain, castApproval([3n, 500n])), "WrongMessage")

    const receipt = await send(chain, { ...castApproval(approved), account: relayer })
    const [cast] = parseEventLogs({ abi: humanPollsAbi, logs: receipt.logs, eventName: "ApprovalVoteCast" })
    assert.deepEqual(cast?.args.choices, approved)
    for (const option of [3n, 500n, 999n]) assert.equal(await read<bigint>("optionVotes", [pollId, option]), 1n)
    assert.equal(await read<bigint>("optionVotes", [pollId, 4n]), 0n)
    assert.equal((await read<bigint[]>("results", [pollId])).reduce((sum, count) => sum + count, 0n), 3n)
    assert.equal(await revertAt(chain, castApproval(approved)), "NullifierAlreadyUsed")
  })
})

describe("pairwise", () => {
  let pollId: bigint
  const scopeOfPair = (first: bigint, second: bigint) => pairScope({ chainId: chain.chain.id, contract: polls(), pollId, first, second })
  const castPairwise = (first: bigint, second: bigint, winner: bigint, proof: ProofStruct) =>
    onPolls("castPairwiseVote", [pollId, first, second, winner, proof])

  before(async () => {
    pollId = await createPoll({ kind: PollKind.Pairwise, optionCount: 350 })
  })

  test("one person judges several pairs, each once; counts are kept per pair", async () => {
    const judge = founders[3]!
    const first = await prove({ identity: judge, members: founders, message: voteMessage({ choice: 1n }), scope: scopeOfPair(0n, 1n) })
    const second = await prove({ identity: judge, members: founders, message: voteMessage({ choice: 349n }), scope: scopeOfPair(1n, 349n) })
    assert.notEqual(first.nullifier, second.nullifier, "one nullifier per pair")

    const receipt = await send(chain, { ...castPairwise(0n, 1n, 1n, first), account: relayer })
    const [cast] = parseEventLogs({ abi: humanPollsAbi, logs: receipt.logs, eventName: "PairwiseVoteCast" })
    assert.deepEqual([cast?.args.first, cast?.args.second, cast?.args.winner], [0n, 1n, 1n])
    await send(chain, castPairwise(1n, 349n, 349n, second))
    assert.deepEqual(await read<[bigint, bigint]>("pairVotes", [pollId, 0n, 1n]), [0n, 1n])
    assert.deepEqual(await read<[bigint, bigint]>("pairVotes", [pollId, 1n, 349n]), [0n, 1n])
    assert.equal((await read<{ ballotCount: number }>("getPoll", [pollId])).ballotCount, 2)

    assert.equal(await revertAt(chain, castPairwise(0n, 1n, 1n, first)), "NullifierAlreadyUsed")
    // The judgement of (0, 1) presented for (0, 2).
    assert.equal(await revertAt(chain, castPairwise(0n, 2n, 2n, { ...first, message: voteMessage({ choice: 2n }) })), "WrongScope")
    assert.equal(await revertAt(chain, castPairwise(0n, 1n, 0n, first)), "WrongMessage")
    assert.equal(await revertAt(chain, castPairwise(1n, 0n, 1n, first)), "InvalidPair")
    assert.equal(await revertAt(chain, castPairwise(0n, 1n, 2n, first)), "WinnerNotInPair")
    assert.equal(await revertAt(chain, castPairwise(0n, 350n, 0n, first)), "ChoiceOutOfRange")
    assert.equal(await revertAt(chain, onPolls("castVote", [pollId, 0n, zeroHash, first])), "WrongPollKind")
    assert.deepEqual(await read<[bigint, bigint]>("pairVotes", [pollId, 0n, 1n]), [0n, 1n])
  })
})

describe("window rules (property test: random times around the window)", () => {
  let pollId: bigint
  let start: bigint
  let end: bigint
  let ballot: ProofStruct

  before(async () => {
    const current = await now(chain)
    start = current + 1_000n
    end = start + 600n
    pollId = await createPoll({ kind: PollKind.SingleChoice, optionCount: 2, start, end })
    ballot = await prove({ identity: founders[1]!, members: founders, message: voteMessage({ choice: 1n }), scope: scopeOf(pollId) })
  })

  test("a valid ballot is accepted exactly when start <= time < end", async () => {
    const random = seededRandom(20_240_601)
    const times = [start - 1n, start, start + 1n, end - 1n, end, end + 1n]
    for (let i = 0; i < 120; i++) times.push(start - 300n + BigInt(Math.floor(random() * 1_200)))
    for (const time of times) {
      const expected = time >= start && time < end ? undefined : "PollNotOpen"
      assert.equal(await revertAt(chain, { ...castVote(pollId, 1n, ballot), timestamp: time }), expected, `at ${time - start}s from start`)
    }
    // Mined for real: refused just before the start, counted at the start, closed at the end.
    await mineAt(chain, start - 2n)
    assert.equal(await revertAt(chain, castVote(pollId, 1n, ballot)), "PollNotOpen")
    await chain.publicClient.request({ method: "evm_setNextBlockTimestamp" as never, params: [`0x${start.toString(16)}`] as never })
    const receipt = await send(chain, castVote(pollId, 1n, ballot))
    assert.equal((await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp, start)
    assert.deepEqual(await read<bigint[]>("results", [pollId]), [0n, 1n])
    await mineAt(chain, end)
    assert.equal(await revertAt(chain, castVote(pollId, 1n, ballot)), "PollNotOpen")
  })
})

describe("nullifier rules (property test: random submission orders and forged nullifiers)", () => {
  let pollId: bigint
  const ballots: { choice: bigint; proof: ProofStruct }[] = []

  before(async () => {
    pollId = await createPoll({ kind: PollKind.SingleChoice, optionCount: 2 })
    for (const [index, identity] of founders.slice(0, 3).entries()) {
      const choice = BigInt(index % 2)
      ballots.push({ choice, proof: await prove({ identity, members: founders, message: voteMessage({ choice }), scope: scopeOf(pollId) }) })
    }
  })

  test("each person counts once, whatever the order; forged nullifiers never count", async () => {
    const random = seededRandom(99)
    for (let trial = 0; trial < 6; trial++) {
      const snapshot = await chain.publicClient.request({ method: "evm_snapshot" as never, params: [] as never })
      const spent = new Set<bigint>()
      const expected = [0n, 0n]
      for (let step = 0; step < 8; step++) {
        const { choice, proof } = ballots[Math.floor(random() * ballots.length)]!
        if (random() < 0.3) {
          // A forged nullifier: a spent one (collision) or a fresh random one. Never counted.
          const pool = [...spent]
          const forged = pool.length > 0 && random() < 0.5 ? pool[Math.floor(random() * pool.length)]! : BigInt(Math.floor(random() * 2 ** 48)) + 1n
          const error = await revertAt(chain, castVote(pollId, choice, { ...proof, nullifier: forged }))
          assert.equal(error, spent.has(forged) ? "NullifierAlreadyUsed" : "InvalidProof")
          continue
        }
        if (spent.has(proof.nullifier)) {
          assert.equal(await revertAt(chain, castVote(pollId, choice, proof)), "NullifierAlreadyUsed")
        } else {
          await send(chain, castVote(pollId, choice, proof))
          spent.add(proof.nullifier)
          expected[Number(choice)]! += 1n
        }
      }
      assert.deepEqual(await read<bigint[]>("results", [pollId]), expected, `trial ${trial}`)
      assert.equal(BigInt((await read<{ ballotCount: number }>("getPoll", [pollId])).ballotCount), BigInt(spent.size))
      await chain.publicClient.request({ method: "evm_revert" as never, params: [snapshot] as never })
    }
  })
})
