import { HumanmarkError } from "../errors.ts"
import { checkArtifactBytes, semaphoreArtifactName, semaphoreArtifactsVersion, type SemaphoreArtifacts } from "./artifacts.ts"

export interface ArtifactDownloadProgress {
  depth: number
  receivedBytes: number
  /** From Content-Length; undefined when the server does not say. */
  totalBytes: number | undefined
}

export interface CreateFetchingArtifactLoaderParameters {
  /** Where a humanmark server serves the artifacts; default: this page's origin. */
  serverUrl?: string
  onProgress?: (progress: ArtifactDownloadProgress) => void
}

/**
 * A `loadArtifacts` for browsers: downloads the wasm and zkey of a depth from a humanmark server
 * (`/artifacts/semaphore/<version>/…`), checks their sha256 against the manifest this SDK was built
 * with, and keeps them for the page's lifetime. A server that hands out other files fails the check.
 */
export function createFetchingArtifactLoader(parameters: CreateFetchingArtifactLoaderParameters = {}): (depth: number) => Promise<SemaphoreArtifacts> {
  const base = `${(parameters.serverUrl ?? globalThis.location?.origin ?? "").replace(/\/+$/, "")}/artifacts/semaphore/${semaphoreArtifactsVersion}`
  const cache = new Map<number, Promise<SemaphoreArtifacts>>()
  return (depth) => {
    let pending = cache.get(depth)
    if (!pending) {
      const progress = { wasm: 0, zkey: 0, wasmTotal: undefined as number | undefined, zkeyTotal: undefined as number | undefined }
      const report = () =>
        parameters.onProgress?.({
          depth,
          receivedBytes: progress.wasm + progress.zkey,
          totalBytes: progress.wasmTotal !== undefined && progress.zkeyTotal !== undefined ? progress.wasmTotal + progress.zkeyTotal : undefined,
        })
      const download = async (kind: "wasm" | "zkey") => {
        const name = semaphoreArtifactName(depth, kind)
        const bytes = await fetchBytes(`${base}/${name}`, (received, total) => {
          progress[kind] = received
          progress[`${kind}Total`] = total
          report()
        })
        checkArtifactBytes(name, bytes)
        return bytes
      }
      pending = Promise.all([download("wasm"), download("zkey")]).then(([wasm, zkey]) => ({ depth, wasm, zkey }))
      pending.catch(() => cache.delete(depth))
      cache.set(depth, pending)
    }
    return pending
  }
}

async function fetchBytes(url: string, onChunk: (received: number, total: number | undefined) => void): Promise<Uint8Array> {
  let response: Response
  try {
    response = await fetch(url)
  } catch (cause) {
    throw new HumanmarkError("artifact_unavailable", `Could not download ${url}.`, { status: 503, cause })
  }
  if (!response.ok || !response.body) throw new HumanmarkError("artifact_unavailable", `Downloading ${url} answered HTTP ${response.status}.`, { status: 503 })
  const length = Number(response.headers.get("content-length"))
  const total = Number.isFinite(length) && length > 0 ? length : undefined
  const chunks: Uint8Array[] = []
  let received = 0
  const reader = response.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    chunks.push(value)
    received += value.byteLength
    onChunk(received, total)
  }
  const bytes = new Uint8Array(received)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
