// The webauthn verifier against registrations captured from real authenticators.
//
// The samples come from the test helpers that the npm package fido2-lib@3.5.9 (MIT licence,
// https://github.com/webauthn-open-source/fido2-lib) ships, read from node_modules at test time:
// nothing of them is copied into this repository. fido2-lib is a devDependency for this purpose only.
//   - test/helpers/fido2-helpers.js: registration responses (attestationObject, clientDataJSON,
//     rawId) from a YubiKey (fido-u2f), a Hypersecu/Feitian key (fido-u2f), a Feitian BioPass
//     FIDO2 (packed, full chain), Windows Hello (tpm, and packed self attestation), a `none`
//     registration and an Android phone (android-safetynet); and the certificates they carry.
//   - lib/attestations/u2fRootCerts.js: the Yubico U2F root fido2-lib trusts.
//   - test/main.test.js: an `apple` registration, read as text (that file imports chai, which is not
//     installed) and only refused here.
// Each sample answers its own challenge and origin, so the tests call the verifier's internal
// `createWebauthnRegistrationVerifier` with that challenge; `createWebauthnVerifier` (enrollment)
// is shown to refuse them all, since no real sample can answer webauthnChallengeFor(commitment, nonce).
import "reflect-metadata" // before @peculiar/x509, which needs it at load time
import assert from "node:assert/strict"
import { createHash, randomBytes } from "node:crypto"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { before, describe, it } from "node:test"
import { decodeCBOR, encodeCBOR, type CBORType } from "@levischuck/tiny-cbor"
import { X509Certificate } from "@peculiar/x509"
import { SettingsService } from "@simplewebauthn/server"
import { certs, lib, type Fido2LibRegistration } from "fido2-lib/test/helpers/fido2-helpers.js"
import { u2fRootCerts } from "fido2-lib/lib/attestations/u2fRootCerts.js"
import { isHumanmarkError } from "../../../sdk/errors.ts"
import { createTestCertificate } from "../../../test/support/attestation/certificates.ts"
import { encodeBase64url } from "./encoding.ts"
import type { VerifiedAttestation } from "./types.ts"
import {
  createWebauthnRegistrationVerifier,
  createWebauthnVerifier,
  type WebauthnAttestationFormat,
  type WebauthnRegistrationInput,
} from "./webauthn.ts"

const DAY = 86_400_000

/** The JSON a browser posts (the shape @simplewebauthn/browser's startRegistration returns). */
interface RegistrationJson {
  id: string
  rawId: string
  type: "public-key"
  response: { clientDataJSON: string; attestationObject: string }
  clientExtensionResults: Record<string, never>
}

interface ClientData {
  type?: string
  challenge: string
  origin: string
}

interface RealSample {
  /** What the authenticator is, as its certificates name it. */
  device: string
  format: WebauthnAttestationFormat
  registration: RegistrationJson
  clientData: ClientData
  /** The sample's RP ID: the host of its origin (the tests check its hash is the one in authData). */
  rpId: string
  /** The x5c certificates the authenticator sent, leaf first. */
  chain: X509Certificate[]
  /** The trust anchor the test configures (DER). */
  anchor: Uint8Array
  /** A time inside the validity of every certificate from the leaf to the anchor. */
  now: Date
  /** The earliest notAfter of those certificates. */
  notAfter: Date
  notBefore: Date
}

function toRegistrationJson(sample: Fido2LibRegistration): RegistrationJson {
  const id = encodeBase64url(new Uint8Array(sample.rawId))
  return {
    id,
    rawId: id,
    type: "public-key",
    response: {
      clientDataJSON: encodeBase64url(new Uint8Array(sample.response.clientDataJSON)),
      attestationObject: encodeBase64url(new Uint8Array(sample.response.attestationObject)),
    },
    clientExtensionResults: {},
  }
}

function decodeClientData(registration: RegistrationJson): ClientData {
  return JSON.parse(Buffer.from(registration.response.clientDataJSON, "base64url").toString("utf8")) as ClientData
}

function decodeAttestationObject(registration: RegistrationJson): Map<string, CBORType> {
  return decodeCBOR(new Uint8Array(Buffer.from(registration.response.attestationObject, "base64url"))) as Map<string, CBORType>
}

function withAttestationObject(registration: RegistrationJson, attestationObject: Map<string, CBORType>): RegistrationJson {
  return { ...registration, response: { ...registration.response, attestationObject: encodeBase64url(encodeCBOR(attestationObject)) } }
}

