// Talking to a humanmark server about polls: create, read, vote with a proof made here (the identity
// never leaves this process), follow a ballot through the relayer, read results. Browser and Node alike.
import type { Identity, SemaphoreProof } from "@semaphore-protocol/core"
import { keccak256, stringToHex, zeroHash, type Address, type Hex } from "viem"
import type { HumanmarkClient, HumanmarkClientOptions } from "../client.ts"
import { HumanmarkError } from "../errors.ts"
import type { SemaphoreArtifacts } from "../semaphore/artifacts.ts"
import { generateSemaphoreProof } from "../semaphore/proof.ts"
import { approvalMessage, proposalVoteMessage, voteMessage } from "./message.ts"
import { pairScope, pollScope, proposalScope } from "./scope.ts"

export type PollKind = "single" | "approval" | "pairwise"
export type PollStatus = "upcoming" | "open" | "closed"
export type VoteStatus = "queued" | "submitted" | "included" | "rejected"

export interface PollCandidate {
  /** SHA-256 of the content, 0x and 64 hex digits. */
  contentHash: Hex
  uri: string
  title: string
}

export interface Poll {
  id: bigint
  title: string
  kind: PollKind
  options: string[]
  /** Absent in listings (an art poll can carry thousands). */
  candidates?: PollCandidate[]
  optionCount: number
  candidatesRoot: Hex
  level: string
  groupId: bigint
  /** The group root pinned when the poll was created: only members at that moment vote. */
  merkleTreeRoot: bigint
  merkleTreeSize: number
  /** The depth to prove at. */
  merkleTreeDepth: number
  /** Scope of single choice and approval ballots (pairwise: one scope per pair, see `pairScope`). */
  scope: bigint
  /** Unix seconds of chain time: open from `startsAt` (inclusive) to `endsAt` (exclusive). */
  startsAt: number
  endsAt: number
  status: PollStatus
  createdBlock: bigint
  metadataHash: Hex
  txHash: Hex
  chainId: number
  contract: Address
  /** `getPoll` only: ballots counted on chain, and the relayer's queue by status. */
  ballotCount?: number
  votes?: Record<VoteStatus, number>
}

/** A ballot: an option index (single), a set of indexes (approval), or who won a pair (pairwise). */
export type Ballot = { choice: number } | { choices: readonly number[] } | { first: number; second: number; winner: number }

export interface Vote {
  pollId: bigint
  /** Public and unlinkable to the voter; where to ask for the ballot's status. */
  nullifier: bigint
  status: VoteStatus
  /** For rejected ballots: the contract's custom error name, e.g. `NullifierAlreadyUsed`. */
  error?: { code: string }
  txHash?: Hex
  blockNumber?: bigint
}

export type PollResults =
  | { pollId: bigint; kind: "single" | "approval"; ballotCount: number; options: { index: number; votes: number }[] }
  | {
      pollId: bigint
      kind: "pairwise"
      ballotCount: number
      judgements: number
      /** Best first: Bradley-Terry log-strength with its interval (see `fitBradleyTerry`). */
      ranking: { index: number; score: number; lower: number; upper: number; wins: number; losses: number; rank: number }[]
    }

export interface CreatePollParameters {
  title: string
  kind?: PollKind
  /** Option labels, or `candidates` for an art poll; one of the two. */
  options?: readonly string[]
  candidates?: readonly PollCandidate[]
  /** Which personhood group votes; default "person". */
  level?: "person" | "device"
  /** Unix seconds of chain time; default now. */
  startsAt?: number
  durationSeconds: number
}

/**
 * Creates a poll (the server sends the transaction and pins the group's root). Servers with an
 * ADMIN_TOKEN want it: build the client with `fetch: fetchWithAdminToken(token)`. Fails with
 * `group_not_ready`, `too_few_options`, `admin_token_missing`/`admin_token_invalid`, `poll_creation_disabled`.
 */
export async function createPoll(client: HumanmarkClient, parameters: CreatePollParameters): Promise<Poll> {
  const { poll } = await client.request<{ poll: PollJson }>("/v1/polls", { body: parameters })
  return parsePoll(poll)
}

/** A `fetch` for `createHumanmarkClient` that sends `Authorization: Bearer <token>` (poll creation on guarded servers). */
export function fetchWithAdminToken(token: string, baseFetch: NonNullable<HumanmarkClientOptions["fetch"]> = (url, init) => fetch(url, init)) {
  return (url: string, init: RequestInit) => baseFetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } })
}

/** One poll with its status, counts and (for art polls) candidates; `poll_not_found` otherwise. */
export async function getPoll(client: HumanmarkClient, pollId: bigint | number | string): Promise<Poll> {
  const { poll } = await client.request<{ poll: PollJson }>(`/v1/polls/${parsePollId(pollId)}`)
  return parsePoll(poll)
}

