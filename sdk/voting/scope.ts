// Scopes of vote proofs: one nullifier per person per scope, so a scope is "where a vote counts".
// They must equal the contracts' views (HumanPolls.pollScope/pairScope, GovernorPersonhood.proposalScope):
// contracts/test/*.test.ts check the parity against a deployed contract.
import { encodeAbiParameters, keccak256, type Address } from "viem"

/** keccak256 is 256 bits; shifting out 8 keeps a scope below the BN254 scalar field, as Semaphore does. */
const toField = (hash: `0x${string}`) => BigInt(hash) >> 8n

export interface PollScopeParameters {
  chainId: number | bigint
  /** The HumanPolls contract. */
  contract: Address
  pollId: bigint
}

/**
 * Scope of a single choice or approval ballot:
 * `uint256(keccak256(abi.encode(chainId, contract, pollId))) >> 8`.
 * Including chain and contract keeps nullifiers from colliding across deployments.
 */
export function pollScope({ chainId, contract, pollId }: PollScopeParameters): bigint {
  return toField(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "address" }, { type: "uint256" }], [BigInt(chainId), contract, pollId])))
}

export interface PairScopeParameters extends PollScopeParameters {
  /** The lower candidate index of the pair. */
  first: bigint
  /** The higher candidate index; `first < second`. */
  second: bigint
}

/**
 * Scope of one "A or B" judgement in a pairwise poll, so a person judges each pair once:
 * `uint256(keccak256(abi.encode(chainId, contract, pollId, first, second))) >> 8` with `first < second`.
 */
export function pairScope({ chainId, contract, pollId, first, second }: PairScopeParameters): bigint {
  return toField(
    keccak256(
      encodeAbiParameters(
        [{ type: "uint256" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }, { type: "uint256" }],
        [BigInt(chainId), contract, pollId, first, second],
      ),
    ),
  )
}

export interface ProposalScopeParameters {
  chainId: number | bigint
  /** The GovernorPersonhood contract. */
  governor: Address
  proposalId: bigint
}

/** Scope of a governor vote: `uint256(keccak256(abi.encode(chainId, governor, proposalId))) >> 8`. */
export function proposalScope({ chainId, governor, proposalId }: ProposalScopeParameters): bigint {
  return pollScope({ chainId, contract: governor, pollId: proposalId })
}
