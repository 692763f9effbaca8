// A deployment recorded before ContentAnchor existed: the embedded chain redeploys, a real network
// refuses to start and says what is missing.
import assert from "node:assert/strict"
import { after, before, test } from "node:test"
import { startTestChain, type TestChain } from "../test/support/chain.ts"
import { ensureDeployment } from "./deployment.ts"
import { openSqliteStorage } from "./storage/sqlite.ts"

let chain: TestChain
before(async () => {
  chain = await startTestChain()
})
after(async () => {
  await chain.stop()
})

function storageWithOldRecord() {
  const storage = openSqliteStorage({ path: ":memory:" })
  const { contentAnchor: _added, ...olderContracts } = chain.deployment.contracts
  return { storage, saved: storage.saveDeployment({ ...chain.deployment, contracts: olderContracts as typeof chain.deployment.contracts }) }
}

test("the embedded chain redeploys a record that lacks ContentAnchor", async () => {
  const { storage, saved } = storageWithOldRecord()
  await saved
  const lines: string[] = []
  const deployment = await ensureDeployment({ clients: chain, storage, embedded: true, log: (line) => lines.push(line) })
  assert.ok(deployment.contracts.contentAnchor)
  assert.notEqual(deployment.contracts.semaphore, chain.deployment.contracts.semaphore)
  assert.deepEqual((await storage.getDeployment(chain.chain.id))?.contracts, deployment.contracts)
  assert.ok(lines.some((line) => /predates contentAnchor/.test(line)), lines.join("\n"))
  // Now complete and live: used as it is.
  assert.deepEqual(await ensureDeployment({ clients: chain, storage, embedded: true, log: () => {} }), deployment)
})

test("a real network with such a record refuses to start and names the missing contract", async () => {
  const { storage, saved } = storageWithOldRecord()
  await saved
  await assert.rejects(ensureDeployment({ clients: chain, storage, embedded: false, log: () => {} }), {
    code: "deployment_missing",
    message: `The deployment recorded for chain ${chain.chain.id} lacks contentAnchor.`,
  })
})
