// /polls/: the list of polls on this server.
import { isHumanmarkError } from "../../../sdk/errors.ts"
import { describeWindow, pollsClient, type PollJson } from "./polls-api.ts"

const kindLabels = { single: "Single choice", approval: "Approval", pairwise: "Pairwise (A or B)" }

export async function startPollList(root: Document): Promise<void> {
  const list = root.querySelector<HTMLElement>("[data-testid=polls-list]")!
  const error = root.querySelector<HTMLElement>("[data-testid=polls-error]")!
  try {
    const { polls } = await pollsClient().request<{ polls: PollJson[] }>("/v1/polls")
    root.querySelector<HTMLElement>("[data-testid=polls-empty]")!.hidden = polls.length > 0
    list.replaceChildren(
      ...polls.map((poll) => {
        const item = document.createElement("li")
        item.className = "file-row card"
        item.dataset.testid = "poll-row"
        item.dataset.state = poll.status
        const link = document.createElement("a")
        link.href = `/polls/${poll.id}/`
        link.className = "file-name"
        link.textContent = poll.title
        const meta = document.createElement("span")
        meta.className = "file-detail"
        meta.textContent = `${kindLabels[poll.kind]} · ${poll.optionCount.toLocaleString("en-US")} ${poll.options.length > 0 ? "options" : "candidates"} · ${poll.merkleTreeSize} eligible voters (${poll.level} group) · ${describeWindow(poll)}`
        item.append(link, meta)
        return item
      }),
    )
  } catch (caught) {
    error.textContent = isHumanmarkError(caught) ? caught.message : "The server could not be reached."
    error.hidden = false
  }
}
