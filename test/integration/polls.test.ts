// One person, one vote on the whole running system: members enroll through the dev attester, polls pin
// the personhood group's root, ballots are proved here, checked off chain by the server, queued
// durably and relayed from the server's account. Every bad ballot is a typed 4xx and never counted;
// 1,000 concurrent submissions of 100 distinct ballots count exactly 100; a restart resumes the queue.
import assert from "node:assert/strict"
import { createHash } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, test } from "node:test"
import { Identity, type SemaphoreProof } from "@semaphore-protocol/core"
import type { Hex } from "viem"
import { createHumanmarkClient, type HumanmarkClient } from "../../sdk/client.ts"
import { enrollWithDevAttester, getMerkleProof, waitForEnrollment } from "../../sdk/enrollment/client.ts"
import { humanPollsAbi } from "../../sdk/generated/abis.ts"
import { loadSemaphoreArtifacts } from "../../sdk/semaphore/artifacts.node.ts"
import { generateSemaphoreProof, releaseProverThreads } from "../../sdk/semaphore/proof.ts"
import {
  castVote,
  createPoll,
  fetchWithAdminToken,
  getMembershipProof,
  getNextPair,
  getPoll,
  getResults,
  getVoteStatus,
  listPolls,
  waitForVote,
  type Poll,
} from "../../sdk/voting/client.ts"
import { voteMessage } from "../../sdk/voting/message.ts"
import { pairScope } from "../../sdk/voting/scope.ts"
import { openSqliteStorage } from "../../server/storage/sqlite.ts"
import { startTestStack, type TestStack } from "../support/stack.ts"

const ADMIN_TOKEN = "polls-integration-admin-token"
const env = { ENROLLMENT_BATCH_INTERVAL_MS: "100", ADMIN_TOKEN }
const day = 86_400
const members = Array.from({ length: 10 }, (_, index) => new Identity(`polls-integration-member-${index}`))
const latecomer = new Identity("polls-integration-latecomer")

let dataDir: string
let stack: TestStack
let client: HumanmarkClient
let admin: HumanmarkClient
let single: Poll
let otherSingle: Poll
let approval: Poll
let art: Poll
let short: Poll
/** Member 3's valid ballot for `single`: refused in every altered form, then queued by hand across a restart. */
let keptProof: SemaphoreProof

type Answer = { status: number; body: { error?: { code: string }; vote?: { nullifier: string; status: string } } }

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Answer["body"] }
}

const proofJson = (proof: SemaphoreProof) => ({ ...proof, merkleTreeRoot: String(proof.merkleTreeRoot), points: proof.points.map(String) })

async function enrollAll(identities: readonly Identity[]) {
  for (const [index, identity] of identities.entries()) await enrollWithDevAttester(client, { identity, person: `polls person ${index} ${identity.commitment}` })
  for (const identity of identities) await waitForEnrollment(client, { commitment: identity.commitment, intervalMs: 100, timeoutMs: 60_000 })
}

async function proveFor(poll: Poll, identity: Identity, { message, scope }: { message: bigint; scope: bigint }) {
  const group = await getMembershipProof(client, poll.id, identity.commitment)
  return generateSemaphoreProof({ identity, group, message, scope, loadArtifacts: loadSemaphoreArtifacts, depth: poll.merkleTreeDepth })
}

async function chainNow(): Promise<number> {
  return Number((await stack.clients.publicClient.getBlock()).timestamp)
}

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "humanmark-polls-integration-"))
  stack = await startTestStack({ dataDir, keepData: true, env })
  client = createHumanmarkClient({ serverUrl: stack.url })
  admin = createHumanmarkClient({ serverUrl: stack.url, fetch: fetchWithAdminToken(ADMIN_TOKEN) })
  await enrollAll(members)
})

