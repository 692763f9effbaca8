import assert from "node:assert/strict"
import { execFile } from "node:child_process"
import { after, before, test } from "node:test"
import { promisify } from "node:util"
import packageJson from "../package.json"
import type { HealthReport } from "../sdk/health.ts"
import { startTestStack, type TestStack } from "../test/support/stack.ts"
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./main.ts"
import { runCli } from "../test/support/cli.ts"

/** Runs the CLI in this process with captured output. */
const run = runCli

let stack: TestStack
before(async () => {
  stack = await startTestStack()
})
after(() => stack.cleanup())

test("help and version", async () => {
  const help = await run(["--help"])
  assert.equal(help.code, EXIT_OK)
  assert.match(help.out, /Usage: humanmark <command>/)
  assert.match(help.out, /health \[--server URL\]/)
  assert.match(help.out, /start/)
  assert.equal((await run(["--version"])).out.trim(), packageJson.version)
  const commandHelp = await run(["health", "--help"])
  assert.equal(commandHelp.code, EXIT_OK)
  assert.match(commandHelp.out, /HUMANMARK_SERVER/)
})

test("a wrong command line exits 2 and says what is wrong", async () => {
  const none = await run([])
  assert.equal(none.code, EXIT_USAGE)
  assert.match(none.out, /Commands:/)

  const unknown = await run(["frobnicate"])
  assert.equal(unknown.code, EXIT_USAGE)
  assert.match(unknown.err, /unknown command "frobnicate"/)

  const badOption = await run(["health", "--sever", "http://x"])
  assert.equal(badOption.code, EXIT_USAGE)
  assert.match(badOption.err, /Unknown option '--sever'/)
  assert.match(badOption.err, /Usage: humanmark health/)
})

test("health prints the server's report as JSON", async () => {
  const result = await run(["health", "--server", stack.url])
  assert.equal(result.code, EXIT_OK, result.err)
  const report = JSON.parse(result.out) as HealthReport
  assert.equal(report.chain.caip2, "eip155:31337")
  assert.deepEqual(report.contracts, stack.deployment.contracts)

  // HUMANMARK_SERVER is the default when --server is absent.
  assert.equal((await run(["health"], { HUMANMARK_SERVER: stack.url })).code, EXIT_OK)
})

test("health against nothing, or a malformed URL, fails with a typed message", async () => {
  const down = await run(["health", "--server", "http://127.0.0.1:1"])
  assert.equal(down.code, EXIT_FAILURE)
  assert.match(down.err, /Could not reach the humanmark server at http:\/\/127\.0\.0\.1:1\.\n.*\[server_unreachable\]/s)

  const malformed = await run(["health", "--server", "localhost-8787"])
  assert.equal(malformed.code, EXIT_FAILURE)
  assert.match(malformed.err, /\[invalid_server_url\]/)
})

test("the installed bin runs as a program", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ["cli/humanmark.js", "--version"])
  assert.equal(stdout.trim(), packageJson.version)
  await assert.rejects(promisify(execFile)(process.execPath, ["cli/humanmark.js", "nope"]), (error: { code?: number; stderr?: string }) => {
    assert.equal(error.code, EXIT_USAGE)
    assert.match(error.stderr ?? "", /unknown command "nope"/)
    return true
  })
})
