import assert from "node:assert/strict"
import { before, describe, it } from "node:test"
import { Hono } from "hono"
import type { C2paSummary } from "../../sdk/c2pa/summary.ts"
import { HumanmarkError } from "../../sdk/errors.ts"
import { createTestCredentials, type TestCredentials } from "../../test/support/c2pa/certificates.ts"
import { createTestPng, tamperPngPixels } from "../../test/support/c2pa/images.ts"
import { signTestAsset } from "../../test/support/c2pa/sign.ts"
import { onError, type ErrorBody } from "../http/errors.ts"
import { c2paRoutes, type C2paRouteDependencies } from "./c2pa.ts"

const buildApp = (deps: C2paRouteDependencies) => new Hono().onError(onError).route("/v1/c2pa", c2paRoutes(deps))

const postRaw = (app: Hono, bytes: Uint8Array, contentType?: string) =>
  app.request("/v1/c2pa", {
    method: "POST",
    body: new Uint8Array(bytes),
    headers: contentType ? { "Content-Type": contentType } : {},
  })

const postMultipart = (app: Hono, bytes: Uint8Array, type: string, field = "file") => {
  const form = new FormData()
  form.append(field, new Blob([new Uint8Array(bytes)], { type }), "upload")
  return app.request("/v1/c2pa", { method: "POST", body: form })
}

async function expectError(response: Response, status: number, code: string) {
  assert.equal(response.status, status)
  const body = (await response.json()) as ErrorBody
  assert.equal(body.error.code, code)
  assert.ok(body.error.message.length > 0)
}

describe("POST /v1/c2pa", () => {
  let credentials: TestCredentials
  let signed: Uint8Array
  let app: Hono

  before(async () => {
    credentials = createTestCredentials()
    signed = await signTestAsset({ credentials, bytes: createTestPng(), mimeType: "image/png", title: "photo.png" })
    app = buildApp({ trustAnchorsPem: credentials.certificateAuthority.pem })
  })

  it("reads a raw upload with the server's trust anchors", async () => {
    const response = await postRaw(app, signed, "image/png")
    assert.equal(response.status, 200)
    assert.equal(response.headers.get("cache-control"), "no-store")
    const summary = (await response.json()) as C2paSummary
    assert.equal(summary.validationState, "Trusted")
    assert.equal(summary.activeManifest?.title, "photo.png")
    assert.deepEqual(
      summary.activeManifest?.actions.map((action) => action.action),
      ["c2pa.created", "c2pa.edited"],
    )
  })

  it("reads a multipart upload, and a raw one without a media type", async () => {
    const multipart = (await (await postMultipart(app, signed, "image/png")).json()) as C2paSummary
    assert.equal(multipart.validationState, "Trusted")
    const untyped = (await (await postRaw(app, signed, "application/octet-stream")).json()) as C2paSummary
    assert.equal(untyped.validationState, "Trusted")
  })

  it("answers Valid without trust anchors, Invalid for tampered pixels, present: false when unsigned", async () => {
    const untrusted = (await (await postRaw(buildApp({}), signed, "image/png")).json()) as C2paSummary
    assert.equal(untrusted.validationState, "Valid")
    assert.deepEqual(untrusted.statusCodes.failure, ["signingCredential.untrusted"])
    const tampered = (await (await postRaw(app, tamperPngPixels(signed), "image/png")).json()) as C2paSummary
    assert.equal(tampered.validationState, "Invalid")
    assert.ok(tampered.statusCodes.failure.includes("assertion.dataHash.mismatch"))
    const unsigned = await postRaw(app, createTestPng(), "image/png")
    assert.equal(unsigned.status, 200)
    assert.equal(((await unsigned.json()) as C2paSummary).present, false)
  })

  it("answers 413 file_too_large over the limit, by Content-Length or by streamed size", async () => {
    const small = buildApp({ maxBytes: 1024 })
    const big = new Uint8Array(1024 + 64 * 1024 + 1)
    await expectError(await postRaw(small, big, "image/png"), 413, "file_too_large")
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let sent = 0; sent < big.length; sent += 16 * 1024) controller.enqueue(big.subarray(sent, sent + 16 * 1024))
        controller.close()
      },
    })
    const response = await small.request("/v1/c2pa", { method: "POST", body: streamed, duplex: "half" } as RequestInit)
    await expectError(response, 413, "file_too_large")
    // Within the multipart slack but over the file limit: the reader's own check answers.
    await expectError(await postRaw(small, signed, "image/png"), 413, "file_too_large")
  })

  it("answers typed 4xx errors for input it cannot read", async () => {
    await expectError(await postRaw(app, new TextEncoder().encode("hello"), "text/plain"), 415, "c2pa_unsupported_format")
    await expectError(await postRaw(app, new TextEncoder().encode("hello"), "image/jpeg"), 422, "c2pa_unreadable")
    await expectError(await postRaw(app, signed.subarray(0, 600), "image/png"), 422, "c2pa_unreadable")
    await expectError(await postRaw(app, new Uint8Array(0), "image/png"), 400, "file_missing")
    await expectError(await postMultipart(app, signed, "image/png", "picture"), 400, "file_missing")
    const brokenMultipart = await app.request("/v1/c2pa", {
      method: "POST",
      body: "--x\r\nnot a part",
      headers: { "Content-Type": "multipart/form-data; boundary=zzz" },
    })
    await expectError(brokenMultipart, 400, "invalid_multipart")
  })

  it("refuses a wrong trust anchors file when the routes are built", () => {
    assert.throws(
      () => c2paRoutes({ trustAnchorsPem: "not a certificate" }),
      (error: unknown) => error instanceof HumanmarkError && error.code === "c2pa_invalid_trust_anchors",
    )
  })
})
