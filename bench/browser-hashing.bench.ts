// Hashing speed of the /timestamp page in real Chromium (streamed SHA-256 with @noble/hashes, as a
// creator's browser runs it) beside `sha256sum` of the same file, both in this run.
import { execFile } from "node:child_process"
import { randomFillSync } from "node:crypto"
import { closeSync, openSync, writeSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { defaultSiteDir } from "../server/start.ts"
import { launchBrowser } from "../test/support/browser.ts"
import { startTestStack } from "../test/support/stack.ts"
import { timed, type Report } from "./report.ts"

export const name = "browser-hashing"
export const description = "SHA-256 of a 256 MiB file on the /timestamp page in headless Chromium"
export const baseline = "`sha256sum` (GNU coreutils) of the same file, same run"

const FILE_BYTES = 256 * 2 ** 20
const RUNS = 3

export async function run(report: Report): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "humanmark-bench-hash-"))
  const file = join(dir, "content.bin")
  writeRandomFile(file, FILE_BYTES)
  report.setting("fileBytes", FILE_BYTES)

  const stack = await startTestStack({ siteDir: defaultSiteDir })
  const browser = await launchBrowser()
  const megabytes = FILE_BYTES / 1e6
  try {
    const ours: number[] = []
    const base: number[] = []
    for (let i = 0; i < RUNS; i += 1) {
      const page = await browser.newPage()
      await page.goto(`${stack.url}/timestamp/`)
      await page.locator("[data-testid=timestamp-input]").setInputFiles(file)
      const row = page.locator("[data-testid=file-row][data-hash-ms]")
      await row.waitFor({ timeout: 120_000 })
      const hashMs = Number(await row.getAttribute("data-hash-ms"))
      ours.push(megabytes / (hashMs / 1000))
      await page.close()

      const { ms } = await timed(() => promisify(execFile)("sha256sum", [file]))
      base.push(megabytes / (ms / 1000))
      report.progress(`run ${i + 1}/${RUNS}: browser ${ours.at(-1)!.toFixed(0)} MB/s, sha256sum ${base.at(-1)!.toFixed(0)} MB/s`)
    }
    report.figure({
      operation: "hash 256 MiB file",
      unit: "MB/s",
      statistic: "median",
      ours,
      baseline: base,
      note: "ours: time the page itself measures from the first chunk read to the digest (data-hash-ms); sha256sum: whole process, file in page cache",
    })
  } finally {
    await browser.close()
    await stack.cleanup()
    await rm(dir, { recursive: true, force: true })
  }
}

function writeRandomFile(path: string, bytes: number): void {
  const chunk = Buffer.alloc(4 * 2 ** 20)
  const fd = openSync(path, "w")
  try {
    for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, randomFillSync(chunk))
  } finally {
    closeSync(fd)
  }
}
