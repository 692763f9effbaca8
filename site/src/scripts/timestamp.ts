// The /timestamp tool: hash each dropped file locally, submit the digests together, then follow each
// receipt from pending to anchored (and final) and offer it for download.
import { isHumanmarkError } from "../../../sdk/errors.ts"
import { describeAnchor, downloadJson, getReceipt, submitDigests, type ReceiptView } from "./anchors-api.ts"
import { acceptDrops } from "./drop-zone.ts"
import { formatBytes, formatDuration, hashFile } from "./hash-file.ts"

const POLL_MS = 1_000
const ANCHORED_POLL_MS = 10_000

type RowState = "hashing" | "submitting" | "pending" | "anchored" | "final" | "error"

const stateLabels: Record<RowState, string> = {
  hashing: "Hashing…",
  submitting: "Submitting…",
  pending: "Pending",
  anchored: "Anchored",
  final: "Final",
  error: "Failed",
}

interface Row {
  file: File
  element: HTMLElement
  digest?: string
  receipt?: ReceiptView
}

export function startTimestampTool(root: Document): void {
  const input = root.querySelector<HTMLInputElement>("[data-testid=timestamp-input]")!
  const list = root.querySelector<HTMLElement>("[data-testid=timestamp-files]")!
  const template = root.querySelector<HTMLTemplateElement>("#file-row-template")!
  const errorText = root.querySelector<HTMLElement>("[data-testid=timestamp-error]")!

  const showError = (message: string | undefined) => {
    errorText.textContent = message ?? ""
    errorText.hidden = !message
  }

  const addFiles = async (files: File[]) => {
    if (files.length === 0) return
    showError(undefined)
    const rows = files.map((file) => createRow(file, template, list))
    // Hash one file at a time: parallel hashing would only split the same CPU between them.
    for (const row of rows) {
      try {
        const started = performance.now()
        row.digest = await hashFile(row.file, {
          onProgress: ({ bytesHashed, totalBytes }) => {
            const progress = row.element.querySelector<HTMLProgressElement>("[data-field=progress]")!
            progress.value = totalBytes === 0 ? 100 : (100 * bytesHashed) / totalBytes
          },
        })
        const hashMs = performance.now() - started
        row.element.dataset.hashMs = hashMs.toFixed(1)
        row.element.querySelector("[data-field=digest]")!.textContent = row.digest
        row.element.querySelector("[data-field=progress]")!.remove()
        row.element.querySelector("[data-field=size]")!.textContent = `${formatBytes(row.file.size)} · hashed in ${formatDuration(hashMs)}`
        setState(row, "submitting")
      } catch (error) {
        setState(row, "error", `Could not read the file: ${error instanceof Error ? error.message : String(error)}`)
      }
    }
    const hashed = rows.filter((row) => row.digest)
    if (hashed.length === 0) return
    try {
      const receipts = await submitDigests(hashed.map((row) => row.digest!))
      hashed.forEach((row, index) => showReceipt(row, receipts[index]!))
    } catch (error) {
      const message = isHumanmarkError(error) ? error.message : "The server did not accept the digests."
      for (const row of hashed) setState(row, "error", message)
      showError(message)
      return
    }
    for (const row of hashed) void follow(row)
  }

  input.addEventListener("change", () => {
    void addFiles([...(input.files ?? [])])
    input.value = ""
  })
  acceptDrops(input)
}

function createRow(file: File, template: HTMLTemplateElement, list: HTMLElement): Row {
  const element = (template.content.firstElementChild as HTMLElement).cloneNode(true) as HTMLElement
  element.querySelector("[data-field=name]")!.textContent = file.name
  element.querySelector("[data-field=size]")!.textContent = formatBytes(file.size)
  list.prepend(element)
  const row: Row = { file, element }
  element.querySelector("[data-action=download]")!.addEventListener("click", () => {
    if (row.receipt) downloadJson(`${file.name}.receipt.json`, row.receipt)
  })
  return row
}

function setState(row: Row, state: RowState, detail?: string) {
  row.element.dataset.state = state
  row.element.querySelector("[data-field=state]")!.textContent = stateLabels[state]
  if (detail !== undefined) row.element.querySelector("[data-field=detail]")!.textContent = detail
}

function showReceipt(row: Row, receipt: ReceiptView) {
  row.receipt = receipt
  setState(row, receipt.status, describeAnchor(receipt))
  row.element.querySelector<HTMLButtonElement>("[data-action=download]")!.disabled = false
}

/**
 * Polls the receipt until it is final: quickly while pending, slowly once anchored (finality can take
 * minutes, and an anchored receipt can still go back to pending on a reorg).
 */
async function follow(row: Row) {
  while (row.receipt?.status !== "final") {
    await new Promise((resolve) => setTimeout(resolve, row.receipt?.status === "anchored" ? ANCHORED_POLL_MS : POLL_MS))
    try {
      showReceipt(row, await getReceipt(row.digest!))
    } catch {
      // A missed poll is not worth alarming anyone; the next one usually answers.
    }
  }
}
