// SHA-256 of a File in the browser, streamed chunk by chunk so large files neither fill memory nor
// freeze the page, with progress. The file itself never leaves the browser: only its digest does.
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"

export interface HashProgress {
  bytesHashed: number
  totalBytes: number
}

/** Returns `0x` + 64 hex digits. `onProgress` is called after every chunk (and once at the end). */
export async function hashFile(file: Blob, onProgress?: (progress: HashProgress) => void, signal?: AbortSignal): Promise<`0x${string}`> {
  const hash = sha256.create()
  const reader = file.stream().getReader()
  let bytesHashed = 0
  let lastReport = 0
  for (;;) {
    signal?.throwIfAborted()
    const { done, value } = await reader.read()
    if (done) break
    hash.update(value)
    bytesHashed += value.byteLength
    // Reporting every chunk would spend more time in the DOM than in hashing on fast machines.
    const now = performance.now()
    if (onProgress && now - lastReport > 50) {
      lastReport = now
      onProgress({ bytesHashed, totalBytes: file.size })
    }
  }
  onProgress?.({ bytesHashed, totalBytes: file.size })
  return `0x${bytesToHex(hash.digest())}`
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
