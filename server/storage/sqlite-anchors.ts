import type Database from "better-sqlite3"
import type { Hex } from "viem"
import type { AnchorBatch, AnchorBatchStatus, AnchorStore, StoredAnchorDigest } from "./anchor-store.ts"

interface DigestRow {
  digest: string
  submitted_at: string
  human_attestation: string | null
  c2pa: string | null
  batch_id: number | null
  leaf_index: number | null
}

interface BatchRow {
  id: number
  root: string
  leaf_count: number
  status: AnchorBatchStatus
  created_at: string
  tx_hash: string | null
  tx_nonce: number | null
  tx_raw: string | null
  block_number: string | null
  block_hash: string | null
  log_index: number | null
  anchored_at: string | null
  attempts: number
  last_error: string | null
}

/** The anchor tables of an open SQLite database (migration 2). Writes are durable on return (WAL, synchronous=FULL). */
export function createSqliteAnchorStore(db: Database.Database): AnchorStore {
  const insertDigest = db.prepare(
    `INSERT INTO anchor_digests (digest, submitted_at, human_attestation, c2pa) VALUES (?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING`,
  )
  const selectDigest = db.prepare<[string], DigestRow>("SELECT * FROM anchor_digests WHERE digest = ?")
  const selectUnbatched = db.prepare<[number], { digest: string; submitted_at: string }>(
    "SELECT digest, submitted_at FROM anchor_digests WHERE batch_id IS NULL ORDER BY id LIMIT ?",
  )
  const countUnbatched = db.prepare<[], { count: number }>("SELECT COUNT(*) AS count FROM anchor_digests WHERE batch_id IS NULL")
  const insertBatch = db.prepare(
    "INSERT INTO anchor_batches (root, leaf_count, status, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?)",
  )
  const assignDigest = db.prepare("UPDATE anchor_digests SET batch_id = ?, leaf_index = ? WHERE digest = ? AND batch_id IS NULL")
  const selectBatch = db.prepare<[number], BatchRow>("SELECT * FROM anchor_batches WHERE id = ?")
  const selectBatchDigests = db.prepare<[number], { digest: string }>("SELECT digest FROM anchor_digests WHERE batch_id = ? ORDER BY leaf_index")
  const updateTransaction = db.prepare(
    `UPDATE anchor_batches SET status = 'submitted', tx_hash = ?, tx_nonce = ?, tx_raw = ?, attempts = attempts + 1,
       block_number = NULL, block_hash = NULL, log_index = NULL, anchored_at = NULL, updated_at = ? WHERE id = ?`,
  )
  const updateAnchored = db.prepare(
    `UPDATE anchor_batches SET status = 'anchored', block_number = ?, block_hash = ?, log_index = ?, anchored_at = ?,
       last_error = NULL, updated_at = ? WHERE id = ?`,
  )
  const updateFinal = db.prepare("UPDATE anchor_batches SET status = 'final', updated_at = ? WHERE id = ?")
  const updatePending = db.prepare(
    `UPDATE anchor_batches SET status = 'pending', tx_hash = NULL, tx_nonce = NULL, tx_raw = NULL, block_number = NULL,
       block_hash = NULL, log_index = NULL, anchored_at = NULL, last_error = ?, updated_at = ? WHERE id = ?`,
  )
  const updateError = db.prepare("UPDATE anchor_batches SET last_error = ?, updated_at = ? WHERE id = ?")

  const addDigests = db.transaction((digests: Parameters<AnchorStore["addDigests"]>[0], submittedAt: string) => {
    return digests.map(({ digest, humanAttestation, c2pa }) => {
      insertDigest.run(digest, submittedAt, json(humanAttestation), json(c2pa))
      return toDigest(selectDigest.get(digest)!)
    })
  })

  const createBatch = db.transaction(({ root, digests, createdAt }: Parameters<AnchorStore["createBatch"]>[0]) => {
    const id = Number(insertBatch.run(root, digests.length, createdAt, createdAt).lastInsertRowid)
    digests.forEach((digest, leafIndex) => {
      if (assignDigest.run(id, leafIndex, digest).changes !== 1) throw new Error(`Digest ${digest} is unknown or already in a batch.`)
    })
    return toBatch(selectBatch.get(id)!)
  })

  const now = () => new Date().toISOString()

  return {
    async addDigests(digests, submittedAt) {
      return addDigests(digests, submittedAt)
    },
    async getDigest(digest) {
      const row = selectDigest.get(digest)
      return row && toDigest(row)
    },
    async listUnbatched(limit) {
      const rows = selectUnbatched.all(limit)
      return { digests: rows.map((row) => row.digest as Hex), oldestSubmittedAt: rows[0]?.submitted_at }
    },
    async countUnbatched() {
      return countUnbatched.get()!.count
    },
    async createBatch(parameters) {
      return createBatch(parameters)
    },
    async getBatch(id) {
      const row = selectBatch.get(id)
      return row && toBatch(row)
    },
    async getBatchDigests(id) {
      return selectBatchDigests.all(id).map((row) => row.digest as Hex)
    },
    async listBatches(statuses, { newestFirst = false, limit = -1 } = {}) {
      if (statuses.length === 0) return []
      const placeholders = statuses.map(() => "?").join(", ")
      const rows = db
        .prepare<unknown[], BatchRow>(`SELECT * FROM anchor_batches WHERE status IN (${placeholders}) ORDER BY id ${newestFirst ? "DESC" : "ASC"} LIMIT ?`)
        .all(...statuses, limit)
      return rows.map(toBatch)
    },
    async recordTransaction(id, { hash, nonce, raw }) {
      updateTransaction.run(hash, nonce, raw, now(), id)
    },
    async recordAnchored(id, block) {
      updateAnchored.run(block.number.toString(), block.hash, block.logIndex, block.anchoredAt, now(), id)
    },
    async markFinal(id) {
      updateFinal.run(now(), id)
    },
    async returnToPending(id, reason) {
      updatePending.run(reason, now(), id)
    },
    async recordError(id, message) {
      updateError.run(message, now(), id)
    },
  }
}

function json(value: Record<string, unknown> | undefined): string | null {
  return value === undefined ? null : JSON.stringify(value)
}

function toDigest(row: DigestRow): StoredAnchorDigest {
  return {
    digest: row.digest as Hex,
    submittedAt: row.submitted_at,
    humanAttestation: row.human_attestation === null ? undefined : (JSON.parse(row.human_attestation) as Record<string, unknown>),
    c2pa: row.c2pa === null ? undefined : (JSON.parse(row.c2pa) as Record<string, unknown>),
    batchId: row.batch_id ?? undefined,
    leafIndex: row.leaf_index ?? undefined,
  }
}

function toBatch(row: BatchRow): AnchorBatch {
  return {
    id: row.id,
    root: row.root as Hex,
    leafCount: row.leaf_count,
    status: row.status,
    createdAt: row.created_at,
    transaction:
      row.tx_hash === null ? undefined : { hash: row.tx_hash as Hex, nonce: row.tx_nonce!, raw: row.tx_raw as Hex },
    block:
      row.block_hash === null
        ? undefined
        : { number: BigInt(row.block_number!), hash: row.block_hash as Hex, logIndex: row.log_index!, anchoredAt: row.anchored_at! },
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
  }
}
