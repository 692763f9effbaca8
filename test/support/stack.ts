import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { loadConfig } from "../../server/config.ts"
import { startHumanmark, type RunningHumanmark, type StartHumanmarkOptions } from "../../server/start.ts"

export interface TestStack extends RunningHumanmark {
  dataDir: string
  /** Stops everything and deletes the data folder (unless `keepData`). */
  cleanup(): Promise<void>
}

export interface StartTestStackOptions extends StartHumanmarkOptions {
  /** Reuse a data folder (to test restarts); a fresh temporary one otherwise. */
  dataDir?: string
  keepData?: boolean
  env?: Record<string, string>
}

/** The real system (anvil, SQLite, contracts, HTTP) on free ports in a throwaway data folder. */
export async function startTestStack(options: StartTestStackOptions = {}): Promise<TestStack> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "humanmark-test-")))
  const config = loadConfig({ HUMANMARK_DATA_DIR: dataDir, PORT: "0", ANVIL_PORT: "0", ...options.env })
  const running = await startHumanmark(config, { siteDir: options.siteDir ?? null, log: options.log ?? (() => {}) })
  return {
    ...running,
    dataDir,
    async cleanup() {
      await running.stop()
      if (!options.keepData) await rm(dataDir, { recursive: true, force: true })
    },
  }
}
