// Request checks shared by the route modules: a JSON body against a schema, and the admin bearer token.
import { createHash, timingSafeEqual } from "node:crypto"
import type { Context } from "hono"
import type { z } from "zod"
import { HumanmarkError } from "../../sdk/errors.ts"

/** The JSON body, validated: 400 `invalid_json` or `invalid_request` (naming every wrong field). */
export async function readBody<Schema extends z.ZodTypeAny>(c: Context, schema: Schema): Promise<z.infer<Schema>> {
  let json: unknown
  try {
    json = await c.req.json()
  } catch (error) {
    if (error instanceof HumanmarkError) throw error
    throw new HumanmarkError("invalid_json", "The request body is not valid JSON.", { cause: error })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    throw new HumanmarkError("invalid_request", "The request body does not have the expected fields.", {
      details: parsed.error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "),
    })
  }
  return parsed.data
}

/**
 * Requires `Authorization: Bearer <adminToken>`: 401 `admin_token_missing` without it, 403
 * `admin_token_invalid` for another token, or when no admin token is configured at all.
 */
export function requireAdminToken(c: Context, adminToken: string | undefined): void {
  const header = c.req.header("authorization")
  if (!header) {
    c.header("WWW-Authenticate", "Bearer")
    throw new HumanmarkError("admin_token_missing", "This request needs Authorization: Bearer <admin token>.", { status: 401 })
  }
  const presented = /^Bearer (.+)$/i.exec(header)?.[1]
  // Compared as hashes: equal lengths, and the time taken says nothing about the token.
  const digest = (text: string) => createHash("sha256").update(text).digest()
  if (!adminToken || !presented || !timingSafeEqual(digest(presented), digest(adminToken))) {
    throw new HumanmarkError("admin_token_invalid", "The admin token is not valid.", { status: 403 })
  }
}
