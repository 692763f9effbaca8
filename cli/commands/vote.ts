import { createHumanmarkClient } from "../../sdk/client.ts"
import { HumanmarkError } from "../../sdk/errors.ts"
import { loadSemaphoreArtifacts } from "../../sdk/semaphore/artifacts.node.ts"
import { releaseProverThreads } from "../../sdk/semaphore/proof.ts"
import { castVote, getPoll, waitForVote, type Ballot, type Poll, type Vote } from "../../sdk/voting/client.ts"
import { parseCommandLine, serverUrlFrom, UsageError, type CliCommand } from "../command.ts"
import { readIdentityFile } from "./identity.ts"
import { parsePollIdArgument } from "./poll.ts"

export const voteCommand: CliCommand = {
  name: "vote",
  usage: "vote POLL_ID CHOICE --identity FILE [--reason TEXT] [--wait] [--server URL]",
  summary: "Vote anonymously: prove membership here and let the server relay the ballot.",
  help: [
    "Usage: humanmark vote POLL_ID CHOICE --identity FILE [--reason TEXT] [--wait] [--timeout SECONDS] [--server URL]",
    "",
    "Makes a zero-knowledge proof (on this machine, with the official Semaphore artifacts) that the",
    "identity was in the poll's group when the poll was created, binding CHOICE into it, and submits",
    "it. The server relays it from its own account: your address never appears. One ballot per person",
    "per poll (per pair in pairwise polls). Prints the ballot's status as JSON.",
    "",
    "CHOICE:",
    "  single choice   an option index or label:          2    or   blue",
    "  approval        indexes or labels, comma-separated: 0,2  or   red,blue",
    "  pairwise        A>B: A was preferred over B:        3>17 or   red>blue",
    "",
    "Options:",
    "  --identity FILE    identity file from `humanmark identity create`",
    "  --reason TEXT      a reason (single choice and approval); only its hash is sent, bound by the proof",
    "  --wait             wait until the ballot is counted on chain",
    "  --timeout SECONDS  how long --wait waits (default 300)",
    "  --server URL       humanmark server (default: $HUMANMARK_SERVER or http://127.0.0.1:8787)",
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(
      argv,
      { identity: { type: "string" }, reason: { type: "string" }, wait: { type: "boolean" }, timeout: { type: "string" }, server: { type: "string" } },
      true,
    )
    if (positionals.length !== 2) throw new UsageError("Give POLL_ID and CHOICE.")
    const pollId = parsePollIdArgument(positionals[0]!)
    if (values.identity === undefined) throw new UsageError("Give the identity to vote with --identity FILE.")
    const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout)
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError("--timeout takes a positive number of seconds.")
    if (values.timeout !== undefined && !values.wait) throw new UsageError("--timeout goes with --wait.")

    const { identity } = await readIdentityFile(values.identity, io)
    const client = createHumanmarkClient({ serverUrl: serverUrlFrom(values.server, io.env), timeoutMs: 60_000 })
    const poll = await getPoll(client, pollId)
    const ballot = parseChoice(positionals[1]!, poll)
    if (values.reason !== undefined && "first" in ballot) throw new UsageError("Pairwise judgements carry no --reason.")
    let vote: Vote
    try {
      vote = await castVote(client, {
        identity,
        pollId,
        ballot,
        ...(values.reason === undefined ? {} : { reason: values.reason }),
        loadArtifacts: loadSemaphoreArtifacts,
        onProgress: (stage) => {
          if (stage === "proving") io.err("proving membership (a few seconds)...")
        },
      })
    } finally {
      // snarkjs keeps worker threads alive; without this the command would not exit.
      await releaseProverThreads()
    }
    if (values.wait && vote.status !== "included") {
      io.err(`ballot ${vote.status}; waiting until it is counted on chain`)
      vote = await waitForVote(client, { pollId, nullifier: vote.nullifier, timeoutMs: timeoutSeconds * 1000, intervalMs: 500 })
    }
    io.out(JSON.stringify(voteToJson(vote), null, 2))
    return 0
  },
}

/** CHOICE as the poll's kind reads it: indexes or labels (candidate titles for art polls). */
export function parseChoice(text: string, poll: Poll): Ballot {
  const labels = poll.options.length > 0 ? poll.options : (poll.candidates ?? []).map((candidate) => candidate.title)
  const indexOf = (part: string): number => {
    const trimmed = part.trim()
    if (/^[0-9]+$/.test(trimmed)) {
      const index = Number(trimmed)
      if (index >= poll.optionCount) throw new HumanmarkError("choice_out_of_range", `Choice ${index} is not below the poll's ${poll.optionCount} options.`)
      return index
    }
    const matches = labels.flatMap((label, index) => (label.toLowerCase() === trimmed.toLowerCase() ? [index] : []))
    if (matches.length === 1) return matches[0]!
    throw new HumanmarkError(
      "invalid_choice",
      matches.length === 0 ? `"${trimmed}" is neither an option index nor a label of poll ${poll.id}.` : `"${trimmed}" names several options; use the index.`,
      { details: labels.length <= 20 ? `Options: ${labels.map((label, index) => `${index}=${label}`).join(", ")}` : undefined },
    )
  }
  if (poll.kind === "pairwise") {
    const parts = text.split(">")
    if (parts.length !== 2) throw new UsageError('A pairwise CHOICE is "A>B": A was preferred over B.')
    const winner = indexOf(parts[0]!)
    const loser = indexOf(parts[1]!)
    if (winner === loser) throw new HumanmarkError("invalid_pair", "A and B must be two different options.")
    return { first: Math.min(winner, loser), second: Math.max(winner, loser), winner }
  }
  if (poll.kind === "approval") {
    const choices = [...new Set(text.split(",").map(indexOf))].sort((left, right) => left - right)
    return { choices }
  }
  if (text.includes(",") || text.includes(">")) throw new UsageError("This is a single choice poll: CHOICE is one option index or label.")
  return { choice: indexOf(text) }
}

function voteToJson(vote: Vote) {
  return {
    pollId: vote.pollId.toString(),
    nullifier: vote.nullifier.toString(),
    status: vote.status,
    ...(vote.error ? { error: vote.error } : {}),
    ...(vote.txHash ? { txHash: vote.txHash } : {}),
    ...(vote.blockNumber === undefined ? {} : { blockNumber: vote.blockNumber.toString() }),
  }
}
