// Throwaway C2PA test credentials made at test time: a root CA and an ECDSA P-256 signing
// certificate with the profile C2PA validators check (v3, key usage digitalSignature, an allowed
// extended key usage, authority and subject key identifiers, not self-signed).
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto"
import {
  bitString,
  booleanTrue,
  explicit,
  implicitPrimitive,
  integer,
  objectIdentifier,
  octetString,
  sequence,
  set,
  utcTime,
  utf8String,
} from "./der.ts"

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extendedKeyUsage: "2.5.29.37",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  documentSigning: "1.3.6.1.5.5.7.3.36",
} as const

export interface TestCertificate {
  /** DER bytes of the certificate. */
  der: Uint8Array
  pem: string
  privateKey: KeyObject
}

export interface TestCredentials {
  /** The root: give its PEM as a trust anchor to make signatures "Trusted". */
  certificateAuthority: TestCertificate
  /** The end-entity certificate that signs manifests (ES256). */
  signer: TestCertificate
  /** Organization and common names used in the certificates, to compare with what a reader reports. */
  names: { organization: string; authorityCommonName: string; signerCommonName: string }
}

export interface CreateTestCredentialsOptions {
  organization?: string
  signerCommonName?: string
  /** Signing certificate validity; defaults to one day either side of now. */
  notBefore?: Date
  notAfter?: Date
}

export function createTestCredentials(options: CreateTestCredentialsOptions = {}): TestCredentials {
  const organization = options.organization ?? "Humanmark Test"
  const authorityCommonName = "Humanmark Test Root CA"
  const signerCommonName = options.signerCommonName ?? "Humanmark Test Signer"
  const day = 24 * 60 * 60 * 1000
  const now = Date.now()

  const authorityKeys = generateKeyPairSync("ec", { namedCurve: "P-256" })
  const authorityName = distinguishedName({ organization, commonName: authorityCommonName })
  const authorityKeyId = keyIdentifier(authorityKeys.publicKey)
  const certificateAuthority = issueCertificate({
    subjectName: authorityName,
    subjectPublicKey: authorityKeys.publicKey,
    issuerName: authorityName,
    issuerPrivateKey: authorityKeys.privateKey,
    issuerKeyId: authorityKeyId,
    notBefore: new Date(now - day),
    notAfter: new Date(now + 365 * day),
    extensions: [
      extension(OID.basicConstraints, sequence(booleanTrue()), { critical: true }),
      // keyCertSign (bit 5) and cRLSign (bit 6).
      extension(OID.keyUsage, bitString(Uint8Array.of(0x06), 1), { critical: true }),
    ],
    privateKey: authorityKeys.privateKey,
  })

  const signerKeys = generateKeyPairSync("ec", { namedCurve: "P-256" })
  const signer = issueCertificate({
    subjectName: distinguishedName({ organization, commonName: signerCommonName }),
    subjectPublicKey: signerKeys.publicKey,
    issuerName: authorityName,
    issuerPrivateKey: authorityKeys.privateKey,
    issuerKeyId: authorityKeyId,
    notBefore: options.notBefore ?? new Date(now - day),
    notAfter: options.notAfter ?? new Date(now + day),
    extensions: [
      extension(OID.basicConstraints, sequence()),
      // digitalSignature (bit 0) only: C2PA refuses keyCertSign on an end-entity certificate.
      extension(OID.keyUsage, bitString(Uint8Array.of(0x80), 7), { critical: true }),
      extension(OID.extendedKeyUsage, sequence(objectIdentifier(OID.emailProtection), objectIdentifier(OID.documentSigning))),
    ],
    privateKey: signerKeys.privateKey,
  })

  return { certificateAuthority, signer, names: { organization, authorityCommonName, signerCommonName } }
}

interface IssueParameters {
  subjectName: Uint8Array
  subjectPublicKey: KeyObject
  issuerName: Uint8Array
  issuerPrivateKey: KeyObject
  issuerKeyId: Uint8Array
  notBefore: Date
  notAfter: Date
  extensions: Uint8Array[]
  /** The subject's own private key, returned with the certificate. */
  privateKey: KeyObject
}

function issueCertificate(parameters: IssueParameters): TestCertificate {
  const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSha256))
  const subjectPublicKeyInfo = new Uint8Array(parameters.subjectPublicKey.export({ type: "spki", format: "der" }))
  const toBeSigned = sequence(
    explicit(0, integer(2n)), // version 3
    integer(BigInt(`0x${randomBytes(8).toString("hex")}`) | 1n),
    signatureAlgorithm,
    parameters.issuerName,
    sequence(utcTime(parameters.notBefore), utcTime(parameters.notAfter)),
    parameters.subjectName,
    subjectPublicKeyInfo,
    explicit(
      3,
      sequence(
        ...parameters.extensions,
        extension(OID.subjectKeyIdentifier, octetString(keyIdentifier(parameters.subjectPublicKey))),
        extension(OID.authorityKeyIdentifier, sequence(implicitPrimitive(0, parameters.issuerKeyId))),
      ),
    ),
  )
  const signature = sign("sha256", toBeSigned, { key: parameters.issuerPrivateKey, dsaEncoding: "der" })
  const der = sequence(toBeSigned, signatureAlgorithm, bitString(new Uint8Array(signature)))
  return { der, pem: toPem(der), privateKey: parameters.privateKey }
}

function distinguishedName(names: { organization: string; commonName: string }): Uint8Array {
  const attribute = (oid: string, value: string) => set(sequence(objectIdentifier(oid), utf8String(value)))
  return sequence(attribute(OID.organization, names.organization), attribute(OID.commonName, names.commonName))
}

function extension(oid: string, value: Uint8Array, options: { critical?: boolean } = {}): Uint8Array {
  return options.critical
    ? sequence(objectIdentifier(oid), booleanTrue(), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value))
}

/** SHA-1 of the SubjectPublicKeyInfo: RFC 5280 only asks for a stable identifier per key. */
function keyIdentifier(publicKey: KeyObject): Uint8Array {
  const spki = publicKey.export({ type: "spki", format: "der" })
  return new Uint8Array(createHash("sha1").update(spki).digest())
}

function toPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString("base64")
  const lines = base64.match(/.{1,64}/g) ?? []
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`
}
