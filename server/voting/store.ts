import type { SemaphoreProof } from "@semaphore-protocol/core"
import type Database from "better-sqlite3"
import type { Hex } from "viem"
import { createSqliteGovernorVoteStore, type GovernorVoteStore } from "./governor-store.ts"

export type PollKind = "single" | "approval" | "pairwise"

/** One art candidate: what is judged is the content behind `contentHash` (SHA-256), shown from `uri`. */
export interface PollCandidate {
  contentHash: Hex
  uri: string
  title: string
}

/** A ballot as the contract takes it. Indexes are option (or candidate) positions. */
export type Ballot = { choice: number } | { choices: number[] } | { first: number; second: number; winner: number }

export interface StoredPoll {
  id: bigint
  title: string
  kind: PollKind
  /** Option labels; empty for a candidate (art) poll. */
  options: string[]
  /** Candidates; empty for a poll with plain options. */
  candidates: PollCandidate[]
  candidatesRoot: Hex
  /** Enrollment level whose group votes ("person" or "device"). */
  level: string
  groupId: bigint
  /** Pinned by the contract when the poll was created: only members at that moment vote. */
  merkleTreeRoot: bigint
  merkleTreeSize: number
  merkleTreeDepth: number
  /** Unix seconds (chain time), inclusive. */
  startsAt: number
  /** Unix seconds (chain time), exclusive. */
  endsAt: number
  createdBlock: bigint
  metadataHash: Hex
  txHash: Hex
  createdAt: Date
}

/**
 * queued: verified off chain and stored, not sent yet. submitted: a signed transaction is recorded
 * (and was, or is about to be, broadcast). included: counted on chain. rejected: the contract refused it.
 */
export type VoteStatus = "queued" | "submitted" | "included" | "rejected"

export interface VoteTransaction {
  hash: Hex
  nonce: number
  raw: Hex
}

export interface NewVote {
  pollId: bigint
  scope: bigint
  nullifier: bigint
  ballot: Ballot
  reasonHash: Hex
  proof: SemaphoreProof
}

export interface StoredVote extends NewVote {
  id: number
  status: VoteStatus
  /** For rejected votes: the contract's custom error name (e.g. `NullifierAlreadyUsed`). */
  errorCode: string | undefined
  transaction: VoteTransaction | undefined
  blockNumber: bigint | undefined
  createdAt: Date
  updatedAt: Date
}

export type VoteCounts = Record<VoteStatus, number>

/**
 * Durable state of polls and of the relayer's queue. Asynchronous so that a PostgreSQL implementation
 * fits behind it. The unique key (poll, scope, nullifier) is what makes a duplicate impossible in the
 * queue even when concurrent requests both pass the API's checks.
 */
export interface VotingStore {
  savePoll(poll: StoredPoll): Promise<void>
  getPoll(id: bigint): Promise<StoredPoll | undefined>
  /** Newest first. */
  listPolls(options?: { limit?: number; offset?: number }): Promise<StoredPoll[]>

  /** Stores a queued vote; undefined (nothing written) when this poll, scope and nullifier are already there. */
  enqueueVote(vote: NewVote, now: Date): Promise<StoredVote | undefined>
  /** The vote with this nullifier in this poll (nullifiers differ per scope, so there is at most one). */
  getVote(pollId: bigint, nullifier: bigint): Promise<StoredVote | undefined>
  /** Oldest first. */
  listVotes(status: "queued" | "submitted", limit: number): Promise<StoredVote[]>
  countVotes(pollId: bigint): Promise<VoteCounts>
  /** queued -> submitted, with the signed transaction, before it is broadcast. */
  recordSigned(id: number, transaction: VoteTransaction, now: Date): Promise<void>
  /** submitted -> queued: its transaction will never land (its nonce went to another one). */
  returnToQueue(id: number, now: Date): Promise<void>
  recordIncluded(id: number, included: { txHash: Hex; blockNumber: bigint }, now: Date): Promise<void>
  recordRejected(id: number, errorCode: string, now: Date): Promise<void>
  /** Ballots for the GovernorPersonhood, relayed by the same worker. */
  governor: GovernorVoteStore
}

