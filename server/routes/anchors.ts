import { Hono, type Context } from "hono"
import { bodyLimit } from "hono/body-limit"
import type { Hex } from "viem"
import type { HumanAttestation } from "../../sdk/anchors/receipt.ts"
import type { VerifyReceiptResult } from "../../sdk/anchors/verify.ts"
import { HumanmarkError } from "../../sdk/errors.ts"
import {
  MAX_ANCHOR_REQUEST_BYTES,
  MAX_VERIFY_REQUEST_BYTES,
  checkedDigest,
  parseAnchorRequest,
  parseJsonBody,
  parseVerifyRequest,
} from "../anchors/requests.ts"
import type { AnchorService } from "../anchors/service.ts"

export interface AnchorRouteDependencies {
  anchors: AnchorService
  /** False when the server has no account to send transactions with: digests would never be anchored. */
  anchoringAvailable: boolean
  /** Checks a human attestation for a digest (proof, group, root on chain); throws a typed 400. */
  verifyHumanAttestation(digest: Hex, attestation: HumanAttestation): Promise<HumanAttestation>
}

export interface VerifyRouteDependencies {
  /** Verifies a receipt against this server's chain. */
  verifyReceipt(parameters: { receipt: unknown; digest: Hex | undefined }): Promise<VerifyReceiptResult>
}

const tooLarge = (limit: number) => () => {
  throw new HumanmarkError("body_too_large", `The request body is larger than ${limit} bytes.`, { status: 413 })
}

const jsonBody = async (c: Context) => parseJsonBody(await c.req.text())

/**
 * `POST /` `{digest, humanProof?, c2pa?}` or `{digests: [...]}`: 202 `{receipts}`, one per digest, after the
 * durable write. `GET /:digest`: 200 with the current receipt, 404 `digest_not_found`.
 */
export function anchorRoutes(deps: AnchorRouteDependencies) {
  return new Hono()
    .post("/", bodyLimit({ maxSize: MAX_ANCHOR_REQUEST_BYTES, onError: tooLarge(MAX_ANCHOR_REQUEST_BYTES) }), async (c) => {
      const request = parseAnchorRequest(await jsonBody(c))
      if (!deps.anchoringAvailable) {
        throw new HumanmarkError("anchoring_unavailable", "This server cannot anchor: it has no account to send transactions with.", {
          details: "The operator must set DEPLOYER_PRIVATE_KEY.",
          status: 503,
        })
      }
      const humanAttestation = request.humanAttestation && (await deps.verifyHumanAttestation(request.digests[0]!, request.humanAttestation))
      const receipts = await deps.anchors.submit(request.digests.map((digest) => ({ digest, humanAttestation, c2pa: request.c2pa })))
      return c.json({ receipts }, 202)
    })
    .get("/:digest", async (c) => {
      const digest = checkedDigest(c.req.param("digest"), "The digest in the URL")
      const receipt = await deps.anchors.getReceipt(digest)
      if (!receipt) throw new HumanmarkError("digest_not_found", `No digest ${digest} was submitted to this server.`, { status: 404 })
      c.header("Cache-Control", "no-store")
      return c.json(receipt)
    })
}

/** `POST /` `{receipt, digest?}`: 200 with the verifier's result (`valid` and every check); 400 `invalid_receipt`. */
export function verifyRoutes(deps: VerifyRouteDependencies) {
  return new Hono().post("/", bodyLimit({ maxSize: MAX_VERIFY_REQUEST_BYTES, onError: tooLarge(MAX_VERIFY_REQUEST_BYTES) }), async (c) => {
    const result = await deps.verifyReceipt(parseVerifyRequest(await jsonBody(c)))
    return c.json(result)
  })
}
