// Reads and validates a file's C2PA manifest offline (Node): no remote manifests, no OCSP, and
// trust decided only by the anchors the caller passes.
import { X509Certificate } from "node:crypto"
import { HumanmarkError } from "../errors.ts"
import { bytesMatchC2paMimeType, C2PA_MIME_TYPES, canonicalC2paMimeType, sniffC2paMimeType } from "./formats.ts"
import { absentC2paSummary, summarizeManifestStore, type C2paSummary, type ManifestStoreJson } from "./summary.ts"
import { loadC2paWasm } from "./wasm.node.ts"

/** Largest input readC2pa accepts by default (32 MiB): the bytes are copied into wasm memory. */
export const C2PA_MAX_BYTES = 32 * 1024 * 1024

/** The stable codes of the HumanmarkErrors readC2pa throws. */
export const C2PA_ERROR_CODES = {
  /** The declared media type is not one C2PA can be read from, or the bytes match no supported type. (415) */
  unsupportedFormat: "c2pa_unsupported_format",
  /** The bytes are empty, corrupt, or not of the declared type; or the manifest cannot be parsed. (422) */
  unreadable: "c2pa_unreadable",
  /** More than `maxBytes`. (413) */
  fileTooLarge: "file_too_large",
  /** `trustAnchorsPem` holds no certificate, or one that does not parse. (400) */
  invalidTrustAnchors: "c2pa_invalid_trust_anchors",
} as const

export interface ReadC2paParameters {
  bytes: Uint8Array
  /** e.g. `image/jpeg`. Without it the type is recognised from the bytes. */
  mimeType?: string | undefined
  /** PEM certificates whose signers count as Trusted. Without them an intact file is at best Valid. */
  trustAnchorsPem?: string | undefined
  /** Defaults to C2PA_MAX_BYTES. */
  maxBytes?: number | undefined
}

export type ReadC2paReturnType = C2paSummary

/** A HumanmarkError with one of C2PA_ERROR_CODES. */
export type ReadC2paErrorType = HumanmarkError

// c2pa-rs errors (thrown as strings such as `C2pa(JumbfNotFound)`) that mean "this file has no manifest".
const NO_MANIFEST = /^C2pa\((JumbfNotFound|ProvenanceMissing|ManifestNotFound|ClaimMissing)\b/
const UNSUPPORTED = /^C2pa\(UnsupportedType\b/

/**
 * Reads the C2PA manifest store of a file and validates it. A file without C2PA data gives
 * `{ present: false }`; a failed validation is a result (`validationState: "Invalid"` with failure
 * codes), not an error. Throws a HumanmarkError (see C2PA_ERROR_CODES) for input it cannot read.
 */
export async function readC2pa(parameters: ReadC2paParameters): Promise<ReadC2paReturnType> {
  const { bytes } = parameters
  const maxBytes = parameters.maxBytes ?? C2PA_MAX_BYTES
  if (bytes.length > maxBytes) {
    throw new HumanmarkError(C2PA_ERROR_CODES.fileTooLarge, `The file is larger than ${maxBytes} bytes.`, {
      details: `It has ${bytes.length} bytes.`,
      status: 413,
    })
  }
  if (bytes.length === 0) throw new HumanmarkError(C2PA_ERROR_CODES.unreadable, "The file is empty.", { status: 422 })
  const mimeType = resolveMimeType(bytes, parameters.mimeType)
  const context = readerContext(parameters.trustAnchorsPem)

  const { WasmReader } = loadC2paWasm()
  let reader: Awaited<ReturnType<typeof WasmReader.fromBytes>>
  try {
    reader = await WasmReader.fromBytes(mimeType, bytes, context)
  } catch (error) {
    const message = typeof error === "string" ? error : error instanceof Error ? error.message : String(error)
    if (NO_MANIFEST.test(message)) return absentC2paSummary()
    if (UNSUPPORTED.test(message)) {
      throw new HumanmarkError(C2PA_ERROR_CODES.unreadable, `The file is not a readable ${mimeType} file.`, { status: 422, cause: error })
    }
    throw new HumanmarkError(C2PA_ERROR_CODES.unreadable, "The file or its C2PA data could not be read.", {
      details: message.slice(0, 300),
      status: 422,
      cause: error,
    })
  }
  try {
    return summarizeManifestStore(JSON.parse(reader.json()) as ManifestStoreJson)
  } finally {
    reader.free()
  }
}

function resolveMimeType(bytes: Uint8Array, declared: string | undefined): string {
  const bare = declared?.split(";")[0]!.trim().toLowerCase()
  // Generic types say nothing about the format: recognise it from the bytes.
  if (bare === undefined || bare === "" || bare === "application/octet-stream") {
    const sniffed = sniffC2paMimeType(bytes)
    if (sniffed) return sniffed
    throw new HumanmarkError(C2PA_ERROR_CODES.unsupportedFormat, "The file's format is not one C2PA manifests can be read from.", {
      details: `Supported: ${C2PA_MIME_TYPES.join(", ")}.`,
      status: 415,
    })
  }
  const mimeType = canonicalC2paMimeType(bare)
  if (!mimeType) {
    throw new HumanmarkError(C2PA_ERROR_CODES.unsupportedFormat, `C2PA manifests cannot be read from ${declared} files.`, {
      details: `Supported: ${C2PA_MIME_TYPES.join(", ")}.`,
      status: 415,
    })
  }
  if (!bytesMatchC2paMimeType(bytes, mimeType)) {
    throw new HumanmarkError(C2PA_ERROR_CODES.unreadable, `The file is not a valid ${mimeType} file.`, {
      details: `Its first bytes look like ${sniffC2paMimeType(bytes) ?? "no supported format"}.`,
      status: 422,
    })
  }
  return mimeType
}

/** c2pa-rs settings: everything that could reach the network is off. */
function readerContext(trustAnchorsPem: string | undefined): string {
  const verify = { verify_trust: true, remote_manifest_fetch: false, ocsp_fetch: false }
  if (trustAnchorsPem === undefined) return JSON.stringify({ verify })
  return JSON.stringify({ trust: { trust_anchors: checkTrustAnchorsPem(trustAnchorsPem) }, verify })
}

/**
 * The PEM certificates of `pem`, each checked to parse; other text is dropped. Throws
 * `c2pa_invalid_trust_anchors` when none is found or one is broken. (c2pa-rs would report a bad
 * anchor list as a confusing TOML parse error of its whole settings document.) Servers call it at
 * startup so a wrong anchors file fails there, not on every request.
 */
export function checkTrustAnchorsPem(pem: string): string {
  const certificates = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  if (certificates.length === 0) {
    throw new HumanmarkError(C2PA_ERROR_CODES.invalidTrustAnchors, "The trust anchors contain no PEM certificate.", { status: 400 })
  }
  certificates.forEach((certificate, index) => {
    try {
      new X509Certificate(certificate)
    } catch (error) {
      throw new HumanmarkError(C2PA_ERROR_CODES.invalidTrustAnchors, `Trust anchor ${index + 1} is not a valid certificate.`, {
        status: 400,
        cause: error,
      })
    }
  })
  return `${certificates.join("\n")}\n`
}
