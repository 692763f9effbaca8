import { createHumanmarkClient } from "../../sdk/client.ts"
import { createPoll, fetchWithAdminToken, getPoll, type Poll, type PollKind } from "../../sdk/voting/client.ts"
import { parseCommandLine, serverUrlFrom, UsageError, type CliCommand } from "../command.ts"

const KINDS: readonly PollKind[] = ["single", "approval", "pairwise"]

export const pollCommand: CliCommand = {
  name: "poll",
  usage: "poll create --title T --options a,b,c [--kind K] [--group G] [--duration S] | poll show POLL_ID",
  summary: "Create a one-person-one-vote poll over a personhood group, or show one.",
  help: [
    "Usage: humanmark poll create --title TITLE --options A,B,C [--kind single|approval|pairwise]",
    "                             [--group person|device] [--duration SECONDS] [--json] [--server URL]",
    "       humanmark poll show POLL_ID [--server URL]",
    "",
    "create: the server creates the poll on chain from its own account, pinning the group's current",
    "root: only members enrolled at this moment can vote. Prints the new poll's id (--json: the poll).",
    "Servers with an ADMIN_TOKEN want it in --admin-token or $HUMANMARK_ADMIN_TOKEN.",
    "show: prints the poll as JSON (window, status, pinned root, counts).",
    "",
    "Options:",
    "  --title TITLE        what the poll asks",
    "  --options A,B,C      the options, comma-separated (at least two)",
    "  --kind KIND          single (default), approval (any set of options) or pairwise (\"A or B\")",
    "  --group LEVEL        which personhood group votes: person (default) or device",
    "  --duration SECONDS   how long the poll is open, from now (default 604800, a week)",
    "  --admin-token TOKEN  the server's ADMIN_TOKEN (default: $HUMANMARK_ADMIN_TOKEN)",
    "  --json               create: print the whole poll as JSON instead of its id",
    "  --server URL         humanmark server (default: $HUMANMARK_SERVER or http://127.0.0.1:8787)",
  ].join("\n"),
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(
      argv,
      {
        title: { type: "string" },
        options: { type: "string" },
        kind: { type: "string" },
        group: { type: "string" },
        duration: { type: "string" },
        "admin-token": { type: "string" },
        json: { type: "boolean" },
        server: { type: "string" },
      },
      true,
    )
    const [action, ...rest] = positionals
    const serverUrl = serverUrlFrom(values.server, io.env)
    if (action === "show") {
      if (rest.length !== 1) throw new UsageError("poll show takes one POLL_ID.")
      const poll = await getPoll(createHumanmarkClient({ serverUrl }), parsePollIdArgument(rest[0]!))
      io.out(JSON.stringify(pollToJson(poll), null, 2))
      return 0
    }
    if (action !== "create") throw new UsageError(action === undefined ? "Say what to do: poll create or poll show." : `Unknown action "${action}".`)
    if (rest.length > 0) throw new UsageError(`Unexpected argument "${rest[0]}".`)
    if (values.title === undefined || values.title.trim() === "") throw new UsageError("Give the poll's question with --title.")
    if (values.options === undefined) throw new UsageError("Give the options with --options A,B,C.")
    const options = values.options.split(",").map((option) => option.trim())
    if (options.length < 2 || options.some((option) => option === "")) throw new UsageError("--options takes at least two non-empty, comma-separated options.")
    const kind = (values.kind ?? "single") as PollKind
    if (!KINDS.includes(kind)) throw new UsageError(`--kind is one of ${KINDS.join(", ")}.`)
    const level = values.group ?? "person"
    if (level !== "person" && level !== "device") throw new UsageError("--group is person or device.")
    const durationSeconds = values.duration === undefined ? 7 * 86_400 : Number(values.duration)
    if (!Number.isInteger(durationSeconds) || durationSeconds <= 0) throw new UsageError("--duration takes a positive whole number of seconds.")

    const adminToken = values["admin-token"] ?? io.env.HUMANMARK_ADMIN_TOKEN
    const client = createHumanmarkClient({ serverUrl, timeoutMs: 120_000, ...(adminToken ? { fetch: fetchWithAdminToken(adminToken) } : {}) })
    const poll = await createPoll(client, { title: values.title.trim(), kind, options, level, durationSeconds })
    if (values.json) io.out(JSON.stringify(pollToJson(poll), null, 2))
    else {
      io.out(poll.id.toString())
      io.err(`poll ${poll.id} (${poll.kind}, ${poll.optionCount} options) open until ${new Date(poll.endsAt * 1000).toISOString()}; ${poll.merkleTreeSize} members may vote`)
    }
    return 0
  },
}

/** The poll id argument of `poll show`, `vote` and `results`. */
export function parsePollIdArgument(text: string): bigint {
  if (!/^[0-9]{1,78}$/.test(text)) throw new UsageError(`"${text}" is not a poll id (a decimal number).`)
  return BigInt(text)
}

/** A poll as printed: bigints as decimal text. */
export function pollToJson(poll: Poll) {
  return {
    ...poll,
    id: poll.id.toString(),
    groupId: poll.groupId.toString(),
    merkleTreeRoot: poll.merkleTreeRoot.toString(),
    scope: poll.scope.toString(),
    createdBlock: poll.createdBlock.toString(),
  }
}
