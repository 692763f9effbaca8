// `npm start`'s entry point as its own process, for tests that must kill the server for real.
import { spawn, type ChildProcess } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.once("error", reject)
  })
}

export interface ServerProcess {
  child: ChildProcess
  url: string
  output: string[]
  exited: Promise<void>
}

/** Starts `server/main.ts` with `env` and resolves with its URL once it prints it; `onLine` sees every stdout line. */
export async function startServerProcess(env: Record<string, string>, onLine: (line: string) => void = () => {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  const output: string[] = []
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = ""
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split("\n")
      buffer = lines.pop()!
      for (const line of lines) {
        output.push(line)
        onLine(line)
        const running = /humanmark is running: open (\S+)/.exec(line)
        if (running) resolve(running[1]!)
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", (chunk: Buffer) => output.push(chunk.toString()))
    void exited.then(() => reject(new Error(`the server exited early:\n${output.join("\n")}`)))
  })
  return { child, url, output, exited }
}

/** Alive and not a zombie: a killed orphan stays a zombie where PID 1 does not reap (containers). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z"
  } catch {
    return false
  }
}
