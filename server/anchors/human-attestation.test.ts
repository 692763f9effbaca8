// "Anchored by a verified human": a Semaphore proof with message = digest, by a member of a configured
// group, checked off chain and against the group's root on chain, carried by the receipt.
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { after, before, test } from "node:test"
import { Group, Identity, type SemaphoreProof } from "@semaphore-protocol/core"
import { bytesToHex, createWalletClient, http, parseEventLogs, type Hex } from "viem"
import { privateKeyToAccount } from "viem/accounts"
import { waitForReceipt } from "../../sdk/anchors/client.ts"
import { humanAttestationMessage } from "../../sdk/anchors/human.ts"
import { verifyReceipt } from "../../sdk/anchors/verify.ts"
import { createHumanmarkClient } from "../../sdk/client.ts"
import { semaphoreAbi } from "../../sdk/generated/abis.ts"
import { loadSemaphoreArtifacts } from "../../sdk/semaphore/artifacts.node.ts"
import { generateSemaphoreProof, releaseProverThreads } from "../../sdk/semaphore/proof.ts"
import { startTestStack, type TestStack } from "../../test/support/stack.ts"

/** anvil's second development account: group admin here, so the server's own nonces stay untouched. */
const GROUP_ADMIN_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"

let stack: TestStack
let groupId: bigint
const members = [new Identity("human-1"), new Identity("human-2")]
const group = new Group(members.map((member) => member.commitment))

before(async () => {
  stack = await startTestStack({ env: { ANCHOR_BATCH_INTERVAL_MS: "100", ANCHOR_HUMAN_GROUP_IDS: "0" } })
  const admin = createWalletClient({ chain: stack.clients.chain, transport: http(stack.rpcUrl), account: privateKeyToAccount(GROUP_ADMIN_KEY) })
  const write = async (functionName: "createGroup" | "addMembers", args: readonly unknown[]) => {
    const hash = await admin.writeContract({ address: stack.deployment.contracts.semaphore, abi: semaphoreAbi, functionName, args } as never)
    return stack.clients.publicClient.waitForTransactionReceipt({ hash })
  }
  const created = parseEventLogs({ abi: semaphoreAbi, logs: (await write("createGroup", [])).logs, eventName: "GroupCreated" })
  groupId = created[0]!.args.groupId
  assert.equal(groupId, 0n)
  await write("addMembers", [groupId, members.map((member) => member.commitment)])
})
after(async () => {
  await stack.cleanup()
  await releaseProverThreads()
})

const prove = (digest: Hex, message: bigint = humanAttestationMessage(digest)) =>
  generateSemaphoreProof({ identity: members[0]!, group, message, scope: BigInt(bytesToHex(randomBytes(16))), loadArtifacts: loadSemaphoreArtifacts })

const submit = async (body: object) => {
  const response = await fetch(`${stack.url}/v1/anchors`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } }
}

test("a member's proof for the digest is accepted, stored, and carried by the anchored receipt", async () => {
  const digest = bytesToHex(randomBytes(32))
  const proof = await prove(digest)
  const answer = await submit({ digest, humanProof: { groupId: "0", ...proof } })
  assert.equal(answer.status, 202, JSON.stringify(answer.body))
  const receipt = await waitForReceipt(createHumanmarkClient({ serverUrl: stack.url }), { digest, intervalMs: 50, timeoutMs: 30_000 })
  assert.equal(receipt.humanAttestation?.groupId, "0")
  assert.equal(receipt.humanAttestation?.message, humanAttestationMessage(digest).toString())
  const result = await verifyReceipt({ receipt, digest, publicClient: stack.clients.publicClient as never })
  assert.equal(result.valid, true)
  assert.equal(result.checks.humanAttestation.status, "passed")
})

test("proofs for another message, another group, a forged root or broken points are refused, and nothing is stored", async () => {
  const digest = bytesToHex(randomBytes(32))
  const proof: SemaphoreProof = await prove(digest)
  const otherMessage = await prove(digest, 42n)
  const cases: [object, string][] = [
    [{ groupId: "0", ...otherMessage }, "human_proof_wrong_message"],
    [{ groupId: "7", ...proof }, "human_group_not_accepted"],
    [{ groupId: "0", ...proof, points: [...proof.points].reverse() }, "invalid_human_proof"],
    [{ groupId: "0", ...proof, merkleTreeRoot: "123" }, "invalid_human_proof"],
  ]
  for (const [humanProof, code] of cases) {
    const answer = await submit({ digest, humanProof })
    assert.equal(answer.status, 400, JSON.stringify(answer.body))
    assert.equal(answer.body.error?.code, code)
  }
  // A valid proof, but for a group that exists only on the prover's machine: its root is not on chain.
  const outsider = new Identity("not-enrolled")
  const localGroup = new Group([outsider.commitment, members[1]!.commitment])
  const offChainOnly = await generateSemaphoreProof({
    identity: outsider,
    group: localGroup,
    message: humanAttestationMessage(digest),
    scope: 1n,
    loadArtifacts: loadSemaphoreArtifacts,
  })
  const rejected = await submit({ digest, humanProof: { groupId: "0", ...offChainOnly } })
  assert.equal(rejected.status, 400)
  assert.equal(rejected.body.error?.code, "human_proof_rejected")
  assert.match(rejected.body.error!.message, /never a root of group 0/)
  assert.equal(await stack.storage.anchors.getDigest(digest), undefined)
})
