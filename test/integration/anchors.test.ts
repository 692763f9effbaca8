// Content anchors through the real HTTP API, anvil and SQLite: submit, batch, anchor, verify, bad input.
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { request } from "node:http"
import { after, before, test } from "node:test"
import { bytesToHex, type Hex } from "viem"
import { getReceipt, submitDigests, waitForReceipt } from "../../sdk/anchors/client.ts"
import { rootFromPath } from "../../sdk/anchors/merkle.ts"
import type { Receipt } from "../../sdk/anchors/receipt.ts"
import { verifyReceipt } from "../../sdk/anchors/verify.ts"
import { createHumanmarkClient, type HumanmarkClient } from "../../sdk/client.ts"
import { startTestStack, type TestStack } from "../support/stack.ts"

const randomDigest = () => bytesToHex(randomBytes(32))

let stack: TestStack
let client: HumanmarkClient
const logs: string[] = []
before(async () => {
  stack = await startTestStack({ env: { ANCHOR_BATCH_INTERVAL_MS: "100" }, log: (line) => logs.push(line) })
  client = createHumanmarkClient({ serverUrl: stack.url })
})
after(() => stack.cleanup())

async function post(path: string, body: string | object, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string }; receipts?: Receipt[] } }
}

/** Declares a large body and sends only its start: the server must answer from Content-Length alone. */
function postDeclaringLength(path: string, length: number): Promise<{ status: number; body: { error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${stack.url}${path}`, { method: "POST", headers: { "content-type": "application/json", "content-length": length } }, (response) => {
      let text = ""
      response.on("data", (chunk: Buffer) => (text += chunk.toString()))
      response.on("end", () => {
        outgoing.destroy()
        resolve({ status: response.statusCode!, body: JSON.parse(text) as { error?: { code: string } } })
      })
    })
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error)
    })
    outgoing.write('{"digests": ["')
  })
}

test("a digest is accepted as pending, then anchored, and its receipt verifies against the chain", async () => {
  const digest = randomDigest()
  const answer = await post("/v1/anchors", { digest: digest.toUpperCase().replace("0X", "0x") })
  assert.equal(answer.status, 202)
  assert.equal(answer.body.receipts?.length, 1)
  assert.equal(answer.body.receipts![0]!.status, "pending")
  assert.equal(answer.body.receipts![0]!.digest, digest, "digests are stored lowercase")

  const statuses: string[] = []
  const receipt = await waitForReceipt(client, { digest, intervalMs: 50, timeoutMs: 30_000, onProgress: (each) => statuses.push(each.status) })
  assert.equal(statuses.at(-1), receipt.status)
  assert.ok(receipt.status === "anchored" || receipt.status === "final")
  assert.equal(receipt.anchor!.contract, stack.deployment.contracts.contentAnchor)
  assert.equal(receipt.anchor!.chain, "eip155:31337")

  const result = await verifyReceipt({ receipt, digest, publicClient: stack.clients.publicClient as never })
  assert.equal(result.valid, true, JSON.stringify(result.checks))
  assert.equal(result.submitter, stack.clients.walletClient!.account.address)

  // The server verifies too, for clients without an RPC endpoint.
  const onServer = (await post("/v1/verify", { receipt, digest })).body as unknown as { valid: boolean; anchoredAt: string }
  assert.equal(onServer.valid, true)
  assert.equal(onServer.anchoredAt, receipt.anchor!.anchoredAt)
})

test("10,000 digests in one request are stored, batched into one tree and anchored with one transaction", async () => {
  const digests = Array.from({ length: 10_000 }, randomDigest)
  const started = performance.now()
  const answer = await post("/v1/anchors", { digests })
  const acceptedMs = performance.now() - started
  assert.equal(answer.status, 202)
  assert.deepEqual(answer.body.receipts!.map((receipt) => receipt.digest), digests)

  const last = await waitForReceipt(client, { digest: digests.at(-1)!, intervalMs: 100, timeoutMs: 60_000 })
  const anchoredMs = performance.now() - started
  const sample = await Promise.all([0, 1, 4_999, 9_998].map((index) => getReceipt(client, digests[index]!)))
  for (const receipt of [...sample, last]) {
    assert.equal(receipt.anchor?.txHash, last.anchor!.txHash, "one transaction for the whole request")
    assert.equal(rootFromPath(receipt.digest, receipt.merkle!.path), receipt.merkle!.root)
  }
  assert.equal(sample[0]!.merkle!.path.length, 14, "a 10,000-leaf tree is 14 levels deep")
  const result = await verifyReceipt({ receipt: sample[2], digest: digests[4_999], publicClient: stack.clients.publicClient as never })
  assert.equal(result.valid, true, JSON.stringify(result.checks))
  console.log(`# 10,000 digests: accepted (stored durably) in ${Math.round(acceptedMs)} ms, anchored after ${Math.round(anchoredMs)} ms`)
})

