import { HumanmarkError } from "./errors.ts"

export interface HumanmarkClientOptions {
  /** Base URL of a humanmark server, e.g. `http://127.0.0.1:8787`. */
  serverUrl: string
  /** Per-request timeout. */
  timeoutMs?: number
  /** Replaces the global `fetch`, e.g. with a hono app's `request` or a fetch with custom agents. */
  fetch?: (url: string, init: RequestInit) => Response | Promise<Response>
}

/** Calls a humanmark server's JSON API; errors arrive as the server's typed `HumanmarkError`. */
export interface HumanmarkClient {
  serverUrl: string
  request<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>
}

/** Builds a client; every call turns `{ "error": { code, message } }` answers back into `HumanmarkError`s. */
export function createHumanmarkClient(options: HumanmarkClientOptions): HumanmarkClient {
  const serverUrl = normaliseServerUrl(options.serverUrl)
  const doFetch = options.fetch ?? ((url: string, init: RequestInit) => fetch(url, init))
  const timeoutMs = options.timeoutMs ?? 30_000
  return {
    serverUrl,
    async request<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
      let response: Response
      try {
        response = await doFetch(`${serverUrl}${path}`, {
          method: init.method ?? (init.body === undefined ? "GET" : "POST"),
          headers: { accept: "application/json", ...(init.body === undefined ? {} : { "content-type": "application/json" }) },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (cause) {
        throw new HumanmarkError("server_unreachable", `Could not reach the humanmark server at ${serverUrl}.`, {
          details: "Is it running (`npm start`)? Pass --server or set HUMANMARK_SERVER to point elsewhere.",
          status: 503,
          cause,
        })
      }
      const body = (await response.json().catch(() => undefined)) as unknown
      if (isErrorBody(body)) {
        throw new HumanmarkError(body.error.code, body.error.message, { details: body.error.details, status: response.status })
      }
      // /health answers 503 with a full report when a part is down: that is an answer, not a failure.
      if (body === undefined || (!response.ok && response.status !== 503)) {
        throw new HumanmarkError("bad_server_response", `The server answered HTTP ${response.status} without a JSON body.`, {
          status: 502,
        })
      }
      return body as T
    },
  }
}

function normaliseServerUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new HumanmarkError("invalid_server_url", `"${url}" is not a URL; expected something like http://127.0.0.1:8787.`)
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new HumanmarkError("invalid_server_url", `The server URL must use http or https, got ${parsed.protocol}`)
  }
  return parsed.href.replace(/\/+$/, "")
}

function isErrorBody(body: unknown): body is { error: { code: string; message: string; details?: string } } {
  if (typeof body !== "object" || body === null || !("error" in body)) return false
  const error = (body as { error: unknown }).error
  return typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "string" && typeof (error as { message?: unknown }).message === "string"
}
