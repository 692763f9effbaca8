// The enrollment rules on SQLite with real device statements: challenges, uniqueness, and the
// device-level refusal, without a chain.
import assert from "node:assert/strict"
import { before, describe, it } from "node:test"
import Database from "better-sqlite3"
import { createDeviceHierarchy, type TestDeviceHierarchy } from "../../test/support/attestation/certificates.ts"
import { signDeviceStatement } from "../../test/support/attestation/device-statement.ts"
import { createDeviceStatementVerifier } from "./attestation/device-statement.ts"
import { encodeBase64url } from "./attestation/encoding.ts"
import { createAttestationRegistry } from "./attestation/registry.ts"
import { createEnrollmentService, planEnrollment, uniquenessHmac } from "./service.ts"
import { openEnrollmentStore, type Enrollment } from "./store.ts"

let hierarchy: TestDeviceHierarchy
before(async () => {
  hierarchy = await createDeviceHierarchy()
})

function setup(clock: { now: Date }) {
  const store = openEnrollmentStore(new Database(":memory:"))
  const registry = createAttestationRegistry([createDeviceStatementVerifier({ trustedRoots: [hierarchy.root.pem] })])
  const service = createEnrollmentService({ store, registry, serverSecret: new Uint8Array(32).fill(3), now: () => clock.now })
  return { store, service }
}

async function statement(commitment: bigint, nonce: string, person: string, issuedAt: Date) {
  const bytes = await signDeviceStatement({
    statement: {
      commitment: commitment.toString(),
      challenge: nonce,
      personKey: encodeBase64url(new TextEncoder().encode(person.padEnd(16, "."))),
      issuedAt: issuedAt.toISOString(),
    },
    leaf: hierarchy.leaf,
    chain: hierarchy.chain,
  })
  return encodeBase64url(bytes)
}

describe("enrollment service", () => {
  it("issues single-use 32-byte nonces that expire", async () => {
    const clock = { now: new Date() }
    const { service, store } = setup(clock)
    const { nonce, expiresAt } = await service.createChallenge(11n)
    assert.match(nonce, /^[A-Za-z0-9_-]{43}$/)
    assert.equal(expiresAt.getTime() - clock.now.getTime(), 5 * 60_000)
    clock.now = new Date(expiresAt.getTime() + 1)
    const attestation = await statement(11n, nonce, "eve", clock.now)
    await assert.rejects(service.enroll({ format: "device-statement", attestation, commitment: 11n, nonce }), { code: "challenge_expired", status: 410 })
    assert.equal((await store.getChallenge(nonce))?.usedAt, undefined)
  })

  it("refuses a commitment enrolled twice, and a revoked issuer", async () => {
    const clock = { now: new Date() }
    const { service } = setup(clock)
    const enroll = async (commitment: bigint, person: string) => {
      const { nonce } = await service.createChallenge(commitment)
      return service.enroll({ format: "device-statement", attestation: await statement(commitment, nonce, person, clock.now), commitment, nonce })
    }
    await enroll(21n, "frank")
    await assert.rejects(enroll(21n, "grace"), { code: "commitment_already_enrolled", status: 409 })
    const issuer = (await import("./attestation/certificate-chain.ts")).fingerprintOf(hierarchy.root.certificate)
    assert.deepEqual(await service.revokeIssuer(issuer), [21n])
    await assert.rejects(enroll(22n, "heidi"), { code: "issuer_revoked", status: 403 })
  })

  it("keys uniqueness by HMAC over issuer, a zero byte and the key", () => {
    const secret = new Uint8Array(32).fill(9)
    assert.notEqual(uniquenessHmac(secret, "ab", new Uint8Array([0x63])), uniquenessHmac(secret, "abc", new Uint8Array()))
    assert.match(uniquenessHmac(secret, "ab", new Uint8Array([1])), /^[0-9a-f]{64}$/)
  })

  it("refuses a device-level recovery: a batch key does not identify a person", () => {
    const now = new Date()
    const existing = {
      commitment: 1n,
      level: "device",
      status: "in_group",
      leafIndex: 0,
      transactionId: undefined,
      replacesCommitment: undefined,
    } as Enrollment
    const state = {
      challenge: { nonce: "n", commitment: 2n, createdAt: now, expiresAt: new Date(now.getTime() + 60_000), usedAt: undefined },
      existingCommitment: undefined,
      samePerson: [existing],
    }
    const enrollment = { commitment: 2n, level: "device" as const, issuer: "i", uniquenessHmac: "h", expiresAt: now }
    assert.throws(() => planEnrollment(state, { commitment: 2n, now, recover: true, enrollment }), { code: "device_key_already_used" })
    assert.throws(() => planEnrollment(state, { commitment: 2n, now, recover: false, enrollment }), { code: "already_enrolled" })
    const person = planEnrollment(
      { ...state, samePerson: [{ ...existing, level: "person" }] },
      { commitment: 2n, now, recover: true, enrollment: { ...enrollment, level: "person" } },
    )
    assert.equal(person.insert.replacesCommitment, 1n)
  })
})