function x5cOf(registration: RegistrationJson): X509Certificate[] {
  const statement = decodeAttestationObject(registration).get("attStmt") as Map<string, CBORType>
  return ((statement.get("x5c") ?? []) as Uint8Array[]).map((der) => new X509Certificate(der.slice()))
}

function parseCertificate(bytes: Uint8Array): X509Certificate {
  return new X509Certificate(bytes.slice().buffer as ArrayBuffer)
}

function der(certificate: X509Certificate): Uint8Array {
  return new Uint8Array(certificate.rawData)
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex")
}

function spkiFingerprint(certificate: X509Certificate): Uint8Array {
  return new Uint8Array(createHash("sha256").update(new Uint8Array(certificate.publicKey.rawData)).digest())
}

function makeSample(device: string, format: WebauthnAttestationFormat, raw: Fido2LibRegistration, anchor: X509Certificate): RealSample {
  const registration = toRegistrationJson(raw)
  const clientData = decodeClientData(registration)
  const chain = x5cOf(registration)
  // The certificates from the leaf up to the anchor (the anchor may be in x5c or only configured).
  const anchorIndex = chain.findIndex((certificate) => sha256Hex(der(certificate)) === sha256Hex(der(anchor)))
  const validated = anchorIndex >= 0 ? chain.slice(0, anchorIndex + 1) : [...chain, anchor]
  const notBefore = new Date(Math.max(...validated.map((certificate) => certificate.notBefore.getTime())))
  const notAfter = new Date(Math.min(...validated.map((certificate) => certificate.notAfter.getTime())))
  // A fixed clock: 30 days after the last notBefore, which must fall before the first notAfter.
  const now = new Date(notBefore.getTime() + 30 * DAY)
  assert.ok(now < notAfter, `${device}: no 30-day window inside the certificates' validity`)
  return { device, format, registration, clientData, rpId: new URL(clientData.origin).hostname, chain, anchor: der(anchor), now, notBefore, notAfter }
}

/** The verifier as a relying party of the sample would configure it: its origin, RP ID and anchor. */
function verifierFor(
  sample: RealSample,
  overrides: { rpId?: string; origins?: string[]; anchors?: (string | Uint8Array)[]; format?: WebauthnAttestationFormat } = {},
) {
  return createWebauthnRegistrationVerifier({
    rpId: overrides.rpId ?? sample.rpId,
    origins: overrides.origins ?? [sample.clientData.origin],
    trustedRoots: { [overrides.format ?? sample.format]: overrides.anchors ?? [sample.anchor] },
  })
}

function check(sample: RealSample, overrides: Partial<WebauthnRegistrationInput> = {}): WebauthnRegistrationInput {
  return { response: sample.registration, expectedChallenge: sample.clientData.challenge, now: sample.now, ...overrides }
}

async function rejectsWith(promise: Promise<unknown>, code: string, status?: number) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isHumanmarkError(error), `expected a HumanmarkError, got ${String(error)}`)
    assert.equal(error.code, code, `${error.message} ${error.details ?? ""}`)
    if (status !== undefined) assert.equal(error.status, status)
    return true
  })
}

/** Flips one bit of a byte in place and returns the copy. */
function flipped(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice()
  copy[index]! ^= 0x01
  return copy
}

// Two of SimpleWebAuthn's checks use the real clock, not `now`: the leaf's validity for packed and
// tpm. Past those dates the real samples can no longer verify in this verifier at any `now`.
function realClockSkip(sample: RealSample, format: "packed" | "tpm"): string | false {
  const leafNotAfter = sample.chain[0]!.notAfter
  if (Date.now() <= leafNotAfter.getTime()) return false
  return `SimpleWebAuthn checks the ${format} leaf against the real clock; it expired ${leafNotAfter.toISOString()}`
}

const yubicoRootDer = new Uint8Array(Buffer.from(u2fRootCerts[0]!, "base64"))
const yubicoRoot = new X509Certificate(yubicoRootDer)

