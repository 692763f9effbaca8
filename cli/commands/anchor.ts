import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import { readFile, stat, writeFile } from "node:fs/promises"
import type { Hex } from "viem"
import { submitDigests, waitForReceipt } from "../../sdk/anchors/client.ts"
import type { Receipt } from "../../sdk/anchors/receipt.ts"
import { C2PA_MAX_BYTES, readC2pa } from "../../sdk/c2pa/read.ts"
import type { C2paSummary } from "../../sdk/c2pa/summary.ts"
import { createHumanmarkClient, type HumanmarkClient } from "../../sdk/client.ts"
import { HumanmarkError } from "../../sdk/errors.ts"
import { parseCommandLine, serverUrlFrom, UsageError, type CliCommand, type CliIo } from "../command.ts"

/** Progress goes to stderr only for work that takes a while: this many bytes, or this many files. */
const PROGRESS_BYTES = 64 * 1024 * 1024
const PROGRESS_FILES = 20
const PROGRESS_EVERY_MS = 1_000

export const anchorCommand: CliCommand = {
  name: "anchor",
  usage: "anchor FILE... [--wait] [--c2pa] [--server URL]",
  summary: "Timestamp files on chain: hash them locally, submit the digests, save FILE.receipt.json.",
  help: [
    "Usage: humanmark anchor FILE... [--wait] [--final] [--c2pa] [--timeout SECONDS] [--server URL]",
    "",
    "Hashes each file (SHA-256, streamed; only the digest leaves this machine), submits the digests to",
    "the server, and writes each receipt next to its file as FILE.receipt.json. Prints a JSON summary.",
    "",
    "Options:",
    "  --wait            wait until the digests are anchored and rewrite the receipts then",
    "  --final           with --wait: wait until the anchoring block is final",
    "  --c2pa            read each file's C2PA manifest here (offline) and keep its summary in the anchor",
    "  --timeout SECONDS how long --wait waits (default 300)",
    "  --server URL      humanmark server (default: $HUMANMARK_SERVER or http://127.0.0.1:8787)",
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals: files } = parseCommandLine(
      argv,
      { wait: { type: "boolean" }, final: { type: "boolean" }, c2pa: { type: "boolean" }, timeout: { type: "string" }, server: { type: "string" } },
      true,
    )
    if (files.length === 0) throw new UsageError("Give at least one FILE to anchor.")
    const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout)
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError("--timeout takes a positive number of seconds.")
    const client = createHumanmarkClient({ serverUrl: serverUrlFrom(values.server, io.env), timeoutMs: 60_000 })

    const digests = await hashFiles(files, io)
    const c2paSummaries = values.c2pa ? await readC2paSummaries(files, io) : []
    let receipts = await submitWithC2pa(client, digests, c2paSummaries)
    await Promise.all(files.map((file, index) => writeReceipt(file, receipts[index]!)))

    if (values.wait) {
      const deadline = Date.now() + timeoutSeconds * 1000
      const waited: Receipt[] = []
      for (const [index, receipt] of receipts.entries()) {
        // Digests submitted together share a batch: after the first, the others are usually ready.
        const done = await waitForReceipt(client, {
          digest: receipt.digest,
          status: values.final ? "final" : "anchored",
          timeoutMs: Math.max(deadline - Date.now(), 1),
          intervalMs: 500,
          onProgress: (current) => {
            if (files.length > 1 || current.status === "pending") io.err(`waiting: ${files[index]} is ${current.status}`)
          },
        })
        await writeReceipt(files[index]!, done)
        waited.push(done)
      }
      receipts = waited
    }

    io.out(JSON.stringify({ files: files.map((file, index) => summary(file, receipts[index]!)) }, null, 2))
    return 0
  },
}

