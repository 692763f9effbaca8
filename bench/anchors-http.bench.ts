// Content anchoring through the running server: digests accepted per second over HTTP (requests of
// 10,000), time from submit to an anchored receipt, and gas per digest at several batch sizes.
// Baselines, same run: the durable SQLite write alone (no HTTP, no validation), and a bare
// `anchor(root)` transaction (the chain's own floor under our latency).
import { randomBytes } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bytesToHex, type Hex } from "viem"
import { contentAnchorAbi } from "../sdk/generated/abis.ts"
import { openSqliteStorage } from "../server/storage/sqlite.ts"
import { startTestStack, type TestStack } from "../test/support/stack.ts"
import { timed, type Report } from "./report.ts"

export const name = "anchors-http"
export const description = "Content anchors through the server: HTTP intake, submit-to-anchored latency, gas per digest"
export const baseline = "intake: AnchorStore.addDigests on SQLite directly; latency: a bare anchor(root) tx sent and mined on the same anvil"

const REQUEST_DIGESTS = 10_000
const REQUESTS = 5
const LATENCY_RUNS = 5
const BATCH_SIZES = [1, 100, 10_000]

const randomDigests = (count: number): Hex[] => Array.from({ length: count }, () => bytesToHex(randomBytes(32)))

async function post(stack: TestStack, body: unknown): Promise<{ receipts: { status: string; anchor?: { txHash: Hex } }[] }> {
  const response = await fetch(`${stack.url}/v1/anchors`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  if (response.status !== 202) throw new Error(`POST /v1/anchors answered ${response.status}: ${await response.text()}`)
  return (await response.json()) as { receipts: { status: string; anchor?: { txHash: Hex } }[] }
}

async function waitAnchored(stack: TestStack, digest: Hex): Promise<{ txHash: Hex }> {
  for (;;) {
    const receipt = (await (await fetch(`${stack.url}/v1/anchors/${digest}`)).json()) as { status: string; anchor?: { txHash: Hex } }
    if (receipt.anchor) return receipt.anchor
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function intake(report: Report): Promise<void> {
  // A long batch interval keeps the worker out of the timed window: this measures acceptance only.
  const stack = await startTestStack({ env: { ANCHOR_BATCH_INTERVAL_MS: "3600000", ANCHOR_BATCH_MAX: "1000000" } })
  const dir = await mkdtemp(join(tmpdir(), "humanmark-bench-intake-"))
  const storage = openSqliteStorage({ path: join(dir, "baseline.sqlite") })
  try {
    const ours: number[] = []
    const base: number[] = []
    for (let i = 0; i < REQUESTS; i += 1) {
      const digests = randomDigests(REQUEST_DIGESTS)
      const { ms } = await timed(() => post(stack, { digests }))
      ours.push(REQUEST_DIGESTS / (ms / 1000))
      const other = randomDigests(REQUEST_DIGESTS).map((digest) => ({ digest }))
      const direct = await timed(() => storage.anchors.addDigests(other, new Date().toISOString()))
      base.push(REQUEST_DIGESTS / (direct.ms / 1000))
      report.progress(`intake ${i + 1}/${REQUESTS}: ${ours.at(-1)!.toFixed(0)} digests/s over HTTP, ${base.at(-1)!.toFixed(0)} direct`)
    }
    report.figure({
      operation: `digests accepted, requests of ${REQUEST_DIGESTS.toLocaleString("en-US")}`,
      unit: "digests/s",
      statistic: "median",
      ours,
      baseline: base,
      note: "ours: POST /v1/anchors until the 202 (JSON parse, validation, durable write, receipts); baseline: the same durable write called directly",
    })
  } finally {
    await storage.close()
    await stack.cleanup()
    await rm(dir, { recursive: true, force: true })
  }
}

async function latencyAndGas(report: Report): Promise<void> {
  const stack = await startTestStack({ env: { ANCHOR_BATCH_INTERVAL_MS: "2000" } })
  try {
    const wallet = stack.clients.walletClient!
    const ours: number[] = []
    const base: number[] = []
    for (let i = 0; i < LATENCY_RUNS; i += 1) {
      const [digest] = randomDigests(1)
      const { ms } = await timed(async () => {
        await post(stack, { digest })
        await waitAnchored(stack, digest!)
      })
      ours.push(ms)
      const bare = await timed(async () => {
        const hash = await wallet.writeContract({ address: stack.deployment.contracts.contentAnchor, abi: contentAnchorAbi, functionName: "anchor", args: [randomDigests(1)[0]!] })
        await stack.clients.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 10 })
      })
      base.push(bare.ms)
      report.progress(`latency ${i + 1}/${LATENCY_RUNS}: ${ours.at(-1)!.toFixed(0)} ms submit-to-anchored, bare tx ${base.at(-1)!.toFixed(0)} ms`)
    }
    report.figure({
      operation: "submit to anchored receipt (default 2 s batching)",
      unit: "ms",
      statistic: "median",
      ours,
      baseline: base,
      note: "ours: POST one digest, poll GET /v1/anchors/:digest every 10 ms until it carries an anchor; the batch interval dominates and is configurable (ANCHOR_BATCH_INTERVAL_MS)",
    })

    for (const size of BATCH_SIZES) {
      const digests = randomDigests(size)
      await post(stack, { digests })
      const anchor = await waitAnchored(stack, digests[0]!)
      const receipt = await stack.clients.publicClient.getTransactionReceipt({ hash: anchor.txHash })
      report.context({
        operation: `gas per digest, batch of ${size.toLocaleString("en-US")}`,
        unit: "gas",
        statistic: "single",
        samples: [Number(receipt.gasUsed) / size],
        note: size === BATCH_SIZES[0] ? "the whole batch's anchor(root) gasUsed divided by its digests; a batch costs the same whatever its size" : undefined,
      })
    }
  } finally {
    await stack.cleanup()
  }
}

export async function run(report: Report): Promise<void> {
  report.setting("requestDigests", REQUEST_DIGESTS)
  await intake(report)
  await latencyAndGas(report)
}
