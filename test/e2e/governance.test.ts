// Anonymous DAO votes in a real browser: a member enrolled on /enroll opens a GovernorPersonhood
// proposal on /governance/, votes For with a proof made in the page, and the page follows the vote
// until the governor counts it; a second vote by the same person is refused.
import assert from "node:assert/strict"
import { existsSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, test } from "node:test"
import type { Browser, BrowserContext } from "playwright-core"
import { encodeFunctionData, parseEventLogs, type Address } from "viem"
import { deployGovernorPersonhood } from "../../contracts/deploy.ts"
import { createHumanmarkClient } from "../../sdk/client.ts"
import { listGroups } from "../../sdk/enrollment/client.ts"
import { governorPersonhoodAbi } from "../../sdk/generated/abis.ts"
import { walletClientFor } from "../../server/chain/clients.ts"
import { defaultSiteDir } from "../../server/start.ts"
import { foreignRequests, launchBrowser, recordPageActivity } from "../support/browser.ts"
import { startTestStack, type TestStack } from "../support/stack.ts"

/** anvil's fourth development account: the DAO's deployer and proposer, apart from the server's accounts. */
const PROPOSER_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"
const env = { ENROLLMENT_BATCH_INTERVAL_MS: "100" }

let dataDir: string
let stack: TestStack
let browser: Browser
let context: BrowserContext
let governor: Address
let proposalId: bigint

before(async () => {
  if (!existsSync(join(defaultSiteDir, "governance", "index.html"))) throw new Error("The site is not built: run `npm run build:site` first.")
  browser = await launchBrowser()
  dataDir = await mkdtemp(join(tmpdir(), "humanmark-governance-e2e-"))
  stack = await startTestStack({ dataDir, keepData: true, siteDir: defaultSiteDir, env })
  // One browser profile for the whole file: the member's identity lives in its storage.
  context = await browser.newContext()
  const page = await context.newPage()
  page.setDefaultTimeout(30_000)
  await page.goto(`${stack.url}/enroll/`)
  await page.locator("[data-testid=identity-create]").click()
  await page.locator("[data-testid=enroll-person]").fill("Grace Hopper")
  await page.locator("[data-testid=enroll-button]").click()
  await page.locator("[data-testid=enroll-status]", { hasText: "In the group" }).waitFor()

  // Before any governor is configured, the page says so.
  await page.goto(`${stack.url}/governance/`)
  await page.locator("[data-testid=governance][data-state=unconfigured]").waitFor()
  assert.match(await page.locator("[data-testid=governor-missing]").innerText(), /relays no governor; set GOVERNOR_ADDRESS/)
  assert.equal(await page.locator("[data-testid=proposal-form]").isVisible(), false)
  await page.close()

  const { groups } = await listGroups(createHumanmarkClient({ serverUrl: stack.url }))
  const proposer = walletClientFor(stack.clients, PROPOSER_KEY)
  const deployed = await deployGovernorPersonhood({
    publicClient: stack.clients.publicClient,
    walletClient: proposer,
    contracts: stack.deployment.contracts,
    groupId: groups.find((group) => group.level === "person")!.groupId,
    name: "Humans DAO",
    votingDelay: 1,
    votingPeriod: 200,
    quorumFraction: { numerator: 1n, denominator: 2n },
    timelockMinDelay: 1n,
  })
  governor = deployed.governor
  // The proposal pins the group of one member: the governor changes its own quorum fraction.
  const hash = await proposer.writeContract({
    address: governor,
    abi: governorPersonhoodAbi,
    functionName: "propose",
    args: [[governor], [0n], [encodeFunctionData({ abi: governorPersonhoodAbi, functionName: "setQuorumFraction", args: [1n, 3n] })], "Lower the quorum to a third"],
  })
  const receipt = await stack.clients.publicClient.waitForTransactionReceipt({ hash })
  proposalId = parseEventLogs({ abi: governorPersonhoodAbi, logs: receipt.logs, eventName: "ProposalCreated" })[0]!.args.proposalId

  // The relayer learns its governor from the configuration, read at start. Same port, so the same
  // origin: the identity the browser keeps for it is still there.
  const port = new URL(stack.url).port
  await stack.cleanup()
  stack = await startTestStack({ dataDir, keepData: true, siteDir: defaultSiteDir, env: { ...env, PORT: port, GOVERNOR_ADDRESS: governor } })
  await stack.clients.publicClient.request({ method: "anvil_mine" as never, params: ["0x2"] as never })
})

