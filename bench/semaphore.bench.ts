// Semaphore v4 at depth 20: our SDK (sdk/semaphore) beside @semaphore-protocol/core called directly,
// both measured in this run. Cold proofs run in fresh child processes; warm proofs, verification and
// on-chain gas run here. Ours and core are interleaved (alternating which goes first) so that drift
// in machine load hits both sides alike.
import { spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { verifyProof, type SemaphoreProof } from "@semaphore-protocol/core"
import { parseEventLogs, type Hash, type Hex } from "viem"
import { deployHumanmark } from "../contracts/deploy.ts"
import { semaphoreAbi } from "../sdk/generated/abis.ts"
import { verifySemaphoreProof } from "../sdk/semaphore/proof.ts"
import { startAnvil } from "../server/chain/anvil.ts"
import { connectChain } from "../server/chain/clients.ts"
import { ANVIL_DEV_PRIVATE_KEY } from "../server/config.ts"
import type { BenchModule, Report } from "./report.ts"
import { DEPTH, GROUP_SIZE, benchGroup, benchIdentities, prove, type Side } from "./semaphore.fixture.ts"

export const name = "semaphore"
export const description = `Semaphore v4 proofs at depth ${DEPTH}, group of ${GROUP_SIZE}`
export const baseline = "@semaphore-protocol/core generateProof/verifyProof called directly (artifact file paths), same run"

/** Fresh processes per side for the cold figure. */
const COLD_RUNS = 5
/** Warm proofs per side, after one warm-up proof each. */
const WARM_RUNS = 20
/** Off-chain verifications per side, after one warm-up each. */
const VERIFY_RUNS = 30

const benchDir = dirname(fileURLToPath(import.meta.url))
const repoRoot = dirname(benchDir)

/** Alternates which side goes first, so neither always runs right after the other's garbage. */
function order(i: number): Side[] {
  return i % 2 === 0 ? ["ours", "core"] : ["core", "ours"]
}

interface ColdResult {
  side: Side
  firstProofMs: number
  readyAtMs: number
  valid: boolean
}

function runColdChild(side: Side): Promise<ColdResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(benchDir, "semaphore.cold.ts"), side], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    child.once("error", reject)
    child.once("exit", (code) => {
      const line = stdout.trim().split("\n").pop() ?? ""
      try {
        const result = JSON.parse(line) as ColdResult
        if (code !== 0 || !result.valid) throw new Error(`exit code ${code}, valid ${result.valid}`)
        resolve(result)
      } catch (error) {
        reject(new Error(`cold ${side} child failed (${error instanceof Error ? error.message : String(error)}): ${stderr.slice(-2000)}`))
      }
    })
  })
}

async function coldProofs(report: Report): Promise<void> {
  const samples: Record<Side, ColdResult[]> = { ours: [], core: [] }
  for (let i = 0; i < COLD_RUNS; i++) {
    for (const side of order(i)) {
      const result = await runColdChild(side)
      samples[side].push(result)
      report.progress(`cold proof ${i + 1}/${COLD_RUNS} ${side}: ${result.firstProofMs.toFixed(0)} ms`)
    }
  }
  report.figure({
    operation: `proof d${DEPTH}, cold (first in fresh process)`,
    unit: "ms",
    statistic: "median",
    ours: samples.ours.map((r) => r.firstProofMs),
    baseline: samples.core.map((r) => r.firstProofMs),
    note: `${COLD_RUNS} fresh \`node --import tsx bench/semaphore.cold.ts\` processes per side; times the first proof call only (ours: read + sha256-check artifact bytes; both: witness wasm load, zkey parse, curve init, proving).`,
  })
  report.figure({
    operation: "cold child: process start to ready (node+tsx+imports)",
    unit: "ms",
    statistic: "median",
    ours: samples.ours.map((r) => r.readyAtMs),
    baseline: samples.core.map((r) => r.readyAtMs),
    note: "performance.now() when the child's module body starts, i.e. before the timed proof; same children as the cold proof row.",
  })
}

