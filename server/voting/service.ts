// Polls and the relayer's front door: poll creation from the server's account, Merkle proofs against
// a poll's pinned root, off-chain checks of ballots before they are queued, results and pairing.
// Knows nothing about HTTP.
import type { MerkleProof, SemaphoreProof } from "@semaphore-protocol/core"
import { BaseError, parseEventLogs, zeroHash, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem"
import { HumanmarkError } from "../../sdk/errors.ts"
import { humanPollsAbi } from "../../sdk/generated/abis.ts"
import { MAX_TREE_DEPTH, MIN_TREE_DEPTH } from "../../sdk/semaphore/artifacts.ts"
import { verifySemaphoreProof } from "../../sdk/semaphore/proof.ts"
import { fitBradleyTerry, type BradleyTerryRanking, type PairwiseJudgement } from "../../sdk/voting/bradley-terry.ts"
import { approvalMessage, voteMessage } from "../../sdk/voting/message.ts"
import { nextPair as pickNextPair } from "../../sdk/voting/pairing.ts"
import { pairScope, pollScope } from "../../sdk/voting/scope.ts"
import type { EnrollmentStore } from "../enrollment/store.ts"
import { merkleProofFor, readGroupMembers, type GroupMembers } from "../enrollment/membership.ts"
import { candidatesRoot, pollMetadataHash } from "./metadata.ts"
import { revertErrorName, type SendLock } from "./relayer.ts"
import type { Ballot, PollCandidate, PollKind, StoredPoll, StoredVote, VoteCounts, VotingStore } from "./store.ts"

/** BN254: public inputs are below the scalar field, proof coordinates below the base field. */
const SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
const SNARK_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
const KIND_INDEX: Record<PollKind, number> = { single: 0, approval: 1, pairwise: 2 }
/** Blocks per `eth_getLogs` call: public RPC providers refuse wide ranges. */
const LOG_BLOCK_RANGE = 10_000n
/** Pinned trees kept in memory; a poll's tree never changes, so one read serves the whole poll. */
const PINNED_TREE_CACHE_SIZE = 16

export type PollStatus = "upcoming" | "open" | "closed"

export interface CreatePollInput {
  title: string
  kind: PollKind
  options?: string[] | undefined
  candidates?: PollCandidate[] | undefined
  /** Enrollment level whose group votes; default "person". */
  level?: "person" | "device" | undefined
  /** Unix seconds; default the chain's latest block time. */
  startsAt?: number | undefined
  durationSeconds: number
}

export interface PollView extends StoredPoll {
  scope: bigint
  status: PollStatus
  /** Chain time the status was decided at. */
  chainTime: number
}

export interface PollDetails extends PollView {
  /** Ballots counted on chain. */
  ballotCount: number
  /** The relayer's queue for this poll, by status. */
  votes: VoteCounts
}

export interface SubmitVoteInput {
  ballot: Ballot
  /** keccak256 of the reason text; zero (or omitted) for none; always zero for pairwise. */
  reasonHash?: Hex | undefined
  proof: SemaphoreProof
}

export interface VoteView {
  pollId: bigint
  nullifier: bigint
  status: StoredVote["status"]
  errorCode: string | undefined
  txHash: Hex | undefined
  blockNumber: bigint | undefined
}

export interface OptionResult {
  index: number
  votes: number
}

export interface PairwiseResult extends Omit<BradleyTerryRanking, "candidate"> {
  index: number
}

export type PollResults =
  | { pollId: bigint; kind: "single" | "approval"; ballotCount: number; options: OptionResult[] }
  | { pollId: bigint; kind: "pairwise"; ballotCount: number; judgements: number; ranking: PairwiseResult[] }

export interface NextPairResult {
  /** Lower index first, as the contract's pair scope wants; null when nothing is left to judge. */
  pair: { first: number; second: number } | null
}

export interface VotingService {
  createPoll(input: CreatePollInput): Promise<PollView>
  getPoll(pollId: bigint): Promise<PollDetails>
  listPolls(options?: { limit?: number; offset?: number }): Promise<PollView[]>
  /** Merkle proof of `commitment` against the poll's pinned root; 404 `not_a_member` otherwise. */
  membershipProof(pollId: bigint, commitment: bigint): Promise<MerkleProof & { depth: number }>
  /** Checks the ballot off chain, stores it durably (queued) and only then resolves. */
  submitVote(pollId: bigint, input: SubmitVoteInput): Promise<VoteView>
  getVote(pollId: bigint, nullifier: bigint): Promise<VoteView>
  results(pollId: bigint): Promise<PollResults>
  nextPair(pollId: bigint, options?: { exclude?: ReadonlyArray<readonly [number, number]> }): Promise<NextPairResult>
}

export interface CreateVotingServiceParameters {
  store: VotingStore
  /** Where the personhood groups (one per level) are recorded. */
  groups: Pick<EnrollmentStore, "getGroup">
  publicClient: PublicClient<Transport, Chain>
  /** The voting account; without it polls cannot be created (503). */
  walletClient: WalletClient<Transport, Chain, Account> | undefined
  humanPolls: Address
  semaphore: Address
  lock: SendLock
  /** Called after a ballot was stored, so the relayer sends it at once. */
  onQueued?: () => void
  random?: () => number
}

const notFound = (pollId: bigint) => new HumanmarkError("poll_not_found", `There is no poll ${pollId} on this server.`, { status: 404 })

export function createVotingService(parameters: CreateVotingServiceParameters): VotingService {
  const { store, groups, publicClient, walletClient, humanPolls, semaphore, lock, onQueued } = parameters
  const random = parameters.random ?? Math.random
  const chainId = publicClient.chain.id
  const pinnedTrees = new Map<bigint, Promise<GroupMembers>>()
  const judgementLogs = new Map<bigint, { toBlock: bigint; judgements: { first: number; second: number; winner: number }[] }>()
  const fits = new Map<bigint, { count: number; ranking: BradleyTerryRanking[] }>()
  const verifications = new Map<string, Promise<boolean>>()

  /** Concurrent callers share one request: a burst of ballots reads the head once, not once each. */
  let latestTime: Promise<number> | undefined
  const chainTime = () => {
    latestTime ??= publicClient.getBlock({ blockTag: "latest" }).then(
      (block) => {
        latestTime = undefined
        return Number(block.timestamp)
      },
      (error: unknown) => {
        latestTime = undefined
        throw error
      },
    )
    return latestTime
  }

  const requirePoll = async (pollId: bigint) => {
    const poll = await store.getPoll(pollId)
    if (!poll) throw notFound(pollId)
    return poll
  }

  const statusAt = (poll: StoredPoll, time: number): PollStatus => (time < poll.startsAt ? "upcoming" : time >= poll.endsAt ? "closed" : "open")
  const viewOf = (poll: StoredPoll, time: number): PollView => ({
    ...poll,
    scope: pollScope({ chainId, contract: humanPolls, pollId: poll.id }),
    status: statusAt(poll, time),
    chainTime: time,
  })
  const optionCountOf = (poll: StoredPoll) => (poll.candidates.length > 0 ? poll.candidates.length : poll.options.length)

  /** The group as it was when the poll pinned its root, rebuilt from the chain's events. */
  const pinnedTree = (poll: StoredPoll): Promise<GroupMembers> => {
    let tree = pinnedTrees.get(poll.id)
    if (!tree) {
      tree = rebuildPinnedTree(poll)
      tree.catch(() => pinnedTrees.delete(poll.id))
      pinnedTrees.set(poll.id, tree)
      while (pinnedTrees.size > PINNED_TREE_CACHE_SIZE) pinnedTrees.delete(pinnedTrees.keys().next().value!)
    }
    return tree
  }

  const rebuildPinnedTree = async (poll: StoredPoll): Promise<GroupMembers> => {
    const group = await groups.getGroup(poll.level as "person" | "device")
    const fromBlock = group?.groupId === poll.groupId && group.createdBlock !== undefined ? group.createdBlock : 0n
    // Another transaction of the creation block may have changed the group after the poll pinned it,
    // so the block before is tried first.
    for (const toBlock of [poll.createdBlock - 1n, poll.createdBlock]) {
      if (toBlock < fromBlock) continue
      const tree = await readGroupMembers({ publicClient, semaphore, groupId: poll.groupId, fromBlock, toBlock })
      if (tree.root === poll.merkleTreeRoot) return tree
    }
    throw new HumanmarkError("group_events_inconsistent", `The group's events do not rebuild the root poll ${poll.id} pinned.`, { status: 502 })
  }

  /** Groth16 verification is the costly check: identical submissions arriving together share one. */
  const verifyProofOnce = (proof: SemaphoreProof): Promise<boolean> => {
    const key = JSON.stringify(proof)
    let verification = verifications.get(key)
    if (!verification) {
      verification = verifySemaphoreProof(proof).catch(() => false)
      verifications.set(key, verification)
      void verification.finally(() => verifications.delete(key))
    }
    return verification
  }

  const voteView = (vote: StoredVote): VoteView => ({
    pollId: vote.pollId,
    nullifier: vote.nullifier,
    status: vote.status,
    errorCode: vote.errorCode,
    txHash: vote.transaction?.hash,
    blockNumber: vote.blockNumber,
  })

  /** Every pairwise judgement counted so far, read from the chain's events (incrementally). */
  const judgementsOf = async (poll: StoredPoll) => {
    const head = await publicClient.getBlockNumber({ cacheTime: 0 })
    const cached = judgementLogs.get(poll.id) ?? { toBlock: poll.createdBlock - 1n, judgements: [] }
    for (let start = cached.toBlock + 1n; start <= head; start += LOG_BLOCK_RANGE) {
      const end = start + LOG_BLOCK_RANGE - 1n < head ? start + LOG_BLOCK_RANGE - 1n : head
      const logs = await publicClient.getContractEvents({
        address: humanPolls,
        abi: humanPollsAbi,
        eventName: "PairwiseVoteCast",
        args: { pollId: poll.id },
        fromBlock: start,
        toBlock: end,
        strict: true,
      })
      for (const log of logs) cached.judgements.push({ first: Number(log.args.first), second: Number(log.args.second), winner: Number(log.args.winner) })
    }
    cached.toBlock = head > cached.toBlock ? head : cached.toBlock
    judgementLogs.set(poll.id, cached)
    return cached.judgements
  }

  const rankingOf = (poll: StoredPoll, judgements: readonly { first: number; second: number; winner: number }[]) => {
    const cached = fits.get(poll.id)
    if (cached && cached.count === judgements.length) return cached.ranking
    const candidates = Array.from({ length: optionCountOf(poll) }, (_, index) => String(index))
    const ranking = fitBradleyTerry({
      candidates,
      judgements: judgements.map(toJudgement),
      ...(cached ? { initialScores: new Map(cached.ranking.map((entry) => [entry.candidate, entry.score])) } : {}),
    })
    fits.set(poll.id, { count: judgements.length, ranking })
    return ranking
  }

  return {
    async createPoll(input) {
      if (!walletClient) {
        throw new HumanmarkError("voting_unavailable", "This server has no account to create polls with.", {
          details: "The operator must set VOTING_PRIVATE_KEY (or DEPLOYER_PRIVATE_KEY).",
          status: 503,
        })
      }
      const level = input.level ?? "person"
      const options = input.options ?? []
      const candidates = input.candidates ?? []
      if ((options.length > 0) === (candidates.length > 0)) {
        throw new HumanmarkError("invalid_poll", "A poll has either options or candidates, not both and not neither.")
      }
      const optionCount = options.length + candidates.length
      if (optionCount < 2) throw new HumanmarkError("too_few_options", "A poll needs at least two options or candidates.")
      const seen = new Set(candidates.map((candidate) => candidate.contentHash.toLowerCase()))
      if (seen.size !== candidates.length) throw new HumanmarkError("duplicate_candidate", "Two candidates have the same content hash.")

      const group = await groups.getGroup(level)
      if (group?.status !== "created" || group.groupId === undefined) {
        throw new HumanmarkError("group_not_ready", `The ${level} group does not exist yet: nobody has enrolled at that level.`, { status: 409 })
      }
      const now = await chainTime()
      const startsAt = input.startsAt ?? now
      const endsAt = startsAt + input.durationSeconds
      if (endsAt <= now) throw new HumanmarkError("invalid_window", "The poll would end before the chain's current time.")

      const metadata = { title: input.title, kind: input.kind, options, candidates }
      const pollParameters = {
        groupId: group.groupId,
        kind: KIND_INDEX[input.kind],
        start: BigInt(startsAt),
        end: BigInt(endsAt),
        optionCount,
        candidatesRoot: candidatesRoot(candidates),
        metadataHash: pollMetadataHash(metadata),
      }
      const hash = await lock
        .run(() => walletClient.writeContract({ address: humanPolls, abi: humanPollsAbi, functionName: "createPoll", args: [pollParameters] }))
        .catch((error: unknown) => {
          throw createPollError(error)
        })
      const receipt = await publicClient.waitForTransactionReceipt({ hash })
      if (receipt.status !== "success") throw new HumanmarkError("poll_creation_failed", `The createPoll transaction ${hash} reverted.`, { status: 502 })
      const [created] = parseEventLogs({ abi: humanPollsAbi, logs: receipt.logs, eventName: "PollCreated" })
      if (!created) throw new HumanmarkError("poll_creation_failed", `The createPoll transaction ${hash} has no PollCreated event.`, { status: 502 })
      const onChain = await publicClient.readContract({
        address: humanPolls,
        abi: humanPollsAbi,
        functionName: "getPoll",
        args: [created.args.pollId],
        blockNumber: receipt.blockNumber,
      })
      const poll: StoredPoll = {
        id: created.args.pollId,
        title: input.title,
        kind: input.kind,
        options,
        candidates,
        candidatesRoot: pollParameters.candidatesRoot,
        level,
        groupId: group.groupId,
        merkleTreeRoot: created.args.merkleTreeRoot,
        merkleTreeSize: Number(created.args.merkleTreeSize),
        merkleTreeDepth: Number(onChain.merkleTreeDepth),
        startsAt,
        endsAt,
        createdBlock: receipt.blockNumber,
        metadataHash: pollParameters.metadataHash,
        txHash: hash,
        createdAt: new Date(),
      }
      await store.savePoll(poll)
      return viewOf(poll, now)
    },

    async getPoll(pollId) {
      const poll = await requirePoll(pollId)
      const [time, onChain, votes] = await Promise.all([
        chainTime(),
        publicClient.readContract({ address: humanPolls, abi: humanPollsAbi, functionName: "getPoll", args: [pollId] }),
        store.countVotes(pollId),
      ])
      return { ...viewOf(poll, time), ballotCount: Number(onChain.ballotCount), votes }
    },

    async listPolls(options) {
      const [polls, time] = await Promise.all([store.listPolls(options), chainTime()])
      return polls.map((poll) => viewOf(poll, time))
    },

    async membershipProof(pollId, commitment) {
      const poll = await requirePoll(pollId)
      const tree = await pinnedTree(poll)
      const proof = merkleProofFor(tree.group, commitment)
      return { ...proof, depth: poll.merkleTreeDepth }
    },

    async submitVote(pollId, { ballot, reasonHash = zeroHash, proof }) {
      const poll = await requirePoll(pollId)
      const optionCount = optionCountOf(poll)
      let scope: bigint
      let message: bigint
      if ("choice" in ballot) {
        requireKind(poll, "single")
        requireInRange(ballot.choice, optionCount)
        scope = pollScope({ chainId, contract: humanPolls, pollId })
        message = voteMessage({ choice: BigInt(ballot.choice), reasonHash })
      } else if ("choices" in ballot) {
        requireKind(poll, "approval")
        if (ballot.choices.length === 0) throw new HumanmarkError("invalid_choices", "An approval ballot approves at least one option.")
        ballot.choices.forEach((choice, index) => {
          if (index > 0 && choice <= ballot.choices[index - 1]!) {
            throw new HumanmarkError("invalid_choices", "Approved options must be listed in strictly increasing order, each once.")
          }
          requireInRange(choice, optionCount)
        })
        scope = pollScope({ chainId, contract: humanPolls, pollId })
        message = approvalMessage({ choices: ballot.choices.map(BigInt), reasonHash })
      } else {
        requireKind(poll, "pairwise")
        if (ballot.first >= ballot.second) throw new HumanmarkError("invalid_pair", "A pair is given lower index first: first < second.")
        requireInRange(ballot.second, optionCount)
        if (ballot.winner !== ballot.first && ballot.winner !== ballot.second) {
          throw new HumanmarkError("winner_not_in_pair", "The winner must be one of the pair.")
        }
        if (BigInt(reasonHash) !== 0n) throw new HumanmarkError("invalid_request", "Pairwise judgements carry no reason hash.")
        scope = pairScope({ chainId, contract: humanPolls, pollId, first: BigInt(ballot.first), second: BigInt(ballot.second) })
        message = voteMessage({ choice: BigInt(ballot.winner) })
      }

      const time = await chainTime()
      const status = statusAt(poll, time)
      if (status !== "open") {
        throw new HumanmarkError("poll_not_open", status === "upcoming" ? "This poll has not opened yet." : "This poll is closed.", { status: 409 })
      }
      if (BigInt(proof.merkleTreeRoot) !== poll.merkleTreeRoot) {
        throw new HumanmarkError("wrong_root", "The proof was made against another group root than the one this poll pinned.", {
          details: "Only members at the poll's creation can vote; get the Merkle proof from GET /v1/polls/:id/membership/:commitment.",
        })
      }
      if (BigInt(proof.scope) !== scope) throw new HumanmarkError("wrong_scope", "The proof was made for another poll, pair, contract or chain.")
      if (BigInt(proof.message) !== message) throw new HumanmarkError("wrong_message", "The proof's message does not encode this ballot (and reason hash).")
      if (!Number.isInteger(proof.merkleTreeDepth) || proof.merkleTreeDepth < MIN_TREE_DEPTH || proof.merkleTreeDepth > MAX_TREE_DEPTH) {
        throw new HumanmarkError("invalid_proof", `The proof's tree depth must be ${MIN_TREE_DEPTH} to ${MAX_TREE_DEPTH}.`)
      }
      const nullifier = BigInt(proof.nullifier)
      // snarkjs reduces inputs modulo the field, so nullifier + r would verify off chain as a "new" nullifier.
      if (nullifier >= SNARK_SCALAR_FIELD || proof.points.some((point) => BigInt(point) >= SNARK_BASE_FIELD)) {
        throw new HumanmarkError("invalid_proof", "The proof has values outside the BN254 field.")
      }
      const duplicate = () => new HumanmarkError("duplicate_vote", "This person has already voted in this poll (or judged this pair).", { status: 409 })
      if (await store.getVote(pollId, nullifier)) throw duplicate()
      const used = await publicClient.readContract({ address: humanPolls, abi: humanPollsAbi, functionName: "isNullifierUsed", args: [pollId, nullifier] })
      if (used) throw duplicate()
      if (!(await verifyProofOnce(proof))) throw new HumanmarkError("invalid_proof", "The zero-knowledge proof does not verify.")

      const stored = await store.enqueueVote({ pollId, scope, nullifier, ballot, reasonHash, proof: normalizedProof(proof) }, new Date())
      if (!stored) throw duplicate()
      onQueued?.()
      return voteView(stored)
    },

    async getVote(pollId, nullifier) {
      await requirePoll(pollId)
      const vote = await store.getVote(pollId, nullifier)
      if (!vote) throw new HumanmarkError("vote_not_found", "No ballot with this nullifier was submitted to this poll here.", { status: 404 })
      return voteView(vote)
    },

    async results(pollId) {
      const poll = await requirePoll(pollId)
      if (poll.kind === "pairwise") {
        const judgements = await judgementsOf(poll)
        const ranking = rankingOf(poll, judgements).map(({ candidate, ...entry }) => ({ index: Number(candidate), ...entry }))
        return { pollId, kind: "pairwise", ballotCount: judgements.length, judgements: judgements.length, ranking }
      }
      const [counts, onChain] = await Promise.all([
        publicClient.readContract({ address: humanPolls, abi: humanPollsAbi, functionName: "results", args: [pollId] }),
        publicClient.readContract({ address: humanPolls, abi: humanPollsAbi, functionName: "getPoll", args: [pollId] }),
      ])
      return { pollId, kind: poll.kind, ballotCount: Number(onChain.ballotCount), options: counts.map((votes, index) => ({ index, votes: Number(votes) })) }
    },

    async nextPair(pollId, options = {}) {
      const poll = await requirePoll(pollId)
      requireKind(poll, "pairwise")
      const judgements = await judgementsOf(poll)
      const candidates = Array.from({ length: optionCountOf(poll) }, (_, index) => String(index))
      const ranking = rankingOf(poll, judgements)
      const pair = pickNextPair(
        {
          candidates,
          judgements: judgements.map(toJudgement),
          ranking,
          alreadyJudged: (options.exclude ?? []).map(([first, second]) => [String(first), String(second)] as const),
        },
        random,
      )
      if (!pair) return { pair: null }
      const [left, right] = pair.map(Number) as [number, number]
      return { pair: { first: Math.min(left, right), second: Math.max(left, right) } }
    },
  }
}

function toJudgement({ first, second, winner }: { first: number; second: number; winner: number }): PairwiseJudgement {
  return { winner: String(winner), loser: String(winner === first ? second : first) }
}

function requireKind(poll: StoredPoll, kind: PollKind): void {
  if (poll.kind !== kind) {
    throw new HumanmarkError("wrong_ballot_kind", `Poll ${poll.id} is a ${poll.kind} poll; this ballot is for a ${kind} poll.`)
  }
}

function requireInRange(choice: number, optionCount: number): void {
  if (choice >= optionCount) throw new HumanmarkError("choice_out_of_range", `Choice ${choice} is not below the poll's ${optionCount} options.`)
}

/** Decimal strings throughout, so the stored JSON is the same whatever form the client sent. */
export function normalizedProof(proof: SemaphoreProof): SemaphoreProof {
  return {
    merkleTreeDepth: proof.merkleTreeDepth,
    merkleTreeRoot: BigInt(proof.merkleTreeRoot).toString(),
    nullifier: BigInt(proof.nullifier).toString(),
    message: BigInt(proof.message).toString(),
    scope: BigInt(proof.scope).toString(),
    points: proof.points.map((point) => BigInt(point).toString()) as SemaphoreProof["points"],
  }
}

/** The contract's refusals of createPoll as typed errors; anything else is the chain's failure. */
function createPollError(error: unknown): Error {
  const reason = revertErrorName(error)
  if (reason === "GroupHasNoMembers") return new HumanmarkError("group_empty", "The group has no members on chain yet.", { status: 409 })
  if (reason === "InvalidWindow") return new HumanmarkError("invalid_window", "The contract refused the poll's window (it must not have ended).")
  if (reason !== undefined) return new HumanmarkError("poll_creation_failed", `The contract refused the poll (${reason}).`, { status: 409 })
  return new HumanmarkError("chain_error", `Sending createPoll failed: ${error instanceof BaseError ? error.shortMessage : String(error)}`, {
    status: 502,
    cause: error,
  })
}
