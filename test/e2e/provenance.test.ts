// The creator's path in a real browser against the real stack: timestamp files on /timestamp (hashed
// in the page, never uploaded), download the receipt, then check file + receipt on /verify.
import assert from "node:assert/strict"
import { createHash, randomBytes } from "node:crypto"
import { existsSync } from "node:fs"
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, test } from "node:test"
import type { Browser, Page } from "playwright-core"
import { verifyReceipt } from "../../sdk/anchors/verify.ts"
import { readC2pa } from "../../sdk/c2pa/read.ts"
import { defaultSiteDir } from "../../server/start.ts"
import { foreignRequests, launchBrowser, recordPageActivity } from "../support/browser.ts"
import { createTestCredentials } from "../support/c2pa/certificates.ts"
import { createTestPng } from "../support/c2pa/images.ts"
import { signTestAsset } from "../support/c2pa/sign.ts"
import { startTestStack, type TestStack } from "../support/stack.ts"

let stack: TestStack
let browser: Browser
let dir: string
const photo = randomBytes(3 * 2 ** 20 + 5)
const note = Buffer.from(`a note written at ${new Date().toISOString()}\n`)
const sha256 = (bytes: Uint8Array) => `0x${createHash("sha256").update(bytes).digest("hex")}`

before(async () => {
  if (!existsSync(join(defaultSiteDir, "timestamp", "index.html"))) throw new Error("The site is not built: run `npm run build:site` first.")
  dir = await mkdtemp(join(tmpdir(), "humanmark-e2e-provenance-"))
  await writeFile(join(dir, "photo.raw"), photo)
  await writeFile(join(dir, "note.txt"), note)
  await writeFile(join(dir, "unanchored.txt"), "nobody anchored me\n")
  await writeFile(join(dir, "not-json.receipt.json"), "{ this is not json")
  browser = await launchBrowser()
  stack = await startTestStack({ siteDir: defaultSiteDir, env: { ANCHOR_BATCH_INTERVAL_MS: "200" } })
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
  return page
}

const row = (page: Page, name: string) => page.locator("[data-testid=file-row]", { has: page.locator(".file-name", { hasText: name }) })

test("timestamp: files are hashed in the page, anchored, and their receipts verify against the chain", async () => {
  const page = await newPage()
  const activity = recordPageActivity(page)
  const posted: string[] = []
  page.on("request", (request) => {
    if (request.method() === "POST") posted.push(request.postData() ?? "")
  })
  await page.goto(`${stack.url}/timestamp/`)
  await page.locator("[data-testid=timestamp-input]").setInputFiles([join(dir, "photo.raw"), join(dir, "note.txt")])

  for (const [name, bytes] of [["photo.raw", photo], ["note.txt", note]] as const) {
    const fileRow = row(page, name)
    await fileRow.locator("[data-testid=file-digest]", { hasText: sha256(bytes) }).waitFor()
    await page.waitForFunction((element) => ["anchored", "final"].includes(element?.getAttribute("data-state") ?? ""), await fileRow.elementHandle())
    assert.match(await fileRow.locator("[data-testid=file-detail]").innerText(), /Block \d[\d,]* on eip155:31337/)

    const [download] = await Promise.all([page.waitForEvent("download"), fileRow.locator("[data-testid=download-receipt]").click()])
    assert.equal(download.suggestedFilename(), `${name}.receipt.json`)
    const receiptPath = join(dir, `${name}.receipt.json`)
    await download.saveAs(receiptPath)
    const receipt = JSON.parse(await readFile(receiptPath, "utf8")) as { version: string; digest: string; status: string }
    assert.equal(receipt.version, "humanmark-receipt/1")
    assert.equal(receipt.digest, sha256(bytes))

    // A third party with only the bytes, the receipt and an RPC endpoint.
    const result = await verifyReceipt({ receipt, bytes, rpcUrl: stack.rpcUrl })
    assert.equal(result.valid, true, JSON.stringify(result.checks))
  }

  // Only digests left the page: one POST of two digests, none of the file's bytes.
  assert.equal(posted.length, 1)
  assert.deepEqual(JSON.parse(posted[0]!), { digests: [sha256(photo), sha256(note)] })
  assert.deepEqual(foreignRequests(activity, stack.url), [])
  assert.deepEqual(activity.errors, [])

  // Rows with long digests still fit a small phone.
  await page.setViewportSize({ width: 360, height: 740 })
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "the page scrolls sideways at 360 px")
})

