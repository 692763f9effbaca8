import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { before, describe, it } from "node:test"
import { isHumanmarkError } from "../../../sdk/errors.ts"
import { createDeviceHierarchy, createTestCertificate, type TestDeviceHierarchy } from "../../../test/support/attestation/certificates.ts"
import { signDeviceStatement } from "../../../test/support/attestation/device-statement.ts"
import { createSoftwareAuthenticator } from "../../../test/support/attestation/software-authenticator.ts"
import { BN254_SCALAR_FIELD_ORDER } from "./commitment.ts"
import { createDeviceStatementVerifier } from "./device-statement.ts"
import { encodeBase64url } from "./encoding.ts"
import { createAttestationRegistry, type AttestationRegistry } from "./registry.ts"
import { createWebauthnVerifier, webauthnChallengeFor } from "./webauthn.ts"

const commitment = 42n
const nonce = encodeBase64url(randomBytes(32))
const now = new Date()

async function rejectsWith(promise: Promise<unknown>, code: string, status: number) {
  await assert.rejects(promise, (error: unknown) => isHumanmarkError(error) && error.code === code && error.status === status)
}

describe("attestation registry", () => {
  let device: TestDeviceHierarchy
  let registry: AttestationRegistry
  let packedVendor: Awaited<ReturnType<typeof createTestCertificate>>

  before(async () => {
    device = await createDeviceHierarchy()
    packedVendor = await createTestCertificate({ subject: "CN=Vendor Root", certificateAuthority: {} })
    registry = createAttestationRegistry([
      createDeviceStatementVerifier({ trustedRoots: [device.root.pem] }),
      createWebauthnVerifier({ rpId: "humanmark.test", origins: ["https://humanmark.test"], trustedRoots: { packed: [packedVendor.pem] } }),
    ])
  })

  it("lists its formats", () => {
    assert.deepEqual(registry.formats, ["device-statement", "webauthn"])
  })

  it("sends each attestation to the verifier of its format", async () => {
    const statement = await signDeviceStatement({
      statement: { commitment: "42", challenge: nonce, personKey: encodeBase64url(randomBytes(32)), issuedAt: now.toISOString() },
      leaf: device.leaf,
      chain: device.chain,
    })
    const personResult = await registry.verify("device-statement", { attestation: encodeBase64url(statement), commitment, challenge: nonce, now })
    assert.equal(personResult.level, "person")

    const certificate = await createTestCertificate({ subject: "C=US, O=Tests, OU=Authenticator Attestation, CN=Batch", issuer: packedVendor })
    const authenticator = createSoftwareAuthenticator({ format: "packed", attestation: { certificate } })
    const registration = await authenticator.register({
      challenge: webauthnChallengeFor(commitment, nonce),
      origin: "https://humanmark.test",
      rpId: "humanmark.test",
    })
    const deviceResult = await registry.verify("webauthn", { attestation: registration, commitment, challenge: nonce, now })
    assert.equal(deviceResult.level, "device")
  })

  it("refuses an unknown format", async () => {
    await rejectsWith(registry.verify("icao-passport", { attestation: {}, commitment, challenge: nonce, now }), "unknown_attestation_format", 400)
    assert.throws(() => registry.verifierFor("__proto__"), { code: "unknown_attestation_format" })
    await rejectsWith(createAttestationRegistry([]).verify("webauthn", { attestation: {}, commitment, challenge: nonce, now }), "unknown_attestation_format", 400)
  })

  it("refuses a commitment outside the BN254 scalar field", async () => {
    await rejectsWith(registry.verify("device-statement", { attestation: "", commitment: BN254_SCALAR_FIELD_ORDER, challenge: nonce, now }), "commitment_out_of_field", 400)
    await rejectsWith(registry.verify("webauthn", { attestation: {}, commitment: -1n, challenge: nonce, now }), "commitment_out_of_field", 400)
  })

  it("refuses two verifiers for one format", () => {
    const verifier = createDeviceStatementVerifier({ trustedRoots: [device.root.pem] })
    assert.throws(() => createAttestationRegistry([verifier, verifier]), { code: "attestation_configuration_invalid" })
  })
})