interface PollRow {
  id: string
  title: string
  kind: string
  options: string
  candidates: string
  candidates_root: string
  level: string
  group_id: string
  merkle_tree_root: string
  merkle_tree_size: number
  merkle_tree_depth: number
  starts_at: number
  ends_at: number
  created_block: string
  metadata_hash: string
  tx_hash: string
  created_at: string
}

interface VoteRow {
  id: number
  poll_id: string
  scope: string
  nullifier: string
  ballot: string
  reason_hash: string
  proof: string
  status: string
  error_code: string | null
  tx_hash: string | null
  tx_nonce: number | null
  tx_raw: string | null
  block_number: string | null
  created_at: string
  updated_at: string
}

const toPoll = (row: PollRow): StoredPoll => ({
  id: BigInt(row.id),
  title: row.title,
  kind: row.kind as PollKind,
  options: JSON.parse(row.options) as string[],
  candidates: JSON.parse(row.candidates) as PollCandidate[],
  candidatesRoot: row.candidates_root as Hex,
  level: row.level,
  groupId: BigInt(row.group_id),
  merkleTreeRoot: BigInt(row.merkle_tree_root),
  merkleTreeSize: row.merkle_tree_size,
  merkleTreeDepth: row.merkle_tree_depth,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  createdBlock: BigInt(row.created_block),
  metadataHash: row.metadata_hash as Hex,
  txHash: row.tx_hash as Hex,
  createdAt: new Date(row.created_at),
})

const toVote = (row: VoteRow): StoredVote => ({
  id: row.id,
  pollId: BigInt(row.poll_id),
  scope: BigInt(row.scope),
  nullifier: BigInt(row.nullifier),
  ballot: JSON.parse(row.ballot) as Ballot,
  reasonHash: row.reason_hash as Hex,
  proof: JSON.parse(row.proof) as SemaphoreProof,
  status: row.status as VoteStatus,
  errorCode: row.error_code ?? undefined,
  transaction:
    row.tx_hash === null || row.tx_raw === null || row.tx_nonce === null ? undefined : { hash: row.tx_hash as Hex, nonce: row.tx_nonce, raw: row.tx_raw as Hex },
  blockNumber: row.block_number === null ? undefined : BigInt(row.block_number),
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
})

