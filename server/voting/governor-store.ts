import type { SemaphoreProof } from "@semaphore-protocol/core"
import type Database from "better-sqlite3"
import type { Address, Hex } from "viem"
import type { VoteStatus, VoteTransaction } from "./store.ts"

/** 0 Against, 1 For, 2 Abstain (Governor Bravo order). */
export type GovernorSupport = 0 | 1 | 2

export interface NewGovernorVote {
  governor: Address
  proposalId: bigint
  nullifier: bigint
  support: GovernorSupport
  proof: SemaphoreProof
}

export interface StoredGovernorVote extends NewGovernorVote {
  id: number
  status: VoteStatus
  errorCode: string | undefined
  transaction: VoteTransaction | undefined
  blockNumber: bigint | undefined
}

/** The relayer's queue of GovernorPersonhood ballots; (governor, proposal, nullifier) is unique. */
export interface GovernorVoteStore {
  /** Undefined (nothing written) when this governor, proposal and nullifier are already there. */
  enqueue(vote: NewGovernorVote, now: Date): Promise<StoredGovernorVote | undefined>
  get(governor: Address, proposalId: bigint, nullifier: bigint): Promise<StoredGovernorVote | undefined>
  list(status: "queued" | "submitted", limit: number): Promise<StoredGovernorVote[]>
  recordSigned(id: number, transaction: VoteTransaction, now: Date): Promise<void>
  returnToQueue(id: number, now: Date): Promise<void>
  recordIncluded(id: number, included: { txHash: Hex; blockNumber: bigint }, now: Date): Promise<void>
  recordRejected(id: number, errorCode: string, now: Date): Promise<void>
}

interface Row {
  id: number
  governor: string
  proposal_id: string
  nullifier: string
  support: number
  proof: string
  status: string
  error_code: string | null
  tx_hash: string | null
  tx_nonce: number | null
  tx_raw: string | null
  block_number: string | null
}

const toVote = (row: Row): StoredGovernorVote => ({
  id: row.id,
  governor: row.governor as Address,
  proposalId: BigInt(row.proposal_id),
  nullifier: BigInt(row.nullifier),
  support: row.support as GovernorSupport,
  proof: JSON.parse(row.proof) as SemaphoreProof,
  status: row.status as VoteStatus,
  errorCode: row.error_code ?? undefined,
  transaction:
    row.tx_hash === null || row.tx_raw === null || row.tx_nonce === null ? undefined : { hash: row.tx_hash as Hex, nonce: row.tx_nonce, raw: row.tx_raw as Hex },
  blockNumber: row.block_number === null ? undefined : BigInt(row.block_number),
})

export function createSqliteGovernorVoteStore(db: Database.Database): GovernorVoteStore {
  const insert = db.prepare(
    `INSERT INTO governor_votes (governor, proposal_id, nullifier, support, proof, status, created_at, updated_at)
     VALUES (@governor, @proposalId, @nullifier, @support, @proof, 'queued', @now, @now)
     ON CONFLICT (governor, proposal_id, nullifier) DO NOTHING`,
  )
  const selectById = db.prepare<[number], Row>("SELECT * FROM governor_votes WHERE id = ?")
  const select = db.prepare<[string, string, string], Row>("SELECT * FROM governor_votes WHERE governor = ? AND proposal_id = ? AND nullifier = ?")
  const selectByStatus = db.prepare<[string, number], Row>("SELECT * FROM governor_votes WHERE status = ? ORDER BY id LIMIT ?")
  const updateSigned = db.prepare("UPDATE governor_votes SET status = 'submitted', tx_hash = @hash, tx_nonce = @nonce, tx_raw = @raw, updated_at = @now WHERE id = @id")
  const updateQueued = db.prepare(
    "UPDATE governor_votes SET status = 'queued', tx_hash = NULL, tx_nonce = NULL, tx_raw = NULL, updated_at = ? WHERE id = ? AND status = 'submitted'",
  )
  const updateIncluded = db.prepare(
    "UPDATE governor_votes SET status = 'included', tx_hash = @txHash, block_number = @blockNumber, error_code = NULL, updated_at = @now WHERE id = @id",
  )
  const updateRejected = db.prepare("UPDATE governor_votes SET status = 'rejected', error_code = @errorCode, updated_at = @now WHERE id = @id")
  return {
    async enqueue(vote, now) {
      const result = insert.run({
        governor: vote.governor.toLowerCase(),
        proposalId: vote.proposalId.toString(),
        nullifier: vote.nullifier.toString(),
        support: vote.support,
        proof: JSON.stringify(vote.proof),
        now: now.toISOString(),
      })
      if (result.changes === 0) return undefined
      return toVote(selectById.get(Number(result.lastInsertRowid))!)
    },
    async get(governor, proposalId, nullifier) {
      const row = select.get(governor.toLowerCase(), proposalId.toString(), nullifier.toString())
      return row && toVote(row)
    },
    async list(status, limit) {
      return selectByStatus.all(status, limit).map(toVote)
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
  }
}
