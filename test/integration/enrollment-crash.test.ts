// kill -9 while people enroll and the group worker adds them in batches: after a restart on the same
// data folder, every acknowledged enrollment reaches the on-chain group, each commitment exactly once.
import assert from "node:assert/strict"
import { randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import { bytesToBigInt, createPublicClient, http } from "viem"
import { SEMAPHORE_FIELD_ORDER } from "../../sdk/enrollment/commitment.ts"
import type { HealthReport } from "../../sdk/health.ts"
import { readGroupMembers } from "../../server/enrollment/membership.ts"
import { freePort, isRunning, startServerProcess, type ServerProcess } from "../support/server-process.ts"

const scratch = await mkdtemp(join(tmpdir(), "humanmark-enrollment-crash-"))
after(() => rm(scratch, { recursive: true, force: true }))

async function post<T>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
  return { status: response.status, body: (await response.json()) as T }
}

/** challenge -> dev attestation -> enroll; true once the server acknowledged (202). */
async function enrollSomeone(serverUrl: string, commitment: string, person: string): Promise<boolean> {
  const challenge = await post<{ nonce: string }>(`${serverUrl}/v1/enrollments/challenge`, { commitment })
  const attested = await post<{ format: string; attestation: string }>(`${serverUrl}/v1/enrollments/dev-attestation`, { commitment, nonce: challenge.body.nonce, person })
  const enrolled = await post(`${serverUrl}/v1/enrollments`, { ...attested.body, commitment, nonce: challenge.body.nonce })
  return enrolled.status === 202
}

test("SIGKILL while members are being added loses no acknowledged enrollment and adds none twice", async () => {
  const dataDir = join(scratch, "data")
  const env = {
    HUMANMARK_DATA_DIR: dataDir,
    PORT: String(await freePort()),
    ANVIL_PORT: String(await freePort()),
    ENROLLMENT_BATCH_INTERVAL_MS: "20",
    ENROLLMENT_BATCH_SIZE: "3",
  }
  let batchesIncluded = 0
  let killed = false
  let first: ServerProcess | undefined
  first = await startServerProcess(env, (line) => {
    // Kill right after a batch landed, while the next one is being signed, sent or mined.
    if (/enrollment: group person: add of \d+ included/.test(line) && ++batchesIncluded === 3 && !killed) {
      killed = true
      first!.child.kill("SIGKILL")
    }
  })
  const anvilPid = Number(readFileSync(join(dataDir, "anvil-state.json.pid"), "utf8"))

  // Waves of concurrent enrollments, so that the worker has several to put in each batch.
  const acknowledged: string[] = []
  let gone = false
  for (let wave = 0; !gone && (!killed || acknowledged.length === 0); wave += 1) {
    assert.ok(wave < 100, "the worker never included three batches")
    await Promise.all(
      Array.from({ length: 6 }, async (_, index) => {
        const commitment = (bytesToBigInt(randomBytes(32)) % SEMAPHORE_FIELD_ORDER).toString()
        try {
          if (await enrollSomeone(first!.url, commitment, `person ${wave}-${index}`)) acknowledged.push(commitment)
        } catch {
          gone = true // the server is gone: this one was never acknowledged
        }
      }),
    )
  }
  await first.exited
  assert.ok(acknowledged.length >= 6, `only ${acknowledged.length} enrollments were acknowledged before the kill`)

  const second = await startServerProcess(env)
  try {
    assert.equal(isRunning(anvilPid), false, "the restart stopped the orphaned anvil")
    const deadline = Date.now() + 60_000
    let waiting = acknowledged
    while (waiting.length > 0) {
      assert.ok(Date.now() < deadline, `${waiting.length} acknowledged enrollments never reached the group`)
      const statuses = await Promise.all(
        waiting.map(async (commitment) => {
          const response = await fetch(`${second.url}/v1/enrollments/${commitment}`)
          assert.equal(response.status, 200, `acknowledged enrollment ${commitment} was lost`)
          return ((await response.json()) as { status: string }).status
        }),
      )
      waiting = waiting.filter((_, index) => statuses[index] !== "in_group")
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    // The chain alone: every acknowledged commitment is a leaf exactly once, and nothing else is.
    const health = (await (await fetch(`${second.url}/health`)).json()) as HealthReport
    const groups = (await (await fetch(`${second.url}/v1/groups`)).json()) as { groups: { level: string; groupId: string }[] }
    const person = groups.groups.find((group) => group.level === "person")!
    const chain = createPublicClient({ transport: http(`http://127.0.0.1:${env.ANVIL_PORT}`) })
    const tree = await readGroupMembers({ publicClient: chain as never, semaphore: health.contracts.semaphore, groupId: BigInt(person.groupId), fromBlock: 0n })
    const leaves = tree.members.map(String)
    assert.equal(leaves.length, acknowledged.length, `the group has ${leaves.length} leaves for ${acknowledged.length} enrollments`)
    assert.deepEqual([...leaves].sort(), [...acknowledged].sort())
    console.log(`# ${acknowledged.length} acknowledged enrollments, killed after ${batchesIncluded} batches; all in the group once`)
  } finally {
    second.child.kill("SIGTERM")
    await second.exited
  }
})
