// The media types C2PA manifests can be read from, and how to recognise them from their first
// bytes. c2pa-rs trusts the declared type and reports "no manifest" for bytes of another kind, so
// the bytes are checked here first: a PNG declared as WebP must not read as "unsigned".

type Container = "jpeg" | "png" | "gif" | "riff" | "tiff" | "bmff" | "mp3" | "pdf" | "svg" | "jumbf"

interface C2paFormat {
  mimeType: string
  container: Container
  /** Other names clients send for the same type. */
  aliases?: string[]
  /** For containers that hold several types (RIFF): the form type at byte 8. */
  riffForm?: string
}

const FORMATS: C2paFormat[] = [
  { mimeType: "image/jpeg", container: "jpeg", aliases: ["image/jpg", "image/pjpeg"] },
  { mimeType: "image/png", container: "png" },
  { mimeType: "image/gif", container: "gif" },
  { mimeType: "image/webp", container: "riff", riffForm: "WEBP" },
  { mimeType: "audio/wav", container: "riff", riffForm: "WAVE", aliases: ["audio/x-wav", "audio/wave", "audio/vnd.wave"] },
  { mimeType: "video/x-msvideo", container: "riff", riffForm: "AVI ", aliases: ["video/avi", "video/msvideo"] },
  { mimeType: "image/tiff", container: "tiff" },
  { mimeType: "image/x-adobe-dng", container: "tiff", aliases: ["image/dng"] },
  { mimeType: "image/avif", container: "bmff" },
  { mimeType: "image/heic", container: "bmff" },
  { mimeType: "image/heif", container: "bmff" },
  { mimeType: "video/mp4", container: "bmff" },
  { mimeType: "video/quicktime", container: "bmff" },
  { mimeType: "audio/mp4", container: "bmff", aliases: ["audio/x-m4a", "audio/m4a"] },
  { mimeType: "audio/mpeg", container: "mp3", aliases: ["audio/mp3"] },
  { mimeType: "application/pdf", container: "pdf" },
  { mimeType: "image/svg+xml", container: "svg" },
  // A sidecar manifest store (.c2pa file) on its own.
  { mimeType: "application/c2pa", container: "jumbf" },
]

/** Every media type readC2pa accepts, canonical names only. */
export const C2PA_MIME_TYPES: readonly string[] = FORMATS.map((format) => format.mimeType)

/** The canonical media type for a declared one (`image/JPG; q=1` -> `image/jpeg`), or undefined if unsupported. */
export function canonicalC2paMimeType(declared: string): string | undefined {
  const bare = declared.split(";")[0]!.trim().toLowerCase()
  return FORMATS.find((format) => format.mimeType === bare || format.aliases?.includes(bare))?.mimeType
}

const ascii = (bytes: Uint8Array, start: number, end: number) => String.fromCharCode(...bytes.subarray(start, end))
const startsWith = (bytes: Uint8Array, prefix: number[]) => prefix.every((value, index) => bytes[index] === value)

function containerOf(bytes: Uint8Array): Container | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg"
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png"
  if (ascii(bytes, 0, 6) === "GIF87a" || ascii(bytes, 0, 6) === "GIF89a") return "gif"
  if (ascii(bytes, 0, 4) === "RIFF" && bytes.length >= 12) return "riff"
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return "tiff"
  if (ascii(bytes, 4, 8) === "ftyp") return "bmff"
  if (ascii(bytes, 4, 8) === "jumb") return "jumbf"
  if (ascii(bytes, 0, 3) === "ID3" || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return "mp3"
  if (ascii(bytes, 0, 5) === "%PDF-") return "pdf"
  if (looksLikeSvg(bytes)) return "svg"
  return undefined
}

function looksLikeSvg(bytes: Uint8Array): boolean {
  const head = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(0, 4096)).replace(/^\uFEFF/, "").trimStart()
  return head.startsWith("<") && /<svg[\s>]/.test(head)
}

/** BMFF files name their kind in the major brand of the `ftyp` box. */
function bmffMimeType(bytes: Uint8Array): string {
  const brand = ascii(bytes, 8, 12)
  if (brand === "avif" || brand === "avis") return "image/avif"
  if (["heic", "heix", "heim", "heis", "hevc", "hevx"].includes(brand)) return "image/heic"
  if (brand === "mif1" || brand === "msf1") return "image/heif"
  if (brand === "qt  ") return "video/quicktime"
  if (brand === "M4A " || brand === "M4B ") return "audio/mp4"
  return "video/mp4"
}

/** The media type the bytes look like, or undefined when no supported format matches. */
export function sniffC2paMimeType(bytes: Uint8Array): string | undefined {
  const container = containerOf(bytes)
  if (container === undefined) return undefined
  if (container === "bmff") return bmffMimeType(bytes)
  if (container === "riff") return FORMATS.find((format) => format.riffForm === ascii(bytes, 8, 12))?.mimeType
  return FORMATS.find((format) => format.container === container)?.mimeType
}

/** Whether the bytes are of the container `mimeType` (canonical) is stored in. */
export function bytesMatchC2paMimeType(bytes: Uint8Array, mimeType: string): boolean {
  const format = FORMATS.find((candidate) => candidate.mimeType === mimeType)
  if (!format || containerOf(bytes) !== format.container) return false
  return format.riffForm === undefined || ascii(bytes, 8, 12) === format.riffForm
}
