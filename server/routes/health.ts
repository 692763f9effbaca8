import { Hono } from "hono"
import type { Chain, PublicClient, Transport } from "viem"
import type { HumanmarkDeployment } from "../../sdk/deployment.ts"
import type { HealthReport } from "../../sdk/health.ts"
import type { Storage } from "../storage/storage.ts"

export interface HealthDependencies {
  publicClient: PublicClient<Transport, Chain>
  storage: Storage
  deployment: HumanmarkDeployment
  /** "embedded", or the RPC endpoint with credentials removed. */
  chainLabel: string
  version: string
}


export function healthRoutes(deps: HealthDependencies) {
  return new Hono().get("/", async (c) => {
    const [chain, database] = await Promise.all([checkChain(deps), checkDatabase(deps.storage)])
    const report: HealthReport = {
      status: chain.ok && database.ok ? "ok" : "degraded",
      version: deps.version,
      chain,
      contracts: deps.deployment.contracts,
      deployment: { blockNumber: Number(deps.deployment.blockNumber), deployer: deps.deployment.deployer },
      database,
    }
    c.header("Cache-Control", "no-store")
    return c.json(report, report.status === "ok" ? 200 : 503)
  })
}

async function checkChain({ publicClient, chainLabel }: HealthDependencies): Promise<HealthReport["chain"]> {
  const id = publicClient.chain.id
  const base = { id, caip2: `eip155:${id}`, rpc: chainLabel }
  try {
    const blockNumber = await publicClient.getBlockNumber({ cacheTime: 0 })
    return { ...base, ok: true, blockNumber: Number(blockNumber) }
  } catch {
    return { ...base, ok: false, blockNumber: null, error: "The EVM node did not answer." }
  }
}

async function checkDatabase(storage: Storage): Promise<HealthReport["database"]> {
  try {
    const status = await storage.status()
    return { ok: true, ...status }
  } catch {
    return { ok: false, kind: null, schemaVersion: null, error: "The database did not answer." }
  }
}
