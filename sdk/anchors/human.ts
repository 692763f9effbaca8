import { hexToBigInt, type Hex } from "viem"
import { parseDigest } from "./digest.ts"

/**
 * The Semaphore `message` that attests a digest: the 32 digest bytes read as one big-endian unsigned
 * integer (all 256 bits, no reduction). Semaphore v4 proves `keccak256(uint256 message) >> 8`, so any
 * uint256 fits the BN254 field without losing bits, and the receipt writes it in decimal.
 */
export function humanAttestationMessage(digest: Hex): bigint {
  parseDigest(digest)
  return hexToBigInt(digest)
}
