import assert from "node:assert/strict"
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { startAnvil } from "./anvil.ts"

const dir = await mkdtemp(join(tmpdir(), "humanmark-anvil-"))
after(() => rm(dir, { recursive: true, force: true }))

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  })
  const body = (await response.json()) as { result?: unknown; error?: unknown }
  assert.equal(body.error, undefined)
  return body.result
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

test("anvil starts on a free port, answers JSON-RPC, and stops (twice is fine)", async () => {
  const anvil = await startAnvil()
  assert.match(anvil.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
  assert.equal(await rpc(anvil.rpcUrl, "eth_chainId"), "0x7a69")
  await anvil.stop()
  await anvil.stop()
  assert.equal(isRunning(anvil.pid), false)
  await assert.rejects(fetch(anvil.rpcUrl))
})

test("with a state file, blocks mined before a stop are there after a restart", async () => {
  const statePath = join(dir, "state.json")
  const first = await startAnvil({ statePath })
  await rpc(first.rpcUrl, "anvil_mine", ["0x5"])
  await first.stop()
  assert.ok(existsSync(statePath), "anvil saved its state on stop")

  const second = await startAnvil({ statePath })
  assert.equal(await rpc(second.rpcUrl, "eth_blockNumber"), "0x5")
  await second.stop()
})

test("a port that is taken gives a typed start error with anvil's own output", async () => {
  const first = await startAnvil()
  const port = Number(new URL(first.rpcUrl).port)
  await assert.rejects(startAnvil({ port }), (error: unknown) => {
    const { code, details } = error as { code: string; details?: string }
    assert.equal(code, "anvil_start_failed")
    assert.ok(details && details.length > 0)
    return true
  })
  await first.stop()
})

test("an anvil orphaned on the same state file (its server was killed -9) is stopped before a new one starts", async () => {
  const statePath = join(dir, "orphan-state.json")
  const orphan = await startAnvil({ statePath })
  assert.ok(existsSync(`${statePath}.pid`))
  const successor = await startAnvil({ statePath })
  await waitUntil(() => !isRunning(orphan.pid))
  assert.equal(await rpc(successor.rpcUrl, "eth_chainId"), "0x7a69")
  await orphan.stop()
  assert.ok(existsSync(`${statePath}.pid`), "the orphan's late stop leaves the successor's record alone")
  await successor.stop()
  assert.equal(existsSync(`${statePath}.pid`), false)
})

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
