// The enrollment HTTP API on its own, against a real anvil: the whole flow through the dev attester,
// and typed 4xx answers (with nothing stored) for bad input.
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { Identity } from "@semaphore-protocol/core"
import Database from "better-sqlite3"
import { Hono } from "hono"
import { semaphoreAbi } from "../../sdk/generated/abis.ts"
import { startTestChain, type TestChain } from "../../test/support/chain.ts"
import { onError, type ErrorBody } from "../http/errors.ts"
import { createDeviceStatementVerifier } from "./attestation/device-statement.ts"
import { createAttestationRegistry } from "./attestation/registry.ts"
import { loadOrCreateDevAttester } from "./dev-attester.ts"
import { startGroupWorker, type GroupWorker } from "./group-worker.ts"
import { readMerkleProof } from "./membership.ts"
import { enrollmentRoutes } from "./routes.ts"
import { createEnrollmentService } from "./service.ts"
import { openEnrollmentStore, type EnrollmentStore } from "./store.ts"

const ADMIN_TOKEN = "test-admin-token-0123456789"
const dataDir = mkdtempSync(join(tmpdir(), "humanmark-enrollment-routes-"))
let chain: TestChain
let db: Database.Database
let store: EnrollmentStore
let worker: GroupWorker
let app: Hono

before(async () => {
  chain = await startTestChain()
  const devAttester = await loadOrCreateDevAttester({ dataDir })
  db = new Database(join(dataDir, "humanmark.sqlite"))
  store = openEnrollmentStore(db)
  const registry = createAttestationRegistry([createDeviceStatementVerifier({ trustedRoots: [devAttester.rootPem] })])
  const service = createEnrollmentService({ store, registry, serverSecret: new Uint8Array(32).fill(1), onQueued: () => worker.wake() })
  worker = startGroupWorker({
    store,
    publicClient: chain.publicClient,
    walletClient: chain.walletClient,
    semaphore: chain.deployment.contracts.semaphore,
    intervalMs: 100,
  })
  const routes = enrollmentRoutes({
    service,
    store,
    publicClient: chain.publicClient,
    semaphore: chain.deployment.contracts.semaphore,
    adminToken: ADMIN_TOKEN,
    devAttester,
    maxBodyBytes: 16 * 1024,
  })
  app = new Hono().onError(onError).route("/v1/enrollments", routes)
})

