import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import Database from "better-sqlite3"
import type { HumanmarkContracts, HumanmarkDeployment } from "../../contracts/deploy.ts"
import { migrations as allMigrations, type Migration } from "./migrations.ts"
import { openEnrollmentStore } from "../enrollment/store.ts"
import { createSqliteAnchorStore } from "./sqlite-anchors.ts"
import { createSqliteVotingStore } from "../voting/store.ts"
import type { Storage } from "./storage.ts"

export interface OpenSqliteStorageOptions {
  /** Database file, or ":memory:". */
  path: string
  migrations?: Migration[]
}

/** Opens (creating if needed) the embedded SQLite database and applies pending migrations. */
export function openSqliteStorage({ path, migrations = allMigrations }: OpenSqliteStorageOptions): Storage {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  // WAL + synchronous=FULL: a write that returned is on disk, so acknowledging after it is safe.
  db.pragma("journal_mode = WAL")
  db.pragma("synchronous = FULL")
  db.pragma("foreign_keys = ON")
  db.pragma("busy_timeout = 5000")
  const schemaVersion = migrate(db, migrations)

  const selectDeployment = db.prepare<[number], DeploymentRow>("SELECT * FROM deployments WHERE chain_id = ?")
  const upsertDeployment = db.prepare(
    `INSERT INTO deployments (chain_id, deployer, block_number, contracts, deployed_at)
     VALUES (@chainId, @deployer, @blockNumber, @contracts, @deployedAt)
     ON CONFLICT (chain_id) DO UPDATE SET deployer = excluded.deployer, block_number = excluded.block_number,
       contracts = excluded.contracts, deployed_at = excluded.deployed_at`,
  )

  return {
    async status() {
      db.prepare("SELECT 1").get()
      return { kind: "sqlite", schemaVersion }
    },
    async getDeployment(chainId) {
      const row = selectDeployment.get(chainId)
      if (!row) return undefined
      return {
        chainId: row.chain_id,
        deployer: row.deployer as HumanmarkDeployment["deployer"],
        blockNumber: BigInt(row.block_number),
        contracts: JSON.parse(row.contracts) as HumanmarkContracts,
      }
    },
    async saveDeployment(deployment) {
      upsertDeployment.run({
        chainId: deployment.chainId,
        deployer: deployment.deployer,
        blockNumber: deployment.blockNumber.toString(),
        contracts: JSON.stringify(deployment.contracts),
        deployedAt: new Date().toISOString(),
      })
    },
    anchors: createSqliteAnchorStore(db),
    enrollments: openEnrollmentStore(db),
    voting: createSqliteVotingStore(db),
    async close() {
      db.close()
    },
  }
}

interface DeploymentRow {
  chain_id: number
  deployer: string
  block_number: string
  contracts: string
  deployed_at: string
}

function migrate(db: Database.Database, migrations: Migration[]): number {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
  const applied = new Set(db.prepare<[], { version: number }>("SELECT version FROM schema_migrations").all().map((row) => row.version))
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)")
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue
    db.transaction(() => {
      db.exec(migration.sql)
      record.run(migration.version, migration.name, new Date().toISOString())
    })()
  }
  const latest = db.prepare<[], { version: number | null }>("SELECT MAX(version) AS version FROM schema_migrations").get()
  return latest?.version ?? 0
}
