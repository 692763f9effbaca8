import { resolve } from "node:path"
import { z } from "zod/v4"
import { HumanmarkError } from "../sdk/errors.ts"

/** anvil's first well-known development account. Public knowledge: only ever used on the embedded chain. */
export const ANVIL_DEV_PRIVATE_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

/**
 * anvil's second development account: on the embedded chain the enrollment worker sends from it, so
 * that its transactions never race the anchor batcher's for nonces.
 */
export const ANVIL_ENROLLMENT_PRIVATE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

/**
 * anvil's third development account: on the embedded chain the voting relayer sends from it (poll
 * creation and relayed ballots), so its nonces never race the anchor batcher's or the enrollment worker's.
 */
export const ANVIL_VOTING_PRIVATE_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"

const privateKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits")
const port = z.coerce.number().int().min(0).max(65535)

/** The environment variables humanmark reads; README "Configuration" documents each one. */
const envSchema = z.object({
  HUMANMARK_DATA_DIR: z.string().min(1).default("data"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: port.default(8787),
  RPC_URL: z.url({ protocol: /^(https?|wss?)$/ }).optional(),
  ANVIL_PORT: port.default(0),
  DEPLOYER_PRIVATE_KEY: privateKey.optional(),
  DATABASE_URL: z.string().min(1).optional(),
  ANCHOR_BATCH_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
  ANCHOR_BATCH_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  ANCHOR_CONFIRMATIONS: z.coerce.number().int().min(1).max(10_000).optional(),
  ANCHOR_RETRY_MAX_MS: z.coerce.number().int().min(10).max(3_600_000).default(60_000),
  C2PA_TRUST_ANCHORS: z.string().min(1).optional(),
  ENROLLMENT_SECRET: z.string().regex(/^(0x)?([0-9a-fA-F]{2}){32,}$/, "must be at least 32 bytes of hex").optional(),
  ENROLLMENT_PRIVATE_KEY: privateKey.optional(),
  VOTING_PRIVATE_KEY: privateKey.optional(),
  GOVERNOR_ADDRESS: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address (0x and 40 hex digits)").optional(),
  ENROLLMENT_BATCH_SIZE: z.coerce.number().int().min(1).max(1_000).default(100),
  ENROLLMENT_BATCH_INTERVAL_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
  ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  DEVICE_STATEMENT_ROOTS: z.string().min(1).optional(),
  WEBAUTHN_RP_ID: z.string().min(1).optional(),
  WEBAUTHN_ORIGINS: z.string().min(1).optional(),
  WEBAUTHN_ROOTS: z.string().min(1).optional(),
  ANCHOR_HUMAN_GROUP_IDS: z
    .string()
    .regex(/^\s*(\d+\s*(,\s*\d+\s*)*)?$/, "must be a comma-separated list of Semaphore group ids")
    .default(""),
})

export type ChainConfig =
  | { mode: "embedded"; anvilPort: number; statePath: string }
  | { mode: "rpc"; rpcUrl: string }

export interface Config {
  dataDir: string
  http: { host: string; port: number }
  chain: ChainConfig
  /** Deploys the contracts when no deployment is recorded for the chain. */
  deployerPrivateKey: `0x${string}` | undefined
  database: { kind: "sqlite"; path: string }
  anchors: AnchorConfig
  /** PEM file of the C2PA trust anchors; without it an intact manifest is reported Valid, never Trusted. */
  c2paTrustAnchorsPath: string | undefined
  enrollment: EnrollmentConfig
  voting: VotingConfig
}

export interface VotingConfig {
  /** Account that creates polls and relays ballots, so that voters' addresses never appear. */
  privateKey: `0x${string}` | undefined
  /**
   * Creating a poll costs the server gas: with ADMIN_TOKEN set it needs that bearer token; without it,
   * creation is open on the embedded chain and refused on a real network.
   */
  adminToken: string | undefined
  openPollCreation: boolean
  /** The GovernorPersonhood whose votes `/v1/governor` relays; none without it. */
  governorAddress: `0x${string}` | undefined
}

export interface EnrollmentConfig {
  /** Keys the uniqueness HMAC; generated once into the data folder when not given. */
  secretHex: string | undefined
  /** Account that creates the personhood groups and changes their members (it is their admin). */
  privateKey: `0x${string}` | undefined
  batchSize: number
  batchIntervalMs: number
  /** Bearer token for revocation; without it revocation over HTTP is refused. */
  adminToken: string | undefined
  /** PEM file of the personhood device makers' roots (device-statement format). */
  deviceStatementRootsPath: string | undefined
  /** The software dev attester: only on the embedded chain, never with RPC_URL. */
  devAttester: boolean
  /** WebAuthn enrollment, when a relying party and attestation roots are configured. */
  webauthn: { rpId: string; origins: string[]; rootsPath: string } | undefined
}

export interface AnchorConfig {
  /** A batch is anchored this long after its oldest digest arrived... */
  batchIntervalMs: number
  /** ...or as soon as this many digests wait. Also the largest batch. */
  batchMax: number
  /**
   * Blocks (the anchoring one included) a batch needs before it is final: 1 on the embedded chain, 12
   * elsewhere. When the node reports a `finalized` block, the batch must also be at or below it.
   */
  confirmations: number
  /** Cap of the exponential backoff while the chain does not answer. */
  retryMaxMs: number
  /** Semaphore groups whose members may attest "made by a verified human"; none accepts no attestation. */
  humanGroupIds: bigint[]
}

/** Reads and validates configuration once; everything else receives the result. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")
    throw new HumanmarkError("invalid_config", `Invalid configuration: ${problems}`)
  }
  const vars = parsed.data
  const dataDir = resolve(vars.HUMANMARK_DATA_DIR)
  const chain: ChainConfig = vars.RPC_URL
    ? { mode: "rpc", rpcUrl: vars.RPC_URL }
    : { mode: "embedded", anvilPort: vars.ANVIL_PORT, statePath: resolve(dataDir, "anvil-state.json") }
  const deployerPrivateKey = (vars.DEPLOYER_PRIVATE_KEY ?? (chain.mode === "embedded" ? ANVIL_DEV_PRIVATE_KEY : undefined)) as
    | `0x${string}`
    | undefined
  const anchors: AnchorConfig = {
    batchIntervalMs: vars.ANCHOR_BATCH_INTERVAL_MS,
    batchMax: vars.ANCHOR_BATCH_MAX,
    confirmations: vars.ANCHOR_CONFIRMATIONS ?? (chain.mode === "embedded" ? 1 : 12),
    retryMaxMs: vars.ANCHOR_RETRY_MAX_MS,
    humanGroupIds: vars.ANCHOR_HUMAN_GROUP_IDS.split(",").filter((id) => id.trim() !== "").map((id) => BigInt(id.trim())),
  }
  return {
    dataDir,
    http: { host: vars.HOST, port: vars.PORT },
    chain,
    deployerPrivateKey,
    database: parseDatabaseUrl(vars.DATABASE_URL, dataDir),
    anchors,
    c2paTrustAnchorsPath: vars.C2PA_TRUST_ANCHORS === undefined ? undefined : resolve(vars.C2PA_TRUST_ANCHORS),
    enrollment: {
      secretHex: vars.ENROLLMENT_SECRET?.replace(/^0x/, ""),
      privateKey: (vars.ENROLLMENT_PRIVATE_KEY ?? (chain.mode === "embedded" ? ANVIL_ENROLLMENT_PRIVATE_KEY : deployerPrivateKey)) as `0x${string}` | undefined,
      batchSize: vars.ENROLLMENT_BATCH_SIZE,
      batchIntervalMs: vars.ENROLLMENT_BATCH_INTERVAL_MS,
      adminToken: vars.ADMIN_TOKEN,
      deviceStatementRootsPath: vars.DEVICE_STATEMENT_ROOTS === undefined ? undefined : resolve(vars.DEVICE_STATEMENT_ROOTS),
      devAttester: chain.mode === "embedded",
      webauthn: parseWebauthn(vars.WEBAUTHN_RP_ID, vars.WEBAUTHN_ORIGINS, vars.WEBAUTHN_ROOTS),
    },
    voting: {
      privateKey: (vars.VOTING_PRIVATE_KEY ?? (chain.mode === "embedded" ? ANVIL_VOTING_PRIVATE_KEY : deployerPrivateKey)) as `0x${string}` | undefined,
      adminToken: vars.ADMIN_TOKEN,
      openPollCreation: chain.mode === "embedded" && vars.ADMIN_TOKEN === undefined,
      governorAddress: vars.GOVERNOR_ADDRESS as `0x${string}` | undefined,
    },
  }
}

function parseWebauthn(rpId: string | undefined, origins: string | undefined, rootsPath: string | undefined): EnrollmentConfig["webauthn"] {
  const given = [rpId, origins, rootsPath].filter((value) => value !== undefined).length
  if (given === 0) return undefined
  if (given !== 3) {
    throw new HumanmarkError("invalid_config", "WebAuthn enrollment needs WEBAUTHN_RP_ID, WEBAUTHN_ORIGINS and WEBAUTHN_ROOTS together.")
  }
  return { rpId: rpId!, origins: origins!.split(",").map((origin) => origin.trim()).filter(Boolean), rootsPath: resolve(rootsPath!) }
}

function parseDatabaseUrl(url: string | undefined, dataDir: string): Config["database"] {
  if (url === undefined) return { kind: "sqlite", path: resolve(dataDir, "humanmark.sqlite") }
  if (url.startsWith("sqlite:")) return { kind: "sqlite", path: resolve(url.slice("sqlite:".length)) }
  if (/^postgres(ql)?:/.test(url)) {
    throw new HumanmarkError("invalid_config", "DATABASE_URL: PostgreSQL is not supported yet; unset it to use the embedded SQLite database.")
  }
  throw new HumanmarkError("invalid_config", "DATABASE_URL must start with sqlite: (for example sqlite:./data/humanmark.sqlite).")
}
