import assert from "node:assert/strict"
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, before, describe, it } from "node:test"
import { webauthnChallengeFor } from "../server/enrollment/attestation/webauthn-challenge.ts"
import { startTestStack, type TestStack } from "../test/support/stack.ts"
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./main.ts"
import { runCli } from "../test/support/cli.ts"

const run = runCli

let stack: TestStack
let dir: string
before(async () => {
  stack = await startTestStack({ env: { ENROLLMENT_BATCH_INTERVAL_MS: "100" } })
  dir = await mkdtemp(join(tmpdir(), "humanmark-cli-enrollment-"))
})
after(async () => {
  await stack?.cleanup()
  await rm(dir, { recursive: true, force: true })
})

async function createIdentityFile(name: string): Promise<{ path: string; commitment: string }> {
  const path = join(dir, name)
  const created = await run(["identity", "create", "--out", path])
  assert.equal(created.code, EXIT_OK, created.err)
  return { path, commitment: (JSON.parse(created.out) as { commitment: string }).commitment }
}

describe("humanmark identity", () => {
  it("create writes an owner-only backup file and prints the commitment; show prints it again, never the secret", async () => {
    const path = join(dir, "me.json")
    const created = await run(["identity", "create", "--out", path])
    assert.equal(created.code, EXIT_OK, created.err)
    const printed = JSON.parse(created.out) as { file: string; commitment: string; createdAt: string }
    assert.equal(printed.file, path)
    assert.match(printed.commitment, /^[1-9][0-9]*$/)
    assert.match(created.err, /keep it private/)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    const file = JSON.parse(await readFile(path, "utf8")) as { version: string; privateKey: string; commitment: string }
    assert.equal(file.version, "humanmark-identity/1")
    assert.equal(file.commitment, printed.commitment)
    assert.ok(!created.out.includes(file.privateKey))

    const shown = await run(["identity", "show", "--identity", path])
    assert.equal(shown.code, EXIT_OK, shown.err)
    assert.deepEqual(JSON.parse(shown.out), printed)
    assert.ok(!shown.out.includes(file.privateKey) && !shown.err.includes(file.privateKey))
    assert.equal(shown.err, "", "no permission warning for a 600 file")
  })

  it("refuses to overwrite an existing file unless --force, which also makes it owner-only", async () => {
    const path = join(dir, "precious.json")
    await writeFile(path, "something already here", { mode: 0o644 })
    const refused = await run(["identity", "create", "--out", path])
    assert.equal(refused.code, EXIT_FAILURE)
    assert.match(refused.err, /already exists.*\[file_exists\]/s)
    assert.equal(await readFile(path, "utf8"), "something already here")

    const forced = await run(["identity", "create", "--out", path, "--force"])
    assert.equal(forced.code, EXIT_OK, forced.err)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal((JSON.parse(await readFile(path, "utf8")) as { commitment: string }).commitment, (JSON.parse(forced.out) as { commitment: string }).commitment)
  })

  it("fails typed for missing, garbled or tampered files, and warns about readable ones", async () => {
    const missing = await run(["identity", "show", "--identity", join(dir, "nope.json")])
    assert.equal(missing.code, EXIT_FAILURE)
    assert.match(missing.err, /\(ENOENT\).*\[file_unreadable\]/s)

    const garbled = join(dir, "garbled.json")
    await writeFile(garbled, "{ this is not json", { mode: 0o600 })
    const garbledShown = await run(["identity", "show", "--identity", garbled])
    assert.equal(garbledShown.code, EXIT_FAILURE)
    assert.match(garbledShown.err, /not valid JSON.*\[invalid_identity_file\]/s)

    const { path } = await createIdentityFile("tampered.json")
    const file = JSON.parse(await readFile(path, "utf8")) as { commitment: string }
    await writeFile(path, JSON.stringify({ ...file, commitment: "12345" }))
    const tampered = await run(["identity", "show", "--identity", path])
    assert.equal(tampered.code, EXIT_FAILURE)
    assert.match(tampered.err, /does not match the private key.*\[invalid_identity_file\]/s)

    const { path: open } = await createIdentityFile("open.json")
    await chmod(open, 0o644)
    const warned = await run(["identity", "show", "--identity", open])
    assert.equal(warned.code, EXIT_OK)
    assert.match(warned.err, /readable by other users \(mode 644\)/)
  })

  it("exits 2 for wrong command lines", async () => {
    for (const argv of [
      ["identity"],
      ["identity", "destroy"],
      ["identity", "create"],
      ["identity", "show"],
      ["identity", "create", "--out", join(dir, "x.json"), "extra"],
      ["identity", "create", "--out", join(dir, "x.json"), "--identity", "y"],
      ["identity", "show", "--identity", "y", "--force"],
      ["identity", "create", "--bogus"],
    ]) {
      const result = await run(argv)
      assert.equal(result.code, EXIT_USAGE, `${argv.join(" ")}: ${result.err}`)
      assert.match(result.err, /Usage: humanmark identity create/)
    }
  })
})