/** Polls newest first, without their candidates. */
export async function listPolls(client: HumanmarkClient, options: { limit?: number; offset?: number } = {}): Promise<Poll[]> {
  const query = new URLSearchParams({ limit: String(options.limit ?? 50), offset: String(options.offset ?? 0) })
  const { polls } = await client.request<{ polls: PollJson[] }>(`/v1/polls?${query}`)
  return polls.map(parsePoll)
}

export interface PollMembershipProof {
  root: bigint
  leaf: bigint
  index: number
  siblings: bigint[]
  depth: number
}

/** The commitment's Merkle proof against the poll's pinned root; `not_a_member` (404) for anyone who joined later. */
export async function getMembershipProof(client: HumanmarkClient, pollId: bigint | number | string, commitment: bigint | string): Promise<PollMembershipProof> {
  const answer = await client.request<{ root: string; leaf: string; index: number; siblings: string[]; depth: number }>(
    `/v1/polls/${parsePollId(pollId)}/membership/${BigInt(commitment)}`,
  )
  return { root: BigInt(answer.root), leaf: BigInt(answer.leaf), index: answer.index, siblings: answer.siblings.map(BigInt), depth: answer.depth }
}

export interface CastVoteParameters {
  identity: Identity
  pollId: bigint | number | string
  ballot: Ballot
  /** Free text; only its keccak256 is bound by the proof and sent. Not for pairwise judgements. */
  reason?: string
  /** `loadSemaphoreArtifacts` in Node, `createFetchingArtifactLoader(...)` in browsers. */
  loadArtifacts: (depth: number) => Promise<SemaphoreArtifacts>
  /** Told when the slow part (proving, a second or more) starts. */
  onProgress?: (stage: "membership" | "proving" | "submitting") => void
}

/**
 * Votes without revealing who: fetches the poll and this identity's Merkle proof against its pinned
 * root, binds the ballot into the proof's message (so the relayer cannot alter it), proves with the
 * official artifacts and submits. Resolves once the server has queued the ballot (status `queued`);
 * see {@link waitForVote}. A pairwise ballot may name its pair in either order.
 */
export async function castVote(client: HumanmarkClient, parameters: CastVoteParameters): Promise<Vote> {
  const { identity, loadArtifacts, onProgress } = parameters
  const poll = await getPoll(client, parameters.pollId)
  onProgress?.("membership")
  const membership = await getMembershipProof(client, poll.id, identity.commitment)
  const reasonHash: Hex = parameters.reason === undefined ? zeroHash : keccak256(stringToHex(parameters.reason))
  const ballot = normalizeBallot(parameters.ballot)
  let scope: bigint
  let message: bigint
  if ("first" in ballot) {
    if (parameters.reason !== undefined) throw new HumanmarkError("invalid_parameters", "Pairwise judgements carry no reason.")
    scope = pairScope({ chainId: poll.chainId, contract: poll.contract, pollId: poll.id, first: BigInt(ballot.first), second: BigInt(ballot.second) })
    message = voteMessage({ choice: BigInt(ballot.winner) })
  } else {
    scope = pollScope({ chainId: poll.chainId, contract: poll.contract, pollId: poll.id })
    message = "choice" in ballot ? voteMessage({ choice: BigInt(ballot.choice), reasonHash }) : approvalMessage({ choices: ballot.choices.map(BigInt), reasonHash })
  }
  onProgress?.("proving")
  // A group of one member has depth 0, but proofs exist from depth 1 (the contract accepts any depth from 1 to 32).
  const proof = await generateSemaphoreProof({ identity, group: membership, message, scope, loadArtifacts, depth: Math.max(poll.merkleTreeDepth, 1) })
  onProgress?.("submitting")
  return submitVote(client, { pollId: poll.id, ballot, reasonHash, proof })
}

export interface SubmitVoteParameters {
  pollId: bigint | number | string
  ballot: Ballot
  reasonHash?: Hex
  proof: SemaphoreProof
}

/** Submits a ballot with a proof made elsewhere. Fails with the server's codes (`wrong_root`, `duplicate_vote`...). */
export async function submitVote(client: HumanmarkClient, parameters: SubmitVoteParameters): Promise<Vote> {
  const { vote } = await client.request<{ vote: VoteJson }>(`/v1/polls/${parsePollId(parameters.pollId)}/votes`, {
    body: {
      ballot: parameters.ballot,
      ...(parameters.reasonHash === undefined || parameters.reasonHash === zeroHash ? {} : { reasonHash: parameters.reasonHash }),
      proof: {
        merkleTreeDepth: parameters.proof.merkleTreeDepth,
        merkleTreeRoot: String(parameters.proof.merkleTreeRoot),
        nullifier: String(parameters.proof.nullifier),
        message: String(parameters.proof.message),
        scope: String(parameters.proof.scope),
        points: parameters.proof.points.map(String),
      },
    },
  })
  return parseVote(vote)
}

