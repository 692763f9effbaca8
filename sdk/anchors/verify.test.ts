// verifyReceipt against a real anvil: a root anchored through ContentAnchor, a receipt written by hand
// from the transaction receipt, and one tampering per test, each caught by the check that owns it.
import assert from "node:assert/strict"
import { after, before, test } from "node:test"
import { Group, Identity } from "@semaphore-protocol/core"
import type { Hex } from "viem"
import { contentAnchorAbi } from "../generated/abis.ts"
import { loadSemaphoreArtifacts } from "../semaphore/artifacts.node.ts"
import { generateSemaphoreProof, releaseProverThreads } from "../semaphore/proof.ts"
import { startTestChain, type TestChain } from "../../test/support/chain.ts"
import { digestOf } from "./digest.ts"
import { buildMerkleTree, merklePath } from "./merkle.ts"
import type { HumanAttestation } from "./receipt.ts"
import { verifyReceipt, type CheckStatus, type VerifyReceiptChecks } from "./verify.ts"

let chain: TestChain
const contents = Array.from({ length: 5 }, (_, i) => new TextEncoder().encode(`photo ${i}: these exact bytes`))
const index = 3
/** A receipt as JSON, written field by field from what the chain returned; loosely typed so tests can break it. */
let receipt: Record<string, any>
let attestation: HumanAttestation

before(async () => {
  chain = await startTestChain()
  const digests = contents.map((content) => digestOf(content))
  const tree = buildMerkleTree(digests.map((digest) => Buffer.from(digest.slice(2), "hex")))
  const hash = await chain.walletClient.writeContract({
    address: chain.deployment.contracts.contentAnchor,
    abi: contentAnchorAbi,
    functionName: "anchor",
    args: [tree.root],
  })
  const transaction = await chain.publicClient.waitForTransactionReceipt({ hash })
  const block = await chain.publicClient.getBlock({ blockHash: transaction.blockHash })
  receipt = {
    version: "humanmark-receipt/1",
    digest: digests[index],
    algorithm: "sha256",
    status: "anchored",
    merkle: { hashRule: "sha256-rfc6962", leafIndex: index, path: merklePath(tree, index), root: tree.root },
    anchor: {
      chain: `eip155:${chain.chain.id}`,
      contract: chain.deployment.contracts.contentAnchor,
      txHash: transaction.transactionHash,
      blockNumber: Number(transaction.blockNumber),
      blockHash: transaction.blockHash,
      logIndex: transaction.logs[0]!.logIndex,
      anchoredAt: new Date(Number(block.timestamp) * 1000).toISOString(),
    },
  }
  // Two more blocks on top, so that confirmations can be counted.
  await chain.publicClient.request({ method: "anvil_mine" as never, params: ["0x2"] as never })

  const members = [0, 1, 2].map((i) => new Identity(`receipt-attester-${i}`))
  const proof = await generateSemaphoreProof({
    identity: members[1]!,
    group: new Group(members.map((member) => member.commitment)),
    message: BigInt(digests[index]!),
    scope: 42n,
    loadArtifacts: loadSemaphoreArtifacts,
  })
  attestation = { groupId: "7", ...proof }
})
after(async () => {
  await releaseProverThreads()
  await chain.stop()
})

const statuses = (checks: VerifyReceiptChecks) =>
  Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, check.status])) as Record<keyof VerifyReceiptChecks, CheckStatus>
const failedChecks = (checks: VerifyReceiptChecks) =>
  Object.entries(checks)
    .filter(([, check]) => check.status === "failed")
    .map(([name]) => name)
    .sort()
const verify = (overrides: { receipt?: unknown; bytes?: Uint8Array; digest?: string; minConfirmations?: number } = {}) =>
  verifyReceipt({ receipt, bytes: contents[index], rpcUrl: chain.rpcUrl, ...overrides })
const withAnchor = (changes: Record<string, unknown>) => ({ ...receipt, anchor: { ...receipt.anchor, ...changes } })
const otherHash = (hash: Hex): Hex => `0x${hash.slice(2, 65)}${hash.endsWith("0") ? "1" : "0"}`

test("a receipt written from a real anchoring verifies, every check passing", async () => {
  const result = await verify()
  assert.equal(result.valid, true, JSON.stringify(result.checks, null, 2))
  assert.deepEqual(statuses(result.checks), {
    digest: "passed",
    merklePath: "passed",
    chain: "passed",
    transaction: "passed",
    log: "passed",
    block: "passed",
    confirmations: "passed",
    humanAttestation: "skipped",
  })
  assert.equal(result.anchoredAt, receipt.anchor.anchoredAt)
  assert.equal(result.chain, `eip155:${chain.chain.id}`)
  assert.equal(result.confirmations, 3)
  assert.equal(result.submitter, chain.walletClient.account.address)
  // With a ready client instead of a URL, and with the digest instead of the bytes.
  const withClient = await verifyReceipt({ receipt: JSON.stringify(receipt), digest: receipt.digest.toUpperCase().replace("0X", "0x"), publicClient: chain.publicClient })
  assert.equal(withClient.valid, true)
})

test("other content fails the digest check only", async () => {
  const result = await verify({ bytes: new TextEncoder().encode("a deepfake of photo 3") })
  assert.equal(result.valid, false)
  assert.deepEqual(failedChecks(result.checks), ["digest"])
})

test("a receipt whose digest was swapped fails the Merkle path", async () => {
  const swapped = { ...receipt, digest: digestOf(contents[0]!) }
  const result = await verify({ receipt: swapped, bytes: contents[0] })
  assert.deepEqual(failedChecks(result.checks), ["merklePath"])
})

