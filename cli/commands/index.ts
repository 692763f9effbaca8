import type { CliCommand } from "../command.ts"
import { anchorCommand } from "./anchor.ts"
import { c2paCommand } from "./c2pa.ts"
import { enrollCommand } from "./enroll.ts"
import { healthCommand } from "./health.ts"
import { identityCommand } from "./identity.ts"
import { pollCommand } from "./poll.ts"
import { resultsCommand } from "./results.ts"
import { startCommand } from "./start.ts"
import { verifyCommand } from "./verify.ts"
import { voteCommand } from "./vote.ts"

/** Every subcommand, in the order `humanmark --help` lists them. */
export const commands: CliCommand[] = [startCommand, healthCommand, anchorCommand, verifyCommand, c2paCommand, identityCommand, enrollCommand, pollCommand, voteCommand, resultsCommand]
