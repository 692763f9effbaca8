import type Database from "better-sqlite3"
import type { Hex } from "viem"
import type { AttestationLevel } from "./attestation/types.ts"
import { enrollmentMigration } from "./migration.ts"

export type EnrollmentStatus = "pending" | "in_group" | "replaced" | "revoked"
export type GroupOperationKind = "add" | "update" | "remove"

export interface Challenge {
  nonce: string
  commitment: bigint
  createdAt: Date
  expiresAt: Date
  usedAt: Date | undefined
}

export interface Enrollment {
  commitment: bigint
  level: AttestationLevel
  issuer: string
  uniquenessHmac: string
  status: EnrollmentStatus
  /** Recovery: the person's earlier commitment this one takes the place of in the group. */
  replacesCommitment: bigint | undefined
  expiresAt: Date
  groupId: bigint | undefined
  leafIndex: number | undefined
  /** The transaction that put this commitment in the group. */
  txHash: Hex | undefined
  /** The group root right after that transaction. */
  root: bigint | undefined
  /** The worker's transaction in flight for this enrollment, if any. */
  transactionId: number | undefined
  /** For revoked members: the removeMember transaction, once included. */
  removedTxHash: Hex | undefined
  createdAt: Date
  updatedAt: Date
}

export interface NewEnrollment {
  commitment: bigint
  level: AttestationLevel
  issuer: string
  uniquenessHmac: string
  replacesCommitment: bigint | undefined
  expiresAt: Date
}

/** What `decide` sees inside the enrollment transaction, read under the same lock it writes with. */
export interface EnrollmentDecisionState {
  challenge: Challenge | undefined
  /** The enrollment already holding this commitment, in any status. */
  existingCommitment: Enrollment | undefined
  /** The same person's (level + uniqueness HMAC) enrollments that are pending, in the group or revoked, oldest first. */
  samePerson: Enrollment[]
}

export interface EnrollmentPlan {
  insert: NewEnrollment
  /** Earlier commitments that never reached the chain and are superseded at once. */
  replaceWithoutChain: bigint[]
}

export interface RecordEnrollmentParameters {
  nonce: string
  now: Date
  commitment: bigint
  level: AttestationLevel
  uniquenessHmac: string
  /** Pure rules (from the service): returns what to write, or throws a typed error to write nothing. */
  decide: (state: EnrollmentDecisionState) => EnrollmentPlan
}

export interface EnrollmentGroup {
  level: AttestationLevel
  status: "creating" | "created"
  groupId: bigint | undefined
  createdBlock: bigint | undefined
  txHash: Hex
  txRaw: Hex
}

export interface GroupTransaction {
  id: number
  level: AttestationLevel
  kind: GroupOperationKind
  status: "submitted" | "included" | "failed"
  commitments: bigint[]
  txHash: Hex
  txNonce: number
  txRaw: Hex
}

/** Where one commitment stands on chain after an included transaction. */
export type MemberChainUpdate =
  | { kind: "added"; commitment: bigint; groupId: bigint; leafIndex: number; root: bigint; txHash: Hex }
  /** `commitment` took the leaf of `replacedCommitment`. */
  | { kind: "updated"; commitment: bigint; replacedCommitment: bigint; groupId: bigint; leafIndex: number; root: bigint; txHash: Hex }
  | { kind: "removed"; commitment: bigint; txHash: Hex }

/**
 * Durable state of enrollment: challenges, enrollments, the per-level groups and the worker's
 * transactions. Asynchronous so that a PostgreSQL implementation fits behind it; that one must run
 * `recordEnrollment` in a SERIALIZABLE transaction (or lock the person's rows) to keep
 * "one active commitment per person" under concurrent servers.
 */
export interface EnrollmentStore {
  saveChallenge(challenge: Omit<Challenge, "usedAt">): Promise<void>
  getChallenge(nonce: string): Promise<Challenge | undefined>
  /** Marks the nonce used and writes the planned enrollment in one transaction; writes nothing if `decide` throws. */
  recordEnrollment(parameters: RecordEnrollmentParameters): Promise<Enrollment>
  getEnrollment(commitment: bigint): Promise<Enrollment | undefined>
  /** Revokes the person behind `commitment` at its level (every pending or in-group commitment); returns the commitments revoked. */
  revokePerson(commitment: bigint, now: Date): Promise<bigint[]>
  /** Revokes every pending or in-group enrollment vouched for by `issuer`, and refuses it from now on. */
  revokeIssuer(issuer: string, now: Date): Promise<bigint[]>
  isIssuerRevoked(issuer: string): Promise<boolean>

