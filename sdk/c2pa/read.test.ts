import assert from "node:assert/strict"
import { before, describe, it } from "node:test"
import { createTestCredentials, type TestCredentials } from "../../test/support/c2pa/certificates.ts"
import { createTestPng, indexOfBytes, tamperPngPixels } from "../../test/support/c2pa/images.ts"
import { signTestAsset } from "../../test/support/c2pa/sign.ts"
import { HumanmarkError } from "../errors.ts"
import { C2PA_ERROR_CODES, C2PA_MAX_BYTES, readC2pa } from "./read.ts"

const rejectsWith = (promise: Promise<unknown>, code: string, status: number) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof HumanmarkError, `expected a HumanmarkError, got ${String(error)}`)
    assert.equal(error.code, code)
    assert.equal(error.status, status)
    return true
  })

describe("readC2pa", () => {
  let credentials: TestCredentials
  let otherCredentials: TestCredentials
  let signed: Uint8Array

  before(async () => {
    credentials = createTestCredentials()
    otherCredentials = createTestCredentials({ organization: "Someone Else" })
    signed = await signTestAsset({ credentials, bytes: createTestPng(), mimeType: "image/png", title: "photo.png" })
  })

  it("reports a signed file as Trusted when its CA is a trust anchor, with signer and actions", async () => {
    const summary = await readC2pa({ bytes: signed, mimeType: "image/png", trustAnchorsPem: credentials.certificateAuthority.pem })
    assert.equal(summary.present, true)
    assert.equal(summary.validationState, "Trusted")
    assert.deepEqual(summary.statusCodes.failure, [])
    assert.ok(summary.statusCodes.success.includes("signingCredential.trusted"))
    assert.ok(summary.statusCodes.success.includes("claimSignature.validated"))
    assert.ok(summary.statusCodes.success.includes("assertion.dataHash.match"))
    assert.ok(summary.statusCodes.informational.includes("signingCredential.ocsp.skipped"), "OCSP must be skipped offline")
    const manifest = summary.activeManifest
    assert.ok(manifest)
    assert.match(manifest.label, /^urn:c2pa:/)
    assert.equal(manifest.title, "photo.png")
    assert.equal(manifest.claimGenerator, "humanmark-test/0.1.0")
    assert.deepEqual(manifest.signer, { issuer: "Humanmark Test", commonName: "Humanmark Test Signer", algorithm: "Es256" })
    assert.deepEqual(
      manifest.actions.map(({ action, softwareAgent }) => ({ action, softwareAgent })),
      [
        { action: "c2pa.created", softwareAgent: "humanmark-test/0.1.0" },
        { action: "c2pa.edited", softwareAgent: "humanmark-test-editor/1.0" },
      ],
    )
    assert.ok(manifest.actions[0]?.when)
    assert.match(manifest.actions[0]?.digitalSourceType ?? "", /digitalCapture$/)
    assert.deepEqual(manifest.ingredients, [])
    assert.equal(summary.ingredientResults, undefined)
  })

  it("recognises the format from the bytes when no media type is given", async () => {
    const summary = await readC2pa({ bytes: signed, trustAnchorsPem: credentials.certificateAuthority.pem })
    assert.equal(summary.validationState, "Trusted")
  })

  it("reports Valid but untrusted without trust anchors, or with anchors of another CA", async () => {
    for (const trustAnchorsPem of [undefined, otherCredentials.certificateAuthority.pem]) {
      const summary = await readC2pa({ bytes: signed, mimeType: "image/png", trustAnchorsPem })
      assert.equal(summary.validationState, "Valid")
      assert.deepEqual(summary.statusCodes.failure, ["signingCredential.untrusted"])
      assert.ok(summary.statusCodes.success.includes("assertion.dataHash.match"))
    }
  })

  it("accepts a bundle of several anchors", async () => {
    const bundle = otherCredentials.certificateAuthority.pem + credentials.certificateAuthority.pem
    const summary = await readC2pa({ bytes: signed, mimeType: "image/png", trustAnchorsPem: bundle })
    assert.equal(summary.validationState, "Trusted")
  })

  it("reports changed pixels as Invalid with assertion.dataHash.mismatch", async () => {
    const summary = await readC2pa({
      bytes: tamperPngPixels(signed),
      mimeType: "image/png",
      trustAnchorsPem: credentials.certificateAuthority.pem,
    })
    assert.equal(summary.present, true)
    assert.equal(summary.validationState, "Invalid")
    assert.deepEqual(summary.statusCodes.failure, ["assertion.dataHash.mismatch"])
    assert.ok(summary.activeManifest, "the manifest is still reported")
  })

  it("reports a changed signature as Invalid with claimSignature.mismatch", async () => {
    const tampered = new Uint8Array(signed)
    // The COSE_Sign1 (CBOR tag 18, array of 4) ends with the 64-byte ES256 signature (0x58 0x40 + r || s).
    const cose = indexOfBytes(tampered, Uint8Array.of(0xd2, 0x84))
    const signature = indexOfBytes(tampered, Uint8Array.of(0x58, 0x40), cose)
    assert.ok(cose > 0 && signature > cose)
    tampered[signature + 2 + 10]! ^= 0xff
    const summary = await readC2pa({ bytes: tampered, mimeType: "image/png", trustAnchorsPem: credentials.certificateAuthority.pem })
    assert.equal(summary.validationState, "Invalid")
    assert.ok(summary.statusCodes.failure.includes("claimSignature.mismatch"))
  })

  it("reports a changed claim or assertion as Invalid", async () => {
    const edit = (text: string) => {
      const tampered = new Uint8Array(signed)
      const at = indexOfBytes(tampered, new TextEncoder().encode(text))
      assert.ok(at > 0, `${text} is in the manifest`)
      tampered[at] = "X".charCodeAt(0)
      return tampered
    }
    const anchors = credentials.certificateAuthority.pem
    const claim = await readC2pa({ bytes: edit("photo.png"), mimeType: "image/png", trustAnchorsPem: anchors })
    assert.equal(claim.validationState, "Invalid")
    assert.ok(claim.statusCodes.failure.includes("claimSignature.mismatch"))
    const assertion = await readC2pa({ bytes: edit("humanmark-test-editor"), mimeType: "image/png", trustAnchorsPem: anchors })
    assert.equal(assertion.validationState, "Invalid")
    assert.ok(assertion.statusCodes.failure.includes("assertion.hashedURI.mismatch"))
  })

  it("reports an expired signing certificate as Invalid", async () => {
    const day = 24 * 60 * 60 * 1000
    const expired = createTestCredentials({ notBefore: new Date(Date.now() - 3 * day), notAfter: new Date(Date.now() - day) })
    const bytes = await signTestAsset({ credentials: expired, bytes: createTestPng(), mimeType: "image/png" })
    const summary = await readC2pa({ bytes, mimeType: "image/png", trustAnchorsPem: expired.certificateAuthority.pem })
    assert.equal(summary.validationState, "Invalid")
    assert.ok(summary.statusCodes.failure.includes("signingCredential.expired"), summary.statusCodes.failure.join(", "))
  })

  it("reports an ingredient's failures separately: the file can stay Trusted", async () => {
    // The parent was signed by another CA and then edited without a new manifest.
    const parent = tamperPngPixels(await signTestAsset({ credentials: otherCredentials, bytes: createTestPng(), mimeType: "image/png" }))
    const bytes = await signTestAsset({
      credentials,
      bytes: createTestPng({ color: [10, 20, 30] }),
      mimeType: "image/png",
      ingredient: { title: "parent.png", bytes: parent, mimeType: "image/png" },
    })
    const bothAnchors = credentials.certificateAuthority.pem + otherCredentials.certificateAuthority.pem
    const summary = await readC2pa({ bytes, mimeType: "image/png", trustAnchorsPem: bothAnchors })
    assert.equal(summary.validationState, "Trusted")
    assert.deepEqual(summary.statusCodes.failure, [])
    assert.deepEqual(summary.activeManifest?.ingredients, [
      { title: "parent.png", format: "image/png", relationship: "parentOf", validationState: "Invalid" },
    ])
    assert.deepEqual(
      summary.activeManifest?.actions.map((action) => action.action),
      ["c2pa.opened", "c2pa.edited"],
    )
    assert.equal(summary.ingredientResults?.length, 1)
    assert.match(summary.ingredientResults?.[0]?.ingredientUri ?? "", /c2pa\.ingredient/)

    // Trusting only the file's own CA: the ingredient's signer is untrusted too, which c2pa-rs folds into the file's state.
    const ownAnchor = await readC2pa({ bytes, mimeType: "image/png", trustAnchorsPem: credentials.certificateAuthority.pem })
    assert.ok(ownAnchor.ingredientResults?.[0]?.statusCodes.failure.includes("signingCredential.untrusted"))
  })

  it("reports a file without C2PA data as not present", async () => {
    for (const mimeType of ["image/png", undefined]) {
      assert.deepEqual(await readC2pa({ bytes: createTestPng(), mimeType }), {
        present: false,
        validationState: null,
        activeManifest: null,
        statusCodes: { success: [], informational: [], failure: [] },
      })
    }
  })

  it("gives each of many concurrent reads its own result (one wasm instance serves them all)", async () => {
    const tampered = tamperPngPixels(signed)
    const anchors = credentials.certificateAuthority.pem
    const inputs = Array.from({ length: 24 }, (_, index) => index % 3)
    const states = await Promise.all(
      inputs.map(async (kind) => {
        if (kind === 0) return (await readC2pa({ bytes: signed, trustAnchorsPem: anchors })).validationState
        if (kind === 1) return (await readC2pa({ bytes: tampered, trustAnchorsPem: anchors })).validationState
        return readC2pa({ bytes: signed.subarray(0, 600), mimeType: "image/png" }).then(
          () => "read",
          (error: HumanmarkError) => error.code,
        )
      }),
    )
    assert.deepEqual(states, inputs.map((kind) => ["Trusted", "Invalid", C2PA_ERROR_CODES.unreadable][kind]))
  })

  it("never touches the network", async () => {
    const originalFetch = globalThis.fetch
    const requested: string[] = []
    globalThis.fetch = async (input) => {
      requested.push(String(input))
      throw new Error("offline")
    }
    try {
      await readC2pa({ bytes: signed, mimeType: "image/png", trustAnchorsPem: credentials.certificateAuthority.pem })
      await readC2pa({ bytes: signed, mimeType: "image/png" })
    } finally {
      globalThis.fetch = originalFetch
    }
    assert.deepEqual(requested, [])
  })

  describe("input it cannot read", () => {
    it("rejects unsupported media types", async () => {
      await rejectsWith(readC2pa({ bytes: createTestPng(), mimeType: "text/plain" }), C2PA_ERROR_CODES.unsupportedFormat, 415)
      await rejectsWith(readC2pa({ bytes: createTestPng(), mimeType: "image/bmp" }), C2PA_ERROR_CODES.unsupportedFormat, 415)
    })

    it("rejects bytes of no known format when no type is given", async () => {
      const garbage = new TextEncoder().encode("this is not an image at all")
      await rejectsWith(readC2pa({ bytes: garbage }), C2PA_ERROR_CODES.unsupportedFormat, 415)
    })

    it("rejects garbage, empty, truncated or mislabelled bytes as unreadable", async () => {
      const garbage = new TextEncoder().encode("this is not an image at all")
      await rejectsWith(readC2pa({ bytes: garbage, mimeType: "image/jpeg" }), C2PA_ERROR_CODES.unreadable, 422)
      await rejectsWith(readC2pa({ bytes: new Uint8Array(0), mimeType: "image/png" }), C2PA_ERROR_CODES.unreadable, 422)
      await rejectsWith(readC2pa({ bytes: signed.subarray(0, 600), mimeType: "image/png" }), C2PA_ERROR_CODES.unreadable, 422)
      await rejectsWith(readC2pa({ bytes: signed, mimeType: "image/webp" }), C2PA_ERROR_CODES.unreadable, 422)
      // A JPEG with nothing but start and end markers.
      await rejectsWith(readC2pa({ bytes: Uint8Array.of(0xff, 0xd8, 0xff, 0xd9), mimeType: "image/jpeg" }), C2PA_ERROR_CODES.unreadable, 422)
    })

    it("rejects input over the size limit before reading it", async () => {
      await rejectsWith(readC2pa({ bytes: signed, maxBytes: signed.length - 1 }), C2PA_ERROR_CODES.fileTooLarge, 413)
      await rejectsWith(readC2pa({ bytes: new Uint8Array(C2PA_MAX_BYTES + 1) }), C2PA_ERROR_CODES.fileTooLarge, 413)
      assert.equal((await readC2pa({ bytes: signed, maxBytes: signed.length })).present, true)
    })

    it("rejects trust anchors that are not PEM certificates", async () => {
      const bad = ["", "not a certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]
      for (const trustAnchorsPem of bad) {
        await rejectsWith(readC2pa({ bytes: signed, trustAnchorsPem }), C2PA_ERROR_CODES.invalidTrustAnchors, 400)
      }
    })
  })
})
