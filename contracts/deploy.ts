import { getAddress, zeroAddress, type Account, type Address, type Chain, type Hex, type PublicClient, type Transport, type WalletClient } from "viem"
import { humanmarkContractNames, type HumanmarkContracts, type HumanmarkDeployment } from "../sdk/deployment.ts"
import {
  contentAnchorAbi,
  governorPersonhoodAbi,
  humanPollsAbi,
  personhoodTimelockAbi,
  poseidonT3Abi,
  semaphoreAbi,
  semaphoreVerifierAbi,
} from "../sdk/generated/abis.ts"
import {
  contentAnchorArtifact,
  governorPersonhoodArtifact,
  humanPollsArtifact,
  personhoodTimelockArtifact,
  poseidonT3Artifact,
  semaphoreArtifact,
  semaphoreVerifierArtifact,
} from "../sdk/generated/bytecode.ts"

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

interface Deployer {
  deploy(name: string, abi: readonly unknown[], bytecode: Hex, args?: readonly unknown[]): Promise<Address>
  /** Block of the last transaction sent through this deployer. */
  readonly blockNumber: bigint
}

function createDeployer({ publicClient, walletClient, onProgress }: DeployHumanmarkParameters): Deployer {
  let blockNumber = 0n
  return {
    async deploy(name, abi, bytecode, args = []) {
      onProgress?.(`deploying ${name}`)
      const hash = await walletClient.deployContract({ abi, bytecode, args } as Parameters<typeof walletClient.deployContract>[0])
      const receipt = await publicClient.waitForTransactionReceipt({ hash })
      if (receipt.status !== "success" || !receipt.contractAddress) throw new Error(`Deploying ${name} failed (tx ${hash})`)
      blockNumber = receipt.blockNumber
      return getAddress(receipt.contractAddress)
    },
    get blockNumber() {
      return blockNumber
    },
  }
}

/** Deploys PoseidonT3, SemaphoreVerifier, Semaphore (linked to PoseidonT3), ContentAnchor and HumanPolls, in that order. */
export async function deployHumanmark(parameters: DeployHumanmarkParameters): Promise<HumanmarkDeployment> {
  const { publicClient, walletClient } = parameters
  const deployer = createDeployer(parameters)
  const { deploy } = deployer

  const poseidonT3 = await deploy("PoseidonT3", poseidonT3Abi, poseidonT3Artifact.bytecode)
  const semaphoreVerifier = await deploy("SemaphoreVerifier", semaphoreVerifierAbi, semaphoreVerifierArtifact.bytecode)
  const semaphoreBytecode = linkBytecode(semaphoreArtifact, { "poseidon-solidity/PoseidonT3.sol:PoseidonT3": poseidonT3 })
  const semaphore = await deploy("Semaphore", semaphoreAbi, semaphoreBytecode, [semaphoreVerifier])
  const contentAnchor = await deploy("ContentAnchor", contentAnchorAbi, contentAnchorArtifact.bytecode)
  const humanPolls = await deploy("HumanPolls", humanPollsAbi, humanPollsArtifact.bytecode, [semaphore, semaphoreVerifier])

  return {
    chainId: publicClient.chain.id,
    deployer: walletClient.account.address,
    blockNumber: deployer.blockNumber,
    contracts: { poseidonT3, semaphoreVerifier, semaphore, contentAnchor, humanPolls },
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

export interface DeployGovernorPersonhoodParameters extends DeployHumanmarkParameters {
  /** The humanmark deployment whose Semaphore group votes. */
  contracts: Pick<HumanmarkContracts, "semaphore" | "semaphoreVerifier">
  groupId: bigint
  /** Governor name (EIP-712 domain and front ends). */
  name: string
  /** Blocks between `propose` and the start of voting. */
  votingDelay: number
  /** Blocks during which votes are accepted. */
  votingPeriod: number
  /** Quorum as a fraction of the group size pinned at `propose`, rounded up. */
  quorumFraction: { numerator: bigint; denominator: bigint }
  /** Seconds the TimelockController waits between queue and execute. */
  timelockMinDelay: bigint
}

export interface GovernorPersonhoodDeployment {
  governor: Address
  timelock: Address
  /** Block of the last transaction (the deployer renouncing its timelock admin role). */
  blockNumber: bigint
}

/**
 * Deploys a GovernorPersonhood for one Semaphore group, with its own TimelockController. The timelock
 * ends up administered by itself only: the governor may propose and cancel, anyone may execute a
 * ready operation, and the deployer's temporary admin role is renounced.
 */
export async function deployGovernorPersonhood(parameters: DeployGovernorPersonhoodParameters): Promise<GovernorPersonhoodDeployment> {
  const { publicClient, walletClient, contracts, groupId, name, votingDelay, votingPeriod, quorumFraction, timelockMinDelay } = parameters
  const deployer = createDeployer(parameters)
  const admin = walletClient.account.address
  // The governor's address is not known yet, so the deployer holds the admin role until it is granted.
  const timelock = await deployer.deploy("PersonhoodTimelock", personhoodTimelockAbi, personhoodTimelockArtifact.bytecode, [
    timelockMinDelay,
    [],
    [zeroAddress],
    admin,
  ])
  const governor = await deployer.deploy("GovernorPersonhood", governorPersonhoodAbi, governorPersonhoodArtifact.bytecode, [
    {
      name,
      semaphore: contracts.semaphore,
      verifier: contracts.semaphoreVerifier,
      groupId,
      votingDelay,
      votingPeriod,
      quorumNumerator: quorumFraction.numerator,
      quorumDenominator: quorumFraction.denominator,
      timelock,
    },
  ])

  let blockNumber = deployer.blockNumber
  const send = async (functionName: "grantRole" | "renounceRole", role: Hex, account: Address) => {
    const hash = await walletClient.writeContract({ address: timelock, abi: personhoodTimelockAbi, functionName, args: [role, account] })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== "success") throw new Error(`${functionName} on the timelock failed (tx ${hash})`)
    blockNumber = receipt.blockNumber
  }
  const read = (functionName: "PROPOSER_ROLE" | "CANCELLER_ROLE" | "DEFAULT_ADMIN_ROLE") =>
    publicClient.readContract({ address: timelock, abi: personhoodTimelockAbi, functionName })
  const [proposerRole, cancellerRole, adminRole] = await Promise.all([read("PROPOSER_ROLE"), read("CANCELLER_ROLE"), read("DEFAULT_ADMIN_ROLE")])
  await send("grantRole", proposerRole, governor)
  await send("grantRole", cancellerRole, governor)
  await send("renounceRole", adminRole, admin)
  return { governor, timelock, blockNumber }
}
