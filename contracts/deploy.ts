import { getAddress, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem"
import { humanmarkContractNames, type HumanmarkContracts, type HumanmarkDeployment } from "../sdk/deployment.ts"
import { contentAnchorAbi, poseidonT3Abi, semaphoreAbi, semaphoreVerifierAbi } from "../sdk/generated/abis.ts"
import { contentAnchorArtifact, poseidonT3Artifact, semaphoreArtifact, semaphoreVerifierArtifact } from "../sdk/generated/bytecode.ts"

export type { HumanmarkContracts, HumanmarkDeployment }

export interface DeployHumanmarkParameters {
  publicClient: PublicClient<Transport, Chain>
  walletClient: WalletClient<Transport, Chain, Account>
  /** Called before each contract is deployed, for progress output on slow networks. */
  onProgress?: (message: string) => void
}

interface LinkableArtifact {
  bytecode: Hex
  linkReferences: readonly { library: string; offsets: readonly number[] }[]
}

/**
 * Replaces solc's library placeholders with deployed addresses. Every placeholder must be
 * resolved: unlinked bytecode would deploy but revert on its first library call.
 */
export function linkBytecode(artifact: LinkableArtifact, libraries: Record<string, Address>): Hex {
  let hex = artifact.bytecode.slice(2)
  for (const reference of artifact.linkReferences) {
    const address = libraries[reference.library]
    if (!address) throw new Error(`No address given for library ${reference.library}`)
    for (const offset of reference.offsets) {
      hex = hex.slice(0, offset * 2) + address.slice(2).toLowerCase() + hex.slice(offset * 2 + 40)
    }
  }
  return `0x${hex}`
}

/** Deploys PoseidonT3, SemaphoreVerifier, Semaphore (linked to PoseidonT3) and ContentAnchor, in that order. */
export async function deployHumanmark({ publicClient, walletClient, onProgress }: DeployHumanmarkParameters): Promise<HumanmarkDeployment> {
  let blockNumber = 0n
  const deploy = async (name: string, abi: readonly unknown[], bytecode: Hex, args: readonly unknown[] = []) => {
    onProgress?.(`deploying ${name}`)
    const hash = await walletClient.deployContract({ abi, bytecode, args } as Parameters<typeof walletClient.deployContract>[0])
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`Deploying ${name} failed (tx ${hash})`)
    blockNumber = receipt.blockNumber
    return getAddress(receipt.contractAddress)
  }

  const poseidonT3 = await deploy("PoseidonT3", poseidonT3Abi, poseidonT3Artifact.bytecode)
  const semaphoreVerifier = await deploy("SemaphoreVerifier", semaphoreVerifierAbi, semaphoreVerifierArtifact.bytecode)
  const semaphoreBytecode = linkBytecode(semaphoreArtifact, { "poseidon-solidity/PoseidonT3.sol:PoseidonT3": poseidonT3 })
  const semaphore = await deploy("Semaphore", semaphoreAbi, semaphoreBytecode, [semaphoreVerifier])
  const contentAnchor = await deploy("ContentAnchor", contentAnchorAbi, contentAnchorArtifact.bytecode)

  return {
    chainId: publicClient.chain.id,
    deployer: walletClient.account.address,
    blockNumber,
    contracts: { poseidonT3, semaphoreVerifier, semaphore, contentAnchor },
  }
}

/**
 * True when the record names every contract this version deploys and each still has code. False after
 * a local chain was reset, and for a record made before a contract was added (so it gets redeployed).
 */
export async function isDeploymentLive(publicClient: PublicClient<Transport, Chain>, contracts: Partial<HumanmarkContracts>): Promise<boolean> {
  const addresses = humanmarkContractNames.map((name) => contracts[name])
  if (!addresses.every((address): address is Address => typeof address === "string")) return false
  const codes = await Promise.all(addresses.map((address) => publicClient.getCode({ address })))
  return codes.every((code) => code !== undefined && code !== "0x")
}
