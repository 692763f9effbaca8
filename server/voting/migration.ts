import type { Migration } from "../storage/migrations.ts"

/**
 * The polls and relayed votes, migration 4 of server/storage/migrations.ts. Poll ids, roots, scopes
 * and nullifiers are decimal text: they exceed 64-bit integers.
 */
export const votingMigration: Migration = {
  version: 4,
  name: "voting",
  sql: `
    CREATE TABLE polls (
      id                 TEXT PRIMARY KEY,   -- HumanPolls poll id
      title              TEXT NOT NULL,
      kind               TEXT NOT NULL CHECK (kind IN ('single', 'approval', 'pairwise')),
      options            TEXT NOT NULL,      -- JSON array of option labels (empty for candidate polls)
      candidates         TEXT NOT NULL,      -- JSON array of {contentHash, uri, title} (empty for option polls)
      candidates_root    TEXT NOT NULL,      -- 0x bytes32, zero for option polls
      level              TEXT NOT NULL,      -- enrollment level whose group votes
      group_id           TEXT NOT NULL,
      merkle_tree_root   TEXT NOT NULL,      -- pinned at creation
      merkle_tree_size   INTEGER NOT NULL,
      merkle_tree_depth  INTEGER NOT NULL,
      starts_at          INTEGER NOT NULL,   -- unix seconds, inclusive
      ends_at            INTEGER NOT NULL,   -- unix seconds, exclusive
      created_block      TEXT NOT NULL,
      metadata_hash      TEXT NOT NULL,
      tx_hash            TEXT NOT NULL,
      created_at         TEXT NOT NULL
    );

    CREATE TABLE poll_votes (
      id            INTEGER PRIMARY KEY AUTOINCREMENT, -- arrival order, also sending order
      poll_id       TEXT NOT NULL REFERENCES polls (id),
      scope         TEXT NOT NULL,
      nullifier     TEXT NOT NULL,
      ballot        TEXT NOT NULL,   -- JSON: {choice} | {choices} | {first, second, winner}
      reason_hash   TEXT NOT NULL,   -- 0x bytes32, zero for none
      proof         TEXT NOT NULL,   -- JSON Semaphore proof
      status        TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'included', 'rejected')),
      error_code    TEXT,            -- rejected: the contract's custom error name
      tx_hash       TEXT,
      tx_nonce      INTEGER,
      tx_raw        TEXT,            -- signed transaction, recorded before broadcast, re-broadcast after a restart
      block_number  TEXT,
      created_at    TEXT NOT NULL,
      updated_at    TEXT NOT NULL,
      -- The queue itself refuses a second copy of a vote, whatever the API let through concurrently.
      UNIQUE (poll_id, scope, nullifier)
    );
    CREATE INDEX poll_votes_by_nullifier ON poll_votes (poll_id, nullifier);
    CREATE INDEX poll_votes_open ON poll_votes (status, id) WHERE status IN ('queued', 'submitted');
  `,
}

/** Ballots relayed to the GovernorPersonhood, migration 5 of server/storage/migrations.ts. */
export const governorVotesMigration: Migration = {
  version: 5,
  name: "governor votes",
  sql: `
    CREATE TABLE governor_votes (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      governor      TEXT NOT NULL,   -- lowercase address
      proposal_id   TEXT NOT NULL,
      nullifier     TEXT NOT NULL,
      support       INTEGER NOT NULL CHECK (support IN (0, 1, 2)),
      proof         TEXT NOT NULL,   -- JSON Semaphore proof
      status        TEXT NOT NULL CHECK (status IN ('queued', 'submitted', 'included', 'rejected')),
      error_code    TEXT,
      tx_hash       TEXT,
      tx_nonce      INTEGER,
      tx_raw        TEXT,
      block_number  TEXT,
      created_at    TEXT NOT NULL,
      updated_at    TEXT NOT NULL,
      UNIQUE (governor, proposal_id, nullifier)
    );
    CREATE INDEX governor_votes_open ON governor_votes (status, id) WHERE status IN ('queued', 'submitted');
  `,
}
