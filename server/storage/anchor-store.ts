import type { Hex } from "viem"

/**
 * pending: built (root and leaf order fixed) but no transaction is out; also where a reorg returns a batch.
 * submitted: a signed transaction is recorded and was sent. anchored: in a block. final: enough blocks on top.
 */
export type AnchorBatchStatus = "pending" | "submitted" | "anchored" | "final"

export interface NewAnchorDigest {
  /** Lowercase 0x-prefixed SHA-256. */
  digest: Hex
  /** Verified human attestation, kept as given (JSON). */
  humanAttestation?: Record<string, unknown> | undefined
  /** C2PA summary reported by the submitter, not verified (JSON). */
  c2pa?: Record<string, unknown> | undefined
}

export interface StoredAnchorDigest {
  digest: Hex
  /** ISO time of the first submission. */
  submittedAt: string
  humanAttestation: Record<string, unknown> | undefined
  c2pa: Record<string, unknown> | undefined
  /** Set once the digest is in a batch; a batch never changes its digests or their order. */
  batchId: number | undefined
  leafIndex: number | undefined
}

export interface AnchorTransaction {
  hash: Hex
  nonce: number
  /** The signed transaction, kept so that a restart can broadcast exactly the same one again. */
  raw: Hex
}

export interface AnchorBlock {
  number: bigint
  hash: Hex
  logIndex: number
  /** ISO time of the block's timestamp. */
  anchoredAt: string
}

export interface AnchorBatch {
  id: number
  root: Hex
  leafCount: number
  status: AnchorBatchStatus
  createdAt: string
  /** Present from "submitted" on. */
  transaction: AnchorTransaction | undefined
  /** Present from "anchored" on. */
  block: AnchorBlock | undefined
  /** Transactions signed for this batch so far. */
  attempts: number
  lastError: string | undefined
}

/**
 * Durable state of content anchoring. Every method has returned only after its write is durable, so a
 * digest acknowledged after `addDigests` survives a crash. Asynchronous so that PostgreSQL fits behind it.
 */
export interface AnchorStore {
  /**
   * Stores digests not seen before and returns the stored row of each input, in input order. A digest
   * already stored keeps its first row (submission time, attestation), so resubmitting is idempotent.
   */
  addDigests(digests: readonly NewAnchorDigest[], submittedAt: string): Promise<StoredAnchorDigest[]>
  getDigest(digest: Hex): Promise<StoredAnchorDigest | undefined>
  /** Digests not in a batch yet, oldest first. */
  listUnbatched(limit: number): Promise<{ digests: Hex[]; oldestSubmittedAt: string | undefined }>
  countUnbatched(): Promise<number>
  /**
   * Records a pending batch of `digests` (leaf i = digests[i]) with its Merkle `root`, in one transaction.
   * Throws if any digest is already in a batch: one digest, one batch, ever.
   */
  createBatch(parameters: { root: Hex; digests: readonly Hex[]; createdAt: string }): Promise<AnchorBatch>
  getBatch(id: number): Promise<AnchorBatch | undefined>
  /** The batch's digests in leaf order. */
  getBatchDigests(id: number): Promise<Hex[]>
  /** Batches in the given states, oldest first (or the newest `limit` ones, newest first). */
  listBatches(statuses: readonly AnchorBatchStatus[], options?: { newestFirst?: boolean; limit?: number }): Promise<AnchorBatch[]>
  /** pending -> submitted, before the transaction is broadcast. */
  recordTransaction(id: number, transaction: AnchorTransaction): Promise<void>
  /** submitted -> anchored (or, after a re-inclusion elsewhere, new block data for an anchored batch). */
  recordAnchored(id: number, block: AnchorBlock): Promise<void>
  markFinal(id: number): Promise<void>
  /** Any state -> pending: the transaction and block are forgotten (reorg, dropped or failed transaction). */
  returnToPending(id: number, reason: string): Promise<void>
  recordError(id: number, message: string): Promise<void>
}
