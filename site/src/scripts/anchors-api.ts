// The anchors part of the humanmark HTTP API, as the site uses it (same origin as the page).
import type { VerifyReceiptResult } from "../../../sdk/anchors/verify.ts"
import { createHumanmarkClient } from "../../../sdk/client.ts"

export type ReceiptStatus = "pending" | "anchored" | "final"

/** The fields of a "humanmark-receipt/1" receipt that the pages show; the whole object is kept as is. */
export interface ReceiptView {
  version: string
  digest: string
  status: ReceiptStatus
  anchor?: { chain: string; contract: string; txHash: string; blockNumber: number; blockHash: string; logIndex: number; anchoredAt: string; confirmations?: number }
  humanAttestation?: { groupId: string }
  c2pa?: Record<string, unknown>
  [field: string]: unknown
}

/** The answer of `POST /v1/verify` (the SDK's `VerifyReceiptResult`). */
export type VerificationView = Pick<VerifyReceiptResult, "valid" | "checks" | "anchoredAt" | "chain" | "confirmations">

const client = () => createHumanmarkClient({ serverUrl: window.location.origin })

export async function submitDigests(digests: string[]): Promise<ReceiptView[]> {
  const answer = await client().request<{ receipts: ReceiptView[] }>("/v1/anchors", { body: { digests } })
  return answer.receipts
}

export function getReceipt(digest: string): Promise<ReceiptView> {
  return client().request<ReceiptView>(`/v1/anchors/${digest}`)
}

export function verifyReceiptOnServer(digest: string, receipt: unknown): Promise<VerificationView> {
  return client().request<VerificationView>("/v1/verify", { body: { digest, receipt } })
}

/** Saves `value` as a pretty-printed JSON file through the browser's download. */
export function downloadJson(fileName: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2) + "\n"], { type: "application/json" }))
  const link = document.createElement("a")
  link.href = url
  link.download = fileName
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function describeAnchor(receipt: ReceiptView): string {
  if (!receipt.anchor) return "Waiting for the next batch to be anchored…"
  const { anchor } = receipt
  const when = new Date(anchor.anchoredAt).toLocaleString()
  return `Block ${anchor.blockNumber.toLocaleString("en-US")} on ${anchor.chain} · ${when} · tx ${anchor.txHash.slice(0, 10)}…`
}
