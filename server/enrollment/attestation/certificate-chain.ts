// @peculiar/x509 resolves its ASN.1 parsers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata"
import { createHash } from "node:crypto"
import { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, X509Certificate } from "@peculiar/x509"
import { attestationError } from "./errors.ts"
import { bytesEqual } from "./encoding.ts"

/** A configured trust anchor and its identity, the `issuer` of every attestation that chains to it. */
export interface TrustedRoot {
  certificate: X509Certificate
  /** sha256 of the DER certificate, lowercase hex. */
  fingerprint: string
}

export interface VerifiedCertificateChain {
  root: TrustedRoot
  /** The earliest notAfter among the presented certificates and the root. */
  expiresAt: Date
}

/** Longer chains are never needed for attestations; the cap bounds the work one request can cause. */
const MAX_CHAIN_LENGTH = 8

// Critical extensions whose meaning this module enforces or that do not restrict path validation.
// RFC 5280 requires rejecting a certificate with any other critical extension.
const understoodCriticalExtensions = new Set([
  "2.5.29.15", // keyUsage
  "2.5.29.19", // basicConstraints
  "2.5.29.17", // subjectAltName (TPM attestation certificates mark it critical)
  "2.5.29.37", // extKeyUsage
  "2.5.29.32", // certificatePolicies
])

/**
 * Parses configured root certificates (PEM text or DER bytes). Called when a verifier is built, so a
 * bad configuration fails at start-up rather than on the first enrollment.
 */
export function parseTrustedRoots(roots: readonly (string | Uint8Array)[]): TrustedRoot[] {
  return roots.map((root) => {
    const certificate = new X509Certificate(typeof root === "string" ? root : toArrayBuffer(root))
    return { certificate, fingerprint: fingerprintOf(certificate) }
  })
}

/** Parses one DER certificate from an attestation; failures are the client's fault. */
export function parseAttestationCertificate(der: Uint8Array, description: string): X509Certificate {
  try {
    return new X509Certificate(toArrayBuffer(der))
  } catch (error) {
    throw attestationError("attestation_malformed", `The ${description} is not a DER X.509 certificate.`, { cause: error })
  }
}

/** sha256 of a certificate's DER encoding, lowercase hex. */
export function fingerprintOf(certificate: X509Certificate): string {
  return createHash("sha256").update(new Uint8Array(certificate.rawData)).digest("hex")
}

/**
 * Checks a presented chain (leaf first) up to one of `trustedRoots`, at `now`: each certificate is
 * named as issued by the next and carries its signature; every issuer is a CA allowed to sign
 * certificates at that depth; no certificate has a critical extension we do not understand; and
 * every certificate, the root included, is valid at `now`. The chain may stop below the root (the
 * root is then taken from the configuration) or include it; anything after a trusted root is ignored.
 * Revocation is not checked: attestation roots publish no usable CRLs for batch certificates.
 */
export async function verifyCertificateChain(options: {
  chain: readonly X509Certificate[]
  trustedRoots: readonly TrustedRoot[]
  now: Date
}): Promise<VerifiedCertificateChain> {
  const { trustedRoots, now } = options
  if (options.chain.length === 0 || options.chain.length > MAX_CHAIN_LENGTH) {
    throw attestationError("attestation_malformed", `The certificate chain must hold 1 to ${MAX_CHAIN_LENGTH} certificates.`)
  }

  const { path, root } = await findTrustedRoot(options.chain, trustedRoots)
  for (let index = 0; index < path.length; index++) {
    const certificate = path[index]!
    const issuer = path[index + 1] ?? root.certificate
    assertUnderstoodCriticalExtensions(certificate, index)
    // The issuer at position index + 1 has `index` CA certificates between itself and the leaf.
    assertMayIssue(issuer, index)
    if (!namesMatch(certificate, issuer)) {
      throw attestationError("attestation_chain_invalid", `Certificate ${index} of the chain does not name the next certificate as its issuer.`)
    }
    if (!(await signedBy(certificate, issuer))) {
      throw attestationError("attestation_chain_invalid", `Certificate ${index} of the chain is not signed by its issuer.`)
    }
  }

  const everyCertificate = [...path, root.certificate]
  for (const certificate of everyCertificate) {
    if (now.getTime() < certificate.notBefore.getTime()) {
      throw attestationError("attestation_certificate_not_yet_valid", "A certificate of the chain is not valid yet.", {
        details: `${certificate.subject} is valid from ${certificate.notBefore.toISOString()}.`,
      })
    }
    if (now.getTime() > certificate.notAfter.getTime()) {
      throw attestationError("attestation_certificate_expired", "A certificate of the chain has expired.", {
        details: `${certificate.subject} expired at ${certificate.notAfter.toISOString()}.`,
      })
    }
  }
  const expiresAt = new Date(Math.min(...everyCertificate.map((certificate) => certificate.notAfter.getTime())))
  return { root, expiresAt }
}

