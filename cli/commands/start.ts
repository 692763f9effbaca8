import { runUntilStopped } from "../../server/run.ts"
import { parseCommandLine, type CliCommand } from "../command.ts"

export const startCommand: CliCommand = {
  name: "start",
  usage: "start",
  summary: "Run the server (and, without RPC_URL, a local chain) until Ctrl-C.",
  help: [
    "Usage: humanmark start",
    "",
    "Starts everything `npm start` starts, configured by environment variables (see the README,",
    '"Configuration"): with no RPC_URL, a local anvil chain with its state in $HUMANMARK_DATA_DIR.',
    "Serves the site when it has been built (`npm run build`).",
  ].join("\n"),
  async run(argv, io) {
    parseCommandLine(argv, {})
    await runUntilStopped(io.env)
    // Keeps running until a signal; runUntilStopped exits the process itself.
    return await new Promise<number>(() => {})
  },
}