test("a tampered path fails the Merkle path", async () => {
  const path = receipt.merkle.path.map((step: { side: string; hash: Hex }, i: number) => (i === 0 ? { ...step, hash: otherHash(step.hash) } : step))
  const result = await verify({ receipt: { ...receipt, merkle: { ...receipt.merkle, path } } })
  assert.deepEqual(failedChecks(result.checks), ["merklePath"])
})

test("a wrong root fails the path and the log", async () => {
  const result = await verify({ receipt: { ...receipt, merkle: { ...receipt.merkle, root: otherHash(receipt.merkle.root) } } })
  assert.deepEqual(failedChecks(result.checks), ["log", "merklePath"])
  assert.match(result.checks.log.reason, /not the receipt's root/)
})

test("a wrong contract fails the transaction and the log", async () => {
  const result = await verify({ receipt: withAnchor({ contract: chain.deployment.contracts.semaphore }) })
  assert.deepEqual(failedChecks(result.checks), ["log", "transaction"])
  assert.match(result.checks.transaction.reason, /not to the receipt's contract/)
})

test("a wrong chain id fails the chain check and asks nothing more", async () => {
  const result = await verify({ receipt: withAnchor({ chain: "eip155:10" }) })
  assert.deepEqual(failedChecks(result.checks), ["chain"])
  assert.equal(result.checks.transaction.status, "skipped")
})

test("a wrong block hash fails the transaction and the block", async () => {
  const result = await verify({ receipt: withAnchor({ blockHash: otherHash(receipt.anchor.blockHash) }) })
  assert.deepEqual(failedChecks(result.checks), ["block", "transaction"])
})

test("a wrong block time or number fails the block check", async () => {
  const later = new Date(Date.parse(receipt.anchor.anchoredAt) + 3_600_000).toISOString()
  assert.deepEqual(failedChecks((await verify({ receipt: withAnchor({ anchoredAt: later }) })).checks), ["block"])
  const renumbered = await verify({ receipt: withAnchor({ blockNumber: receipt.anchor.blockNumber + 1 }) })
  assert.deepEqual(failedChecks(renumbered.checks), ["block", "transaction"])
})

test("a wrong log index fails the log check", async () => {
  assert.deepEqual(failedChecks((await verify({ receipt: withAnchor({ logIndex: receipt.anchor.logIndex + 1 }) })).checks), ["log"])
})

test("a transaction that does not exist fails the transaction check", async () => {
  const result = await verify({ receipt: withAnchor({ txHash: otherHash(receipt.anchor.txHash) }) })
  assert.deepEqual(failedChecks(result.checks), ["transaction"])
  assert.equal(result.checks.log.status, "skipped")
  assert.match(result.checks.transaction.reason, /is not on eip155:/)
})

test("too few confirmations fail the confirmations check", async () => {
  const result = await verify({ minConfirmations: 10 })
  assert.deepEqual(failedChecks(result.checks), ["confirmations"])
  assert.match(result.checks.confirmations.reason, /3 confirmations; 10 are required/)
})

test("without an RPC endpoint the offline checks run and the receipt is not called valid", async () => {
  const result = await verifyReceipt({ receipt, bytes: contents[index] })
  assert.equal(result.valid, false)
  assert.equal(result.checks.digest.status, "passed")
  assert.equal(result.checks.merklePath.status, "passed")
  assert.equal(result.checks.transaction.status, "skipped")
})

test("a pending receipt checks its digest and is not valid yet", async () => {
  const pending = { version: receipt.version, digest: receipt.digest, algorithm: "sha256", status: "pending" }
  const result = await verify({ receipt: pending })
  assert.equal(result.valid, false)
  assert.equal(result.checks.digest.status, "passed")
  assert.match(result.checks.transaction.reason, /pending/)
})

test("a human attestation with the digest as message passes; one for other content fails", async () => {
  const attested = await verify({ receipt: { ...receipt, humanAttestation: attestation } })
  assert.equal(attested.valid, true, JSON.stringify(attested.checks, null, 2))
  assert.equal(attested.checks.humanAttestation.status, "passed")
  const otherMessage = await verify({ receipt: { ...receipt, humanAttestation: { ...attestation, message: "1" } } })
  assert.deepEqual(failedChecks(otherMessage.checks), ["humanAttestation"])
  const forgedNullifier = await verify({ receipt: { ...receipt, humanAttestation: { ...attestation, nullifier: "12345" } } })
  assert.deepEqual(failedChecks(forgedNullifier.checks), ["humanAttestation"])
})

test("bad input throws typed errors", async () => {
  await assert.rejects(verify({ receipt: { ...receipt, digest: "0x12" } }), { code: "invalid_receipt" })
  await assert.rejects(verify({ digest: "not a digest", bytes: undefined }), { code: "invalid_digest" })
  await assert.rejects(verifyReceipt({ receipt, bytes: contents[index], digest: receipt.digest }), { code: "invalid_parameters" })
  await assert.rejects(verify({ minConfirmations: 0 }), { code: "invalid_parameters" })
  await assert.rejects(verifyReceipt({ receipt, rpcUrl: "http://127.0.0.1:9" }), { code: "chain_unreachable" })
})

test("a receipt marked final passes only once its block is at or below the chain's finalized block", async () => {
  // Runs last: it mines blocks. Anvil reports finalized as a block well behind the head.
  const early = await verify({ receipt: { ...receipt, status: "final" } })
  assert.equal(early.finalized, false)
  assert.deepEqual(failedChecks(early.checks), ["confirmations"])
  assert.match(early.checks.confirmations.reason, /says final/)
  await chain.publicClient.request({ method: "anvil_mine" as never, params: ["0x100"] as never })
  const later = await verify({ receipt: { ...receipt, status: "final" } })
  assert.equal(later.finalized, true)
  assert.equal(later.valid, true, later.checks.confirmations.reason)
})
