import { existsSync } from "node:fs"
import { mkdir, readFile } from "node:fs/promises"
import type { AddressInfo } from "node:net"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { serve, type ServerType } from "@hono/node-server"
import type { HumanmarkDeployment } from "../contracts/deploy.ts"
import packageJson from "../package.json"
import { HumanmarkError, redactUrl } from "../sdk/errors.ts"
import { releaseProverThreads } from "../sdk/semaphore/proof.ts"
import { startAnchoring } from "./anchors/anchoring.ts"
import { createApp } from "./app.ts"
import { startAnvil, type AnvilInstance } from "./chain/anvil.ts"
import { connectChain, type ChainClients } from "./chain/clients.ts"
import type { Config } from "./config.ts"
import { ensureDeployment } from "./deployment.ts"
import { startEnrollment } from "./enrollment/enrollment.ts"
import { openSqliteStorage } from "./storage/sqlite.ts"
import { startVoting } from "./voting/voting.ts"
import type { Storage } from "./storage/storage.ts"

export const defaultSiteDir = join(dirname(fileURLToPath(import.meta.url)), "..", "site", "dist")

export interface StartHumanmarkOptions {
  /** Built site to serve at `/`; defaults to `site/dist` when it exists. `null` serves no site. */
  siteDir?: string | null
  log?: (line: string) => void
}

export interface RunningHumanmark {
  url: string
  rpcUrl: string
  deployment: HumanmarkDeployment
  clients: ChainClients
  storage: Storage
  /** Stops the HTTP server, the database and the embedded chain, in that order. */
  stop(): Promise<void>
}

/** Brings up the whole system: chain (embedded anvil or RPC_URL), database, contracts, HTTP server. */
export async function startHumanmark(config: Config, options: StartHumanmarkOptions = {}): Promise<RunningHumanmark> {
  const log = options.log ?? ((line: string) => console.log(`[humanmark] ${line}`))
  const stack: (() => Promise<void>)[] = []
  const stop = async () => {
    for (const stopPart of stack.splice(0).reverse()) await stopPart()
  }

  // The server verifies Semaphore proofs (ballots, human attestations); snarkjs keeps worker threads
  // for that until told to stop. Released last, after everything that could still verify.
  stack.push(() => releaseProverThreads())

  try {
    await mkdir(config.dataDir, { recursive: true })
    let rpcUrl: string
    let anvil: AnvilInstance | undefined
    if (config.chain.mode === "embedded") {
      anvil = await startAnvil({ statePath: config.chain.statePath, port: config.chain.anvilPort })
      stack.push(() => anvil!.stop())
      rpcUrl = anvil.rpcUrl
      log(`local chain (anvil) at ${rpcUrl}, state in ${config.chain.statePath}`)
    } else {
      rpcUrl = config.chain.rpcUrl
    }
    const clients = await connectChain({ rpcUrl, privateKey: config.deployerPrivateKey })

    const storage = openSqliteStorage({ path: config.database.path })
    stack.push(() => storage.close())

    const deployment = await ensureDeployment({ clients, storage, embedded: anvil !== undefined, log })

    const personhoodGroupIds = async () =>
      (await storage.enrollments.listGroups()).flatMap((group) => (group.level === "person" && group.groupId !== undefined ? [group.groupId] : []))
    const anchoring = startAnchoring({ store: storage.anchors, clients, deployment, config: config.anchors, personhoodGroupIds, log })
    stack.push(() => anchoring.stop())
    const enrollment = await startEnrollment({ store: storage.enrollments, clients, deployment, config: config.enrollment, dataDir: config.dataDir, log })
    stack.push(() => enrollment.stop())
    const voting = startVoting({ store: storage.voting, groups: storage.enrollments, clients, deployment, config: config.voting, log })
    stack.push(() => voting.stop())

    const siteDir = options.siteDir === undefined ? (existsSync(defaultSiteDir) ? defaultSiteDir : undefined) : (options.siteDir ?? undefined)
    if (options.siteDir === undefined && !siteDir) log("the site is not built (run `npm run build`); serving the API only")
    const app = createApp({
      publicClient: clients.publicClient,
      storage,
      deployment,
      chainLabel: anvil ? "embedded" : redactUrl(rpcUrl),
      version: packageJson.version,
      siteDir,
      anchors: anchoring.routes,
      enrollment: enrollment.routes,
      polls: voting.routes,
      governor: voting.governorRoutes,
      c2paTrustAnchorsPem: config.c2paTrustAnchorsPath === undefined ? undefined : await readTrustAnchors(config.c2paTrustAnchorsPath),
    })
    const server = await listen(app.fetch, config.http)
    stack.push(() => closeServer(server))
    const { port } = server.address() as AddressInfo
    const host = config.http.host.includes(":") ? `[${config.http.host}]` : config.http.host
    return { url: `http://${host}:${port}`, rpcUrl, deployment, clients, storage, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

async function readTrustAnchors(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8")
  } catch (cause) {
    throw new HumanmarkError("invalid_config", `C2PA_TRUST_ANCHORS: cannot read ${path}.`, { status: 500, cause })
  }
}

function listen(fetch: Parameters<typeof serve>[0]["fetch"], { host, port }: Config["http"]): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: host, port }, () => resolve(server))
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(new HumanmarkError("port_in_use", `Port ${port} on ${host} is already in use.`, { details: "Set PORT to another port.", status: 500 }))
      } else reject(error)
    })
  })
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    // Browsers keep idle connections open; do not let them hold the shutdown.
    if ("closeAllConnections" in server) server.closeAllConnections()
  })
}
