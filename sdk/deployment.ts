import type { Address } from "viem"

/** Addresses of the deployed humanmark contracts on one chain. */
export interface HumanmarkContracts {
  poseidonT3: Address
  semaphoreVerifier: Address
  semaphore: Address
}

export interface HumanmarkDeployment {
  chainId: number
  deployer: Address
  /** Block of the last deployment transaction; indexers start reading events here. */
  blockNumber: bigint
  contracts: HumanmarkContracts
}
