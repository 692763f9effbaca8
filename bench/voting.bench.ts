// Off-chain voting work: batch verification of Semaphore proofs beside core's verifyProof one by
// one (same proofs, same run), and, for scale, the time to rank pairwise judgements and count ballots.
import { verifyProof, type SemaphoreProof } from "@semaphore-protocol/core"
import { createSemaphoreBatchVerifier } from "../sdk/semaphore/batch-verify.ts"
import { loadSemaphoreVerificationKey } from "../sdk/semaphore/batch-verify.node.ts"
import { releaseProverThreads } from "../sdk/semaphore/proof.ts"
import { fitBradleyTerry } from "../sdk/voting/bradley-terry.ts"
import { nextPair } from "../sdk/voting/pairing.ts"
import { createSeededRandom } from "../sdk/voting/seeded-random.ts"
import { tallyApproval, tallySingleChoice } from "../sdk/voting/tally.ts"
import { randomJudgements, syntheticPoll } from "../sdk/voting/voting.fixture.ts"
import type { BenchModule, Report } from "./report.ts"
import { DEPTH, benchGroup, benchIdentities, prove } from "./semaphore.fixture.ts"

export const name = "voting"
export const description = `batch verification of Semaphore proofs (depth ${DEPTH}), Bradley-Terry ranking, tallies`
export const baseline = "@semaphore-protocol/core verifyProof one proof at a time on the same proofs, same run"

/** Distinct real proofs; the batch repeats them (a batch may hold duplicates, each with its own weight). */
const DISTINCT_PROOFS = 8
const BATCH_SIZE = 1024
const BATCH_RUNS = 3
const ONE_BY_ONE_SAMPLE = 64

async function batchVerification(report: Report): Promise<void> {
  const identities = benchIdentities()
  const group = benchGroup(identities)
  const distinct: SemaphoreProof[] = []
  for (let i = 0; i < DISTINCT_PROOFS; i++) distinct.push(await prove("ours", identities[i]!, group, 5_000n + BigInt(i)))
  report.progress(`made ${DISTINCT_PROOFS} proofs at depth ${DEPTH}`)
  const batch = Array.from({ length: BATCH_SIZE }, (_, i) => distinct[i % DISTINCT_PROOFS]!)

  const buildStart = performance.now()
  const verifier = await createSemaphoreBatchVerifier({ loadVerificationKey: loadSemaphoreVerificationKey })
  const buildMs = performance.now() - buildStart
  try {
    // Warm-up: loads and prepares the key, compiles the hot paths.
    if (!(await verifier.verify(distinct)).valid) throw new Error("the warm-up batch did not verify")
    const perProof: number[] = []
    for (let run = 0; run < BATCH_RUNS; run++) {
      const start = performance.now()
      const result = await verifier.verify(batch)
      perProof.push((performance.now() - start) / BATCH_SIZE)
      if (!result.valid) throw new Error("the batch did not verify")
      report.progress(`batch ${run + 1}/${BATCH_RUNS}: ${perProof.at(-1)!.toFixed(2)} ms per proof`)
    }

    const oneByOne: number[] = []
    if (!(await verifyProof(distinct[0]!))) throw new Error("verifyProof refused a valid proof")
    for (let i = 0; i < ONE_BY_ONE_SAMPLE; i++) {
      const start = performance.now()
      const valid = await verifyProof(batch[i]!)
      oneByOne.push(performance.now() - start)
      if (!valid) throw new Error("verifyProof refused a valid proof")
    }
    report.progress(`verified ${ONE_BY_ONE_SAMPLE} proofs one by one`)
    report.figure({
      operation: `verify ${BATCH_SIZE} proofs, per proof`,
      unit: "ms",
      statistic: "median",
      ours: perProof,
      baseline: oneByOne,
      note: `ours: ${BATCH_RUNS} runs of one ${BATCH_SIZE}-proof batch (parse, curve and subgroup checks, one Miller loop per proof, one multi-pairing), single-threaded curve, warm verifier; baseline: ${ONE_BY_ONE_SAMPLE} single verifyProof calls (snarkjs, worker threads) on the same proofs.`,
    })

    const tampered = batch.map((proof) => ({ ...proof }))
    for (const index of [100, 700]) tampered[index] = { ...tampered[index]!, message: "1" }
    const start = performance.now()
    const result = await verifier.verify(tampered)
    const tamperedMs = performance.now() - start
    if (result.invalid.join() !== "100,700") throw new Error(`expected proofs 100 and 700 named, got ${result.invalid.join()}`)
    report.context({
      operation: `verify ${BATCH_SIZE} proofs with 2 tampered, naming both`,
      unit: "ms",
      statistic: "single",
      samples: [tamperedMs],
      note: "bisection reuses each proof's Miller loop: the extra cost is a few final exponentiations per bad proof.",
    })
    report.context({ operation: "build the single-threaded BN254 curve (once per verifier)", unit: "ms", statistic: "single", samples: [buildMs] })
  } finally {
    await verifier.release()
    await releaseProverThreads()
  }
}

