import type { CliIo } from "../../cli/command.ts"
import { main } from "../../cli/main.ts"

/** Runs the `humanmark` CLI in this process with captured output and the given environment. */
export async function runCli(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = ""
  let err = ""
  const io: CliIo = { out: (text) => (out += `${text}\n`), err: (text) => (err += `${text}\n`), env }
  const code = await main(argv, io)
  return { code, out, err }
}
