// The /verify tool: hash the file locally, then check its receipt (given, or looked up by digest)
// with the server's POST /v1/verify, and show what was checked.
import type { CheckResult } from "../../../sdk/anchors/verify.ts"
import { isHumanmarkError } from "../../../sdk/errors.ts"
import { getReceipt, verifyReceiptOnServer, type ReceiptView, type VerificationView } from "./anchors-api.ts"
import { acceptDrops } from "./drop-zone.ts"
import { formatBytes, hashFile } from "./hash-file.ts"

type VerdictState = "valid" | "invalid" | "not-found" | "error"

const checkLabels: Record<string, string> = {
  digest: "The file's SHA-256 is the receipt's digest",
  chain: "The receipt names this server's chain",
  merklePath: "The Merkle path leads from the digest to the anchored root",
  transaction: "The anchoring transaction exists and succeeded",
  log: "The transaction's Anchored event carries the root",
  block: "The block is on the chain with the receipt's hash and time",
  confirmations: "Enough blocks were built on top",
  humanAttestation: "A verified human of the group vouched for it",
}

export function startVerifyTool(root: Document): void {
  const fileInput = root.querySelector<HTMLInputElement>("[data-testid=verify-file]")!
  const receiptInput = root.querySelector<HTMLInputElement>("[data-testid=verify-receipt]")!
  const button = root.querySelector<HTMLButtonElement>("[data-testid=verify-button]")!
  const progress = root.querySelector<HTMLProgressElement>("[data-field=progress]")!
  const busy = root.querySelector<HTMLElement>("[data-field=busy]")!
  const result = root.querySelector<HTMLElement>("[data-testid=verify-result]")!

  const field = (name: string) => result.querySelector<HTMLElement>(`[data-field=${name}]`)!

  for (const input of [fileInput, receiptInput]) acceptDrops(input)

  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0]
    root.querySelector("[data-field=file-name]")!.textContent = file ? `${file.name} · ${formatBytes(file.size)}` : "Hashed on this device, never uploaded"
    button.disabled = !file
  })
  receiptInput.addEventListener("change", () => {
    const receipt = receiptInput.files?.[0]
    root.querySelector("[data-field=receipt-name]")!.textContent = receipt ? receipt.name : "A humanmark-receipt/1 JSON file"
  })

  const show = (state: VerdictState, title: string, text: string, receipt?: ReceiptView, verification?: VerificationView) => {
    result.hidden = false
    result.dataset.state = state
    field("verdict-title").textContent = title
    field("verdict-state").textContent = { valid: "Valid", invalid: "Invalid", "not-found": "Not found", error: "Error" }[state]
    field("verdict-text").textContent = text
    field("facts").replaceChildren(...(receipt ? receiptFacts(receipt) : []))
    field("checks").replaceChildren(
      ...(verification ? (Object.entries(verification.checks) as [string, CheckResult][]) : []).map(([name, check]) => {
        const item = document.createElement("li")
        item.dataset.outcome = check.status
        item.dataset.check = name
        item.title = check.reason
        const label = checkLabels[name] ?? name
        item.textContent = { passed: label, failed: `${label}: no. ${check.reason}`, skipped: `Not checked: ${check.reason}` }[check.status]
        return item
      }),
    )
  }

  button.addEventListener("click", async () => {
    const file = fileInput.files?.[0]
    if (!file) return
    button.disabled = true
    try {
      busy.textContent = "Hashing the file…"
      progress.hidden = false
      const digest = await hashFile(file, {
        onProgress: ({ bytesHashed, totalBytes }) => {
          progress.value = totalBytes === 0 ? 100 : (100 * bytesHashed) / totalBytes
        },
      })
      progress.hidden = true

      let receipt: unknown
      const receiptFile = receiptInput.files?.[0]
      if (receiptFile) {
        try {
          receipt = JSON.parse(await receiptFile.text())
        } catch {
          show("error", "That receipt is not JSON", `${receiptFile.name} could not be read as JSON. Choose the .receipt.json file you downloaded.`)
          return
        }
      } else {
        busy.textContent = "Looking the file up…"
        try {
          receipt = await getReceipt(digest)
        } catch (error) {
          if (isHumanmarkError(error) && error.status === 404) {
            show("not-found", "No anchor found for this file", `Nothing on this server matches SHA-256 ${digest}. If you have a receipt, add it.`)
            return
          }
          throw error
        }
      }

      busy.textContent = "Checking against the chain…"
      const verification = await verifyReceiptOnServer(digest, receipt)
      const view = receipt as ReceiptView
      if (verification.valid) {
        const when = view.anchor ? new Date(view.anchor.anchoredAt).toLocaleString() : "an unknown time"
        show("valid", "This file existed at the time shown", `These exact bytes were anchored on ${view.anchor?.chain ?? "chain"} at ${when}.`, view, verification)
      } else if (view.status === "pending") {
        show("invalid", "Not anchored yet", "The receipt is still pending: the digest is waiting for its batch to reach the chain.", view, verification)
      } else {
        show("invalid", "This receipt does not prove this file", "At least one check failed; see below.", view, verification)
      }
    } catch (error) {
      show("error", "Could not verify", isHumanmarkError(error) ? error.message : "The server could not be reached.")
    } finally {
      busy.textContent = ""
      progress.hidden = true
      button.disabled = !fileInput.files?.[0]
    }
  })
}

function receiptFacts(receipt: ReceiptView): HTMLElement[] {
  const facts: [string, string, string][] = [["digest", "SHA-256", receipt.digest]]
  if (receipt.anchor) {
    const { anchor } = receipt
    facts.push(
      ["time", "Anchored at", new Date(anchor.anchoredAt).toLocaleString()],
      ["chain", "Chain", anchor.chain],
      ["block", "Block", anchor.blockNumber.toLocaleString("en-US")],
      ["transaction", "Transaction", anchor.txHash],
      ["contract", "Contract", anchor.contract],
    )
  }
  facts.push(["human", "Human attestation", receipt.humanAttestation ? `A verified member of group ${receipt.humanAttestation.groupId}` : "None"])
  if (receipt.c2pa) facts.push(["c2pa", "C2PA", describeC2pa(receipt.c2pa)])
  return facts.flatMap(([id, label, value]) => {
    const term = document.createElement("dt")
    term.textContent = label
    const description = document.createElement("dd")
    description.dataset.testid = `fact-${id}`
    description.textContent = value
    if (id === "digest" || id === "transaction" || id === "contract") description.className = "mono"
    const wrapper = document.createElement("div")
    wrapper.append(term, description)
    return [wrapper]
  })
}

function describeC2pa(summary: Record<string, unknown>): string {
  const state = typeof summary.validationState === "string" ? summary.validationState : "unknown"
  const manifest = summary.activeManifest as { claimGenerator?: string; signer?: { commonName?: string; issuer?: string } } | null | undefined
  if (summary.present === false) return "No C2PA manifest"
  const signer = manifest?.signer?.commonName ?? manifest?.signer?.issuer ?? "unknown signer"
  return `${state} · signed by ${signer}${manifest?.claimGenerator ? ` · ${manifest.claimGenerator}` : ""}`
}
