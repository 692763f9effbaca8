import { createHash } from "node:crypto"
import { decodeCBOR, type CBORType } from "@levischuck/tiny-cbor"
import type { X509Certificate } from "@peculiar/x509"
import { verifyRegistrationResponse, type RegistrationResponseJSON } from "@simplewebauthn/server"
import { z } from "zod/v4"
import { HumanmarkError } from "../../../sdk/errors.ts"
import { parseAttestationCertificate, parseTrustedRoots, verifyCertificateChain, type TrustedRoot } from "./certificate-chain.ts"
import { assertCommitmentInField } from "./commitment.ts"
import { bytesEqual, decodeBase64url } from "./encoding.ts"
import { attestationError } from "./errors.ts"
import type { AttestationVerifier, VerifiedAttestation, VerifyAttestationInput } from "./types.ts"
import { webauthnChallengeFor } from "./webauthn-challenge.ts"

export { WEBAUTHN_CHALLENGE_DOMAIN, webauthnChallengeFor } from "./webauthn-challenge.ts"

export const WEBAUTHN_FORMAT = "webauthn"

/**
 * The WebAuthn attestation statement formats this verifier can accept, each only once roots are
 * configured for it. Refused always: `none` and packed self attestation (a key the client made
 * itself proves nothing), `apple` (an anonymous certificate per credential: nothing identifies the
 * device, so one iPhone could enroll without limit) and `android-safetynet` (retired by Google).
 */
export const WEBAUTHN_ATTESTATION_FORMATS = ["packed", "fido-u2f", "tpm", "android-key"] as const
export type WebauthnAttestationFormat = (typeof WEBAUTHN_ATTESTATION_FORMATS)[number]

export interface WebauthnVerifierOptions {
  /** The relying party ID the enrollment page registers credentials for, e.g. `humanmark.example`. */
  rpId: string
  /** Origins the enrollment page is served from, e.g. `https://humanmark.example`. */
  origins: readonly string[]
  /**
   * Attestation roots per statement format (PEM text or DER bytes), for example the FIDO Metadata
   * Service roots of the authenticator models you accept. A format without roots is refused.
   */
  trustedRoots: Partial<Record<WebauthnAttestationFormat, readonly (string | Uint8Array)[]>>
  /** Require user verification (PIN or biometric), not just presence. Default false: uniqueness does not depend on it. */
  requireUserVerification?: boolean
  /** Caps `expiresAt` at `now + maxValidityMs`. */
  maxValidityMs?: number
}

