// One person, one vote in a real browser: a member enrolled on /enroll votes on /polls/<id>/ with a
// Semaphore proof generated in the page (official artifacts downloaded from the server and checked),
// the server relays it, and the page follows it until it is counted on chain.
import assert from "node:assert/strict"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { after, before, test } from "node:test"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { defaultSiteDir } from "../../server/start.ts"
import { foreignRequests, launchBrowser, recordPageActivity } from "../support/browser.ts"
import { startTestStack, type TestStack } from "../support/stack.ts"

let stack: TestStack
let browser: Browser
let context: BrowserContext

before(async () => {
  if (!existsSync(join(defaultSiteDir, "polls", "poll", "index.html"))) throw new Error("The site is not built: run `npm run build:site` first.")
  browser = await launchBrowser()
  stack = await startTestStack({ siteDir: defaultSiteDir, env: { ENROLLMENT_BATCH_INTERVAL_MS: "100" } })
  // One browser profile for the whole file: the member's identity lives in its storage.
  context = await browser.newContext()
  const page = await context.newPage()
  page.setDefaultTimeout(30_000)
  await page.goto(`${stack.url}/enroll/`)
  await page.locator("[data-testid=identity-create]").click()
  await page.locator("[data-testid=enroll-person]").fill("Ada Lovelace")
  await page.locator("[data-testid=enroll-button]").click()
  await page.locator("[data-testid=enroll-status]", { hasText: "In the group" }).waitFor()
  await page.close()
})

after(async () => {
  await context?.close()
  await browser?.close()
  await stack?.cleanup()
})

async function createPoll(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${stack.url}/v1/polls`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ durationSeconds: 3600, ...body }) })
  const text = await response.text()
  assert.equal(response.status, 201, text)
  return (JSON.parse(text) as { poll: { id: string } }).poll.id
}

async function openPoll(id: string): Promise<Page> {
  const page = await context.newPage()
  page.setDefaultTimeout(60_000)
  await page.goto(`${stack.url}/polls/`)
  await page.locator(`[data-testid=poll-row] a[href="/polls/${id}/"]`).click()
  await page.waitForURL(`**/polls/${id}/`)
  await page.locator("[data-testid=poll][data-state=open]").waitFor()
  return page
}

test("a member votes with a proof made in the browser; it is counted once, and a second vote is refused", async () => {
  const id = await createPoll({ title: "Which palette for the exhibition?", kind: "single", options: ["Ochre", "Indigo", "Viridian"] })
  const page = await openPoll(id)
  const activity = recordPageActivity(page)
  assert.equal(await page.locator("[data-testid=poll-title]").innerText(), "Which palette for the exhibition?")
  assert.equal(await page.locator("[data-testid=choice]").count(), 3)

  await page.locator("[data-testid=choice]", { hasText: "Indigo" }).click()
  await page.locator("[data-testid=vote-button]").click()
  await page.locator("[data-testid=vote-status]", { hasText: "Counted on chain" }).waitFor()
  assert.equal(await page.locator('[data-testid=vote-steps] li[data-done="true"]').count(), 5)
  await page.locator('[data-testid=result][data-index="1"][data-votes="1"]').waitFor()
  assert.match(await page.locator("[data-testid=results-summary]").innerText(), /^1 ballot counted on chain/)

  // The proving key came from this server, nothing else was fetched from elsewhere.
  const artifactRequests = activity.requests.filter((url) => url.includes("/artifacts/semaphore/"))
  assert.equal(artifactRequests.length, 2, artifactRequests.join("\n"))
  assert.deepEqual(foreignRequests(activity, stack.url), [])

  // One person, one vote: the same identity again is refused before anything is sent on chain.
  await page.locator("[data-testid=choice]", { hasText: "Ochre" }).click()
  await page.locator("[data-testid=vote-button]").click()
  await page.locator("[data-testid=poll-error]", { hasText: "already voted" }).waitFor()
  const results = (await (await fetch(`${stack.url}/v1/polls/${id}/results`)).json()) as { results: { ballotCount: number } }
  assert.equal(results.results.ballotCount, 1)
})

test("a pairwise art poll: judge a pair in the browser, and the ranking follows", async () => {
  const candidates = ["Dawn", "Tide", "Ember", "Moss"].map((title, index) => ({ contentHash: `0x${String(index + 1).padStart(64, "0")}`, uri: `ipfs://example/${index}`, title }))
  const id = await createPoll({ title: "Best of the week", kind: "pairwise", candidates })
  const page = await openPoll(id)
  await page.locator("[data-testid=pair]:not([hidden])").waitFor()
  const winnerTitle = await page.locator("[data-testid=pair-first] strong").innerText()
  await page.locator("[data-testid=pair-first]").click()
  await page.locator("[data-testid=vote-button]").click()
  await page.locator("[data-testid=vote-status]", { hasText: /Counted on chain|every pair/ }).waitFor()
  await page.locator("[data-testid=result]").first().waitFor()
  assert.match(await page.locator("[data-testid=results-summary]").innerText(), /^1 judgement\./)
  assert.match(await page.locator("[data-testid=result]").first().innerText(), new RegExp(`^${winnerTitle}: score`))
})

test("an approval art poll shows the works as a gallery; approving two counts both", async () => {
  const swatch = (color: string) => `data:image/svg+xml;base64,${Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8" fill="${color}"/></svg>`).toString("base64")}`
  const candidates = ["crimson", "teal", "gold"].map((color, index) => ({ contentHash: `0x${String(index + 11).padStart(64, "0")}`, uri: swatch(color), title: `Study in ${color}` }))
  const id = await createPoll({ title: "Approve the works for the show", kind: "approval", candidates })
  const page = await openPoll(id)
  assert.equal(await page.locator("[data-testid=choice] img").count(), 3)
  assert.equal(await page.locator("[data-testid=choice] img").first().getAttribute("alt"), "Study in crimson")
  await page.locator("[data-testid=choice]", { hasText: "Study in crimson" }).click()
  await page.locator("[data-testid=choice]", { hasText: "Study in gold" }).click()
  await page.locator("[data-testid=vote-button]").click()
  await page.locator("[data-testid=vote-status]", { hasText: "Counted on chain" }).waitFor()
  await page.locator('[data-testid=result][data-index="0"][data-votes="1"]').waitFor()
  await page.locator('[data-testid=result][data-index="2"][data-votes="1"]').waitFor()
  assert.equal(await page.locator('[data-testid=result][data-index="1"]').getAttribute("data-votes"), "0")
})

test("an unknown poll says so", async () => {
  const page = await context.newPage()
  await page.goto(`${stack.url}/polls/999999/`)
  await page.locator("[data-testid=poll][data-state=error]").waitFor()
  assert.equal(await page.locator("[data-testid=poll-title]").innerText(), "Poll not found")
})
