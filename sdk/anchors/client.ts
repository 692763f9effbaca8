// Talking to a humanmark server about content anchors: submit digests, read and await receipts, verify.
import type { HumanmarkClient } from "../client.ts"
import { HumanmarkError } from "../errors.ts"
import { normalizeDigest } from "./digest.ts"
import { parseReceipt, type HumanAttestation, type Receipt, type ReceiptStatus } from "./receipt.ts"
import type { VerifyReceiptResult } from "./verify.ts"

/** Most digests the server takes in one request; `submitDigests` splits longer lists. */
export const MAX_DIGESTS_PER_REQUEST = 10_000

export interface SubmitDigestsParameters {
  /** SHA-256 digests, 0x + 64 hex digits. */
  digests: readonly string[]
  /** A Semaphore proof with message = the digest (see `humanAttestationMessage`); only with one digest. */
  humanProof?: HumanAttestation
  /** C2PA summary to keep with the digest; only with one digest. */
  c2pa?: Record<string, unknown>
  /** Called after each request of up to 10,000 digests. */
  onProgress?: (progress: { submitted: number; total: number }) => void
}

/**
 * Submits digests for anchoring and returns one receipt per digest, in order (pending at first; the
 * stored one for a digest the server has seen). Throws `invalid_digest` before sending anything malformed.
 */
export async function submitDigests(client: HumanmarkClient, parameters: SubmitDigestsParameters): Promise<Receipt[]> {
  const { humanProof, c2pa, onProgress } = parameters
  const digests = parameters.digests.map((digest, index) => {
    try {
      return normalizeDigest(digest)
    } catch {
      throw new HumanmarkError("invalid_digest", `digests[${index}] is not a SHA-256 digest (0x followed by 64 hex digits).`)
    }
  })
  if (digests.length === 0) throw new HumanmarkError("empty_batch", "There are no digests to submit.")
  if ((humanProof || c2pa) && digests.length !== 1) {
    throw new HumanmarkError("invalid_parameters", "humanProof and c2pa go with exactly one digest.")
  }
  if (digests.length === 1) {
    const body = { digest: digests[0], ...(humanProof ? { humanProof } : {}), ...(c2pa ? { c2pa } : {}) }
    const { receipts } = await client.request<{ receipts: unknown[] }>("/v1/anchors", { body })
    onProgress?.({ submitted: 1, total: 1 })
    return receipts.map((receipt) => parseReceipt(receipt))
  }
  const receipts: Receipt[] = []
  for (let start = 0; start < digests.length; start += MAX_DIGESTS_PER_REQUEST) {
    const chunk = digests.slice(start, start + MAX_DIGESTS_PER_REQUEST)
    const answer = await client.request<{ receipts: unknown[] }>("/v1/anchors", { body: { digests: chunk } })
    for (const receipt of answer.receipts) receipts.push(parseReceipt(receipt))
    onProgress?.({ submitted: receipts.length, total: digests.length })
  }
  return receipts
}

/** The server's current receipt for a digest; `digest_not_found` when it was never submitted there. */
export async function getReceipt(client: HumanmarkClient, digest: string): Promise<Receipt> {
  return parseReceipt(await client.request<unknown>(`/v1/anchors/${normalizeDigest(digest)}`))
}

export interface WaitForReceiptParameters {
  digest: string
  /** Wait until the receipt is at least this far: "anchored" (default) or "final". */
  status?: Exclude<ReceiptStatus, "pending">
  /** Between two polls; default 1 s. */
  intervalMs?: number
  /** Give up after this long with `receipt_timeout`; default 5 minutes. */
  timeoutMs?: number
  /** Called with every receipt read, so callers can show where it stands. */
  onProgress?: (receipt: Receipt) => void
}

/** Polls the server until the digest's receipt is anchored (or final), then returns it. */
export async function waitForReceipt(client: HumanmarkClient, parameters: WaitForReceiptParameters): Promise<Receipt> {
  const wanted = parameters.status ?? "anchored"
  const intervalMs = parameters.intervalMs ?? 1_000
  const deadline = Date.now() + (parameters.timeoutMs ?? 300_000)
  for (;;) {
    const receipt = await getReceipt(client, parameters.digest)
    parameters.onProgress?.(receipt)
    if (receipt.status === "final" || receipt.status === wanted) return receipt
    if (Date.now() + intervalMs > deadline) {
      throw new HumanmarkError("receipt_timeout", `The receipt of ${receipt.digest} is still ${receipt.status}; gave up waiting for "${wanted}".`, {
        details: "The server keeps anchoring it; ask again later (`humanmark verify`, or GET /v1/anchors/<digest>).",
        status: 504,
      })
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Asks the server to verify a receipt against its own chain (clients need no RPC endpoint). */
export function verifyReceiptOnServer(client: HumanmarkClient, parameters: { receipt: unknown; digest?: string }): Promise<VerifyReceiptResult> {
  return client.request<VerifyReceiptResult>("/v1/verify", { body: parameters })
}