after(async () => {
  await worker.stop()
  db.close()
  await chain.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(`/v1/enrollments${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "Content-Type": "application/json", ...headers },
  })

async function json<T = Record<string, unknown>>(response: Response, status: number): Promise<T> {
  const text = await response.text()
  assert.equal(response.status, status, text)
  return JSON.parse(text) as T
}

async function expectError(response: Response, status: number, code: string) {
  const body = await json<ErrorBody>(response, status)
  assert.equal(body.error.code, code)
  assert.ok(body.error.message.length > 0)
}

async function challengeAndAttest(identity: Identity, person: string) {
  const commitment = identity.commitment.toString()
  const { nonce } = await json<{ nonce: string; expiresAt: string }>(await post("/challenge", { commitment }), 200)
  const { format, attestation } = await json<{ format: string; attestation: string }>(await post("/dev-attestation", { commitment, nonce, person }), 200)
  return { format, attestation, commitment, nonce }
}

async function waitInGroup(commitment: string) {
  await worker.whenIdle()
  return json<Record<string, unknown>>(await app.request(`/v1/enrollments/${commitment}`), 200)
}

describe("/v1/enrollments", () => {
  it("challenge -> dev attestation -> enroll -> in group with leaf index and root; proof matches the chain", async () => {
    const identity = new Identity("routes-alice")
    const request = await challengeAndAttest(identity, "Alice")
    const accepted = await json(await post("", request), 202)
    assert.equal(accepted.status, "pending")
    assert.equal(accepted.level, "person")

    const status = await waitInGroup(request.commitment)
    assert.equal(status.status, "in_group")
    assert.equal(status.leafIndex, 0)
    assert.match(String(status.txHash), /^0x[0-9a-f]{64}$/)

    const groups = await json<{ groups: { level: string; groupId: string; size: number; root: string }[] }>(
      await app.request("/v1/enrollments/groups"),
      200,
    )
    const person = groups.groups.find((group) => group.level === "person")!
    assert.equal(person.size, 1)
    assert.equal(person.root, status.root)

    const proof = await json<{ root: string; index: number; siblings: string[]; groupId: string }>(
      await app.request(`/v1/enrollments/${request.commitment}/merkle-proof`),
      200,
    )
    const onChainRoot = await chain.publicClient.readContract({
      address: chain.deployment.contracts.semaphore,
      abi: semaphoreAbi,
      functionName: "getMerkleTreeRoot",
      args: [BigInt(proof.groupId)],
    })
    assert.equal(proof.root, onChainRoot.toString())
    const fromChainAlone = await readMerkleProof({
      publicClient: chain.publicClient,
      semaphore: chain.deployment.contracts.semaphore,
      groupId: BigInt(proof.groupId),
      fromBlock: chain.deployment.blockNumber,
      commitment: identity.commitment,
    })
    assert.equal(fromChainAlone.root.toString(), proof.root)
  })

  it("refuses a replayed challenge, a second enrollment of the same person, and accepts a recovery", async () => {
    const first = new Identity("routes-bob-1")
    const request = await challengeAndAttest(first, "Bob")
    await json(await post("", request), 202)
    await expectError(await post("", request), 409, "challenge_used")
    // Recovery of a member already on chain (a pending one is replaced off chain, without updateMember).
    assert.equal((await waitInGroup(request.commitment)).status, "in_group")

    const second = new Identity("routes-bob-2")
    const again = await challengeAndAttest(second, "Bob")
    await expectError(await post("", again), 409, "already_enrolled")
    // The refusal stored nothing: the same challenge still works for the recovery.
    const recovered = await json(await post("", { ...again, recover: true }), 202)
    assert.equal(recovered.replacesCommitment, first.commitment.toString())
    const status = await waitInGroup(again.commitment)
    assert.equal(status.status, "in_group")
    assert.equal((await json(await app.request(`/v1/enrollments/${request.commitment}`), 200)).status, "replaced")
  })

  it("answers typed 4xx errors for bad input, and stores nothing", async () => {
    const identity = new Identity("routes-bad-input")
    const good = await challengeAndAttest(identity, "Carol")
    await expectError(await post("", "{not json"), 400, "invalid_json")
    await expectError(await post("", { ...good, extra: 1 }), 400, "invalid_request")
    await expectError(await post("", { ...good, format: "carrier-pigeon" }), 400, "unknown_attestation_format")
    await expectError(await post("", { ...good, attestation: "%%%" }), 400, "attestation_malformed")
    await expectError(await post("/challenge", { commitment: "21888242871839275222246405745257275088548364400416034343698204186575808495617" }), 400, "commitment_out_of_field")
    await expectError(await post("/challenge", { commitment: "-1" }), 400, "invalid_commitment")
    await expectError(await post("", { ...good, nonce: "never-issued" }), 400, "challenge_unknown")
    await expectError(await post("", { ...good, commitment: new Identity("someone-else").commitment.toString() }), 400, "challenge_commitment_mismatch")
    await expectError(await post("", { ...good, attestation: "A".repeat(20 * 1024) }), 413, "body_too_large")
    await expectError(await app.request(`/v1/enrollments/${good.commitment}`), 404, "enrollment_not_found")
    await expectError(await app.request(`/v1/enrollments/12x`), 400, "invalid_commitment")
    // After all that, the challenge is still unused.
    await json(await post("", good), 202)
  })

  it("revokes only with the admin token, and the worker removes the member", async () => {
    const identity = new Identity("routes-dave")
    const request = await challengeAndAttest(identity, "Dave")
    await json(await post("", request), 202)
    await waitInGroup(request.commitment)

    await expectError(await post("/revoke", { commitment: request.commitment }), 401, "admin_token_missing")
    await expectError(await post("/revoke", { commitment: request.commitment }, { Authorization: "Bearer wrong" }), 403, "admin_token_invalid")
    const revoked = await json<{ revoked: string[] }>(await post("/revoke", { commitment: request.commitment }, { Authorization: `Bearer ${ADMIN_TOKEN}` }), 200)
    assert.deepEqual(revoked.revoked, [request.commitment])
    await worker.whenIdle()
    assert.equal((await json(await app.request(`/v1/enrollments/${request.commitment}`), 200)).status, "revoked")
    assert.ok((await store.getEnrollment(identity.commitment))?.removedTxHash)
    await expectError(await app.request(`/v1/enrollments/${request.commitment}/merkle-proof`), 409, "enrollment_not_in_group")
  })
})
