import type { Migration } from "../storage/migrations.ts"

/**
 * The enrollment tables, migration 3 of server/storage/migrations.ts. Commitments, group ids and
 * roots are decimal text: they exceed 64-bit integers.
 */
export const enrollmentMigration: Migration = {
  version: 3,
  name: "enrollment",
  sql: `
    CREATE TABLE enrollment_challenges (
      nonce       TEXT PRIMARY KEY, -- base64url of 32 random bytes
      commitment  TEXT NOT NULL,
      created_at  TEXT NOT NULL,
      expires_at  TEXT NOT NULL,
      used_at     TEXT
    );
    CREATE INDEX enrollment_challenges_expiry ON enrollment_challenges (expires_at);

    -- One Semaphore group per level, created on chain by the worker on first use.
    CREATE TABLE enrollment_groups (
      level          TEXT PRIMARY KEY,
      status         TEXT NOT NULL CHECK (status IN ('creating', 'created')),
      group_id       TEXT,
      created_block  TEXT,              -- first block to read the group's events from
      tx_hash        TEXT NOT NULL,
      tx_raw         TEXT NOT NULL,     -- signed createGroup, re-broadcast after a restart
      updated_at     TEXT NOT NULL
    );

    -- Every transaction the worker signs, recorded before it is broadcast.
    CREATE TABLE enrollment_transactions (
      id           INTEGER PRIMARY KEY AUTOINCREMENT,
      level        TEXT NOT NULL,
      kind         TEXT NOT NULL CHECK (kind IN ('add', 'update', 'remove')),
      status       TEXT NOT NULL CHECK (status IN ('submitted', 'included', 'failed')),
      commitments  TEXT NOT NULL,      -- JSON array of decimal commitments it changes
      tx_hash      TEXT NOT NULL,
      tx_nonce     INTEGER NOT NULL,
      tx_raw       TEXT NOT NULL,
      last_error   TEXT,
      created_at   TEXT NOT NULL,
      updated_at   TEXT NOT NULL
    );
    CREATE INDEX enrollment_transactions_open ON enrollment_transactions (level) WHERE status = 'submitted';

    CREATE TABLE enrollments (
      id                   INTEGER PRIMARY KEY AUTOINCREMENT, -- enrollment order, also batch order
      commitment           TEXT NOT NULL UNIQUE,
      level                TEXT NOT NULL,
      issuer               TEXT NOT NULL,
      uniqueness_hmac      TEXT NOT NULL,  -- HMAC(serverSecret, issuer || 0x00 || uniquenessKey), hex
      status               TEXT NOT NULL CHECK (status IN ('pending', 'in_group', 'replaced', 'revoked')),
      replaces_commitment  TEXT,
      expires_at           TEXT NOT NULL,
      group_id             TEXT,
      leaf_index           INTEGER,
      tx_hash              TEXT,
      root                 TEXT,
      transaction_id       INTEGER REFERENCES enrollment_transactions (id), -- the open transaction changing it
      removed_tx_hash      TEXT,           -- revoked members: the removeMember transaction once included
      created_at           TEXT NOT NULL,
      updated_at           TEXT NOT NULL
    );
    CREATE INDEX enrollments_person ON enrollments (level, uniqueness_hmac);
    CREATE INDEX enrollments_work ON enrollments (level, status, id);
    CREATE INDEX enrollments_issuer ON enrollments (issuer);

    CREATE TABLE enrollment_revoked_issuers (
      issuer      TEXT PRIMARY KEY,
      revoked_at  TEXT NOT NULL
    );
  `,
}
