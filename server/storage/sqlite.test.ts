import assert from "node:assert/strict"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import Database from "better-sqlite3"
import type { HumanmarkDeployment } from "../../sdk/deployment.ts"
import { migrations } from "./migrations.ts"
import { openSqliteStorage } from "./sqlite.ts"

const dir = await mkdtemp(join(tmpdir(), "humanmark-sqlite-"))
after(() => rm(dir, { recursive: true, force: true }))

const deployment: HumanmarkDeployment = {
  chainId: 31337,
  deployer: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
  blockNumber: 12n,
  contracts: {
    poseidonT3: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    semaphoreVerifier: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    semaphore: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    contentAnchor: "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
    humanPolls: "0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9",
  },
}

test("a new database gets every migration, and reports the latest schema version", async () => {
  const storage = openSqliteStorage({ path: join(dir, "fresh.sqlite") })
  const latest = Math.max(...migrations.map((migration) => migration.version))
  assert.deepEqual(await storage.status(), { kind: "sqlite", schemaVersion: latest })
  await storage.close()
})

test("deployments survive closing and reopening the file, and reopening applies no migration twice", async () => {
  const path = join(dir, "persist.sqlite")
  const first = openSqliteStorage({ path })
  assert.equal(await first.getDeployment(31337), undefined)
  await first.saveDeployment(deployment)
  await first.close()

  const second = openSqliteStorage({ path })
  assert.deepEqual(await second.getDeployment(31337), deployment)
  assert.equal(await second.getDeployment(1), undefined)
  await second.saveDeployment({ ...deployment, blockNumber: 99n })
  assert.equal((await second.getDeployment(31337))?.blockNumber, 99n)
  await second.close()

  const raw = new Database(path, { readonly: true })
  const applied = raw.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as { version: number }[]
  raw.close()
  assert.deepEqual(
    applied.map((row) => row.version),
    migrations.map((migration) => migration.version).sort((a, b) => a - b),
  )
})

test("a failing migration leaves no half-applied schema behind", async () => {
  const path = join(dir, "broken.sqlite")
  const broken = [...migrations, { version: 9_999, name: "broken", sql: "CREATE TABLE half (x INTEGER); THIS IS NOT SQL;" }]
  assert.throws(() => openSqliteStorage({ path, migrations: broken }))
  const storage = openSqliteStorage({ path })
  const raw = new Database(path, { readonly: true })
  const half = raw.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()
  raw.close()
  assert.equal(half, undefined)
  assert.notEqual((await storage.status()).schemaVersion, 9_999)
  await storage.close()
})
