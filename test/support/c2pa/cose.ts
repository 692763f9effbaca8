// The COSE_Sign1 signature for a C2PA claim, made in JavaScript. c2pa-wasm's signer hands the claim
// bytes to a callback and expects the complete COSE structure back ("direct COSE handling"), and it
// carries no certificates itself, so the x5chain header is written here.
import { sign, type KeyObject } from "node:crypto"

/** The CBOR values a COSE_Sign1 needs. Maps keep insertion order, which COSE does not mind. */
export type CborValue = number | string | Uint8Array | null | CborValue[] | Map<number | string, CborValue> | CborTag
export interface CborTag {
  tag: number
  value: CborValue
}

function head(majorType: number, length: number): Uint8Array {
  if (length < 24) return Uint8Array.of((majorType << 5) | length)
  if (length < 0x100) return Uint8Array.of((majorType << 5) | 24, length)
  if (length < 0x10000) return Uint8Array.of((majorType << 5) | 25, length >> 8, length & 0xff)
  return Uint8Array.of((majorType << 5) | 26, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff)
}

export function encodeCbor(value: CborValue): Uint8Array {
  if (value === null) return Uint8Array.of(0xf6)
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value)
  if (typeof value === "string") {
    const bytes = new TextEncoder().encode(value)
    return Buffer.concat([head(3, bytes.length), bytes])
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value])
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)])
  if (value instanceof Map) {
    const entries = [...value.entries()].flatMap(([key, item]) => [encodeCbor(key), encodeCbor(item)])
    return Buffer.concat([head(5, value.size), ...entries])
  }
  return Buffer.concat([head(6, value.tag), encodeCbor(value.value)])
}

const COSE_SIGN1_TAG = 18
const HEADER_ALGORITHM = 1
const HEADER_X5CHAIN = 33
const ALGORITHM_ES256 = -7

export interface CoseSignParameters {
  claim: Uint8Array
  privateKey: KeyObject
  /** DER certificates, signer first. */
  certificateChain: Uint8Array[]
  /** c2pa-rs reserves this many bytes for the signature box; the result is padded to exactly this size. */
  reserveSize: number
}

/** A tagged COSE_Sign1 (ES256, detached payload) over `claim`, padded to `reserveSize` bytes. */
export function signClaimEs256(parameters: CoseSignParameters): Uint8Array {
  const chain = parameters.certificateChain
  const protectedHeader = encodeCbor(
    new Map<number, CborValue>([
      [HEADER_ALGORITHM, ALGORITHM_ES256],
      [HEADER_X5CHAIN, chain.length === 1 ? chain[0]! : chain],
    ]),
  )
  const toBeSigned = encodeCbor(["Signature1", protectedHeader, new Uint8Array(0), parameters.claim])
  // COSE wants the raw r || s form, not DER.
  const signature = new Uint8Array(sign("sha256", toBeSigned, { key: parameters.privateKey, dsaEncoding: "ieee-p1363" }))

  const build = (padding: number) =>
    encodeCbor({
      tag: COSE_SIGN1_TAG,
      value: [protectedHeader, new Map([["pad", new Uint8Array(padding)]]), null, signature],
    })
  // The byte string's length prefix grows at 24 and 256 bytes, so search for the exact fit.
  const bare = build(0).length
  for (let padding = Math.max(0, parameters.reserveSize - bare - 4); padding <= parameters.reserveSize; padding++) {
    const candidate = build(padding)
    if (candidate.length === parameters.reserveSize) return candidate
    if (candidate.length > parameters.reserveSize) break
  }
  throw new Error(`A COSE signature of ${bare} bytes cannot be padded to exactly ${parameters.reserveSize} bytes.`)
}
