import { open, readFile, stat } from "node:fs/promises"
import type { Identity } from "@semaphore-protocol/core"
import { HumanmarkError } from "../../sdk/errors.ts"
import { createIdentity, exportIdentity, importIdentity } from "../../sdk/enrollment/identity.ts"
import { parseCommandLine, UsageError, type CliCommand, type CliIo } from "../command.ts"

/** Identity files are a few hundred bytes; anything far larger is not one, and is not read whole. */
const IDENTITY_FILE_MAX_BYTES = 64 * 1024

export const identityCommand: CliCommand = {
  name: "identity",
  usage: "identity create --out FILE | show --identity FILE",
  summary: "Create a Semaphore identity (its secret stays in FILE) or show an identity file's commitment.",
  help: [
    "Usage: humanmark identity create --out FILE [--force]",
    "       humanmark identity show --identity FILE",
    "",
    "create  Makes a new random Semaphore identity and writes its backup file (humanmark-identity/1,",
    "        readable only by you: mode 600). The file holds the identity's secret: whoever has it can",
    "        act as you in every group you join, so keep it like a password. Prints the commitment.",
    "show    Prints the public commitment of an identity file (never the secret).",
    "",
    "Options:",
    "  --out FILE       where create writes the identity; an existing file is kept unless --force",
    "  --force          with create: replace an existing file (its identity is lost unless backed up)",
    "  --identity FILE  the identity file to show",
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(
      argv,
      { out: { type: "string" }, force: { type: "boolean" }, identity: { type: "string" } },
      true,
    )
    const [action, ...extra] = positionals
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`)
    if (action === "create") {
      if (values.identity !== undefined) throw new UsageError("create takes --out, not --identity.")
      if (values.out === undefined) throw new UsageError("create needs --out FILE: where to write the new identity.")
      const identity = createIdentity()
      const backup = exportIdentity(identity)
      await writeSecretFile(values.out, `${JSON.stringify(backup, null, 2)}\n`, values.force === true)
      io.err(`wrote ${values.out}: it holds this identity's secret; keep it private and backed up`)
      io.out(JSON.stringify({ file: values.out, commitment: backup.commitment, createdAt: backup.createdAt }, null, 2))
      return 0
    }
    if (action === "show") {
      if (values.out !== undefined || values.force !== undefined) throw new UsageError("show takes --identity, not --out or --force.")
      if (values.identity === undefined) throw new UsageError("show needs --identity FILE.")
      const { identity, createdAt } = await readIdentityFile(values.identity, io)
      io.out(JSON.stringify({ file: values.identity, commitment: identity.commitment.toString(), createdAt: createdAt.toISOString() }, null, 2))
      return 0
    }
    throw new UsageError(action === undefined ? "Say what to do: create or show." : `Unknown action "${action}"; expected create or show.`)
  },
}

/**
 * Reads and checks an identity backup file (`file_unreadable`, `invalid_identity_file`), warning on
 * stderr when others may read it.
 */
export async function readIdentityFile(path: string, io: CliIo): Promise<{ identity: Identity; createdAt: Date }> {
  let text: string
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new HumanmarkError("file_unreadable", `${path} is not a file.`)
    if (info.size > IDENTITY_FILE_MAX_BYTES) {
      throw new HumanmarkError("invalid_identity_file", `${path} is ${info.size} bytes: far too large for an identity file.`)
    }
    // Group or others may read the secret: not fatal (it may be on purpose), but worth saying.
    if (process.platform !== "win32" && (info.mode & 0o077) !== 0) {
      io.err(`warning: ${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`)
    }
    text = await readFile(path, "utf8")
  } catch (cause) {
    if (cause instanceof HumanmarkError) throw cause
    const code = (cause as NodeJS.ErrnoException).code
    throw new HumanmarkError("file_unreadable", `Could not read the identity file ${path}${code ? ` (${code})` : ""}.`, {
      details: "Create one with `humanmark identity create --out FILE`.",
      cause,
    })
  }
  try {
    return importIdentity(text)
  } catch (error) {
    if (error instanceof HumanmarkError) throw new HumanmarkError(error.code, `${path}: ${error.message}`, { details: error.details, cause: error })
    throw error
  }
}

/** Written owner-only from the first byte; an existing file is replaced only when asked to. */
async function writeSecretFile(path: string, text: string, force: boolean): Promise<void> {
  let handle
  try {
    handle = await open(path, force ? "w" : "wx", 0o600)
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    if (code === "EEXIST") {
      throw new HumanmarkError("file_exists", `${path} already exists; it may hold an identity you need, so it was left as it was.`, {
        details: "Choose another --out, or pass --force to replace it.",
        cause,
      })
    }
    throw new HumanmarkError("file_unwritable", `Could not write ${path}${code ? ` (${code})` : ""}.`, { cause })
  }
  try {
    // `open`'s mode applies only to new files; a replaced file keeps its old mode otherwise.
    await handle.chmod(0o600)
    await handle.writeFile(text)
  } finally {
    await handle.close()
  }
}
