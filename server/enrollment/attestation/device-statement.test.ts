import assert from "node:assert/strict"
import { createHash, randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import { before, describe, it } from "node:test"
import { CBORTag, decodeCBOR, encodeCBOR, type CBORType } from "@levischuck/tiny-cbor"
import { isHumanmarkError } from "../../../sdk/errors.ts"
import {
  createDeviceHierarchy,
  createTestCertificate,
  generateTestKeys,
  unknownCriticalExtension,
  type TestDeviceHierarchy,
} from "../../../test/support/attestation/certificates.ts"
import { signDeviceStatement, type DeviceStatementFields } from "../../../test/support/attestation/device-statement.ts"
import { BN254_SCALAR_FIELD_ORDER } from "./commitment.ts"
import { createDeviceStatementVerifier, DEVICE_STATEMENT_FORMAT } from "./device-statement.ts"
import { encodeBase64url } from "./encoding.ts"
import type { AttestationVerifier, VerifyAttestationInput } from "./types.ts"

const commitment = 1234567890123456789012345678901234567890n
const challenge = encodeBase64url(randomBytes(32))
const personKey = randomBytes(32)
const now = new Date()

function fields(overrides: Partial<DeviceStatementFields> = {}): DeviceStatementFields {
  return {
    commitment: commitment.toString(),
    challenge,
    personKey: encodeBase64url(personKey),
    issuedAt: new Date(now.getTime() - 10_000).toISOString(),
    ...overrides,
  }
}

function input(attestation: unknown, overrides: Partial<VerifyAttestationInput> = {}): VerifyAttestationInput {
  return { attestation, commitment, challenge, now, ...overrides }
}

async function rejectsWith(promise: Promise<unknown>, code: string, status?: number) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isHumanmarkError(error), `expected a HumanmarkError, got ${String(error)}`)
    assert.equal(error.code, code, error.message)
    if (status !== undefined) assert.equal(error.status, status)
    return true
  })
}

