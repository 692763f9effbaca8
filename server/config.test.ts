import assert from "node:assert/strict"
import { resolve } from "node:path"
import { test } from "node:test"
import { ANVIL_DEV_PRIVATE_KEY, loadConfig } from "./config.ts"

test("no configuration at all gives the embedded defaults", () => {
  const config = loadConfig({})
  assert.equal(config.dataDir, resolve("data"))
  assert.deepEqual(config.http, { host: "127.0.0.1", port: 8787 })
  assert.deepEqual(config.chain, { mode: "embedded", anvilPort: 0, statePath: resolve("data", "anvil-state.json") })
  assert.equal(config.deployerPrivateKey, ANVIL_DEV_PRIVATE_KEY)
  assert.deepEqual(config.database, { kind: "sqlite", path: resolve("data", "humanmark.sqlite") })
})

test("RPC_URL switches to an external chain and never falls back to the public dev key", () => {
  const config = loadConfig({ RPC_URL: "https://rpc.example.org/v2/key", PORT: "9000" })
  assert.deepEqual(config.chain, { mode: "rpc", rpcUrl: "https://rpc.example.org/v2/key" })
  assert.equal(config.deployerPrivateKey, undefined)
  assert.equal(config.http.port, 9000)
  const key = `0x${"11".repeat(32)}`
  assert.equal(loadConfig({ RPC_URL: "http://127.0.0.1:8545", DEPLOYER_PRIVATE_KEY: key }).deployerPrivateKey, key)
})

test("DATABASE_URL takes sqlite: paths and explains that PostgreSQL is not there yet", () => {
  assert.deepEqual(loadConfig({ DATABASE_URL: "sqlite:/tmp/x.sqlite" }).database, { kind: "sqlite", path: "/tmp/x.sqlite" })
  assert.throws(() => loadConfig({ DATABASE_URL: "postgres://u:p@db/humanmark" }), { code: "invalid_config", message: /PostgreSQL is not supported yet/ })
  assert.throws(() => loadConfig({ DATABASE_URL: "mysql://db" }), { code: "invalid_config", message: /must start with sqlite:/ })
})

test("every invalid variable is named in one error", () => {
  assert.throws(
    () => loadConfig({ PORT: "eighty", RPC_URL: "ftp://x", DEPLOYER_PRIVATE_KEY: "0x1234" }),
    (error: unknown) => {
      const { code, message } = error as { code: string; message: string }
      assert.equal(code, "invalid_config")
      for (const name of ["PORT", "RPC_URL", "DEPLOYER_PRIVATE_KEY"]) assert.match(message, new RegExp(name))
      return true
    },
  )
  assert.throws(() => loadConfig({ PORT: "70000" }), { code: "invalid_config" })
})
