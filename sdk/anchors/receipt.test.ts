import assert from "node:assert/strict"
import { test } from "node:test"
import { hexToBytes } from "viem"
import { isHumanmarkError } from "../errors.ts"
import { buildMerkleTree, merklePath } from "./merkle.ts"
import { createAnchoredReceipt, createPendingReceipt, parseReceipt, RECEIPT_VERSION, type Receipt } from "./receipt.ts"

const digest = `0x${"ab".repeat(32)}` as const
const other = `0x${"cd".repeat(32)}` as const
const tree = buildMerkleTree([hexToBytes(digest), hexToBytes(other)])

const anchored = () =>
  createAnchoredReceipt({
    digest,
    merkle: { path: merklePath(tree, 0), root: tree.root, leafIndex: 0 },
    anchor: {
      chainId: 31337,
      contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      txHash: `0x${"11".repeat(32)}`,
      blockNumber: 12n,
      blockHash: `0x${"22".repeat(32)}`,
      logIndex: 0,
      anchoredAt: 1_700_000_000n,
    },
  })

function invalidMessage(input: unknown): string {
  try {
    parseReceipt(input)
  } catch (error) {
    assert.ok(isHumanmarkError(error), "a HumanmarkError")
    assert.equal(error.code, "invalid_receipt")
    assert.equal(error.status, 400)
    return error.message
  }
  assert.fail("the receipt was accepted")
}

test("an anchored receipt round-trips through JSON", () => {
  const receipt = anchored()
  assert.equal(receipt.version, RECEIPT_VERSION)
  assert.equal(receipt.anchor.chain, "eip155:31337")
  assert.equal(receipt.anchor.contract, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
  assert.equal(receipt.anchor.anchoredAt, "2023-11-14T22:13:20.000Z")
  assert.equal(receipt.merkle.hashRule, "sha256-rfc6962")
  assert.deepEqual(parseReceipt(JSON.stringify(receipt)), receipt)
})

test("a pending receipt has no anchor", () => {
  const pending = createPendingReceipt({ digest, submittedAt: "2024-01-01T00:00:00Z" })
  assert.equal(pending.status, "pending")
  assert.equal("anchor" in pending, false)
  const { merkle, anchor } = anchored()
  assert.match(invalidMessage({ ...pending, anchor }), /anchor/)
  assert.equal(parseReceipt({ ...pending, merkle }).status, "pending")
})

test("each malformed field is named", () => {
  const receipt: Receipt = anchored()
  assert.match(invalidMessage({ ...receipt, version: "humanmark-receipt/9" }), /Unknown receipt version "humanmark-receipt\/9"/)
  assert.match(invalidMessage({ ...receipt, digest: "0x1234" }), /field digest/)
  assert.match(invalidMessage({ ...receipt, algorithm: "md5" }), /field algorithm/)
  assert.match(invalidMessage({ ...receipt, status: "done" }), /field status/)
  assert.match(invalidMessage({ ...receipt, anchor: undefined }), /field anchor/)
  assert.match(invalidMessage({ ...receipt, anchor: { ...receipt.anchor, chain: "ethereum" } }), /field anchor\.chain .*CAIP-2/)
  assert.match(invalidMessage({ ...receipt, anchor: { ...receipt.anchor, contract: "0x12" } }), /field anchor\.contract/)
  assert.match(invalidMessage({ ...receipt, anchor: { ...receipt.anchor, blockNumber: -1 } }), /field anchor\.blockNumber/)
  assert.match(invalidMessage({ ...receipt, anchor: { ...receipt.anchor, anchoredAt: "yesterday" } }), /field anchor\.anchoredAt/)
  const badStep = { ...receipt.merkle, path: [{ side: "up", hash: other }] }
  assert.match(invalidMessage({ ...receipt, merkle: badStep }), /field merkle\.path\[0\]\.side/)
  assert.match(invalidMessage({ ...receipt, merkle: { ...receipt.merkle, hashRule: "sha256-bitcoin" } }), /field merkle\.hashRule/)
  assert.match(invalidMessage("{not json"), /not valid JSON/)
  assert.match(invalidMessage(null), /Receipt field \(receipt\)|field status/)
})

test("a human attestation needs a full Semaphore proof shape", () => {
  const receipt = anchored()
  const attestation = {
    groupId: "0",
    merkleTreeDepth: 1,
    merkleTreeRoot: "1",
    nullifier: "2",
    message: BigInt(digest).toString(),
    scope: "3",
    points: Array(8).fill("4"),
  }
  assert.deepEqual(parseReceipt({ ...receipt, humanAttestation: attestation }).humanAttestation, attestation)
  assert.match(invalidMessage({ ...receipt, humanAttestation: { ...attestation, points: ["1"] } }), /field humanAttestation\.points/)
  assert.match(invalidMessage({ ...receipt, humanAttestation: { ...attestation, nullifier: "0x12" } }), /field humanAttestation\.nullifier/)
})