const registrationResponseSchema = z.object({
  id: z.string().min(1),
  rawId: z.string().min(1),
  type: z.literal("public-key"),
  response: z.looseObject({
    clientDataJSON: z.string().min(1),
    attestationObject: z.string().min(1),
    transports: z.array(z.string()).optional(),
  }),
  clientExtensionResults: z.looseObject({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
})

const clientDataSchema = z.looseObject({ type: z.string(), challenge: z.string(), origin: z.string() })

interface DecodedAttestationObject {
  statementFormat: string
  certificates: Uint8Array[]
  rpIdHash: Uint8Array
}

/**
 * Verifies `webauthn` attestations: the JSON registration response of `navigator.credentials.create`
 * (as @simplewebauthn/browser's `startRegistration` returns it), made with the challenge
 * {@link webauthnChallengeFor}`(commitment, nonce)` so the authenticator's signature commits to the
 * enrollment. The attestation certificate chain is checked against this verifier's own roots at
 * `now`; @simplewebauthn/server checks everything else (client data, authenticator data, the
 * format's signature rules).
 *
 * Level `device`, and weak: WebAuthn proves "a genuine hardware authenticator took part", never "a
 * unique human". The uniqueness key is sha256 of the attestation key's SubjectPublicKeyInfo, the
 * most device-specific value each format offers, and it identifies:
 * - `packed`, `fido-u2f`: a **batch** of authenticators. FIDO requires batch attestation keys to be
 *   shared by at least 100,000 devices so they cannot track users; every holder of one model from
 *   one batch gets the same key.
 * - `tpm`: the TPM's attestation identity key (AIK), certified by a privacy CA: one machine as a rule,
 *   though a platform can obtain further AIKs.
 * - `android-key`: the device's attestation key (x5c[1]; x5c[0] certifies the credential itself),
 *   shared by a batch on older phones and rotated on phones with remote key provisioning.
 * A credential ID is never used: it is new at every registration, so it would bound nothing.
 *
 * `SettingsService.setRootCertificates` is process-global (every verifier and every request of
 * the process would share one root list per format), so this module never calls it. It passes the
 * chain through its own path validation with per-verifier roots and the caller's `now`.
 * SimpleWebAuthn, finding no roots for packed, fido-u2f and tpm, skips its path check for them; for
 * android-key it additionally checks its built-in Google roots. Two of its checks use the real clock,
 * not `now`: the packed leaf's validity and (for android-key) its path check.
 */
export function createWebauthnVerifier(options: WebauthnVerifierOptions): AttestationVerifier {
  const verifyRegistration = createWebauthnRegistrationVerifier(options)

  async function verify(input: VerifyAttestationInput): Promise<VerifiedAttestation> {
    assertCommitmentInField(input.commitment)
    const expectedChallenge = webauthnChallengeFor(input.commitment, input.challenge)
    return verifyRegistration({ response: input.attestation, expectedChallenge, now: input.now })
  }

  return { format: WEBAUTHN_FORMAT, verify }
}

/** What {@link createWebauthnRegistrationVerifier}'s function checks one registration response against. */
export interface WebauthnRegistrationInput {
  /** The registration response JSON as the client sent it (validated here). */
  response: unknown
  /** The challenge the ceremony must have answered; for enrollment, `webauthnChallengeFor(commitment, nonce)`. */
  expectedChallenge: string
  /** The time to check the attestation certificates against. */
  now: Date
}

/**
 * Internal building block of {@link createWebauthnVerifier}: verifies a registration response
 * against an explicit expected challenge instead of deriving it from a commitment and a nonce.
 * Exported so tests can verify registrations captured from real authenticators, which answer their
 * own challenges. Enrollment must go through {@link createWebauthnVerifier}: this function alone
 * does not bind the registration to a commitment.
 */
export function createWebauthnRegistrationVerifier(
  options: WebauthnVerifierOptions,
): (input: WebauthnRegistrationInput) => Promise<VerifiedAttestation> {
  const trustedRoots = new Map<string, TrustedRoot[]>()
  for (const statementFormat of WEBAUTHN_ATTESTATION_FORMATS) {
    const roots = options.trustedRoots[statementFormat] ?? []
    if (roots.length > 0) trustedRoots.set(statementFormat, parseTrustedRoots(roots))
  }
  if (trustedRoots.size === 0 || options.origins.length === 0 || options.rpId === "") {
    throw new HumanmarkError(
      "attestation_configuration_invalid",
      "The webauthn verifier needs an RP ID, at least one origin and roots for at least one attestation format.",
      { status: 500 },
    )
  }
  const rpIdHash = new Uint8Array(createHash("sha256").update(options.rpId).digest())

  return async function verifyWebauthnRegistration(input: WebauthnRegistrationInput): Promise<VerifiedAttestation> {
    const parsed = registrationResponseSchema.safeParse(input.response)
    if (!parsed.success) {
      throw attestationError("attestation_malformed", "A webauthn attestation is the JSON of a WebAuthn registration response.", {
        details: z.prettifyError(parsed.error),
      })
    }
    const response = parsed.data as RegistrationResponseJSON
    const { expectedChallenge } = input

    const clientData = decodeClientData(response.response.clientDataJSON)
    if (clientData.type !== "webauthn.create") {
      throw attestationError("attestation_malformed", `The client data is for "${clientData.type}", not a registration.`)
    }
    if (clientData.challenge !== expectedChallenge) {
      throw attestationError("attestation_challenge_mismatch", "The WebAuthn registration answers another challenge.", {
        details: "The challenge must be webauthnChallengeFor(commitment, nonce): another nonce or another commitment gives another challenge.",
      })
    }
    if (!options.origins.includes(clientData.origin)) {
      throw attestationError("attestation_origin_mismatch", `The WebAuthn registration ran on ${clientData.origin}, which is not an enrollment origin.`)
    }

    const attestationObject = decodeAttestationObject(response.response.attestationObject)
    const roots = acceptedRoots(attestationObject, trustedRoots)
    if (!bytesEqual(attestationObject.rpIdHash, rpIdHash)) {
      throw attestationError("attestation_rp_id_mismatch", `The credential was not created for the relying party ${options.rpId}.`)
    }
    const chain = attestationObject.certificates.map((der, index) => parseAttestationCertificate(der, `x5c certificate ${index}`))
    const { root, expiresAt } = await verifyCertificateChain({ chain, trustedRoots: roots, now: input.now })

    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge,
        expectedOrigin: [...options.origins],
        expectedRPID: options.rpId,
        requireUserPresence: true,
        requireUserVerification: options.requireUserVerification ?? false,
      })
    } catch (error) {
      // SimpleWebAuthn reports every failure as a plain Error; its message is the only detail there is.
      throw attestationError("attestation_invalid", "The WebAuthn registration response did not verify.", {
        details: error instanceof Error ? error.message : String(error),
        cause: error,
      })
    }
    if (!verified.verified || verified.registrationInfo.fmt !== attestationObject.statementFormat) {
      throw attestationError("attestation_signature_invalid", "The WebAuthn attestation signature does not verify.")
    }

    const cappedExpiry = options.maxValidityMs === undefined ? Infinity : input.now.getTime() + options.maxValidityMs
    return {
      uniquenessKey: attestationKeyFingerprint(attestationObject.statementFormat, chain),
      level: "device",
      issuer: root.fingerprint,
      expiresAt: new Date(Math.min(expiresAt.getTime(), cappedExpiry)),
    }
  }
}

