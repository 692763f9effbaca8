import { BaseError, ContractFunctionRevertedError } from "viem"
import { deployHumanmark, type HumanmarkDeployment } from "../../contracts/deploy.ts"
import { startAnvil } from "../../server/chain/anvil.ts"
import { connectChain, type ChainClients } from "../../server/chain/clients.ts"
import { ANVIL_DEV_PRIVATE_KEY } from "../../server/config.ts"

export interface TestChain extends ChainClients {
  rpcUrl: string
  deployment: HumanmarkDeployment
  walletClient: NonNullable<ChainClients["walletClient"]>
  stop(): Promise<void>
}

/** A throwaway anvil node with the contracts deployed through the real deploy code. */
export async function startTestChain(): Promise<TestChain> {
  const anvil = await startAnvil()
  const clients = await connectChain({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
  const walletClient = clients.walletClient!
  const deployment = await deployHumanmark({ publicClient: clients.publicClient, walletClient })
  return { ...clients, walletClient, rpcUrl: anvil.rpcUrl, deployment, stop: anvil.stop }
}

/** The custom error name a contract call reverted with, or undefined if the promise resolved. */
export async function revertErrorName(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call
    return undefined
  } catch (error) {
    if (!(error instanceof BaseError)) throw error
    const revert = error.walk((cause) => cause instanceof ContractFunctionRevertedError)
    if (revert instanceof ContractFunctionRevertedError) return revert.data?.errorName ?? revert.signature ?? "unknown revert"
    throw error
  }
}
