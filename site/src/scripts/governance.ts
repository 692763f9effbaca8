// /governance/: the server's GovernorPersonhood and one proposal at a time (?proposal=<id>). Reading
// is plain JSON; the proving code (Semaphore, snarkjs) is imported only when a vote starts, to keep the page light.
import { isHumanmarkError } from "../../../sdk/errors.ts"
import type { GovernorSupport } from "../../../sdk/voting/client.ts"
import { loadStoredIdentity } from "./identity-store.ts"
import { pollsClient } from "./polls-api.ts"

const PROPOSAL_REFRESH_MS = 3_000

/** `GET /v1/governor`. */
export interface GovernorJson {
  governor: `0x${string}`
  groupId: string
  chainId: number
}

/** `GET /v1/governor/:proposalId` (bigints as decimal strings). */
export interface ProposalJson {
  governor: `0x${string}`
  proposalId: string
  state: "pending" | "active" | "canceled" | "defeated" | "succeeded" | "queued" | "expired" | "executed"
  snapshot: string
  deadline: string
  merkleTreeRoot: string
  groupSize: number
  quorumVotes: number
  votes: { against: number; for: number; abstain: number }
  scope: string
  chainId: number
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)
const errorMessage = (error: unknown) => (isHumanmarkError(error) || error instanceof Error ? error.message : String(error))

export async function startGovernancePage(root: Document): Promise<void> {
  const client = pollsClient()
  const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => root.querySelector<T>(`[data-testid=${id}]`)!
  const page = byTestId("governance")
  const section = byTestId("proposal")
  const voteButton = byTestId<HTMLButtonElement>("vote-button")
  const form = byTestId<HTMLFormElement>("proposal-form")
  const input = byTestId<HTMLInputElement>("proposal-input")

  let errorFromLoading = false
  const showError = (message: string | undefined, fromLoading = false) => {
    errorFromLoading = fromLoading && message !== undefined
    byTestId("governance-error").textContent = message ?? ""
    byTestId("governance-error").hidden = !message
  }

  let governor: GovernorJson
  try {
    governor = await client.request<GovernorJson>("/v1/governor")
  } catch (error) {
    if (isHumanmarkError(error) && error.code === "governor_not_configured") {
      page.dataset.state = "unconfigured"
      byTestId("governor-missing").hidden = false
    } else {
      page.dataset.state = "error"
      showError(isHumanmarkError(error) ? error.message : "The server could not be reached.")
    }
    return
  }
  byTestId("governor-address").textContent = governor.governor
  byTestId("governor-group").textContent = `Members of the personhood group (group ${governor.groupId}), as it was when each proposal was made`
  byTestId("governor-chain").textContent = String(governor.chainId)
  byTestId("governor-facts").hidden = false
  form.hidden = false
  page.dataset.state = "ready"

  const stored = loadStoredIdentity()
  byTestId("identity-note").innerHTML = stored
    ? "You vote with the identity kept in this browser. Nobody, this server included, learns which member you are."
    : 'There is no identity in this browser: <a href="/enroll/">enroll</a> first (or import your backup there).'

  let proposal: ProposalJson | undefined
  let refresh: ReturnType<typeof setInterval> | undefined
  const picked = () => root.querySelector<HTMLInputElement>("[data-testid=supports] input:checked")
  const updateButton = () => {
    voteButton.disabled = !stored || proposal?.state !== "active" || !picked()
  }

  const render = (shown: ProposalJson) => {
    section.dataset.state = shown.state
    byTestId("proposal-id").textContent = shown.proposalId
    byTestId("proposal-state").textContent = capitalized(shown.state)
    byTestId("proposal-window").textContent = `After block ${shown.snapshot}, up to and including block ${shown.deadline}`
    byTestId("proposal-group").textContent = `${shown.groupSize} ${shown.groupSize === 1 ? "member" : "members"} can vote; the quorum is ${shown.quorumVotes} (For and Abstain count towards it)`
    const tally = byTestId("proposal-tally")
    tally.textContent = `For ${shown.votes.for} · Against ${shown.votes.against} · Abstain ${shown.votes.abstain}`
    tally.dataset.for = String(shown.votes.for)
    tally.dataset.against = String(shown.votes.against)
    tally.dataset.abstain = String(shown.votes.abstain)
    updateButton()
  }

  const load = async (id: string) => {
    try {
      const fresh = (await client.request<{ proposal: ProposalJson }>(`/v1/governor/${id}`)).proposal
      if (id !== input.value.trim()) return // Another proposal was opened meanwhile.
      proposal = fresh
      render(fresh)
      section.hidden = false
      if (errorFromLoading) showError(undefined) // a refresh must not wipe what a vote said
    } catch (error) {
      if (proposal?.proposalId === id) return // Keep what is on screen; the next refresh usually answers.
      section.hidden = true
      showError(errorMessage(error), true)
    }
  }

  const open = async (id: string) => {
    input.value = id
    proposal = undefined
    clearInterval(refresh)
    const url = new URL(window.location.href)
    url.searchParams.set("proposal", id)
    history.replaceState(null, "", url)
    await load(id)
    refresh = setInterval(() => void load(id), PROPOSAL_REFRESH_MS)
  }

  // The proposals so far, newest first; each opens in the panel below.
  void client
    .request<{ proposals: { proposalId: string; description: string; blockNumber: string }[] }>("/v1/governor/proposals")
    .then(({ proposals }) => {
      byTestId("proposal-list").replaceChildren(
        ...proposals.map((each) => {
          const item = document.createElement("li")
          item.className = "file-row card"
          item.dataset.testid = "proposal-row"
          const button = document.createElement("button")
          button.type = "button"
          button.className = "button-link file-name"
          button.textContent = each.description.split("\n")[0] || `Proposal ${each.proposalId}`
          button.addEventListener("click", () => void open(each.proposalId))
          const detail = document.createElement("span")
          detail.className = "file-detail"
          detail.textContent = `Proposal ${each.proposalId.slice(0, 12)}… · made in block ${each.blockNumber}`
          item.append(button, detail)
          return item
        }),
      )
    })
    .catch(() => {
      // The list is a convenience; opening by id still works.
    })

  form.addEventListener("submit", (event) => {
    event.preventDefault()
    const id = input.value.trim()
    if (/^\d+$/.test(id)) void open(id)
    else showError("A proposal id is a decimal number.")
  })
  for (const choice of root.querySelectorAll<HTMLInputElement>("[data-testid=supports] input")) choice.addEventListener("change", updateButton)

  voteButton.addEventListener("click", async () => {
    const choice = picked()
    if (!stored || !proposal || !choice) return
    const proposalId = proposal.proposalId
    voteButton.disabled = true
    showError(undefined)
    byTestId("vote-status").textContent = "Loading the prover…"
    try {
      const { castGovernorVoteInPage } = await import("./governance-vote.ts")
      await castGovernorVoteInPage(root, client, {
        identity: stored.identity,
        proposalId,
        support: Number(choice.value) as GovernorSupport,
        onStatus: (text) => (byTestId("vote-status").textContent = text),
      })
      await load(proposalId)
    } catch (error) {
      byTestId("vote-status").textContent = ""
      showError(isHumanmarkError(error) && error.code === "duplicate_vote" ? "You have already voted on this proposal: one person, one vote." : errorMessage(error))
    } finally {
      updateButton()
    }
  })

  const named = new URLSearchParams(window.location.search).get("proposal")
  if (named && /^\d+$/.test(named)) {
    input.value = named
    await open(named)
  }
}
