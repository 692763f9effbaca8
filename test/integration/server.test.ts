// The real system (anvil, contracts deployed by our deploy code, SQLite, HTTP) through its HTTP API:
// health, errors, restarts, and running against an external chain given by RPC_URL.
import assert from "node:assert/strict"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import type { HealthReport } from "../../sdk/health.ts"
import { startAnvil } from "../../server/chain/anvil.ts"
import { ANVIL_DEV_PRIVATE_KEY } from "../../server/config.ts"
import { startTestStack } from "../support/stack.ts"

const scratch = await mkdtemp(join(tmpdir(), "humanmark-integration-"))
after(() => rm(scratch, { recursive: true, force: true }))

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url)
  return { status: response.status, body: (await response.json()) as T }
}

test("GET /health reports chain id, contract addresses, block number and database", async () => {
  const stack = await startTestStack()
  try {
    const { status, body } = await getJson<HealthReport>(`${stack.url}/health`)
    assert.equal(status, 200)
    assert.equal(body.status, "ok")
    assert.equal(body.chain.id, 31337)
    assert.equal(body.chain.caip2, "eip155:31337")
    assert.equal(body.chain.rpc, "embedded")
    assert.ok(body.chain.blockNumber !== null && body.chain.blockNumber >= Number(stack.deployment.blockNumber))
    assert.deepEqual(body.contracts, stack.deployment.contracts)
    for (const address of Object.values(body.contracts)) {
      const code = await stack.clients.publicClient.getCode({ address })
      assert.ok(code && code.length > 2, `no code at ${address}`)
    }
    assert.equal(body.database.ok, true)
    assert.equal(body.database.kind, "sqlite")
  } finally {
    await stack.cleanup()
  }
})

test("unknown routes and methods answer a typed JSON error", async () => {
  const stack = await startTestStack()
  try {
    const missing = await getJson<{ error: { code: string; message: string } }>(`${stack.url}/v1/nothing-here`)
    assert.equal(missing.status, 404)
    assert.deepEqual(missing.body, { error: { code: "not_found", message: "No route for GET /v1/nothing-here." } })
    const wrongMethod = await fetch(`${stack.url}/health`, { method: "DELETE" })
    assert.equal(wrongMethod.status, 404)
    assert.equal(((await wrongMethod.json()) as { error: { code: string } }).error.code, "not_found")
  } finally {
    await stack.cleanup()
  }
})

test("a restart on the same data folder keeps the chain, the contracts and the database", async () => {
  const dataDir = join(scratch, "restart")
  const first = await startTestStack({ dataDir, keepData: true })
  const before = (await getJson<HealthReport>(`${first.url}/health`)).body
  await first.cleanup()

  const second = await startTestStack({ dataDir, keepData: true })
  try {
    const afterRestart = (await getJson<HealthReport>(`${second.url}/health`)).body
    assert.deepEqual(afterRestart.contracts, before.contracts)
    assert.equal(afterRestart.deployment.blockNumber, before.deployment.blockNumber)
    assert.ok(afterRestart.chain.blockNumber! >= before.chain.blockNumber!, "the chain did not start over")
  } finally {
    await second.cleanup()
  }
})

test("with RPC_URL it deploys once with DEPLOYER_PRIVATE_KEY, then reuses that deployment without a key", async () => {
  const external = await startAnvil()
  try {
    const dataDir = join(scratch, "external")
    const withKey = await startTestStack({ dataDir, keepData: true, env: { RPC_URL: external.rpcUrl, DEPLOYER_PRIVATE_KEY: ANVIL_DEV_PRIVATE_KEY } })
    const deployed = withKey.deployment.contracts
    const health = (await getJson<HealthReport>(`${withKey.url}/health`)).body
    assert.equal(health.chain.rpc, external.rpcUrl)
    await withKey.cleanup()

    const withoutKey = await startTestStack({ dataDir, keepData: true, env: { RPC_URL: external.rpcUrl } })
    assert.deepEqual(withoutKey.deployment.contracts, deployed)

    // The external node goes away: /health says so with a 503 instead of hanging or crashing.
    await external.stop()
    const down = await getJson<HealthReport>(`${withoutKey.url}/health`)
    assert.equal(down.status, 503)
    assert.equal(down.body.status, "degraded")
    assert.equal(down.body.chain.ok, false)
    assert.equal(down.body.database.ok, true)
    await withoutKey.cleanup()
  } finally {
    await external.stop()
  }
})

test("RPC_URL with no recorded deployment and no key, or an unreachable node, fails to start with a clear error", async () => {
  const external = await startAnvil()
  try {
    await assert.rejects(startTestStack({ dataDir: join(scratch, "no-key"), env: { RPC_URL: external.rpcUrl } }), {
      code: "deployer_key_required",
    })
  } finally {
    await external.stop()
  }
  await assert.rejects(startTestStack({ dataDir: join(scratch, "unreachable"), env: { RPC_URL: external.rpcUrl } }), {
    code: "chain_unreachable",
    message: /did not answer/,
  })
})
