// Content digests: SHA-256 of the exact bytes. Works in browsers and Node; for files on disk in Node,
// see digest.node.ts (streams instead of loading the whole file).
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex, hexToBytes, isHex, type Hex } from "viem"
import { HumanmarkError } from "../errors.ts"

/** SHA-256 of `bytes`, 0x-prefixed: the digest that gets anchored. */
export function digestOf(bytes: Uint8Array): Hex {
  return bytesToHex(sha256(bytes))
}

/** Checks a digest given as 0x-prefixed hex (what clients send) and returns its 32 bytes. Throws `invalid_digest`. */
export function parseDigest(digest: string): Uint8Array {
  if (typeof digest !== "string" || digest.length !== 66 || !isHex(digest, { strict: true })) {
    throw new HumanmarkError("invalid_digest", "A digest must be a SHA-256 hash written as 0x followed by 64 hex digits.")
  }
  return hexToBytes(digest)
}

/** The canonical (lowercase) spelling of a digest, so the same content always maps to the same string. */
export function normalizeDigest(digest: string): Hex {
  return bytesToHex(parseDigest(digest))
}
