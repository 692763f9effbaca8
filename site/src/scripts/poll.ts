// /polls/<id>/: one poll. Ballots are proved in this browser with the official artifacts (downloaded
// from this server and checked against their pinned sha256), relayed by the server, and followed
// until they are counted on chain. Results refresh while the page is open.
import { castVote, waitForVote, type Ballot } from "../../../sdk/voting/client.ts"
import { isHumanmarkError } from "../../../sdk/errors.ts"
import { loadStoredIdentity } from "./identity-store.ts"
import { choiceLabel, describeWindow, pollsClient, type PollJson, type ResultsJson } from "./polls-api.ts"
import { createVoteStepper } from "./vote-steps.ts"

const RESULTS_REFRESH_MS = 3_000

export async function startPollPage(root: Document): Promise<void> {
  const client = pollsClient()
  const byTestId = <T extends HTMLElement = HTMLElement>(id: string) => root.querySelector<T>(`[data-testid=${id}]`)!
  const page = byTestId("poll")
  const voteButton = byTestId<HTMLButtonElement>("vote-button")
  const pollId = /\/polls\/(\d+)\/?$/.exec(window.location.pathname)?.[1] ?? new URLSearchParams(window.location.search).get("id")

  const showError = (message: string | undefined) => {
    byTestId("poll-error").textContent = message ?? ""
    byTestId("poll-error").hidden = !message
  }
  const { setStep, loadArtifacts, hideProgress } = createVoteStepper(root)

  if (!pollId) {
    page.dataset.state = "error"
    showError("No poll was named in the address.")
    return
  }
  let poll: PollJson
  try {
    poll = (await client.request<{ poll: PollJson }>(`/v1/polls/${pollId}`)).poll
  } catch (error) {
    page.dataset.state = "error"
    byTestId("poll-title").textContent = "Poll not found"
    showError(isHumanmarkError(error) ? error.message : "The server could not be reached.")
    return
  }

  byTestId("poll-title").textContent = poll.title
  byTestId("poll-kind").textContent = { single: "Single choice", approval: "Approval", pairwise: "Pairwise: A or B" }[poll.kind]
  byTestId("poll-summary").textContent =
    `${poll.merkleTreeSize} members of the ${poll.level} group can vote (the group as it was when the poll was created). ${describeWindow(poll)}.`
  page.dataset.state = poll.status

  const stored = loadStoredIdentity()
  byTestId("identity-note").innerHTML = stored
    ? "You vote with the identity kept in this browser. Nobody, this server included, learns which member you are."
    : 'There is no identity in this browser: <a href="/enroll/">enroll</a> first (or import your backup there).'

  // The ballot being built, and (pairwise) the pair on screen.
  let current: { ballot: Ballot | undefined; pair?: { first: number; second: number } } = { ballot: undefined }
  const judged: [number, number][] = []
  const choices = byTestId("choices")

  const renderChoices = () => {
    if (poll.kind === "pairwise") return
    const type = poll.kind === "single" ? "radio" : "checkbox"
    choices.classList.toggle("choice-grid", poll.candidates.length > 0)
    choices.replaceChildren(
      ...Array.from({ length: poll.optionCount }, (_, index) => {
        const label = document.createElement("label")
        label.className = "choice"
        label.dataset.testid = "choice"
        const input = document.createElement("input")
        input.type = type
        input.name = "choice"
        input.value = String(index)
        input.addEventListener("change", () => {
          const picked = [...choices.querySelectorAll<HTMLInputElement>("input:checked")].map((each) => Number(each.value))
          current = { ballot: poll.kind === "single" ? { choice: picked[0]! } : { choices: picked } }
          voteButton.disabled = !stored || poll.status !== "open" || picked.length === 0
        })
        const text = document.createElement("span")
        text.textContent = choiceLabel(poll, index)
        label.append(input)
        const image = candidateImage(poll, index)
        if (image) label.append(image)
        label.append(text)
        return label
      }),
    )
  }

  const renderCandidate = (button: HTMLButtonElement, index: number) => {
    button.replaceChildren()
    button.dataset.index = String(index)
    button.setAttribute("aria-pressed", "false")
    const image = candidateImage(poll, index)
    if (image) button.append(image)
    const title = document.createElement("strong")
    title.textContent = choiceLabel(poll, index)
    button.append(title)
  }

  const loadPair = async () => {
    if (poll.kind !== "pairwise") return
    const exclude = judged.map(([first, second]) => `${first}-${second}`).join(",")
    const { pair } = await client.request<{ pair: { first: number; second: number } | null }>(`/v1/polls/${poll.id}/next-pair${exclude ? `?exclude=${exclude}` : ""}`)
    byTestId("pair").hidden = pair === null
    if (!pair) {
      byTestId("vote-status").textContent = "You have judged every pair this poll offers you for now."
      return
    }
    current = { ballot: undefined, pair }
    renderCandidate(byTestId<HTMLButtonElement>("pair-first"), pair.first)
    renderCandidate(byTestId<HTMLButtonElement>("pair-second"), pair.second)
    voteButton.disabled = true
  }
  for (const side of ["pair-first", "pair-second"]) {
    byTestId<HTMLButtonElement>(side).addEventListener("click", (event) => {
      if (!current.pair) return
      const button = event.currentTarget as HTMLButtonElement
      for (const other of root.querySelectorAll<HTMLButtonElement>(".candidate")) other.setAttribute("aria-pressed", String(other === button))
      current.ballot = { ...current.pair, winner: Number(button.dataset.index) }
      voteButton.disabled = !stored || poll.status !== "open"
    })
  }

  const refreshResults = async () => {
    try {
      const { results } = await client.request<{ results: ResultsJson }>(`/v1/polls/${poll.id}/results`)
      renderResults(root, poll, results)
    } catch {
      // Keep what is on screen; the next refresh usually answers.
    }
  }

  voteButton.addEventListener("click", async () => {
    if (!stored || !current.ballot) return
    voteButton.disabled = true
    showError(undefined)
    byTestId("vote-status").textContent = ""
    try {
      const vote = await castVote(client, {
        identity: stored.identity,
        pollId: poll.id,
        ballot: current.ballot,
        loadArtifacts,
        onProgress: (stage) => {
          if (stage === "membership") setStep("membership", "active")
          if (stage === "submitting") setStep("submit", "active")
        },
      })
      setStep("included", "active")
      byTestId("vote-status").textContent = `Queued by the relayer (nullifier ${vote.nullifier.toString().slice(0, 12)}…).`
      const final = await waitForVote(client, { pollId: poll.id, nullifier: vote.nullifier, intervalMs: 500 })
      if (final.status === "included") {
        setStep("included", "done")
        byTestId("vote-status").textContent = `Counted on chain${final.txHash ? ` in transaction ${final.txHash}` : ""}.`
      } else {
        showError(`The contract refused the ballot: ${final.error?.code ?? "unknown reason"}.`)
      }
      if (current.pair) judged.push([current.pair.first, current.pair.second])
      await refreshResults()
      await loadPair()
    } catch (error) {
      const message = isHumanmarkError(error) ? error.message : error instanceof Error ? error.message : String(error)
      showError(isHumanmarkError(error) && error.code === "duplicate_vote" ? "You have already voted here: one person, one vote." : message)
    } finally {
      hideProgress()
      voteButton.disabled = current.ballot === undefined || !stored || poll.status !== "open"
    }
  })

  renderChoices()
  await loadPair()
  await refreshResults()
  setInterval(() => void refreshResults(), RESULTS_REFRESH_MS)
}

