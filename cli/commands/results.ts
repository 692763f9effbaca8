import { createHumanmarkClient } from "../../sdk/client.ts"
import { getPoll, getResults } from "../../sdk/voting/client.ts"
import { parseCommandLine, serverUrlFrom, UsageError, type CliCommand } from "../command.ts"
import { parsePollIdArgument } from "./poll.ts"

export const resultsCommand: CliCommand = {
  name: "results",
  usage: "results POLL_ID [--json] [--top N] [--server URL]",
  summary: "Show a poll's results as counted on chain (pairwise: a Bradley-Terry ranking).",
  help: [
    "Usage: humanmark results POLL_ID [--json] [--top N] [--server URL]",
    "",
    "Single choice and approval polls: votes per option. Pairwise polls: a Bradley-Terry ranking of the",
    "judgements with a 95% interval per score; the best first.",
    "",
    "Options:",
    "  --json        print the results as JSON",
    "  --top N       pairwise: how many ranks to print (default 20; --json prints all)",
    "  --server URL  humanmark server (default: $HUMANMARK_SERVER or http://127.0.0.1:8787)",
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(argv, { json: { type: "boolean" }, top: { type: "string" }, server: { type: "string" } }, true)
    if (positionals.length !== 1) throw new UsageError("Give one POLL_ID.")
    const pollId = parsePollIdArgument(positionals[0]!)
    const top = values.top === undefined ? 20 : Number(values.top)
    if (!Number.isInteger(top) || top <= 0) throw new UsageError("--top takes a positive whole number.")
    const client = createHumanmarkClient({ serverUrl: serverUrlFrom(values.server, io.env) })
    const [poll, results] = await Promise.all([getPoll(client, pollId), getResults(client, pollId)])
    if (values.json) {
      io.out(JSON.stringify({ ...results, pollId: results.pollId.toString(), title: poll.title, status: poll.status }, null, 2))
      return 0
    }
    const labelOf = (index: number) => poll.options[index] ?? poll.candidates?.[index]?.title ?? `#${index}`
    io.out(`${poll.title} (poll ${poll.id}, ${poll.kind}, ${poll.status}): ${results.ballotCount} ballot(s)`)
    if (results.kind === "pairwise") {
      for (const entry of results.ranking.slice(0, top)) {
        io.out(
          `${String(entry.rank).padStart(4)}. ${labelOf(entry.index)}  score ${entry.score.toFixed(2)} [${entry.lower.toFixed(2)}, ${entry.upper.toFixed(2)}]  ${entry.wins} won, ${entry.losses} lost`,
        )
      }
      if (results.ranking.length > top) io.out(`      ... ${results.ranking.length - top} more (--top N, or --json)`)
    } else {
      const width = Math.max(...results.options.map((option) => labelOf(option.index).length))
      for (const option of results.options) io.out(`  ${option.index}  ${labelOf(option.index).padEnd(width)}  ${option.votes}`)
    }
    return 0
  },
}