after(async () => {
  await releaseProverThreads()
  await stack?.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

describe("polls over HTTP", () => {
  test("creating a poll needs the admin token, an enrolled group and sane options", async () => {
    const body = { title: "Best colour", options: ["red", "green", "blue"], durationSeconds: day }
    assert.equal((await post("/v1/polls", body)).body.error?.code, "admin_token_missing")
    const wrong = await post("/v1/polls", body, { authorization: "Bearer not-the-admin-token" })
    assert.deepEqual([wrong.status, wrong.body.error?.code], [403, "admin_token_invalid"])
    const tooFew = await post("/v1/polls", { ...body, options: ["only"] }, { authorization: `Bearer ${ADMIN_TOKEN}` })
    assert.deepEqual([tooFew.status, tooFew.body.error?.code], [400, "too_few_options"])
    const noGroup = await post("/v1/polls", { ...body, level: "device" }, { authorization: `Bearer ${ADMIN_TOKEN}` })
    assert.deepEqual([noGroup.status, noGroup.body.error?.code], [409, "group_not_ready"])
    const unknownField = await post("/v1/polls", { ...body, extra: 1 }, { authorization: `Bearer ${ADMIN_TOKEN}` })
    assert.deepEqual([unknownField.status, unknownField.body.error?.code], [400, "invalid_request"])

    single = await createPoll(admin, body)
    otherSingle = await createPoll(admin, { ...body, title: "Best colour, again" })
    approval = await createPoll(admin, { title: "Approve any", kind: "approval", options: ["a", "b", "c", "d"], durationSeconds: day })
    short = await createPoll(admin, { title: "Quick", options: ["yes", "no"], durationSeconds: 120 })
    const candidates = Array.from({ length: 1_000 }, (_, index) => ({
      contentHash: `0x${createHash("sha256").update(`artwork ${index}`).digest("hex")}` as Hex,
      uri: `ipfs://artwork-${index}`,
      title: `Fragment #${index}`,
    }))
    art = await createPoll(admin, { title: "Weekly fragments", kind: "pairwise", candidates, durationSeconds: day })

    assert.equal(single.status, "open")
    assert.equal(single.merkleTreeSize, members.length)
    const onChain = await stack.clients.publicClient.readContract({
      address: stack.deployment.contracts.humanPolls,
      abi: humanPollsAbi,
      functionName: "getPoll",
      args: [art.id],
    })
    assert.equal(onChain.merkleTreeRoot, art.merkleTreeRoot)
    assert.equal(onChain.optionCount, 1_000)
    assert.equal(onChain.candidatesRoot, art.candidatesRoot)
    assert.equal((await getPoll(client, art.id)).candidates?.length, 1_000)
    const listed = await listPolls(client)
    assert.deepEqual(
      listed.map((poll) => poll.id),
      [art.id, short.id, approval.id, otherSingle.id, single.id],
    )
    assert.equal(listed[0]!.candidates, undefined, "listings leave candidates out")

    // Someone enrolling after the polls were created is not in their pinned groups.
    await enrollAll([latecomer])
  })

  test("three members vote; the ballots are relayed, included and counted", async () => {
    const choices = [0, 1, 1]
    const votes = []
    for (const [index, choice] of choices.entries()) {
      votes.push(await castVote(client, { identity: members[index]!, pollId: single.id, ballot: { choice }, loadArtifacts: loadSemaphoreArtifacts }))
    }
    for (const vote of votes) {
      assert.equal(vote.status, "queued")
      const included = await waitForVote(client, { pollId: single.id, nullifier: vote.nullifier, intervalMs: 100, timeoutMs: 60_000 })
      assert.ok(included.txHash && included.blockNumber !== undefined)
    }
    const results = await getResults(client, single.id)
    assert.ok(results.kind === "single")
    assert.deepEqual(results.options.map((option) => option.votes), [1, 2, 0])
    assert.equal(results.ballotCount, 3)

    const approved = await castVote(client, { identity: members[0]!, pollId: approval.id, ballot: { choices: [3, 1] }, reason: "b and d", loadArtifacts: loadSemaphoreArtifacts })
    await waitForVote(client, { pollId: approval.id, nullifier: approved.nullifier, intervalMs: 100, timeoutMs: 60_000 })
    const approvalResults = await getResults(client, approval.id)
    assert.ok(approvalResults.kind === "approval")
    assert.deepEqual(approvalResults.options.map((option) => option.votes), [0, 1, 0, 1])
  })

  test("bad ballots are typed 4xx answers and never counted", async () => {
    const path = `/v1/polls/${single.id}/votes`
    const member0 = await getMembershipProof(client, single.id, members[0]!.commitment)
    assert.equal(member0.root, single.merkleTreeRoot)

    // A second ballot from the same person (another choice, so another proof, the same nullifier).
    const again = await generateSemaphoreProof({
      identity: members[0]!,
      group: member0,
      message: voteMessage({ choice: 2n }),
      scope: single.scope,
      loadArtifacts: loadSemaphoreArtifacts,
      depth: single.merkleTreeDepth,
    })
    const duplicate = await post(path, { ballot: { choice: 2 }, proof: proofJson(again) })
    assert.deepEqual([duplicate.status, duplicate.body.error?.code], [409, "duplicate_vote"])

    keptProof = await proveFor(single, members[3]!, { message: voteMessage({ choice: 0n }), scope: single.scope })
    const tampered = { ...proofJson(keptProof), points: proofJson(keptProof).points.map((point, index) => (index === 0 ? String(BigInt(point) + 1n) : point)) }
    const refusals: [string, unknown, number, string][] = [
      ["tampered proof", { ballot: { choice: 0 }, proof: tampered }, 400, "invalid_proof"],
      ["another choice than the proof's", { ballot: { choice: 1 }, proof: proofJson(keptProof) }, 400, "wrong_message"],
      ["choice out of range", { ballot: { choice: 3 }, proof: proofJson(keptProof) }, 400, "choice_out_of_range"],
      ["approval ballot in a single choice poll", { ballot: { choices: [0] }, proof: proofJson(keptProof) }, 400, "wrong_ballot_kind"],
      ["proof without points", { ballot: { choice: 0 }, proof: { ...proofJson(keptProof), points: [] } }, 400, "invalid_request"],
      ["nullifier outside the field", { ballot: { choice: 0 }, proof: { ...proofJson(keptProof), nullifier: (2n ** 254n).toString() } }, 400, "invalid_proof"],
    ]
    for (const [what, body, status, code] of refusals) {
      const answer = await post(path, body)
      assert.deepEqual([answer.status, answer.body.error?.code], [status, code], what)
    }

    // Another poll's proof (same group, same root): the scope gives it away.
    const member1Vote = await post(`/v1/polls/${otherSingle.id}/votes`, { ballot: { choice: 2 }, proof: proofJson(again) })
    assert.deepEqual([member1Vote.status, member1Vote.body.error?.code], [400, "wrong_scope"])

    // The latecomer is in the group now, but not in the root the poll pinned.
    await assert.rejects(getMembershipProof(client, single.id, latecomer.commitment), { code: "not_a_member", status: 404 })
    const current = await getMerkleProof(client, latecomer.commitment)
    const late = await generateSemaphoreProof({
      identity: latecomer,
      group: current,
      message: voteMessage({ choice: 0n }),
      scope: single.scope,
      loadArtifacts: loadSemaphoreArtifacts,
    })
    const wrongRoot = await post(path, { ballot: { choice: 0 }, proof: proofJson(late) })
    assert.deepEqual([wrongRoot.status, wrongRoot.body.error?.code], [400, "wrong_root"])

    const malformed = await fetch(`${stack.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{ not json" })
    assert.deepEqual([malformed.status, ((await malformed.json()) as Answer["body"]).error?.code], [400, "invalid_json"])
    const huge = await post(path, { ballot: { choice: 0 }, padding: "x".repeat(70_000) })
    assert.deepEqual([huge.status, huge.body.error?.code], [413, "body_too_large"])
    const unknown = await post("/v1/polls/999/votes", { ballot: { choice: 0 }, proof: proofJson(keptProof) })
    assert.deepEqual([unknown.status, unknown.body.error?.code], [404, "poll_not_found"])
    const badId = await fetch(`${stack.url}/v1/polls/abc`)
    assert.equal(badId.status, 400)

    const results = await getResults(client, single.id)
    assert.ok(results.kind === "single")
    assert.deepEqual(results.options.map((option) => option.votes), [1, 2, 0], "nothing refused was counted")
    const details = await getPoll(client, single.id)
    assert.deepEqual(details.votes, { queued: 0, submitted: 0, included: 3, rejected: 0 })
    assert.equal((await getPoll(client, otherSingle.id)).ballotCount, 0)
  })

  test("1,000 concurrent submissions of 100 distinct ballots: exactly 100 count", async (t) => {
    // Ten members judge ten pairs each of the 1,000-candidate poll: 100 distinct (pair scope, nullifier) ballots.
    const ballots: { body: unknown; nullifier: string }[] = []
    const started = performance.now()
    for (const [memberIndex, identity] of members.entries()) {
      const group = await getMembershipProof(client, art.id, identity.commitment)
      for (let judged = 0; judged < 10; judged += 1) {
        const first = memberIndex * 10 + judged
        const second = first + 500
        // Lower indexes tend to win, so the ranking has something to find.
        const winner = (first + judged) % 4 === 0 ? second : first
        const scope = pairScope({ chainId: art.chainId, contract: art.contract, pollId: art.id, first: BigInt(first), second: BigInt(second) })
        const proof = await generateSemaphoreProof({
          identity,
          // Semaphore pads the siblings array it is given in place, so each proof gets its own copy.
          group: { ...group, siblings: [...group.siblings] },
          message: voteMessage({ choice: BigInt(winner) }),
          scope,
          loadArtifacts: loadSemaphoreArtifacts,
          depth: art.merkleTreeDepth,
        })
        ballots.push({ body: { ballot: { first, second, winner }, proof: proofJson(proof) }, nullifier: String(proof.nullifier) })
      }
    }
    const provingSeconds = (performance.now() - started) / 1000
    assert.equal(new Set(ballots.map((ballot) => ballot.nullifier)).size, 100)

    const submissions = ballots.flatMap((ballot) => Array.from({ length: 10 }, () => ballot))
    for (let index = submissions.length - 1; index > 0; index -= 1) {
      const other = (index * 7919) % (index + 1)
      ;[submissions[index], submissions[other]] = [submissions[other]!, submissions[index]!]
    }
    const sendStarted = performance.now()
    const answers = await Promise.all(submissions.map((submission) => post(`/v1/polls/${art.id}/votes`, submission.body)))
    const answeredMs = performance.now() - sendStarted
    const byOutcome = new Map<string, number>()
    for (const answer of answers) {
      const key = `${answer.status} ${answer.body.error?.code ?? answer.body.vote?.status}`
      byOutcome.set(key, (byOutcome.get(key) ?? 0) + 1)
    }
    assert.deepEqual(Object.fromEntries(byOutcome), { "202 queued": 100, "409 duplicate_vote": 900 })
    const accepted = new Set(answers.filter((answer) => answer.status === 202).map((answer) => answer.body.vote!.nullifier))
    assert.equal(accepted.size, 100, "each distinct ballot was accepted exactly once")

    for (const ballot of ballots) await waitForVote(client, { pollId: art.id, nullifier: ballot.nullifier, intervalMs: 200, timeoutMs: 120_000 })
    const includedMs = performance.now() - sendStarted
    const onChain = await stack.clients.publicClient.readContract({
      address: stack.deployment.contracts.humanPolls,
      abi: humanPollsAbi,
      functionName: "getPoll",
      args: [art.id],
    })
    assert.equal(onChain.ballotCount, 100)
    const details = await getPoll(client, art.id)
    assert.deepEqual(details.votes, { queued: 0, submitted: 0, included: 100, rejected: 0 })
    t.diagnostic(
      `1,000 submissions of 100 ballots: proving ${provingSeconds.toFixed(1)} s, all answered in ${Math.round(answeredMs)} ms, ` +
        `all 100 included ${Math.round(includedMs)} ms after sending; on chain ballotCount = ${onChain.ballotCount}`,
    )

    const results = await getResults(client, art.id)
    assert.ok(results.kind === "pairwise")
    assert.equal(results.judgements, 100)
    assert.equal(results.ranking.length, 1_000)
    assert.deepEqual(results.ranking.map((entry) => entry.rank), Array.from({ length: 1_000 }, (_, index) => index + 1))
    const top = results.ranking[0]!
    assert.ok(top.wins >= 1 && top.lower < top.score && top.score < top.upper)

    const { pair } = await getNextPair(client, art.id, { exclude: [[0, 500]] })
    assert.ok(pair && pair.first < pair.second && pair.second < 1_000)
    const wrongKind = await fetch(`${stack.url}/v1/polls/${single.id}/next-pair`)
    assert.equal(wrongKind.status, 400)
  })

  test("ballots outside the window are refused", async () => {
    const proof = await proveFor(short, members[5]!, { message: voteMessage({ choice: 0n }), scope: short.scope })
    const upcoming = await createPoll(admin, { title: "Later", options: ["x", "y"], startsAt: (await chainNow()) + 3_600, durationSeconds: 600 })
    assert.equal(upcoming.status, "upcoming")
    const early = await post(`/v1/polls/${upcoming.id}/votes`, { ballot: { choice: 0 }, proof: proofJson(proof) })
    assert.deepEqual([early.status, early.body.error?.code], [409, "poll_not_open"])

    await stack.clients.publicClient.request({ method: "evm_increaseTime" as never, params: [200] as never })
    await stack.clients.publicClient.request({ method: "evm_mine" as never, params: [] as never })
    const late = await post(`/v1/polls/${short.id}/votes`, { ballot: { choice: 0 }, proof: proofJson(proof) })
    assert.deepEqual([late.status, late.body.error?.code], [409, "poll_not_open"])
    assert.equal((await getPoll(client, short.id)).status, "closed")
    assert.equal((await getPoll(client, short.id)).ballotCount, 0)
  })

  test("a ballot queued when the server stopped is relayed after the restart", async () => {
    await stack.cleanup()
    const storage = openSqliteStorage({ path: join(dataDir, "humanmark.sqlite") })
    const queued = await storage.voting.enqueueVote(
      { pollId: single.id, scope: single.scope, nullifier: BigInt(keptProof.nullifier), ballot: { choice: 0 }, reasonHash: `0x${"00".repeat(32)}`, proof: keptProof },
      new Date(),
    )
    assert.equal(queued?.status, "queued")
    await storage.close()

    stack = await startTestStack({ dataDir, keepData: true, env })
    client = createHumanmarkClient({ serverUrl: stack.url })
    const included = await waitForVote(client, { pollId: single.id, nullifier: BigInt(keptProof.nullifier), intervalMs: 100, timeoutMs: 60_000 })
    assert.equal(included.status, "included")
    const results = await getResults(client, single.id)
    assert.ok(results.kind === "single")
    assert.deepEqual(results.options.map((option) => option.votes), [2, 2, 0])
    assert.equal((await getVoteStatus(client, single.id, BigInt(keptProof.nullifier))).status, "included")
  })
})
