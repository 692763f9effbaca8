// SHA-256 of a File in the browser, streamed chunk by chunk so large files neither fill memory nor
// freeze the page, with progress. The file itself never leaves the browser: only its digest does.
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"

export interface HashProgress {
  bytesHashed: number
  totalBytes: number
}

export interface HashFileOptions {
  onProgress?: (progress: HashProgress) => void
  signal?: AbortSignal
  webCryptoMaxBytes?: number
}

/** Files up to this size are read into memory and hashed by the browser's native WebCrypto. */
export const WEBCRYPTO_MAX_BYTES = 512 * 2 ** 20

/**
 * Returns `0x` + 64 hex digits. `onProgress` is called as chunks are read (and once at the end).
 * Files up to WEBCRYPTO_MAX_BYTES go to WebCrypto's native SHA-256 (several times faster than any
 * JavaScript hash); larger ones, or pages without WebCrypto (plain http on a non-local host), are
 * hashed incrementally so memory stays flat.
 */
export async function hashFile(file: Blob, options: HashFileOptions = {}): Promise<`0x${string}`> {
  const { onProgress, signal, webCryptoMaxBytes = WEBCRYPTO_MAX_BYTES } = options
  const useWebCrypto = file.size <= webCryptoMaxBytes && globalThis.crypto?.subtle !== undefined
  const buffer = useWebCrypto ? new Uint8Array(file.size) : undefined
  const hash = useWebCrypto ? undefined : sha256.create()
  const reader = file.stream().getReader()
  let bytesHashed = 0
  let lastReport = 0
  for (;;) {
    signal?.throwIfAborted()
    const { done, value } = await reader.read()
    if (done) break
    if (buffer) buffer.set(value, bytesHashed)
    else hash!.update(value)
    bytesHashed += value.byteLength
    // Reporting every chunk would spend more time in the DOM than in hashing on fast machines.
    const now = performance.now()
    if (onProgress && now - lastReport > 50) {
      lastReport = now
      onProgress({ bytesHashed, totalBytes: file.size })
    }
  }
  const digest = buffer ? new Uint8Array(await crypto.subtle.digest("SHA-256", buffer)) : hash!.digest()
  onProgress?.({ bytesHashed, totalBytes: file.size })
  return `0x${bytesToHex(digest)}`
}

/** "1.4 MB", "532 B": sizes as people read them (decimal units, like file managers). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ["kB", "MB", "GB", "TB"]
  let value = bytes
  let unit = -1
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit += 1
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`
}

/** "0.42 s", "85 ms". */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`
}