describe("humanmark enroll", () => {
  it("enrolls through the dev attester and waits until the commitment is in the group", async () => {
    const { path, commitment } = await createIdentityFile("alice.json")
    const enrolled = await run(["enroll", "--identity", path, "--person", "CLI Alice", "--wait", "--timeout", "60", "--server", stack.url])
    assert.equal(enrolled.code, EXIT_OK, enrolled.err)
    const status = JSON.parse(enrolled.out) as { commitment: string; status: string; level: string; groupId: string; leafIndex: number; root: string; txHash: string }
    assert.equal(status.commitment, commitment)
    assert.equal(status.status, "in_group")
    assert.equal(status.level, "person")
    assert.match(status.groupId, /^[0-9]+$/)
    assert.equal(typeof status.leafIndex, "number")
    assert.match(status.txHash, /^0x[0-9a-f]{64}$/)
    assert.match(enrolled.err, /waiting: the enrollment is (pending|in group)/)

    // The same person with another identity: the server's code, exit 1.
    const { path: other } = await createIdentityFile("alice-again.json")
    const twice = await run(["enroll", "--identity", other, "--person", "cli alice"], { HUMANMARK_SERVER: stack.url })
    assert.equal(twice.code, EXIT_FAILURE)
    assert.match(twice.err, /\[already_enrolled\]/)
    assert.match(twice.err, /recover: true/)

    // The same identity again.
    const again = await run(["enroll", "--identity", path, "--person", "Someone Else", "--server", stack.url])
    assert.equal(again.code, EXIT_FAILURE)
    assert.match(again.err, /\[commitment_already_enrolled\]/)

    // A recovery replaces the first commitment.
    const recovered = await run(["enroll", "--identity", other, "--person", "CLI Alice", "--recover", "--wait", "--server", stack.url])
    assert.equal(recovered.code, EXIT_OK, recovered.err)
    const replacement = JSON.parse(recovered.out) as { status: string; replacesCommitment: string; leafIndex: number }
    assert.equal(replacement.status, "in_group")
    assert.equal(replacement.replacesCommitment, commitment)
    assert.equal(replacement.leafIndex, status.leafIndex)
  })

  it("without --wait prints the pending status; without --person each identity is its own person", async () => {
    const { path, commitment } = await createIdentityFile("quick.json")
    const quick = await run(["enroll", "--identity", path, "--server", stack.url])
    assert.equal(quick.code, EXIT_OK, quick.err)
    const status = JSON.parse(quick.out) as { commitment: string; status: string }
    assert.equal(status.commitment, commitment)
    assert.ok(status.status === "pending" || status.status === "in_group")
    const { path: second } = await createIdentityFile("quick-second.json")
    assert.equal((await run(["enroll", "--identity", second, "--server", stack.url])).code, EXIT_OK)
  })

  it("submits an attestation a device produced for a challenge from --challenge", async () => {
    const { path, commitment } = await createIdentityFile("device.json")
    const challenged = await run(["enroll", "--identity", path, "--challenge", "--server", stack.url])
    assert.equal(challenged.code, EXIT_OK, challenged.err)
    const challenge = JSON.parse(challenged.out) as { commitment: string; nonce: string; expiresAt: string; webauthnChallenge: string }
    assert.equal(challenge.commitment, commitment)
    assert.equal(challenge.webauthnChallenge, webauthnChallengeFor(BigInt(commitment), challenge.nonce))

    // The "device" here is the server's dev attester, asked directly as a kiosk would be.
    const answer = await fetch(`${stack.url}/v1/enrollments/dev-attestation`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ commitment, nonce: challenge.nonce, person: "Device Person" }),
    })
    const { format, attestation } = (await answer.json()) as { format: string; attestation: string }
    const attestationFile = join(dir, "device.attestation")
    await writeFile(attestationFile, `${attestation}\n`)

    const submit = ["enroll", "--identity", path, "--attestation", attestationFile, "--format", format, "--nonce", challenge.nonce, "--server", stack.url]
    const enrolled = await run([...submit, "--wait"])
    assert.equal(enrolled.code, EXIT_OK, enrolled.err)
    assert.equal((JSON.parse(enrolled.out) as { status: string }).status, "in_group")

    const replayed = await run(submit)
    assert.equal(replayed.code, EXIT_FAILURE)
    assert.match(replayed.err, /\[challenge_used\]/)

    const { path: stranger } = await createIdentityFile("device-stranger.json")
    const wrongCommitment = await run(["enroll", "--identity", stranger, "--attestation", attestationFile, "--format", format, "--nonce", challenge.nonce, "--server", stack.url])
    assert.equal(wrongCommitment.code, EXIT_FAILURE)
    assert.match(wrongCommitment.err, /\[challenge_(used|commitment_mismatch)\]/)

    const garbage = join(dir, "garbage.attestation")
    await writeFile(garbage, "not-an-attestation")
    const fresh = JSON.parse((await run(["enroll", "--identity", stranger, "--challenge", "--server", stack.url])).out) as { nonce: string }
    const refused = await run(["enroll", "--identity", stranger, "--attestation", garbage, "--format", format, "--nonce", fresh.nonce, "--server", stack.url])
    assert.equal(refused.code, EXIT_FAILURE)
    assert.match(refused.err, /\[attestation_malformed\]/)

    const missingFile = await run(["enroll", "--identity", stranger, "--attestation", join(dir, "none"), "--format", format, "--nonce", fresh.nonce, "--server", stack.url])
    assert.equal(missingFile.code, EXIT_FAILURE)
    assert.match(missingFile.err, /\[file_unreadable\]/)
  })

  it("fails typed for bad identity files and unreachable servers; exits 2 for wrong command lines", async () => {
    const missing = await run(["enroll", "--identity", join(dir, "absent.json"), "--server", stack.url])
    assert.equal(missing.code, EXIT_FAILURE)
    assert.match(missing.err, /\[file_unreadable\]/)
    const garbled = join(dir, "garbled-enroll.json")
    await writeFile(garbled, JSON.stringify({ version: "humanmark-identity/1" }), { mode: 0o600 })
    const garbledRun = await run(["enroll", "--identity", garbled, "--server", stack.url])
    assert.equal(garbledRun.code, EXIT_FAILURE)
    assert.match(garbledRun.err, /privateKey.*\[invalid_identity_file\]/s)

    const { path } = await createIdentityFile("offline.json")
    const unreachable = await run(["enroll", "--identity", path, "--server", "http://127.0.0.1:1"])
    assert.equal(unreachable.code, EXIT_FAILURE)
    assert.match(unreachable.err, /\[server_unreachable\]/)

    for (const argv of [
      ["enroll"],
      ["enroll", "--identity", path, "--timeout", "0", "--wait"],
      ["enroll", "--identity", path, "--timeout", "10"],
      ["enroll", "--identity", path, "--recover"],
      ["enroll", "--identity", path, "--attestation", "file"],
      ["enroll", "--identity", path, "--attestation", "file", "--format", "webauthn", "--nonce", "n", "--person", "x"],
      ["enroll", "--identity", path, "--challenge", "--wait"],
      ["enroll", "--identity", path, "positional"],
    ]) {
      const result = await run(argv)
      assert.equal(result.code, EXIT_USAGE, `${argv.join(" ")}: ${result.err}`)
      assert.match(result.err, /Usage: humanmark enroll/)
    }
    const help = await run(["enroll", "--help"])
    assert.equal(help.code, EXIT_OK)
    assert.match(help.out, /INSECURE/)
    assert.match((await run(["--help"])).out, /identity create --out FILE/)
  })
})