const samples = {
  yubikey: makeSample("YubiKey (Yubico U2F EE Serial 1432534688)", "fido-u2f", lib.makeCredentialAttestationU2fResponse, yubicoRoot),
  // The Feitian root is not in the package apart from the sample's own x5c (the chain ends with it).
  feitian: makeSample(
    "Feitian BioPass FIDO2 USB",
    "packed",
    lib.makeCredentialAttestationPackedResponse,
    x5cOf(toRegistrationJson(lib.makeCredentialAttestationPackedResponse)).at(-1)!,
  ),
  // The Microsoft TPM Root Certificate Authority 2014 is not in the package: the anchor is the real
  // Microsoft-issued intermediate the sample carries (x5c[1], NCU-NTC-KEYID-...).
  windowsHelloTpm: makeSample(
    "Windows Hello TPM (AIK certified by NCU-NTC-KEYID-1591D4B6...)",
    "tpm",
    lib.makeCredentialAttestationTpmResponse,
    x5cOf(toRegistrationJson(lib.makeCredentialAttestationTpmResponse))[1]!,
  ),
  // The root of this batch certificate ("FT FIDO 0100") is not in the package: the anchor is the
  // batch certificate itself. It expired on 2024-08-14: only a fixed clock can verify it now.
  hypersecu: makeSample(
    "Hypersecu/Feitian U2F key (PilotGnubby-0.4.1)",
    "fido-u2f",
    lib.makeCredentialAttestationHypersecuU2fResponse,
    x5cOf(toRegistrationJson(lib.makeCredentialAttestationHypersecuU2fResponse))[0]!,
  ),
} satisfies Record<string, RealSample>

describe("the real-device samples (fido2-lib@3.5.9's test helpers)", () => {
  it("carry the RP ID hash of their origin's host, and the certificates the package lists", () => {
    for (const sample of Object.values(samples)) {
      const authData = decodeAttestationObject(sample.registration).get("authData") as Uint8Array
      assert.equal(Buffer.from(authData.slice(0, 32)).toString("hex"), sha256Hex(new TextEncoder().encode(sample.rpId)), sample.device)
      assert.equal(sample.clientData.type, "webauthn.create", sample.device)
    }
    // The package's separate copies agree with what the authenticators sent.
    assert.equal(sha256Hex(der(samples.yubikey.chain[0]!)), sha256Hex(new Uint8Array(certs.yubiKeyAttestation)))
    assert.equal(sha256Hex(yubicoRootDer), sha256Hex(new Uint8Array(certs.yubicoRoot)))
    assert.equal(sha256Hex(der(samples.feitian.chain[0]!)), sha256Hex(new Uint8Array(certs.feitianFido2)))
    assert.equal(sha256Hex(der(samples.windowsHelloTpm.chain[0]!)), sha256Hex(new Uint8Array(certs.tpmAttestation)))
    // The Feitian anchor is self-signed and named as the vendor root.
    assert.equal(parseCertificate(samples.feitian.anchor).subject, "C=CN, O=Feitian Technologies, CN=Feitian FIDO Root CA")
    assert.equal(samples.windowsHelloTpm.chain[1]!.issuer.includes("Microsoft TPM Root Certificate Authority 2014"), true)
  })
})

