import assert from "node:assert/strict"
import { test } from "node:test"
import { HumanmarkError, isHumanmarkError, redactUrl } from "./errors.ts"

test("HumanmarkError carries a stable code, a sentence, a 4xx status by default, and its cause", () => {
  const cause = new Error("socket hang up")
  const error = new HumanmarkError("invalid_digest", "Digest 3 is not 32 bytes of hex.", { details: "got 31 bytes", cause })
  assert.equal(error.code, "invalid_digest")
  assert.equal(error.message, "Digest 3 is not 32 bytes of hex.")
  assert.equal(error.status, 400)
  assert.equal(error.details, "got 31 bytes")
  assert.equal(error.cause, cause)
  assert.equal(error.name, "HumanmarkError")
  assert.ok(isHumanmarkError(error))
  assert.ok(!isHumanmarkError(new Error("plain")))
  assert.equal(new HumanmarkError("chain_unreachable", "down", { status: 503 }).status, 503)
})

test("redactUrl keeps only the origin of URLs that may carry credentials", () => {
  assert.equal(redactUrl("http://127.0.0.1:8545"), "http://127.0.0.1:8545")
  assert.equal(redactUrl("https://user:secret@rpc.example.org/"), "https://rpc.example.org")
  assert.equal(redactUrl("https://eth-mainnet.example.org/v2/API_KEY_123"), "https://eth-mainnet.example.org/…")
  assert.equal(redactUrl("https://rpc.example.org?apikey=abc"), "https://rpc.example.org/…")
  assert.equal(redactUrl("not a url"), "(invalid URL)")
  assert.doesNotMatch(redactUrl("wss://u:p@node.example.org/ws/KEY"), /KEY|u:p/)
})
