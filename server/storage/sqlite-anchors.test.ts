import assert from "node:assert/strict"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import type { Hex } from "viem"
import { openSqliteStorage } from "./sqlite.ts"

const dir = await mkdtemp(join(tmpdir(), "humanmark-anchor-store-"))
after(() => rm(dir, { recursive: true, force: true }))

const digest = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex

test("digests: stored once, resubmission keeps the first row, order of submission is kept", async () => {
  const storage = openSqliteStorage({ path: join(dir, "digests.sqlite") })
  const store = storage.anchors
  const first = await store.addDigests([{ digest: digest(1), c2pa: { signer: "x" } }, { digest: digest(2) }], "2026-01-01T00:00:00.000Z")
  assert.deepEqual(
    first.map((row) => [row.digest, row.submittedAt, row.c2pa]),
    [
      [digest(1), "2026-01-01T00:00:00.000Z", { signer: "x" }],
      [digest(2), "2026-01-01T00:00:00.000Z", undefined],
    ],
  )
  const again = await store.addDigests([{ digest: digest(2) }, { digest: digest(1) }, { digest: digest(3) }], "2026-02-02T00:00:00.000Z")
  assert.deepEqual(again.map((row) => row.submittedAt), ["2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z", "2026-02-02T00:00:00.000Z"])
  assert.equal(again[1]!.c2pa?.signer, "x")
  assert.equal(await store.countUnbatched(), 3)
  assert.deepEqual((await store.listUnbatched(2)).digests, [digest(1), digest(2)])
  await storage.close()
})

test("batches: one digest goes into one batch only, and the lifecycle survives a reopen", async () => {
  const path = join(dir, "batches.sqlite")
  const storage = openSqliteStorage({ path })
  const store = storage.anchors
  await store.addDigests([1, 2, 3].map((n) => ({ digest: digest(n) })), new Date().toISOString())
  const root = digest(99)
  const batch = await store.createBatch({ root, digests: [digest(2), digest(1)], createdAt: new Date().toISOString() })
  assert.equal(batch.status, "pending")
  assert.equal(batch.leafCount, 2)
  assert.deepEqual(await store.getBatchDigests(batch.id), [digest(2), digest(1)])
  assert.equal((await store.getDigest(digest(1)))?.leafIndex, 1)
  await assert.rejects(store.createBatch({ root, digests: [digest(3), digest(1)], createdAt: new Date().toISOString() }))
  // The failed batch left nothing behind: digest 3 still waits, and no second batch exists.
  assert.deepEqual((await store.listUnbatched(10)).digests, [digest(3)])
  assert.equal((await store.listBatches(["pending"])).length, 1)

  await store.recordTransaction(batch.id, { hash: digest(7), nonce: 4, raw: "0x02f0" })
  await store.recordAnchored(batch.id, { number: 12n, hash: digest(8), logIndex: 0, anchoredAt: "2026-01-01T00:00:01.000Z" })
  await storage.close()

  const reopened = openSqliteStorage({ path })
  const anchored = (await reopened.anchors.getBatch(batch.id))!
  assert.equal(anchored.status, "anchored")
  assert.deepEqual(anchored.transaction, { hash: digest(7), nonce: 4, raw: "0x02f0" })
  assert.deepEqual(anchored.block, { number: 12n, hash: digest(8), logIndex: 0, anchoredAt: "2026-01-01T00:00:01.000Z" })
  assert.equal(anchored.attempts, 1)

  await reopened.anchors.returnToPending(batch.id, "reorg")
  const pending = (await reopened.anchors.getBatch(batch.id))!
  assert.equal(pending.status, "pending")
  assert.equal(pending.transaction, undefined)
  assert.equal(pending.block, undefined)
  assert.equal(pending.lastError, "reorg")
  assert.deepEqual(await reopened.anchors.getBatchDigests(batch.id), [digest(2), digest(1)], "a reorg keeps the batch's leaves")
  await reopened.close()
})
