// humanmark poll / vote / results against the real stack: a poll created from the command line, an
// anonymous ballot proved here and relayed by the server, results as text and JSON, and the bad paths.
import assert from "node:assert/strict"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { releaseProverThreads } from "../sdk/semaphore/proof.ts"
import { startTestStack, type TestStack } from "../test/support/stack.ts"
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./main.ts"
import { runCli } from "../test/support/cli.ts"

const run = (argv: string[], env: Record<string, string | undefined> = {}) => runCli(argv, { HUMANMARK_SERVER: stack.url, ...env })

let stack: TestStack
let dir: string
const identities: string[] = []

before(async () => {
  stack = await startTestStack({ env: { ENROLLMENT_BATCH_INTERVAL_MS: "100" } })
  dir = await mkdtemp(join(tmpdir(), "humanmark-cli-voting-"))
  for (const name of ["ada", "grace"]) {
    const path = join(dir, `${name}.json`)
    assert.equal((await run(["identity", "create", "--out", path])).code, EXIT_OK)
    const enrolled = await run(["enroll", "--identity", path, "--person", `CLI voter ${name}`, "--wait", "--timeout", "60"])
    assert.equal(enrolled.code, EXIT_OK, enrolled.err)
    identities.push(path)
  }
})
after(async () => {
  await releaseProverThreads()
  await stack?.cleanup()
  await rm(dir, { recursive: true, force: true })
})

describe("humanmark poll, vote, results", () => {
  let pollId: string

  it("poll create prints the new poll's id; poll show prints the poll", async () => {
    const created = await run(["poll", "create", "--title", "Lunch", "--options", "soup, salad ,pie", "--duration", "3600"])
    assert.equal(created.code, EXIT_OK, created.err)
    pollId = created.out.trim()
    assert.match(pollId, /^[1-9][0-9]*$/)
    assert.match(created.err, /3 options.*2 members may vote/)

    const shown = await run(["poll", "show", pollId])
    assert.equal(shown.code, EXIT_OK, shown.err)
    const poll = JSON.parse(shown.out) as { options: string[]; status: string; kind: string; merkleTreeSize: number }
    assert.deepEqual(poll.options, ["soup", "salad", "pie"])
    assert.equal(poll.status, "open")
    assert.equal(poll.kind, "single")
  })

  it("vote by label, wait until counted; results as text and JSON", async () => {
    const voted = await run(["vote", pollId, "Salad", "--identity", identities[0]!, "--reason", "green", "--wait", "--timeout", "60"])
    assert.equal(voted.code, EXIT_OK, voted.err)
    const vote = JSON.parse(voted.out) as { status: string; nullifier: string; txHash?: string }
    assert.equal(vote.status, "included")
    assert.match(vote.txHash ?? "", /^0x[0-9a-f]{64}$/)
    assert.match(voted.err, /proving membership/)

    const text = await run(["results", pollId])
    assert.equal(text.code, EXIT_OK, text.err)
    assert.match(text.out, /Lunch \(poll \d+, single, open\): 1 ballot/)
    assert.match(text.out, /1 {2}salad {2}1/)
    const json = await run(["results", pollId, "--json"])
    const results = JSON.parse(json.out) as { kind: string; options: { index: number; votes: number }[] }
    assert.deepEqual(results.options.map((option) => option.votes), [0, 1, 0])
  })

  it("refuses a second ballot from the same person, unknown choices and malformed command lines", async () => {
    const twice = await run(["vote", pollId, "0", "--identity", identities[0]!])
    assert.equal(twice.code, EXIT_FAILURE)
    assert.match(twice.err, /\[duplicate_vote\]/)

    const unknownLabel = await run(["vote", pollId, "pizza", "--identity", identities[1]!])
    assert.equal(unknownLabel.code, EXIT_FAILURE)
    assert.match(unknownLabel.err, /neither an option index nor a label.*0=soup, 1=salad, 2=pie.*\[invalid_choice\]/s)
    const outOfRange = await run(["vote", pollId, "3", "--identity", identities[1]!])
    assert.match(outOfRange.err, /\[choice_out_of_range\]/)
    const pairwiseSyntax = await run(["vote", pollId, "0>1", "--identity", identities[1]!])
    assert.equal(pairwiseSyntax.code, EXIT_USAGE)
    const noPoll = await run(["vote", "999", "0", "--identity", identities[1]!])
    assert.equal(noPoll.code, EXIT_FAILURE)
    assert.match(noPoll.err, /\[poll_not_found\]/)
    assert.equal((await run(["vote", "abc", "0", "--identity", identities[1]!])).code, EXIT_USAGE)
    assert.equal((await run(["vote", pollId, "0"])).code, EXIT_USAGE, "no identity")
    assert.equal((await run(["results", "999"])).code, EXIT_FAILURE)
    assert.equal((await run(["results"])).code, EXIT_USAGE)

    assert.equal((await run(["poll", "create", "--title", "No options"])).code, EXIT_USAGE)
    assert.equal((await run(["poll", "create", "--title", "One", "--options", "a"])).code, EXIT_USAGE)
    assert.equal((await run(["poll", "create", "--title", "Kind", "--options", "a,b", "--kind", "ranked"])).code, EXIT_USAGE)
    assert.equal((await run(["poll", "create", "--title", "Time", "--options", "a,b", "--duration", "-5"])).code, EXIT_USAGE)
    const noGroup = await run(["poll", "create", "--title", "Devices", "--options", "a,b", "--group", "device"])
    assert.equal(noGroup.code, EXIT_FAILURE)
    assert.match(noGroup.err, /\[group_not_ready\]/)
  })

  it("pairwise: A>B judges the pair; the ranking puts the winner first", async () => {
    const created = await run(["poll", "create", "--title", "Which is better", "--options", "tea,coffee,cocoa", "--kind", "pairwise", "--json"])
    assert.equal(created.code, EXIT_OK, created.err)
    const pairwiseId = (JSON.parse(created.out) as { id: string }).id
    const judged = await run(["vote", pairwiseId, "cocoa>tea", "--identity", identities[1]!, "--wait"])
    assert.equal(judged.code, EXIT_OK, judged.err)
    const results = JSON.parse((await run(["results", pairwiseId, "--json"])).out) as { judgements: number; ranking: { index: number; rank: number }[] }
    assert.equal(results.judgements, 1)
    assert.equal(results.ranking[0]!.index, 2)
    assert.equal(results.ranking.at(-1)!.index, 0)
    const reason = await run(["vote", pairwiseId, "tea>coffee", "--identity", identities[1]!, "--reason", "no"])
    assert.equal(reason.code, EXIT_USAGE)
  })
})
