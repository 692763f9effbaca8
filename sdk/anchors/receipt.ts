// The portable receipt a creator keeps for each digest. Versioned: a verifier reads `version` first and
// refuses formats it does not know, so the rules behind "humanmark-receipt/1" never change in place.
import { getAddress, isAddress, type Address, type Hex } from "viem"
import * as z from "zod/v4"
import { HumanmarkError } from "../errors.ts"
import { MERKLE_HASH_RULE, type MerklePathStep } from "./merkle.ts"

export const RECEIPT_VERSION = "humanmark-receipt/1" as const

/** pending: accepted, not yet on chain (or returned here by a reorg). anchored: in a block. final: in a final block. */
export type ReceiptStatus = "pending" | "anchored" | "final"

const hash32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "expected 0x followed by 64 hex digits")
  .transform((value) => value.toLowerCase() as Hex)
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 20-byte 0x address")
  // Lowercased first: a receipt's mixed case is not trusted as a checksum, the checksum is recomputed.
  .transform((value) => (isAddress(value.toLowerCase()) ? getAddress(value.toLowerCase()) : (value as Address)))
const decimal = z.string().regex(/^(0|[1-9][0-9]*)$/, "expected a non-negative decimal integer string")
const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
const isoTime = z.iso.datetime({ offset: true })

const merklePathStepSchema = z.object({ side: z.enum(["left", "right"]), hash: hash32 })

const merkleSchema = z.object({
  /** How leaves and nodes are hashed; see sdk/anchors/merkle.ts. */
  hashRule: z.literal(MERKLE_HASH_RULE),
  /** Position of the digest in its batch; informative, the path's sides are what verification uses. */
  leafIndex: count.optional(),
  path: z.array(merklePathStepSchema).max(64),
  root: hash32,
})

const anchorSchema = z.object({
  /** CAIP-2 chain id. */
  chain: z.string().regex(/^eip155:[1-9][0-9]*$/, 'expected a CAIP-2 chain id such as "eip155:1"'),
  contract: address,
  txHash: hash32,
  blockNumber: count,
  blockHash: hash32,
  /** Index of the `Anchored` log within the block, as JSON-RPC reports it. */
  logIndex: count,
  /** Time of the anchoring block (its timestamp), ISO 8601. */
  anchoredAt: isoTime,
  /** Blocks on top of the anchoring block (itself included) when the receipt was written. */
  confirmations: count.optional(),
})

/**
 * A Semaphore v4 proof whose `message` is the digest (as a decimal integer): a member of group `groupId`
 * vouched for this content without saying which member. The fields are those of `SemaphoreProof`.
 */
const humanAttestationSchema = z.object({
  groupId: decimal,
  merkleTreeDepth: z.number().int().min(1).max(32),
  merkleTreeRoot: decimal,
  nullifier: decimal,
  message: decimal,
  scope: decimal,
  points: z.array(decimal).length(8),
})

const common = {
  version: z.literal(RECEIPT_VERSION),
  /** SHA-256 of the content. */
  digest: hash32,
  algorithm: z.literal("sha256"),
  /** When the server accepted the digest. */
  submittedAt: isoTime.optional(),
  humanAttestation: humanAttestationSchema.optional(),
  /** Summary of the content's C2PA manifest, as reported when it was submitted; not verified here. */
  c2pa: z.record(z.string(), z.unknown()).optional(),
}

const pendingReceiptSchema = z.object({
  ...common,
  status: z.literal("pending"),
  // A batch may be built but not yet mined; a reorged receipt keeps its path for the next anchoring.
  merkle: merkleSchema.optional(),
  anchor: z.undefined({ error: "a pending receipt carries no anchor" }).optional(),
})

const anchoredReceiptSchema = z.object({ ...common, status: z.enum(["anchored", "final"]), merkle: merkleSchema, anchor: anchorSchema })

export const receiptSchema = z.discriminatedUnion("status", [pendingReceiptSchema, anchoredReceiptSchema])

export type Receipt = z.output<typeof receiptSchema>
export type PendingReceipt = z.output<typeof pendingReceiptSchema>
export type AnchoredReceipt = z.output<typeof anchoredReceiptSchema>
export type ReceiptMerkle = z.output<typeof merkleSchema>
export type ReceiptAnchor = z.output<typeof anchorSchema>
export type HumanAttestation = z.output<typeof humanAttestationSchema>

/**
 * Validates a receipt (parsed JSON or a JSON string) and returns it typed, with hashes lowercased and
 * the contract address checksummed. Throws `HumanmarkError` `invalid_receipt` naming the wrong field.
 */
