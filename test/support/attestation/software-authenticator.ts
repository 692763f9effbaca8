// A WebAuthn authenticator in software, written from the WebAuthn Level 2 specification (sections
// 6.1 authenticator data, 6.5 attestation object, 8.2 packed, 8.6 fido-u2f, 8.7 none). It makes the
// registration response JSON that @simplewebauthn/browser would post, with real keys and signatures.
import "reflect-metadata" // before @peculiar/x509, which needs it at load time
import { createHash, KeyObject, randomBytes, sign } from "node:crypto"
import { encodeCBOR, type CBORType } from "@levischuck/tiny-cbor"
import { Extension } from "@peculiar/x509"
import type { TestCertificate } from "./certificates.ts"

/** `packed-self` is packed without x5c: the credential key signs its own attestation. */
export type SoftwareAttestationFormat = "packed" | "packed-self" | "fido-u2f" | "none"

export interface SoftwareAuthenticatorOptions {
  format: SoftwareAttestationFormat
  /** The attestation certificate (with its key) and the certificates above it, for packed and fido-u2f. */
  attestation?: { certificate: TestCertificate; intermediates?: Uint8Array[] }
  /** The model identifier; fido-u2f always uses zeros. */
  aaguid?: Uint8Array
}

export interface SoftwareRegistrationOptions {
  challenge: string
  origin: string
  rpId: string
  userVerified?: boolean
  /** Signs the attestation with this key instead of the attestation certificate's (a forgery). */
  forgeWith?: CryptoKey
}

/** The shape of @simplewebauthn/browser's `startRegistration` result. */
export interface RegistrationResponse {
  id: string
  rawId: string
  type: "public-key"
  response: { clientDataJSON: string; attestationObject: string; transports: string[] }
  clientExtensionResults: Record<string, never>
  authenticatorAttachment: "cross-platform"
}

export interface SoftwareAuthenticator {
  aaguid: Uint8Array
  register(options: SoftwareRegistrationOptions): Promise<RegistrationResponse>
}

const FLAG_USER_PRESENT = 0x01
const FLAG_USER_VERIFIED = 0x04
const FLAG_ATTESTED_CREDENTIAL_DATA = 0x40

/** The id-fido-gen-ce-aaguid extension that ties a packed attestation certificate to one model. */
export function aaguidExtension(aaguid: Uint8Array): Extension {
  return new Extension("1.3.6.1.4.1.45724.1.1.4", false, new Uint8Array([0x04, aaguid.length, ...aaguid]))
}

export function createSoftwareAuthenticator(options: SoftwareAuthenticatorOptions): SoftwareAuthenticator {
  const aaguid = options.format === "fido-u2f" ? new Uint8Array(16) : (options.aaguid ?? new Uint8Array(randomBytes(16)))

  async function register(registration: SoftwareRegistrationOptions): Promise<RegistrationResponse> {
    const credentialKeys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair
    const uncompressedPoint = new Uint8Array(await crypto.subtle.exportKey("raw", credentialKeys.publicKey))
    const credentialPublicKey = encodeCBOR(
      new Map<number, CBORType>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, uncompressedPoint.slice(1, 33)],
        [-3, uncompressedPoint.slice(33, 65)],
      ]),
    )
    const credentialId = new Uint8Array(randomBytes(32))
    const clientDataJSON = new TextEncoder().encode(
      JSON.stringify({ type: "webauthn.create", challenge: registration.challenge, origin: registration.origin, crossOrigin: false }),
    )
    const rpIdHash = sha256(new TextEncoder().encode(registration.rpId))
    const flags = FLAG_USER_PRESENT | FLAG_ATTESTED_CREDENTIAL_DATA | (registration.userVerified ? FLAG_USER_VERIFIED : 0)
    const authenticatorData = concat(
      rpIdHash,
      new Uint8Array([flags]),
      new Uint8Array(4), // signature counter
      aaguid,
      new Uint8Array([credentialId.length >> 8, credentialId.length & 0xff]),
      credentialId,
      credentialPublicKey,
    )
    const clientDataHash = sha256(clientDataJSON)

    const attestationKey = (certificateKey: CryptoKey | undefined) => {
      const key = registration.forgeWith ?? certificateKey
      if (!key) throw new Error(`The ${options.format} software authenticator needs an attestation certificate.`)
      return key
    }
    let attestationStatement: Map<string, CBORType>
    if (options.format === "packed") {
      const signature = signDer(attestationKey(options.attestation?.certificate.keys.privateKey), concat(authenticatorData, clientDataHash))
      const x5c = [options.attestation!.certificate.der, ...(options.attestation!.intermediates ?? [])]
      attestationStatement = new Map<string, CBORType>([["alg", -7], ["sig", signature], ["x5c", x5c]])
    } else if (options.format === "packed-self") {
      const signature = signDer(attestationKey(credentialKeys.privateKey), concat(authenticatorData, clientDataHash))
      attestationStatement = new Map<string, CBORType>([["alg", -7], ["sig", signature]])
    } else if (options.format === "fido-u2f") {
      const signedData = concat(new Uint8Array([0x00]), rpIdHash, clientDataHash, credentialId, uncompressedPoint)
      const signature = signDer(attestationKey(options.attestation?.certificate.keys.privateKey), signedData)
      attestationStatement = new Map<string, CBORType>([["sig", signature], ["x5c", [options.attestation!.certificate.der]]])
    } else {
      attestationStatement = new Map()
    }

    const attestationObject = encodeCBOR(
      new Map<string, CBORType>([
        ["fmt", options.format === "packed-self" ? "packed" : options.format],
        ["attStmt", attestationStatement],
        ["authData", authenticatorData],
      ]),
    )
    const id = base64url(credentialId)
    return {
      id,
      rawId: id,
      type: "public-key",
      response: { clientDataJSON: base64url(clientDataJSON), attestationObject: base64url(attestationObject), transports: ["usb"] },
      clientExtensionResults: {},
      authenticatorAttachment: "cross-platform",
    }
  }

  return { aaguid, register }
}

/** WebAuthn attestation signatures are ECDSA in ASN.1 DER, unlike COSE_Sign1's r || s. */
function signDer(privateKey: CryptoKey, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign("sha256", data, KeyObject.from(privateKey)))
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest())
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts))
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url")
}