describe("webauthn verifier on real-device registrations", () => {
  const accepted: { name: keyof typeof samples; skip: string | false }[] = [
    { name: "yubikey", skip: false },
    { name: "feitian", skip: realClockSkip(samples.feitian, "packed") },
    { name: "windowsHelloTpm", skip: realClockSkip(samples.windowsHelloTpm, "tpm") },
    { name: "hypersecu", skip: false },
  ]

  for (const { name, skip } of accepted) {
    const sample = samples[name]
    describe(`${sample.format}: ${sample.device}`, { skip }, () => {
      // tpm: SimpleWebAuthn throws (certInfo's extraData no longer matches); the others: the signature fails.
      const tamperedCode = sample.format === "tpm" ? "attestation_invalid" : "attestation_signature_invalid"
      let result: VerifiedAttestation
      before(async () => {
        result = await verifierFor(sample)(check(sample))
      })

      it("verifies at a fixed time inside the certificates' validity, with level device and the anchor as issuer", () => {
        assert.equal(result.level, "device")
        assert.equal(result.issuer, sha256Hex(sample.anchor))
        assert.equal(result.expiresAt.getTime(), sample.notAfter.getTime())
        // The uniqueness key is the attestation certificate's key: the same for every authenticator of the batch.
        assert.deepEqual(result.uniquenessKey, spkiFingerprint(sample.chain[0]!))
      })

      it("gives the same uniqueness key at every verification", async () => {
        const again = await verifierFor(sample)(check(sample, { now: new Date(sample.notAfter.getTime() - DAY) }))
        assert.deepEqual(again.uniquenessKey, result.uniquenessKey)
      })

      it("refuses client data changed after the authenticator signed", async () => {
        const clientData = { ...decodeClientData(sample.registration), crossOrigin: false, tampered: true }
        const tampered = {
          ...sample.registration,
          response: { ...sample.registration.response, clientDataJSON: Buffer.from(JSON.stringify(clientData)).toString("base64url") },
        }
        await rejectsWith(verifierFor(sample)(check(sample, { response: tampered })), tamperedCode, 401)
      })

      it("refuses authenticator data changed after the authenticator signed (one bit of the credential ID)", async () => {
        const attestationObject = decodeAttestationObject(sample.registration)
        // 32 RP ID hash + 1 flags + 4 counter + 16 AAGUID + 2 length: the credential ID starts at 55.
        attestationObject.set("authData", flipped(attestationObject.get("authData") as Uint8Array, 55))
        const tampered = withAttestationObject(sample.registration, attestationObject)
        await rejectsWith(verifierFor(sample)(check(sample, { response: tampered })), tamperedCode, 401)
      })

      it("refuses a signature with one bit changed", async () => {
        const attestationObject = decodeAttestationObject(sample.registration)
        const statement = attestationObject.get("attStmt") as Map<string, CBORType>
        const signature = statement.get("sig") as Uint8Array
        statement.set("sig", flipped(signature, signature.length - 1))
        const tampered = withAttestationObject(sample.registration, attestationObject)
        await rejectsWith(verifierFor(sample)(check(sample, { response: tampered })), "attestation_signature_invalid", 401)
      })

      it("refuses another challenge", async () => {
        const expectedChallenge = encodeBase64url(randomBytes(32))
        await rejectsWith(verifierFor(sample)(check(sample, { expectedChallenge })), "attestation_challenge_mismatch", 401)
      })

      it("refuses another origin", async () => {
        await rejectsWith(verifierFor(sample, { origins: ["https://humanmark.test"] })(check(sample)), "attestation_origin_mismatch", 401)
      })

      it("refuses another RP ID", async () => {
        await rejectsWith(verifierFor(sample, { rpId: "humanmark.test" })(check(sample)), "attestation_rp_id_mismatch", 401)
      })

      it("refuses it after the first notAfter (expired) and before the last notBefore", async () => {
        const verify = verifierFor(sample)
        await rejectsWith(verify(check(sample, { now: new Date(sample.notAfter.getTime() + 1000) })), "attestation_certificate_expired", 401)
        await rejectsWith(verify(check(sample, { now: new Date(sample.notBefore.getTime() - 1000) })), "attestation_certificate_not_yet_valid", 401)
      })

      it("refuses another vendor's real root, a generated root, and a forged root of the same name", async () => {
        const otherRealRoot = sample.format === "fido-u2f" && name === "yubikey" ? samples.feitian.anchor : yubicoRootDer
        await rejectsWith(verifierFor(sample, { anchors: [otherRealRoot] })(check(sample)), "attestation_untrusted_root", 401)
        const generated = await createTestCertificate({ subject: "CN=Generated Attestation Root, O=Humanmark Tests", certificateAuthority: {} })
        await rejectsWith(verifierFor(sample, { anchors: [generated.der] })(check(sample)), "attestation_untrusted_root", 401)
        // Named as the issuer of the top certificate below the anchor, with another key: the name matches, the signature does not.
        const anchor = parseCertificate(sample.anchor)
        const forgedName = name === "hypersecu" ? sample.chain[0]!.issuer : anchor.subject
        const forged = await createTestCertificate({ subject: forgedName, certificateAuthority: {} })
        assert.equal(forged.certificate.subject, forgedName)
        await rejectsWith(verifierFor(sample, { anchors: [forged.der] })(check(sample)), "attestation_untrusted_root", 401)
      })

      it("refuses it when its format has no configured roots", async () => {
        const otherFormat: WebauthnAttestationFormat = sample.format === "packed" ? "fido-u2f" : "packed"
        await rejectsWith(verifierFor(sample, { format: otherFormat })(check(sample)), "attestation_format_refused", 422)
      })

      it("refuses it replayed for an enrollment (any commitment and nonce: a challenge mismatch)", async () => {
        const enrollment = createWebauthnVerifier({
          rpId: sample.rpId,
          origins: [sample.clientData.origin],
          trustedRoots: { [sample.format]: [sample.anchor] },
        })
        for (const commitment of [1n, 987654321987654321987654321n]) {
          const input = { attestation: sample.registration, commitment, challenge: encodeBase64url(randomBytes(32)), now: sample.now }
          await rejectsWith(enrollment.verify(input), "attestation_challenge_mismatch", 401)
        }
      })
    })
  }

  it("yubikey: the key names the batch certificate, not the authenticator (the documented weakness)", async () => {
    const sample = samples.yubikey
    const result = await verifierFor(sample)(check(sample))
    // "Yubico U2F EE Serial 1432534688" is a batch certificate: every YubiKey of the batch sends
    // it, so all of them get this uniqueness key. The package has one registration of this batch,
    // so the collision is shown on the certificate: the key is a function of it alone.
    assert.deepEqual(result.uniquenessKey, spkiFingerprint(new X509Certificate(certs.yubiKeyAttestation)))
    // Another Yubico batch certificate in the package, same root, another key.
    const otherBatch = new X509Certificate(Buffer.from(certs.certificateWithIntegerExtension, "base64"))
    assert.equal(otherBatch.issuer, yubicoRoot.subject)
    assert.notDeepEqual(spkiFingerprint(otherBatch), result.uniquenessKey)
  })

  it("fido-u2f: the registration signature does not cover the signature counter (a format property, harmless)", async () => {
    const sample = samples.yubikey
    const attestationObject = decodeAttestationObject(sample.registration)
    // Byte 36 is the low byte of the counter; FIDO U2F signs rpIdHash, clientDataHash, credential ID and key only.
    attestationObject.set("authData", flipped(attestationObject.get("authData") as Uint8Array, 36))
    const result = await verifierFor(sample)(check(sample, { response: withAttestationObject(sample.registration, attestationObject) }))
    assert.equal(result.level, "device")
  })
})

