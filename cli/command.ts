import { parseArgs, type ParseArgsConfig } from "node:util"

/** Where a command writes, and the environment it may read (injected so tests capture output). */
export interface CliIo {
  out(text: string): void
  err(text: string): void
  env: Record<string, string | undefined>
}

/** One `humanmark <name>` subcommand. */
export interface CliCommand {
  name: string
  /** One line for the command list, e.g. `health [--server URL]`. */
  usage: string
  summary: string
  /** Full help text printed by `humanmark <name> --help`. */
  help: string
  /** Returns the process exit code. Throws `UsageError` for a bad command line, `HumanmarkError` for failures. */
  run(argv: string[], io: CliIo): Promise<number>
}

/** The command line itself is wrong (unknown option, missing argument): exit code 2 and the help text. */
export class UsageError extends Error {
  override name = "UsageError"
}

/** `util.parseArgs` in strict mode, with its errors turned into `UsageError`s. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

/** The humanmark server a command talks to: `--server`, else `HUMANMARK_SERVER`, else the `npm start` default. */
export function serverUrlFrom(flag: string | undefined, env: CliIo["env"]): string {
  return flag ?? env.HUMANMARK_SERVER ?? "http://127.0.0.1:8787"
}
