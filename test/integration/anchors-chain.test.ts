// What the chain can do to anchors: reorganise blocks away, or stop answering for a while.
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { bytesToHex } from "viem"
import { getReceipt, submitDigests, waitForReceipt } from "../../sdk/anchors/client.ts"
import { verifyReceipt } from "../../sdk/anchors/verify.ts"
import { createHumanmarkClient } from "../../sdk/client.ts"
import { startAnvil } from "../../server/chain/anvil.ts"
import { ANVIL_DEV_PRIVATE_KEY } from "../../server/config.ts"
import { startTestStack } from "../support/stack.ts"

const scratch = await mkdtemp(join(tmpdir(), "humanmark-anchors-chain-"))
after(() => rm(scratch, { recursive: true, force: true }))

const randomDigest = () => bytesToHex(randomBytes(32))

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) })
  const body = (await response.json()) as { result?: unknown; error?: { message: string } }
  if (body.error) throw new Error(`${method}: ${body.error.message}`)
  return body.result
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test("a reorg that drops the anchoring block returns the receipts to pending and anchors the root again", async () => {
  const logs: string[] = []
  const stack = await startTestStack({ env: { ANCHOR_BATCH_INTERVAL_MS: "100" }, log: (line) => logs.push(line) })
  try {
    const client = createHumanmarkClient({ serverUrl: stack.url })
    const snapshot = await rpc(stack.rpcUrl, "evm_snapshot")
    const digests = [randomDigest(), randomDigest(), randomDigest()]
    await submitDigests(client, { digests })
    const before = await waitForReceipt(client, { digest: digests[1]!, intervalMs: 50, timeoutMs: 30_000 })
    // anvil reports finalized = head - 64, so the batch stays "anchored" and followed.
    assert.equal(before.status, "anchored")
    assert.equal((await verifyReceipt({ receipt: before, digest: digests[1], publicClient: stack.clients.publicClient as never })).valid, true)

    // The chain forgets the block (and the transaction) and grows past that height on another branch.
    await rpc(stack.rpcUrl, "evm_revert", [snapshot])
    await rpc(stack.rpcUrl, "anvil_mine", ["0x2"])
    const stale = await verifyReceipt({ receipt: before, digest: digests[1], publicClient: stack.clients.publicClient as never })
    assert.equal(stale.valid, false)
    assert.equal(stale.checks.transaction.status, "failed")

    await until(() => logs.some((line) => /is gone; anchoring the root again/.test(line)), 10_000, "the worker to see the reorg")
    await until(async () => (await getReceipt(client, digests[1]!)).anchor?.blockHash !== before.anchor!.blockHash, 15_000, "re-anchoring")
    const afterReorg = await waitForReceipt(client, { digest: digests[1]!, intervalMs: 50, timeoutMs: 15_000 })
    assert.notEqual(afterReorg.anchor!.blockHash, before.anchor!.blockHash)
    assert.ok(afterReorg.anchor!.blockNumber > before.anchor!.blockNumber, "anchored on the new branch, above the mined blocks")
    assert.equal(afterReorg.merkle!.root, before.merkle!.root, "the same batch, the same root")
    assert.deepEqual(afterReorg.merkle!.path, before.merkle!.path)
    assert.equal((await verifyReceipt({ receipt: afterReorg, digest: digests[1], publicClient: stack.clients.publicClient as never })).valid, true)

    // 64 blocks later anvil calls the block finalized, and the receipt says final.
    await rpc(stack.rpcUrl, "anvil_mine", ["0x41"])
    const final = await waitForReceipt(client, { digest: digests[1]!, status: "final", intervalMs: 50, timeoutMs: 15_000 })
    assert.equal(final.status, "final")
    assert.equal((await verifyReceipt({ receipt: final, digest: digests[1], publicClient: stack.clients.publicClient as never })).valid, true)
  } finally {
    await stack.cleanup()
  }
})

test("while the RPC endpoint is down, digests are still accepted; the worker backs off, then anchors them", async () => {
  const statePath = join(scratch, "external-state.json")
  let chain = await startAnvil({ statePath })
  const port = Number(new URL(chain.rpcUrl).port)
  const logs: string[] = []
  const stack = await startTestStack({
    env: { RPC_URL: chain.rpcUrl, DEPLOYER_PRIVATE_KEY: ANVIL_DEV_PRIVATE_KEY, ANCHOR_BATCH_INTERVAL_MS: "100", ANCHOR_RETRY_MAX_MS: "1000" },
    log: (line) => logs.push(line),
  })
  try {
    const client = createHumanmarkClient({ serverUrl: stack.url })
    await chain.stop()
    const digest = randomDigest()
    const [pending] = await submitDigests(client, { digests: [digest] })
    assert.equal(pending!.status, "pending", "acknowledged from the database alone")

    await until(() => logs.filter((line) => /anchoring failed \(attempt \d+\)/.test(line)).length >= 4, 20_000, "several failed attempts")
    const delays = logs.flatMap((line) => /retrying in (\d+) ms/.exec(line)?.[1] ?? []).map(Number)
    assert.deepEqual(delays.slice(0, 4), [250, 500, 1000, 1000], "exponential backoff, capped by ANCHOR_RETRY_MAX_MS")
    assert.equal((await getReceipt(client, digest)).status, "pending")

    chain = await startAnvil({ statePath, port })
    const anchored = await waitForReceipt(client, { digest, intervalMs: 50, timeoutMs: 30_000 })
    assert.ok(logs.some((line) => /anchoring resumed after \d+ failed attempt/.test(line)))
    assert.equal((await verifyReceipt({ receipt: anchored, digest, rpcUrl: chain.rpcUrl })).valid, true)
  } finally {
    await stack.cleanup()
    await chain.stop()
  }
})