/** Where a ballot stands in the relayer; `vote_not_found` for a nullifier never submitted here. */
export async function getVoteStatus(client: HumanmarkClient, pollId: bigint | number | string, nullifier: bigint | string): Promise<Vote> {
  const { vote } = await client.request<{ vote: VoteJson }>(`/v1/polls/${parsePollId(pollId)}/votes/${BigInt(nullifier)}`)
  return parseVote(vote)
}

export interface WaitForVoteParameters {
  pollId: bigint | number | string
  nullifier: bigint | string
  /** Give up after this long with `vote_timeout`; default 5 minutes. */
  timeoutMs?: number
  intervalMs?: number
  onProgress?: (vote: Vote) => void
}

/**
 * Polls until the ballot is counted on chain and returns it. Throws `vote_rejected` (with the
 * contract's reason in the message) when the contract refused it, `vote_timeout` at the deadline.
 */
export async function waitForVote(client: HumanmarkClient, parameters: WaitForVoteParameters): Promise<Vote> {
  const intervalMs = parameters.intervalMs ?? 1_000
  const deadline = Date.now() + (parameters.timeoutMs ?? 300_000)
  for (;;) {
    const vote = await getVoteStatus(client, parameters.pollId, parameters.nullifier)
    parameters.onProgress?.(vote)
    if (vote.status === "included") return vote
    if (vote.status === "rejected") {
      throw new HumanmarkError("vote_rejected", `The contract refused the ballot (${vote.error?.code ?? "unknown reason"}).`, { status: 409 })
    }
    if (Date.now() + intervalMs > deadline) {
      throw new HumanmarkError("vote_timeout", `The ballot is still ${vote.status}; gave up waiting.`, { status: 504 })
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Counts per option (single, approval) or the Bradley-Terry ranking (pairwise), from the chain. */
export async function getResults(client: HumanmarkClient, pollId: bigint | number | string): Promise<PollResults> {
  const { results } = await client.request<{ results: Omit<PollResults, "pollId"> & { pollId: string } }>(`/v1/polls/${parsePollId(pollId)}/results`)
  return { ...results, pollId: BigInt(results.pollId) } as PollResults
}

/**
 * The next pair worth judging in a pairwise poll (adaptive: the contenders once everything has been
 * seen). `exclude`: pairs this voter already judged. `pair` is null when nothing is left.
 */
export async function getNextPair(
  client: HumanmarkClient,
  pollId: bigint | number | string,
  options: { exclude?: ReadonlyArray<readonly [number, number]> } = {},
): Promise<{ pair: { first: number; second: number } | null }> {
  const exclude = (options.exclude ?? []).map(([first, second]) => `${first}-${second}`).join(",")
  return client.request(`/v1/polls/${parsePollId(pollId)}/next-pair${exclude ? `?exclude=${exclude}` : ""}`)
}

/** Pairwise ballots go lower index first, as the contract's pair scope wants. */
function normalizeBallot(ballot: Ballot): Ballot {
  if ("first" in ballot && ballot.first > ballot.second) return { first: ballot.second, second: ballot.first, winner: ballot.winner }
  if ("choices" in ballot) return { choices: [...ballot.choices].sort((left, right) => left - right) }
  return ballot
}

function parsePollId(pollId: bigint | number | string): bigint {
  const text = String(pollId)
  if (!/^[0-9]{1,78}$/.test(text)) throw new HumanmarkError("invalid_poll_id", `"${text}" is not a poll id (a decimal integer).`)
  return BigInt(text)
}

type PollJson = Omit<Poll, "id" | "groupId" | "merkleTreeRoot" | "scope" | "createdBlock"> & {
  id: string
  groupId: string
  merkleTreeRoot: string
  scope: string
  createdBlock: string
}

type VoteJson = Omit<Vote, "pollId" | "nullifier" | "blockNumber"> & { pollId: string; nullifier: string; blockNumber?: string }

function parsePoll(json: PollJson): Poll {
  return {
    ...json,
    id: BigInt(json.id),
    groupId: BigInt(json.groupId),
    merkleTreeRoot: BigInt(json.merkleTreeRoot),
    scope: BigInt(json.scope),
    createdBlock: BigInt(json.createdBlock),
  }
}

function parseVote({ blockNumber, ...json }: VoteJson): Vote {
  return {
    ...json,
    pollId: BigInt(json.pollId),
    nullifier: BigInt(json.nullifier),
    ...(blockNumber === undefined ? {} : { blockNumber: BigInt(blockNumber) }),
  }
}

// GovernorPersonhood: anonymous votes on a DAO's proposals, relayed by the server (`/v1/governor`).

export type ProposalState = "pending" | "active" | "canceled" | "defeated" | "succeeded" | "queued" | "expired" | "executed"

export interface Proposal {
  governor: Address
  proposalId: bigint
  state: ProposalState
  /** Block numbers: votes count after `snapshot` up to and including `deadline`. */
  snapshot: bigint
  deadline: bigint
  /** Pinned at `propose`: only members at that moment vote. */
  merkleTreeRoot: bigint
  groupSize: number
  quorumVotes: number
  votes: { against: number; for: number; abstain: number }
  scope: bigint
  chainId: number
}

/** 0 Against, 1 For, 2 Abstain. */
export type GovernorSupport = 0 | 1 | 2

export interface GovernorVote {
  proposalId: bigint
  nullifier: bigint
  support: GovernorSupport
  status: VoteStatus
  error?: { code: string }
  txHash?: Hex
  blockNumber?: bigint
}

/** A proposal of the server's governor with its pinned group and tally; `governor_not_configured`, `proposal_not_found`. */
export async function getProposal(client: HumanmarkClient, proposalId: bigint | string): Promise<Proposal> {
  const { proposal } = await client.request<{
    proposal: Omit<Proposal, "proposalId" | "snapshot" | "deadline" | "merkleTreeRoot" | "scope"> & {
      proposalId: string
      snapshot: string
      deadline: string
      merkleTreeRoot: string
      scope: string
    }
  }>(`/v1/governor/${parsePollId(proposalId)}`)
  return {
    ...proposal,
    proposalId: BigInt(proposal.proposalId),
    snapshot: BigInt(proposal.snapshot),
    deadline: BigInt(proposal.deadline),
    merkleTreeRoot: BigInt(proposal.merkleTreeRoot),
    scope: BigInt(proposal.scope),
  }
}

export interface CastGovernorVoteParameters {
  identity: Identity
  proposalId: bigint | string
  support: GovernorSupport
  loadArtifacts: (depth: number) => Promise<SemaphoreArtifacts>
}

/**
 * Votes on a proposal without revealing who: a proof against the root the proposal pinned, with
 * `message = support`, relayed by the server. Resolves once queued; see {@link getGovernorVoteStatus}.
 * Fails with `proposal_not_active`, `not_a_member`, `duplicate_vote`...
 */
export async function castGovernorVote(client: HumanmarkClient, parameters: CastGovernorVoteParameters): Promise<GovernorVote> {
  const proposal = await getProposal(client, parameters.proposalId)
  const membership = await client.request<{ root: string; leaf: string; index: number; siblings: string[]; depth: number }>(
    `/v1/governor/${proposal.proposalId}/membership/${parameters.identity.commitment}`,
  )
  const proof = await generateSemaphoreProof({
    identity: parameters.identity,
    group: { root: BigInt(membership.root), leaf: BigInt(membership.leaf), index: membership.index, siblings: membership.siblings.map(BigInt) },
    message: proposalVoteMessage(parameters.support),
    scope: proposalScope({ chainId: proposal.chainId, governor: proposal.governor, proposalId: proposal.proposalId }),
    loadArtifacts: parameters.loadArtifacts,
  })
  const { vote } = await client.request<{ vote: GovernorVoteJson }>(`/v1/governor/${proposal.proposalId}/votes`, {
    body: { support: parameters.support, proof: { ...proof, merkleTreeRoot: String(proof.merkleTreeRoot), points: proof.points.map(String) } },
  })
  return parseGovernorVote(vote)
}

/** Where a governor ballot stands in the relayer. */
export async function getGovernorVoteStatus(client: HumanmarkClient, proposalId: bigint | string, nullifier: bigint | string): Promise<GovernorVote> {
  const { vote } = await client.request<{ vote: GovernorVoteJson }>(`/v1/governor/${parsePollId(proposalId)}/votes/${BigInt(nullifier)}`)
  return parseGovernorVote(vote)
}

type GovernorVoteJson = Omit<GovernorVote, "proposalId" | "nullifier" | "blockNumber"> & { proposalId: string; nullifier: string; blockNumber?: string }

function parseGovernorVote({ blockNumber, ...json }: GovernorVoteJson): GovernorVote {
  return {
    ...json,
    proposalId: BigInt(json.proposalId),
    nullifier: BigInt(json.nullifier),
    ...(blockNumber === undefined ? {} : { blockNumber: BigInt(blockNumber) }),
  }
}
