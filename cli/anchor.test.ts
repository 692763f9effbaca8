import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, test } from "node:test"
import type { Receipt } from "../sdk/anchors/receipt.ts"
import { createTestCredentials } from "../test/support/c2pa/certificates.ts"
import { createTestPng } from "../test/support/c2pa/images.ts"
import { signTestAsset } from "../test/support/c2pa/sign.ts"
import { startTestStack, type TestStack } from "../test/support/stack.ts"
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./main.ts"
import { runCli } from "../test/support/cli.ts"

const run = runCli

let stack: TestStack
let dir: string
before(async () => {
  stack = await startTestStack({ env: { ANCHOR_BATCH_INTERVAL_MS: "100" } })
  dir = await mkdtemp(join(tmpdir(), "humanmark-cli-anchor-"))
})
after(async () => {
  await stack.cleanup()
  await rm(dir, { recursive: true, force: true })
})

test("anchor --wait writes anchored receipts that verify, via the server and directly against the chain", async () => {
  const files = await Promise.all(
    ["a.bin", "b.txt"].map(async (name) => {
      const path = join(dir, name)
      await writeFile(path, randomBytes(100_000))
      return path
    }),
  )
  const anchored = await run(["anchor", ...files, "--wait", "--server", stack.url])
  assert.equal(anchored.code, EXIT_OK, anchored.err)
  const summary = JSON.parse(anchored.out) as { files: { file: string; digest: string; status: string; receipt: string; anchoredAt?: string }[] }
  assert.deepEqual(summary.files.map((each) => each.file), files)
  for (const entry of summary.files) {
    assert.ok(entry.status === "anchored" || entry.status === "final")
    const receipt = JSON.parse(await readFile(entry.receipt, "utf8")) as Receipt
    assert.equal(receipt.digest, entry.digest)
    assert.equal(receipt.status, entry.status, "the receipt file was rewritten once anchored")
  }

  const viaServer = await run(["verify", files[0]!, "--receipt", `${files[0]}.receipt.json`], { HUMANMARK_SERVER: stack.url })
  assert.equal(viaServer.code, EXIT_OK, viaServer.err)
  const result = JSON.parse(viaServer.out) as { valid: boolean; anchoredAt: string }
  assert.equal(result.valid, true)
  assert.equal(result.anchoredAt, summary.files[0]!.anchoredAt)
  assert.match(viaServer.err, /valid; anchored at \d{4}-/)

  const local = await run(["verify", files[1]!, "--receipt", `${files[1]}.receipt.json`, "--rpc-url", stack.rpcUrl, "--server", "http://127.0.0.1:1"])
  assert.equal(local.code, EXIT_OK, local.err)

  // Without --receipt the server looks the digest up.
  const lookedUp = await run(["verify", files[1]!, "--server", stack.url])
  assert.equal(lookedUp.code, EXIT_OK, lookedUp.err)
})

test("verify fails (exit 1) for changed bytes or a receipt of another file, and for unknown content", async () => {
  const path = join(dir, "original.txt")
  await writeFile(path, "the original words")
  assert.equal((await run(["anchor", path, "--wait", "--server", stack.url])).code, EXIT_OK)
  const changed = join(dir, "changed.txt")
  await writeFile(changed, "the original words!")

  const mismatch = await run(["verify", changed, "--receipt", `${path}.receipt.json`, "--server", stack.url])
  assert.equal(mismatch.code, EXIT_FAILURE)
  assert.equal((JSON.parse(mismatch.out) as { valid: boolean }).valid, false)
  assert.match(mismatch.err, /NOT valid \(digest:/)

  const unknown = await run(["verify", changed, "--server", stack.url])
  assert.equal(unknown.code, EXIT_FAILURE)
  assert.match(unknown.err, /\[digest_not_found\]/)
})

test("anchor without --wait leaves pending receipts; wrong command lines exit 2; missing files fail typed", async () => {
  const path = join(dir, "quick.txt")
  await writeFile(path, randomBytes(64))
  const quick = await run(["anchor", path, "--server", stack.url])
  assert.equal(quick.code, EXIT_OK, quick.err)
  assert.equal((JSON.parse(await readFile(`${path}.receipt.json`, "utf8")) as Receipt).status, "pending")

  assert.equal((await run(["anchor", "--server", stack.url])).code, EXIT_USAGE)
  assert.equal((await run(["verify", path, path])).code, EXIT_USAGE)
  const missing = await run(["anchor", join(dir, "nope.bin"), "--server", stack.url])
  assert.equal(missing.code, EXIT_FAILURE)
  assert.match(missing.err, /\[file_unreadable\]/)
})

test("many files show hashing progress on stderr", async () => {
  const files = await Promise.all(
    Array.from({ length: 25 }, async (_, index) => {
      const path = join(dir, `many-${index}.bin`)
      await writeFile(path, randomBytes(1_000))
      return path
    }),
  )
  const result = await run(["anchor", ...files, "--server", stack.url])
  assert.equal(result.code, EXIT_OK, result.err)
  assert.match(result.err, /hashing: 25 of 25 files/)
  assert.equal((JSON.parse(result.out) as { files: unknown[] }).files.length, 25)
})

test("anchor --c2pa keeps the C2PA summary of signed files in their anchor; other files are anchored without one", async () => {
  const credentials = createTestCredentials()
  const photo = join(dir, "signed.png")
  await writeFile(photo, await signTestAsset({ credentials, bytes: createTestPng(), mimeType: "image/png", title: "signed.png" }))
  const text = join(dir, "plain.txt")
  await writeFile(text, "no manifest here\n")

  const result = await run(["anchor", photo, text, "--c2pa", "--server", stack.url])
  assert.equal(result.code, EXIT_OK, result.err)
  assert.match(result.err, /c2pa: .*plain\.txt: .*anchored without a C2PA summary/)

  const signedReceipt = JSON.parse(await readFile(`${photo}.receipt.json`, "utf8")) as Receipt
  assert.equal(signedReceipt.c2pa?.present, true)
  assert.equal(signedReceipt.c2pa?.validationState, "Valid", "no trust anchors on this side: intact but not trusted")
  assert.equal((await (await fetch(`${stack.url}/v1/anchors/${signedReceipt.digest}`)).json() as Receipt).c2pa?.present, true)
  const plainReceipt = JSON.parse(await readFile(`${text}.receipt.json`, "utf8")) as Receipt
  assert.equal(plainReceipt.c2pa, undefined)
})
