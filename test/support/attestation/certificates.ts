// Throwaway certificate hierarchies for attestation tests, made with @peculiar/x509 and WebCrypto
// at test time: nothing here is committed key material.
import "reflect-metadata"
import {
  BasicConstraintsExtension,
  Extension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509CertificateGenerator,
  type X509Certificate,
} from "@peculiar/x509"

export type TestKeyType = "p256" | "ed25519"

export interface TestCertificate {
  certificate: X509Certificate
  der: Uint8Array
  pem: string
  keys: CryptoKeyPair
  keyType: TestKeyType
}

export interface TestCertificateOptions {
  subject: string
  /** Omitted: self-signed. */
  issuer?: TestCertificate
  keyType?: TestKeyType
  /** Make a CA; `pathLength` limits the CAs below it. */
  certificateAuthority?: { pathLength?: number }
  keyUsage?: KeyUsageFlags
  notBefore?: Date
  notAfter?: Date
  extensions?: Extension[]
  /** Signs with this key instead of the issuer's, to forge a certificate that only names the issuer. */
  forgeWith?: CryptoKeyPair
}

const HOUR = 3_600_000

export async function generateTestKeys(keyType: TestKeyType): Promise<CryptoKeyPair> {
  const algorithm = keyType === "p256" ? { name: "ECDSA", namedCurve: "P-256" } : { name: "Ed25519" }
  return (await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair
}

export function signingAlgorithmFor(keyType: TestKeyType) {
  return keyType === "p256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" }
}

export async function createTestCertificate(options: TestCertificateOptions): Promise<TestCertificate> {
  const keyType = options.keyType ?? "p256"
  const keys = await generateTestKeys(keyType)
  const issuer = options.issuer
  const issuerKeyType = issuer?.keyType ?? keyType
  const extensions: Extension[] = []
  if (options.certificateAuthority) {
    extensions.push(new BasicConstraintsExtension(true, options.certificateAuthority.pathLength, true))
    extensions.push(new KeyUsagesExtension(options.keyUsage ?? KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true))
  } else {
    extensions.push(new BasicConstraintsExtension(false, undefined, true))
    extensions.push(new KeyUsagesExtension(options.keyUsage ?? KeyUsageFlags.digitalSignature, true))
  }
  extensions.push(...(options.extensions ?? []))
  const certificate = await X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: options.subject,
    issuer: issuer?.certificate.subject ?? options.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - HOUR),
    notAfter: options.notAfter ?? new Date(Date.now() + 24 * HOUR),
    publicKey: keys.publicKey,
    signingKey: (options.forgeWith ?? issuer?.keys ?? keys).privateKey,
    signingAlgorithm: signingAlgorithmFor(issuerKeyType),
    extensions,
  })
  return { certificate, der: new Uint8Array(certificate.rawData), pem: certificate.toString("pem"), keys, keyType }
}

export interface TestDeviceHierarchy {
  root: TestCertificate
  intermediate: TestCertificate
  leaf: TestCertificate
  /** x5chain order: leaf first, root left out (verifiers take it from their configuration). */
  chain: Uint8Array[]
}

/** A maker's root, a per-factory intermediate and one device's leaf, as a personhood device would carry. */
export async function createDeviceHierarchy(
  options: { leafKeyType?: TestKeyType; rootName?: string; leafNotAfter?: Date; leafExtensions?: Extension[] } = {},
): Promise<TestDeviceHierarchy> {
  const rootName = options.rootName ?? "Test Device Maker Root"
  const root = await createTestCertificate({ subject: `CN=${rootName}, O=Humanmark Tests`, certificateAuthority: { pathLength: 1 } })
  const intermediate = await createTestCertificate({
    subject: `CN=${rootName} Factory CA, O=Humanmark Tests`,
    issuer: root,
    certificateAuthority: { pathLength: 0 },
  })
  const leaf = await createTestCertificate({
    subject: "CN=Test Personhood Device 0001, O=Humanmark Tests",
    issuer: intermediate,
    keyType: options.leafKeyType ?? "p256",
    ...(options.leafNotAfter ? { notAfter: options.leafNotAfter } : {}),
    ...(options.leafExtensions ? { extensions: options.leafExtensions } : {}),
  })
  return { root, intermediate, leaf, chain: [leaf.der, intermediate.der] }
}

function randomSerialNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  bytes[0] = bytes[0]! & 0x7f // a positive INTEGER
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("")
}

/** A critical extension under an unassigned private OID, which no verifier can understand. */
export function unknownCriticalExtension(): Extension {
  return new Extension("1.3.6.1.4.1.99999.1", true, new Uint8Array([0x05, 0x00]))
}