export function parseReceipt(input: unknown): Receipt {
  let value = input
  if (typeof input === "string") {
    try {
      value = JSON.parse(input)
    } catch (cause) {
      throw new HumanmarkError("invalid_receipt", "The receipt is not valid JSON.", { cause })
    }
  }
  if (typeof value === "object" && value !== null && "version" in value && value.version !== RECEIPT_VERSION) {
    throw new HumanmarkError("invalid_receipt", `Unknown receipt version ${JSON.stringify(value.version)}; this verifier reads "${RECEIPT_VERSION}".`)
  }
  const result = receiptSchema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  const field = issue.path.length > 0 ? issue.path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`)).join("").slice(1) : "(receipt)"
  throw new HumanmarkError("invalid_receipt", `Receipt field ${field.replace(/\.\[/g, "[")} is invalid: ${issue.message}.`, {
    details: result.error.issues.map((each) => `${each.path.join(".") || "(receipt)"}: ${each.message}`).join("; "),
  })
}

/** True for receipts that carry an anchor (status "anchored" or "final"). */
export function isAnchoredReceipt(receipt: Receipt): receipt is AnchoredReceipt {
  return receipt.status !== "pending"
}

export interface CreatePendingReceiptParameters {
  digest: Hex
  submittedAt?: string
  merkle?: { path: readonly MerklePathStep[]; root: Hex; leafIndex?: number }
  humanAttestation?: HumanAttestation
  c2pa?: Record<string, unknown>
}

/** A receipt for a digest that is accepted but not on chain yet. Validated like a parsed one. */
export function createPendingReceipt(parameters: CreatePendingReceiptParameters): PendingReceipt {
  const { digest, submittedAt, merkle, humanAttestation, c2pa } = parameters
  return parseReceipt({
    version: RECEIPT_VERSION,
    digest,
    algorithm: "sha256",
    status: "pending",
    ...(submittedAt === undefined ? {} : { submittedAt }),
    ...(merkle === undefined ? {} : { merkle: { hashRule: MERKLE_HASH_RULE, ...merkle } }),
    ...(humanAttestation === undefined ? {} : { humanAttestation }),
    ...(c2pa === undefined ? {} : { c2pa }),
  }) as PendingReceipt
}

export interface CreateAnchoredReceiptParameters {
  digest: Hex
  /** "final" once the anchoring block is final on its chain; defaults to "anchored". */
  status?: "anchored" | "final"
  submittedAt?: string
  merkle: { path: readonly MerklePathStep[]; root: Hex; leafIndex?: number }
  anchor: {
    chainId: number
    contract: Address
    txHash: Hex
    blockNumber: bigint | number
    blockHash: Hex
    logIndex: number
    /** The block's timestamp (seconds, as in the block header) or an ISO time. */
    anchoredAt: bigint | string
    confirmations?: number
  }
  humanAttestation?: HumanAttestation
  c2pa?: Record<string, unknown>
}

/** A receipt for a digest whose batch root is in a block. Validated like a parsed one. */
export function createAnchoredReceipt(parameters: CreateAnchoredReceiptParameters): AnchoredReceipt {
  const { digest, status = "anchored", submittedAt, merkle, anchor, humanAttestation, c2pa } = parameters
  return parseReceipt({
    version: RECEIPT_VERSION,
    digest,
    algorithm: "sha256",
    status,
    ...(submittedAt === undefined ? {} : { submittedAt }),
    merkle: { hashRule: MERKLE_HASH_RULE, ...merkle },
    anchor: {
      chain: `eip155:${anchor.chainId}`,
      contract: anchor.contract,
      txHash: anchor.txHash,
      blockNumber: Number(anchor.blockNumber),
      blockHash: anchor.blockHash,
      logIndex: anchor.logIndex,
      anchoredAt: typeof anchor.anchoredAt === "bigint" ? new Date(Number(anchor.anchoredAt) * 1000).toISOString() : anchor.anchoredAt,
      ...(anchor.confirmations === undefined ? {} : { confirmations: anchor.confirmations }),
    },
    ...(humanAttestation === undefined ? {} : { humanAttestation }),
    ...(c2pa === undefined ? {} : { c2pa }),
  }) as AnchoredReceipt
}

/** The chain id in a CAIP-2 `eip155:<id>` string. */
export function chainIdOf(anchor: Pick<ReceiptAnchor, "chain">): number {
  return Number(anchor.chain.slice("eip155:".length))
}