describe("webauthn verifier refuses real registrations of formats without a device certificate", () => {
  // Roots for fido-u2f and packed, and every origin of the samples below: each is refused for its format alone.
  const verify = createWebauthnRegistrationVerifier({
    rpId: "localhost",
    origins: ["https://localhost:8443", "https://56k.guru", "http://localhost:3000"],
    trustedRoots: { "fido-u2f": [yubicoRootDer], packed: [samples.feitian.anchor] },
  })
  /** Verifies a registration against its own challenge. */
  const verifyOwnChallenge = (registration: RegistrationJson) =>
    verify({ response: registration, expectedChallenge: decodeClientData(registration).challenge, now: samples.yubikey.now })

  it("none (a registration that carries no attestation)", async () => {
    const registration = toRegistrationJson(lib.makeCredentialAttestationNoneResponse)
    assert.equal(decodeAttestationObject(registration).get("fmt"), "none")
    await rejectsWith(verifyOwnChallenge(registration), "attestation_format_refused", 422)
  })

  it("packed self attestation from Windows Hello (no x5c)", async () => {
    const registration = toRegistrationJson(lib.makeCredentialAttestationPackedResponseWindowsHello)
    const statement = decodeAttestationObject(registration).get("attStmt") as Map<string, CBORType>
    assert.equal(statement.has("x5c"), false)
    await rejectsWith(verifyOwnChallenge(registration), "attestation_format_refused", 422)
  })

  it("apple (an anonymous per-credential certificate), from fido2-lib's test/main.test.js", async () => {
    // main.test.js imports chai (not installed): read its text for the one apple registration instead.
    const require = createRequire(import.meta.url)
    const text = await readFile(require.resolve("fido2-lib/test/main.test.js"), "utf8")
    // The attestationObject is the base64 CBOR that starts with {"fmt": "apple"; its clientDataJSON follows it.
    const match = /"(o2NmbXRlYXBwbGVn[A-Za-z0-9+/=]+)"[\s\S]*?clientDataJSON: coerceToArrayBuffer\(\s*"([A-Za-z0-9+/=_-]+)"/.exec(text)
    const [, attestationObject, clientDataJSON] = match ?? []
    assert.ok(attestationObject && clientDataJSON, "the apple sample was not found in fido2-lib/test/main.test.js")
    const registration: RegistrationJson = {
      id: "nYpcVrc-OjVgCMS9laIxkRR64nk",
      rawId: "nYpcVrc-OjVgCMS9laIxkRR64nk",
      type: "public-key",
      response: {
        attestationObject: Buffer.from(attestationObject, "base64").toString("base64url"),
        clientDataJSON: Buffer.from(clientDataJSON, "base64").toString("base64url"),
      },
      clientExtensionResults: {},
    }
    assert.equal(decodeAttestationObject(registration).get("fmt"), "apple")
    await rejectsWith(verifyOwnChallenge(registration), "attestation_format_refused", 422)
  })

  it("android-safetynet (retired by Google): its 2018 client data has no type, so it is refused as malformed first", async () => {
    const registration = toRegistrationJson(lib.makeCredentialAttestationSafetyNetResponse)
    assert.equal(decodeAttestationObject(registration).get("fmt"), "android-safetynet")
    assert.equal(decodeClientData(registration).type, undefined)
    await rejectsWith(verifyOwnChallenge(registration), "attestation_malformed", 400)
  })

  it("leaves SimpleWebAuthn's process-global root settings alone", () => {
    for (const identifier of ["packed", "fido-u2f", "tpm"] as const) assert.deepEqual(SettingsService.getRootCertificates({ identifier }), [])
  })
})