function timedRuns(runs: number, work: () => void): number[] {
  const samples: number[] = []
  for (let run = 0; run < runs; run++) {
    const start = performance.now()
    work()
    samples.push(performance.now() - start)
  }
  return samples
}

function ranking(report: Report): void {
  const poll = syntheticPoll(1_000, 1)
  const judgements = randomJudgements(poll, 10_000)
  let fitted = fitBradleyTerry({ candidates: poll.candidates, judgements })
  report.context({
    operation: "Bradley-Terry fit, 10,000 judgements over 1,000 candidates",
    unit: "ms",
    statistic: "median",
    samples: timedRuns(5, () => (fitted = fitBradleyTerry({ candidates: poll.candidates, judgements }))),
    note: "MM algorithm to a 1e-7 step, intervals from the Fisher information diagonal; random pairs between candidates of standard-normal strengths.",
  })
  const more = [...judgements, ...randomJudgements(poll, 10_000)]
  report.context({
    operation: "Bradley-Terry fit, 20,000 judgements over 1,000 candidates",
    unit: "ms",
    statistic: "median",
    samples: timedRuns(5, () => fitBradleyTerry({ candidates: poll.candidates, judgements: more })),
  })
  const initialScores = new Map(fitted.map((entry) => [entry.candidate, entry.score]))
  const plusOneHundred = [...judgements, ...randomJudgements(poll, 100)]
  report.context({
    operation: "refit after 100 more judgements, from the previous scores",
    unit: "ms",
    statistic: "median",
    samples: timedRuns(5, () => fitBradleyTerry({ candidates: poll.candidates, judgements: plusOneHundred, initialScores })),
  })
  const random = createSeededRandom(9)
  report.context({
    operation: "next pair, 1,000 candidates, 10,000 judgements, cached fit",
    unit: "ms",
    statistic: "median",
    samples: timedRuns(50, () => nextPair({ candidates: poll.candidates, judgements, ranking: fitted }, random)),
  })
}

function tallies(report: Report): void {
  const random = createSeededRandom(4)
  const optionCount = 20
  const approvals = Array.from({ length: 10_000 }, () => ({
    approved: Array.from({ length: optionCount }, (_, option) => option).filter(() => random() < 0.3),
  }))
  const choices = Array.from({ length: 10_000 }, () => ({ choice: Math.floor(random() * optionCount) }))
  report.context({
    operation: `approval tally, 10,000 ballots, ${optionCount} options`,
    unit: "ms",
    statistic: "median",
    samples: timedRuns(20, () => tallyApproval({ optionCount, ballots: approvals })),
    note: "about 30% of options approved per ballot; includes validation of every choice.",
  })
  report.context({
    operation: `single-choice tally, 10,000 ballots, ${optionCount} options`,
    unit: "ms",
    statistic: "median",
    samples: timedRuns(20, () => tallySingleChoice({ optionCount, ballots: choices })),
  })
}

export async function run(report: Report): Promise<void> {
  report.setting("depth", DEPTH)
  report.setting("batchSize", BATCH_SIZE)
  report.setting("distinctProofs", DISTINCT_PROOFS)
  report.setting("oneByOneSample", ONE_BY_ONE_SAMPLE)
  await batchVerification(report)
  ranking(report)
  tallies(report)
}

export default { name, description, baseline, run } satisfies BenchModule
