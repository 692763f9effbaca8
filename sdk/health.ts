import type { HumanmarkClient } from "./client.ts"
import type { HumanmarkContracts } from "./deployment.ts"

/** The answer of `GET /health`: HTTP 200 when chain and database both answer, 503 otherwise. */
export interface HealthReport {
  status: "ok" | "degraded"
  version: string
  chain: { id: number; caip2: string; rpc: string; ok: boolean; blockNumber: number | null; error?: string }
  contracts: HumanmarkContracts
  deployment: { blockNumber: number; deployer: string }
  database: { ok: boolean; kind: string | null; schemaVersion: number | null; error?: string }
}

/** Reads a server's health: chain id, contract addresses, block number, database status. */
export function getHealth(client: HumanmarkClient): Promise<HealthReport> {
  return client.request<HealthReport>("/health")
}