/** The voting store over a better-sqlite3 handle on which the voting migration has run. */
export function createSqliteVotingStore(db: Database.Database): VotingStore {
  const insertPoll = db.prepare(
    `INSERT INTO polls (id, title, kind, options, candidates, candidates_root, level, group_id, merkle_tree_root, merkle_tree_size,
       merkle_tree_depth, starts_at, ends_at, created_block, metadata_hash, tx_hash, created_at)
     VALUES (@id, @title, @kind, @options, @candidates, @candidatesRoot, @level, @groupId, @merkleTreeRoot, @merkleTreeSize,
       @merkleTreeDepth, @startsAt, @endsAt, @createdBlock, @metadataHash, @txHash, @createdAt)`,
  )
  const selectPoll = db.prepare<[string], PollRow>("SELECT * FROM polls WHERE id = ?")
  // Ids are decimal text: order by length first so that 10 comes after 9.
  const selectPolls = db.prepare<[number, number], PollRow>("SELECT * FROM polls ORDER BY length(id) DESC, id DESC LIMIT ? OFFSET ?")
  const insertVote = db.prepare(
    `INSERT INTO poll_votes (poll_id, scope, nullifier, ballot, reason_hash, proof, status, created_at, updated_at)
     VALUES (@pollId, @scope, @nullifier, @ballot, @reasonHash, @proof, 'queued', @now, @now)
     ON CONFLICT (poll_id, scope, nullifier) DO NOTHING`,
  )
  const selectVoteById = db.prepare<[number], VoteRow>("SELECT * FROM poll_votes WHERE id = ?")
  const selectVote = db.prepare<[string, string], VoteRow>("SELECT * FROM poll_votes WHERE poll_id = ? AND nullifier = ?")
  const selectByStatus = db.prepare<[string, number], VoteRow>("SELECT * FROM poll_votes WHERE status = ? ORDER BY id LIMIT ?")
  const selectCounts = db.prepare<[string], { status: string; count: number }>("SELECT status, COUNT(*) AS count FROM poll_votes WHERE poll_id = ? GROUP BY status")
  const updateSigned = db.prepare(
    "UPDATE poll_votes SET status = 'submitted', tx_hash = @hash, tx_nonce = @nonce, tx_raw = @raw, updated_at = @now WHERE id = @id",
  )
  const updateQueued = db.prepare(
    "UPDATE poll_votes SET status = 'queued', tx_hash = NULL, tx_nonce = NULL, tx_raw = NULL, updated_at = ? WHERE id = ? AND status = 'submitted'",
  )
  const updateIncluded = db.prepare(
    "UPDATE poll_votes SET status = 'included', tx_hash = @txHash, block_number = @blockNumber, error_code = NULL, updated_at = @now WHERE id = @id",
  )
  const updateRejected = db.prepare("UPDATE poll_votes SET status = 'rejected', error_code = @errorCode, updated_at = @now WHERE id = @id")

  return {
    async savePoll(poll) {
      insertPoll.run({
        id: poll.id.toString(),
        title: poll.title,
        kind: poll.kind,
        options: JSON.stringify(poll.options),
        candidates: JSON.stringify(poll.candidates),
        candidatesRoot: poll.candidatesRoot,
        level: poll.level,
        groupId: poll.groupId.toString(),
        merkleTreeRoot: poll.merkleTreeRoot.toString(),
        merkleTreeSize: poll.merkleTreeSize,
        merkleTreeDepth: poll.merkleTreeDepth,
        startsAt: poll.startsAt,
        endsAt: poll.endsAt,
        createdBlock: poll.createdBlock.toString(),
        metadataHash: poll.metadataHash,
        txHash: poll.txHash,
        createdAt: poll.createdAt.toISOString(),
      })
    },
    async getPoll(id) {
      const row = selectPoll.get(id.toString())
      return row && toPoll(row)
    },
    async listPolls({ limit = 100, offset = 0 } = {}) {
      return selectPolls.all(limit, offset).map(toPoll)
    },
    async enqueueVote(vote, now) {
      const result = insertVote.run({
        pollId: vote.pollId.toString(),
        scope: vote.scope.toString(),
        nullifier: vote.nullifier.toString(),
        ballot: JSON.stringify(vote.ballot),
        reasonHash: vote.reasonHash,
        proof: JSON.stringify(vote.proof),
        now: now.toISOString(),
      })
      if (result.changes === 0) return undefined
      return toVote(selectVoteById.get(Number(result.lastInsertRowid))!)
    },
    async getVote(pollId, nullifier) {
      const row = selectVote.get(pollId.toString(), nullifier.toString())
      return row && toVote(row)
    },
    async listVotes(status, limit) {
      return selectByStatus.all(status, limit).map(toVote)
    },
    async countVotes(pollId) {
      const counts: VoteCounts = { queued: 0, submitted: 0, included: 0, rejected: 0 }
      for (const row of selectCounts.all(pollId.toString())) counts[row.status as VoteStatus] = row.count
      return counts
    },
    async recordSigned(id, transaction, now) {
      updateSigned.run({ id, hash: transaction.hash, nonce: transaction.nonce, raw: transaction.raw, now: now.toISOString() })
    },
    async returnToQueue(id, now) {
      updateQueued.run(now.toISOString(), id)
    },
    async recordIncluded(id, { txHash, blockNumber }, now) {
      updateIncluded.run({ id, txHash, blockNumber: blockNumber.toString(), now: now.toISOString() })
    },
    async recordRejected(id, errorCode, now) {
      updateRejected.run({ id, errorCode, now: now.toISOString() })
    },
    governor: createSqliteGovernorVoteStore(db),
  }
}
