// A personhood device as DEVICE-STATEMENT.md describes it, written from that document (not from the
// verifier) so the tests check the specification and the verifier against each other.
import { CBORTag, encodeCBOR, type CBORType } from "@levischuck/tiny-cbor"
import type { TestCertificate } from "./certificates.ts"

export interface DeviceStatementFields {
  commitment: string
  challenge: string
  personKey: string
  issuedAt: string
}

export interface SignDeviceStatementOptions {
  /** The signed payload; extra or replaced entries make malformed statements. */
  statement: DeviceStatementFields | Record<string, CBORType>
  leaf: TestCertificate
  /** x5chain, leaf first. */
  chain: Uint8Array[]
  /** Where x5chain goes. Default protected. */
  x5chainHeader?: "protected" | "unprotected"
  /** Wrap in CBOR tag 18. Default true. */
  tagged?: boolean
  /** Sign with another key than the leaf's (a forgery). */
  signingKey?: CryptoKey
}

/** The COSE_Sign1 bytes a device would send. */
export async function signDeviceStatement(options: SignDeviceStatementOptions): Promise<Uint8Array> {
  const algorithm = options.leaf.keyType === "p256" ? -7 : -8
  const x5chain: CBORType = options.chain.length === 1 ? options.chain[0]! : options.chain
  const protectedHeader = new Map<number, CBORType>([[1, algorithm]])
  const unprotectedHeader = new Map<number, CBORType>()
  if ((options.x5chainHeader ?? "protected") === "protected") protectedHeader.set(33, x5chain)
  else unprotectedHeader.set(33, x5chain)

  const protectedBytes = encodeCBOR(protectedHeader)
  const payload = encodeCBOR(new Map<string, CBORType>(Object.entries(options.statement)))
  const toBeSigned = new Uint8Array(encodeCBOR(["Signature1", protectedBytes, new Uint8Array(0), payload]))
  const signingAlgorithm = algorithm === -7 ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" }
  // WebCrypto's ECDSA output is already r || s, the form COSE wants.
  const signature = new Uint8Array(
    await crypto.subtle.sign(signingAlgorithm, options.signingKey ?? options.leaf.keys.privateKey, toBeSigned),
  )
  const sign1: CBORType = [protectedBytes, unprotectedHeader, payload, signature]
  return encodeCBOR(options.tagged === false ? sign1 : new CBORTag(18, sign1))
}
