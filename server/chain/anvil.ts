import { spawn } from "node:child_process"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { HumanmarkError } from "../../sdk/errors.ts"

const require = createRequire(import.meta.url)

export interface StartAnvilOptions {
  /** File anvil loads its state from at start and saves to while running; omit for a throwaway chain. */
  statePath?: string
  /** 0 (the default) picks a free port. */
  port?: number
  chainId?: number
  /** How long to wait for anvil to answer before giving up. */
  startTimeoutMs?: number
}

export interface AnvilInstance {
  rpcUrl: string
  pid: number
  /** Stops anvil gracefully (it saves its state on the way out). Safe to call twice. */
  stop(): Promise<void>
}

/** Path of the anvil binary shipped by the `@foundry-rs/anvil-<os>-<arch>` npm package. */
export function anvilBinaryPath(): string {
  const arch = ({ x64: "amd64", arm64: "arm64" } as Record<string, string>)[process.arch] ?? process.arch
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`
  try {
    return require.resolve(`${platformPackage}/bin/anvil`)
  } catch (cause) {
    throw new HumanmarkError("anvil_not_installed", `The local EVM node is missing: ${platformPackage} is not installed.`, {
      details: "Run `npm install`, or set RPC_URL to use an existing node.",
      status: 500,
      cause,
    })
  }
}

/** Starts a local anvil node and resolves once it listens. */
export function startAnvil(options: StartAnvilOptions = {}): Promise<AnvilInstance> {
  const args = ["--host", "127.0.0.1", "--port", String(options.port ?? 0), "--chain-id", String(options.chainId ?? 31337)]
  const pidFile = options.statePath ? `${options.statePath}.pid` : undefined
  if (options.statePath) {
    // --state loads and saves; the interval bounds what a crash (kill -9) can lose to one second.
    args.push("--state", options.statePath, "--state-interval", "1")
    stopOrphanedAnvil(pidFile!, options.statePath)
  }
  const child = spawn(anvilBinaryPath(), args, { stdio: ["ignore", "pipe", "pipe"] })
  if (pidFile && child.pid) writeFileSync(pidFile, String(child.pid))
  const killOnExit = () => child.kill("SIGKILL")
  process.once("exit", killOnExit)

  let output = ""
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))

  const stop = async () => {
    process.removeListener("exit", killOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM")
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
      await exited
      clearTimeout(timer)
    }
    // Only our own record: a successor may have taken the state file over.
    if (pidFile && readPid(pidFile) === child.pid) rmSync(pidFile, { force: true })
  }

  return new Promise((resolve, reject) => {
    const fail = (message: string) => {
      clearTimeout(timer)
      void stop()
      reject(new HumanmarkError("anvil_start_failed", message, { details: output.slice(-2000), status: 500 }))
    }
    const timer = setTimeout(() => fail("The local EVM node (anvil) did not start in time."), options.startTimeoutMs ?? 30_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const listening = /Listening on ([\d.]+):(\d+)/.exec(output)
      if (listening) {
        clearTimeout(timer)
        child.stdout.removeListener("data", onData)
        child.stdout.resume() // keep draining so anvil never blocks on a full pipe
        resolve({ rpcUrl: `http://${listening[1]}:${listening[2]}`, pid: child.pid!, stop })
      }
    }
    child.stdout.on("data", onData)
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.once("error", (error) => fail(`Could not run anvil: ${error.message}`))
    child.once("exit", (code, signal) => fail(`anvil exited early (code ${code}, signal ${signal}).`))
  })
}

/**
 * A server killed with SIGKILL cannot stop its anvil, which then lives on and keeps writing its
 * (now stale) state into the same file every second. Before starting on a state file, stop the
 * anvil recorded for it, if that process is still an anvil using this very state file.
 */
function stopOrphanedAnvil(pidFile: string, statePath: string): void {
  const pid = readPid(pidFile)
  if (pid === undefined) return
  let commandLine = ""
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, "utf8")
  } catch {
    // No such process (or no /proc on this system): nothing to reclaim.
  }
  if (commandLine.includes("anvil") && commandLine.includes(statePath)) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // It exited in between.
    }
  }
  rmSync(pidFile, { force: true })
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, "utf8").trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}
