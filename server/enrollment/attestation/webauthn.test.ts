import assert from "node:assert/strict"
import { createHash, randomBytes } from "node:crypto"
import { before, describe, it } from "node:test"
import { decodeCBOR, encodeCBOR, type CBORType } from "@levischuck/tiny-cbor"
import { SettingsService } from "@simplewebauthn/server"
import { isHumanmarkError } from "../../../sdk/errors.ts"
import { createTestCertificate, type TestCertificate } from "../../../test/support/attestation/certificates.ts"
import {
  aaguidExtension,
  createSoftwareAuthenticator,
  type RegistrationResponse,
  type SoftwareAuthenticator,
} from "../../../test/support/attestation/software-authenticator.ts"
import { BN254_SCALAR_FIELD_ORDER } from "./commitment.ts"
import { encodeBase64url } from "./encoding.ts"
import type { AttestationVerifier, VerifyAttestationInput } from "./types.ts"
import { createWebauthnVerifier, WEBAUTHN_FORMAT, webauthnChallengeFor } from "./webauthn.ts"

const rpId = "humanmark.test"
const origin = "https://humanmark.test"
const commitment = 987654321987654321987654321n
const nonce = encodeBase64url(randomBytes(32))
const now = new Date()

async function rejectsWith(promise: Promise<unknown>, code: string, status?: number) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isHumanmarkError(error), `expected a HumanmarkError, got ${String(error)}`)
    assert.equal(error.code, code, `${error.message} ${error.details ?? ""}`)
    if (status !== undefined) assert.equal(error.status, status)
    return true
  })
}

function input(attestation: unknown, overrides: Partial<VerifyAttestationInput> = {}): VerifyAttestationInput {
  return { attestation, commitment, challenge: nonce, now, ...overrides }
}

function spkiFingerprint(certificate: TestCertificate): Uint8Array {
  return new Uint8Array(createHash("sha256").update(new Uint8Array(certificate.certificate.publicKey.rawData)).digest())
}

describe("webauthnChallengeFor", () => {
  it("hashes the domain, the 32-byte commitment and the nonce bytes", () => {
    const nonceBytes = randomBytes(24)
    const commitmentBytes = Buffer.alloc(32)
    commitmentBytes.writeBigUInt64BE(5n, 24)
    const expected = createHash("sha256")
      .update(Buffer.concat([Buffer.from("humanmark-enroll-v1"), commitmentBytes, nonceBytes]))
      .digest("base64url")
    assert.equal(webauthnChallengeFor(5n, nonceBytes.toString("base64url")), expected)
  })

  it("changes with the commitment and the nonce", () => {
    const challenge = webauthnChallengeFor(commitment, nonce)
    assert.notEqual(webauthnChallengeFor(commitment + 1n, nonce), challenge)
    assert.notEqual(webauthnChallengeFor(commitment, encodeBase64url(randomBytes(32))), challenge)
  })

  it("refuses a nonce that is not base64url and a commitment outside the field", () => {
    assert.throws(() => webauthnChallengeFor(commitment, "not/base64url="), { code: "attestation_malformed" })
    assert.throws(() => webauthnChallengeFor(commitment, ""), { code: "attestation_malformed" })
    assert.throws(() => webauthnChallengeFor(BN254_SCALAR_FIELD_ORDER, nonce), { code: "commitment_out_of_field" })
  })
})

