import { createHumanmarkClient } from "../../sdk/client.ts"
import { getHealth } from "../../sdk/health.ts"
import { parseCommandLine, serverUrlFrom, type CliCommand } from "../command.ts"

export const healthCommand: CliCommand = {
  name: "health",
  usage: "health [--server URL]",
  summary: "Show a server's chain, contracts, block and database status (JSON).",
  help: [
    "Usage: humanmark health [--server URL]",
    "",
    "Prints the server's /health report as JSON. Exits 0 when the chain and the database answer,",
    "1 when the server reports a degraded state or cannot be reached.",
    "",
    "Options:",
    "  --server URL   humanmark server (default: $HUMANMARK_SERVER or http://127.0.0.1:8787)",
  ].join("\n"),
  async run(argv, io) {
    const { values } = parseCommandLine(argv, { server: { type: "string" } })
    const client = createHumanmarkClient({ serverUrl: serverUrlFrom(values.server, io.env), timeoutMs: 15_000 })
    const report = await getHealth(client)
    io.out(JSON.stringify(report, null, 2))
    return report.status === "ok" ? 0 : 1
  },
}
