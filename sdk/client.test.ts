import assert from "node:assert/strict"
import { test } from "node:test"
import { Hono } from "hono"
import { onError, onNotFound } from "../server/http/errors.ts"
import { createHumanmarkClient } from "./client.ts"
import { HumanmarkError } from "./errors.ts"

// A real hono app with the server's own error handling, reached through the client's fetch hook.
const app = new Hono()
  .onError(onError)
  .notFound(onNotFound)
  .post("/echo", async (c) => c.json({ received: await c.req.json() }))
  .get("/refuse", () => {
    throw new HumanmarkError("challenge_expired", "The challenge expired.", { details: "Ask for a new one.", status: 410 })
  })
  .get("/crash", () => {
    throw new Error("database password is hunter2")
  })
  .get("/text", (c) => c.text("hello", 502))

const client = createHumanmarkClient({ serverUrl: "http://humanmark.test/", fetch: (url, init) => app.request(url, init) })

test("JSON bodies go out and come back", async () => {
  assert.equal(client.serverUrl, "http://humanmark.test")
  assert.deepEqual(await client.request("/echo", { body: { digest: "0x01" } }), { received: { digest: "0x01" } })
})

test("the server's typed errors come back as HumanmarkError with code, message, details and status", async () => {
  await assert.rejects(client.request("/refuse"), (error: unknown) => {
    assert.ok(error instanceof HumanmarkError)
    assert.equal(error.code, "challenge_expired")
    assert.equal(error.message, "The challenge expired.")
    assert.equal(error.details, "Ask for a new one.")
    assert.equal(error.status, 410)
    return true
  })
  await assert.rejects(client.request("/missing"), { code: "not_found", status: 404 })
})

test("a server bug surfaces as internal_error without leaking its message", async () => {
  const originalConsoleError = console.error
  console.error = () => {}
  try {
    await assert.rejects(client.request("/crash"), (error: unknown) => {
      assert.ok(error instanceof HumanmarkError)
      assert.equal(error.code, "internal_error")
      assert.doesNotMatch(error.message, /hunter2/)
      return true
    })
  } finally {
    console.error = originalConsoleError
  }
})

test("a non-JSON answer and a bad server URL are typed errors too", async () => {
  await assert.rejects(client.request("/text"), { code: "bad_server_response", status: 502 })
  assert.throws(() => createHumanmarkClient({ serverUrl: "ftp://x" }), { code: "invalid_server_url" })
  assert.throws(() => createHumanmarkClient({ serverUrl: "::" }), { code: "invalid_server_url" })
})
