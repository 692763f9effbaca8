import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { HumanmarkError } from "../errors.ts"
import { tallyApproval, tallySingleChoice } from "./tally.ts"

const isError = (code: string) => (error: unknown) => error instanceof HumanmarkError && error.code === code

describe("tally", () => {
  it("counts single-choice ballots and names the winner, or every option tied for first", () => {
    assert.deepEqual(tallySingleChoice({ optionCount: 3, ballots: [{ choice: 0 }, { choice: 2 }, { choice: 2 }] }), { counts: [1, 0, 2], ballots: 3, winners: [2] })
    assert.deepEqual(tallySingleChoice({ optionCount: 2, ballots: [{ choice: 0 }, { choice: 1 }] }).winners, [0, 1])
    assert.deepEqual(tallySingleChoice({ optionCount: 2, ballots: [] }), { counts: [0, 0], ballots: 0, winners: [] })
  })

  it("counts approval ballots, with empty ballots as abstentions", () => {
    const ballots = [{ approved: [0, 2] }, { approved: [2] }, { approved: [] }, { approved: [1, 2, 0] }]
    assert.deepEqual(tallyApproval({ optionCount: 3, ballots }), { counts: [2, 1, 3], ballots: 4, winners: [2] })
  })

  it("refuses out-of-range choices with the ballot's position", () => {
    for (const choice of [3, -1, 1.5, Number.NaN, "1" as unknown as number]) {
      assert.throws(() => tallySingleChoice({ optionCount: 3, ballots: [{ choice: 0 }, { choice }] }), (error: unknown) => isError("choice_out_of_range")(error) && (error as Error).message.includes("Ballot 1"))
    }
    assert.throws(() => tallyApproval({ optionCount: 3, ballots: [{ approved: [0, 3] }] }), isError("choice_out_of_range"))
  })

  it("refuses an option approved twice on one ballot, but not the same option on two ballots", () => {
    assert.throws(() => tallyApproval({ optionCount: 3, ballots: [{ approved: [1] }, { approved: [1, 1] }] }), isError("duplicate_approval"))
    assert.deepEqual(tallyApproval({ optionCount: 2, ballots: [{ approved: [1] }, { approved: [1] }] }).counts, [0, 2])
  })

  it("refuses malformed ballots and option counts", () => {
    assert.throws(() => tallyApproval({ optionCount: 3, ballots: [{} as { approved: number[] }] }), isError("invalid_ballot"))
    assert.throws(() => tallySingleChoice({ optionCount: 0, ballots: [] }), isError("invalid_option_count"))
    assert.throws(() => tallyApproval({ optionCount: 2.5, ballots: [] }), isError("invalid_option_count"))
  })
})