test("the same digest twice gives the same receipt, before and after anchoring", async () => {
  const digest = randomDigest()
  const [first] = (await post("/v1/anchors", { digest })).body.receipts!
  const [second, third] = (await post("/v1/anchors", { digests: [digest, digest] })).body.receipts!
  // The worker may have put it in a batch meanwhile; what identifies the submission stays.
  for (const receipt of [second!, third!]) assert.deepEqual([receipt.digest, receipt.submittedAt], [first!.digest, first!.submittedAt])
  const anchored = await waitForReceipt(client, { digest, intervalMs: 50, timeoutMs: 30_000 })
  const [again] = await submitDigests(client, { digests: [digest] })
  assert.deepEqual(again, anchored)
  assert.equal(again!.submittedAt, first!.submittedAt)
})

test("bad input answers a typed 4xx and stores nothing", async () => {
  const good = randomDigest()
  const cases: [string | object, number, string, RegExp?][] = [
    [{ digests: [good, "0x1234"] }, 400, "invalid_digest", /digests\[1\]/],
    [{ digest: `${good}00` }, 400, "invalid_digest", /^digest /],
    [{ digests: [good, good.slice(2)] }, 400, "invalid_digest", /digests\[1\]/],
    [{ digests: Array.from({ length: 10_001 }, () => good) }, 413, "batch_too_large", /10001 digests/],
    [{ digests: [] }, 400, "empty_batch"],
    ['{"digest": "0x', 400, "invalid_json"],
    [{ digest: good, extra: 1 }, 400, "invalid_request"],
    [{ hello: "world" }, 400, "invalid_request"],
    [[good], 400, "invalid_request"],
    [{ digest: good, humanProof: { groupId: "0" } }, 400, "invalid_human_proof"],
  ]
  for (const [body, status, code, message] of cases) {
    const answer = await post("/v1/anchors", body)
    assert.equal(answer.status, status, `${JSON.stringify(body).slice(0, 80)} -> ${JSON.stringify(answer.body)}`)
    assert.equal(answer.body.error?.code, code)
    if (message) assert.match(answer.body.error!.message, message)
  }
  // More than 1 MiB: refused from the Content-Length, before reading.
  const oversized = await postDeclaringLength("/v1/anchors", 2 * 1024 * 1024)
  assert.equal(oversized.status, 413)
  assert.equal(oversized.body.error?.code, "body_too_large")

  assert.equal(await stack.storage.anchors.getDigest(good), undefined, "nothing was stored")
  const missing = await fetch(`${stack.url}/v1/anchors/${good}`)
  assert.equal(missing.status, 404)
  assert.equal(((await missing.json()) as { error: { code: string } }).error.code, "digest_not_found")
  const malformed = await fetch(`${stack.url}/v1/anchors/0xnothex`)
  assert.equal(malformed.status, 400)
  assert.equal(((await malformed.json()) as { error: { code: string } }).error.code, "invalid_digest")
})

test("POST /v1/verify rejects malformed receipts with invalid_receipt, and says a tampered one is not valid", async () => {
  const bad = await post("/v1/verify", { receipt: { version: "humanmark-receipt/1", digest: "0x12" } })
  assert.equal(bad.status, 400)
  assert.equal(bad.body.error?.code, "invalid_receipt")
  const noReceipt = await post("/v1/verify", { digest: randomDigest() })
  assert.equal(noReceipt.body.error?.code, "invalid_request")

  const digest = randomDigest()
  await submitDigests(client, { digests: [digest] })
  const receipt = (await waitForReceipt(client, { digest, intervalMs: 50, timeoutMs: 30_000 })) as Receipt & { merkle: { root: Hex } }
  const tampered = { ...receipt, merkle: { ...receipt.merkle, root: randomDigest() } }
  const answer = (await post("/v1/verify", { receipt: tampered, digest })).body as unknown as { valid: boolean; checks: Record<string, { status: string }> }
  assert.equal(answer.valid, false)
  assert.equal(answer.checks.merklePath!.status, "failed")
})

test("the worker logged each batch it built and anchored", () => {
  assert.ok(logs.some((line) => /anchors: batch \d+: 10000 digest\(s\)/.test(line)), logs.join("\n"))
  assert.ok(logs.some((line) => /anchors: batch \d+: anchored in block \d+/.test(line)))
})
