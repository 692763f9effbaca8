// `npm start`'s entry point as a real process: it prints where to open humanmark, serves /health,
// stops anvil with it on Ctrl-C (SIGINT), and a second start reuses the chain and the contracts.
import assert from "node:assert/strict"
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, test } from "node:test"
import type { HealthReport } from "../../sdk/health.ts"

const dataDir = await mkdtemp(join(tmpdir(), "humanmark-npm-start-"))
after(() => rm(dataDir, { recursive: true, force: true }))

interface Started {
  child: ChildProcess
  url: string
  anvilUrl: string
  output: () => string
}

/** This process's environment without the variables that would point the server elsewhere. */
function embeddedEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const name of ["RPC_URL", "DATABASE_URL", "DEPLOYER_PRIVATE_KEY", "HOST", "ANVIL_PORT"]) delete env[name]
  return env
}

function startServerProcess(): Promise<Started> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    env: { ...embeddedEnvironment(), HUMANMARK_DATA_DIR: dataDir, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let output = ""
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed within 60 s:\n${output}`)), 60_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const url = /humanmark is running: open (http:\/\/\S+)/.exec(output)?.[1]
      const anvilUrl = /local chain \(anvil\) at (http:\/\/\S+),/.exec(output)?.[1]
      if (url && anvilUrl) {
        clearTimeout(timer)
        resolve({ child, url, anvilUrl, output: () => output })
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited early with ${code}:\n${output}`))
    })
  })
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)))
}

async function health(url: string): Promise<HealthReport> {
  const response = await fetch(`${url}/health`)
  assert.equal(response.status, 200)
  return (await response.json()) as HealthReport
}

test("start, Ctrl-C, start again: same contracts, the chain kept, no process left behind", async () => {
  const first = await startServerProcess()
  const firstHealth = await health(first.url)
  assert.equal(firstHealth.chain.rpc, "embedded")

  first.child.kill("SIGINT")
  assert.equal(await exitOf(first.child), 0, first.output())
  assert.match(first.output(), /SIGINT: stopping/)
  await assert.rejects(fetch(first.anvilUrl), "anvil stopped with the server")
  await assert.rejects(fetch(`${first.url}/health`), "the HTTP server stopped")

  const second = await startServerProcess()
  try {
    const secondHealth = await health(second.url)
    assert.deepEqual(secondHealth.contracts, firstHealth.contracts)
    assert.ok(secondHealth.chain.blockNumber! >= firstHealth.chain.blockNumber!)
    assert.doesNotMatch(second.output(), /deploying/, "the second start deployed again")
  } finally {
    second.child.kill("SIGTERM")
    assert.equal(await exitOf(second.child), 0)
  }
})
