import { HumanmarkError } from "../errors.ts"

/** A single-choice ballot: the index of the one option chosen. */
export interface SingleChoiceBallot {
  choice: number
}

/** An approval ballot: the indices of every option the voter approves of (possibly none). */
export interface ApprovalBallot {
  approved: readonly number[]
}

export interface TallyParameters<Ballot> {
  /** How many options the poll has; options are numbered from 0. */
  optionCount: number
  ballots: readonly Ballot[]
}

/**
 * `counts[i]` is the number of ballots for (or approving) option i; `winners` are the options with
 * the highest count (more than one on a tie, none when no option got a vote).
 */
export interface TallyResult {
  counts: number[]
  ballots: number
  winners: number[]
}

export type TallyErrorType = HumanmarkError

/**
 * Counts single-choice ballots. Every ballot must name an option in range: a ballot that does not
 * is refused with `HumanmarkError` (`choice_out_of_range`, naming the ballot) rather than skipped,
 * because by the time ballots are tallied the API and the contract should have refused it already,
 * so one here means the ballot log is not what was accepted.
 */
export function tallySingleChoice(parameters: TallyParameters<SingleChoiceBallot>): TallyResult {
  const counts = emptyCounts(parameters.optionCount)
  parameters.ballots.forEach((ballot, position) => {
    counts[checkedOption(ballot?.choice, parameters.optionCount, position)]! += 1
  })
  return result(counts, parameters.ballots.length)
}

/**
 * Counts approval ballots: each approved option gets one. An option out of range
 * (`choice_out_of_range`) or approved twice on one ballot (`duplicate_approval`) is refused with the
 * ballot's position; an empty ballot is a valid abstention and counts towards `ballots` only.
 */
export function tallyApproval(parameters: TallyParameters<ApprovalBallot>): TallyResult {
  const counts = emptyCounts(parameters.optionCount)
  const seen = new Uint32Array(parameters.optionCount)
  parameters.ballots.forEach((ballot, position) => {
    if (!Array.isArray(ballot?.approved)) throw new HumanmarkError("invalid_ballot", `Ballot ${position} has no list of approved options.`)
    // Stamping with position + 1 detects duplicates without clearing a set per ballot.
    for (const option of ballot.approved) {
      const index = checkedOption(option, parameters.optionCount, position)
      if (seen[index] === position + 1) throw new HumanmarkError("duplicate_approval", `Ballot ${position} approves option ${index} twice.`)
      seen[index] = position + 1
      counts[index]! += 1
    }
  })
  return result(counts, parameters.ballots.length)
}

function emptyCounts(optionCount: number): number[] {
  if (!Number.isInteger(optionCount) || optionCount < 1) {
    throw new HumanmarkError("invalid_option_count", `A poll needs a whole number of options, at least 1, got ${optionCount}.`)
  }
  return new Array<number>(optionCount).fill(0)
}

function checkedOption(option: unknown, optionCount: number, position: number): number {
  if (typeof option !== "number" || !Number.isInteger(option) || option < 0 || option >= optionCount) {
    throw new HumanmarkError("choice_out_of_range", `Ballot ${position} chooses ${String(option)}, but options are numbered 0 to ${optionCount - 1}.`)
  }
  return option
}

function result(counts: number[], ballots: number): TallyResult {
  const highest = Math.max(...counts)
  const winners = highest === 0 ? [] : counts.flatMap((count, option) => (count === highest ? [option] : []))
  return { counts, ballots, winners }
}
