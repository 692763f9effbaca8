import { Hono } from "hono"
import { bodyLimit } from "hono/body-limit"
import { C2PA_MAX_BYTES, checkTrustAnchorsPem, readC2pa } from "../../sdk/c2pa/read.ts"
import { HumanmarkError } from "../../sdk/errors.ts"

export interface C2paRouteDependencies {
  /** PEM certificates whose signers count as Trusted; without them an intact manifest is at best Valid. */
  trustAnchorsPem?: string | undefined
  /** Largest file accepted; defaults to C2PA_MAX_BYTES. */
  maxBytes?: number | undefined
}

// Room for the multipart boundary and part headers around the file itself.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024

/**
 * `POST /`: reads and validates the C2PA manifest of an uploaded file, offline. The file is the
 * raw body (its type in `Content-Type`, or recognised from the bytes) or a multipart field `file`.
 * Answers the C2paSummary; 413 `file_too_large`, 415 `c2pa_unsupported_format`, 422 `c2pa_unreadable`.
 */
export function c2paRoutes(deps: C2paRouteDependencies = {}) {
  const maxBytes = deps.maxBytes ?? C2PA_MAX_BYTES
  // Checked once here, so a wrong anchors file stops the server at startup.
  const trustAnchorsPem = deps.trustAnchorsPem === undefined ? undefined : checkTrustAnchorsPem(deps.trustAnchorsPem)
  const tooLarge = () => {
    throw new HumanmarkError("file_too_large", `The file is larger than ${maxBytes} bytes.`, { status: 413 })
  }

  return new Hono().post("/", bodyLimit({ maxSize: maxBytes + MULTIPART_OVERHEAD_BYTES, onError: tooLarge }), async (c) => {
    const upload = await uploadedFile(c.req.raw)
    const summary = await readC2pa({ ...upload, trustAnchorsPem, maxBytes })
    c.header("Cache-Control", "no-store")
    return c.json(summary)
  })
}

async function uploadedFile(request: Request): Promise<{ bytes: Uint8Array; mimeType: string | undefined }> {
  const contentType = request.headers.get("content-type") ?? undefined
  if (contentType?.toLowerCase().startsWith("multipart/form-data")) {
    let form: FormData
    try {
      form = await request.formData()
    } catch (error) {
      throw new HumanmarkError("invalid_multipart", "The multipart body could not be parsed.", { cause: error })
    }
    const file = form.get("file")
    if (!(file instanceof Blob)) throw missingFile()
    return { bytes: new Uint8Array(await file.arrayBuffer()), mimeType: file.type || undefined }
  }
  const bytes = new Uint8Array(await request.arrayBuffer())
  if (bytes.length === 0) throw missingFile()
  return { bytes, mimeType: contentType }
}

const missingFile = () =>
  new HumanmarkError("file_missing", "No file was sent.", {
    details: "Send the file as the request body, or as a multipart/form-data field named file.",
  })
