import { HumanmarkError } from "../errors.ts"

/** The order of the BN254 scalar field: Semaphore commitments and tree leaves are integers below it. */
export const SEMAPHORE_FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/

/**
 * An identity commitment as the bigint the SDK works with, from a bigint or the decimal text the
 * server and backup files use. Throws `invalid_commitment` before anything is sent.
 */
export function parseCommitment(value: bigint | string): bigint {
  if (typeof value === "string" && !DECIMAL.test(value)) {
    throw new HumanmarkError("invalid_commitment", `"${value.slice(0, 80)}" is not a commitment: expected a decimal integer without sign or leading zeros.`)
  }
  const commitment = BigInt(value)
  if (commitment < 0n || commitment >= SEMAPHORE_FIELD_ORDER) {
    throw new HumanmarkError("invalid_commitment", "The identity commitment is not in the BN254 scalar field.", {
      details: `A Semaphore commitment is an integer from 0 to ${SEMAPHORE_FIELD_ORDER - 1n}.`,
    })
  }
  return commitment
}