async function findTrustedRoot(chain: readonly X509Certificate[], trustedRoots: readonly TrustedRoot[]) {
  for (let index = 0; index < chain.length; index++) {
    const fingerprint = fingerprintOf(chain[index]!)
    const root = trustedRoots.find((candidate) => candidate.fingerprint === fingerprint)
    if (root) return { path: chain.slice(0, index), root }
  }
  const top = chain[chain.length - 1]!
  for (const root of trustedRoots) {
    if (namesMatch(top, root.certificate) && (await signedBy(top, root.certificate))) return { path: [...chain], root }
  }
  throw attestationError("attestation_untrusted_root", "The certificate chain does not end at a trusted root.", {
    details: `The last certificate presented is issued by ${top.issuer}.`,
  })
}

function namesMatch(certificate: X509Certificate, issuer: X509Certificate): boolean {
  const issuerName = new Uint8Array(certificate.issuerName.toArrayBuffer())
  const subjectName = new Uint8Array(issuer.subjectName.toArrayBuffer())
  return bytesEqual(issuerName, subjectName) || certificate.issuer === issuer.subject
}

async function signedBy(certificate: X509Certificate, issuer: X509Certificate): Promise<boolean> {
  try {
    return await certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true })
  } catch {
    // An algorithm WebCrypto cannot verify (or a key of the wrong type) proves nothing.
    return false
  }
}

function assertMayIssue(issuer: X509Certificate, certificateAuthoritiesBelow: number): void {
  const basicConstraints = issuer.getExtension(BasicConstraintsExtension)
  if (!basicConstraints?.ca) {
    throw attestationError("attestation_chain_invalid", "A certificate that is not a CA issued another certificate of the chain.", {
      details: `${issuer.subject} lacks basicConstraints cA=true.`,
    })
  }
  if (basicConstraints.pathLength !== undefined && certificateAuthoritiesBelow > basicConstraints.pathLength) {
    throw attestationError("attestation_chain_invalid", "The certificate chain is longer than an issuer allows.", {
      details: `${issuer.subject} allows ${basicConstraints.pathLength} CA certificates below it.`,
    })
  }
  const keyUsage = issuer.getExtension(KeyUsagesExtension)
  if (keyUsage && (keyUsage.usages & KeyUsageFlags.keyCertSign) === 0) {
    throw attestationError("attestation_chain_invalid", "An issuer of the chain may not sign certificates.", {
      details: `${issuer.subject} lacks the keyCertSign key usage.`,
    })
  }
}

function assertUnderstoodCriticalExtensions(certificate: X509Certificate, index: number): void {
  for (const extension of certificate.extensions) {
    if (extension.critical && !understoodCriticalExtensions.has(extension.type)) {
      throw attestationError("attestation_chain_invalid", `Certificate ${index} of the chain has a critical extension this server does not understand.`, {
        details: `Extension ${extension.type}.`,
      })
    }
  }
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer
}
