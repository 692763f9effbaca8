import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { checkArtifactBytes, semaphoreArtifactName, type SemaphoreArtifacts } from "./artifacts.ts"

const require = createRequire(import.meta.url)

/** Folder of the installed `@zk-kit/semaphore-artifacts` package (also what the server serves to browsers). */
export function semaphoreArtifactsDir(): string {
  return dirname(require.resolve("@zk-kit/semaphore-artifacts/package.json"))
}

const cache = new Map<number, Promise<SemaphoreArtifacts>>()

/**
 * Loads the wasm and zkey for `depth` from the installed package and checks their sha256. Cached
 * per process: the check runs once per depth. Never downloads.
 */
export function loadSemaphoreArtifacts(depth: number): Promise<SemaphoreArtifacts> {
  let pending = cache.get(depth)
  if (!pending) {
    pending = readCheckedArtifacts(depth)
    pending.catch(() => cache.delete(depth))
    cache.set(depth, pending)
  }
  return pending
}

async function readCheckedArtifacts(depth: number): Promise<SemaphoreArtifacts> {
  const read = async (kind: "wasm" | "zkey") => {
    const name = semaphoreArtifactName(depth, kind)
    const bytes = new Uint8Array(await readFile(join(semaphoreArtifactsDir(), name)))
    checkArtifactBytes(name, bytes)
    return bytes
  }
  const [wasm, zkey] = await Promise.all([read("wasm"), read("zkey")])
  return { depth, wasm, zkey }
}
