import type { CliCommand } from "../command.ts"
import { healthCommand } from "./health.ts"
import { startCommand } from "./start.ts"

/** Every subcommand, in the order `humanmark --help` lists them. */
export const commands: CliCommand[] = [startCommand, healthCommand]
