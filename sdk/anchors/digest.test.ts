import assert from "node:assert/strict"
import { createHash, randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "node:test"
import { digestOf, normalizeDigest, parseDigest } from "./digest.ts"
import { sha256File } from "./digest.node.ts"

test("digestOf and sha256File agree with node:crypto", async () => {
  const bytes = new Uint8Array(randomBytes(3 * 65536 + 17))
  const expected = `0x${createHash("sha256").update(bytes).digest("hex")}`
  assert.equal(digestOf(bytes), expected)
  assert.equal(digestOf(new Uint8Array()), "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
  const dir = mkdtempSync(join(tmpdir(), "humanmark-digest-"))
  try {
    writeFileSync(join(dir, "content.bin"), bytes)
    assert.equal(await sha256File(join(dir, "content.bin")), expected)
    await assert.rejects(sha256File(join(dir, "missing.bin")), { code: "file_unreadable" })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test("digests are checked and normalised", () => {
  const upper = `0x${"AB".repeat(32)}`
  assert.equal(normalizeDigest(upper), upper.toLowerCase())
  assert.equal(parseDigest(upper).length, 32)
  for (const bad of ["", "0x", `0x${"ab".repeat(31)}`, `${"ab".repeat(33)}`, `0x${"zz".repeat(32)}`]) {
    assert.throws(() => parseDigest(bad), { code: "invalid_digest" })
  }
})
