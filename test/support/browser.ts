import { existsSync } from "node:fs"
import { chromium, type Browser, type ConsoleMessage, type Page, type Request } from "playwright-core"

/** Debian's chromium package; playwright-core does not download browsers. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"

/** Flags for a quiet, offline-friendly headless Chromium (no background or update traffic). */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
]

/** Launches headless Chromium for end-to-end tests. Close it with `browser.close()`. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}. The browser tests need it: install it with ` +
        "`apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium binary.",
    )
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
}

export interface PageActivity {
  /** Every URL the page requested, in order. */
  requests: string[]
  /** Console messages of type "error" and uncaught page errors. */
  errors: string[]
}

/** Starts recording a page's requests and errors; read the returned object after the page has run. */
export function recordPageActivity(page: Page): PageActivity {
  const activity: PageActivity = { requests: [], errors: [] }
  page.on("request", (request: Request) => activity.requests.push(request.url()))
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() === "error") activity.errors.push(`console.error: ${message.text()} (${message.location().url})`)
  })
  page.on("pageerror", (error: Error) => activity.errors.push(`uncaught: ${error.stack ?? error.message}`))
  return activity
}

/** Requests that left `origin` (data: and blob: URLs never touch the network and are allowed). */
export function foreignRequests(activity: PageActivity, origin: string): string[] {
  const allowed = new URL(origin).origin
  return activity.requests.filter((url) => {
    if (url.startsWith("data:") || url.startsWith("blob:")) return false
    return new URL(url).origin !== allowed
  })
}
