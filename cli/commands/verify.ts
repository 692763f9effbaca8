import { readFile } from "node:fs/promises"
import { getReceipt, verifyReceiptOnServer } from "../../sdk/anchors/client.ts"
import { verifyReceipt, type VerifyReceiptResult } from "../../sdk/anchors/verify.ts"
import { createHumanmarkClient } from "../../sdk/client.ts"
import { HumanmarkError } from "../../sdk/errors.ts"
import { parseCommandLine, serverUrlFrom, UsageError, type CliCommand } from "../command.ts"
import { hashFiles } from "./anchor.ts"

export const verifyCommand: CliCommand = {
  name: "verify",
  usage: "verify FILE [--receipt R] [--rpc-url URL] [--server URL]",
  summary: "Check that a file's exact bytes were anchored on chain, and when (exit 0 when valid).",
  help: [
    "Usage: humanmark verify FILE [--receipt R] [--rpc-url URL] [--min-confirmations N] [--server URL]",
    "",
    "Hashes FILE and checks its receipt: the digest, the Merkle path to the root, and on chain the",
    "transaction, its Anchored event and the block time. Prints the result as JSON (with anchoredAt).",
    "Exits 0 when the receipt is valid, 1 when it is not (or still pending).",
    "",
    "Options:",
    "  --receipt R          the receipt file (e.g. FILE.receipt.json); without it, the server's receipt",
    "                       for the file's digest is used",
    "  --rpc-url URL        verify against this JSON-RPC endpoint of the receipt's chain, trusting no",
    "                       server; without it, the server verifies against its own chain",
    "  --min-confirmations N  blocks required on top of the anchoring block, itself included (default 1)",
    "  --server URL         humanmark server (default: $HUMANMARK_SERVER or http://127.0.0.1:8787)",
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(
      argv,
      { receipt: { type: "string" }, "rpc-url": { type: "string" }, "min-confirmations": { type: "string" }, server: { type: "string" } },
      true,
    )
    if (positionals.length !== 1) throw new UsageError("Give exactly one FILE to verify.")
    const file = positionals[0]!
    const minConfirmations = values["min-confirmations"] === undefined ? undefined : Number(values["min-confirmations"])
    if (minConfirmations !== undefined && !(Number.isInteger(minConfirmations) && minConfirmations >= 1)) {
      throw new UsageError("--min-confirmations takes a whole number, at least 1.")
    }
    const [digest] = await hashFiles([file], io)
    const serverClient = () => createHumanmarkClient({ serverUrl: serverUrlFrom(values.server, io.env), timeoutMs: 30_000 })

    let receipt: unknown
    if (values.receipt !== undefined) {
      const text = await readFile(values.receipt, "utf8").catch((cause: NodeJS.ErrnoException) => {
        throw new HumanmarkError("file_unreadable", `Could not read the receipt ${values.receipt}${cause.code ? ` (${cause.code})` : ""}.`, { cause })
      })
      receipt = text
    } else {
      receipt = await getReceipt(serverClient(), digest!)
    }

    let result: VerifyReceiptResult
    if (values["rpc-url"] !== undefined) {
      result = await verifyReceipt({ receipt, digest: digest!, rpcUrl: values["rpc-url"], ...(minConfirmations ? { minConfirmations } : {}) })
    } else {
      if (minConfirmations !== undefined) throw new UsageError("--min-confirmations needs --rpc-url (the server verifies with its own rule).")
      const parsed = typeof receipt === "string" ? parseJson(receipt) : receipt
      result = await verifyReceiptOnServer(serverClient(), { receipt: parsed, digest: digest! })
    }

    const anchor = result.receipt.anchor
    io.out(
      JSON.stringify(
        {
          valid: result.valid,
          file,
          digest: result.digest,
          status: result.receipt.status,
          anchoredAt: result.anchoredAt ?? null,
          chain: result.chain ?? null,
          contract: result.contract ?? null,
          txHash: anchor?.txHash ?? null,
          blockNumber: anchor?.blockNumber ?? null,
          confirmations: result.confirmations ?? null,
          humanAttestation: result.checks.humanAttestation.status,
          checks: result.checks,
        },
        null,
        2,
      ),
    )
    if (result.valid) io.err(`${file}: valid; anchored at ${result.anchoredAt} on ${result.chain}`)
    else io.err(`${file}: NOT valid (${firstProblem(result)})`)
    return result.valid ? 0 : 1
  },
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new HumanmarkError("invalid_receipt", "The receipt is not valid JSON.", { cause })
  }
}

function firstProblem(result: VerifyReceiptResult): string {
  if (result.receipt.status === "pending") return "the receipt is still pending"
  const failed = Object.entries(result.checks).find(([, check]) => check.status === "failed")
  if (failed) return `${failed[0]}: ${failed[1].reason}`
  const skipped = Object.entries(result.checks).find(([name, check]) => check.status === "skipped" && name !== "humanAttestation")
  return skipped ? `${skipped[0]} not checked: ${skipped[1].reason}` : "unknown"
}
