// ContentAnchor as deployed by deployHumanmark: it records roots in events, refuses the zero root and
// ether, costs what the design says, and a deployment recorded before it existed counts as not live.
import assert from "node:assert/strict"
import { after, before, test } from "node:test"
import { encodeFunctionData, parseEventLogs, type Address, type Hex } from "viem"
import { compileFixture } from "../compile.ts"
import { isDeploymentLive } from "../deploy.ts"
import { contentAnchorAbi } from "../../sdk/generated/abis.ts"
import { revertErrorName, startTestChain, type TestChain } from "../../test/support/chain.ts"

let chain: TestChain
/** The gas baseline: the same contract that also writes each root's time to storage. */
let mappingVariantAddress: Address

before(async () => {
  chain = await startTestChain()
  const [compiled] = compileFixture("contracts/test/fixtures/ContentAnchorWithMapping.sol")
  assert.ok(compiled)
  // Neither contract has a constructor, and their anchor() and Anchored share one ABI.
  const hash = await chain.walletClient.deployContract({ abi: contentAnchorAbi, bytecode: compiled.bytecode })
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash })
  mappingVariantAddress = receipt.contractAddress!
})
after(async () => {
  await chain.stop()
})

const rootOf = (seed: number): Hex => `0x${seed.toString(16).padStart(2, "0").repeat(32)}`

async function anchor(address: Address, root: Hex) {
  const hash = await chain.walletClient.writeContract({ address, abi: contentAnchorAbi, functionName: "anchor", args: [root] })
  return chain.publicClient.waitForTransactionReceipt({ hash })
}

test("anchor emits Anchored with the root and the sender", async () => {
  const root = rootOf(0xa1)
  const receipt = await anchor(chain.deployment.contracts.contentAnchor, root)
  assert.equal(receipt.status, "success")
  const events = parseEventLogs({ abi: contentAnchorAbi, logs: receipt.logs, eventName: "Anchored" })
  assert.equal(events.length, 1)
  assert.equal(events[0]!.args.root, root)
  assert.equal(events[0]!.args.submitter, chain.walletClient.account.address)
  assert.equal(events[0]!.address.toLowerCase(), chain.deployment.contracts.contentAnchor.toLowerCase())
})

test("the same root may be anchored again (a reorg re-anchors it)", async () => {
  const root = rootOf(0xa2)
  assert.equal((await anchor(chain.deployment.contracts.contentAnchor, root)).status, "success")
  assert.equal((await anchor(chain.deployment.contracts.contentAnchor, root)).status, "success")
})

test("the zero root is refused with a custom error", async () => {
  const call = chain.publicClient.simulateContract({
    address: chain.deployment.contracts.contentAnchor,
    abi: contentAnchorAbi,
    functionName: "anchor",
    args: [rootOf(0)],
    account: chain.walletClient.account,
  })
  assert.equal(await revertErrorName(call), "ContentAnchorZeroRoot")
})

test("ether sent along is refused", async () => {
  await assert.rejects(
    chain.publicClient.call({
      account: chain.walletClient.account,
      to: chain.deployment.contracts.contentAnchor,
      data: encodeFunctionData({ abi: contentAnchorAbi, functionName: "anchor", args: [rootOf(0xa3)] }),
      value: 1n,
    }),
  )
})

test("gas: event-only is about half of the mapping + event variant", async (t) => {
  const eventOnly = (await anchor(chain.deployment.contracts.contentAnchor, rootOf(0xb1))).gasUsed
  const withMapping = (await anchor(mappingVariantAddress, rootOf(0xb1))).gasUsed
  t.diagnostic(`anchor(bytes32) gasUsed: event-only ${eventOnly}, mapping + event ${withMapping}`)
  // The design's figures (Prague rules): 23,592 and 45,771. Bounds, not exact values, so a fork or
  // compiler change shows up as a diagnostic rather than a failure unless it is large.
  assert.ok(eventOnly > 21_000n && eventOnly < 25_000n, `event-only ${eventOnly}`)
  assert.ok(withMapping > eventOnly + 20_000n, `mapping ${withMapping}`)
})

test("a deployment is live only when every expected contract is recorded and has code", async () => {
  const { contracts } = chain.deployment
  assert.equal(await isDeploymentLive(chain.publicClient, contracts), true)
  // Recorded before ContentAnchor existed: redeploy.
  const { contentAnchor: _dropped, ...older } = contracts
  assert.equal(await isDeploymentLive(chain.publicClient, older), false)
  // An address without code (a reset chain).
  assert.equal(await isDeploymentLive(chain.publicClient, { ...contracts, contentAnchor: "0x000000000000000000000000000000000000dEaD" }), false)
})
