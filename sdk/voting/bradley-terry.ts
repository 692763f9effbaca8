import { HumanmarkError } from "../errors.ts"

/** One "A or B" judgement from one voter: `winner` was preferred over `loser`. */
export interface PairwiseJudgement {
  winner: string
  loser: string
}

export interface FitBradleyTerryParameters {
  /** Every candidate in the poll (content hashes or any ids), including those never compared. */
  candidates: readonly string[]
  judgements: readonly PairwiseJudgement[]
  /**
   * Strength of the prior: each candidate is credited with this many virtual wins and as many virtual
   * losses against a reference candidate of score 0. It keeps scores finite for candidates that won
   * (or lost) every comparison or were never compared, and pulls scores built on little data towards
   * 0. Default 1; must be positive.
   */
  prior?: number
  /** Half-width of each interval in standard errors. Default 1.96 (about 95%). */
  intervalStandardErrors?: number
  /** Stop when no score moves by more than this in an iteration. Default 1e-7. */
  tolerance?: number
  /** Default 10,000; the fit stops there even if not converged (scores are then still usable). */
  maxIterations?: number
  /**
   * Scores to start from, e.g. the previous fit when a few judgements were added: the fit then
   * converges in far fewer iterations. Missing candidates start at 0.
   */
  initialScores?: ReadonlyMap<string, number>
}

/**
 * One candidate's place in a Bradley-Terry ranking. `score` is the log-strength: candidate i beats j
 * with probability 1 / (1 + exp(score_j - score_i)), so a difference of 1 means odds of e ≈ 2.7 to 1.
 * `[lower, upper]` is the interval for the score (see `fitBradleyTerry`). `rank` starts at 1.
 */
export interface BradleyTerryRanking {
  candidate: string
  score: number
  lower: number
  upper: number
  wins: number
  losses: number
  rank: number
}

export type FitBradleyTerryReturnType = BradleyTerryRanking[]
export type FitBradleyTerryErrorType = HumanmarkError

/**
 * Ranks candidates from pairwise judgements with a Bradley-Terry model, the model behind Chatbot
 * Arena's leaderboard: each candidate has a strength π, and i beats j with probability π_i/(π_i+π_j).
 *
 * The fit maximises the likelihood with the prior's virtual games by the minorise-maximise algorithm
 * of Hunter (2004), which raises the likelihood at every step and needs no matrix inversion, so
 * 20,000 judgements over 1,000 candidates fit in well under a second. Judgements are first merged
 * per pair, so an iteration costs one pass over the distinct pairs.
 *
 * Intervals come from the diagonal of the Fisher information: score ± z / sqrt(I_ii), with
 * I_ii = Σ_j n_ij·p_ij·(1 - p_ij) over i's games (virtual ones included). That is the uncertainty of
 * one score with the others held at their estimates: cheap (one pass), and slightly narrower than a
 * bootstrap or full-covariance interval. It is meant for deciding which candidates are still in
 * contention, not for publishing p-values.
 *
 * Sorted by score (best first); ties keep the order of `candidates`. Throws `HumanmarkError` for a
 * judgement naming an unknown candidate (`unknown_candidate`), a candidate judged against itself
 * (`invalid_judgement`), duplicate candidate ids (`duplicate_candidate`) or a non-positive prior.
 */
