// kill -9 while digests pour in and batches are being anchored: after a restart on the same data folder,
// every digest the server acknowledged is anchored, in exactly one batch whose root is on chain once.
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { bytesToHex, createPublicClient, http, parseAbiItem, type Hex } from "viem"
import { rootFromPath } from "../../sdk/anchors/merkle.ts"
import type { Receipt } from "../../sdk/anchors/receipt.ts"
import type { HealthReport } from "../../sdk/health.ts"
import { freePort, isRunning, startServerProcess as startServer, type ServerProcess } from "../support/server-process.ts"

const scratch = await mkdtemp(join(tmpdir(), "humanmark-anchors-crash-"))
after(() => rm(scratch, { recursive: true, force: true }))

test("SIGKILL mid-batch loses no acknowledged digest, and each is anchored exactly once after a restart", async () => {
  const dataDir = join(scratch, "data")
  const env = {
    HUMANMARK_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    ANVIL_PORT: String(await freePort()),
    ANCHOR_BATCH_INTERVAL_MS: "20",
    ANCHOR_BATCH_MAX: "150",
  }
  let batchesSeen = 0
  let killed = false
  let first: ServerProcess | undefined
  first = await startServer(env, (line) => {
    // Kill right after a batch is recorded, while its transaction is being signed, sent or mined.
    if (/anchors: batch \d+: \d+ digest\(s\)/.test(line) && ++batchesSeen === 6 && !killed) {
      killed = true
      first!.child.kill("SIGKILL")
    }
  })
  const anvilPid = Number(readFileSync(join(dataDir, "anvil-state.json.pid"), "utf8"))

  const acknowledged: Hex[] = []
  let refused = 0
  while (!killed || acknowledged.length === 0) {
    const digests = Array.from({ length: 50 }, () => bytesToHex(randomBytes(32)))
    try {
      const response = await fetch(`${first.url}/v1/anchors`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ digests }) })
      if (response.status === 202) acknowledged.push(...digests)
    } catch {
      refused++ // the server is gone: these were never acknowledged
    }
    if (refused > 0) break
  }
  await first.exited
  assert.ok(acknowledged.length >= 300, `only ${acknowledged.length} digests were acknowledged before the kill`)
  assert.equal(isRunning(anvilPid), true, "SIGKILL leaves the embedded anvil behind, an orphan")

  const second = await startServer(env)
  try {
    assert.equal(isRunning(anvilPid), false, "the restart stopped the orphaned anvil before starting its own")
    const health = (await (await fetch(`${second.url}/health`)).json()) as HealthReport

    const receipts = new Map<Hex, Receipt>()
    const deadline = Date.now() + 60_000
    while (receipts.size < acknowledged.length) {
      if (Date.now() > deadline) throw new Error(`${acknowledged.length - receipts.size} digests are still not anchored`)
      for (const digest of acknowledged) {
        if (receipts.has(digest)) continue
        const response = await fetch(`${second.url}/v1/anchors/${digest}`)
        assert.equal(response.status, 200, `acknowledged digest ${digest} was lost`)
        const receipt = (await response.json()) as Receipt
        if (receipt.status !== "pending") receipts.set(digest, receipt)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }

    const chain = createPublicClient({ transport: http(`http://127.0.0.1:${env.ANVIL_PORT}`) })
    const events = await chain.getLogs({
      address: health.contracts.contentAnchor,
      event: parseAbiItem("event Anchored(bytes32 indexed root, address indexed submitter)"),
      fromBlock: 0n,
    })
    const timesAnchored = new Map<string, number>()
    for (const event of events) timesAnchored.set(event.args.root!, (timesAnchored.get(event.args.root!) ?? 0) + 1)
    for (const [digest, receipt] of receipts) {
      assert.equal(rootFromPath(digest, receipt.merkle!.path), receipt.merkle!.root)
      assert.equal(timesAnchored.get(receipt.merkle!.root), 1, `root ${receipt.merkle!.root} is on chain ${timesAnchored.get(receipt.merkle!.root) ?? 0} times`)
      const event = events.find((each) => each.args.root === receipt.merkle!.root)!
      assert.equal(event.transactionHash, receipt.anchor!.txHash)
      assert.equal(event.blockHash, receipt.anchor!.blockHash)
    }
    console.log(`# ${acknowledged.length} acknowledged digests, killed after batch ${batchesSeen}; ${new Set([...receipts.values()].map((r) => r.merkle!.root)).size} batches on chain`)
  } finally {
    second.child.kill("SIGTERM")
    await second.exited
  }
})
