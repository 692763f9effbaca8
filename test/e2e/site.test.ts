import assert from "node:assert/strict"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { after, before, test } from "node:test"
import type { Browser, BrowserContext, Page } from "playwright-core"
import type { HealthReport } from "../../sdk/health.ts"
import { defaultSiteDir } from "../../server/start.ts"
import { foreignRequests, launchBrowser, recordPageActivity } from "../support/browser.ts"
import { startTestStack, type TestStack } from "../support/stack.ts"

// The landing page against the real system: anvil, SQLite, deployed contracts and the HTTP server
// serving the built site, opened in headless Chromium.

let stack: TestStack | undefined
let browser: Browser | undefined
const contexts: BrowserContext[] = []

before(async () => {
  if (!existsSync(join(defaultSiteDir, "index.html"))) {
    throw new Error(`The site is not built (no ${join(defaultSiteDir, "index.html")}). Run \`npm run build:site\` first.`)
  }
  browser = await launchBrowser()
  stack = await startTestStack({ siteDir: defaultSiteDir })
})

after(async () => {
  for (const context of contexts) await context.close().catch(() => {})
  await browser?.close()
  await stack?.cleanup()
})

async function newPage(): Promise<Page> {
  assert.ok(browser, "browser not started")
  const context = await browser.newContext()
  contexts.push(context)
  const page = await context.newPage()
  page.setDefaultTimeout(15_000)
  return page
}

function testId(page: Page, id: string) {
  return page.locator(`[data-testid="${id}"]`)
}

async function text(page: Page, id: string): Promise<string> {
  return ((await testId(page, id).textContent()) ?? "").trim()
}

function panelIn(page: Page, state: string) {
  return page.waitForSelector(`[data-testid="health-panel"][data-state="${state}"]`)
}

async function realHealth(): Promise<HealthReport> {
  const response = await fetch(`${stack!.url}/health`)
  assert.equal(response.status, 200)
  return (await response.json()) as HealthReport
}

async function mineBlock(): Promise<void> {
  const response = await fetch(stack!.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] }),
  })
  const body = (await response.json()) as { error?: unknown }
  assert.equal(body.error, undefined, `evm_mine failed: ${JSON.stringify(body.error)}`)
}

test("the landing page shows live system status from /health, offline and without errors", async () => {
  const page = await newPage()
  const activity = recordPageActivity(page)
  await page.clock.install()
  const response = await page.goto(`${stack!.url}/`)
  assert.equal(response?.status(), 200)

  await panelIn(page, "ok")
  assert.match(await page.locator("h1").innerText(), /Real people/)
  for (const pillar of ["enrollment", "voting", "provenance"]) {
    assert.equal(await testId(page, `pillar-${pillar}`).count(), 1, `pillar ${pillar} is missing`)
  }

  assert.equal(await text(page, "health-status"), "Operational")
  assert.equal(await text(page, "health-chain"), "eip155:31337")
  assert.equal(await text(page, "health-rpc"), "embedded")
  assert.equal((await text(page, "health-semaphore")).toLowerCase(), stack!.deployment.contracts.semaphore.toLowerCase())
  assert.equal((await text(page, "health-verifier")).toLowerCase(), stack!.deployment.contracts.semaphoreVerifier.toLowerCase())
  assert.match(await text(page, "health-database"), /^sqlite · schema v\d+$/)
  assert.equal(await testId(page, "health-error").isVisible(), false)

  const block = Number(await testId(page, "health-block").getAttribute("data-value"))
  assert.ok(Number.isInteger(block) && block >= Number(stack!.deployment.blockNumber), `block number ${block}`)
  assert.match(await text(page, "health-block"), /^\d[\d,]*$/)

  // The block number follows the chain: mine one, let the page's refresh timer fire.
  await mineBlock()
  await page.clock.fastForward(6_000)
  await page.waitForFunction(
    (previous) => Number(document.querySelector('[data-testid="health-block"]')?.getAttribute("data-value")) > previous,
    block,
  )

  // Every link points at something that exists.
  const hrefs = await page.locator("a[href]").evaluateAll((links) => links.map((link) => link.getAttribute("href") ?? ""))
  for (const href of hrefs) {
    if (href.startsWith("#")) {
      assert.equal(await page.locator(href).count(), 1, `link target ${href} is missing`)
    } else {
      const target = new URL(href, stack!.url)
      assert.equal(target.origin, new URL(stack!.url).origin, `external link ${href}`)
      assert.equal((await fetch(target)).status, 200, `link ${href} is broken`)
    }
  }

  // Nothing overflows sideways on a small phone.
  await page.setViewportSize({ width: 360, height: 740 })
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "the page scrolls sideways at 360 px")

  // Light page: one small script, nothing from other hosts, no errors.
  const scripts = await page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .filter((entry) => (entry as PerformanceResourceTiming).initiatorType === "script")
      .map((entry) => ({ name: entry.name, size: (entry as PerformanceResourceTiming).decodedBodySize })),
  )
  const scriptBytes = scripts.reduce((total, script) => total + script.size, 0)
  assert.ok(scriptBytes < 20_000, `the landing page loads ${scriptBytes} bytes of script: ${JSON.stringify(scripts)}`)
  assert.deepEqual(foreignRequests(activity, stack!.url), [])
  assert.deepEqual(activity.errors, [])
})

