export interface HumanmarkErrorOptions {
  /** Longer explanation or hint; safe to show to users. */
  details?: string
  /** HTTP status the server answers with when this error reaches a client (a 4xx for bad input). */
  status?: number
  cause?: unknown
}

/**
 * The one error type humanmark throws on purpose. `code` is stable (match on it, never on the
 * message); `message` is a sentence for people. The server turns it into
 * `{ "error": { "code", "message" } }` with `status`.
 */
export class HumanmarkError extends Error {
  override name = "HumanmarkError"
  readonly code: string
  readonly details: string | undefined
  readonly status: number

  constructor(code: string, message: string, options: HumanmarkErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.details = options.details
    this.status = options.status ?? 400
  }
}

export const isHumanmarkError = (error: unknown): error is HumanmarkError => error instanceof HumanmarkError

/**
 * Shows where an RPC endpoint is without leaking credentials: providers put API keys in the
 * userinfo, the path or the query, so only the origin survives.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    const hidden = parsed.pathname.length > 1 || parsed.search !== "" ? "/…" : ""
    return `${parsed.protocol}//${parsed.host}${hidden}`
  } catch {
    return "(invalid URL)"
  }
}
