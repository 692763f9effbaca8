// A person enrolls in a real browser: the identity is made and kept in the page, the dev attester
// vouches, and the page follows the commitment into the on-chain group. Backups restore it elsewhere.
import assert from "node:assert/strict"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, test } from "node:test"
import type { Browser, Page } from "playwright-core"
import { defaultSiteDir } from "../../server/start.ts"
import { launchBrowser, recordPageActivity } from "../support/browser.ts"
import { startTestStack, type TestStack } from "../support/stack.ts"

let stack: TestStack
let browser: Browser
let dir: string

before(async () => {
  if (!existsSync(join(defaultSiteDir, "enroll", "index.html"))) throw new Error("The site is not built: run `npm run build:site` first.")
  dir = await mkdtemp(join(tmpdir(), "humanmark-e2e-enroll-"))
  browser = await launchBrowser()
  stack = await startTestStack({ siteDir: defaultSiteDir, env: { ENROLLMENT_BATCH_INTERVAL_MS: "200" } })
})

after(async () => {
  await browser?.close()
  await stack?.cleanup()
  await rm(dir, { recursive: true, force: true })
})

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true })
  const page = await context.newPage()
  page.setDefaultTimeout(30_000)
  await page.goto(`${stack.url}/enroll/`)
  return page
}

const text = async (page: Page, id: string) => ((await page.locator(`[data-testid=${id}]`).textContent()) ?? "").trim()

async function enrollAs(page: Page, person: string) {
  await page.locator("[data-testid=enroll-person]").fill(person)
  await page.locator("[data-testid=enroll-button]").click()
}

async function serverStatus(commitment: string): Promise<string> {
  return ((await (await fetch(`${stack.url}/v1/enrollments/${commitment}`)).json()) as { status: string }).status
}

test("create an identity, enroll through the dev attester, and see it join the on-chain group", async () => {
  const page = await newPage()
  const activity = recordPageActivity(page)
  assert.equal(await page.locator("[data-testid=dev-attester-warning]").isVisible(), true)
  assert.equal(await page.locator("[data-testid=enroll-button]").isDisabled(), true, "no identity yet")

  await page.locator("[data-testid=identity-create]").click()
  const commitment = await text(page, "identity-commitment")
  assert.match(commitment, /^\d{10,}$/)

  await enrollAs(page, "Grace Hopper")
  await page.locator("[data-testid=enroll-status]", { hasText: "In the group" }).waitFor()
  assert.match(await text(page, "enroll-tx"), /^0x[0-9a-f]{64}$/)
  assert.match(await text(page, "enroll-leaf"), /^\d+$/)
  assert.equal(await page.locator('[data-testid=enroll-steps] li[data-done="true"]').count(), 4)
  assert.equal(await serverStatus(commitment), "in_group")

  // The identity survives a reload (browser storage), and its status is shown again.
  await page.reload()
  assert.equal(await text(page, "identity-commitment"), commitment)
  await page.locator("[data-testid=enroll-status]", { hasText: "In the group" }).waitFor()

  // The backup restores the same identity in a fresh browser profile.
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("[data-testid=identity-export]").click()])
  const backupPath = join(dir, "identity.json")
  await download.saveAs(backupPath)
  const backup = JSON.parse(await readFile(backupPath, "utf8")) as { version: string; commitment: string; privateKey: string }
  assert.equal(backup.version, "humanmark-identity/1")
  assert.equal(backup.commitment, commitment)

  const elsewhere = await newPage()
  await elsewhere.locator("[data-testid=identity-import]").setInputFiles(backupPath)
  await elsewhere.locator("[data-testid=identity-commitment]", { hasText: commitment }).waitFor()
  await elsewhere.locator("[data-testid=enroll-status]", { hasText: "In the group" }).waitFor()
  assert.deepEqual(activity.errors, [])
})

test("the same person with a new identity is refused, then recovers by replacing the old one", async () => {
  const first = await newPage()
  await first.locator("[data-testid=identity-create]").click()
  const oldCommitment = await text(first, "identity-commitment")
  await enrollAs(first, "Katherine Johnson")
  await first.locator("[data-testid=enroll-status]", { hasText: "In the group" }).waitFor()

  const second = await newPage()
  await second.locator("[data-testid=identity-create]").click()
  const newCommitment = await text(second, "identity-commitment")
  await enrollAs(second, "katherine johnson")
  await second.locator("[data-testid=enroll-error]", { hasText: "already enrolled" }).waitFor()
  assert.equal(await second.locator("[data-testid=enroll-recover]").isVisible(), true)

  await second.locator("[data-testid=enroll-recover]").click()
  await second.locator("[data-testid=enroll-status]", { hasText: "In the group" }).waitFor()
  assert.equal(await serverStatus(newCommitment), "in_group")
  assert.equal(await serverStatus(oldCommitment), "replaced")
})

test("a file that is not an identity backup is refused with a reason, and nothing changes", async () => {
  const page = await newPage()
  const garbled = join(dir, "garbled.json")
  await writeFile(garbled, JSON.stringify({ version: "humanmark-identity/1", privateKey: "%%%", commitment: "1", createdAt: "yesterday" }))
  await page.locator("[data-testid=identity-import]").setInputFiles(garbled)
  await page.locator("[data-testid=enroll-error]", { hasText: "not a humanmark identity backup" }).waitFor()
  assert.equal(await text(page, "identity-commitment"), "")
})
