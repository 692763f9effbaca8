import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { HumanmarkError } from "../errors.ts"
import { fitBradleyTerry } from "./bradley-terry.ts"
import { randomJudgements, spearman, syntheticPoll } from "./voting.fixture.ts"

const isError = (code: string) => (error: unknown) => error instanceof HumanmarkError && error.code === code

describe("Bradley-Terry ranking", () => {
  it("recovers the true order from enough judgements and finds the true best", () => {
    const poll = syntheticPoll(50, 7)
    const ranking = fitBradleyTerry({ candidates: poll.candidates, judgements: randomJudgements(poll, 10_000) })
    const trueOrder = [...poll.candidates].sort((left, right) => poll.strengths.get(right)! - poll.strengths.get(left)!)
    assert.ok(spearman(ranking.map((entry) => entry.candidate), trueOrder) > 0.9)
    assert.equal(ranking[0]!.candidate, poll.trueBest)
    assert.deepEqual(
      ranking.map((entry) => entry.rank),
      ranking.map((_, position) => position + 1),
    )
    for (const entry of ranking) assert.ok(entry.lower < entry.score && entry.score < entry.upper)
  })

  it("narrows the intervals as judgements accumulate", () => {
    const poll = syntheticPoll(30, 11)
    const judgements = randomJudgements(poll, 8_000)
    const meanWidth = (count: number) => {
      const ranking = fitBradleyTerry({ candidates: poll.candidates, judgements: judgements.slice(0, count) })
      return ranking.reduce((sum, entry) => sum + entry.upper - entry.lower, 0) / ranking.length
    }
    const widths = [500, 2_000, 8_000].map(meanWidth)
    assert.ok(widths[0]! > widths[1]! && widths[1]! > widths[2]!, `widths ${widths.join(", ")}`)
    // Width shrinks like 1/sqrt(n): 16 times the data, about a quarter of the width.
    assert.ok(widths[2]! < widths[0]! / 3)
  })

  it("keeps candidates that won everything or were never compared finite, and counts wins and losses", () => {
    const judgements = [
      { winner: "a", loser: "b" },
      { winner: "a", loser: "c" },
      { winner: "b", loser: "c" },
      { winner: "a", loser: "b" },
    ]
    const ranking = fitBradleyTerry({ candidates: ["a", "b", "c", "unseen"], judgements })
    assert.deepEqual(
      ranking.map((entry) => [entry.candidate, entry.wins, entry.losses, entry.rank]),
      [
        ["a", 3, 0, 1],
        // Never compared: exactly the reference score 0, above b (1 win, 2 losses).
        ["unseen", 0, 0, 2],
        ["b", 1, 2, 3],
        ["c", 0, 2, 4],
      ],
    )
    for (const entry of ranking) assert.ok([entry.score, entry.lower, entry.upper].every(Number.isFinite))
    const unseen = ranking.find((entry) => entry.candidate === "unseen")!
    assert.equal(unseen.score, 0)
    // Never compared: the widest interval, held only by the prior.
    assert.ok(ranking.every((entry) => entry.upper - entry.lower <= unseen.upper - unseen.lower))
  })

  it("fits 20,000 judgements over 1,000 candidates in under a few seconds", () => {
    const poll = syntheticPoll(1_000, 3)
    const judgements = randomJudgements(poll, 20_000)
    const start = performance.now()
    const ranking = fitBradleyTerry({ candidates: poll.candidates, judgements })
    assert.equal(ranking.length, 1_000)
    // A generous bound on a shared machine (about 0.4 s measured); this guards against a quadratic fit.
    assert.ok(performance.now() - start < 5_000)
  })

  it("starts from earlier scores when given them and reaches the same fit", () => {
    const poll = syntheticPoll(40, 5)
    const judgements = randomJudgements(poll, 2_000)
    const cold = fitBradleyTerry({ candidates: poll.candidates, judgements })
    const warm = fitBradleyTerry({ candidates: poll.candidates, judgements, initialScores: new Map(cold.map((entry) => [entry.candidate, entry.score + 0.1])) })
    cold.forEach((entry, position) => assert.ok(Math.abs(entry.score - warm[position]!.score) < 1e-4))
  })

  it("refuses unknown candidates, self-comparisons, duplicate candidates and a non-positive prior", () => {
    assert.throws(() => fitBradleyTerry({ candidates: ["a", "b"], judgements: [{ winner: "a", loser: "z" }] }), isError("unknown_candidate"))
    assert.throws(() => fitBradleyTerry({ candidates: ["a", "b"], judgements: [{ winner: "a", loser: "a" }] }), isError("invalid_judgement"))
    assert.throws(() => fitBradleyTerry({ candidates: ["a", "a"], judgements: [] }), isError("duplicate_candidate"))
    assert.throws(() => fitBradleyTerry({ candidates: ["a", "b"], judgements: [], prior: 0 }), isError("invalid_prior"))
  })
})
