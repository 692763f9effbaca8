import { deployHumanmark, isDeploymentLive, type HumanmarkDeployment } from "../contracts/deploy.ts"
import { humanmarkContractNames } from "../sdk/deployment.ts"
import { HumanmarkError } from "../sdk/errors.ts"
import type { ChainClients } from "./chain/clients.ts"
import type { Storage } from "./storage/storage.ts"

export interface EnsureDeploymentParameters {
  clients: ChainClients
  storage: Storage
  /** On the embedded chain a lost deployment (wiped chain state) is simply redeployed. */
  embedded: boolean
  log: (line: string) => void
}

/**
 * Returns the deployment recorded for this chain, deploying first if there is none. The record lives
 * in the database so that every server instance sharing it uses the same contracts.
 */
export async function ensureDeployment({ clients, storage, embedded, log }: EnsureDeploymentParameters): Promise<HumanmarkDeployment> {
  const chainId = clients.chain.id
  const recorded = await storage.getDeployment(chainId)
  if (recorded) {
    if (await isDeploymentLive(clients.publicClient, recorded.contracts)) return recorded
    // A record written by an older version lacks the contracts added since.
    const unrecorded = humanmarkContractNames.filter((name) => !(name in recorded.contracts))
    if (!embedded) {
      const problem = unrecorded.length > 0 ? `lacks ${unrecorded.join(", ")}` : "has no code on this RPC endpoint"
      throw new HumanmarkError("deployment_missing", `The deployment recorded for chain ${chainId} ${problem}.`, {
        details: "Is RPC_URL pointing at the right chain? Remove the deployments row to deploy afresh.",
        status: 500,
      })
    }
    log(
      unrecorded.length > 0
        ? `the recorded deployment predates ${unrecorded.join(", ")}; deploying again`
        : "the local chain lost the recorded contracts (its state file was removed?); deploying again",
    )
  }
  if (!clients.walletClient) {
    throw new HumanmarkError("deployer_key_required", `No humanmark deployment is recorded for chain ${chainId}.`, {
      details: "Set DEPLOYER_PRIVATE_KEY to an account with funds on this chain to deploy the contracts once.",
      status: 500,
    })
  }
  const deployment = await deployHumanmark({
    publicClient: clients.publicClient,
    walletClient: clients.walletClient,
    onProgress: (message) => log(message),
  })
  await storage.saveDeployment(deployment)
  log(`contracts deployed on chain ${chainId}: Semaphore at ${deployment.contracts.semaphore}`)
  return deployment
}
