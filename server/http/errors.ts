import type { Context } from "hono"
import type { ContentfulStatusCode } from "hono/utils/http-status"
import { HTTPException } from "hono/http-exception"
import { isHumanmarkError } from "../../sdk/errors.ts"

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: string }
}

export function errorResponse(c: Context, status: ContentfulStatusCode, error: ErrorBody["error"]) {
  return c.json({ error } satisfies ErrorBody, status)
}

/**
 * The one place typed errors become HTTP responses. Anything that is not a HumanmarkError is a bug:
 * it is logged and answered with a bare 500, so internals never leak.
 */
export function onError(error: Error, c: Context) {
  if (isHumanmarkError(error)) {
    const body: ErrorBody["error"] = { code: error.code, message: error.message }
    if (error.details && error.status < 500) body.details = error.details
    return errorResponse(c, error.status as ContentfulStatusCode, body)
  }
  if (error instanceof HTTPException && error.status < 500) {
    // hono's own rejections (body limit, malformed JSON from validators) are client errors.
    return errorResponse(c, error.status, { code: "bad_request", message: error.message || "The request was rejected." })
  }
  console.error(`[humanmark] unhandled error on ${c.req.method} ${c.req.path}:`, error)
  return errorResponse(c, 500, { code: "internal_error", message: "Something went wrong on the server." })
}

export function onNotFound(c: Context) {
  return errorResponse(c, 404, { code: "not_found", message: `No route for ${c.req.method} ${c.req.path}.` })
}
