import { readFile, stat } from "node:fs/promises"
import { HumanmarkError } from "../../sdk/errors.ts"
import { C2PA_MAX_BYTES, readC2pa } from "../../sdk/c2pa/read.ts"
import { parseCommandLine, UsageError, type CliCommand } from "../command.ts"

export const c2paCommand: CliCommand = {
  name: "c2pa",
  usage: "c2pa FILE [--trust-anchors PEM_FILE]",
  summary: "Read and validate a file's C2PA manifest offline (JSON).",
  help: [
    "Usage: humanmark c2pa FILE [--trust-anchors PEM_FILE] [--mime-type TYPE]",
    "",
    "Reads the C2PA manifest embedded in FILE and validates it without the network (no remote",
    "manifests, no OCSP). Prints a JSON summary: present, validationState (Invalid, Valid or",
    "Trusted), the active manifest's signer, actions and ingredients, and the status codes.",
    "",
    "Exits 0 when the file was read, whether or not it carries a manifest and whatever the",
    "validation found; 1 when the file cannot be read; 2 on a wrong command line.",
    "",
    "Options:",
    "  --trust-anchors PEM_FILE  PEM certificates whose signers count as Trusted (without them an",
    "                            intact manifest is at best Valid)",
    "  --mime-type TYPE          the file's media type (default: recognised from its bytes)",
    `  Files up to ${C2PA_MAX_BYTES / (1024 * 1024)} MiB are read.`,
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(
      argv,
      { "trust-anchors": { type: "string" }, "mime-type": { type: "string" } },
      true,
    )
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "FILE is missing." : "Give exactly one FILE.")
    const file = positionals[0]!
    const bytes = await readInput(file, "file")
    const anchorsPath = values["trust-anchors"]
    const trustAnchorsPem = anchorsPath === undefined ? undefined : new TextDecoder().decode(await readInput(anchorsPath, "trust anchors file"))
    const summary = await readC2pa({ bytes, mimeType: values["mime-type"], trustAnchorsPem })
    io.out(JSON.stringify(summary, null, 2))
    return 0
  },
}

/** Reads a whole file, refusing one over `maxBytes` before loading it. */
async function readInput(path: string, what: string, maxBytes = C2PA_MAX_BYTES): Promise<Uint8Array> {
  try {
    const { size } = await stat(path)
    if (size > maxBytes) {
      throw new HumanmarkError("file_too_large", `The ${what} ${path} is larger than ${maxBytes} bytes.`, { status: 413 })
    }
    return new Uint8Array(await readFile(path))
  } catch (error) {
    if (error instanceof HumanmarkError) throw error
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : "it cannot be read"
    throw new HumanmarkError("file_unreadable", `The ${what} ${path} cannot be opened: ${reason}.`, { cause: error })
  }
}
