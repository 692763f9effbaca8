// Entry of the `humanmark` command: finds the subcommand, runs it, and turns typed errors into a
// one-line message on stderr and an exit code. Subcommands live in cli/commands/, one file each.
import packageJson from "../package.json"
import { isHumanmarkError } from "../sdk/errors.ts"
import { commands } from "./commands/index.ts"
import { UsageError, type CliIo } from "./command.ts"

/** Exit codes: 0 success, 1 the operation failed (server, chain, invalid data), 2 the command line was wrong. */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

export function usage(): string {
  const width = Math.max(...commands.map((command) => command.usage.length))
  return [
    `humanmark ${packageJson.version}: proof of personhood and human provenance`,
    "",
    "Usage: humanmark <command> [options]",
    "",
    "Commands:",
    ...commands.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`),
    "",
    "Run `humanmark <command> --help` for a command's options.",
  ].join("\n")
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
  env: process.env,
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.out(usage())
    return name === undefined ? EXIT_USAGE : EXIT_OK
  }
  if (name === "--version" || name === "-v") {
    io.out(packageJson.version)
    return EXIT_OK
  }
  const command = commands.find((candidate) => candidate.name === name)
  if (!command) {
    io.err(`humanmark: unknown command "${name}". Commands: ${commands.map((c) => c.name).join(", ")}. See \`humanmark --help\`.`)
    return EXIT_USAGE
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    io.out(command.help)
    return EXIT_OK
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`humanmark ${command.name}: ${error.message}\n\n${command.help}`)
      return EXIT_USAGE
    }
    if (isHumanmarkError(error)) {
      io.err(`humanmark ${command.name}: ${error.message}${error.details ? `\n  ${error.details}` : ""} [${error.code}]`)
      return EXIT_FAILURE
    }
    io.err(`humanmark ${command.name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    return EXIT_FAILURE
  }
}
