import { randomBytes } from "node:crypto"
import { mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { hexToBytes } from "viem"
import type { HumanmarkDeployment } from "../../sdk/deployment.ts"
import { HumanmarkError } from "../../sdk/errors.ts"
import { walletClientFor, type ChainClients } from "../chain/clients.ts"
import type { EnrollmentConfig } from "../config.ts"
import { createDeviceStatementVerifier } from "./attestation/device-statement.ts"
import { createAttestationRegistry } from "./attestation/registry.ts"
import type { AttestationVerifier } from "./attestation/types.ts"
import { createWebauthnVerifier, WEBAUTHN_ATTESTATION_FORMATS } from "./attestation/webauthn.ts"
import { loadOrCreateDevAttester, type DevAttester } from "./dev-attester.ts"
import { startGroupWorker, type GroupWorker } from "./group-worker.ts"
import type { EnrollmentRouteDependencies } from "./routes.ts"
import { createEnrollmentService } from "./service.ts"
import type { EnrollmentStore } from "./store.ts"

export interface StartEnrollmentParameters {
  store: EnrollmentStore
  clients: ChainClients
  deployment: HumanmarkDeployment
  config: EnrollmentConfig
  dataDir: string
  log: (line: string) => void
}

export interface Enrollment {
  routes: EnrollmentRouteDependencies
  stop(): Promise<void>
}

/**
 * Wires enrollment together: the attestation verifiers the configuration allows, the service behind
 * the routes, and the worker that puts commitments into the on-chain personhood groups.
 */
export async function startEnrollment({ store, clients, deployment, config, dataDir, log }: StartEnrollmentParameters): Promise<Enrollment> {
  const devAttester: DevAttester | undefined = config.devAttester ? await loadOrCreateDevAttester({ dataDir }) : undefined
  if (devAttester) log("enrollment: INSECURE dev attester enabled (embedded chain only): anyone can enroll anyone; never use it for real people")

  const deviceRoots = [...(devAttester ? [devAttester.rootPem] : []), ...(config.deviceStatementRootsPath ? [await readPem(config.deviceStatementRootsPath, "DEVICE_STATEMENT_ROOTS")] : [])]
  const verifiers: AttestationVerifier[] = []
  if (deviceRoots.length > 0) verifiers.push(createDeviceStatementVerifier({ trustedRoots: deviceRoots }))
  if (config.webauthn) {
    const roots = [await readPem(config.webauthn.rootsPath, "WEBAUTHN_ROOTS")]
    const trustedRoots = Object.fromEntries(WEBAUTHN_ATTESTATION_FORMATS.map((format) => [format, roots]))
    verifiers.push(createWebauthnVerifier({ rpId: config.webauthn.rpId, origins: config.webauthn.origins, trustedRoots }))
  }
  if (verifiers.length === 0) log("enrollment: no attestation roots configured (DEVICE_STATEMENT_ROOTS, WEBAUTHN_*): every enrollment will be refused")

  let worker: GroupWorker | undefined
  if (config.privateKey) {
    worker = startGroupWorker({
      store,
      publicClient: clients.publicClient,
      walletClient: walletClientFor(clients, config.privateKey),
      semaphore: deployment.contracts.semaphore,
      batchSize: config.batchSize,
      intervalMs: config.batchIntervalMs,
      log: (line) => log(`enrollment: ${line}`),
    })
  } else {
    log("enrollment: no ENROLLMENT_PRIVATE_KEY or DEPLOYER_PRIVATE_KEY: enrollments are stored but not put on chain")
  }

  const registry = createAttestationRegistry(verifiers)
  const service = createEnrollmentService({
    store,
    registry,
    serverSecret: await loadOrCreateSecret(config.secretHex, dataDir, log),
    onQueued: () => worker?.wake(),
  })
  return {
    routes: { service, store, publicClient: clients.publicClient, semaphore: deployment.contracts.semaphore, adminToken: config.adminToken, devAttester, formats: registry.formats },
    stop: async () => worker?.stop(),
  }
}

async function readPem(path: string, variable: string): Promise<string> {
  try {
    return await readFile(path, "utf8")
  } catch (cause) {
    throw new HumanmarkError("invalid_config", `${variable}: cannot read ${path}.`, { status: 500, cause })
  }
}

/**
 * The uniqueness HMAC key. Losing it forgets who enrolled (everyone could enroll again), so when it
 * is not configured it is generated once and kept in the data folder. Several servers sharing one
 * database must be given the same ENROLLMENT_SECRET.
 */
async function loadOrCreateSecret(secretHex: string | undefined, dataDir: string, log: (line: string) => void): Promise<Uint8Array> {
  if (secretHex) return hexToBytes(`0x${secretHex}`)
  const path = join(dataDir, "enrollment", "server-secret")
  try {
    return hexToBytes(`0x${(await readFile(path, "utf8")).trim()}`)
  } catch {
    await mkdir(join(dataDir, "enrollment"), { recursive: true })
    const secret = randomBytes(32)
    await writeFile(path, secret.toString("hex"), { mode: 0o600, flag: "wx" })
    log(`enrollment: generated the uniqueness secret in ${path}; back it up with the database`)
    return new Uint8Array(secret)
  }
}