async function verifyOnPage(page: Page, file: string, receipt?: string) {
  await page.goto(`${stack.url}/verify/`)
  await page.locator("[data-testid=verify-file]").setInputFiles(join(dir, file))
  if (receipt) await page.locator("[data-testid=verify-receipt]").setInputFiles(join(dir, receipt))
  await page.locator("[data-testid=verify-button]").click()
  const result = page.locator("[data-testid=verify-result]:not([hidden])")
  await result.waitFor()
  await page.waitForFunction(() => document.querySelector("[data-testid=verify-button]")?.hasAttribute("disabled") === false)
  return result
}

test("verify: a file with its receipt, and a file alone (looked up by digest), are shown as valid with time and chain", async () => {
  const page = await newPage()
  const activity = recordPageActivity(page)
  for (const receipt of ["note.txt.receipt.json", undefined]) {
    const result = await verifyOnPage(page, "note.txt", receipt)
    assert.equal(await result.getAttribute("data-state"), "valid", await result.innerText())
    assert.match(await result.locator("[data-testid=verify-text]").innerText(), /anchored on eip155:31337/)
    assert.equal(await result.locator("[data-testid=fact-chain]").innerText(), "eip155:31337")
    assert.match(await result.locator("[data-testid=fact-transaction]").innerText(), /^0x[0-9a-f]{64}$/)
    assert.equal(await result.locator("[data-testid=fact-human]").innerText(), "None")
    assert.equal(await result.locator('[data-testid=verify-checks] li[data-outcome="failed"]').count(), 0)
    assert.ok((await result.locator('[data-testid=verify-checks] li[data-outcome="passed"]').count()) >= 6)
  }
  assert.deepEqual(activity.errors, [])
})

test("verify: the wrong file for a receipt, an unknown file, and a broken receipt are each explained", async () => {
  const page = await newPage()

  const wrongFile = await verifyOnPage(page, "unanchored.txt", "note.txt.receipt.json")
  assert.equal(await wrongFile.getAttribute("data-state"), "invalid")
  assert.equal(await wrongFile.locator('[data-testid=verify-checks] li[data-check="digest"]').getAttribute("data-outcome"), "failed")

  const unknown = await verifyOnPage(page, "unanchored.txt")
  assert.equal(await unknown.getAttribute("data-state"), "not-found")
  assert.match(await unknown.innerText(), /No anchor found for this file/)

  const broken = await verifyOnPage(page, "note.txt", "not-json.receipt.json")
  assert.equal(await broken.getAttribute("data-state"), "error")
  assert.match(await broken.innerText(), /not JSON/)

  // Valid JSON that is not a receipt: the server's typed error is shown.
  await writeFile(join(dir, "bad.receipt.json"), JSON.stringify({ version: "humanmark-receipt/1", digest: "0x12" }))
  const invalid = await verifyOnPage(page, "note.txt", "bad.receipt.json")
  assert.equal(await invalid.getAttribute("data-state"), "error")
  assert.match(await invalid.innerText(), /Receipt field/)
})

test("verify: the C2PA summary kept with an anchor is shown beside the time and chain", async () => {
  const credentials = createTestCredentials()
  const png = await signTestAsset({ credentials, bytes: createTestPng(), mimeType: "image/png", title: "credentialed.png" })
  await writeFile(join(dir, "credentialed.png"), png)
  const c2pa = await readC2pa({ bytes: png, trustAnchorsPem: credentials.certificateAuthority.pem })
  const digest = sha256(png)
  const submitted = await fetch(`${stack.url}/v1/anchors`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ digest, c2pa }),
  })
  assert.equal(submitted.status, 202)
  for (let attempt = 0; ; attempt += 1) {
    const receipt = (await (await fetch(`${stack.url}/v1/anchors/${digest}`)).json()) as { status: string }
    if (receipt.status !== "pending") break
    assert.ok(attempt < 100, "the digest was not anchored")
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  const page = await newPage()
  const result = await verifyOnPage(page, "credentialed.png")
  assert.equal(await result.getAttribute("data-state"), "valid")
  assert.match(await result.locator("[data-testid=fact-c2pa]").innerText(), /^Trusted · signed by .+ · humanmark-test\/0\.1\.0$/)
})
