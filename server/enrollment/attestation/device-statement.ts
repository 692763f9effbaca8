// First: @peculiar/x509 needs the Reflect metadata API as soon as it loads.
import "reflect-metadata"
import { createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto"
import { CBORTag, decodeCBOR, encodeCBOR, type CBORType } from "@levischuck/tiny-cbor"
import { KeyUsageFlags, KeyUsagesExtension, type X509Certificate } from "@peculiar/x509"
import { HumanmarkError } from "../../../sdk/errors.ts"
import { parseAttestationCertificate, parseTrustedRoots, verifyCertificateChain } from "./certificate-chain.ts"
import { assertCommitmentInField } from "./commitment.ts"
import { decodeBase64url } from "./encoding.ts"
import { attestationError } from "./errors.ts"
import type { AttestationVerifier, VerifiedAttestation, VerifyAttestationInput } from "./types.ts"

export const DEVICE_STATEMENT_FORMAT = "device-statement"

/** COSE algorithm identifiers (RFC 9053) a device may sign with. */
export const COSE_ALGORITHM = { ES256: -7, EdDSA: -8 } as const

/** COSE header labels this format reads (RFC 9052 section 3.1, RFC 9360 section 2). */
const HEADER = { algorithm: 1, critical: 2, x5chain: 33 } as const
const COSE_SIGN1_TAG = 18
const PERSON_KEY_MIN_BYTES = 16
const PERSON_KEY_MAX_BYTES = 64
const STATEMENT_FIELDS = ["commitment", "challenge", "personKey", "issuedAt"] as const
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/

export interface DeviceStatementVerifierOptions {
  /** Root certificates of the personhood device makers this server trusts, PEM text or DER bytes. */
  trustedRoots: readonly (string | Uint8Array)[]
  /** How old a statement may be when it arrives. Default 5 minutes. */
  maxAgeMs?: number
  /** How far in the future a device clock may put `issuedAt`. Default 30 seconds. */
  clockSkewMs?: number
  /** Caps `expiresAt` at `now + maxValidityMs`, for roots that outlive the trust one enrollment deserves. */
  maxValidityMs?: number
}

/** The statement a personhood device signs, as decoded from the COSE payload. */
export interface DeviceStatement {
  commitment: bigint
  challenge: string
  personKey: Uint8Array
  issuedAt: Date
}

interface DecodedSign1 {
  protectedBytes: Uint8Array
  payload: Uint8Array
  signature: Uint8Array
  algorithm: number
  certificates: Uint8Array[]
}

/**
 * Verifies `device-statement` attestations: a personhood device (an orb-like kiosk, a phone app
 * with a secure element) that has checked a human and derived a per-person uniqueness value signs
 * `{ commitment, challenge, personKey, issuedAt }` as a COSE_Sign1 whose `x5chain` leads to a
 * configured root. The envelope is specified in DEVICE-STATEMENT.md.
 *
 * Level `person`: the uniqueness key is the device's `personKey`, so the same human enrolling again
 * yields the same key. This module trusts the device for that; it cannot check it.
 * The attestation is `attestation` as a base64url string (or the raw bytes).
 */
export function createDeviceStatementVerifier(options: DeviceStatementVerifierOptions): AttestationVerifier {
  if (options.trustedRoots.length === 0) {
    throw new HumanmarkError("attestation_configuration_invalid", "The device-statement verifier needs at least one trusted root.", { status: 500 })
  }
  const trustedRoots = parseTrustedRoots(options.trustedRoots)
  const maxAgeMs = options.maxAgeMs ?? 5 * 60_000
  const clockSkewMs = options.clockSkewMs ?? 30_000

  async function verify(input: VerifyAttestationInput): Promise<VerifiedAttestation> {
    assertCommitmentInField(input.commitment)
    const sign1 = decodeSign1(attestationBytes(input.attestation))
    const chain = sign1.certificates.map((der, index) => parseAttestationCertificate(der, `x5chain certificate ${index}`))
    const { root, expiresAt } = await verifyCertificateChain({ chain, trustedRoots, now: input.now })
    verifyStatementSignature(sign1, chain[0]!)

    const statement = decodeStatement(sign1.payload)
    if (statement.challenge !== input.challenge) {
      throw attestationError("attestation_challenge_mismatch", "The device statement answers another challenge.")
    }
    if (statement.commitment !== input.commitment) {
      throw attestationError("attestation_commitment_mismatch", "The device statement was signed for another commitment.")
    }
    const age = input.now.getTime() - statement.issuedAt.getTime()
    if (age < -clockSkewMs) {
      throw attestationError("attestation_issued_in_future", "The device statement is dated in the future.", {
        details: `issuedAt ${statement.issuedAt.toISOString()} is after the server time ${input.now.toISOString()}.`,
      })
    }
    if (age > maxAgeMs) {
      throw attestationError("attestation_stale", "The device statement is too old; ask the device for a new one.", {
        details: `It was issued ${Math.round(age / 1000)} s ago; at most ${Math.round(maxAgeMs / 1000)} s are accepted.`,
      })
    }

    const cappedExpiry = options.maxValidityMs === undefined ? Infinity : input.now.getTime() + options.maxValidityMs
    return {
      uniquenessKey: statement.personKey,
      level: "person",
      issuer: root.fingerprint,
      expiresAt: new Date(Math.min(expiresAt.getTime(), cappedExpiry)),
    }
  }

  return { format: DEVICE_STATEMENT_FORMAT, verify }
}

function attestationBytes(attestation: unknown): Uint8Array {
  // A copy: tiny-cbor accepts plain Uint8Arrays only, not subclasses such as Buffer.
  if (attestation instanceof Uint8Array) return new Uint8Array(attestation)
  const bytes = typeof attestation === "string" ? decodeBase64url(attestation) : undefined
  if (!bytes) {
    throw attestationError("attestation_malformed", "A device statement is a COSE_Sign1 encoded as base64url.")
  }
  return bytes
}

function decodeSign1(bytes: Uint8Array): DecodedSign1 {
  let structure = decodeCborOrThrow(bytes, "The device statement is not valid CBOR.")
  // The COSE_Sign1 tag is optional: the format is known from context.
  if (structure instanceof CBORTag) {
    if (structure.tag !== COSE_SIGN1_TAG) throw malformed(`The device statement has CBOR tag ${structure.tag}, not 18 (COSE_Sign1).`)
    structure = structure.value
  }
  if (!Array.isArray(structure) || structure.length !== 4) throw malformed("A COSE_Sign1 is an array of 4 items.")
  const [protectedBytes, unprotected, payload, signature] = structure
  if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof Map)) {
    throw malformed("The COSE_Sign1 headers are not a byte string and a map.")
  }
  if (!(payload instanceof Uint8Array)) throw malformed("The COSE_Sign1 payload must be attached as a byte string.")
  if (!(signature instanceof Uint8Array)) throw malformed("The COSE_Sign1 signature is not a byte string.")

  const protectedHeader = decodeCborOrThrow(protectedBytes, "The COSE protected header is not valid CBOR.")
  if (!(protectedHeader instanceof Map)) throw malformed("The COSE protected header is not a map.")
  for (const label of protectedHeader.keys()) {
    if (unprotected.has(label)) throw malformed(`COSE header ${label} appears in both the protected and unprotected headers.`)
  }
  if (protectedHeader.has(HEADER.critical) || unprotected.has(HEADER.critical)) {
    throw malformed("The COSE headers mark parameters critical; this format defines none.")
  }
  const algorithm = protectedHeader.get(HEADER.algorithm)
  if (algorithm !== COSE_ALGORITHM.ES256 && algorithm !== COSE_ALGORITHM.EdDSA) {
    throw malformed("The protected header must set alg (1) to ES256 (-7) or EdDSA (-8).")
  }
  const chain = protectedHeader.get(HEADER.x5chain) ?? unprotected.get(HEADER.x5chain)
  // RFC 9360: one certificate is a byte string, several are an array of them, leaf first.
  const certificates = chain instanceof Uint8Array ? [chain] : chain
  if (!Array.isArray(certificates) || certificates.length === 0 || !certificates.every((item) => item instanceof Uint8Array)) {
    throw malformed("The COSE headers must carry the device certificate chain in x5chain (33).")
  }
  return { protectedBytes, payload, signature, algorithm, certificates: certificates as Uint8Array[] }
}

