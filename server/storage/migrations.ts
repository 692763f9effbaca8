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
]
