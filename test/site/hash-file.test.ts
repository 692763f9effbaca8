// The site's file hashing, run in Node (which has Blob, streams and WebCrypto like a browser):
// both paths give the same SHA-256 as node:crypto and report progress up to the whole file.
import assert from "node:assert/strict"
import { createHash, randomBytes } from "node:crypto"
import { test } from "node:test"
import { formatBytes, hashFile, type HashProgress } from "../../site/src/scripts/hash-file.ts"

const content = randomBytes(3 * 2 ** 20 + 17)
const expected = `0x${createHash("sha256").update(content).digest("hex")}`

test("WebCrypto and streaming paths give the same digest as node:crypto", async () => {
  assert.equal(await hashFile(new Blob([content])), expected)
  assert.equal(await hashFile(new Blob([content]), { webCryptoMaxBytes: 0 }), expected)
  const empty = `0x${createHash("sha256").digest("hex")}`
  assert.equal(await hashFile(new Blob([])), empty)
  assert.equal(await hashFile(new Blob([]), { webCryptoMaxBytes: 0 }), empty)
})

test("progress ends at the full size, and an abort stops hashing", async () => {
  const reports: HashProgress[] = []
  await hashFile(new Blob([content]), { onProgress: (progress) => reports.push(progress), webCryptoMaxBytes: 0 })
  assert.deepEqual(reports.at(-1), { bytesHashed: content.length, totalBytes: content.length })
  await assert.rejects(hashFile(new Blob([content]), { signal: AbortSignal.abort() }), { name: "AbortError" })
})

test("sizes read like a file manager's", () => {
  assert.equal(formatBytes(532), "532 B")
  assert.equal(formatBytes(1_400_000), "1.4 MB")
  assert.equal(formatBytes(268_435_456), "268 MB")
})