/** The C2PA summary of each file that carries a manifest (undefined for the others), read offline. */
async function readC2paSummaries(files: readonly string[], io: CliIo): Promise<(C2paSummary | undefined)[]> {
  const summaries: (C2paSummary | undefined)[] = []
  for (const file of files) {
    if ((await stat(file)).size > C2PA_MAX_BYTES) {
      io.err(`c2pa: ${file} is larger than ${C2PA_MAX_BYTES} bytes; anchored without a C2PA summary`)
      summaries.push(undefined)
      continue
    }
    try {
      const summary = await readC2pa({ bytes: new Uint8Array(await readFile(file)) })
      summaries.push(summary.present ? summary : undefined)
    } catch (error) {
      // A format C2PA does not cover (a text file, say) is not an error for anchoring.
      io.err(`c2pa: ${file}: ${error instanceof HumanmarkError ? error.message : String(error)}; anchored without a C2PA summary`)
      summaries.push(undefined)
    }
  }
  return summaries
}

/** Digests with a C2PA summary go one per request (the summary belongs to one digest); the rest together. */
async function submitWithC2pa(client: HumanmarkClient, digests: Hex[], c2paSummaries: (C2paSummary | undefined)[]): Promise<Receipt[]> {
  const receipts: Receipt[] = new Array(digests.length)
  const plain = digests.flatMap((digest, index) => (c2paSummaries[index] ? [] : [index]))
  if (plain.length > 0) {
    const plainReceipts = await submitDigests(client, { digests: plain.map((index) => digests[index]!) })
    plain.forEach((index, position) => (receipts[index] = plainReceipts[position]!))
  }
  for (const [index, c2pa] of c2paSummaries.entries()) {
    if (c2pa) receipts[index] = (await submitDigests(client, { digests: [digests[index]!], c2pa: { ...c2pa } }))[0]!
  }
  return receipts
}

function summary(file: string, receipt: Receipt) {
  return {
    file,
    digest: receipt.digest,
    status: receipt.status,
    receipt: `${file}.receipt.json`,
    ...(receipt.anchor ? { txHash: receipt.anchor.txHash, blockNumber: receipt.anchor.blockNumber, anchoredAt: receipt.anchor.anchoredAt } : {}),
  }
}

function writeReceipt(file: string, receipt: Receipt): Promise<void> {
  return writeFile(`${file}.receipt.json`, `${JSON.stringify(receipt, null, 2)}\n`)
}

/** SHA-256 of each file, streamed, with progress lines on stderr when the job is large. */
export async function hashFiles(files: readonly string[], io: CliIo): Promise<Hex[]> {
  const sizes = await Promise.all(
    files.map((file) =>
      stat(file).then(
        (info) => {
          if (!info.isFile()) throw new HumanmarkError("file_unreadable", `${file} is not a file.`)
          return info.size
        },
        (cause: NodeJS.ErrnoException) => {
          throw new HumanmarkError("file_unreadable", `Could not read ${file}${cause.code ? ` (${cause.code})` : ""}.`, { cause })
        },
      ),
    ),
  )
  const totalBytes = sizes.reduce((sum, size) => sum + size, 0)
  const showProgress = totalBytes >= PROGRESS_BYTES || files.length >= PROGRESS_FILES
  let hashedBytes = 0
  let lastReport = Date.now()
  const report = (fileIndex: number, force = false) => {
    if (!showProgress || (!force && Date.now() - lastReport < PROGRESS_EVERY_MS)) return
    lastReport = Date.now()
    io.err(`hashing: ${fileIndex} of ${files.length} files, ${megabytes(hashedBytes)} of ${megabytes(totalBytes)} MB`)
  }
  const digests: Hex[] = []
  for (const [index, file] of files.entries()) {
    const hash = createHash("sha256")
    try {
      for await (const chunk of createReadStream(file)) {
        hash.update(chunk as Buffer)
        hashedBytes += (chunk as Buffer).length
        report(index)
      }
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code
      throw new HumanmarkError("file_unreadable", `Could not read ${file}${code ? ` (${code})` : ""}.`, { cause })
    }
    digests.push(`0x${hash.digest("hex")}`)
  }
  report(files.length, true)
  return digests
}

const megabytes = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1)
