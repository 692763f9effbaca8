import { enrollmentMigration } from "../enrollment/migration.ts"
import { governorVotesMigration, votingMigration } from "../voting/migration.ts"

/**
 * Ordered schema changes. Append only: an applied migration is never edited, because databases in
 * the field already ran it. Each runs in a transaction with its version record.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: "deployments",
    sql: `
      CREATE TABLE deployments (
        chain_id     INTEGER PRIMARY KEY,
        deployer     TEXT    NOT NULL,
        block_number TEXT    NOT NULL,
        contracts    TEXT    NOT NULL, -- JSON: contract name -> address
        deployed_at  TEXT    NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: "content anchors",
    sql: `
      CREATE TABLE anchor_batches (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        root           TEXT    NOT NULL, -- 0x-prefixed lowercase Merkle root
        leaf_count     INTEGER NOT NULL,
        status         TEXT    NOT NULL CHECK (status IN ('pending', 'submitted', 'anchored', 'final')),
        created_at     TEXT    NOT NULL,
        tx_hash        TEXT,
        tx_nonce       INTEGER,
        tx_raw         TEXT,             -- signed transaction, re-broadcast after a restart
        block_number   TEXT,
        block_hash     TEXT,
        log_index      INTEGER,
        anchored_at    TEXT,             -- block timestamp, ISO 8601
        attempts       INTEGER NOT NULL DEFAULT 0,
        last_error     TEXT,
        updated_at     TEXT    NOT NULL
      );
      CREATE INDEX anchor_batches_open ON anchor_batches (status) WHERE status <> 'final';

      CREATE TABLE anchor_digests (
        id                INTEGER PRIMARY KEY AUTOINCREMENT, -- submission order
        digest            TEXT    NOT NULL UNIQUE,           -- 0x-prefixed lowercase SHA-256
        submitted_at      TEXT    NOT NULL,
        human_attestation TEXT,                              -- JSON
        c2pa              TEXT,                              -- JSON
        batch_id          INTEGER REFERENCES anchor_batches (id),
        leaf_index        INTEGER
      );
      CREATE INDEX anchor_digests_unbatched ON anchor_digests (id) WHERE batch_id IS NULL;
      CREATE UNIQUE INDEX anchor_digests_leaf ON anchor_digests (batch_id, leaf_index) WHERE batch_id IS NOT NULL;
    `,
  },
  enrollmentMigration,
  votingMigration,
  governorVotesMigration,
]