function verifyStatementSignature(sign1: DecodedSign1, leaf: X509Certificate): void {
  const keyUsage = leaf.getExtension(KeyUsagesExtension)
  if (keyUsage && (keyUsage.usages & KeyUsageFlags.digitalSignature) === 0) {
    throw attestationError("attestation_chain_invalid", "The device certificate may not sign statements (no digitalSignature key usage).")
  }
  const key = createPublicKey({ key: Buffer.from(leaf.publicKey.rawData), format: "der", type: "spki" })
  // RFC 9052 section 4.4: the signature covers the protected header bytes as sent, not a re-encoding.
  const signedBytes = encodeCBOR(["Signature1", sign1.protectedBytes, new Uint8Array(0), sign1.payload])
  let valid: boolean
  if (sign1.algorithm === COSE_ALGORITHM.ES256) {
    requireKeyType(key, "ec", "prime256v1", "ES256 needs a P-256 device key.")
    // COSE carries ECDSA signatures as r || s (IEEE P1363), not DER.
    valid = sign1.signature.length === 64 && verifySignature("sha256", signedBytes, { key, dsaEncoding: "ieee-p1363" }, sign1.signature)
  } else {
    requireKeyType(key, "ed25519", undefined, "EdDSA needs an Ed25519 device key.")
    valid = verifySignature(null, signedBytes, key, sign1.signature)
  }
  if (!valid) throw attestationError("attestation_signature_invalid", "The device statement's signature does not verify with the device certificate.")
}