describe("device-statement verifier", () => {
  let device: TestDeviceHierarchy
  let edDevice: TestDeviceHierarchy
  let verifier: AttestationVerifier

  before(async () => {
    device = await createDeviceHierarchy({ leafKeyType: "p256" })
    edDevice = await createDeviceHierarchy({ leafKeyType: "ed25519", rootName: "Second Maker Root" })
    verifier = createDeviceStatementVerifier({ trustedRoots: [device.root.pem, edDevice.root.der] })
  })

  async function statementBase64url(overrides: Partial<DeviceStatementFields> = {}, hierarchy = device) {
    const bytes = await signDeviceStatement({ statement: fields(overrides), leaf: hierarchy.leaf, chain: hierarchy.chain })
    return encodeBase64url(bytes)
  }

  it("accepts an ES256 statement from a device chained to a trusted root", async () => {
    assert.equal(verifier.format, DEVICE_STATEMENT_FORMAT)
    const result = await verifier.verify(input(await statementBase64url()))
    assert.deepEqual(result.uniquenessKey, new Uint8Array(personKey))
    assert.equal(result.level, "person")
    assert.equal(result.issuer, createHash("sha256").update(device.root.der).digest("hex"))
    const earliest = Math.min(...[device.root, device.intermediate, device.leaf].map((item) => item.certificate.notAfter.getTime()))
    assert.equal(result.expiresAt.getTime(), earliest)
  })

  it("accepts an EdDSA statement, untagged, with x5chain unprotected and the root included", async () => {
    const bytes = await signDeviceStatement({
      statement: fields(),
      leaf: edDevice.leaf,
      chain: [...edDevice.chain, edDevice.root.der],
      tagged: false,
      x5chainHeader: "unprotected",
    })
    const result = await verifier.verify(input(bytes))
    assert.equal(result.issuer, createHash("sha256").update(edDevice.root.der).digest("hex"))
    assert.deepEqual(result.uniquenessKey, new Uint8Array(personKey))
  })

  it("accepts a single-certificate x5chain issued by the root", async () => {
    const leaf = await createTestCertificate({ subject: "CN=Direct Device", issuer: device.root })
    const bytes = await signDeviceStatement({ statement: fields(), leaf, chain: [leaf.der] })
    const result = await verifier.verify(input(bytes))
    assert.equal(result.level, "person")
  })

  it("caps expiresAt at maxValidityMs", async () => {
    const capped = createDeviceStatementVerifier({ trustedRoots: [device.root.pem], maxValidityMs: 60_000 })
    const result = await capped.verify(input(await statementBase64url()))
    assert.equal(result.expiresAt.getTime(), now.getTime() + 60_000)
  })

  it("refuses a statement signed by a key other than the leaf's", async () => {
    const forger = await generateTestKeys("p256")
    const bytes = await signDeviceStatement({ statement: fields(), leaf: device.leaf, chain: device.chain, signingKey: forger.privateKey })
    await rejectsWith(verifier.verify(input(bytes)), "attestation_signature_invalid", 401)
  })

  it("refuses a statement whose payload was changed after signing", async () => {
    const bytes = await signDeviceStatement({ statement: fields(), leaf: device.leaf, chain: device.chain })
    const sign1 = (decodeCBOR(bytes) as CBORTag).value as CBORType[]
    const otherPersonKey = encodeBase64url(randomBytes(32))
    sign1[2] = encodeCBOR(new Map<string, CBORType>(Object.entries(fields({ personKey: otherPersonKey }))))
    await rejectsWith(verifier.verify(input(encodeCBOR(new CBORTag(18, sign1)))), "attestation_signature_invalid")
  })

  it("refuses a statement whose protected header was changed after signing", async () => {
    const bytes = await signDeviceStatement({ statement: fields(), leaf: device.leaf, chain: device.chain, x5chainHeader: "unprotected" })
    const sign1 = (decodeCBOR(bytes) as CBORTag).value as CBORType[]
    const protectedHeader = decodeCBOR(sign1[0] as Uint8Array) as Map<number, CBORType>
    protectedHeader.set(4, new Uint8Array([1])) // a kid the device never signed
    sign1[0] = encodeCBOR(protectedHeader)
    await rejectsWith(verifier.verify(input(encodeCBOR(sign1))), "attestation_signature_invalid")
  })

  it("refuses an ES256 signature when the device key is Ed25519", async () => {
    const bytes = await signDeviceStatement({ statement: fields(), leaf: edDevice.leaf, chain: edDevice.chain })
    const sign1 = (decodeCBOR(bytes) as CBORTag).value as CBORType[]
    const protectedHeader = decodeCBOR(sign1[0] as Uint8Array) as Map<number, CBORType>
    protectedHeader.set(1, -7)
    sign1[0] = encodeCBOR(protectedHeader)
    await rejectsWith(verifier.verify(input(encodeCBOR(sign1))), "attestation_signature_invalid")
  })

  it("refuses an expired device certificate at a fixed time", async () => {
    const later = new Date(device.leaf.certificate.notAfter.getTime() + 1000)
    const statement = await signDeviceStatement({
      statement: fields({ issuedAt: new Date(later.getTime() - 1000).toISOString() }),
      leaf: device.leaf,
      chain: device.chain,
    })
    await rejectsWith(verifier.verify(input(statement, { now: later })), "attestation_certificate_expired", 401)
  })

  it("refuses a certificate that is not valid yet", async () => {
    const earlier = new Date(device.leaf.certificate.notBefore.getTime() - 60_000)
    const statement = await signDeviceStatement({
      statement: fields({ issuedAt: earlier.toISOString() }),
      leaf: device.leaf,
      chain: device.chain,
    })
    await rejectsWith(verifier.verify(input(statement, { now: earlier })), "attestation_certificate_not_yet_valid")
  })

  it("refuses a chain to a root that is not configured", async () => {
    const stranger = await createDeviceHierarchy({ rootName: "Unknown Maker Root" })
    await rejectsWith(verifier.verify(input(await statementBase64url({}, stranger))), "attestation_untrusted_root", 401)
  })

  it("refuses an intermediate that names the trusted root but is signed by another key", async () => {
    const forger = await generateTestKeys("p256")
    const fakeIntermediate = await createTestCertificate({
      subject: "CN=Fake Factory CA",
      issuer: device.root,
      certificateAuthority: {},
      forgeWith: forger,
    })
    const leaf = await createTestCertificate({ subject: "CN=Fake Device", issuer: fakeIntermediate })
    const bytes = await signDeviceStatement({ statement: fields(), leaf, chain: [leaf.der, fakeIntermediate.der] })
    await rejectsWith(verifier.verify(input(bytes)), "attestation_untrusted_root")
  })

  it("refuses a leaf issued by a certificate that is not a CA", async () => {
    const notAuthority = await createTestCertificate({ subject: "CN=Another Device", issuer: device.intermediate })
    const leaf = await createTestCertificate({ subject: "CN=Sub Device", issuer: notAuthority })
    const bytes = await signDeviceStatement({ statement: fields(), leaf, chain: [leaf.der, notAuthority.der, device.intermediate.der] })
    await rejectsWith(verifier.verify(input(bytes)), "attestation_chain_invalid")
  })

  it("refuses a chain longer than an issuer's path length allows", async () => {
    // The factory CA has pathLength 0, so it may not issue another CA.
    const subAuthority = await createTestCertificate({ subject: "CN=Sub CA", issuer: device.intermediate, certificateAuthority: {} })
    const leaf = await createTestCertificate({ subject: "CN=Deep Device", issuer: subAuthority })
    const bytes = await signDeviceStatement({ statement: fields(), leaf, chain: [leaf.der, subAuthority.der, device.intermediate.der] })
    await rejectsWith(verifier.verify(input(bytes)), "attestation_chain_invalid")
  })

  it("refuses a certificate with a critical extension it does not understand", async () => {
    const leaf = await createTestCertificate({
      subject: "CN=Odd Device",
      issuer: device.intermediate,
      extensions: [unknownCriticalExtension()],
    })
    const bytes = await signDeviceStatement({ statement: fields(), leaf, chain: [leaf.der, device.intermediate.der] })
    await rejectsWith(verifier.verify(input(bytes)), "attestation_chain_invalid")
  })

  it("refuses a statement for another challenge", async () => {
    const statement = await statementBase64url({ challenge: encodeBase64url(randomBytes(32)) })
    await rejectsWith(verifier.verify(input(statement)), "attestation_challenge_mismatch", 401)
  })

  it("refuses a statement for another commitment", async () => {
    await rejectsWith(verifier.verify(input(await statementBase64url({ commitment: "42" }))), "attestation_commitment_mismatch", 401)
  })

  it("refuses a replayed statement older than the maximum age", async () => {
    const statement = await statementBase64url({ issuedAt: new Date(now.getTime() - 5 * 60_000 - 1000).toISOString() })
    await rejectsWith(verifier.verify(input(statement)), "attestation_stale", 401)
    const patient = createDeviceStatementVerifier({ trustedRoots: [device.root.pem], maxAgeMs: 10 * 60_000 })
    assert.equal((await patient.verify(input(statement))).level, "person")
  })

  it("refuses a statement dated in the future beyond the clock skew", async () => {
    const statement = await statementBase64url({ issuedAt: new Date(now.getTime() + 60_000).toISOString() })
    await rejectsWith(verifier.verify(input(statement)), "attestation_issued_in_future")
    const slightlyAhead = await statementBase64url({ issuedAt: new Date(now.getTime() + 5_000).toISOString() })
    assert.equal((await verifier.verify(input(slightlyAhead))).level, "person")
  })

  it("refuses a commitment outside the BN254 scalar field before looking at the attestation", async () => {
    await rejectsWith(verifier.verify(input("not even base64url!", { commitment: BN254_SCALAR_FIELD_ORDER })), "commitment_out_of_field", 400)
    await rejectsWith(verifier.verify(input("x", { commitment: -1n })), "commitment_out_of_field")
  })

  describe("malformed input", () => {
    const malformedCases: Array<[string, () => Promise<unknown>]> = [
      ["a number instead of a string", async () => 42],
      ["padded base64", async () => "AAAA=="],
      ["characters outside base64url", async () => "a+b/"],
      ["bytes that are not CBOR", async () => encodeBase64url(new Uint8Array([0xff, 0x00, 0x13]))],
      ["CBOR that is not a COSE_Sign1", async () => encodeBase64url(encodeCBOR(["Signature1", 1, 2]))],
      ["another CBOR tag", async () => encodeBase64url(encodeCBOR(new CBORTag(98, [])))],
    ]
    for (const [name, make] of malformedCases) {
      it(`refuses ${name}`, async () => {
        await rejectsWith(verifier.verify(input(await make())), "attestation_malformed", 400)
      })
    }

    async function withSign1(change: (sign1: CBORType[]) => void) {
      const bytes = await signDeviceStatement({ statement: fields(), leaf: device.leaf, chain: device.chain, x5chainHeader: "unprotected" })
      const sign1 = (decodeCBOR(bytes) as CBORTag).value as CBORType[]
      change(sign1)
      return encodeCBOR(sign1)
    }

    it("refuses a certificate that is not DER", async () => {
      const bytes = await withSign1((sign1) => (sign1[1] as Map<number, CBORType>).set(33, [new Uint8Array([0x30, 0x03, 1, 2, 3])]))
      await rejectsWith(verifier.verify(input(bytes)), "attestation_malformed")
    })

    it("refuses a statement without x5chain", async () => {
      const bytes = await withSign1((sign1) => (sign1[1] as Map<number, CBORType>).delete(33))
      await rejectsWith(verifier.verify(input(bytes)), "attestation_malformed")
    })

    it("refuses a detached payload", async () => {
      const bytes = await withSign1((sign1) => (sign1[2] = null))
      await rejectsWith(verifier.verify(input(bytes)), "attestation_malformed")
    })

    it("refuses an algorithm other than ES256 and EdDSA", async () => {
      const bytes = await withSign1((sign1) => (sign1[0] = encodeCBOR(new Map([[1, -257]]))))
      await rejectsWith(verifier.verify(input(bytes)), "attestation_malformed")
    })

    const payloadCases: Array<[string, Record<string, CBORType>]> = [
      ["a missing personKey", { commitment: commitment.toString(), challenge, issuedAt: now.toISOString() }],
      ["a numeric commitment", { ...fields(), commitment: 5 }],
      ["a short personKey", { ...fields(), personKey: encodeBase64url(randomBytes(8)) }],
      ["an issuedAt without a zone", { ...fields(), issuedAt: "2025-01-31T12:00:00" }],
      ["an unknown field", { ...fields(), expires: "never" }],
    ]
    for (const [name, statement] of payloadCases) {
      it(`refuses a signed statement with ${name}`, async () => {
        const bytes = await signDeviceStatement({ statement, leaf: device.leaf, chain: device.chain })
        await rejectsWith(verifier.verify(input(bytes)), "attestation_malformed")
      })
    }
  })

  it("accepts the statement as bytes, including a Buffer", async () => {
    const bytes = await signDeviceStatement({ statement: fields(), leaf: device.leaf, chain: device.chain })
    assert.equal((await verifier.verify(input(Buffer.from(bytes)))).level, "person")
  })

  it("verifies the worked example of DEVICE-STATEMENT.md", async () => {
    const markdown = readFileSync(new URL("./DEVICE-STATEMENT.md", import.meta.url), "utf8")
    const block = (name: string) => markdown.match(new RegExp("```[a-z0-9]+ " + name + "\\n([^`]+)```"))?.[1]?.trim()
    const root = block("example-root")
    const statement = block("example-statement")
    assert.ok(root && statement, "the example blocks are missing")
    const exampleVerifier = createDeviceStatementVerifier({ trustedRoots: [root] })
    const result = await exampleVerifier.verify({
      attestation: statement,
      commitment: 12345678901234567890n,
      challenge: "q2lW3k9cO7t0hS8n1vXyZg",
      now: new Date("2025-06-01T12:01:00Z"),
    })
    assert.deepEqual(result.uniquenessKey, Uint8Array.from({ length: 32 }, (_, index) => index))
    assert.equal(result.issuer, "84191362edef33afc4ecac005eaf55c78ba810657dc23c27d0f786abda6438b4")
    assert.equal(result.expiresAt.toISOString(), "2035-01-01T00:00:00.000Z")
    // A day later the statement is a replay.
    await rejectsWith(exampleVerifier.verify({
      attestation: statement,
      commitment: 12345678901234567890n,
      challenge: "q2lW3k9cO7t0hS8n1vXyZg",
      now: new Date("2025-06-02T12:01:00Z"),
    }), "attestation_stale")
  })

  it("needs at least one trusted root", () => {
    assert.throws(() => createDeviceStatementVerifier({ trustedRoots: [] }), { code: "attestation_configuration_invalid" })
  })
})