after(async () => {
  await context?.close()
  await browser?.close()
  await stack?.cleanup()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

test("a member votes For on a proposal with a proof made in the browser; it is counted once, and a second vote is refused", async () => {
  const page = await context.newPage()
  page.setDefaultTimeout(60_000)
  const activity = recordPageActivity(page)
  await page.goto(`${stack.url}/`)
  await page.locator("nav a", { hasText: "Governance" }).click()
  await page.waitForURL("**/governance/")
  await page.locator("[data-testid=governance][data-state=ready]").waitFor()
  assert.equal(await page.locator("[data-testid=governor-address]").innerText(), governor)

  // The proposal is listed with its description; opening it from the list shows it.
  const row = page.locator("[data-testid=proposal-row]").first()
  await row.waitFor()
  assert.match(await row.innerText(), /^Lower the quorum to a third\n/)
  assert.match(await row.innerText(), new RegExp(`Proposal ${String(proposalId).slice(0, 12)}`))
  await row.locator("button").click()
  await page.locator("[data-testid=proposal][data-state=active]").waitFor()
  // Opening by id works too.
  await page.locator("[data-testid=proposal-input]").fill(String(proposalId))
  await page.locator("[data-testid=proposal-open]").click()
  await page.locator("[data-testid=proposal][data-state=active]").waitFor()
  assert.equal(await page.locator("[data-testid=proposal-state]").innerText(), "Active")
  assert.match(await page.locator("[data-testid=proposal-group]").innerText(), /^1 member can vote; the quorum is 1/)
  assert.match(await page.locator("[data-testid=proposal-window]").innerText(), /^After block \d+, up to and including block \d+$/)
  assert.equal(await page.locator("[data-testid=proposal-tally]").innerText(), "For 0 · Against 0 · Abstain 0")
  // The proving code is not part of the page until a vote starts.
  assert.deepEqual(activity.requests.filter((url) => url.includes("vote-steps") || url.includes("/artifacts/semaphore/")), [])

  await page.locator("[data-testid=support]", { hasText: "For" }).click()
  await page.locator("[data-testid=vote-button]").click()
  await page.locator("[data-testid=vote-status]", { hasText: "Counted on chain" }).waitFor()
  assert.equal(await page.locator('[data-testid=vote-steps] li[data-done="true"]').count(), 5)
  await page.locator('[data-testid=proposal-tally][data-for="1"]').waitFor()
  assert.equal(await page.locator("[data-testid=proposal-tally]").innerText(), "For 1 · Against 0 · Abstain 0")
  assert.match(page.url(), new RegExp(`\\?proposal=${proposalId}$`))

  const [against, forVotes, abstain] = await stack.clients.publicClient.readContract({ address: governor, abi: governorPersonhoodAbi, functionName: "proposalVotes", args: [proposalId] })
  assert.deepEqual([against, forVotes, abstain], [0n, 1n, 0n])

  // The proving key came from this server, nothing was fetched from elsewhere.
  const artifactRequests = activity.requests.filter((url) => url.includes("/artifacts/semaphore/"))
  assert.equal(artifactRequests.length, 2, artifactRequests.join("\n"))
  assert.deepEqual(foreignRequests(activity, stack.url), [])

  // One person, one vote: the same identity again (Against this time) is refused before reaching the chain.
  await page.locator("[data-testid=support]", { hasText: "Against" }).click()
  await page.locator("[data-testid=vote-button]").click()
  await page.locator("[data-testid=governance-error]", { hasText: "already voted" }).waitFor()
  const after = await stack.clients.publicClient.readContract({ address: governor, abi: governorPersonhoodAbi, functionName: "proposalVotes", args: [proposalId] })
  assert.deepEqual(after, [0n, 1n, 0n])
  assert.deepEqual(activity.errors.filter((error) => !error.includes("409")), [])
})

test("an unknown proposal says so, and ?proposal= opens one directly", async () => {
  const page = await context.newPage()
  await page.goto(`${stack.url}/governance/?proposal=12345`)
  await page.locator("[data-testid=governance-error]:not([hidden])").waitFor()
  assert.equal(await page.locator("[data-testid=proposal]").isVisible(), false)
  await page.goto(`${stack.url}/governance/?proposal=${proposalId}`)
  await page.locator('[data-testid=proposal-tally][data-for="1"]').waitFor()
})