export async function run(report: Report): Promise<void> {
  report.setting("depth", DEPTH)
  report.setting("groupSize", GROUP_SIZE)
  report.setting("coldRuns", COLD_RUNS)
  report.setting("warmRuns", WARM_RUNS)
  report.setting("verifyRuns", VERIFY_RUNS)

  await coldProofs(report)

  // Warm proofs in this process. Each proof gets its own scope, so each has a fresh nullifier and the
  // last one of each side can be spent on chain below.
  const identities = benchIdentities()
  const group = benchGroup(identities)
  let nextScope = 1_000n
  const proofs: Record<Side, SemaphoreProof[]> = { ours: [], core: [] }
  const warm: Record<Side, number[]> = { ours: [], core: [] }
  for (const side of order(0)) {
    const start = performance.now()
    await prove(side, identities[0]!, group, nextScope++)
    report.progress(`warm-up proof ${side}: ${(performance.now() - start).toFixed(0)} ms`)
  }
  for (let i = 0; i < WARM_RUNS; i++) {
    for (const side of order(i)) {
      const identity = identities[i % identities.length]!
      const start = performance.now()
      const proof = await prove(side, identity, group, nextScope++)
      const ms = performance.now() - start
      warm[side].push(ms)
      proofs[side].push(proof)
      report.progress(`warm proof ${i + 1}/${WARM_RUNS} ${side}: ${ms.toFixed(0)} ms`)
    }
  }
  const warmNote = `${WARM_RUNS} proofs per side in one process after 1 warm-up each; ours proves from checked bytes cached in memory, core re-reads the files by path on each call.`
  report.figure({ operation: `proof d${DEPTH}, warm`, unit: "ms", statistic: "median", ours: warm.ours, baseline: warm.core, note: warmNote })
  report.figure({ operation: `proof d${DEPTH}, warm`, unit: "ms", statistic: "p95", ours: warm.ours, baseline: warm.core })

  // Off-chain verification: ours verifies our last proof, core verifies core's last proof.
  const toVerify: Record<Side, SemaphoreProof> = { ours: proofs.ours.at(-1)!, core: proofs.core.at(-1)! }
  const verify = (side: Side) => (side === "ours" ? verifySemaphoreProof(toVerify.ours) : verifyProof(toVerify.core))
  const verifyTimes: Record<Side, number[]> = { ours: [], core: [] }
  for (const side of order(0)) {
    if (!(await verify(side))) throw new Error(`the ${side} proof did not verify`)
  }
  for (let i = 0; i < VERIFY_RUNS; i++) {
    for (const side of order(i)) {
      const start = performance.now()
      const valid = await verify(side)
      verifyTimes[side].push(performance.now() - start)
      if (!valid) throw new Error(`the ${side} proof did not verify`)
    }
  }
  report.progress(`verified ${VERIFY_RUNS} times per side`)
  report.figure({
    operation: "verify proof off chain",
    unit: "ms",
    statistic: "median",
    ours: verifyTimes.ours,
    baseline: verifyTimes.core,
    note: `${VERIFY_RUNS} verifications per side after 1 warm-up each (verifySemaphoreProof delegates to core's verifyProof).`,
  })

  await onChain(report, identities, toVerify)
}

