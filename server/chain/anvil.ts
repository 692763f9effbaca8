import { spawn } from "node:child_process"
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
  if (options.statePath) {
    // --state loads and saves; the interval bounds what a crash (kill -9) can lose to one second.
    args.push("--state", options.statePath, "--state-interval", "1")
  }
  const child = spawn(anvilBinaryPath(), args, { stdio: ["ignore", "pipe", "pipe"] })
  const killOnExit = () => child.kill("SIGKILL")
  process.once("exit", killOnExit)

  let output = ""
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))

  const stop = async () => {
    process.removeListener("exit", killOnExit)
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill("SIGTERM")
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
    await exited
    clearTimeout(timer)
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
