import { attestationError } from "./errors.ts"

/** The order of the BN254 (alt_bn128) scalar field: Semaphore commitments and tree leaves live below it. */
export const BN254_SCALAR_FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/**
 * Rejects a commitment the Semaphore contracts and circuits could not hold. Checked before any
 * cryptography so a bad commitment is reported as what it is, not as a mismatch.
 */
export function assertCommitmentInField(commitment: bigint): void {
  if (commitment < 0n || commitment >= BN254_SCALAR_FIELD_ORDER) {
    throw attestationError("commitment_out_of_field", "The identity commitment is not in the BN254 scalar field.", {
      details: `A Semaphore commitment is an integer from 0 to ${BN254_SCALAR_FIELD_ORDER - 1n}.`,
    })
  }
}

/** The commitment as 32 big-endian bytes, the fixed-width form hashed into WebAuthn challenges. */
export function commitmentToBytes(commitment: bigint): Uint8Array {
  assertCommitmentInField(commitment)
  const bytes = new Uint8Array(32)
  let rest = commitment
  for (let index = 31; index >= 0; index--) {
    bytes[index] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return bytes
}
