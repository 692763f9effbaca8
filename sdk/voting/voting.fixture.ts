import type { PairwiseJudgement } from "./bradley-terry.ts"
import { createSeededRandom, normalSample } from "./seeded-random.ts"

/** Synthetic candidates with known strengths (standard normal log-strengths) and a judge that follows them. */
export interface SyntheticPoll {
  candidates: string[]
  strengths: Map<string, number>
  trueBest: string
  random: () => number
  /** One judgement between `first` and `second`, won with the Bradley-Terry probability of the true strengths. */
  judge(first: string, second: string): PairwiseJudgement
}

export function syntheticPoll(candidateCount: number, seed: number): SyntheticPoll {
  const random = createSeededRandom(seed)
  const candidates = Array.from({ length: candidateCount }, (_, i) => `candidate-${i}`)
  const strengths = new Map(candidates.map((candidate) => [candidate, normalSample(random)]))
  const trueBest = candidates.reduce((best, candidate) => (strengths.get(candidate)! > strengths.get(best)! ? candidate : best))
  return {
    candidates,
    strengths,
    trueBest,
    random,
    judge(first, second) {
      const firstWins = 1 / (1 + Math.exp(strengths.get(second)! - strengths.get(first)!))
      return random() < firstWins ? { winner: first, loser: second } : { winner: second, loser: first }
    },
  }
}

/** A uniformly random pair of distinct candidates. */
export function randomPair(candidates: readonly string[], random: () => number): [string, string] {
  const first = Math.floor(random() * candidates.length)
  let second = Math.floor(random() * (candidates.length - 1))
  if (second >= first) second += 1
  return [candidates[first]!, candidates[second]!]
}

/** `count` judgements between random pairs. */
export function randomJudgements(poll: SyntheticPoll, count: number): PairwiseJudgement[] {
  return Array.from({ length: count }, () => poll.judge(...randomPair(poll.candidates, poll.random)))
}

/** Spearman's rank correlation between two orderings of the same items. */
export function spearman(first: readonly string[], second: readonly string[]): number {
  const positionInSecond = new Map(second.map((item, position) => [item, position]))
  const n = first.length
  let squares = 0
  first.forEach((item, position) => (squares += (position - positionInSecond.get(item)!) ** 2))
  return 1 - (6 * squares) / (n * (n * n - 1))
}
