import { createHash } from "node:crypto"
import { createReadStream } from "node:fs"
import type { Hex } from "viem"
import { HumanmarkError } from "../errors.ts"

/** SHA-256 of a file, read as a stream so that large files never sit in memory whole. */
export async function sha256File(path: string): Promise<Hex> {
  const hash = createHash("sha256")
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    throw new HumanmarkError("file_unreadable", `Could not read ${path}${code ? ` (${code})` : ""}.`, { cause })
  }
  return `0x${hash.digest("hex")}`
}
