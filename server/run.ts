import { isHumanmarkError } from "../sdk/errors.ts"
import { loadConfig } from "./config.ts"
import { startHumanmark } from "./start.ts"

/**
 * Runs the whole system in the foreground until SIGINT or SIGTERM, then stops every part (HTTP
 * server, database, anvil) and exits. Used by `npm start` and `humanmark start`.
 */
export async function runUntilStopped(env: Record<string, string | undefined>): Promise<void> {
  try {
    const config = loadConfig(env)
    const running = await startHumanmark(config)
    console.log(`\n  humanmark is running: open ${running.url}\n  (health: ${running.url}/health; data in ${config.dataDir}; Ctrl-C to stop)\n`)

    let stopping = false
    const shutdown = async (signal: string) => {
      if (stopping) return
      stopping = true
      console.log(`[humanmark] ${signal}: stopping`)
      await running.stop()
      process.exit(0)
    }
    process.on("SIGINT", () => void shutdown("SIGINT"))
    process.on("SIGTERM", () => void shutdown("SIGTERM"))
  } catch (error) {
    if (isHumanmarkError(error)) {
      console.error(`humanmark could not start: ${error.message}${error.details ? `\n  ${error.details}` : ""} [${error.code}]`)
    } else {
      console.error("humanmark could not start:", error)
    }
    process.exit(1)
  }
}