async function onChain(report: Report, identities: ReturnType<typeof benchIdentities>, proofs: Record<Side, SemaphoreProof>): Promise<void> {
  report.progress("starting anvil and deploying through deployHumanmark")
  const anvil = await startAnvil()
  try {
    const { publicClient, walletClient } = await connectChain({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_DEV_PRIVATE_KEY })
    if (!walletClient) throw new Error("no wallet client")
    const deployment = await deployHumanmark({ publicClient, walletClient, onProgress: (message) => report.progress(message) })
    const address = deployment.contracts.semaphore

    const receiptOf = async (hash: Hash) => {
      const receipt = await publicClient.waitForTransactionReceipt({ hash })
      if (receipt.status !== "success") throw new Error(`transaction ${hash} reverted`)
      return receipt
    }

    const created = await receiptOf(await walletClient.writeContract({ address, abi: semaphoreAbi, functionName: "createGroup", args: [] }))
    const [event] = parseEventLogs({ abi: semaphoreAbi, logs: created.logs, eventName: "GroupCreated" })
    if (!event) throw new Error("GroupCreated was not emitted")
    const groupId = event.args.groupId

    const commitments = identities.map((identity) => identity.commitment)
    const added = await receiptOf(await walletClient.writeContract({ address, abi: semaphoreAbi, functionName: "addMembers", args: [groupId, commitments] }))

    // Both proofs were made against the 8-member root, which is now the group's current root.
    const gas: Record<Side, bigint> = { ours: 0n, core: 0n }
    const executionGas: Record<Side, bigint> = { ours: 0n, core: 0n }
    for (const side of order(0)) {
      const proof = proofs[side]
      const { request } = await publicClient.simulateContract({
        address,
        abi: semaphoreAbi,
        functionName: "validateProof",
        args: [groupId, toProofStruct(proof)],
        account: walletClient.account,
      })
      const receipt = await receiptOf(await walletClient.writeContract(request))
      const [validated] = parseEventLogs({ abi: semaphoreAbi, logs: receipt.logs, eventName: "ProofValidated" })
      if (validated?.args.nullifier !== BigInt(proof.nullifier)) throw new Error(`ProofValidated missing for the ${side} proof`)
      gas[side] = receipt.gasUsed
      const { input } = await publicClient.getTransaction({ hash: receipt.transactionHash })
      executionGas[side] = receipt.gasUsed - 21_000n - calldataGas(input)
      report.progress(`validateProof (${side} proof): ${receipt.gasUsed} gas`)
    }
    report.figure({
      operation: `validateProof d${DEPTH} on chain (tx gasUsed)`,
      unit: "gas",
      statistic: "single",
      ours: [Number(gas.ours)],
      baseline: [Number(gas.core)],
      note: "official Semaphore v4 contract deployed by deployHumanmark on anvil; each proof has a fresh nullifier and is against the group's current root.",
    })
    report.figure({
      operation: `validateProof d${DEPTH}, gasUsed - 21000 - calldata`,
      unit: "gas",
      statistic: "single",
      ours: [Number(executionGas.ours)],
      baseline: [Number(executionGas.core)],
      note: "calldata priced 4 gas per zero byte and 16 per other byte; what remains is the contract's execution (pairing check, nullifier store, event).",
    })

    // Context: adding members, after the proofs (a new root would make validateProof read the root history).
    const extra = await receiptOf(
      await walletClient.writeContract({ address, abi: semaphoreAbi, functionName: "addMember", args: [groupId, benchIdentityCommitment(GROUP_SIZE)] }),
    )
    report.context({ operation: "createGroup()", unit: "gas", statistic: "single", samples: [Number(created.gasUsed)] })
    report.context({
      operation: `addMembers(${GROUP_SIZE} commitments), empty group`,
      unit: "gas",
      statistic: "single",
      samples: [Number(added.gasUsed)],
      note: "group setup on the same official contract for both sides, so no ours/baseline split; for scale only.",
    })
    report.context({
      operation: `addMember(1 commitment), ${GROUP_SIZE}-member group`,
      unit: "gas",
      statistic: "single",
      samples: [Number(extra.gasUsed)],
    })
  } finally {
    await anvil.stop()
    report.progress("anvil stopped")
  }
}

function benchIdentityCommitment(index: number): bigint {
  return benchIdentities(index + 1)[index]!.commitment
}

/** Standard calldata cost of a transaction input: 4 gas per zero byte, 16 per non-zero byte. */
function calldataGas(input: Hex): bigint {
  let gas = 0n
  for (let i = 2; i < input.length; i += 2) gas += input.slice(i, i + 2) === "00" ? 4n : 16n
  return gas
}

/** The contract's `SemaphoreProof` struct from an off-chain proof. */
function toProofStruct(proof: SemaphoreProof) {
  const points = proof.points.map((point) => BigInt(point))
  if (points.length !== 8) throw new Error(`a Semaphore proof has 8 points, got ${points.length}`)
  return {
    merkleTreeDepth: BigInt(proof.merkleTreeDepth),
    merkleTreeRoot: BigInt(proof.merkleTreeRoot),
    nullifier: BigInt(proof.nullifier),
    message: BigInt(proof.message),
    scope: BigInt(proof.scope),
    points: points as unknown as readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint],
  }
}

export default { name, description, baseline, run } satisfies BenchModule
