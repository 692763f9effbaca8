import assert from "node:assert/strict"
import { describe, it } from "node:test"
import { Identity } from "@semaphore-protocol/core"
import { isHumanmarkError } from "../errors.ts"
import { createIdentity, exportIdentity, IDENTITY_BACKUP_VERSION, importIdentity } from "./identity.ts"

function refusedFor(file: unknown, problem: RegExp) {
  assert.throws(
    () => importIdentity(file),
    (error: unknown) => {
      assert.ok(isHumanmarkError(error), `expected a HumanmarkError, got ${String(error)}`)
      assert.equal(error.code, "invalid_identity_file")
      assert.match(error.message, problem)
      return true
    },
  )
}

describe("identity backups", () => {
  it("round trips a new identity through the backup file's text", () => {
    const identity = createIdentity()
    const createdAt = new Date("2026-01-02T03:04:05.678Z")
    const backup = exportIdentity(identity, { createdAt })
    assert.deepEqual(Object.keys(backup), ["version", "privateKey", "commitment", "createdAt"])
    assert.equal(backup.version, IDENTITY_BACKUP_VERSION)
    assert.equal(backup.commitment, identity.commitment.toString())
    assert.equal(backup.createdAt, createdAt.toISOString())

    const imported = importIdentity(JSON.stringify(backup))
    assert.equal(imported.identity.commitment, identity.commitment)
    assert.equal(imported.identity.secretScalar, identity.secretScalar)
    assert.deepEqual(imported.backup, backup)
    assert.equal(imported.createdAt.getTime(), createdAt.getTime())
    // Exporting the imported identity gives the same file: backups of backups do not drift.
    assert.deepEqual(exportIdentity(imported.identity, { createdAt }), backup)
  })

  it("keeps identities made from a text secret (Identity.export encodes the text)", () => {
    const identity = new Identity("a text secret")
    const imported = importIdentity(exportIdentity(identity))
    assert.equal(imported.identity.commitment, identity.commitment)
  })

  it("makes a different identity every time", () => {
    assert.notEqual(createIdentity().commitment, createIdentity().commitment)
  })

  it("refuses garbled files, naming what is wrong", () => {
    const backup = exportIdentity(createIdentity())
    refusedFor("{ not json", /not valid JSON/)
    refusedFor("", /not valid JSON/)
    refusedFor("[]", /JSON object/)
    refusedFor(null, /JSON object/)
    refusedFor(42, /JSON object/)
    refusedFor({ ...backup, version: "humanmark-identity/2" }, /version: expected "humanmark-identity\/1", found "humanmark-identity\/2"/)
    refusedFor({ ...backup, version: undefined }, /version: .*found nothing/)
    refusedFor({ ...backup, extra: true }, /unexpected field "extra"/)
    refusedFor({ ...backup, privateKey: "" }, /privateKey/)
    refusedFor({ ...backup, privateKey: "not base64!" }, /privateKey/)
    refusedFor({ ...backup, privateKey: 7 }, /privateKey/)
    refusedFor({ ...backup, commitment: Number(backup.commitment) }, /commitment: expected a decimal/)
    refusedFor({ ...backup, commitment: "-1" }, /commitment: expected a decimal/)
    refusedFor({ ...backup, createdAt: "yesterday" }, /createdAt/)
    refusedFor({ ...backup, createdAt: "2026-13-45T99:00:00Z" }, /createdAt/)
  })

  it("refuses a file whose key was tampered with or whose commitment is someone else's", () => {
    const backup = exportIdentity(createIdentity())
    const key = Buffer.from(backup.privateKey, "base64")
    key[0] = key[0]! ^ 0x01
    refusedFor({ ...backup, privateKey: key.toString("base64") }, /commitment: it does not match the private key/)
    refusedFor({ ...backup, commitment: createIdentity().commitment.toString() }, /does not match the private key/)
  })

  it("never puts the secret in an error message", () => {
    const backup = exportIdentity(createIdentity())
    try {
      importIdentity({ ...backup, commitment: "1" })
      assert.fail("expected a refusal")
    } catch (error) {
      assert.ok(isHumanmarkError(error))
      assert.ok(!`${error.message} ${error.details}`.includes(backup.privateKey))
    }
  })
})
