import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { checkArtifactBytes, semaphoreArtifactName } from "./artifacts.ts"
import { semaphoreArtifactsDir } from "./artifacts.node.ts"
import { parseSemaphoreVerificationKey, type SemaphoreVerificationKey } from "./batch-verify.ts"

/**
 * Reads `semaphore-<depth>.json` from the installed `@zk-kit/semaphore-artifacts` and checks its
 * sha256 against the manifest before parsing, so batch verification uses exactly the audited key.
 */
export async function loadSemaphoreVerificationKey(depth: number): Promise<SemaphoreVerificationKey> {
  const name = semaphoreArtifactName(depth, "json")
  const bytes = new Uint8Array(await readFile(join(semaphoreArtifactsDir(), name)))
  checkArtifactBytes(name, bytes)
  return parseSemaphoreVerificationKey(JSON.parse(new TextDecoder().decode(bytes)), depth)
}