function renderResults(root: Document, poll: PollJson, results: ResultsJson) {
  const list = root.querySelector<HTMLElement>("[data-testid=results-list]")!
  const summary = root.querySelector<HTMLElement>("[data-testid=results-summary]")!
  if (results.kind === "pairwise") {
    summary.textContent = `${results.judgements.toLocaleString("en-US")} ${results.judgements === 1 ? "judgement" : "judgements"}. Ranked by a Bradley-Terry fit; the range is its confidence interval.`
    list.replaceChildren(
      ...results.ranking.slice(0, 50).map((entry) => {
        const item = document.createElement("li")
        item.dataset.testid = "result"
        item.dataset.index = String(entry.index)
        item.textContent = `${choiceLabel(poll, entry.index)}: score ${entry.score.toFixed(2)} (${entry.lower.toFixed(2)} to ${entry.upper.toFixed(2)}), ${entry.wins} wins, ${entry.losses} losses`
        return item
      }),
    )
    return
  }
  const most = Math.max(1, ...results.options.map((option) => option.votes))
  summary.textContent = `${results.ballotCount} ${results.ballotCount === 1 ? "ballot" : "ballots"} counted on chain.`
  list.replaceChildren(
    ...[...results.options]
      .sort((a, b) => b.votes - a.votes || a.index - b.index)
      .map((option) => {
        const item = document.createElement("li")
        item.dataset.testid = "result"
        item.dataset.index = String(option.index)
        item.dataset.votes = String(option.votes)
        const label = document.createElement("span")
        label.textContent = `${choiceLabel(poll, option.index)}: ${option.votes}`
        const bar = document.createElement("span")
        bar.className = "bar"
        const fill = document.createElement("span")
        fill.style.width = `${(100 * option.votes) / most}%`
        bar.append(fill)
        item.append(label, bar)
        return item
      }),
  )
}

/** The candidate's artwork when its URI is one a browser can show (http(s), a data: image, or this site). */
function candidateImage(poll: PollJson, index: number): HTMLImageElement | undefined {
  const candidate = poll.candidates[index]
  if (!candidate || !/^(https?:|data:image\/|\/)/.test(candidate.uri)) return undefined
  const image = document.createElement("img")
  image.src = candidate.uri
  image.alt = candidate.title
  image.loading = "lazy"
  return image
}
