import type { Address } from "viem"

/** Addresses of the deployed humanmark contracts on one chain. */
export interface HumanmarkContracts {
  poseidonT3: Address
  semaphoreVerifier: Address
  semaphore: Address
  /** Records batch Merkle roots of content digests (`Anchored` events). */
  contentAnchor: Address
  /** One person, one vote polls over Semaphore groups (single choice, approval, pairwise). */
  humanPolls: Address
}

/**
 * Every contract a complete deployment has. A deployment recorded by an older version lacks the
 * newer names, and is then treated as missing so it gets deployed again.
 */
export const humanmarkContractNames = ["poseidonT3", "semaphoreVerifier", "semaphore", "contentAnchor", "humanPolls"] as const satisfies readonly (keyof HumanmarkContracts)[]

export interface HumanmarkDeployment {
  chainId: number
  deployer: Address
  /** Block of the last deployment transaction; indexers start reading events here. */
  blockNumber: bigint
  contracts: HumanmarkContracts
}