export function fitBradleyTerry(parameters: FitBradleyTerryParameters): FitBradleyTerryReturnType {
  const { candidates, judgements } = parameters
  const prior = parameters.prior ?? 1
  const intervalStandardErrors = parameters.intervalStandardErrors ?? 1.96
  const tolerance = parameters.tolerance ?? 1e-7
  const maxIterations = parameters.maxIterations ?? 10_000
  if (!(prior > 0) || !Number.isFinite(prior)) throw new HumanmarkError("invalid_prior", `The prior must be a positive number, got ${prior}.`)

  const count = candidates.length
  const indexOf = candidateIndex(candidates)
  const { wins, losses, pairs } = countGames(indexOf, judgements)

  // Strengths relative to the virtual reference (strength 1); log-strength is the score.
  let strength = new Float64Array(count).fill(1)
  if (parameters.initialScores) candidates.forEach((candidate, i) => (strength[i] = Math.exp(parameters.initialScores!.get(candidate) ?? 0)))
  let next = new Float64Array(count)
  const denominator = new Float64Array(count)
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    denominator.fill(0)
    for (let pair = 0; pair < pairs.games.length; pair++) {
      const first = pairs.first[pair]!
      const second = pairs.second[pair]!
      const share = pairs.games[pair]! / (strength[first]! + strength[second]!)
      denominator[first]! += share
      denominator[second]! += share
    }
    let largestStep = 0
    for (let i = 0; i < count; i++) {
      // Hunter's MM update: (wins) / Σ games/(π_i + π_j), with the prior's 2·prior games against 1.
      const updated = (wins[i]! + prior) / (denominator[i]! + (2 * prior) / (strength[i]! + 1))
      largestStep = Math.max(largestStep, Math.abs(Math.log(updated / strength[i]!)))
      next[i] = updated
    }
    ;[strength, next] = [next, strength]
    if (largestStep < tolerance) break
  }

  const information = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    const againstReference = strength[i]! / (strength[i]! + 1)
    information[i] = 2 * prior * againstReference * (1 - againstReference)
  }
  for (let pair = 0; pair < pairs.games.length; pair++) {
    const first = pairs.first[pair]!
    const second = pairs.second[pair]!
    const firstWins = strength[first]! / (strength[first]! + strength[second]!)
    const variance = pairs.games[pair]! * firstWins * (1 - firstWins)
    information[first]! += variance
    information[second]! += variance
  }

  const ranking = candidates.map((candidate, i) => {
    const score = Math.log(strength[i]!)
    const halfWidth = intervalStandardErrors / Math.sqrt(information[i]!)
    return { candidate, score, lower: score - halfWidth, upper: score + halfWidth, wins: wins[i]!, losses: losses[i]!, rank: 0, order: i }
  })
  ranking.sort((left, right) => right.score - left.score || left.order - right.order)
  return ranking.map(({ order: _order, ...entry }, position) => ({ ...entry, rank: position + 1 }))
}

/** Candidate id to position; refuses duplicates, which would split one candidate's games. */
export function candidateIndex(candidates: readonly string[]): Map<string, number> {
  const indexOf = new Map<string, number>()
  candidates.forEach((candidate, i) => {
    if (indexOf.has(candidate)) throw new HumanmarkError("duplicate_candidate", `Candidate ${candidate} is listed twice.`)
    indexOf.set(candidate, i)
  })
  return indexOf
}

/** Games merged per unordered pair (`first < second`), plus each candidate's wins and losses. */
interface GameCounts {
  wins: Float64Array
  losses: Float64Array
  pairs: { first: Uint32Array; second: Uint32Array; games: Float64Array }
}

function countGames(indexOf: ReadonlyMap<string, number>, judgements: readonly PairwiseJudgement[]): GameCounts {
  const count = indexOf.size
  const wins = new Float64Array(count)
  const losses = new Float64Array(count)
  const gamesByPair = new Map<number, number>()
  judgements.forEach((judgement, position) => {
    const winner = indexOf.get(judgement.winner)
    const loser = indexOf.get(judgement.loser)
    if (winner === undefined || loser === undefined) {
      const unknown = winner === undefined ? judgement.winner : judgement.loser
      throw new HumanmarkError("unknown_candidate", `Judgement ${position} names ${unknown}, which is not a candidate.`)
    }
    if (winner === loser) throw new HumanmarkError("invalid_judgement", `Judgement ${position} compares candidate ${judgement.winner} with itself.`)
    wins[winner]! += 1
    losses[loser]! += 1
    const key = Math.min(winner, loser) * count + Math.max(winner, loser)
    gamesByPair.set(key, (gamesByPair.get(key) ?? 0) + 1)
  })
  const first = new Uint32Array(gamesByPair.size)
  const second = new Uint32Array(gamesByPair.size)
  const games = new Float64Array(gamesByPair.size)
  let pair = 0
  for (const [key, played] of gamesByPair) {
    first[pair] = Math.floor(key / count)
    second[pair] = key % count
    games[pair] = played
    pair++
  }
  return { wins, losses, pairs: { first, second, games } }
}
