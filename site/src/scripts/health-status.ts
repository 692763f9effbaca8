// The live "System status" panel: polls `GET /health` and renders it. Tiny and dependency-free on
// purpose; it is the only script on the landing page.
import type { HealthReport } from "../../../sdk/health.ts"

export type PanelState = "loading" | "ok" | "degraded" | "unreachable"
export type Part = "server" | "chain" | "database"

/** What one poll of `/health` produced. */
export type HealthResult =
  | { kind: "report"; httpStatus: number; report: HealthReport }
  | { kind: "failure"; message: string }

export interface HealthFields {
  chain: string
  block: string
  /** The block number as digits, for machines (`data-value`); empty when unknown. */
  blockValue: string
  rpc: string
  rpcTitle: string
  semaphore: string
  verifier: string
  database: string
  version: string
  chainOk: boolean
  databaseOk: boolean
}

export interface HealthView {
  state: Exclude<PanelState, "loading">
  label: string
  summary: string
  problems: { part: Part; message: string }[]
  /** Absent when the server did not answer with a health report. */
  fields?: HealthFields
}

const REQUEST_TIMEOUT_MS = 8_000

/** Fetches `/health` once. Never throws: every failure becomes a `failure` result with a readable message. */
export async function fetchHealth(url = "/health", timeoutMs = REQUEST_TIMEOUT_MS): Promise<HealthResult> {
  let response: Response
  try {
    response = await fetch(url, {
      cache: "no-store",
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError"
    return {
      kind: "failure",
      message: timedOut
        ? `The server did not answer within ${Math.round(timeoutMs / 1000)} s.`
        : "Could not reach the server. Is humanmark running?",
    }
  }
  let body: unknown
  try {
    body = await response.json()
  } catch {
    body = undefined
  }
  if ((response.ok || response.status === 503) && isHealthReport(body)) {
    return { kind: "report", httpStatus: response.status, report: body }
  }
  return {
    kind: "failure",
    message: response.ok
      ? "GET /health returned an unexpected answer."
      : `GET /health answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}.`,
  }
}

function isHealthReport(value: unknown): value is HealthReport {
  if (typeof value !== "object" || value === null) return false
  const report = value as Partial<Record<keyof HealthReport, unknown>>
  return (
    (report.status === "ok" || report.status === "degraded") &&
    isObject(report.chain) &&
    isObject(report.database) &&
    isObject(report.contracts)
  )
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null
}

/** Turns a poll result into what the panel shows. Pure, so it is easy to reason about. */
export function describeHealth(result: HealthResult): HealthView {
  if (result.kind === "failure") {
    return {
      state: "unreachable",
      label: "Unreachable",
      summary: "The humanmark server is not answering.",
      problems: [{ part: "server", message: result.message }],
    }
  }
  const { report } = result
  const chainOk = report.chain.ok === true
  const databaseOk = report.database.ok === true
  const problems: HealthView["problems"] = []
  if (!chainOk) problems.push({ part: "chain", message: `Chain is down: ${report.chain.error ?? "the EVM node did not answer."}` })
  if (!databaseOk) problems.push({ part: "database", message: `Database is down: ${report.database.error ?? "the database did not answer."}` })
  const degraded = report.status !== "ok" || result.httpStatus !== 200 || problems.length > 0
  if (degraded && problems.length === 0) problems.push({ part: "server", message: "The server reported a degraded state." })

  const block = report.chain.blockNumber
  const fields: HealthFields = {
    chain: report.chain.caip2,
    block: chainOk && typeof block === "number" ? block.toLocaleString("en-US") : "unavailable",
    blockValue: chainOk && typeof block === "number" ? String(block) : "",
    rpc: describeRpc(report.chain.rpc),
    rpcTitle: report.chain.rpc === "embedded" ? "A local anvil node started by the server" : report.chain.rpc,
    semaphore: report.contracts.semaphore,
    verifier: report.contracts.semaphoreVerifier,
    database: databaseOk && report.database.kind
      ? `${report.database.kind} · schema v${report.database.schemaVersion ?? "?"}`
      : "unavailable",
    version: report.version,
    chainOk,
    databaseOk,
  }
  if (!degraded) {
    return { state: "ok", label: "Operational", summary: "Chain and database are answering.", problems, fields }
  }
  const down = problems.map((problem) => problem.part).filter((part) => part !== "server")
  return {
    state: "degraded",
    label: "Degraded",
    summary: down.length > 0 ? `Down: ${down.join(" and ")}.` : "The server reported a problem.",
    problems,
    fields,
  }
}

/** "embedded" stays as is; an RPC endpoint is shown by its host only (the server already removed credentials). */
export function describeRpc(rpc: string): string {
  if (rpc === "embedded") return "embedded"
  try {
    return new URL(rpc).host || rpc
  } catch {
    return rpc
  }
}

export interface HealthPanelOptions {
  /** How often to poll while the page is visible. */
  refreshMs?: number
  url?: string
}

/** Wires the panel rendered by StatusPanel.astro: first poll now, then every `refreshMs` while visible. */
export function startHealthPanel(root: HTMLElement, options: HealthPanelOptions = {}): () => void {
  const refreshMs = options.refreshMs ?? (Number(root.dataset.refreshMs) || 5_000)
  const url = options.url ?? root.dataset.healthUrl ?? "/health"
  let timer: ReturnType<typeof setTimeout> | undefined
  let inFlight = false
  let stopped = false
  let lastUpdate: Date | undefined

  const field = (name: string) => root.querySelector<HTMLElement>(`[data-field="${name}"]`)
  const setText = (name: string, text: string) => {
    const element = field(name)
    if (element && element.textContent !== text) element.textContent = text
  }

  const render = (view: HealthView, at: Date) => {
    root.dataset.state = view.state
    root.setAttribute("aria-busy", "false")
    setText("status", view.label)
    setText("summary", view.summary)

    const alert = field("error")
    const list = field("problems")
    if (alert && list) {
      list.replaceChildren(
        ...view.problems.map((problem) => {
          const item = document.createElement("li")
          item.dataset.part = problem.part
          item.textContent = problem.message
          return item
        }),
      )
      alert.hidden = view.problems.length === 0
    }

    if (view.fields) {
      const f = view.fields
      const blockElement = field("block")
      const previousBlock = blockElement?.dataset.value
      setText("chain", f.chain)
      setText("block", f.block)
      if (blockElement) {
        blockElement.dataset.value = f.blockValue
        if (previousBlock && f.blockValue && previousBlock !== f.blockValue) flash(blockElement)
      }
      setText("rpc", f.rpc)
      field("rpc")?.setAttribute("title", f.rpcTitle)
      setText("semaphore", f.semaphore)
      setText("verifier", f.verifier)
      setText("database", f.database)
      setText("version", `v${f.version}`)
      setPartState("chain", f.chainOk)
      setPartState("database", f.databaseOk)
      lastUpdate = at
      root.dataset.stale = "false"
      setText("updated", `Updated ${formatTime(at)}`)
    } else if (lastUpdate) {
      // Keep the last values on screen, but say they are old; the parts' health is now unknown.
      root.dataset.stale = "true"
      for (const element of root.querySelectorAll<HTMLElement>("[data-part-state]")) delete element.dataset.ok
      setText("updated", `Showing values from ${formatTime(lastUpdate)}`)
    } else {
      setText("updated", `Last attempt ${formatTime(at)}`)
    }
  }

  const setPartState = (part: "chain" | "database", ok: boolean) => {
    for (const element of root.querySelectorAll<HTMLElement>(`[data-part-state="${part}"]`)) {
      element.dataset.ok = String(ok)
    }
  }

  const schedule = () => {
    clearTimeout(timer)
    if (!stopped && !document.hidden) timer = setTimeout(refresh, refreshMs)
  }

  const refresh = async () => {
    if (inFlight || stopped) return
    inFlight = true
    clearTimeout(timer)
    try {
      const result = await fetchHealth(url)
      if (!stopped) render(describeHealth(result), new Date())
    } finally {
      inFlight = false
      schedule()
    }
  }

  const onVisibility = () => {
    if (document.hidden) clearTimeout(timer)
    else void refresh()
  }
  document.addEventListener("visibilitychange", onVisibility)
  root.querySelector<HTMLButtonElement>("[data-action=refresh]")?.addEventListener("click", () => void refresh())
  void refresh()

  return () => {
    stopped = true
    clearTimeout(timer)
    document.removeEventListener("visibilitychange", onVisibility)
  }
}

function flash(element: HTMLElement) {
  element.classList.remove("changed")
  // Restart the CSS animation.
  void element.offsetWidth
  element.classList.add("changed")
}

function formatTime(date: Date): string {
  return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" })
}
