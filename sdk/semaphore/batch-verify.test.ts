import assert from "node:assert/strict"
import { after, before, describe, it } from "node:test"
import { Group, Identity, verifyProof, type SemaphoreProof } from "@semaphore-protocol/core"
import { encodePacked, keccak256 } from "viem"
import { HumanmarkError } from "../errors.ts"
import { loadSemaphoreArtifacts } from "./artifacts.node.ts"
import {
  batchVerifySemaphoreProofs,
  createSemaphoreBatchVerifier,
  parseSemaphoreVerificationKey,
  semaphoreSignalHash,
  type SemaphoreBatchVerifier,
} from "./batch-verify.ts"
import { loadSemaphoreVerificationKey } from "./batch-verify.node.ts"
import { generateSemaphoreProof, releaseProverThreads } from "./proof.ts"

const BN254_BASE_FIELD = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
const BN254_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

/** Real proofs (official artifacts): five at depth 2 and three at depth 1, each with its own scope. */
async function makeProofs(): Promise<SemaphoreProof[]> {
  const identities = Array.from({ length: 4 }, (_, i) => new Identity(`batch-verify-${i}`))
  const wide = new Group(identities.map((identity) => identity.commitment))
  const narrow = new Group(identities.slice(0, 2).map((identity) => identity.commitment))
  const proofs: SemaphoreProof[] = []
  for (let i = 0; i < 8; i++) {
    const depth = i < 5 ? 2 : 1
    proofs.push(
      await generateSemaphoreProof({
        identity: identities[i % 2]!,
        group: depth === 2 ? wide : narrow,
        message: 1000 + i,
        scope: `poll-${i}`,
        loadArtifacts: loadSemaphoreArtifacts,
        depth,
      }),
    )
  }
  return proofs
}

/** `count` proofs cycling through `proofs` (a batch may hold the same proof many times). */
function repeat(proofs: readonly SemaphoreProof[], count: number): SemaphoreProof[] {
  return Array.from({ length: count }, (_, i) => structuredClone(proofs[i % proofs.length]!))
}