test("a degraded /health (503) is shown as an error naming the part that is down", async () => {
  const healthy = await realHealth()
  let report: HealthReport = {
    ...healthy,
    status: "degraded",
    chain: { ...healthy.chain, ok: false, blockNumber: null, error: "The EVM node did not answer." },
  }
  const page = await newPage()
  await page.route("**/health", (route) =>
    route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify(report) }),
  )
  await page.goto(`${stack!.url}/`)
  await panelIn(page, "degraded")

  assert.equal(await text(page, "health-status"), "Degraded")
  const error = testId(page, "health-error")
  assert.equal(await error.isVisible(), true)
  assert.equal(await error.getAttribute("role"), "alert")
  assert.match(await error.innerText(), /Chain is down: The EVM node did not answer\./)
  assert.doesNotMatch(await error.innerText(), /Database/)
  assert.equal(await text(page, "health-block"), "unavailable")
  assert.equal(await page.locator('.item[data-part-state="chain"][data-ok="false"]').count(), 2)
  // What is still known stays on screen.
  assert.equal(await text(page, "health-chain"), "eip155:31337")
  assert.match(await text(page, "health-database"), /^sqlite/)

  // Now the database is down instead; "Refresh now" picks it up.
  report = {
    ...healthy,
    status: "degraded",
    database: { ok: false, kind: null, schemaVersion: null, error: "The database did not answer." },
  }
  await page.getByRole("button", { name: "Refresh now" }).click()
  await page.waitForFunction(() => /Database is down/.test(document.querySelector('[data-testid="health-error"]')?.textContent ?? ""))
  assert.doesNotMatch(await testId(page, "health-error").innerText(), /Chain/)
  assert.equal(await text(page, "health-database"), "unavailable")
  assert.match(await text(page, "health-block"), /^\d[\d,]*$/)
})

test("an unreachable server is shown as an error, and the panel recovers on its own", async () => {
  const page = await newPage()
  await page.clock.install()
  await page.route("**/health", (route) => route.abort("connectionrefused"))
  await page.goto(`${stack!.url}/`)
  await panelIn(page, "unreachable")

  assert.equal(await text(page, "health-status"), "Unreachable")
  assert.match(await testId(page, "health-error").innerText(), /Could not reach the server/)
  assert.equal(await text(page, "health-chain"), "—")

  await page.unroute("**/health")
  await page.clock.fastForward(6_000)
  await panelIn(page, "ok")
  assert.equal(await testId(page, "health-error").isVisible(), false)
  assert.equal(await text(page, "health-chain"), "eip155:31337")
})