describe("webauthn verifier", () => {
  let packedRoot: TestCertificate
  let packedIntermediate: TestCertificate
  let packedBatchCertificate: TestCertificate
  let u2fRoot: TestCertificate
  let u2fBatchCertificate: TestCertificate
  let packedKey: SoftwareAuthenticator
  let u2fKey: SoftwareAuthenticator
  let verifier: AttestationVerifier

  before(async () => {
    packedRoot = await createTestCertificate({ subject: "CN=Test Authenticator Vendor Root, O=Humanmark Tests", certificateAuthority: {} })
    packedIntermediate = await createTestCertificate({
      subject: "CN=Test Authenticator Attestation CA, O=Humanmark Tests",
      issuer: packedRoot,
      certificateAuthority: { pathLength: 0 },
    })
    const aaguid = new Uint8Array(randomBytes(16))
    // The subject fields are what WebAuthn section 8.2.1 requires of a packed attestation certificate.
    packedBatchCertificate = await createTestCertificate({
      subject: "C=US, O=Humanmark Tests, OU=Authenticator Attestation, CN=Test Key Batch 1",
      issuer: packedIntermediate,
      extensions: [aaguidExtension(aaguid)],
    })
    u2fRoot = await createTestCertificate({ subject: "CN=Test U2F Vendor Root, O=Humanmark Tests", certificateAuthority: {} })
    u2fBatchCertificate = await createTestCertificate({ subject: "CN=Test U2F Batch 7", issuer: u2fRoot })
    packedKey = createSoftwareAuthenticator({
      format: "packed",
      aaguid,
      attestation: { certificate: packedBatchCertificate, intermediates: [packedIntermediate.der] },
    })
    u2fKey = createSoftwareAuthenticator({ format: "fido-u2f", attestation: { certificate: u2fBatchCertificate } })
    verifier = createWebauthnVerifier({
      rpId,
      origins: [origin],
      trustedRoots: { packed: [packedRoot.pem], "fido-u2f": [u2fRoot.der] },
    })
  })

  function register(authenticator: SoftwareAuthenticator, overrides: Partial<Parameters<SoftwareAuthenticator["register"]>[0]> = {}) {
    return authenticator.register({ challenge: webauthnChallengeFor(commitment, nonce), origin, rpId, ...overrides })
  }

  it("accepts a packed full attestation chained to a configured root", async () => {
    assert.equal(verifier.format, WEBAUTHN_FORMAT)
    const result = await verifier.verify(input(await register(packedKey)))
    assert.equal(result.level, "device")
    assert.deepEqual(result.uniquenessKey, spkiFingerprint(packedBatchCertificate))
    assert.equal(result.issuer, createHash("sha256").update(packedRoot.der).digest("hex"))
    const earliest = Math.min(...[packedRoot, packedIntermediate, packedBatchCertificate].map((item) => item.certificate.notAfter.getTime()))
    assert.equal(result.expiresAt.getTime(), earliest)
  })

  it("gives every authenticator of one batch the same uniqueness key (why the level is device)", async () => {
    const sameBatch = createSoftwareAuthenticator({
      format: "packed",
      aaguid: packedKey.aaguid,
      attestation: { certificate: packedBatchCertificate, intermediates: [packedIntermediate.der] },
    })
    const first = await register(packedKey)
    const second = await register(sameBatch)
    assert.notEqual(first.id, second.id)
    const [firstResult, secondResult] = [await verifier.verify(input(first)), await verifier.verify(input(second))]
    assert.deepEqual(firstResult.uniquenessKey, secondResult.uniquenessKey)
  })

  it("accepts a fido-u2f attestation", async () => {
    const result = await verifier.verify(input(await register(u2fKey)))
    assert.equal(result.level, "device")
    assert.deepEqual(result.uniquenessKey, spkiFingerprint(u2fBatchCertificate))
    assert.equal(result.issuer, createHash("sha256").update(u2fRoot.der).digest("hex"))
  })

  it("refuses none attestation: a self-made key proves nothing", async () => {
    const softwareOnly = createSoftwareAuthenticator({ format: "none" })
    await rejectsWith(verifier.verify(input(await register(softwareOnly))), "attestation_format_refused", 422)
  })

  it("refuses packed self attestation", async () => {
    const selfAttesting = createSoftwareAuthenticator({ format: "packed-self" })
    await rejectsWith(verifier.verify(input(await register(selfAttesting))), "attestation_format_refused", 422)
  })

  it("refuses a format without configured roots", async () => {
    const packedOnly = createWebauthnVerifier({ rpId, origins: [origin], trustedRoots: { packed: [packedRoot.pem] } })
    await rejectsWith(packedOnly.verify(input(await register(u2fKey))), "attestation_format_refused")
  })

  it("refuses an attestation signed by a key other than the certificate's", async () => {
    const forger = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"])) as CryptoKeyPair
    await rejectsWith(verifier.verify(input(await register(packedKey, { forgeWith: forger.privateKey }))), "attestation_signature_invalid", 401)
    await rejectsWith(verifier.verify(input(await register(u2fKey, { forgeWith: forger.privateKey }))), "attestation_signature_invalid")
  })

  it("refuses client data changed after the authenticator signed", async () => {
    const response = await register(packedKey)
    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, "base64url").toString("utf8"))
    clientData.crossOrigin = true
    const tampered = { ...response, response: { ...response.response, clientDataJSON: Buffer.from(JSON.stringify(clientData)).toString("base64url") } }
    await rejectsWith(verifier.verify(input(tampered)), "attestation_signature_invalid")
  })

  it("refuses authenticator data changed after the authenticator signed", async () => {
    const response = await register(packedKey)
    const attestationObject = decodeCBOR(new Uint8Array(Buffer.from(response.response.attestationObject, "base64url"))) as Map<string, CBORType>
    const authenticatorData = (attestationObject.get("authData") as Uint8Array).slice()
    authenticatorData[32]! |= 0x04 // claim user verification the authenticator never did
    attestationObject.set("authData", authenticatorData)
    const tampered = withAttestationObject(response, attestationObject)
    await rejectsWith(verifier.verify(input(tampered)), "attestation_signature_invalid")
  })

  it("applies the packed format's certificate rules through SimpleWebAuthn", async () => {
    // WebAuthn section 8.2.1: the OU must be "Authenticator Attestation"; our chain check alone would pass this.
    const wrongProfile = await createTestCertificate({ subject: "C=US, O=Humanmark Tests, CN=Not An Attestation Certificate", issuer: packedIntermediate })
    const authenticator = createSoftwareAuthenticator({ format: "packed", attestation: { certificate: wrongProfile, intermediates: [packedIntermediate.der] } })
    await rejectsWith(verifier.verify(input(await register(authenticator))), "attestation_invalid", 401)
  })

  it("refuses an expired attestation certificate at a fixed time", async () => {
    const later = new Date(packedBatchCertificate.certificate.notAfter.getTime() + 1000)
    await rejectsWith(verifier.verify(input(await register(packedKey), { now: later })), "attestation_certificate_expired", 401)
  })

  it("refuses a chain to a root that is not configured", async () => {
    const otherVendorRoot = await createTestCertificate({ subject: "CN=Other Vendor Root", certificateAuthority: {} })
    const otherVerifier = createWebauthnVerifier({ rpId, origins: [origin], trustedRoots: { packed: [otherVendorRoot.pem] } })
    await rejectsWith(otherVerifier.verify(input(await register(packedKey))), "attestation_untrusted_root", 401)
  })

  it("refuses a registration replayed for another nonce", async () => {
    const response = await register(packedKey)
    await rejectsWith(verifier.verify(input(response, { challenge: encodeBase64url(randomBytes(32)) })), "attestation_challenge_mismatch", 401)
  })

  it("refuses a registration made for another commitment", async () => {
    const response = await register(packedKey, { challenge: webauthnChallengeFor(commitment + 1n, nonce) })
    await rejectsWith(verifier.verify(input(response)), "attestation_challenge_mismatch")
  })

  it("refuses another origin and another RP ID", async () => {
    await rejectsWith(verifier.verify(input(await register(packedKey, { origin: "https://evil.test" }))), "attestation_origin_mismatch")
    await rejectsWith(verifier.verify(input(await register(packedKey, { rpId: "evil.test" }))), "attestation_rp_id_mismatch")
  })

  it("requires user verification only when configured", async () => {
    const strict = createWebauthnVerifier({ rpId, origins: [origin], trustedRoots: { packed: [packedRoot.pem] }, requireUserVerification: true })
    await rejectsWith(strict.verify(input(await register(packedKey))), "attestation_invalid")
    assert.equal((await strict.verify(input(await register(packedKey, { userVerified: true })))).level, "device")
  })

  it("refuses a commitment outside the BN254 scalar field", async () => {
    await rejectsWith(verifier.verify(input({}, { commitment: BN254_SCALAR_FIELD_ORDER + 5n })), "commitment_out_of_field", 400)
  })

  describe("malformed input", () => {
    it("refuses what is not a registration response", async () => {
      for (const attestation of [null, "string", { id: "x" }, { ...(await register(packedKey)), type: "password" }]) {
        await rejectsWith(verifier.verify(input(attestation)), "attestation_malformed", 400)
      }
    })

    it("refuses clientDataJSON that is not base64url JSON", async () => {
      const response = await register(packedKey)
      for (const clientDataJSON of ["%%%", Buffer.from("{not json").toString("base64url"), Buffer.from("[]").toString("base64url")]) {
        await rejectsWith(verifier.verify(input({ ...response, response: { ...response.response, clientDataJSON } })), "attestation_malformed")
      }
    })

    it("refuses an attestationObject that is not CBOR", async () => {
      const response = await register(packedKey)
      const attestationObject = Buffer.from([0xa3, 0x63, 0x66]).toString("base64url")
      await rejectsWith(verifier.verify(input({ ...response, response: { ...response.response, attestationObject } })), "attestation_malformed")
    })

    it("refuses an x5c certificate that is not DER", async () => {
      const response = await register(packedKey)
      const attestationObject = decodeCBOR(new Uint8Array(Buffer.from(response.response.attestationObject, "base64url"))) as Map<string, CBORType>
      ;(attestationObject.get("attStmt") as Map<string, CBORType>).set("x5c", [new Uint8Array([1, 2, 3])])
      await rejectsWith(verifier.verify(input(withAttestationObject(response, attestationObject))), "attestation_malformed")
    })
  })

  it("leaves SimpleWebAuthn's process-global root settings alone", () => {
    assert.deepEqual(SettingsService.getRootCertificates({ identifier: "packed" }), [])
    assert.deepEqual(SettingsService.getRootCertificates({ identifier: "fido-u2f" }), [])
  })

  it("needs an RP ID, an origin and roots", () => {
    assert.throws(() => createWebauthnVerifier({ rpId, origins: [origin], trustedRoots: {} }), { code: "attestation_configuration_invalid" })
    assert.throws(() => createWebauthnVerifier({ rpId, origins: [], trustedRoots: { packed: [packedRoot.pem] } }), {
      code: "attestation_configuration_invalid",
    })
  })
})

function withAttestationObject(response: RegistrationResponse, attestationObject: Map<string, CBORType>): RegistrationResponse {
  return { ...response, response: { ...response.response, attestationObject: Buffer.from(encodeCBOR(attestationObject)).toString("base64url") } }
}