function requireKeyType(key: KeyObject, type: string, curve: string | undefined, message: string): void {
  if (key.asymmetricKeyType !== type || (curve !== undefined && key.asymmetricKeyDetails?.namedCurve !== curve)) {
    throw attestationError("attestation_signature_invalid", message)
  }
}

function decodeStatement(payload: Uint8Array): DeviceStatement {
  const statement = decodeCborOrThrow(payload, "The device statement payload is not valid CBOR.")
  if (!(statement instanceof Map)) throw malformed("The device statement payload is not a CBOR map.")
  for (const key of statement.keys()) {
    if (!(STATEMENT_FIELDS as readonly (string | number)[]).includes(key)) throw malformed(`The device statement has an unknown field ${JSON.stringify(key)}.`)
  }
  const { commitment, challenge, personKey, issuedAt } = Object.fromEntries(STATEMENT_FIELDS.map((field) => [field, statement.get(field)]))
  if (typeof commitment !== "string" || !DECIMAL.test(commitment)) throw malformed("The statement's commitment must be a decimal string.")
  if (typeof challenge !== "string") throw malformed("The statement's challenge must be a string.")
  const personKeyBytes = typeof personKey === "string" ? decodeBase64url(personKey) : undefined
  if (!personKeyBytes || personKeyBytes.length < PERSON_KEY_MIN_BYTES || personKeyBytes.length > PERSON_KEY_MAX_BYTES) {
    throw malformed(`The statement's personKey must be ${PERSON_KEY_MIN_BYTES} to ${PERSON_KEY_MAX_BYTES} bytes in base64url.`)
  }
  const issuedAtDate = typeof issuedAt === "string" && ISO_INSTANT.test(issuedAt) ? new Date(issuedAt) : undefined
  if (!issuedAtDate || Number.isNaN(issuedAtDate.getTime())) {
    throw malformed("The statement's issuedAt must be an ISO 8601 time with a zone, such as 2025-01-31T12:00:00Z.")
  }
  return { commitment: BigInt(commitment), challenge, personKey: personKeyBytes, issuedAt: issuedAtDate }
}

function decodeCborOrThrow(bytes: Uint8Array, message: string): CBORType {
  try {
    return decodeCBOR(bytes)
  } catch (error) {
    throw attestationError("attestation_malformed", message, { cause: error })
  }
}

function malformed(message: string): HumanmarkError {
  return attestationError("attestation_malformed", message)
}