describe("batch verification of Semaphore proofs", () => {
  let proofs: SemaphoreProof[]
  let verifier: SemaphoreBatchVerifier

  before(async () => {
    proofs = await makeProofs()
    verifier = await createSemaphoreBatchVerifier({ loadVerificationKey: loadSemaphoreVerificationKey })
  })
  after(async () => {
    await verifier?.release()
    await releaseProverThreads()
  })

  it("accepts valid proofs of mixed depths and agrees with verifyProof one by one", async () => {
    assert.deepEqual(
      proofs.map((proof) => proof.merkleTreeDepth),
      [2, 2, 2, 2, 2, 1, 1, 1],
    )
    for (const proof of proofs) assert.equal(await verifyProof(proof), true)
    assert.deepEqual(await verifier.verify(proofs), { valid: true, invalid: [], malformed: [] })
    assert.deepEqual(await verifier.verify(repeat(proofs, 64)), { valid: true, invalid: [], malformed: [] })
  })

  it("accepts an empty batch", async () => {
    assert.deepEqual(await verifier.verify([]), { valid: true, invalid: [], malformed: [] })
  })

  const tamperings: Record<string, (proof: SemaphoreProof, others: SemaphoreProof[]) => void> = {
    "a changed message": (proof) => (proof.message = (BigInt(proof.message) + 1n).toString()),
    "a changed nullifier": (proof) => (proof.nullifier = (BigInt(proof.nullifier) + 1n).toString()),
    "a changed root": (proof, others) => (proof.merkleTreeRoot = others.find((other) => other.merkleTreeRoot !== proof.merkleTreeRoot)!.merkleTreeRoot),
    "swapped points (A and C)": (proof) => {
      const [ax, ay, bx1, bx0, by1, by0, cx, cy] = proof.points
      proof.points = [cx, cy, bx1, bx0, by1, by0, ax, ay]
    },
    "the proof of another scope": (proof, others) => (proof.scope = others.find((other) => other.scope !== proof.scope)!.scope),
    "another proof's depth": (proof) => (proof.merkleTreeDepth = proof.merkleTreeDepth === 1 ? 2 : 1),
  }

  for (const [label, tamper] of Object.entries(tamperings)) {
    it(`names ${label} in a batch of 64`, async () => {
      const batch = repeat(proofs, 64)
      tamper(batch[37]!, proofs)
      assert.equal(await verifyProof(batch[37]!), false)
      assert.deepEqual(await verifier.verify(batch), { valid: false, invalid: [37], malformed: [] })
    })
  }

  it("names two tampered proofs, in different chunks too", async () => {
    const batch = repeat(proofs, 64)
    tamperings["a changed message"]!(batch[3]!, proofs)
    tamperings["a changed nullifier"]!(batch[60]!, proofs)
    assert.deepEqual(await verifier.verify(batch), { valid: false, invalid: [3, 60], malformed: [] })
    const chunked = await batchVerifySemaphoreProofs(batch, { loadVerificationKey: loadSemaphoreVerificationKey, chunkSize: 16 })
    assert.deepEqual(chunked, { valid: false, invalid: [3, 60], malformed: [] })
  })

  it("names every proof when all are tampered", async () => {
    const batch = repeat(proofs, 9)
    for (const proof of batch) tamperings["a changed message"]!(proof, proofs)
    assert.deepEqual((await verifier.verify(batch)).invalid, [0, 1, 2, 3, 4, 5, 6, 7, 8])
  })

  it("reports malformed proofs as invalid and malformed, without a pairing, and keeps checking the rest", async () => {
    const malformations: Array<(proof: SemaphoreProof) => void> = [
      (proof) => (proof.points[1] = (BigInt(proof.points[1]) + 1n).toString()), // A off the curve
      (proof) => (proof.points[7] = (BigInt(proof.points[7]) + BN254_BASE_FIELD).toString()), // not a field element
      (proof) => (proof.points[2] = "1"), // B off the twist
      (proof) => (proof.merkleTreeRoot = (BigInt(proof.merkleTreeRoot) + BN254_SCALAR_FIELD).toString()),
      (proof) => (proof.nullifier = "not a number"),
      (proof) => (proof.message = (1n << 256n).toString()),
      (proof) => (proof.merkleTreeDepth = 0),
      (proof) => (proof.merkleTreeDepth = 2.5),
      (proof) => (proof.points = proof.points.slice(0, 7) as SemaphoreProof["points"]),
    ]
    const batch = repeat(proofs, 16)
    malformations.forEach((malform, i) => malform(batch[i]!))
    const expected = malformations.map((_, i) => i)
    assert.deepEqual(await verifier.verify(batch), { valid: false, invalid: expected, malformed: expected })
    // snarkjs agrees (or throws), except that it reduces a coordinate above the base-field modulus and
    // accepts that second spelling of a valid proof; the EVM pairing precompile refuses it, as we do.
    const verdicts = await Promise.all(batch.slice(0, malformations.length).map((proof) => verifyProof(proof).catch(() => false)))
    assert.deepEqual(verdicts, [false, true, false, false, false, false, false, false, false])
  })

  it("refuses a batch that is not an array with a typed error", async () => {
    await assert.rejects(verifier.verify("proofs" as unknown as SemaphoreProof[]), (error: unknown) => error instanceof HumanmarkError && error.code === "invalid_proof_batch")
  })

  it("hashes messages and scopes as Semaphore does (keccak256 of the uint256, shifted right by 8)", () => {
    for (const value of [0n, 1n, 42n, (1n << 256n) - 1n, BigInt(proofs[0]!.scope)]) {
      assert.equal(semaphoreSignalHash(value), BigInt(keccak256(encodePacked(["uint256"], [value]))) >> 8n)
    }
  })

  it("loads checked verification keys and refuses keys that are not Semaphore's", async () => {
    const key = await loadSemaphoreVerificationKey(2)
    assert.equal(key.depth, 2)
    assert.equal(key.inputCommitments.length, 5)
    assert.throws(() => parseSemaphoreVerificationKey({ protocol: "plonk", curve: "bn128" }, 2), (error: unknown) => error instanceof HumanmarkError && error.code === "invalid_verification_key")
    await assert.rejects(loadSemaphoreVerificationKey(33), (error: unknown) => error instanceof HumanmarkError && error.code === "invalid_tree_depth")
  })
})
