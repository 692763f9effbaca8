import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { fitBradleyTerry, type BradleyTerryRanking, type PairwiseJudgement } from "./bradley-terry.ts"
import { nextPair } from "./pairing.ts"
import { createSeededRandom } from "./seeded-random.ts"
import { randomPair, syntheticPoll } from "./voting.fixture.ts"

describe("next pair", () => {
  it("covers candidates evenly first: the least-compared candidates are paired", () => {
    const random = createSeededRandom(1)
    const candidates = ["a", "b", "c", "d", "e", "f"]
    const judgements: PairwiseJudgement[] = [
      { winner: "a", loser: "b" },
      { winner: "a", loser: "c" },
      { winner: "b", loser: "c" },
      { winner: "d", loser: "a" },
    ]
    const pair = nextPair({ candidates, judgements }, random)!
    assert.deepEqual([...pair].sort(), ["e", "f"])
    // While still covering, everyone is compared about equally often.
    for (let i = 0; i < 60; i++) {
      const [first, second] = nextPair({ candidates, judgements, coverage: 100 }, random)!
      judgements.push({ winner: first, loser: second })
    }
    const counts = candidates.map((candidate) => judgements.filter((j) => j.winner === candidate || j.loser === candidate).length)
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 2, `counts ${counts.join(", ")}`)
  })

  it("then pairs contenders for the top with each other", () => {
    const poll = syntheticPoll(100, 2)
    const judgements: PairwiseJudgement[] = []
    for (let i = 0; i < 600; i++) judgements.push(poll.judge(...randomPair(poll.candidates, poll.random)))
    // Make sure every candidate passed the coverage phase.
    for (const candidate of poll.candidates) for (let k = 0; k < 6; k++) judgements.push(poll.judge(candidate, poll.candidates[(poll.candidates.indexOf(candidate) + k + 1) % 100]!))
    const ranking = fitBradleyTerry({ candidates: poll.candidates, judgements })
    const threshold = ranking[1]!.lower
    const contenders = new Set(ranking.filter((entry) => entry.upper >= threshold).map((entry) => entry.candidate))
    assert.ok(contenders.size < 100)
    for (let i = 0; i < 20; i++) {
      const pair = nextPair({ candidates: poll.candidates, judgements, ranking, topCount: 2 }, poll.random)!
      assert.ok(contenders.has(pair[0]) && contenders.has(pair[1]), `${pair.join(" vs ")} are not both contenders`)
    }
  })

  it("avoids pairs the voter already judged, and gives up only when every pair is taken", () => {
    const random = createSeededRandom(3)
    const candidates = ["a", "b", "c"]
    const alreadyJudged: Array<[string, string]> = [
      ["a", "b"],
      ["c", "a"],
    ]
    for (let i = 0; i < 10; i++) assert.deepEqual([...nextPair({ candidates, judgements: [], alreadyJudged }, random)!].sort(), ["b", "c"])
    assert.equal(nextPair({ candidates, judgements: [], alreadyJudged: [...alreadyJudged, ["b", "c"]] }, random), null)
    assert.equal(nextPair({ candidates: ["a"], judgements: [] }, random), null)
  })

  it("finds the true winner at least as often as random pairs (350 candidates, 20 judgements each)", () => {
    const candidateCount = 350
    const judgementCount = 20 * candidateCount
    // Refit the ranking as a server would: every so many judgements, starting from the last fit.
    const refitEvery = 350
    const outcomes = { adaptive: [] as number[], random: [] as number[] }
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const strategy of ["adaptive", "random"] as const) {
        const poll = syntheticPoll(candidateCount, seed)
        const judgements: PairwiseJudgement[] = []
        let ranking: BradleyTerryRanking[] | undefined
        for (let k = 0; k < judgementCount; k++) {
          if (strategy === "adaptive" && k > 0 && k % refitEvery === 0) {
            const initialScores = ranking && new Map(ranking.map((entry) => [entry.candidate, entry.score]))
            ranking = fitBradleyTerry({ candidates: poll.candidates, judgements, initialScores, tolerance: 1e-5 })
          }
          const pair = strategy === "adaptive" ? nextPair({ candidates: poll.candidates, judgements, ranking }, poll.random)! : randomPair(poll.candidates, poll.random)
          judgements.push(poll.judge(...pair))
        }
        const winner = fitBradleyTerry({ candidates: poll.candidates, judgements })[0]!.candidate
        // 1 when the fit's winner is the true best, else its true rank.
        outcomes[strategy].push([...poll.strengths.values()].filter((strength) => strength > poll.strengths.get(winner)!).length + 1)
      }
    }
    const found = (ranks: number[]) => ranks.filter((rank) => rank === 1).length
    assert.ok(found(outcomes.adaptive) >= found(outcomes.random), `adaptive ${outcomes.adaptive}, random ${outcomes.random}`)
    // Adaptive pairing never crowns a candidate far from the top.
    assert.ok(Math.max(...outcomes.adaptive) <= Math.max(...outcomes.random), `adaptive ${outcomes.adaptive}, random ${outcomes.random}`)
    console.log(`true rank of the fitted winner: adaptive ${outcomes.adaptive.join(",")}; random ${outcomes.random.join(",")}`)
  })
})