  getGroup(level: AttestationLevel): Promise<EnrollmentGroup | undefined>
  listGroups(): Promise<EnrollmentGroup[]>
  recordGroupCreating(level: AttestationLevel, transaction: { txHash: Hex; txRaw: Hex }, now: Date): Promise<void>
  recordGroupCreated(level: AttestationLevel, created: { groupId: bigint; createdBlock: bigint }, now: Date): Promise<void>
  /** Forgets a createGroup transaction that will never land, so a new one is signed. */
  forgetGroupCreation(level: AttestationLevel): Promise<void>

  /** Pending commitments ready to be added (no predecessor on chain), in enrollment order. */
  listAdditions(level: AttestationLevel, limit: number): Promise<Enrollment[]>
  /** Pending recoveries whose predecessor is in the group, in enrollment order. */
  listReplacements(level: AttestationLevel, limit: number): Promise<Enrollment[]>
  /** Revoked commitments still in the on-chain group. */
  listRemovals(level: AttestationLevel, limit: number): Promise<Enrollment[]>
  /** Every enrollment of the level whose commitment is (or is being put) on chain, for reconciliation. */
  listOnChainCandidates(level: AttestationLevel): Promise<Enrollment[]>

  recordSubmitted(
    transaction: Omit<GroupTransaction, "id" | "status">,
    now: Date,
  ): Promise<GroupTransaction>
  listSubmitted(level: AttestationLevel): Promise<GroupTransaction[]>
  /** Applies what the chain says (from the transaction's events, or from reconciliation when `transactionId` is undefined). */
  recordIncluded(transactionId: number | undefined, updates: MemberChainUpdate[], now: Date): Promise<void>
  /** The transaction will never land: its enrollments go back to the queue. */
  recordFailed(transactionId: number, reason: string, now: Date): Promise<void>
}

/** Applies the enrollment migration to a better-sqlite3 handle (once) and builds the store on it. */
export function openEnrollmentStore(db: Database.Database): EnrollmentStore {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
  const applied = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?").get(enrollmentMigration.version)
  if (!applied) {
    db.transaction(() => {
      db.exec(enrollmentMigration.sql)
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        enrollmentMigration.version,
        enrollmentMigration.name,
        new Date().toISOString(),
      )
    })()
  }
  return createSqliteEnrollmentStore(db)
}

interface ChallengeRow {
  nonce: string
  commitment: string
  created_at: string
  expires_at: string
  used_at: string | null
}

interface EnrollmentRow {
  commitment: string
  level: string
  issuer: string
  uniqueness_hmac: string
  status: string
  replaces_commitment: string | null
  expires_at: string
  group_id: string | null
  leaf_index: number | null
  tx_hash: string | null
  root: string | null
  transaction_id: number | null
  removed_tx_hash: string | null
  created_at: string
  updated_at: string
}

interface GroupRow {
  level: string
  status: string
  group_id: string | null
  created_block: string | null
  tx_hash: string
  tx_raw: string
}

interface TransactionRow {
  id: number
  level: string
  kind: string
  status: string
  commitments: string
  tx_hash: string
  tx_nonce: number
  tx_raw: string
}

const toChallenge = (row: ChallengeRow): Challenge => ({
  nonce: row.nonce,
  commitment: BigInt(row.commitment),
  createdAt: new Date(row.created_at),
  expiresAt: new Date(row.expires_at),
  usedAt: row.used_at === null ? undefined : new Date(row.used_at),
})

const toEnrollment = (row: EnrollmentRow): Enrollment => ({
  commitment: BigInt(row.commitment),
  level: row.level as AttestationLevel,
  issuer: row.issuer,
  uniquenessHmac: row.uniqueness_hmac,
  status: row.status as EnrollmentStatus,
  replacesCommitment: row.replaces_commitment === null ? undefined : BigInt(row.replaces_commitment),
  expiresAt: new Date(row.expires_at),
  groupId: row.group_id === null ? undefined : BigInt(row.group_id),
  leafIndex: row.leaf_index ?? undefined,
  txHash: (row.tx_hash ?? undefined) as Hex | undefined,
  root: row.root === null ? undefined : BigInt(row.root),
  transactionId: row.transaction_id ?? undefined,
  removedTxHash: (row.removed_tx_hash ?? undefined) as Hex | undefined,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
})

