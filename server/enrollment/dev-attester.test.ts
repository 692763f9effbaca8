import "reflect-metadata"
import assert from "node:assert/strict"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { after, describe, it } from "node:test"
import { X509Certificate } from "@peculiar/x509"
import { createDeviceStatementVerifier } from "./attestation/device-statement.ts"
import { DEV_ATTESTER_LABEL, isDevAttesterAllowed, loadOrCreateDevAttester } from "./dev-attester.ts"

const dataDir = mkdtempSync(join(tmpdir(), "humanmark-dev-attester-"))
after(() => rmSync(dataDir, { recursive: true, force: true }))

describe("dev attester", () => {
  it("is created once per data folder, labelled insecure, and its statements verify against its root", async () => {
    const attester = await loadOrCreateDevAttester({ dataDir })
    const again = await loadOrCreateDevAttester({ dataDir })
    assert.equal(again.rootPem, attester.rootPem)
    assert.ok(new X509Certificate(attester.rootPem).subject.includes(DEV_ATTESTER_LABEL))

    const verifier = createDeviceStatementVerifier({ trustedRoots: [attester.rootPem] })
    const now = new Date()
    const verify = (person: string, commitment: bigint) =>
      verifier.verify({ attestation: attester.attest({ commitment, challenge: "nonce-1", person, now }), commitment, challenge: "nonce-1", now })
    const alice = await verify("Alice", 42n)
    assert.equal(alice.level, "person")
    assert.deepEqual((await verify(" alice ", 43n)).uniquenessKey, alice.uniquenessKey, "the same person, however typed, has one personKey")
    assert.notDeepEqual((await verify("Bob", 42n)).uniquenessKey, alice.uniquenessKey)
  })

  it("is allowed only with the embedded chain", () => {
    assert.equal(isDevAttesterAllowed({ mode: "embedded", anvilPort: 8545, statePath: "/tmp/state" }), true)
    assert.equal(isDevAttesterAllowed({ mode: "rpc", rpcUrl: "https://example.org" }), false)
  })
})
