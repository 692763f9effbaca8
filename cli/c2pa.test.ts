import assert from "node:assert/strict"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import type { C2paSummary } from "../sdk/c2pa/summary.ts"
import { createTestCredentials } from "../test/support/c2pa/certificates.ts"
import { createTestPng, tamperPngPixels } from "../test/support/c2pa/images.ts"
import { signTestAsset } from "../test/support/c2pa/sign.ts"
import { runCli } from "../test/support/cli.ts"

const run = (argv: string[]) => runCli(argv)

describe("humanmark c2pa", () => {
  let directory: string
  const path = (name: string) => join(directory, name)

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "humanmark-c2pa-"))
    const credentials = createTestCredentials()
    const signed = await signTestAsset({ credentials, bytes: createTestPng(), mimeType: "image/png", title: "photo.png" })
    await writeFile(path("signed.png"), signed)
    await writeFile(path("tampered.png"), tamperPngPixels(signed))
    await writeFile(path("unsigned.png"), createTestPng())
    await writeFile(path("notes.txt"), "not an image")
    await writeFile(path("anchors.pem"), credentials.certificateAuthority.pem)
  })

  after(() => rm(directory, { recursive: true, force: true }))

  it("prints a Trusted summary with --trust-anchors", async () => {
    const { code, out, err } = await run(["c2pa", path("signed.png"), "--trust-anchors", path("anchors.pem")])
    assert.equal(code, 0, err)
    const summary = JSON.parse(out) as C2paSummary
    assert.equal(summary.present, true)
    assert.equal(summary.validationState, "Trusted")
    assert.equal(summary.activeManifest?.title, "photo.png")
    assert.equal(summary.activeManifest?.signer?.commonName, "Humanmark Test Signer")
  })

  it("prints Valid without anchors and Invalid for a tampered file, exiting 0: the file was read", async () => {
    const untrusted = await run(["c2pa", path("signed.png")])
    assert.equal(untrusted.code, 0)
    assert.equal((JSON.parse(untrusted.out) as C2paSummary).validationState, "Valid")
    const tampered = await run(["c2pa", path("tampered.png"), "--trust-anchors", path("anchors.pem")])
    assert.equal(tampered.code, 0)
    const summary = JSON.parse(tampered.out) as C2paSummary
    assert.equal(summary.validationState, "Invalid")
    assert.ok(summary.statusCodes.failure.includes("assertion.dataHash.mismatch"))
  })

  it("prints present: false for an unsigned file", async () => {
    const { code, out } = await run(["c2pa", path("unsigned.png")])
    assert.equal(code, 0)
    assert.equal((JSON.parse(out) as C2paSummary).present, false)
  })

  it("exits 1 with the error code for unreadable input", async () => {
    const unsupported = await run(["c2pa", path("notes.txt")])
    assert.equal(unsupported.code, 1)
    assert.equal(unsupported.out, "")
    assert.match(unsupported.err, /\[c2pa_unsupported_format\]/)
    const mislabelled = await run(["c2pa", path("signed.png"), "--mime-type", "image/jpeg"])
    assert.equal(mislabelled.code, 1)
    assert.match(mislabelled.err, /\[c2pa_unreadable\]/)
    const missing = await run(["c2pa", path("missing.png")])
    assert.equal(missing.code, 1)
    assert.match(missing.err, /does not exist\. \[file_unreadable\]/)
    const badAnchors = await run(["c2pa", path("signed.png"), "--trust-anchors", path("notes.txt")])
    assert.equal(badAnchors.code, 1)
    assert.match(badAnchors.err, /\[c2pa_invalid_trust_anchors\]/)
  })

  it("exits 2 on a wrong command line", async () => {
    for (const argv of [["c2pa"], ["c2pa", "a.png", "b.png"], ["c2pa", "a.png", "--trust"], ["c2pa", "a.png", "--trust-anchors"]]) {
      const { code, err } = await run(argv)
      assert.equal(code, 2, argv.join(" "))
      assert.match(err, /Usage: humanmark c2pa FILE/)
    }
  })

  it("is listed in the help", async () => {
    const { out } = await run(["--help"])
    assert.match(out, /c2pa FILE \[--trust-anchors PEM_FILE\]/)
  })
})
