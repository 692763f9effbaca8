// The heavy half of /governance/: proving and relaying a vote, then following it until it is counted.
// Imported on demand when a vote starts.
import type { Identity } from "@semaphore-protocol/core"
import type { HumanmarkClient } from "../../../sdk/client.ts"
import { HumanmarkError } from "../../../sdk/errors.ts"
import { castGovernorVote, getGovernorVoteStatus, type GovernorSupport, type GovernorVote } from "../../../sdk/voting/client.ts"
import { createVoteStepper, type VoteStepper } from "./vote-steps.ts"

const POLL_MS = 500
const TIMEOUT_MS = 120_000
// One stepper per page, so that a second vote reuses the downloaded proving key.
let stepper: VoteStepper | undefined

export interface CastGovernorVoteInPageParameters {
  identity: Identity
  proposalId: string
  support: GovernorSupport
  onStatus: (text: string) => void
}

/** Resolves once the vote is counted on chain; throws when it is refused or rejected. */
export async function castGovernorVoteInPage(root: Document, client: HumanmarkClient, parameters: CastGovernorVoteInPageParameters): Promise<GovernorVote> {
  const { setStep, loadArtifacts, hideProgress } = (stepper ??= createVoteStepper(root))
  try {
    setStep("membership", "active")
    parameters.onStatus("")
    // castGovernorVote fetches the membership proof, then the artifacts (which mark their steps), then relays.
    const queued = await castGovernorVote(client, {
      identity: parameters.identity,
      proposalId: parameters.proposalId,
      support: parameters.support,
      loadArtifacts,
    })
    setStep("included", "active")
    parameters.onStatus(`Queued by the relayer (nullifier ${queued.nullifier.toString().slice(0, 12)}…).`)
    const started = Date.now()
    for (;;) {
      const vote = await getGovernorVoteStatus(client, parameters.proposalId, queued.nullifier)
      if (vote.status === "included") {
        setStep("included", "done")
        parameters.onStatus(`Counted on chain${vote.txHash ? ` in transaction ${vote.txHash}` : ""}.`)
        return vote
      }
      if (vote.status === "rejected") throw new HumanmarkError("vote_rejected", `The governor refused the vote: ${vote.error?.code ?? "unknown reason"}.`)
      if (Date.now() - started > TIMEOUT_MS) throw new HumanmarkError("vote_timeout", "The vote is still not counted; reload the page later to see the tally.")
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
  } finally {
    hideProgress()
  }
}