const toGroup = (row: GroupRow): EnrollmentGroup => ({
  level: row.level as AttestationLevel,
  status: row.status as EnrollmentGroup["status"],
  groupId: row.group_id === null ? undefined : BigInt(row.group_id),
  createdBlock: row.created_block === null ? undefined : BigInt(row.created_block),
  txHash: row.tx_hash as Hex,
  txRaw: row.tx_raw as Hex,
})

const toTransaction = (row: TransactionRow): GroupTransaction => ({
  id: row.id,
  level: row.level as AttestationLevel,
  kind: row.kind as GroupOperationKind,
  status: row.status as GroupTransaction["status"],
  commitments: (JSON.parse(row.commitments) as string[]).map((value) => BigInt(value)),
  txHash: row.tx_hash as Hex,
  txNonce: row.tx_nonce,
  txRaw: row.tx_raw as Hex,
})

function createSqliteEnrollmentStore(db: Database.Database): EnrollmentStore {
  const selectChallenge = db.prepare<[string], ChallengeRow>("SELECT * FROM enrollment_challenges WHERE nonce = ?")
  const selectEnrollment = db.prepare<[string], EnrollmentRow>("SELECT * FROM enrollments WHERE commitment = ?")
  const selectSamePerson = db.prepare<[string, string], EnrollmentRow>(
    `SELECT * FROM enrollments WHERE level = ? AND uniqueness_hmac = ? AND status IN ('pending', 'in_group', 'revoked') ORDER BY id`,
  )
  const markChallengeUsed = db.prepare("UPDATE enrollment_challenges SET used_at = ? WHERE nonce = ? AND used_at IS NULL")
  const insertEnrollment = db.prepare(
    `INSERT INTO enrollments (commitment, level, issuer, uniqueness_hmac, status, replaces_commitment, expires_at, created_at, updated_at)
     VALUES (@commitment, @level, @issuer, @uniquenessHmac, 'pending', @replacesCommitment, @expiresAt, @now, @now)`,
  )
  const markReplaced = db.prepare(
    "UPDATE enrollments SET status = 'replaced', updated_at = ? WHERE commitment = ? AND status = 'pending' AND transaction_id IS NULL AND leaf_index IS NULL",
  )
  const revokeRow = db.prepare(
    "UPDATE enrollments SET status = 'revoked', updated_at = ? WHERE commitment = ? AND status IN ('pending', 'in_group')",
  )
  const selectTransaction = db.prepare<[number], TransactionRow>("SELECT * FROM enrollment_transactions WHERE id = ?")
  const now = (date: Date) => date.toISOString()

  const recordEnrollment = db.transaction((parameters: RecordEnrollmentParameters): Enrollment => {
    const challengeRow = selectChallenge.get(parameters.nonce)
    const existingRow = selectEnrollment.get(parameters.commitment.toString())
    const finalPlan = parameters.decide({
      challenge: challengeRow ? toChallenge(challengeRow) : undefined,
      existingCommitment: existingRow ? toEnrollment(existingRow) : undefined,
      samePerson: selectSamePerson.all(parameters.level, parameters.uniquenessHmac).map(toEnrollment),
    })
    const at = now(parameters.now)
    if (markChallengeUsed.run(at, parameters.nonce).changes !== 1) throw new Error("The challenge was consumed during the enrollment transaction.")
    for (const commitment of finalPlan.replaceWithoutChain) markReplaced.run(at, commitment.toString())
    insertEnrollment.run({
      commitment: finalPlan.insert.commitment.toString(),
      level: finalPlan.insert.level,
      issuer: finalPlan.insert.issuer,
      uniquenessHmac: finalPlan.insert.uniquenessHmac,
      replacesCommitment: finalPlan.insert.replacesCommitment?.toString() ?? null,
      expiresAt: finalPlan.insert.expiresAt.toISOString(),
      now: at,
    })
    return toEnrollment(selectEnrollment.get(finalPlan.insert.commitment.toString())!)
  })

  const revokeCommitments = db.transaction((commitments: string[], at: string): bigint[] => {
    const revoked: bigint[] = []
    for (const commitment of commitments) if (revokeRow.run(at, commitment).changes === 1) revoked.push(BigInt(commitment))
    return revoked
  })

  const revokeIssuer = db.transaction((issuer: string, at: string): bigint[] => {
    db.prepare("INSERT OR IGNORE INTO enrollment_revoked_issuers (issuer, revoked_at) VALUES (?, ?)").run(issuer, at)
    const rows = db
      .prepare<[string], { commitment: string }>("SELECT commitment FROM enrollments WHERE issuer = ? AND status IN ('pending', 'in_group')")
      .all(issuer)
    return revokeCommitments(
      rows.map((row) => row.commitment),
      at,
    )
  })

  const recordSubmitted = db.transaction((transaction: Omit<GroupTransaction, "id" | "status">, at: string): GroupTransaction => {
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO enrollment_transactions (level, kind, status, commitments, tx_hash, tx_nonce, tx_raw, created_at, updated_at)
         VALUES (?, ?, 'submitted', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        transaction.level,
        transaction.kind,
        JSON.stringify(transaction.commitments.map(String)),
        transaction.txHash,
        transaction.txNonce,
        transaction.txRaw,
        at,
        at,
      )
    const id = Number(lastInsertRowid)
    const link = db.prepare("UPDATE enrollments SET transaction_id = ?, updated_at = ? WHERE commitment = ?")
    for (const commitment of transaction.commitments) link.run(id, at, commitment.toString())
    return toTransaction(selectTransaction.get(id)!)
  })

  const recordIncluded = db.transaction((transactionId: number | undefined, updates: MemberChainUpdate[], at: string) => {
    for (const update of updates) {
      const commitment = update.commitment.toString()
      if (update.kind === "removed") {
        db.prepare("UPDATE enrollments SET removed_tx_hash = ?, transaction_id = NULL, updated_at = ? WHERE commitment = ?").run(update.txHash, at, commitment)
        continue
      }
      // A member revoked while its addition was in flight stays revoked; the worker then removes it.
      db.prepare(
        `UPDATE enrollments SET status = CASE status WHEN 'pending' THEN 'in_group' ELSE status END,
           group_id = ?, leaf_index = ?, root = ?, tx_hash = ?, transaction_id = NULL, updated_at = ? WHERE commitment = ?`,
      ).run(update.groupId.toString(), update.leafIndex, update.root.toString(), update.txHash, at, commitment)
      if (update.kind === "updated") {
        db.prepare(
          `UPDATE enrollments SET status = CASE status WHEN 'revoked' THEN 'revoked' ELSE 'replaced' END,
             removed_tx_hash = ?, transaction_id = NULL, updated_at = ? WHERE commitment = ?`,
        ).run(update.txHash, at, update.replacedCommitment.toString())
      }
    }
    if (transactionId !== undefined) {
      db.prepare("UPDATE enrollment_transactions SET status = 'included', updated_at = ? WHERE id = ?").run(at, transactionId)
      db.prepare("UPDATE enrollments SET transaction_id = NULL, updated_at = ? WHERE transaction_id = ?").run(at, transactionId)
    }
  })

  const recordFailed = db.transaction((transactionId: number, reason: string, at: string) => {
    db.prepare("UPDATE enrollment_transactions SET status = 'failed', last_error = ?, updated_at = ? WHERE id = ?").run(reason, at, transactionId)
    db.prepare("UPDATE enrollments SET transaction_id = NULL, updated_at = ? WHERE transaction_id = ?").run(at, transactionId)
  })

  return {
    async saveChallenge(challenge) {
      db.prepare("INSERT INTO enrollment_challenges (nonce, commitment, created_at, expires_at) VALUES (?, ?, ?, ?)").run(
        challenge.nonce,
        challenge.commitment.toString(),
        now(challenge.createdAt),
        now(challenge.expiresAt),
      )
    },
    async getChallenge(nonce) {
      const row = selectChallenge.get(nonce)
      return row ? toChallenge(row) : undefined
    },
    async recordEnrollment(parameters) {
      return recordEnrollment.immediate(parameters)
    },
    async getEnrollment(commitment) {
      const row = selectEnrollment.get(commitment.toString())
      return row ? toEnrollment(row) : undefined
    },
    async revokePerson(commitment, at) {
      const row = selectEnrollment.get(commitment.toString())
      if (!row) return []
      const person = selectSamePerson.all(row.level, row.uniqueness_hmac).map((candidate) => candidate.commitment)
      return revokeCommitments.immediate(person, now(at))
    },
    async revokeIssuer(issuer, at) {
      return revokeIssuer.immediate(issuer, now(at))
    },
    async isIssuerRevoked(issuer) {
      return db.prepare("SELECT 1 FROM enrollment_revoked_issuers WHERE issuer = ?").get(issuer) !== undefined
    },

    async getGroup(level) {
      const row = db.prepare<[string], GroupRow>("SELECT * FROM enrollment_groups WHERE level = ?").get(level)
      return row ? toGroup(row) : undefined
    },
    async listGroups() {
      return db.prepare<[], GroupRow>("SELECT * FROM enrollment_groups ORDER BY level").all().map(toGroup)
    },
    async recordGroupCreating(level, transaction, at) {
      db.prepare(
        `INSERT INTO enrollment_groups (level, status, tx_hash, tx_raw, updated_at) VALUES (?, 'creating', ?, ?, ?)
         ON CONFLICT (level) DO UPDATE SET status = 'creating', tx_hash = excluded.tx_hash, tx_raw = excluded.tx_raw, updated_at = excluded.updated_at`,
      ).run(level, transaction.txHash, transaction.txRaw, now(at))
    },
    async recordGroupCreated(level, created, at) {
      db.prepare("UPDATE enrollment_groups SET status = 'created', group_id = ?, created_block = ?, updated_at = ? WHERE level = ?").run(
        created.groupId.toString(),
        created.createdBlock.toString(),
        now(at),
        level,
      )
    },
    async forgetGroupCreation(level) {
      db.prepare("DELETE FROM enrollment_groups WHERE level = ? AND status = 'creating'").run(level)
    },

    async listAdditions(level, limit) {
      return db
        .prepare<[string, number], EnrollmentRow>(
          `SELECT e.* FROM enrollments e LEFT JOIN enrollments previous ON previous.commitment = e.replaces_commitment
           WHERE e.level = ? AND e.status = 'pending' AND e.transaction_id IS NULL AND e.leaf_index IS NULL
             AND (e.replaces_commitment IS NULL OR (previous.leaf_index IS NULL AND previous.transaction_id IS NULL AND previous.status <> 'pending'))
           ORDER BY e.id LIMIT ?`,
        )
        .all(level, limit)
        .map(toEnrollment)
    },
    async listReplacements(level, limit) {
      return db
        .prepare<[string, number], EnrollmentRow>(
          `SELECT e.* FROM enrollments e JOIN enrollments previous ON previous.commitment = e.replaces_commitment
           WHERE e.level = ? AND e.status = 'pending' AND e.transaction_id IS NULL AND e.leaf_index IS NULL
             AND previous.status = 'in_group' AND previous.transaction_id IS NULL
           ORDER BY e.id LIMIT ?`,
        )
        .all(level, limit)
        .map(toEnrollment)
    },
    async listRemovals(level, limit) {
      return db
        .prepare<[string, number], EnrollmentRow>(
          `SELECT * FROM enrollments WHERE level = ? AND status = 'revoked' AND leaf_index IS NOT NULL
             AND removed_tx_hash IS NULL AND transaction_id IS NULL ORDER BY id LIMIT ?`,
        )
        .all(level, limit)
        .map(toEnrollment)
    },
    async listOnChainCandidates(level) {
      return db
        .prepare<[string], EnrollmentRow>(
          `SELECT * FROM enrollments WHERE level = ? AND (leaf_index IS NOT NULL OR transaction_id IS NOT NULL OR status = 'pending') ORDER BY id`,
        )
        .all(level)
        .map(toEnrollment)
    },

    async recordSubmitted(transaction, at) {
      return recordSubmitted.immediate(transaction, now(at))
    },
    async listSubmitted(level) {
      return db
        .prepare<[string], TransactionRow>("SELECT * FROM enrollment_transactions WHERE level = ? AND status = 'submitted' ORDER BY id")
        .all(level)
        .map(toTransaction)
    },
    async recordIncluded(transactionId, updates, at) {
      recordIncluded.immediate(transactionId, updates, now(at))
    },
    async recordFailed(transactionId, reason, at) {
      recordFailed.immediate(transactionId, reason, now(at))
    },
  }
}
