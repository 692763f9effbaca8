// POST /v1/c2pa on the running server, with trust anchors given by C2PA_TRUST_ANCHORS.
import assert from "node:assert/strict"
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import type { C2paSummary } from "../../sdk/c2pa/summary.ts"
import { createTestCredentials } from "../support/c2pa/certificates.ts"
import { createTestPng } from "../support/c2pa/images.ts"
import { signTestAsset } from "../support/c2pa/sign.ts"
import { startTestStack } from "../support/stack.ts"

const dir = await mkdtemp(join(tmpdir(), "humanmark-c2pa-integration-"))
after(() => rm(dir, { recursive: true, force: true }))

test("the server reads uploads with its configured trust anchors: signed files are Trusted, others say why", async () => {
  const credentials = createTestCredentials()
  const anchorsPath = join(dir, "anchors.pem")
  await writeFile(anchorsPath, credentials.certificateAuthority.pem)
  const signed = await signTestAsset({ credentials, bytes: createTestPng(), mimeType: "image/png", title: "photo.png" })

  const stack = await startTestStack({ env: { C2PA_TRUST_ANCHORS: anchorsPath } })
  try {
    const upload = (bytes: Uint8Array, type = "image/png") =>
      fetch(`${stack.url}/v1/c2pa`, { method: "POST", headers: { "content-type": type }, body: Buffer.from(bytes) })

    const trusted = await upload(signed)
    assert.equal(trusted.status, 200)
    const summary = (await trusted.json()) as C2paSummary
    assert.equal(summary.present, true)
    assert.equal(summary.validationState, "Trusted")
    assert.equal(summary.activeManifest?.title, "photo.png")

    const unsigned = (await (await upload(createTestPng())).json()) as C2paSummary
    assert.equal(unsigned.present, false)

    const garbage = await upload(new TextEncoder().encode("not an image"), "image/jpeg")
    assert.equal(garbage.status, 422)
    assert.equal(((await garbage.json()) as { error: { code: string } }).error.code, "c2pa_unreadable")
  } finally {
    await stack.cleanup()
  }
})

test("a missing trust anchors file stops the start with a clear error", async () => {
  await assert.rejects(startTestStack({ env: { C2PA_TRUST_ANCHORS: join(dir, "missing.pem") } }), {
    code: "invalid_config",
    message: /C2PA_TRUST_ANCHORS/,
  })
})
