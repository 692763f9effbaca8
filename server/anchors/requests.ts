// Validation of anchor requests at the HTTP edge: everything behind it receives checked, normalised values.
import type { Hex } from "viem"
import { z } from "zod/v4"
import { normalizeDigest } from "../../sdk/anchors/digest.ts"
import type { HumanAttestation } from "../../sdk/anchors/receipt.ts"
import { HumanmarkError } from "../../sdk/errors.ts"

/** Most digests one `POST /v1/anchors` may carry. */
export const MAX_DIGESTS_PER_REQUEST = 10_000
/** Largest request body: 10,000 digests as JSON take about 690 KB. */
export const MAX_ANCHOR_REQUEST_BYTES = 1024 * 1024
/** Largest `POST /v1/verify` body: a receipt with a human attestation and a C2PA summary. */
export const MAX_VERIFY_REQUEST_BYTES = 256 * 1024

export interface AnchorRequest {
  digests: Hex[]
  /** Only with a single digest. */
  humanAttestation: HumanAttestation | undefined
  c2pa: Record<string, unknown> | undefined
}

const decimal = z.union([z.string().regex(/^(0|[1-9][0-9]{0,77})$/), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)])
const humanProofSchema = z.object({
  groupId: decimal,
  merkleTreeDepth: z.number().int().min(1).max(32),
  merkleTreeRoot: decimal,
  nullifier: decimal,
  message: decimal,
  scope: decimal,
  points: z.array(decimal).length(8),
})

const singleSchema = z.strictObject({
  digest: z.string(),
  humanProof: z.unknown().optional(),
  c2pa: z.record(z.string(), z.unknown()).optional(),
})
const manySchema = z.strictObject({ digests: z.array(z.string()) })

const shapeError = () =>
  new HumanmarkError("invalid_request", 'The body must be {"digest": "0x…"} (with optional humanProof and c2pa) or {"digests": ["0x…", …]}.')

/** Parses a request body's text as JSON; `invalid_json` otherwise. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new HumanmarkError("invalid_json", "The request body is not valid JSON.")
  }
}

/**
 * `{ digest, humanProof?, c2pa? }` or `{ digests: [...] }`. Errors: `batch_too_large` (413),
 * `empty_batch`, `invalid_digest` (naming the index), `invalid_human_proof`, `invalid_request`.
 */
export function parseAnchorRequest(body: unknown): AnchorRequest {
  // Checked before the schema so that an oversized list is refused without walking it.
  if (typeof body === "object" && body !== null && Array.isArray((body as { digests?: unknown }).digests)) {
    const count = (body as { digests: unknown[] }).digests.length
    if (count > MAX_DIGESTS_PER_REQUEST) {
      throw new HumanmarkError("batch_too_large", `${count} digests in one request; at most ${MAX_DIGESTS_PER_REQUEST} are accepted.`, {
        details: "Split the digests over several requests.",
        status: 413,
      })
    }
    if (count === 0) throw new HumanmarkError("empty_batch", "The digests list is empty.")
  }
  if (typeof body === "object" && body !== null && "digests" in body) {
    const many = manySchema.safeParse(body)
    if (!many.success) throw shapeError()
    const digests = many.data.digests.map((digest, index) => checkedDigest(digest, `digests[${index}]`))
    return { digests, humanAttestation: undefined, c2pa: undefined }
  }
  const single = singleSchema.safeParse(body)
  if (!single.success) throw shapeError()
  const { digest, humanProof, c2pa } = single.data
  return { digests: [checkedDigest(digest, "digest")], humanAttestation: humanProof === undefined ? undefined : checkedHumanProof(humanProof), c2pa }
}

function checkedHumanProof(value: unknown): HumanAttestation {
  const parsed = humanProofSchema.safeParse(value)
  if (!parsed.success) {
    const field = parsed.error.issues[0]!.path.join(".")
    throw new HumanmarkError("invalid_human_proof", `humanProof${field ? `.${field}` : ""} is invalid: expected a Semaphore proof with groupId, decimal fields and eight points.`)
  }
  const proof = parsed.data
  return {
    groupId: String(proof.groupId),
    merkleTreeDepth: proof.merkleTreeDepth,
    merkleTreeRoot: String(proof.merkleTreeRoot),
    nullifier: String(proof.nullifier),
    message: String(proof.message),
    scope: String(proof.scope),
    points: proof.points.map(String),
  }
}

/** A digest in a URL or a body: lowercase 0x + 64 hex digits, or `invalid_digest` naming where it was. */
export function checkedDigest(value: string, where: string): Hex {
  try {
    return normalizeDigest(value)
  } catch {
    throw new HumanmarkError("invalid_digest", `${where} is not a SHA-256 digest (0x followed by 64 hex digits).`)
  }
}

const verifySchema = z.object({ digest: z.string().optional(), receipt: z.unknown() })

/** `{ receipt, digest? }`: the receipt is checked by the verifier itself (`invalid_receipt`). */
export function parseVerifyRequest(body: unknown): { receipt: unknown; digest: Hex | undefined } {
  const parsed = verifySchema.safeParse(body)
  if (!parsed.success || parsed.data.receipt === undefined) {
    throw new HumanmarkError("invalid_request", 'The body must be {"receipt": {…}} with an optional "digest": "0x…".')
  }
  return { receipt: parsed.data.receipt, digest: parsed.data.digest === undefined ? undefined : checkedDigest(parsed.data.digest, "digest") }
}