function decodeClientData(clientDataJSON: string): z.infer<typeof clientDataSchema> {
  const bytes = decodeBase64url(clientDataJSON)
  let json: unknown
  try {
    json = bytes ? JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) : undefined
  } catch {
    json = undefined
  }
  const parsed = clientDataSchema.safeParse(json)
  if (!parsed.success) throw attestationError("attestation_malformed", "clientDataJSON is not base64url of a client data JSON object.")
  return parsed.data
}

function decodeAttestationObject(attestationObject: string): DecodedAttestationObject {
  const bytes = decodeBase64url(attestationObject)
  let decoded: CBORType
  try {
    decoded = bytes ? decodeCBOR(bytes) : undefined
  } catch {
    decoded = undefined
  }
  if (!(decoded instanceof Map)) throw attestationError("attestation_malformed", "attestationObject is not base64url of a CBOR map.")
  const statementFormat = decoded.get("fmt")
  const statement = decoded.get("attStmt")
  const authenticatorData = decoded.get("authData")
  // 32 bytes of RP ID hash, 1 of flags, 4 of counter: anything shorter is not authenticator data.
  if (typeof statementFormat !== "string" || !(statement instanceof Map) || !(authenticatorData instanceof Uint8Array) || authenticatorData.length < 37) {
    throw attestationError("attestation_malformed", "attestationObject lacks fmt, attStmt or authData.")
  }
  const x5c = statement.get("x5c")
  const certificates = Array.isArray(x5c) && x5c.every((item) => item instanceof Uint8Array) ? (x5c as Uint8Array[]) : []
  return { statementFormat, certificates, rpIdHash: authenticatorData.slice(0, 32) }
}

function acceptedRoots(attestationObject: DecodedAttestationObject, trustedRoots: Map<string, TrustedRoot[]>): TrustedRoot[] {
  const { statementFormat, certificates } = attestationObject
  if (statementFormat === "none") {
    throw attestationError("attestation_format_refused", "The authenticator gave no attestation (none); a key the client made itself proves nothing.", {
      details: 'Register with attestation: "direct" and a hardware authenticator.',
    })
  }
  const roots = trustedRoots.get(statementFormat)
  if (!roots) {
    throw attestationError("attestation_format_refused", `This server does not accept the "${statementFormat}" attestation format.`, {
      details: `Accepted: ${[...trustedRoots.keys()].join(", ")}.`,
    })
  }
  if (certificates.length === 0) {
    throw attestationError("attestation_format_refused", "The attestation carries no certificate chain (self attestation), so nothing vouches for the authenticator.")
  }
  if (statementFormat === "android-key" && certificates.length < 2) {
    throw attestationError("attestation_malformed", "An android-key attestation needs the credential certificate and the device's attestation certificate.")
  }
  return roots
}

/** sha256 of the SubjectPublicKeyInfo of the key that made the attestation (see the TSDoc above). */
function attestationKeyFingerprint(statementFormat: string, chain: readonly X509Certificate[]): Uint8Array {
  const attestationCertificate = statementFormat === "android-key" ? chain[1]! : chain[0]!
  return new Uint8Array(createHash("sha256").update(new Uint8Array(attestationCertificate.publicKey.rawData)).digest())
}
